//! Orders: one `orders` row per order placed, paid when its card payment
//! is captured, and the lists and totals read from it.
use super::corrupt;

use crate::functions::customers::events::{CustomerEvent, OrderId, PaymentMethod, ShippingOption};
use crate::functions::customers::view::{OrderStatus, OrderSummary, OrderView};
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Projector, Row, Value, decode_one, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::AccountId;
use kiln_core::identity::CompanyId;
use kiln_core::money::{Currency, Money, TaxRate};

/// The orders projection: one `orders` row per `OrderPlaced`.
pub const ORDERS: Projector = Projector {
    name: "orders",
    function: BusinessFunction::Customers,
    handles: &["OrderPlaced", "OrderPaymentCaptured"],
    tables: &["orders"],
    apply: |connection, events| Box::pin(apply_orders(connection, events)),
};

/// What an `orders` row holds that is not a plain payload field.
struct OrderRowText {
    position: i64,
    order: crate::functions::customers::events::OrderPlaced,
    account: String,
    company: String,
    units: i64,
    lines_json: String,
    ship_to_json: String,
    placed_at: String,
}

/// Applies `OrderPlaced` events to `orders` (one upsert for the batch),
/// then `OrderPaymentCaptured` (the order is paid); a row remembers the
/// position of its last event, so replaying one changes nothing.
pub async fn apply_orders(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let mut orders = Vec::with_capacity(events.len());
    let mut paid = Vec::new();
    for event in events {
        let decoded = decode_one::<CustomerEvent>(event)?;
        let order = match decoded {
            CustomerEvent::OrderPlaced(order) => order,
            CustomerEvent::OrderPaymentCaptured(captured) => {
                paid.push((event.position, captured.order));
                continue;
            }
            _ => continue,
        };
        // The payload has just decoded as an OrderPlaced, so these fields exist.
        let payload_field = |name: &str| event.payload[name].to_string();
        orders.push(OrderRowText {
            position: event.position,
            account: order
                .buyer
                .account()
                .map(ToString::to_string)
                .unwrap_or_default(),
            company: order
                .buyer
                .company()
                .map(ToString::to_string)
                .unwrap_or_default(),
            units: order
                .lines
                .iter()
                .map(|line| i64::from(line.quantity))
                .sum(),
            lines_json: payload_field("lines"),
            ship_to_json: payload_field("ship_to"),
            placed_at: event.occurred_at().to_rfc3339(),
            order: *order,
        });
    }
    let rows: Vec<Row<'_>> = orders
        .iter()
        .map(|row| Row {
            values: vec![
                Value::Text(row.order.order.as_str()),
                Value::Text(row.order.buyer.kind()),
                Value::Text(&row.account),
                Value::Text(row.order.buyer.name()),
                Value::Text(row.order.buyer.email().as_str()),
                Value::Text(
                    match row.order.payment {
                        PaymentMethod::BankTransfer => OrderStatus::AwaitingPayment,
                        PaymentMethod::Invoice => OrderStatus::Invoiced,
                    }
                    .as_str(),
                ),
                Value::Integer(row.order.lines.len().try_into().unwrap_or(i64::MAX)),
                Value::Integer(row.units),
                Value::Integer(row.order.subtotal.minor_units),
                Value::Integer(row.order.shipping.minor_units),
                Value::Integer(row.order.tax.minor_units),
                Value::Integer(i64::from(row.order.tax_rate.basis_points)),
                Value::Integer(row.order.total.minor_units),
                Value::Text(row.order.total.currency.code()),
                Value::Text(row.order.shipping_option.as_str()),
                Value::Text(&row.lines_json),
                Value::Text(&row.ship_to_json),
                Value::Text(&row.placed_at),
                Value::Text(&row.company),
                Value::Text(row.order.payment.as_str()),
            ],
            position: row.position,
        })
        .collect();
    upsert_rows(
        connection.reborrow(),
        "orders",
        "order_id",
        &ORDER_COLUMNS,
        &rows,
    )
    .await?;
    // Every payment follows its order's placing, so its row exists by now.
    for (position, order) in paid {
        per_backend!(connection.reborrow(), Connection, c => {
            sqlx::query(
                "UPDATE orders SET status = $1, last_position = $2 \
                 WHERE order_id = $3 AND last_position < $2",
            )
            .bind(OrderStatus::Paid.as_str())
            .bind(position)
            .bind(order.as_str())
            .execute(c)
            .await
            .map(|_| ())
        })
        .map_err(database(format!("mark order {order} paid")))?;
    }
    Ok(())
}

/// The columns of `orders` the projector writes, in `Row` order.
const ORDER_COLUMNS: [&str; 20] = [
    "order_id",
    "buyer_kind",
    "account_id",
    "buyer_name",
    "email",
    "status",
    "line_count",
    "units",
    "subtotal_minor",
    "shipping_minor",
    "tax_minor",
    "tax_rate_basis_points",
    "total_minor",
    "currency",
    "shipping_option",
    "lines_json",
    "ship_to_json",
    "placed_at",
    "company_id",
    "payment_method",
];

/// An `orders` row as read back.
#[derive(sqlx::FromRow)]
struct OrderRow {
    order_id: String,
    buyer_kind: String,
    buyer_name: String,
    status: String,
    units: i64,
    subtotal_minor: i64,
    shipping_minor: i64,
    tax_minor: i64,
    tax_rate_basis_points: i64,
    total_minor: i64,
    currency: String,
    shipping_option: String,
    lines_json: String,
    ship_to_json: String,
    placed_at: String,
    payment_method: String,
}

const ORDER_SELECT: &str = "SELECT order_id, buyer_kind, buyer_name, status, units, subtotal_minor, \
     shipping_minor, tax_minor, tax_rate_basis_points, total_minor, currency, shipping_option, lines_json, \
     ship_to_json, placed_at, payment_method FROM orders";

impl OrderRow {
    fn currency(&self) -> Result<Currency, StoreError> {
        Currency::from_code(&self.currency).ok_or_else(|| corrupt("order currency", &self.currency))
    }

    fn summary(&self) -> Result<OrderSummary, StoreError> {
        Ok(OrderSummary {
            order: OrderId::parse(&self.order_id)
                .map_err(|_| corrupt("order id", &self.order_id))?,
            buyer_name: self.buyer_name.clone(),
            status: OrderStatus::from_name(&self.status)
                .ok_or_else(|| corrupt("order status", &self.status))?,
            units: self.units,
            total: Money::new(self.total_minor, self.currency()?),
            placed_at: self.placed_at.clone(),
        })
    }

    fn view(self) -> Result<OrderView, StoreError> {
        let currency = self.currency()?;
        let summary = self.summary()?;
        let mut lines: Vec<crate::functions::customers::events::OrderLine> =
            serde_json::from_str(&self.lines_json)
                .map_err(|_| corrupt("order lines", &self.order_id))?;
        // The buyer's page (and its JSON) must never show what the workshop
        // paid to make a product.
        for line in &mut lines {
            line.unit_cost = None;
        }
        Ok(OrderView {
            summary,
            lines,
            subtotal: Money::new(self.subtotal_minor, currency),
            shipping_option: ShippingOption::from_name(&self.shipping_option)
                .ok_or_else(|| corrupt("shipping option", &self.shipping_option))?,
            shipping: Money::new(self.shipping_minor, currency),
            tax: Money::new(self.tax_minor, currency),
            tax_rate: TaxRate {
                basis_points: u32::try_from(self.tax_rate_basis_points)
                    .map_err(|_| corrupt("tax rate", self.tax_rate_basis_points.to_string()))?,
            },
            ship_to: serde_json::from_str(&self.ship_to_json)
                .map_err(|_| corrupt("order address", &self.order_id))?,
            payment: PaymentMethod::from_name(&self.payment_method)
                .ok_or_else(|| corrupt("payment method", &self.payment_method))?,
            bought_by_dealer: self.buyer_kind == "dealer",
            card_payment_open: false,
        })
    }
}

/// The order `order`, whole, if it exists.
pub async fn order(store: &EventStore, order: &OrderId) -> Result<Option<OrderView>, StoreError> {
    let query = format!("{ORDER_SELECT} WHERE order_id = $1");
    let row: Option<OrderRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&query).bind(order.as_str()).fetch_optional(pool).await
    })
    .map_err(database(format!("read order {order}")))?;
    row.map(OrderRow::view).transpose()
}

/// The order `order` if dealer company `company` placed it.
pub async fn company_order(
    store: &EventStore,
    company: &CompanyId,
    order: &OrderId,
) -> Result<Option<OrderView>, StoreError> {
    let query = format!("{ORDER_SELECT} WHERE order_id = $1 AND company_id = $2");
    let row: Option<OrderRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&query)
            .bind(order.as_str())
            .bind(company.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database(format!("read order {order} of {company}")))?;
    row.map(OrderRow::view).transpose()
}

/// Every order as segmentation needs it: whose (a consumer's email in
/// lower case, or a dealer company's id), the name, when, the total.
pub async fn orders_for_segments(
    store: &EventStore,
) -> Result<Vec<crate::functions::customers::segments::PlacedOrder>, StoreError> {
    let rows: Vec<(String, String, String, String, String, i64, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT buyer_kind, email, company_id, buyer_name, placed_at, total_minor, currency
                 FROM orders",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(database("read orders for segments"))?;
    rows.into_iter()
        .map(|(kind, email, company, name, placed_at, total, currency)| {
            let corrupt = |what, value: &str| StoreError::Corrupt {
                what,
                value: value.to_owned(),
            };
            Ok(crate::functions::customers::segments::PlacedOrder {
                by_dealer: kind == "dealer",
                customer: if kind == "dealer" {
                    company
                } else {
                    email.to_lowercase()
                },
                name,
                placed_at: chrono::DateTime::parse_from_rfc3339(&placed_at)
                    .map_err(|_| corrupt("order date", &placed_at))?
                    .with_timezone(&chrono::Utc),
                total: Money::new(
                    total,
                    Currency::from_code(&currency).ok_or_else(|| corrupt("currency", &currency))?,
                ),
            })
        })
        .collect()
}

/// Whose orders a list holds.
#[derive(Debug, Clone, Copy)]
pub enum OrderOwner<'a> {
    /// Everybody's (staff pages).
    Everyone,
    /// Those a shopper placed while signed in to this account.
    Account(&'a AccountId),
    /// Those placed for this dealer company, by any of its users.
    Company(&'a CompanyId),
}

/// The newest `limit` orders of `owner`, newest first.
pub async fn recent_orders(
    store: &EventStore,
    owner: OrderOwner<'_>,
    limit: i64,
) -> Result<Vec<OrderSummary>, StoreError> {
    let (condition, key) = match owner {
        OrderOwner::Everyone => ("$1 = ''", ""),
        OrderOwner::Account(account) => ("account_id = $1", account.as_str()),
        OrderOwner::Company(company) => ("company_id = $1", company.as_str()),
    };
    let query = format!("{ORDER_SELECT} WHERE {condition} ORDER BY last_position DESC LIMIT $2");
    let rows: Vec<OrderRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&query)
            .bind(key)
            .bind(limit)
            .fetch_all(pool)
            .await
    })
    .map_err(database("list orders"))?;
    rows.iter().map(OrderRow::summary).collect()
}

/// How many orders there are and what they add up to, per currency.
pub async fn order_totals(store: &EventStore) -> Result<OrderTotals, StoreError> {
    let rows: Vec<(String, i64, i64, i64)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT currency, COUNT(*), CAST(SUM(total_minor) AS BIGINT), CAST(SUM(units) AS BIGINT)
             FROM orders GROUP BY currency ORDER BY currency",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("add up orders"))?;
    let mut totals = OrderTotals::default();
    for (currency, orders, total_minor, units) in rows {
        let currency = Currency::from_code(&currency)
            .ok_or_else(|| corrupt("order currency", currency.clone()))?;
        totals.orders += orders;
        totals.units += units;
        totals.value.push(Money::new(total_minor, currency));
    }
    Ok(totals)
}

/// The orders at each stage of the pipeline: how many, and what they
/// total (per currency), by status.
pub async fn orders_by_status(
    store: &EventStore,
) -> Result<Vec<(OrderStatus, i64, Money)>, StoreError> {
    let rows: Vec<(String, String, i64, i64)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT status, currency, COUNT(*), CAST(SUM(total_minor) AS BIGINT)
             FROM orders GROUP BY status, currency ORDER BY status, currency",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("count orders by status"))?;
    rows.into_iter()
        .map(|(status, currency, orders, total)| {
            Ok((
                OrderStatus::from_name(&status)
                    .ok_or_else(|| corrupt("order status", status.clone()))?,
                orders,
                Money::new(
                    total,
                    Currency::from_code(&currency)
                        .ok_or_else(|| corrupt("order currency", currency.clone()))?,
                ),
            ))
        })
        .collect()
}

/// Every order added up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderTotals {
    /// How many orders.
    pub orders: i64,
    /// How many units they hold.
    pub units: i64,
    /// What they total, one amount per currency.
    pub value: Vec<Money>,
}
