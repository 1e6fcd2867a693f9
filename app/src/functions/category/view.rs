//! The view models Category Management's data is shown through. The HTML
//! pages and the JSON answers are rendered from these same structs.

use super::events::{Collection, Sku};
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// A product as a shopper sees it on a storefront card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    /// The product's SKU.
    pub sku: Sku,
    /// The name shoppers see.
    pub name: String,
    /// The collection it is shown in.
    pub collection: Collection,
    /// One or two sentences about it.
    pub description: String,
    /// What a consumer pays before tax.
    pub price: Money,
    /// Path of its picture under the site root.
    pub image: String,
}

/// Which products the storefront should list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorefrontQuery {
    /// Only this collection, or every listed product when absent.
    pub collection: Option<Collection>,
}

/// A base price change as Category Management's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceChange {
    /// The product.
    pub sku: Sku,
    /// The price before.
    pub from: Money,
    /// The price after.
    pub to: Money,
    /// Why it changed.
    pub reason: String,
    /// When (UTC, RFC 3339).
    pub changed_at: String,
}

/// What the "change a base price" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasePriceForm {
    /// The product's SKU.
    pub sku: String,
    /// The new base price as typed, e.g. `30.00`, in the product's currency.
    pub price: String,
    /// Why.
    pub reason: String,
}

/// What the "delist" and "relist" forms send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingForm {
    /// The product's SKU.
    pub sku: String,
    /// Why (required to delist; not asked when relisting).
    #[serde(default)]
    pub reason: String,
}
