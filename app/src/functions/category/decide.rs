//! Category Management's commands and the pure rules that decide them.
//!
//! `decide` never touches a database, a clock or the network: it gets the
//! state folded from a product's past events and a command, and answers with
//! the events to record or the rule that refuses the command.

use super::events::{CategoryEvent, Collection, ProductIntroduced, Sku};
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// A request to change the catalog, from a person or an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CategoryCommand {
    /// Add a new product to the catalog and list it for sale.
    IntroduceProduct(IntroduceProduct),
}

/// Input of [`CategoryCommand::IntroduceProduct`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntroduceProduct {
    /// The SKU the product will be known by.
    pub sku: Sku,
    /// The name shoppers see.
    pub name: String,
    /// The storefront collection to show it in.
    pub collection: Collection,
    /// One or two sentences for the product card.
    pub description: String,
    /// The consumer price before promotions and tax.
    pub base_price: Money,
    /// Path of the product's picture under the site root.
    pub image: String,
}

/// What `decide` needs to know about one product, folded from its stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductState {
    /// Whether the product has been introduced already.
    pub introduced: bool,
}

impl ProductState {
    /// Folds a product's past events, oldest first, into its state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a CategoryEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            state.apply(event);
        }
        state
    }

    fn apply(&mut self, event: &CategoryEvent) {
        match event {
            CategoryEvent::ProductIntroduced(_) => self.introduced = true,
        }
    }
}

/// A catalog rule that refused a command. The message is shown verbatim to
/// the person or agent who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    /// SKUs are identities: one can never be introduced twice.
    #[error("product {sku} is already in the catalog")]
    ProductAlreadyIntroduced {
        /// The SKU that is taken.
        sku: Sku,
    },
    /// A product needs a name shoppers can read.
    #[error("product {sku} needs a name")]
    MissingName {
        /// The product without a name.
        sku: Sku,
    },
    /// Nothing is listed for free or for less.
    #[error("product {sku} cannot be listed at {price}: a base price must be above zero")]
    PriceNotPositive {
        /// The product being priced.
        sku: Sku,
        /// The refused price.
        price: Money,
    },
    /// Pictures are served from the site's own files, never hot-linked.
    #[error("product {sku}'s picture “{image}” must be a path on this site starting with /")]
    ImageNotOnSite {
        /// The product whose picture is refused.
        sku: Sku,
        /// The refused picture reference.
        image: String,
    },
}

/// Decides a catalog command against the product's current state.
pub fn decide(
    state: &ProductState,
    command: CategoryCommand,
) -> Result<Vec<CategoryEvent>, CategoryError> {
    match command {
        CategoryCommand::IntroduceProduct(product) => introduce_product(state, product),
    }
}

fn introduce_product(
    state: &ProductState,
    product: IntroduceProduct,
) -> Result<Vec<CategoryEvent>, CategoryError> {
    let sku = product.sku;
    if state.introduced {
        return Err(CategoryError::ProductAlreadyIntroduced { sku });
    }
    let name = product.name.trim();
    if name.is_empty() {
        return Err(CategoryError::MissingName { sku });
    }
    if !product.base_price.is_positive() {
        return Err(CategoryError::PriceNotPositive {
            sku,
            price: product.base_price,
        });
    }
    if !product.image.starts_with('/') || product.image.starts_with("//") {
        return Err(CategoryError::ImageNotOnSite {
            sku,
            image: product.image,
        });
    }
    Ok(vec![CategoryEvent::ProductIntroduced(ProductIntroduced {
        sku,
        name: name.to_owned(),
        collection: product.collection,
        description: product.description.trim().to_owned(),
        base_price: product.base_price,
        image: product.image,
    })])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn sku() -> Sku {
        Sku::parse("MUG-SPECKLE-12").expect("test SKU is valid")
    }

    fn introduce_speckled_mug() -> IntroduceProduct {
        IntroduceProduct {
            sku: sku(),
            name: "Speckled Morning Mug".into(),
            collection: Collection::Mugs,
            description: "Twelve ounces of speckled stoneware.".into(),
            base_price: Money::new(2800, Currency::Usd),
            image: "/products/mug-speckle-12.svg".into(),
        }
    }

    fn given(events: &[CategoryEvent]) -> ProductState {
        ProductState::from_events(events)
    }

    fn when(
        state: ProductState,
        command: IntroduceProduct,
    ) -> Result<Vec<CategoryEvent>, CategoryError> {
        decide(&state, CategoryCommand::IntroduceProduct(command))
    }

    #[test]
    fn a_new_sku_is_introduced_with_its_name_trimmed() {
        let command = IntroduceProduct {
            name: "  Speckled Morning Mug ".into(),
            ..introduce_speckled_mug()
        };
        let events = when(given(&[]), command).expect("a new product is accepted");
        assert_eq!(
            events,
            vec![CategoryEvent::ProductIntroduced(ProductIntroduced {
                sku: sku(),
                name: "Speckled Morning Mug".into(),
                collection: Collection::Mugs,
                description: "Twelve ounces of speckled stoneware.".into(),
                base_price: Money::new(2800, Currency::Usd),
                image: "/products/mug-speckle-12.svg".into(),
            })]
        );
    }

    #[test]
    fn an_introduced_sku_cannot_be_introduced_again() {
        let history = when(given(&[]), introduce_speckled_mug()).expect("first introduction");
        assert_eq!(
            when(given(&history), introduce_speckled_mug()),
            Err(CategoryError::ProductAlreadyIntroduced { sku: sku() })
        );
    }

    #[test]
    fn a_blank_name_is_refused() {
        let command = IntroduceProduct {
            name: "   ".into(),
            ..introduce_speckled_mug()
        };
        assert_eq!(
            when(given(&[]), command),
            Err(CategoryError::MissingName { sku: sku() })
        );
    }

    #[test]
    fn a_zero_price_is_refused_and_named_in_the_message() {
        let command = IntroduceProduct {
            base_price: Money::new(0, Currency::Usd),
            ..introduce_speckled_mug()
        };
        let refusal = when(given(&[]), command).expect_err("zero price is refused");
        assert_eq!(
            refusal.to_string(),
            "product MUG-SPECKLE-12 cannot be listed at $0.00: a base price must be above zero"
        );
    }

    #[test]
    fn a_picture_on_another_site_is_refused() {
        for image in [
            "https://example.com/mug.png",
            "//cdn.example.com/mug.png",
            "mug.png",
        ] {
            let command = IntroduceProduct {
                image: image.into(),
                ..introduce_speckled_mug()
            };
            assert!(
                matches!(
                    when(given(&[]), command),
                    Err(CategoryError::ImageNotOnSite { .. })
                ),
                "{image} was accepted"
            );
        }
    }
}
