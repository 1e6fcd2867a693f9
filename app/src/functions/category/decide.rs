//! Category Management's commands and the pure rules that decide them.
//!
//! `decide` never touches a database, a clock or the network: it gets the
//! state folded from a product's past events and a command, and answers with
//! the events to record or the rule that refuses the command.

use super::events::{
    BasePriceChanged, CategoryEvent, Collection, ProductDelisted, ProductIntroduced,
    ProductRelisted, Sku,
};
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// A request to change the catalog, from a person or an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CategoryCommand {
    /// Add a new product to the catalog and list it for sale.
    IntroduceProduct(IntroduceProduct),
    /// Change a product's base price, saying why.
    ChangeBasePrice {
        /// The product.
        sku: Sku,
        /// The new base price.
        to: Money,
        /// Why.
        reason: String,
    },
    /// Take a product off sale, saying why.
    Delist {
        /// The product.
        sku: Sku,
        /// Why.
        reason: String,
    },
    /// Put a delisted product back on sale.
    Relist {
        /// The product.
        sku: Sku,
    },
}

impl CategoryCommand {
    /// The product the command is about (its stream).
    pub fn sku(&self) -> &Sku {
        match self {
            CategoryCommand::IntroduceProduct(product) => &product.sku,
            CategoryCommand::ChangeBasePrice { sku, .. }
            | CategoryCommand::Delist { sku, .. }
            | CategoryCommand::Relist { sku } => sku,
        }
    }
}

/// The longest reason accepted for a price change or a delisting, in characters.
pub const MAX_REASON_CHARS: usize = 500;

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
    /// Whether it is on sale (introduced and not delisted since).
    pub listed: bool,
    /// Its base price, once introduced.
    pub base_price: Option<Money>,
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
            CategoryEvent::ProductIntroduced(product) => {
                self.introduced = true;
                self.listed = true;
                self.base_price = Some(product.base_price);
            }
            CategoryEvent::BasePriceChanged(change) => self.base_price = Some(change.to),
            CategoryEvent::ProductDelisted(_) => self.listed = false,
            CategoryEvent::ProductRelisted(_) => self.listed = true,
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
    /// Only a product in the catalog can be priced or listed.
    #[error("there is no product {sku} in the catalog")]
    NoSuchProduct {
        /// The SKU asked for.
        sku: Sku,
    },
    /// A price change must change the price.
    #[error("product {sku} already costs {price}")]
    PriceUnchanged {
        /// The product.
        sku: Sku,
        /// Its price today.
        price: Money,
    },
    /// A base price stays in the currency the product was introduced in.
    #[error("product {sku} is priced in {currency}: give the new price in {currency} too")]
    CurrencyChanged {
        /// The product.
        sku: Sku,
        /// Its currency.
        currency: &'static str,
    },
    /// The new price as typed is not an amount of money.
    #[error("“{text}” is not a price: give it like 28 or 28.50")]
    InvalidPrice {
        /// What was typed (its first 40 characters).
        text: String,
    },
    /// Price changes and delistings say why.
    #[error("say why: the reason is missing")]
    MissingReason,
    /// A reason longer than anyone would read.
    #[error("the reason may have at most {max} characters")]
    ReasonTooLong {
        /// The limit.
        max: usize,
    },
    /// Delisting a product that is off sale already.
    #[error("product {sku} is already delisted")]
    AlreadyDelisted {
        /// The product.
        sku: Sku,
    },
    /// Relisting a product that is on sale.
    #[error("product {sku} is already listed")]
    AlreadyListed {
        /// The product.
        sku: Sku,
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
        CategoryCommand::ChangeBasePrice { sku, to, reason } => {
            let Some(from) = state.base_price.filter(|_| state.introduced) else {
                return Err(CategoryError::NoSuchProduct { sku });
            };
            let reason = checked_reason(&reason)?;
            if to.currency != from.currency {
                return Err(CategoryError::CurrencyChanged {
                    sku,
                    currency: from.currency.code(),
                });
            }
            if !to.is_positive() {
                return Err(CategoryError::PriceNotPositive { sku, price: to });
            }
            if to == from {
                return Err(CategoryError::PriceUnchanged { sku, price: from });
            }
            Ok(vec![CategoryEvent::BasePriceChanged(BasePriceChanged {
                sku,
                from,
                to,
                reason,
            })])
        }
        CategoryCommand::Delist { sku, reason } => {
            if !state.introduced {
                return Err(CategoryError::NoSuchProduct { sku });
            }
            let reason = checked_reason(&reason)?;
            if !state.listed {
                return Err(CategoryError::AlreadyDelisted { sku });
            }
            Ok(vec![CategoryEvent::ProductDelisted(ProductDelisted {
                sku,
                reason,
            })])
        }
        CategoryCommand::Relist { sku } => {
            if !state.introduced {
                return Err(CategoryError::NoSuchProduct { sku });
            }
            if state.listed {
                return Err(CategoryError::AlreadyListed { sku });
            }
            Ok(vec![CategoryEvent::ProductRelisted(ProductRelisted {
                sku,
            })])
        }
    }
}

/// The reason trimmed; refused when blank or too long.
fn checked_reason(reason: &str) -> Result<String, CategoryError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CategoryError::MissingReason);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(CategoryError::ReasonTooLong {
            max: MAX_REASON_CHARS,
        });
    }
    Ok(reason.to_owned())
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

    fn introduced() -> Vec<CategoryEvent> {
        when(given(&[]), introduce_speckled_mug()).expect("introduced")
    }

    fn usd(minor_units: i64) -> Money {
        Money::new(minor_units, Currency::Usd)
    }

    fn change_price(to: Money, reason: &str) -> CategoryCommand {
        CategoryCommand::ChangeBasePrice {
            sku: sku(),
            to,
            reason: reason.into(),
        }
    }

    #[test]
    fn a_base_price_change_records_the_old_and_new_price_and_why() {
        let events = decide(
            &given(&introduced()),
            change_price(usd(3000), "  Clay costs rose 8% "),
        )
        .expect("accepted");
        assert_eq!(
            events,
            vec![CategoryEvent::BasePriceChanged(BasePriceChanged {
                sku: sku(),
                from: usd(2800),
                to: usd(3000),
                reason: "Clay costs rose 8%".into(),
            })]
        );
        // The next change starts from the new price.
        let mut history = introduced();
        history.extend(events);
        assert!(matches!(
            &decide(&given(&history), change_price(usd(2900), "Too dear"))
                .expect("accepted")[..],
            [CategoryEvent::BasePriceChanged(BasePriceChanged { from, .. })] if *from == usd(3000)
        ));
    }

    #[test]
    fn a_price_change_that_is_free_negative_the_same_foreign_unexplained_or_of_nothing_is_refused()
    {
        let history = introduced();
        for (command, refusal) in [
            (
                change_price(usd(0), "Sale"),
                "product MUG-SPECKLE-12 cannot be listed at $0.00: a base price must be above zero",
            ),
            (
                change_price(usd(-500), "Sale"),
                "product MUG-SPECKLE-12 cannot be listed at -$5.00: a base price must be above zero",
            ),
            (
                change_price(usd(2800), "No change"),
                "product MUG-SPECKLE-12 already costs $28.00",
            ),
            (
                change_price(Money::new(2800, Currency::Eur), "Euro"),
                "product MUG-SPECKLE-12 is priced in USD: give the new price in USD too",
            ),
            (
                change_price(usd(3000), "  "),
                "say why: the reason is missing",
            ),
            (
                change_price(usd(3000), &"x".repeat(1_000_000)),
                "the reason may have at most 500 characters",
            ),
        ] {
            assert_eq!(
                decide(&given(&history), command)
                    .expect_err("refused")
                    .to_string(),
                refusal
            );
        }
        assert_eq!(
            decide(&given(&[]), change_price(usd(3000), "New")),
            Err(CategoryError::NoSuchProduct { sku: sku() })
        );
    }

    #[test]
    fn a_product_is_delisted_with_a_reason_once_and_relisted_once() {
        let delist = |reason: &str| CategoryCommand::Delist {
            sku: sku(),
            reason: reason.into(),
        };
        let relist = || CategoryCommand::Relist { sku: sku() };
        let mut history = introduced();
        assert_eq!(
            decide(&given(&history), relist()),
            Err(CategoryError::AlreadyListed { sku: sku() })
        );
        assert_eq!(
            decide(&given(&history), delist("")),
            Err(CategoryError::MissingReason)
        );
        let delisted = decide(&given(&history), delist("Glaze discontinued")).expect("delisted");
        assert_eq!(
            delisted,
            vec![CategoryEvent::ProductDelisted(ProductDelisted {
                sku: sku(),
                reason: "Glaze discontinued".into()
            })]
        );
        history.extend(delisted);
        assert!(!given(&history).listed);
        assert_eq!(
            decide(&given(&history), delist("Again")),
            Err(CategoryError::AlreadyDelisted { sku: sku() })
        );
        history.extend(decide(&given(&history), relist()).expect("relisted"));
        assert!(given(&history).listed);
        assert_eq!(
            decide(&given(&[]), relist()),
            Err(CategoryError::NoSuchProduct { sku: sku() })
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
