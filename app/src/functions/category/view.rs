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

/// Which products the storefront should list, and in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorefrontQuery {
    /// Only this collection, or every listed product when absent.
    pub collection: Option<Collection>,
    /// Only products whose name or description contains these words (as
    /// typed, ignoring case); at most [`MAX_SEARCH_CHARS`] are used.
    #[serde(default)]
    pub search: Option<String>,
    /// The order; collection then name when absent.
    #[serde(default)]
    pub sort: Option<ProductSort>,
}

/// The longest search the storefront uses, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The orders the storefront can list products in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProductSort {
    /// Collection by collection, then by name (the default).
    Featured,
    /// Cheapest first.
    PriceLowToHigh,
    /// Dearest first.
    PriceHighToLow,
    /// By name, A to Z.
    Name,
}

impl ProductSort {
    /// Every order, as the sort menu offers them.
    pub const ALL: [ProductSort; 4] = [
        ProductSort::Featured,
        ProductSort::PriceLowToHigh,
        ProductSort::PriceHighToLow,
        ProductSort::Name,
    ];

    /// The URL form, e.g. `price-low-to-high`.
    pub fn slug(self) -> &'static str {
        match self {
            ProductSort::Featured => "featured",
            ProductSort::PriceLowToHigh => "price-low-to-high",
            ProductSort::PriceHighToLow => "price-high-to-low",
            ProductSort::Name => "name",
        }
    }

    /// The order named `text` in a URL, if any.
    pub fn from_slug(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.slug() == text)
    }

    /// What shoppers read.
    pub fn label(self) -> &'static str {
        match self {
            ProductSort::Featured => "Featured",
            ProductSort::PriceLowToHigh => "Price, low to high",
            ProductSort::PriceHighToLow => "Price, high to low",
            ProductSort::Name => "Name, A to Z",
        }
    }
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
