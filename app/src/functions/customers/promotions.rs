//! The `dealer_promotions` table (the `PROMOTIONS` projector): each dealer
//! company's promotional prices, and the reads made of it.

use super::events::CustomerEvent;
use super::view::PromotionView;
use crate::functions::category::events::Sku;
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Projector, Row, Value, decode, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::CompanyId;
use kiln_core::money::{Currency, Money};
use std::collections::HashMap;

/// The promotions projection: one `dealer_promotions` row per company and
/// product.
pub const PROMOTIONS: Projector = Projector {
    name: "promotions",
    function: BusinessFunction::Customers,
    handles: &["DealerPromotionOffered", "DealerPromotionWithdrawn"],
    tables: &["dealer_promotions"],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

const COLUMNS: [&str; 9] = [
    "promotion_key",
    "company_id",
    "company_name",
    "sku",
    "price_minor",
    "currency",
    "note",
    "offered_at",
    "active",
];

/// Writes offers as rows in force and withdrawals as rows no longer in
/// force, in position order; a row remembers its last event's position.
pub async fn apply(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let mut offers = Vec::new();
    for (event, decoded) in decode::<CustomerEvent>(events)? {
        match decoded {
            CustomerEvent::DealerPromotionOffered(offered) => offers.push((
                event.position,
                format!("{}:{}", offered.company, offered.sku),
                offered,
                event.occurred_at().to_rfc3339(),
            )),
            CustomerEvent::DealerPromotionWithdrawn(withdrawn) => {
                // An offer earlier in this batch must be written first.
                write_offers(connection.reborrow(), &offers).await?;
                offers.clear();
                let key = format!("{}:{}", withdrawn.company, withdrawn.sku);
                per_backend!(connection.reborrow(), Connection, c => {
                    sqlx::query(
                        "UPDATE dealer_promotions SET active = 0, last_position = $1
                         WHERE promotion_key = $2 AND last_position < $1",
                    )
                    .bind(event.position)
                    .bind(&key)
                    .execute(c)
                    .await
                    .map(|_| ())
                })
                .map_err(database(format!("withdraw promotion {key}")))?;
            }
            _ => {}
        }
    }
    write_offers(connection, &offers).await
}

type Offer = (i64, String, super::events::DealerPromotionOffered, String);

async fn write_offers(connection: Connection<'_>, offers: &[Offer]) -> Result<(), StoreError> {
    let rows: Vec<Row<'_>> = offers
        .iter()
        .map(|(position, key, offered, at)| Row {
            values: vec![
                Value::Text(key),
                Value::Text(offered.company.as_str()),
                Value::Text(&offered.company_name),
                Value::Text(offered.sku.as_str()),
                Value::Integer(offered.price.minor_units),
                Value::Text(offered.price.currency.code()),
                Value::Text(&offered.note),
                Value::Text(at),
                Value::Integer(1),
            ],
            position: *position,
        })
        .collect();
    upsert_rows(
        connection,
        "dealer_promotions",
        "promotion_key",
        &COLUMNS,
        &rows,
    )
    .await
}

/// A `dealer_promotions` row in force.
#[derive(sqlx::FromRow)]
struct PromotionRow {
    company_id: String,
    company_name: String,
    sku: String,
    price_minor: i64,
    currency: String,
    note: String,
    offered_at: String,
}

impl TryFrom<PromotionRow> for PromotionView {
    type Error = StoreError;

    fn try_from(row: PromotionRow) -> Result<Self, Self::Error> {
        let corrupt = |what, value: &str| StoreError::Corrupt {
            what,
            value: value.to_owned(),
        };
        Ok(PromotionView {
            company: CompanyId::parse(&row.company_id)
                .map_err(|_| corrupt("company id", &row.company_id))?,
            sku: Sku::parse(&row.sku).map_err(|_| corrupt("SKU", &row.sku))?,
            price: Money::new(
                row.price_minor,
                Currency::from_code(&row.currency)
                    .ok_or_else(|| corrupt("currency", &row.currency))?,
            ),
            company_name: row.company_name,
            note: row.note,
            offered_at: row.offered_at,
        })
    }
}

/// Every promotional price in force, by company name then SKU.
pub async fn active(store: &EventStore) -> Result<Vec<PromotionView>, StoreError> {
    let rows: Vec<PromotionRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT company_id, company_name, sku, price_minor, currency, note, offered_at
             FROM dealer_promotions WHERE active = 1 ORDER BY company_name, sku",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the dealer promotions"))?;
    rows.into_iter().map(PromotionView::try_from).collect()
}

/// `company`'s promotional prices in force, by SKU.
pub async fn of_company(
    store: &EventStore,
    company: &CompanyId,
) -> Result<HashMap<Sku, Money>, StoreError> {
    let rows: Vec<PromotionRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT company_id, company_name, sku, price_minor, currency, note, offered_at
             FROM dealer_promotions WHERE company_id = $1 AND active = 1",
        )
        .bind(company.as_str())
        .fetch_all(pool)
        .await
    })
    .map_err(database(format!("read the promotions of {company}")))?;
    rows.into_iter()
        .map(|row| {
            let view = PromotionView::try_from(row)?;
            Ok((view.sku, view.price))
        })
        .collect()
}
