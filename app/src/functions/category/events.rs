//! What Category Management records in the event log.

use kiln_core::decision::{DecisionVerdict, Proposal};
use kiln_core::event::StreamId;
use kiln_core::money::Money;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Every event Category Management posts. The variant name is the event's
/// stable type name in the log; its fields are the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data")]
pub enum CategoryEvent {
    /// A product joined the catalog and is listed for sale at its base price.
    ProductIntroduced(ProductIntroduced),
    /// A person changed a product's base price, saying why. Orders placed
    /// before keep the price they were charged; later ones use the new one.
    BasePriceChanged(BasePriceChanged),
    /// A product was taken off sale: the storefront and the trade portal
    /// stop showing it and no new order may contain it. Its history stays.
    ProductDelisted(ProductDelisted),
    /// A delisted product was put back on sale at its current base price.
    ProductRelisted(ProductRelisted),
    /// A person changed how a product is described, grouped or costed. Its
    /// SKU, base price and listing stay as they were; orders placed before
    /// keep the name they were placed with.
    ProductRevised(ProductRevised),
    /// A person noted what the market charges for something like this
    /// product (a competitor's price, what buyers said), for pricing
    /// decisions. Nothing about the product changes.
    MarketPriceNoted(MarketPriceNoted),
    /// An agent (or a person) proposed changing a product's base price.
    /// Nothing changes yet: the proposal waits on the Category Management
    /// page for a person who may approve (`category:approve`). A product
    /// has at most one price change waiting.
    PriceChangeProposed(PriceChangeProposed),
    /// A person approved a proposal on this product's stream. What it
    /// proposed is recorded in the same append, right after it (for a
    /// price change, `BasePriceChanged`), with the decision's id in the
    /// metadata of both.
    DecisionApproved(DecisionVerdict),
    /// A person rejected a proposal on this product's stream, saying why.
    /// Nothing changes.
    DecisionRejected(DecisionVerdict),
    /// The function's agent carried out its own proposal without a person,
    /// because the autonomy policy for the decision's kind allowed it. What
    /// it proposed is recorded in the same append, right after it
    /// (`BasePriceChanged`), with the decision's id in the metadata of both.
    DecisionCarriedOutAutomatically(AutomaticDecision),
    /// A person reversed a decision carried out automatically, saying why:
    /// the compensating change is recorded in the same append, right after
    /// it (`BasePriceChanged` back to the price before), with the
    /// decision's id in the metadata of both.
    DecisionReversed(DecisionVerdict),
}

/// Payload of [`CategoryEvent::DecisionCarriedOutAutomatically`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AutomaticDecision {
    /// The decision carried out.
    pub decision: kiln_core::decision::DecisionId,
    /// The autonomy policy that allowed it, as it stood then.
    pub policy: kiln_core::decision::AutonomyPolicy,
    /// The decision's size as the policy measured it, in basis points
    /// (for a price change, the change in percent of the old price).
    pub size_bp: u32,
}

/// Payload of [`CategoryEvent::PriceChangeProposed`]: what every proposal
/// says (its decision id, summary, reasoning, agents involved, data
/// considered and risk), and the change itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PriceChangeProposed {
    /// The decision, as every proposal describes it.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// The product.
    pub sku: Sku,
    /// Its base price when the proposal was made: approving it later
    /// checks the price is still this.
    pub from: Money,
    /// The base price proposed (same currency).
    pub to: Money,
}

/// Payload of [`CategoryEvent::ProductRevised`]: the product's details as
/// they are from now on, every one of them (not only those that changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ProductRevised {
    /// The product.
    pub sku: Sku,
    /// The name shoppers see.
    pub name: String,
    /// The storefront collection it is shown in.
    pub collection: Collection,
    /// One or two sentences for the product card.
    pub description: String,
    /// Path of its picture under the site root.
    pub image: String,
    /// The family it is an option of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
    /// What one unit costs to make, if costed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<Money>,
}

/// Payload of [`CategoryEvent::MarketPriceNoted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MarketPriceNoted {
    /// The product the note is about.
    pub sku: Sku,
    /// Where the price was seen or who said it, e.g. "Hearth & Kiln, Etsy".
    pub source: String,
    /// The price seen there, if the note is about one (same currency as
    /// the product's base price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub their_price: Option<Money>,
    /// What was noticed, e.g. "sells a similar mug in four glazes".
    pub note: String,
}

/// Which family a product is an option of: products of one family are
/// shown on the storefront as one product with a choice (a glaze, a size),
/// each option keeping its own SKU, price and stock.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Variant {
    /// The family's key, shared by all its options, e.g. `speckled-mug`.
    pub family: FamilyKey,
    /// What sets this option apart, as shoppers choose it, e.g. "Oat glaze".
    pub option: String,
}

/// A product family's key: 3 to 40 lower-case letters, digits and inner
/// dashes, e.g. `speckled-mug`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct FamilyKey(String);

/// Why a text is not a valid [`FamilyKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}” is not a family key: use 3 to 40 lower-case letters, digits and inner dashes")]
pub struct InvalidFamilyKey {
    /// The text offered (its first 40 characters).
    pub text: String,
}

impl FamilyKey {
    /// Parses a family key, refusing anything outside its alphabet.
    pub fn parse(text: &str) -> Result<Self, InvalidFamilyKey> {
        let well_formed = (3..=40).contains(&text.len())
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if well_formed {
            Ok(FamilyKey(text.to_owned()))
        } else {
            Err(InvalidFamilyKey {
                text: text.chars().take(40).collect(),
            })
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FamilyKey {
    type Error = InvalidFamilyKey;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        FamilyKey::parse(&text)
    }
}

impl From<FamilyKey> for String {
    fn from(key: FamilyKey) -> Self {
        key.0
    }
}

impl fmt::Display for FamilyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Payload of [`CategoryEvent::BasePriceChanged`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct BasePriceChanged {
    /// The product.
    pub sku: Sku,
    /// The base price until now.
    pub from: Money,
    /// The base price from now on (same currency).
    pub to: Money,
    /// Why, e.g. "clay costs up 12% this year".
    pub reason: String,
}

/// Payload of [`CategoryEvent::ProductDelisted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ProductDelisted {
    /// The product.
    pub sku: Sku,
    /// Why, e.g. "glaze discontinued by the supplier".
    pub reason: String,
}

/// Payload of [`CategoryEvent::ProductRelisted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ProductRelisted {
    /// The product.
    pub sku: Sku,
}

/// Payload of [`CategoryEvent::ProductIntroduced`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ProductIntroduced {
    /// The stock-keeping unit that identifies the product from now on.
    pub sku: Sku,
    /// The name shoppers see.
    pub name: String,
    /// The storefront collection the product is shown in.
    pub collection: Collection,
    /// One or two sentences for the product card.
    pub description: String,
    /// The price a consumer pays before promotions and tax.
    pub base_price: Money,
    /// Path of the product's picture under the site root, e.g. `/products/mug.svg`.
    pub image: String,
    /// The family it is an option of, if it comes in several (glazes,
    /// sizes). Absent in events recorded before variants existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
    /// What one unit costs the workshop to make (clay, glaze, firing,
    /// labour), for margins; absent when nobody has costed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<Money>,
}

/// A stock-keeping unit: 3 to 32 characters of upper-case letters, digits and
/// inner dashes, e.g. `MUG-SPECKLE-12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

/// Why a text is not a valid [`Sku`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}” is not a SKU: use 3 to 32 upper-case letters, digits and inner dashes")]
pub struct InvalidSku {
    /// The text that was offered as a SKU.
    pub text: String,
}

impl Sku {
    /// Parses a SKU, refusing anything outside the documented alphabet.
    pub fn parse(text: &str) -> Result<Self, InvalidSku> {
        let well_formed = (3..=32).contains(&text.len())
            && text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if well_formed {
            Ok(Sku(text.to_owned()))
        } else {
            Err(InvalidSku {
                text: text.to_owned(),
            })
        }
    }

    /// The SKU as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stream of this product in the catalog, e.g.
    /// `product-MUG-SPECKLE-12`: its introduction, prices and listing.
    pub fn product_stream(&self) -> StreamId {
        StreamId::new(format!("product-{self}"))
    }

    /// The stream of this product's stock counts, e.g.
    /// `stock-MUG-SPECKLE-12`: Fulfillment's, apart from the product's
    /// catalog stream, which Category Management owns.
    pub fn stock_stream(&self) -> StreamId {
        StreamId::new(format!("stock-{self}"))
    }
}

impl TryFrom<String> for Sku {
    type Error = InvalidSku;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Sku::parse(&text)
    }
}

impl From<Sku> for String {
    fn from(sku: Sku) -> Self {
        sku.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A storefront collection: how shoppers browse the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Collection {
    /// Mugs and cups.
    Mugs,
    /// Planters and pots.
    Planters,
    /// Plates, bowls and serving ware.
    Tableware,
}

impl Collection {
    /// Every collection, in the order the storefront shows them.
    pub const ALL: [Collection; 3] = [
        Collection::Mugs,
        Collection::Planters,
        Collection::Tableware,
    ];

    /// The URL and database form, e.g. `planters`.
    pub fn slug(self) -> &'static str {
        match self {
            Collection::Mugs => "mugs",
            Collection::Planters => "planters",
            Collection::Tableware => "tableware",
        }
    }

    /// The name shoppers read, e.g. `Planters`.
    pub fn label(self) -> &'static str {
        match self {
            Collection::Mugs => "Mugs",
            Collection::Planters => "Planters",
            Collection::Tableware => "Tableware",
        }
    }
}

/// Why a text names no [`Collection`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("there is no collection called “{text}”")]
pub struct UnknownCollection {
    /// The text that was offered as a collection.
    pub text: String,
}

impl FromStr for Collection {
    type Err = UnknownCollection;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Collection::ALL
            .into_iter()
            .find(|collection| collection.slug() == text)
            .ok_or_else(|| UnknownCollection {
                text: text.to_owned(),
            })
    }
}

kiln_core::event::tagged_events!(
    CategoryEvent,
    Category,
    schema 1,
    [
        ProductIntroduced,
        BasePriceChanged,
        ProductDelisted,
        ProductRelisted,
        ProductRevised,
        MarketPriceNoted,
        PriceChangeProposed,
        DecisionApproved,
        DecisionRejected,
        DecisionCarriedOutAutomatically,
        DecisionReversed,
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sku_of_capitals_digits_and_inner_dashes_parses() {
        assert_eq!(
            Sku::parse("MUG-SPECKLE-12").map(|s| s.to_string()),
            Ok("MUG-SPECKLE-12".into())
        );
    }

    #[test]
    fn lower_case_short_or_dash_edged_skus_are_refused() {
        for bad in ["mug-1", "AB", "-MUG", "MUG-", "MUG 1", ""] {
            assert!(Sku::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_sku_in_a_payload_is_validated_when_read() {
        let parsed: Result<Sku, _> = serde_json::from_str("\"not a sku\"");
        assert!(parsed.is_err());
    }

    #[test]
    fn a_family_key_is_lower_case_and_a_capitalised_one_is_refused() {
        assert!(FamilyKey::parse("speckled-mug").is_ok());
        for bad in ["Speckled-Mug", "ab", "-mug", "mug-", "mug mug", ""] {
            assert!(FamilyKey::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn collections_parse_from_their_slug_only() {
        assert_eq!("planters".parse(), Ok(Collection::Planters));
        assert!("Planters".parse::<Collection>().is_err());
    }
}
