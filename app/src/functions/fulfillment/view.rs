//! How Fulfillment's figures are shown to shoppers and staff.

use serde::{Deserialize, Serialize};

/// At or below this many units available, a product page says stock is low.
pub const LOW_STOCK_UNITS: i64 = 5;

/// Whether a product can be sent from the shelves, as its page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stock", rename_all = "snake_case")]
pub enum Availability {
    /// More than [`LOW_STOCK_UNITS`] units are on the shelves.
    InStock {
        /// Units available.
        units: i64,
    },
    /// A few units are left.
    LowStock {
        /// Units available.
        units: i64,
    },
    /// Every counted unit is ordered: new orders are made to order.
    OutOfStock,
    /// Nobody has counted the product yet.
    NotCounted,
}

impl Availability {
    /// The availability of `units` (the last count less the units ordered
    /// since; below zero when more was ordered than counted).
    pub fn of_units(units: i64) -> Self {
        match units {
            units if units > LOW_STOCK_UNITS => Availability::InStock { units },
            units if units > 0 => Availability::LowStock { units },
            _ => Availability::OutOfStock,
        }
    }

    /// What a shopper reads, e.g. "In stock: 24 ready to send".
    pub fn label(self) -> String {
        match self {
            Availability::InStock { units } => format!("In stock: {units} ready to send"),
            Availability::LowStock { units } => format!("Only {units} left on the shelf"),
            Availability::OutOfStock => {
                "Out of stock: made to order, ships in about three weeks".to_owned()
            }
            Availability::NotCounted => "Made in small batches: ask us about stock".to_owned(),
        }
    }

    /// A stable key for pages and tests (`data-stock`).
    pub fn key(self) -> &'static str {
        match self {
            Availability::InStock { .. } => "in-stock",
            Availability::LowStock { .. } => "low-stock",
            Availability::OutOfStock => "out-of-stock",
            Availability::NotCounted => "not-counted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_is_low_at_five_units_and_out_at_none_or_fewer() {
        assert_eq!(
            Availability::of_units(6),
            Availability::InStock { units: 6 }
        );
        assert_eq!(
            Availability::of_units(5),
            Availability::LowStock { units: 5 }
        );
        assert_eq!(
            Availability::of_units(1),
            Availability::LowStock { units: 1 }
        );
        assert_eq!(Availability::of_units(0), Availability::OutOfStock);
        assert_eq!(Availability::of_units(-3), Availability::OutOfStock);
    }
}
