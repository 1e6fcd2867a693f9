//! The `stock_counts` table (the `STOCK` projector), derived from
//! Fulfillment's events, and the availability read from it.

use super::events::FulfillmentEvent;
use super::view::Availability;
use crate::functions::category::events::Sku;
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Projector, Row, Value, decode, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;

/// The stock projection: the latest count of each product.
pub const STOCK: Projector = Projector {
    name: "stock",
    function: BusinessFunction::Fulfillment,
    handles: &["StockCounted"],
    tables: &["stock_counts"],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

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
/// or [`Availability::NotCounted`]. One query for all of them.
pub async fn availability(
    store: &EventStore,
    skus: &[Sku],
) -> Result<Vec<(Sku, Availability)>, StoreError> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let counted = read_levels(store, Some(skus)).await?;
    Ok(skus
        .iter()
        .map(|sku| {
            let stock = counted
                .iter()
                .find(|level| level.sku == *sku)
                .map_or(Availability::NotCounted, StockLevel::availability);
            (sku.clone(), stock)
        })
        .collect())
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

impl StockSummary {
    /// The products' stock, added up.
    pub fn of(levels: &[StockLevel]) -> Self {
        let mut summary = StockSummary::default();
        for level in levels {
            summary.counted += 1;
            summary.available += level.available();
            match level.availability() {
                Availability::LowStock { .. } => summary.low += 1,
                Availability::OutOfStock => summary.out += 1,
                _ => {}
            }
        }
        summary
    }
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
    /// Units available to sell: the count less what was ordered since,
    /// never below zero.
    pub fn available(&self) -> i64 {
        (self.on_hand - self.ordered_since).max(0)
    }

    /// Whether it can be sent from stock.
    pub fn availability(&self) -> Availability {
        Availability::of_units(self.on_hand - self.ordered_since)
    }
}

/// Every counted product's stock, by SKU.
pub async fn stock_levels(store: &EventStore) -> Result<Vec<StockLevel>, StoreError> {
    read_levels(store, None).await
}

/// The stock of the counted products among `skus` (of every counted
/// product when `None`), by SKU.
async fn read_levels(
    store: &EventStore,
    skus: Option<&[Sku]>,
) -> Result<Vec<StockLevel>, StoreError> {
    // The SKUs go in as one JSON array parameter, unpacked by each
    // engine's own JSON function, so the statement is the same for any
    // number of them. A SKU is upper-case letters, digits and dashes only,
    // so quoting it is all the encoding it needs.
    let wanted = skus.map(|skus| {
        format!(
            "[{}]",
            skus.iter()
                .map(|sku| format!("\"{sku}\""))
                .collect::<Vec<_>>()
                .join(",")
        )
    });
    const LEVELS: crate::store::backend::PerBackend<&str> = crate::store::backend::PerBackend {
        sqlite: "SELECT c.sku, c.on_hand, c.counted_at,
                        CAST(COALESCE((SELECT SUM(l.quantity) FROM order_lines l
                              WHERE l.sku = c.sku AND l.placed_position > c.counted_position), 0) AS BIGINT)
                 FROM stock_counts c
                 WHERE $1 IS NULL OR c.sku IN (SELECT value FROM json_each($1))
                 ORDER BY c.sku",
        postgres: "SELECT c.sku, c.on_hand, c.counted_at,
                          CAST(COALESCE((SELECT SUM(l.quantity) FROM order_lines l
                                WHERE l.sku = c.sku AND l.placed_position > c.counted_position), 0) AS BIGINT)
                   FROM stock_counts c
                   WHERE CAST($1 AS TEXT) IS NULL
                      OR c.sku IN (SELECT jsonb_array_elements_text(CAST($1 AS TEXT)::jsonb))
                   ORDER BY c.sku",
    };
    let statement = LEVELS.get(store.backend());
    let rows: Vec<(String, i64, String, i64)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(statement)
            .bind(wanted.as_deref())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::load_demo_business;
    use crate::testing::store_tests;

    fn sku(text: &str) -> Sku {
        Sku::parse(text).expect("valid SKU")
    }

    store_tests! {
        async fn a_familys_stock_is_read_in_one_go_and_an_uncounted_product_says_so(store) {
            load_demo_business(&store).await.expect("demo");
            let stock = availability(
                &store,
                &[sku("MUG-SPECKLE-12"), sku("MUG-SPECKLE-12-SLT"), sku("MUG-NEVER-1")],
            )
            .await
            .expect("stock");
            assert_eq!(
                stock,
                vec![
                    (sku("MUG-SPECKLE-12"), Availability::InStock { units: 40 }),
                    (sku("MUG-SPECKLE-12-SLT"), Availability::LowStock { units: 4 }),
                    (sku("MUG-NEVER-1"), Availability::NotCounted),
                ]
            );
            assert_eq!(availability(&store, &[]).await.expect("none"), vec![]);
            // Without a filter: every counted product, added up.
            let levels = stock_levels(&store).await.expect("levels");
            assert_eq!(levels.len(), crate::demo::DEMO_CATALOG_SKUS);
            let summary = StockSummary::of(&levels);
            assert_eq!((summary.low, summary.out), (2, 1));
        }
    }
}
