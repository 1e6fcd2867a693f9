//! The `catalog_products` table, derived from Category Management's events.

use super::events::{CategoryEvent, Collection, Sku};
use super::view::{ProductCard, StorefrontQuery};
use crate::event::DomainEvent;
use crate::functions::BusinessFunction;
use crate::money::{Currency, Money};
use crate::store::integrity::IntegrityCheck;
use crate::store::projections::{Projector, ProjectorFuture};
use crate::store::{RecordedEvent, StoreError};
use sqlx::{SqliteConnection, SqlitePool};

/// The catalog projection: `catalog_products` from `ProductIntroduced`.
pub const CATALOG: Projector = Projector {
    name: "catalog",
    function: BusinessFunction::Category,
    handles: &["ProductIntroduced"],
    tables: &["catalog_products"],
    apply: apply_boxed,
};

fn apply_boxed<'a>(
    connection: &'a mut SqliteConnection,
    events: &'a [&'a RecordedEvent],
) -> ProjectorFuture<'a> {
    Box::pin(apply(connection, events))
}

/// Rows per multi-row upsert (8 parameters each).
const UPSERT_CHUNK: usize = 1_000;

/// Applies Category Management events, in position order, to
/// `catalog_products`. A row remembers the position of the last event it
/// applied, so replaying an event changes nothing.
pub async fn apply(
    connection: &mut SqliteConnection,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let mut introduced = Vec::with_capacity(events.len());
    for event in events {
        let decoded = CategoryEvent::decode(
            &event.event_type,
            event.schema_version,
            event.payload.clone(),
        )
        .map_err(|source| StoreError::Payload {
            event_type: event.event_type.clone(),
            source,
        })?;
        match decoded {
            CategoryEvent::ProductIntroduced(product) => introduced.push((event.position, product)),
        }
    }
    for chunk in introduced.chunks(UPSERT_CHUNK) {
        let mut upsert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO catalog_products \
             (sku, name, collection, description, base_price_minor, currency, image, last_position) ",
        );
        upsert.push_values(chunk, |mut row, (position, product)| {
            row.push_bind(product.sku.as_str())
                .push_bind(product.name.as_str())
                .push_bind(product.collection.slug())
                .push_bind(product.description.as_str())
                .push_bind(product.base_price.minor_units)
                .push_bind(product.base_price.currency.code())
                .push_bind(product.image.as_str())
                .push_bind(*position);
        });
        upsert.push(
            " ON CONFLICT (sku) DO UPDATE SET \
               name = excluded.name, \
               collection = excluded.collection, \
               description = excluded.description, \
               base_price_minor = excluded.base_price_minor, \
               currency = excluded.currency, \
               image = excluded.image, \
               last_position = excluded.last_position \
             WHERE excluded.last_position > catalog_products.last_position",
        );
        upsert
            .build()
            .execute(&mut *connection)
            .await
            .map_err(|source| StoreError::Database {
                operation: "project category events into catalog_products".into(),
                source,
            })?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CatalogRow {
    sku: String,
    name: String,
    collection: String,
    description: String,
    base_price_minor: i64,
    currency: String,
    image: String,
}

impl TryFrom<CatalogRow> for ProductCard {
    type Error = StoreError;

    fn try_from(row: CatalogRow) -> Result<Self, Self::Error> {
        let corrupt = |what, value: &str| StoreError::Corrupt {
            what,
            value: value.to_owned(),
        };
        Ok(ProductCard {
            sku: Sku::parse(&row.sku).map_err(|_| corrupt("SKU", &row.sku))?,
            collection: row
                .collection
                .parse::<Collection>()
                .map_err(|_| corrupt("collection", &row.collection))?,
            price: Money::new(
                row.base_price_minor,
                Currency::from_code(&row.currency)
                    .ok_or_else(|| corrupt("currency", &row.currency))?,
            ),
            name: row.name,
            description: row.description,
            image: row.image,
        })
    }
}

/// The listed products, in collection order then by name.
pub async fn storefront_products(
    pool: &SqlitePool,
    query: StorefrontQuery,
) -> Result<Vec<ProductCard>, StoreError> {
    let rows: Vec<CatalogRow> = sqlx::query_as(
        "SELECT sku, name, collection, description, base_price_minor, currency, image
         FROM catalog_products
         WHERE ?1 IS NULL OR collection = ?1
         ORDER BY CASE collection WHEN 'mugs' THEN 0 WHEN 'planters' THEN 1 ELSE 2 END, name",
    )
    .bind(query.collection.map(Collection::slug))
    .fetch_all(pool)
    .await
    .map_err(|source| StoreError::Database {
        operation: "read catalog_products".into(),
        source,
    })?;
    rows.into_iter().map(ProductCard::try_from).collect()
}

/// The invariants of the catalog (see `store::integrity`).
pub const INTEGRITY_CHECKS: &[IntegrityCheck] = &[
    IntegrityCheck {
        name: "catalog-prices-positive",
        function: BusinessFunction::Category,
        invariant: "Every product in the catalog has a base price above zero.",
        violations_sql: "SELECT 'product ' || sku || ' is listed at ' || base_price_minor || ' minor units', \
                         json_array(last_position) \
                         FROM catalog_products WHERE base_price_minor <= 0 ORDER BY sku",
    },
    IntegrityCheck {
        name: "catalog-matches-introductions",
        function: BusinessFunction::Category,
        invariant: "Every ProductIntroduced event has its row in catalog_products.",
        violations_sql: "SELECT 'product ' || json_extract(e.payload, '$.sku') || \
                         ' was introduced but is missing from catalog_products', json_array(e.position) \
                         FROM events e \
                         WHERE e.function = 'category' AND e.event_type = 'ProductIntroduced' \
                           AND NOT EXISTS (SELECT 1 FROM catalog_products c \
                                           WHERE c.sku = json_extract(e.payload, '$.sku')) \
                         ORDER BY e.position",
    },
];
