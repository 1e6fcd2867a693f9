//! Category Management's application service: the one way its commands
//! reach the event log and its projections reach the pages.

use super::decide::{CategoryCommand, CategoryError, ProductState, decide};
use super::events::CategoryEvent;
use super::projection;
use super::view::{ProductCard, StorefrontQuery};
use crate::event::{Actor, StreamId};
use crate::functions::BusinessFunction;
use crate::store::{Appended, EventMetadata, EventStore, StoreError};

/// Why a catalog command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum CatalogServiceError {
    /// A catalog rule refused it.
    #[error(transparent)]
    Rejected(#[from] CategoryError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Decides `command` against the product's stream and appends the result.
pub async fn handle(
    store: &EventStore,
    actor: Actor,
    command: CategoryCommand,
) -> Result<Appended, CatalogServiceError> {
    let CategoryCommand::IntroduceProduct(product) = &command;
    let stream = StreamId::product(&product.sku);
    let history = store.load::<CategoryEvent>(&stream).await?;
    let events = decide(&ProductState::from_events(&history.events), command)?;
    let metadata = EventMetadata::new(actor, BusinessFunction::Category);
    Ok(store
        .append(&stream, history.version, &events, &metadata)
        .await?)
}

/// The products the storefront lists for `query`.
pub async fn storefront_products(
    store: &EventStore,
    query: StorefrontQuery,
) -> Result<Vec<ProductCard>, StoreError> {
    projection::storefront_products(store, query).await
}

/// The listed product `sku`, as its storefront page shows it.
pub async fn storefront_product(
    store: &EventStore,
    sku: &super::events::Sku,
) -> Result<Option<ProductCard>, StoreError> {
    projection::product(store, sku).await
}

/// Fills Category Management's page: the catalog and its base prices.
pub async fn fill_page(
    store: &EventStore,
    page: &mut crate::staff::view::FunctionPage,
) -> Result<(), StoreError> {
    use crate::staff::view::{DataTable, Metric};

    let products = projection::storefront_products(store, StorefrontQuery::default()).await?;
    let collections: std::collections::HashSet<_> =
        products.iter().map(|product| product.collection).collect();
    page.metrics = vec![
        Metric::count("listed-products", "Listed products", products.len()),
        Metric::count("collections", "Collections", collections.len()),
    ];
    let mut catalog = DataTable::new(
        "catalog",
        "Catalog and base prices",
        &["SKU", "Product", "Collection", "Base price"],
        "No product has been introduced yet.",
    );
    for product in products {
        catalog.row(vec![
            product.sku.to_string(),
            product.name,
            product.collection.label().to_owned(),
            product.price.to_string(),
        ]);
    }
    page.tables = vec![catalog];
    page.not_built_yet.push(
        "Product performance, base price changes and their history, market pricing notes, listing and delisting: not built yet (selling issue)."
            .to_owned(),
    );
    Ok(())
}
