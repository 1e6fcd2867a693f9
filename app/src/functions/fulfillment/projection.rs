//! The `stock_counts` table (the `STOCK` projector), derived from
//! Fulfillment's events, and the availability read from it.

use super::events::FulfillmentEvent;
use super::view::Availability;
use crate::functions::BusinessFunction;
use crate::functions::category::events::Sku;
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Projector, ProjectorFuture, Row, Value, decode, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};

/// The stock projection: the latest count of each product.
pub const STOCK: Projector = Projector {
    name: "stock",
    function: BusinessFunction::Fulfillment,
    handles: &["StockCounted"],
    tables: &["stock_counts"],
    apply: apply_boxed,
};

fn apply_boxed<'a>(
    connection: Connection<'a>,
    events: &'a [&'a RecordedEvent],
) -> ProjectorFuture<'a> {
    Box::pin(apply(connection, events))
}

const COLUMNS: [&str; 4] = ["sku", "on_hand", "counted_at", "counted_position"];

/// Writes each product's latest count, in one upsert per batch; a later
/// count replaces an earlier one, and replaying a count changes nothing.
pub async fn apply(
    connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let counts: Vec<(i64, super::events::StockCounted, String)> =
        decode::<FulfillmentEvent>(events)?
            .into_iter()
            .map(|(event, FulfillmentEvent::StockCounted(counted))| {
                (event.position, counted, event.occurred_at().to_rfc3339())
            })
            .collect();
    let rows: Vec<Row<'_>> = counts
        .iter()
        .map(|(position, counted, at)| Row {
            values: vec![
                Value::Text(counted.sku.as_str()),
                Value::Integer(i64::from(counted.on_hand)),
                Value::Text(at),
                Value::Integer(*position),
            ],
            position: *position,
        })
        .collect();
    upsert_rows(connection, "stock_counts", "sku", &COLUMNS, &rows).await
}

/// What each of `skus` has available: its last count less the units
/// ordered since (Customer Management's `order_lines`, by event position),
/// or [`Availability::NotCounted`].
pub async fn availability(
    store: &EventStore,
    skus: &[Sku],
) -> Result<Vec<(Sku, Availability)>, StoreError> {
    let mut found = Vec::with_capacity(skus.len());
    // A product page asks for a family: a handful of SKUs, one query each.
    for sku in skus {
        let units: Option<i64> = per_backend!(store.database(), Database, pool => {
            sqlx::query_scalar(
                "SELECT CAST(c.on_hand - COALESCE((SELECT SUM(l.quantity) FROM order_lines l
                          WHERE l.sku = c.sku AND l.placed_position > c.counted_position), 0) AS BIGINT)
                 FROM stock_counts c WHERE c.sku = $1",
            )
            .bind(sku.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(database(format!("read the stock of {sku}")))?;
        found.push((
            sku.clone(),
            units.map_or(Availability::NotCounted, Availability::of_units),
        ));
    }
    Ok(found)
}

/// The stock on the shelves, added up over every counted product.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StockSummary {
    /// Products counted at least once.
    pub counted: i64,
    /// Units available to sell (counted less ordered since; a product
    /// ordered beyond its count adds nothing).
    pub available: i64,
    /// Products with a few units left (1 to [`super::view::LOW_STOCK_UNITS`]).
    pub low: i64,
    /// Products with none left.
    pub out: i64,
}

/// Every counted product's availability, added up.
pub async fn stock_summary(store: &EventStore) -> Result<StockSummary, StoreError> {
    let available: Vec<i64> = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT CAST(c.on_hand - COALESCE((SELECT SUM(l.quantity) FROM order_lines l
                      WHERE l.sku = c.sku AND l.placed_position > c.counted_position), 0) AS BIGINT)
             FROM stock_counts c",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("add up the stock"))?;
    let mut summary = StockSummary::default();
    for units in available {
        summary.counted += 1;
        summary.available += units.max(0);
        match Availability::of_units(units) {
            Availability::LowStock { .. } => summary.low += 1,
            Availability::OutOfStock => summary.out += 1,
            _ => {}
        }
    }
    Ok(summary)
}

/// One product's stock as Fulfillment's page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    /// The product.
    pub sku: Sku,
    /// Units on hand when last counted.
    pub on_hand: i64,
    /// When (UTC, RFC 3339).
    pub counted_at: String,
    /// Units ordered since the count.
    pub ordered_since: i64,
}

impl StockLevel {
    /// What is available to sell.
    pub fn availability(&self) -> Availability {
        Availability::of_units(self.on_hand - self.ordered_since)
    }
}

/// Every counted product's stock, by SKU.
pub async fn stock_levels(store: &EventStore) -> Result<Vec<StockLevel>, StoreError> {
    let rows: Vec<(String, i64, String, i64)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT c.sku, c.on_hand, c.counted_at,
                    CAST(COALESCE((SELECT SUM(l.quantity) FROM order_lines l
                          WHERE l.sku = c.sku AND l.placed_position > c.counted_position), 0) AS BIGINT)
             FROM stock_counts c ORDER BY c.sku",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the stock levels"))?;
    rows.into_iter()
        .map(|(sku, on_hand, counted_at, ordered_since)| {
            Ok(StockLevel {
                sku: Sku::parse(&sku).map_err(|_| StoreError::Corrupt {
                    what: "SKU",
                    value: sku.clone(),
                })?,
                on_hand,
                counted_at,
                ordered_since,
            })
        })
        .collect()
}
