//! Fulfillment's commands and the pure rules that decide them.

use super::events::{FulfillmentEvent, StockCounted};
use crate::functions::category::events::Sku;

/// The most units of one product a count may report: more than a
/// workshop's shelves hold, so a larger figure is a typing mistake.
pub const MAX_ON_HAND: i64 = 1_000_000;

/// A request to Fulfillment, from a person or an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FulfillmentCommand {
    /// Record a count of a product's finished units.
    RecordStockCount {
        /// The product counted (the service checks it is in the catalog).
        sku: Sku,
        /// Units on hand, as counted.
        on_hand: i64,
    },
}

/// A Fulfillment rule that refused a command; shown verbatim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FulfillmentError {
    /// A count is a number of units someone could hold.
    #[error("{on_hand} units of {sku} cannot have been counted: give 0 to {max}")]
    CountOutOfRange {
        /// The product.
        sku: Sku,
        /// The refused count.
        on_hand: i64,
        /// The largest count accepted.
        max: i64,
    },
    /// Stock is only counted for products in the catalog.
    #[error("there is no product {sku} in the catalog")]
    NoSuchProduct {
        /// The SKU asked for.
        sku: Sku,
    },
}

/// Decides a Fulfillment command. A count needs no history: each one
/// replaces the last.
pub fn decide(command: FulfillmentCommand) -> Result<Vec<FulfillmentEvent>, FulfillmentError> {
    match command {
        FulfillmentCommand::RecordStockCount { sku, on_hand } => {
            let Some(counted) = u32::try_from(on_hand)
                .ok()
                .filter(|_| on_hand <= MAX_ON_HAND)
            else {
                return Err(FulfillmentError::CountOutOfRange {
                    sku,
                    on_hand,
                    max: MAX_ON_HAND,
                });
            };
            Ok(vec![FulfillmentEvent::StockCounted(StockCounted {
                sku,
                on_hand: counted,
            })])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(on_hand: i64) -> FulfillmentCommand {
        FulfillmentCommand::RecordStockCount {
            sku: Sku::parse("MUG-SPECKLE-12").expect("valid SKU"),
            on_hand,
        }
    }

    #[test]
    fn a_count_records_the_units_on_hand_including_none() {
        for on_hand in [0, 24, MAX_ON_HAND] {
            assert!(matches!(
                &decide(count(on_hand)).expect("accepted")[..],
                [FulfillmentEvent::StockCounted(StockCounted { on_hand: counted, .. })]
                    if i64::from(*counted) == on_hand
            ));
        }
    }

    #[test]
    fn a_negative_or_impossible_count_is_refused() {
        assert_eq!(
            decide(count(-1)).expect_err("refused").to_string(),
            "-1 units of MUG-SPECKLE-12 cannot have been counted: give 0 to 1000000"
        );
        assert!(decide(count(MAX_ON_HAND + 1)).is_err());
        assert!(decide(count(i64::MAX)).is_err());
    }
}
