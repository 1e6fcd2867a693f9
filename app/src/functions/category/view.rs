//! The view models Category Management's data is shown through. The HTML
//! pages and the JSON answers are rendered from these same structs.

use super::events::{Collection, Sku, Variant};
use kiln_core::money::Money;
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
    /// The family it is an option of, if it comes in several.
    pub variant: Option<Variant>,
}

impl ProductCard {
    /// The name with the option, e.g. "Speckled Morning Mug, Slate glaze":
    /// what carts, orders and price lists call it.
    pub fn title(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{}, {}", self.name, variant.option),
            None => self.name.clone(),
        }
    }
}

/// A card on the storefront's listings: one per product, standing for
/// every listed option of its family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopCard {
    /// The option the card links to (the first in the listing's order).
    pub product: ProductCard,
    /// How many listed options the family has (1 without a family).
    pub options: usize,
    /// The cheapest option's price.
    pub from_price: kiln_core::money::Money,
    /// Whether the options differ in price (the card then says "from").
    pub price_varies: bool,
}

impl ShopCard {
    /// Folds listed products, in the listing's order, into one card per
    /// family (at its first option's place) and one per other product.
    pub fn group(products: Vec<ProductCard>) -> Vec<ShopCard> {
        let mut cards: Vec<ShopCard> = Vec::with_capacity(products.len());
        for product in products {
            let family = product
                .variant
                .as_ref()
                .map(|variant| variant.family.clone());
            let earlier = family.as_ref().and_then(|family| {
                cards.iter_mut().find(|card| {
                    card.product.variant.as_ref().map(|variant| &variant.family) == Some(family)
                })
            });
            match earlier {
                Some(card) => {
                    card.options += 1;
                    card.price_varies |= product.price != card.from_price;
                    if product.price.minor_units < card.from_price.minor_units {
                        card.from_price = product.price;
                    }
                }
                None => cards.push(ShopCard {
                    from_price: product.price,
                    options: 1,
                    price_varies: false,
                    product,
                }),
            }
        }
        cards
    }
}

/// A product as Category Management's page lists it: listed or not, and
/// what it costs to make (never shown on the storefront).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// The product as its card shows it.
    pub product: ProductCard,
    /// Whether it is on sale.
    pub listed: bool,
    /// What one unit costs to make, if costed.
    pub unit_cost: Option<kiln_core::money::Money>,
}

/// A market price note as Category Management's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketNote {
    /// The product it is about.
    pub sku: Sku,
    /// Where the price was seen or who said it.
    pub source: String,
    /// The price seen, if any.
    pub their_price: Option<kiln_core::money::Money>,
    /// What was noticed.
    pub note: String,
    /// When (UTC, RFC 3339).
    pub noted_at: String,
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

/// What the "reverse" form on a decision carried out automatically sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReversalForm {
    /// The decision's id.
    pub decision: String,
    /// Why it is reversed.
    pub comment: String,
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

/// What an agent sends to propose a new base price for a person to
/// approve (`POST /api/category/proposals/price`): every field as sent,
/// read and checked by the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceProposalForm {
    /// The product's SKU.
    pub sku: String,
    /// The proposed base price, e.g. `30.00`, in the product's currency.
    pub price: String,
    /// What should be done and why, in a sentence.
    pub summary: String,
    /// The reasoning at more length.
    #[serde(default)]
    pub reasoning: String,
    /// `low`, `medium` or `high`.
    pub risk: String,
    /// Slugs of the other functions whose agents took part, e.g. `promotions`.
    #[serde(default)]
    pub agents_involved: Vec<String>,
    /// The data considered, each with a link on this site.
    #[serde(default)]
    pub data_considered: Vec<kiln_core::decision::DataReference>,
}

/// What a decision card's approve and reject forms send; the same for
/// every function's decisions.
pub use crate::functions::view::DecisionVerdictForm;

/// What the "introduce a product" and "edit a product" forms send: every
/// field as typed, read and checked by the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    /// The product's SKU (new, or the one edited).
    pub sku: String,
    /// The name shoppers see.
    pub name: String,
    /// The collection's slug, e.g. `mugs`.
    pub collection: String,
    /// One or two sentences.
    pub description: String,
    /// The base price as typed (introducing only; a price changes through
    /// its own form, with a reason).
    #[serde(default)]
    pub price: String,
    /// The unit cost as typed, or empty when not costed.
    #[serde(default)]
    pub unit_cost: String,
    /// Path of the picture under the site root.
    pub image: String,
    /// The family key, or empty for a product without options.
    #[serde(default)]
    pub family: String,
    /// The option within the family, e.g. "Slate glaze".
    #[serde(default)]
    pub option: String,
}

/// What the "note a market price" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketNoteForm {
    /// The product's SKU.
    pub sku: String,
    /// Where the price was seen or who said it.
    pub source: String,
    /// The price seen as typed, or empty.
    #[serde(default)]
    pub their_price: String,
    /// What was noticed.
    pub note: String,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::category::events::FamilyKey;
    use kiln_core::money::{Currency, Money};

    fn card(sku: &str, family: Option<&str>, cents: i64) -> ProductCard {
        ProductCard {
            sku: Sku::parse(sku).expect("valid SKU"),
            name: "Mug".into(),
            collection: Collection::Mugs,
            description: String::new(),
            price: Money::new(cents, Currency::Usd),
            image: "/products/mug.svg".into(),
            variant: family.map(|family| Variant {
                family: FamilyKey::parse(family).expect("valid family"),
                option: sku.into(),
            }),
        }
    }

    #[test]
    fn a_family_shows_as_one_card_at_its_first_option_from_its_cheapest_price() {
        let cards = ShopCard::group(vec![
            card("MUG-OAT", Some("speckled-mug"), 2800),
            card("JUG-1", None, 4400),
            card("MUG-SLATE", Some("speckled-mug"), 2600),
            card("BOWL-1", None, 3000),
        ]);
        assert!(cards[0].price_varies && !cards[1].price_varies);
        let shown: Vec<(&str, usize, i64)> = cards
            .iter()
            .map(|card| {
                (
                    card.product.sku.as_str(),
                    card.options,
                    card.from_price.minor_units,
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("MUG-OAT", 2, 2600),
                ("JUG-1", 1, 4400),
                ("BOWL-1", 1, 3000)
            ]
        );
    }

    #[test]
    fn an_option_is_titled_with_its_family_name_and_option() {
        assert_eq!(
            card("MUG-SLATE", Some("speckled-mug"), 2600).title(),
            "Mug, MUG-SLATE"
        );
        assert_eq!(card("JUG-1", None, 4400).title(), "Mug");
    }
}
