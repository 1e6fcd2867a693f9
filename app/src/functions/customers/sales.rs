//! The `order_lines` table (the `ORDER_LINES` projector): every line of
//! every order as it was sold, with its revenue and, where the product was
//! costed, its cost. Category Management's product performance and
//! Fulfillment's stock availability are read from it.

use super::events::CustomerEvent;
use crate::functions::category::events::Sku;
use crate::store::backend::Connection;
use crate::store::projections::{Projector, Row, Value, decode, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;
use kiln_core::money::{Currency, Money};

/// The order lines projection: one `order_lines` row per line of each
/// `OrderPlaced`.
pub const ORDER_LINES: Projector = Projector {
    name: "order-lines",
    function: BusinessFunction::Customers,
    handles: &["OrderPlaced"],
    tables: &["order_lines"],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

/// The columns of `order_lines` the projector writes, key first.
const COLUMNS: [&str; 11] = [
    "line_id",
    "order_id",
    "sku",
    "quantity",
    "revenue_minor",
    "cost_minor",
    "currency",
    "channel",
    "placed_at",
    "placed_month",
    "placed_position",
];

/// One line's row, before it borrows into a [`Row`].
struct LineRow {
    line_id: String,
    order_id: String,
    sku: String,
    quantity: i64,
    revenue_minor: i64,
    cost_minor: Option<i64>,
    currency: &'static str,
    channel: &'static str,
    placed_at: String,
    placed_month: String,
    position: i64,
}

/// Writes the lines of `OrderPlaced` events, in one upsert per batch. A
/// line's key is its order and number, and a row remembers its event's
/// position, so replaying an order changes nothing.
pub async fn apply(
    connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let mut lines = Vec::new();
    for (event, decoded) in decode::<CustomerEvent>(events)? {
        let CustomerEvent::OrderPlaced(order) = decoded else {
            continue;
        };
        let placed = event.occurred_at();
        let channel = if order.buyer.company().is_some() {
            "dealer"
        } else {
            "consumer"
        };
        for (number, line) in (1..).zip(&order.lines) {
            let quantity = i64::from(line.quantity);
            lines.push(LineRow {
                line_id: format!("{}:{number}", order.order),
                order_id: order.order.to_string(),
                sku: line.sku.to_string(),
                quantity,
                revenue_minor: line.line_total.minor_units,
                cost_minor: line
                    .unit_cost
                    .and_then(|cost| cost.minor_units.checked_mul(quantity)),
                currency: line.line_total.currency.code(),
                channel,
                placed_at: placed.to_rfc3339(),
                placed_month: placed.format("%Y-%m").to_string(),
                position: event.position,
            });
        }
    }
    let rows: Vec<Row<'_>> = lines
        .iter()
        .map(|line| Row {
            values: vec![
                Value::Text(&line.line_id),
                Value::Text(&line.order_id),
                Value::Text(&line.sku),
                Value::Integer(line.quantity),
                Value::Integer(line.revenue_minor),
                Value::OptionalInteger(line.cost_minor),
                Value::Text(line.currency),
                Value::Text(line.channel),
                Value::Text(&line.placed_at),
                Value::Text(&line.placed_month),
                Value::Integer(line.position),
            ],
            position: line.position,
        })
        .collect();
    upsert_rows(connection, "order_lines", "line_id", &COLUMNS, &rows).await
}

/// What one product sold in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlySales {
    /// The month, `YYYY-MM` (UTC).
    pub month: String,
    /// The product.
    pub sku: Sku,
    /// Units sold.
    pub units: i64,
    /// Revenue before tax.
    pub revenue: Money,
    /// The cost of the units that were costed when sold.
    pub cost: Money,
    /// The revenue of those costed units: margin is this less `cost`.
    pub costed_revenue: Money,
}

/// Units sold per product over the `months` calendar months up to `now`
/// (the current one included), and how many days that window covers (at
/// least 1): the recent sales rate the agents weigh stock against.
pub async fn recent_units_sold(
    store: &EventStore,
    now: chrono::DateTime<chrono::Utc>,
    months: u32,
) -> Result<(std::collections::HashMap<Sku, i64>, i64), StoreError> {
    let months = crate::functions::descriptor::months_ending(now, months);
    let first_month = months.first().map_or("", |month| month.key.as_str());
    let window_start = chrono::NaiveDate::parse_from_str(&format!("{first_month}-01"), "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|start| start.and_utc());
    let days = window_start.map_or(1, |start| (now - start).num_days().max(1));
    let mut units = std::collections::HashMap::new();
    for sales in monthly_sales(store, first_month).await? {
        *units.entry(sales.sku).or_default() += sales.units;
    }
    Ok((units, days))
}

/// Every product's sales per month from `first_month` (`YYYY-MM`) on, by
/// month then SKU.
pub async fn monthly_sales(
    store: &EventStore,
    first_month: &str,
) -> Result<Vec<MonthlySales>, StoreError> {
    let rows: Vec<(String, String, String, i64, i64, i64, i64)> =
        crate::store::backend::per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT placed_month, sku, currency,
                        CAST(SUM(quantity) AS BIGINT), CAST(SUM(revenue_minor) AS BIGINT),
                        CAST(COALESCE(SUM(cost_minor), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN cost_minor IS NULL THEN 0 ELSE revenue_minor END), 0) AS BIGINT)
                 FROM order_lines WHERE placed_month >= $1
                 GROUP BY placed_month, sku, currency ORDER BY placed_month, sku",
            )
            .bind(first_month)
            .fetch_all(pool)
            .await
        })
        .map_err(database("read monthly sales from order_lines"))?;
    rows.into_iter()
        .map(|(month, sku, currency, units, revenue, cost, costed)| {
            let corrupt = |what, value: &str| StoreError::Corrupt {
                what,
                value: value.to_owned(),
            };
            let currency =
                Currency::from_code(&currency).ok_or_else(|| corrupt("currency", &currency))?;
            Ok(MonthlySales {
                month,
                sku: Sku::parse(&sku).map_err(|_| corrupt("SKU", &sku))?,
                units,
                revenue: Money::new(revenue, currency),
                cost: Money::new(cost, currency),
                costed_revenue: Money::new(costed, currency),
            })
        })
        .collect()
}

/// How many units were ordered per month from `first_month` (`YYYY-MM`)
/// on: (month, units), oldest first.
pub async fn units_by_month(
    store: &EventStore,
    first_month: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    crate::store::backend::per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT placed_month, CAST(SUM(quantity) AS BIGINT)
             FROM order_lines WHERE placed_month >= $1
             GROUP BY placed_month ORDER BY placed_month",
        )
        .bind(first_month)
        .fetch_all(pool)
        .await
    })
    .map_err(database("count units ordered per month from order_lines"))
}

/// How many orders each channel (`consumer`, `dealer`) placed per month
/// from `first_month` (`YYYY-MM`) on: (month, channel, orders).
pub async fn orders_by_month(
    store: &EventStore,
    first_month: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    crate::store::backend::per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT placed_month, channel, CAST(COUNT(DISTINCT order_id) AS BIGINT)
             FROM order_lines WHERE placed_month >= $1
             GROUP BY placed_month, channel ORDER BY placed_month, channel",
        )
        .bind(first_month)
        .fetch_all(pool)
        .await
    })
    .map_err(database("count orders per month from order_lines"))
}
