//! Dealers' promotional prices (one stream per dealer company's
//! promotions): offered below the base price, replaced, withdrawn.

use crate::functions::category::events::Sku;
use crate::functions::customers::events::CustomerEvent;
use kiln_core::identity::CompanyId;
use kiln_core::money::Money;

/// A request about a dealer company's promotional prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromotionCommand {
    /// Offer the company a promotional price for a product.
    Offer {
        /// The dealer company (the service checks it exists).
        company: CompanyId,
        /// Its name.
        company_name: String,
        /// The product (the service checks it is listed).
        sku: Sku,
        /// The product's base price today: a promotion must be below it.
        base_price: Money,
        /// The promotional unit price.
        price: Money,
        /// Why.
        note: String,
    },
    /// End the company's promotional price for a product.
    Withdraw {
        /// The dealer company.
        company: CompanyId,
        /// The product.
        sku: Sku,
    },
}

/// The longest note on a promotional price, in characters.
pub const MAX_PROMOTION_NOTE_CHARS: usize = 500;

/// A dealer company's promotional prices in force, folded from its
/// promotions stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromotionState {
    /// The promotional price of each product that has one.
    pub active: std::collections::HashMap<Sku, Money>,
}

impl PromotionState {
    /// Folds the company's promotion events, oldest first.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a CustomerEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            match event {
                CustomerEvent::DealerPromotionOffered(offered) => {
                    state.active.insert(offered.sku.clone(), offered.price);
                }
                CustomerEvent::DealerPromotionWithdrawn(withdrawn) => {
                    state.active.remove(&withdrawn.sku);
                }
                _ => {}
            }
        }
        state
    }
}

/// A promotion rule that refused a command; shown verbatim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromotionError {
    /// A promotional price is a price.
    #[error("a promotional price is above zero, not {price}")]
    NotPositive {
        /// The refused price.
        price: Money,
    },
    /// A promotion is a discount on the storefront's price.
    #[error("a promotional price for {sku} must be below its base price of {base_price}")]
    NotBelowBase {
        /// The product.
        sku: Sku,
        /// Its base price.
        base_price: Money,
    },
    /// Prices stay in the product's currency.
    #[error("{sku} is priced in {currency}: give the promotional price in {currency} too")]
    OtherCurrency {
        /// The product.
        sku: Sku,
        /// Its currency.
        currency: &'static str,
    },
    /// Offering the price the company already has changes nothing.
    #[error("{company_name} already has {price} for {sku}")]
    Unchanged {
        /// The company's name.
        company_name: String,
        /// The product.
        sku: Sku,
        /// Its promotional price.
        price: Money,
    },
    /// A note longer than anyone would read.
    #[error("the note may have at most {max} characters")]
    NoteTooLong {
        /// The limit.
        max: usize,
    },
    /// Only a promotion in force can be withdrawn.
    #[error("there is no promotional price for {sku} to withdraw")]
    NoPromotion {
        /// The product.
        sku: Sku,
    },
}

/// Decides a promotion command against the company's promotions.
pub fn decide_promotion(
    state: &PromotionState,
    command: PromotionCommand,
) -> Result<Vec<CustomerEvent>, PromotionError> {
    match command {
        PromotionCommand::Offer {
            company,
            company_name,
            sku,
            base_price,
            price,
            note,
        } => {
            if price.currency != base_price.currency {
                return Err(PromotionError::OtherCurrency {
                    sku,
                    currency: base_price.currency.code(),
                });
            }
            if !price.is_positive() {
                return Err(PromotionError::NotPositive { price });
            }
            if price.minor_units >= base_price.minor_units {
                return Err(PromotionError::NotBelowBase { sku, base_price });
            }
            let note = note.trim();
            if note.chars().count() > MAX_PROMOTION_NOTE_CHARS {
                return Err(PromotionError::NoteTooLong {
                    max: MAX_PROMOTION_NOTE_CHARS,
                });
            }
            if state.active.get(&sku) == Some(&price) {
                return Err(PromotionError::Unchanged {
                    company_name,
                    sku,
                    price,
                });
            }
            Ok(vec![CustomerEvent::DealerPromotionOffered(
                crate::functions::customers::events::DealerPromotionOffered {
                    company,
                    company_name,
                    sku,
                    price,
                    note: note.to_owned(),
                },
            )])
        }
        PromotionCommand::Withdraw { company, sku } => {
            if !state.active.contains_key(&sku) {
                return Err(PromotionError::NoPromotion { sku });
            }
            Ok(vec![CustomerEvent::DealerPromotionWithdrawn(
                crate::functions::customers::events::DealerPromotionWithdrawn { company, sku },
            )])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::money::Currency;

    fn sku(text: &str) -> Sku {
        Sku::parse(text).expect("test SKU is valid")
    }

    fn usd(minor_units: i64) -> Money {
        Money::new(minor_units, Currency::Usd)
    }

    fn offer(price: Money, note: &str) -> PromotionCommand {
        PromotionCommand::Offer {
            company: CompanyId::parse("dlr-0102030405060708").expect("valid company id"),
            company_name: "Clay & Cup Café".into(),
            sku: sku("MUG-SPECKLE-12"),
            base_price: usd(2800),
            price,
            note: note.into(),
        }
    }

    #[test]
    fn a_promotion_offered_replaces_the_last_and_is_withdrawn_once() {
        let mut history =
            decide_promotion(&PromotionState::default(), offer(usd(1500), " Launch "))
                .expect("offered");
        assert!(matches!(
            &history[..],
            [CustomerEvent::DealerPromotionOffered(offered)] if offered.note == "Launch"
        ));
        history.extend(
            decide_promotion(&PromotionState::from_events(&history), offer(usd(1400), ""))
                .expect("a new price replaces the last"),
        );
        let state = PromotionState::from_events(&history);
        assert_eq!(state.active.get(&sku("MUG-SPECKLE-12")), Some(&usd(1400)));
        let company = CompanyId::parse("dlr-0102030405060708").expect("valid company id");
        let withdraw = || PromotionCommand::Withdraw {
            company: company.clone(),
            sku: sku("MUG-SPECKLE-12"),
        };
        history.extend(decide_promotion(&state, withdraw()).expect("withdrawn"));
        assert_eq!(
            decide_promotion(&PromotionState::from_events(&history), withdraw()),
            Err(PromotionError::NoPromotion {
                sku: sku("MUG-SPECKLE-12")
            })
        );
    }

    #[test]
    fn a_promotion_that_is_free_not_a_discount_foreign_repeated_or_long_winded_is_refused() {
        let offered =
            decide_promotion(&PromotionState::default(), offer(usd(1500), "")).expect("offered");
        let state = PromotionState::from_events(&offered);
        for (command, refusal) in [
            (
                offer(usd(0), ""),
                "a promotional price is above zero, not $0.00",
            ),
            (
                offer(usd(-100), ""),
                "a promotional price is above zero, not -$1.00",
            ),
            (
                offer(usd(2800), ""),
                "a promotional price for MUG-SPECKLE-12 must be below its base price of $28.00",
            ),
            (
                offer(Money::new(1500, Currency::Eur), ""),
                "MUG-SPECKLE-12 is priced in USD: give the promotional price in USD too",
            ),
            (
                offer(usd(1500), ""),
                "Clay & Cup Café already has $15.00 for MUG-SPECKLE-12",
            ),
            (
                offer(usd(1200), &"x".repeat(1_000_000)),
                "the note may have at most 500 characters",
            ),
        ] {
            assert_eq!(
                decide_promotion(&state, command)
                    .expect_err("refused")
                    .to_string(),
                refusal
            );
        }
    }
}
