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
    let stream = StreamId::product(command.sku());
    let history = store.load::<CategoryEvent>(&stream).await?;
    let events = decide(&ProductState::from_events(&history.events), command)?;
    let metadata = EventMetadata::new(actor, BusinessFunction::Category);
    Ok(store
        .append(&stream, history.version, &events, &metadata)
        .await?)
}

/// Changes `sku`'s base price to the amount typed in `price` (in the
/// product's own currency), saying why. The typed amount is read here, at
/// the edge, because its currency is the product's.
pub async fn change_base_price(
    store: &EventStore,
    actor: Actor,
    sku: super::events::Sku,
    price: &str,
    reason: String,
) -> Result<Appended, CatalogServiceError> {
    let stream = StreamId::product(&sku);
    let history = store.load::<CategoryEvent>(&stream).await?;
    let state = ProductState::from_events(&history.events);
    let currency = state
        .base_price
        .ok_or_else(|| CategoryError::NoSuchProduct { sku: sku.clone() })?
        .currency;
    let to = crate::money::Money::parse_amount(price, currency)
        .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?;
    let events = decide(&state, CategoryCommand::ChangeBasePrice { sku, to, reason })?;
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

/// Fills Category Management's page: the catalog with listing status and
/// base prices, and the history of base price changes.
pub async fn fill_page(
    store: &EventStore,
    page: &mut crate::staff::view::FunctionPage,
) -> Result<(), StoreError> {
    use crate::staff::view::{DataTable, Metric};

    let catalog = projection::catalog(store).await?;
    let listed = catalog.iter().filter(|(_, listed)| *listed).count();
    let collections: std::collections::HashSet<_> = catalog
        .iter()
        .map(|(product, _)| product.collection)
        .collect();
    let changes = projection::price_changes(store, 50).await?;
    page.metrics = vec![
        Metric::count("listed-products", "Listed products", listed),
        Metric::count(
            "delisted-products",
            "Delisted products",
            catalog.len() - listed,
        ),
        Metric::count("collections", "Collections", collections.len()),
        Metric::count(
            "price-changes",
            "Base price changes (latest 50)",
            changes.len(),
        ),
    ];
    let mut table = DataTable::new(
        "catalog",
        "Catalog and base prices",
        &["SKU", "Product", "Collection", "Base price", "Status"],
        "No product has been introduced yet.",
    );
    for (product, listed) in catalog {
        table.row(vec![
            product.sku.to_string(),
            product.name,
            product.collection.label().to_owned(),
            product.price.to_string(),
            if listed { "listed" } else { "delisted" }.to_owned(),
        ]);
    }
    let mut history = DataTable::new(
        "base-price-changes",
        "Base price changes",
        &["When (UTC)", "SKU", "From", "To", "Reason"],
        "No base price has changed yet.",
    );
    for change in changes {
        history.row(vec![
            change
                .changed_at
                .get(..16)
                .unwrap_or(&change.changed_at)
                .replace('T', " "),
            change.sku.to_string(),
            change.from.to_string(),
            change.to.to_string(),
            change.reason,
        ]);
    }
    page.tables = vec![table, history];
    page.not_built_yet.push(
        "Product performance (units, revenue, margin over time), market pricing notes, variants, and creating or editing products from this page: not built yet (selling issue)."
            .to_owned(),
    );
    Ok(())
}
