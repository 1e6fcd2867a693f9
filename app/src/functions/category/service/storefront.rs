//! What the storefront reads of the catalog.

use crate::functions::category::events::FamilyKey;
use crate::functions::category::projection;
use crate::functions::category::view::{CatalogEntry, ProductCard, ShopCard, StorefrontQuery};
use crate::store::{EventStore, StoreError};

/// Every listed product for `query`, one per SKU (each option of a
/// family on its own).
pub async fn storefront_products(
    store: &EventStore,
    query: StorefrontQuery,
) -> Result<Vec<ProductCard>, StoreError> {
    projection::storefront_products(store, query).await
}

/// The storefront's cards for `query`: one per product, a family's
/// options behind one card.
pub async fn storefront_cards(
    store: &EventStore,
    query: StorefrontQuery,
) -> Result<Vec<ShopCard>, StoreError> {
    Ok(ShopCard::group(
        projection::storefront_products(store, query).await?,
    ))
}

/// Every product, listed or not, with its unit cost (staff only).
pub async fn catalog(store: &EventStore) -> Result<Vec<CatalogEntry>, StoreError> {
    projection::catalog(store).await
}

/// The listed options of `family`, cheapest first.
pub async fn family_options(
    store: &EventStore,
    family: &FamilyKey,
) -> Result<Vec<ProductCard>, StoreError> {
    projection::family(store, family).await
}

/// The listed product `sku`, as its storefront page shows it.
pub async fn storefront_product(
    store: &EventStore,
    sku: &crate::functions::category::events::Sku,
) -> Result<Option<ProductCard>, StoreError> {
    projection::product(store, sku).await
}
