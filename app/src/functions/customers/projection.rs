//! The tables derived from Customer Management's events —
//! `dealer_applications`, `dealer_application_decisions` and
//! `dealer_companies` (the `DEALERS` projector), `orders` (`ORDERS`),
//! `support_tickets` and `support_ticket_messages` (`TICKETS`) — and the
//! reads made of them.

use super::events::{
    ApplicationId, CustomerEvent, DealerTier, OrderId, PaymentMethod, ShippingOption, TicketId,
};
use super::view::{OrderStatus, OrderSummary, OrderView, TicketMessage, TicketSummary, TicketView};
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Projector, Row, Value, decode_one, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::AccountId;
use kiln_core::identity::CompanyId;
use kiln_core::money::{Currency, Money, TaxRate};

/// The dealer onboarding projection.
pub const DEALERS: Projector = Projector {
    name: "dealers",
    function: BusinessFunction::Customers,
    handles: &[
        "DealerApplicationSubmitted",
        "DealerApplicationApproved",
        "DealerApplicationDeclined",
    ],
    tables: &[
        "dealer_applications",
        "dealer_application_decisions",
        "dealer_companies",
    ],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

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
    order: super::events::OrderPlaced,
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

/// Applies Customer Management events, in position order; rows remember
/// the position of the last event applied, so replaying changes nothing.
pub async fn apply(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let mut decoded = Vec::with_capacity(events.len());
    for event in events {
        let customer_event = decode_one::<CustomerEvent>(event)?;
        decoded.push((event.position, customer_event));
    }
    let mut applications = Vec::new();
    let mut decisions = Vec::new();
    let mut companies = Vec::new();
    for (position, event) in &decoded {
        let position = *position;
        match event {
            CustomerEvent::DealerApplicationSubmitted(submitted) => applications.push(Row {
                values: vec![
                    Value::Text(submitted.application.as_str()),
                    Value::Text(&submitted.company_name),
                    Value::Text(&submitted.contact_name),
                    Value::Text(submitted.email.as_str()),
                    Value::Text(&submitted.message),
                ],
                position,
            }),
            CustomerEvent::DealerApplicationApproved(approved) => {
                decisions.push(Row {
                    values: vec![
                        Value::Text(approved.application.as_str()),
                        Value::Text("approved"),
                        Value::Text(approved.company.as_str()),
                    ],
                    position,
                });
                companies.push(Row {
                    values: vec![
                        Value::Text(approved.company.as_str()),
                        Value::Text(&approved.company_name),
                        Value::Text(approved.tier.as_str()),
                        Value::Text(approved.application.as_str()),
                    ],
                    position,
                });
            }
            CustomerEvent::DealerApplicationDeclined(declined) => decisions.push(Row {
                values: vec![
                    Value::Text(declined.application.as_str()),
                    Value::Text("declined"),
                    Value::Text(&declined.reason),
                ],
                position,
            }),
            // Not handled by this projector: ORDERS projects orders,
            // TICKETS the support tickets, PROMOTIONS the promotions.
            CustomerEvent::OrderPlaced(_)
            | CustomerEvent::OrderPaymentCaptured(_)
            | CustomerEvent::OrderPaymentDeclined(_)
            | CustomerEvent::SupportTicketOpened(_)
            | CustomerEvent::SupportTicketReplied(_)
            | CustomerEvent::SupportTicketClosed(_)
            | CustomerEvent::SupportTicketFlagged(_)
            | CustomerEvent::DealerPromotionOffered(_)
            | CustomerEvent::DealerPromotionWithdrawn(_) => {}
        }
    }
    upsert_rows(
        connection.reborrow(),
        "dealer_applications",
        "application_id",
        &[
            "application_id",
            "company_name",
            "contact_name",
            "email",
            "message",
        ],
        &applications,
    )
    .await?;
    upsert_rows(
        connection.reborrow(),
        "dealer_application_decisions",
        "application_id",
        &["application_id", "outcome", "detail"],
        &decisions,
    )
    .await?;
    upsert_rows(
        connection,
        "dealer_companies",
        "company_id",
        &["company_id", "name", "tier", "application_id"],
        &companies,
    )
    .await
}

/// A dealer application as staff review it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    /// Its id.
    pub application: ApplicationId,
    /// The business.
    pub company_name: String,
    /// The person.
    pub contact_name: String,
    /// Their address.
    pub email: String,
    /// What they wrote.
    pub message: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
}

/// Every dealer application, newest first.
pub async fn applications(store: &EventStore) -> Result<Vec<ApplicationRow>, StoreError> {
    type Raw = (String, String, String, String, String, Option<String>);
    let rows: Vec<Raw> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT a.application_id, a.company_name, a.contact_name, a.email, a.message, d.outcome
             FROM dealer_applications a
             LEFT JOIN dealer_application_decisions d ON d.application_id = a.application_id
             ORDER BY a.last_position DESC",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("list dealer applications"))?;
    rows.into_iter()
        .map(
            |(application, company_name, contact_name, email, message, outcome)| {
                Ok(ApplicationRow {
                    application: ApplicationId::parse(&application).map_err(|_| {
                        StoreError::Corrupt {
                            what: "dealer application id",
                            value: application,
                        }
                    })?,
                    company_name,
                    contact_name,
                    email,
                    message,
                    status: outcome.unwrap_or_else(|| "pending".into()),
                })
            },
        )
        .collect()
}

/// A dealer company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealerCompany {
    /// Its id.
    pub company: CompanyId,
    /// Its name.
    pub name: String,
    /// Its price tier.
    pub tier: DealerTier,
}

/// The dealer company `company`, if it exists.
pub async fn dealer_company(
    store: &EventStore,
    company: &CompanyId,
) -> Result<Option<DealerCompany>, StoreError> {
    let row: Option<(String, String)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as("SELECT name, tier FROM dealer_companies WHERE company_id = $1")
            .bind(company.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database(format!("read dealer company {company}")))?;
    row.map(|(name, tier)| {
        Ok(DealerCompany {
            company: company.clone(),
            name,
            tier: DealerTier::from_name(&tier).ok_or(StoreError::Corrupt {
                what: "dealer tier",
                value: tier,
            })?,
        })
    })
    .transpose()
}

/// A dealer company with how many logins it has, as staff list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealerCompanySummary {
    /// The company.
    pub company: DealerCompany,
    /// How many users sign in for it.
    pub users: i64,
}

/// Every dealer company, by name, with its number of users.
pub async fn dealer_companies(store: &EventStore) -> Result<Vec<DealerCompanySummary>, StoreError> {
    let rows: Vec<(String, String, String, i64)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT c.company_id, c.name, c.tier, COUNT(u.account_id)
                 FROM dealer_companies c
                 LEFT JOIN dealer_users u ON u.company_id = c.company_id
                 GROUP BY c.company_id, c.name, c.tier
                 ORDER BY c.name, c.company_id",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(database("list dealer companies"))?;
    rows.into_iter()
        .map(|(company, name, tier, users)| {
            Ok(DealerCompanySummary {
                company: DealerCompany {
                    company: CompanyId::parse(&company).map_err(|_| StoreError::Corrupt {
                        what: "dealer company id",
                        value: company,
                    })?,
                    name,
                    tier: DealerTier::from_name(&tier).ok_or(StoreError::Corrupt {
                        what: "dealer tier",
                        value: tier,
                    })?,
                },
                users,
            })
        })
        .collect()
}

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
    fn corrupt(what: &'static str, value: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            what,
            value: value.into(),
        }
    }

    fn currency(&self) -> Result<Currency, StoreError> {
        Currency::from_code(&self.currency)
            .ok_or_else(|| Self::corrupt("order currency", &self.currency))
    }

    fn summary(&self) -> Result<OrderSummary, StoreError> {
        Ok(OrderSummary {
            order: OrderId::parse(&self.order_id)
                .map_err(|_| Self::corrupt("order id", &self.order_id))?,
            buyer_name: self.buyer_name.clone(),
            status: OrderStatus::from_name(&self.status)
                .ok_or_else(|| Self::corrupt("order status", &self.status))?,
            units: self.units,
            total: Money::new(self.total_minor, self.currency()?),
            placed_at: self.placed_at.clone(),
        })
    }

    fn view(self) -> Result<OrderView, StoreError> {
        let currency = self.currency()?;
        let summary = self.summary()?;
        let mut lines: Vec<super::events::OrderLine> = serde_json::from_str(&self.lines_json)
            .map_err(|_| Self::corrupt("order lines", &self.order_id))?;
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
                .ok_or_else(|| Self::corrupt("shipping option", &self.shipping_option))?,
            shipping: Money::new(self.shipping_minor, currency),
            tax: Money::new(self.tax_minor, currency),
            tax_rate: TaxRate {
                basis_points: u32::try_from(self.tax_rate_basis_points).map_err(|_| {
                    Self::corrupt("tax rate", self.tax_rate_basis_points.to_string())
                })?,
            },
            ship_to: serde_json::from_str(&self.ship_to_json)
                .map_err(|_| Self::corrupt("order address", &self.order_id))?,
            payment: PaymentMethod::from_name(&self.payment_method)
                .ok_or_else(|| Self::corrupt("payment method", &self.payment_method))?,
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
) -> Result<Vec<super::segments::PlacedOrder>, StoreError> {
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
            Ok(super::segments::PlacedOrder {
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
            .ok_or_else(|| OrderRow::corrupt("order currency", currency.clone()))?;
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
                    .ok_or_else(|| OrderRow::corrupt("order status", status.clone()))?,
                orders,
                Money::new(
                    total,
                    Currency::from_code(&currency)
                        .ok_or_else(|| OrderRow::corrupt("order currency", currency.clone()))?,
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

/// The support tickets projection: `support_tickets` (one row per ticket,
/// with its status and response times) and `support_ticket_messages`.
pub const TICKETS: Projector = Projector {
    name: "tickets",
    function: BusinessFunction::Customers,
    handles: &[
        "SupportTicketOpened",
        "SupportTicketReplied",
        "SupportTicketClosed",
        "SupportTicketFlagged",
    ],
    tables: &["support_tickets", "support_ticket_messages", "ticket_flags"],
    apply: |connection, events| Box::pin(apply_tickets(connection, events)),
};

/// The columns of `support_tickets` an opening writes, key first.
const TICKET_COLUMNS: [&str; 12] = [
    "ticket_id",
    "account_id",
    "company_id",
    "customer_name",
    "email",
    "subject",
    "status",
    "opened_at",
    "first_response_at",
    "last_message_at",
    "last_message",
    "message_count",
];

/// The columns of `support_ticket_messages`, key first.
const TICKET_MESSAGE_COLUMNS: [&str; 6] = [
    "event_position",
    "ticket_id",
    "author_kind",
    "author_name",
    "message",
    "written_at",
];

/// Applies ticket events in position order. An opening writes the ticket
/// and its first message; a reply writes its message and moves the
/// ticket's status and times on, unless the ticket row has already applied
/// that event (its `last_position`), so replaying changes nothing.
pub async fn apply_tickets(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    use super::events::TicketParty;

    for event in events {
        let decoded = decode_one::<CustomerEvent>(event)?;
        let at = event.recorded_at.to_rfc3339();
        match decoded {
            CustomerEvent::SupportTicketOpened(opened) => {
                let company = opened
                    .customer
                    .company
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let ticket = Row {
                    values: vec![
                        Value::Text(opened.ticket.as_str()),
                        Value::Text(opened.customer.account.as_str()),
                        Value::Text(&company),
                        Value::Text(&opened.customer.name),
                        Value::Text(opened.customer.email.as_str()),
                        Value::Text(&opened.subject),
                        Value::Text("open"),
                        Value::Text(&at),
                        Value::Text(""),
                        Value::Text(&at),
                        Value::Text(&opened.message),
                        Value::Integer(1),
                    ],
                    position: event.position,
                };
                upsert_rows(
                    connection.reborrow(),
                    "support_tickets",
                    "ticket_id",
                    &TICKET_COLUMNS,
                    &[ticket],
                )
                .await?;
                write_ticket_message(
                    connection.reborrow(),
                    event.position,
                    &opened.ticket,
                    TicketParty::Customer,
                    &opened.customer.name,
                    &opened.message,
                    &at,
                )
                .await?;
            }
            CustomerEvent::SupportTicketReplied(reply) => {
                write_ticket_message(
                    connection.reborrow(),
                    event.position,
                    &reply.ticket,
                    reply.from,
                    &reply.author_name,
                    &reply.message,
                    &at,
                )
                .await?;
                let (status, staff) = match reply.from {
                    TicketParty::Staff => ("answered", 1_i64),
                    TicketParty::Customer => ("open", 0),
                };
                per_backend!(connection.reborrow(), Connection, c => {
                    sqlx::query(
                        "UPDATE support_tickets SET status = $1, \
                         first_response_at = CASE WHEN $2 = 1 AND first_response_at = '' \
                                             THEN $3 ELSE first_response_at END, \
                         last_message_at = $3, last_message = $4, \
                         message_count = message_count + 1, last_position = $5 \
                         WHERE ticket_id = $6 AND last_position < $5",
                    )
                    .bind(status)
                    .bind(staff)
                    .bind(&at)
                    .bind(&reply.message)
                    .bind(event.position)
                    .bind(reply.ticket.as_str())
                    .execute(c)
                    .await
                    .map(|_| ())
                })
                .map_err(database(format!("answer ticket {}", reply.ticket)))?;
            }
            CustomerEvent::SupportTicketClosed(closed) => {
                per_backend!(connection.reborrow(), Connection, c => {
                    sqlx::query(
                        "UPDATE support_tickets SET status = 'closed', last_position = $1 \
                         WHERE ticket_id = $2 AND last_position < $1",
                    )
                    .bind(event.position)
                    .bind(closed.ticket.as_str())
                    .execute(c)
                    .await
                    .map(|_| ())
                })
                .map_err(database(format!("close ticket {}", closed.ticket)))?;
            }
            CustomerEvent::SupportTicketFlagged(flagged) => {
                let row = Row {
                    values: vec![
                        Value::Integer(event.position),
                        Value::Text(flagged.ticket.as_str()),
                        Value::Text(flagged.function.slug()),
                        Value::Text(&flagged.note),
                        Value::Text(&at),
                    ],
                    position: event.position,
                };
                upsert_rows(
                    connection.reborrow(),
                    "ticket_flags",
                    "event_position",
                    &[
                        "event_position",
                        "ticket_id",
                        "function",
                        "note",
                        "flagged_at",
                    ],
                    &[row],
                )
                .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Customer feedback flagged to a function: the ticket, what it is about,
/// who raised it, and the note staff added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedFeedback {
    /// The ticket.
    pub ticket: TicketId,
    /// The function it was flagged to.
    pub function: BusinessFunction,
    /// The ticket's subject.
    pub subject: String,
    /// The customer.
    pub customer_name: String,
    /// The ticket's newest message.
    pub last_message: String,
    /// What staff added.
    pub note: String,
    /// When it was flagged (UTC, RFC 3339).
    pub flagged_at: String,
}

/// How many flags the pages that list them show, newest first.
pub const FLAGS_SHOWN: i64 = 50;

/// The newest `limit` flags, to `function` or to any, newest first.
pub async fn flagged_feedback(
    store: &EventStore,
    function: Option<BusinessFunction>,
    limit: i64,
) -> Result<Vec<FlaggedFeedback>, StoreError> {
    let rows: Vec<(String, String, String, String, String, String, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT f.ticket_id, f.function, t.subject, t.customer_name, t.last_message,
                        f.note, f.flagged_at
                 FROM ticket_flags f JOIN support_tickets t ON t.ticket_id = f.ticket_id
                 WHERE CAST($1 AS TEXT) IS NULL OR f.function = $1
                 ORDER BY f.event_position DESC LIMIT $2",
            )
            .bind(function.map(BusinessFunction::slug))
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(database("read flagged feedback"))?;
    rows.into_iter()
        .map(
            |(ticket, function, subject, customer_name, last_message, note, flagged_at)| {
                Ok(FlaggedFeedback {
                    ticket: TicketId::parse(&ticket).map_err(|_| StoreError::Corrupt {
                        what: "ticket id",
                        value: ticket.clone(),
                    })?,
                    function: BusinessFunction::from_slug(&function).ok_or(
                        StoreError::Corrupt {
                            what: "function",
                            value: function.clone(),
                        },
                    )?,
                    subject,
                    customer_name,
                    last_message,
                    note,
                    flagged_at,
                })
            },
        )
        .collect()
}

/// Writes one message of a ticket's thread.
async fn write_ticket_message(
    connection: Connection<'_>,
    position: i64,
    ticket: &TicketId,
    from: super::events::TicketParty,
    author_name: &str,
    message: &str,
    at: &str,
) -> Result<(), StoreError> {
    let row = Row {
        values: vec![
            Value::Integer(position),
            Value::Text(ticket.as_str()),
            Value::Text(from.as_str()),
            Value::Text(author_name),
            Value::Text(message),
            Value::Text(at),
        ],
        position,
    };
    upsert_rows(
        connection,
        "support_ticket_messages",
        "event_position",
        &TICKET_MESSAGE_COLUMNS,
        &[row],
    )
    .await
}

/// A `support_tickets` row as read back.
#[derive(sqlx::FromRow)]
struct TicketRow {
    ticket_id: String,
    account_id: String,
    customer_name: String,
    subject: String,
    status: String,
    opened_at: String,
    first_response_at: String,
    last_message_at: String,
    last_message: String,
}

const TICKET_SELECT: &str = "SELECT ticket_id, account_id, customer_name, subject, status, \
     opened_at, first_response_at, last_message_at, last_message FROM support_tickets";

impl TicketRow {
    fn summary(self) -> Result<TicketSummary, StoreError> {
        Ok(TicketSummary {
            ticket: TicketId::parse(&self.ticket_id)
                .map_err(|_| OrderRow::corrupt("ticket id", &self.ticket_id))?,
            subject: self.subject,
            customer_name: self.customer_name,
            status: self.status,
            opened_at: self.opened_at,
            first_response_at: (!self.first_response_at.is_empty())
                .then_some(self.first_response_at),
            last_message_at: self.last_message_at,
            last_message: self.last_message,
        })
    }
}

/// Whose tickets a list holds.
#[derive(Debug, Clone, Copy)]
pub enum TicketOwner<'a> {
    /// Every customer's (staff).
    Everyone,
    /// Those this account opened.
    Account(&'a AccountId),
}

/// The tickets of `owner`, most recently active first (at most `limit`).
pub async fn tickets(
    store: &EventStore,
    owner: TicketOwner<'_>,
    limit: i64,
) -> Result<Vec<TicketSummary>, StoreError> {
    let (condition, key) = match owner {
        TicketOwner::Everyone => ("$1 = ''", ""),
        TicketOwner::Account(account) => ("account_id = $1", account.as_str()),
    };
    let query = format!(
        "{TICKET_SELECT} WHERE {condition} ORDER BY last_message_at DESC, ticket_id LIMIT $2"
    );
    let rows: Vec<TicketRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&query).bind(key).bind(limit).fetch_all(pool).await
    })
    .map_err(database("list support tickets"))?;
    rows.into_iter().map(TicketRow::summary).collect()
}

/// The ticket `ticket` with its whole thread, and the account it belongs
/// to, if it exists.
pub async fn ticket(
    store: &EventStore,
    ticket: &TicketId,
) -> Result<Option<(AccountId, TicketView)>, StoreError> {
    let query = format!("{TICKET_SELECT} WHERE ticket_id = $1");
    let row: Option<TicketRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&query).bind(ticket.as_str()).fetch_optional(pool).await
    })
    .map_err(database(format!("read ticket {ticket}")))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let owner = AccountId::parse(&row.account_id)
        .map_err(|_| OrderRow::corrupt("ticket account", &row.account_id))?;
    let messages: Vec<(String, String, String, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT author_kind, author_name, message, written_at
                 FROM support_ticket_messages WHERE ticket_id = $1 ORDER BY event_position",
            )
            .bind(ticket.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(database(format!("read the messages of ticket {ticket}")))?;
    Ok(Some((
        owner,
        TicketView {
            summary: row.summary()?,
            messages: messages
                .into_iter()
                .map(|(from, author_name, message, written_at)| TicketMessage {
                    from_staff: from == "staff",
                    author_name,
                    message,
                    written_at,
                })
                .collect(),
        },
    )))
}
