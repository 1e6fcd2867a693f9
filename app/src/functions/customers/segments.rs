//! Customer segments: consumers by recency, frequency and value (RFM),
//! dealers by how lately and how often they order (their health). Worked
//! out from the orders by pure functions, given the time to measure from,
//! so the rules are tested without a database or a clock.

use chrono::{DateTime, Utc};
use kiln_core::money::Money;
use std::collections::HashMap;

/// One order as segmentation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    /// Whether a dealer company placed it (else a consumer, signed in or not).
    pub by_dealer: bool,
    /// Whose it is: a consumer's email (lower case) or a dealer company's id.
    pub customer: String,
    /// Their name as ordered.
    pub name: String,
    /// When it was placed.
    pub placed_at: DateTime<Utc>,
    /// What it came to.
    pub total: Money,
}

/// A consumer segment, from best to most distant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConsumerSegment {
    /// Three orders or more, the last within 60 days.
    Champion,
    /// Two orders or more, the last within 90 days.
    Loyal,
    /// One order, within 30 days.
    New,
    /// One order, 31 to 90 days ago.
    Promising,
    /// Two orders or more, the last over 90 days ago.
    AtRisk,
    /// One order, over 90 days ago.
    Lapsed,
}

impl ConsumerSegment {
    /// Every segment, best first.
    pub const ALL: [ConsumerSegment; 6] = [
        ConsumerSegment::Champion,
        ConsumerSegment::Loyal,
        ConsumerSegment::New,
        ConsumerSegment::Promising,
        ConsumerSegment::AtRisk,
        ConsumerSegment::Lapsed,
    ];

    /// The segment of a consumer with `orders` orders, the last one
    /// `days_since_last` days ago.
    pub fn of(orders: usize, days_since_last: i64) -> Self {
        match (orders, days_since_last) {
            (3.., 0..=60) => ConsumerSegment::Champion,
            (2.., 0..=90) => ConsumerSegment::Loyal,
            (2.., _) => ConsumerSegment::AtRisk,
            (_, 0..=30) => ConsumerSegment::New,
            (_, 31..=90) => ConsumerSegment::Promising,
            _ => ConsumerSegment::Lapsed,
        }
    }

    /// Its name on the page.
    pub fn label(self) -> &'static str {
        match self {
            ConsumerSegment::Champion => "Champions",
            ConsumerSegment::Loyal => "Loyal",
            ConsumerSegment::New => "New",
            ConsumerSegment::Promising => "Promising",
            ConsumerSegment::AtRisk => "At risk",
            ConsumerSegment::Lapsed => "Lapsed",
        }
    }

    /// The rule, as the page explains it.
    pub fn rule(self) -> &'static str {
        match self {
            ConsumerSegment::Champion => "3+ orders, last within 60 days",
            ConsumerSegment::Loyal => "2+ orders, last within 90 days",
            ConsumerSegment::New => "1 order, within 30 days",
            ConsumerSegment::Promising => "1 order, 31 to 90 days ago",
            ConsumerSegment::AtRisk => "2+ orders, last over 90 days ago",
            ConsumerSegment::Lapsed => "1 order, over 90 days ago",
        }
    }
}

/// A dealer company's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DealerHealth {
    /// Ordered within the last 30 days.
    Active,
    /// Last ordered 31 to 90 days ago.
    Quiet,
    /// Has not ordered for over 90 days, or never has.
    AtRisk,
}

impl DealerHealth {
    /// The health of a company that last ordered `days_since_last` days
    /// ago (`None`: never).
    pub fn of(days_since_last: Option<i64>) -> Self {
        match days_since_last {
            Some(0..=30) => DealerHealth::Active,
            Some(31..=90) => DealerHealth::Quiet,
            _ => DealerHealth::AtRisk,
        }
    }

    /// Its name on the page.
    pub fn label(self) -> &'static str {
        match self {
            DealerHealth::Active => "Active",
            DealerHealth::Quiet => "Quiet",
            DealerHealth::AtRisk => "At risk",
        }
    }
}

/// One customer's orders summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSummary {
    /// Email or company id.
    pub customer: String,
    /// Their name on their latest order.
    pub name: String,
    /// How many orders.
    pub orders: usize,
    /// What they came to (in the first order's currency; orders in other
    /// currencies are counted but not added).
    pub spent: Money,
    /// When the latest was placed.
    pub last_order: DateTime<Utc>,
    /// Whole days from the latest order to `now`.
    pub days_since_last: i64,
}

/// Each customer's orders summed, as of `now`, the biggest spender first.
pub fn summarise(orders: &[PlacedOrder], now: DateTime<Utc>) -> Vec<CustomerSummary> {
    let mut by_customer: HashMap<&str, CustomerSummary> = HashMap::new();
    for order in orders {
        let summary = by_customer
            .entry(order.customer.as_str())
            .or_insert_with(|| CustomerSummary {
                customer: order.customer.clone(),
                name: order.name.clone(),
                orders: 0,
                spent: Money::new(0, order.total.currency),
                last_order: order.placed_at,
                days_since_last: 0,
            });
        summary.orders += 1;
        if order.total.currency == summary.spent.currency {
            summary.spent.minor_units += order.total.minor_units;
        }
        if order.placed_at >= summary.last_order {
            summary.last_order = order.placed_at;
            summary.name = order.name.clone();
        }
    }
    let mut summaries: Vec<CustomerSummary> = by_customer
        .into_values()
        .map(|mut summary| {
            summary.days_since_last = (now - summary.last_order).num_days().max(0);
            summary
        })
        .collect();
    summaries.sort_by(|a, b| {
        b.spent
            .minor_units
            .cmp(&a.spent.minor_units)
            .then_with(|| a.customer.cmp(&b.customer))
    });
    summaries
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::money::Currency;

    fn at(days_ago: i64) -> DateTime<Utc> {
        now() - chrono::Duration::days(days_ago)
    }

    fn now() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().expect("date")
    }

    fn order(customer: &str, days_ago: i64, cents: i64) -> PlacedOrder {
        PlacedOrder {
            by_dealer: false,
            customer: customer.into(),
            name: customer.to_uppercase(),
            placed_at: at(days_ago),
            total: Money::new(cents, Currency::Usd),
        }
    }

    #[test]
    fn consumers_fall_into_segments_by_how_often_and_how_lately_they_ordered() {
        assert_eq!(ConsumerSegment::of(3, 60), ConsumerSegment::Champion);
        assert_eq!(ConsumerSegment::of(3, 61), ConsumerSegment::Loyal);
        assert_eq!(ConsumerSegment::of(2, 90), ConsumerSegment::Loyal);
        assert_eq!(ConsumerSegment::of(2, 91), ConsumerSegment::AtRisk);
        assert_eq!(ConsumerSegment::of(1, 30), ConsumerSegment::New);
        assert_eq!(ConsumerSegment::of(1, 31), ConsumerSegment::Promising);
        assert_eq!(ConsumerSegment::of(1, 91), ConsumerSegment::Lapsed);
    }

    #[test]
    fn a_dealer_is_active_quiet_or_at_risk_by_its_last_order() {
        assert_eq!(DealerHealth::of(Some(30)), DealerHealth::Active);
        assert_eq!(DealerHealth::of(Some(31)), DealerHealth::Quiet);
        assert_eq!(DealerHealth::of(Some(91)), DealerHealth::AtRisk);
        assert_eq!(DealerHealth::of(None), DealerHealth::AtRisk);
    }

    #[test]
    fn orders_are_summed_per_customer_with_the_latest_name_and_date() {
        let summaries = summarise(
            &[
                order("ada@example.com", 100, 5_000),
                order("tom@example.com", 3, 9_000),
                order("ada@example.com", 10, 6_000),
            ],
            now(),
        );
        assert_eq!(summaries.len(), 2);
        let ada = &summaries[0];
        assert_eq!(
            (
                ada.customer.as_str(),
                ada.orders,
                ada.spent.minor_units,
                ada.days_since_last
            ),
            ("ada@example.com", 2, 11_000, 10)
        );
        assert_eq!(ada.last_order, at(10));
        assert_eq!(summaries[1].days_since_last, 3);
    }
}
