//! The `catalog_products` table, derived from Category Management's events.

use super::events::{CategoryEvent, Collection, Sku};
use super::view::{ProductCard, StorefrontQuery};
use crate::event::DomainEvent;
use crate::functions::BusinessFunction;
use crate::money::{Currency, Money};
use crate::store::backend::{Connection, PerBackend, per_backend};
use crate::store::integrity::IntegrityCheck;
use crate::store::projections::{Projector, ProjectorFuture, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError};

/// The catalog projection: `catalog_products` from `ProductIntroduced`.
pub const CATALOG: Projector = Projector {
    name: "catalog",
    function: BusinessFunction::Category,
    handles: &["ProductIntroduced"],
    tables: &["catalog_products"],
    apply: apply_boxed,
};

fn apply_boxed<'a>(
    connection: Connection<'a>,
    events: &'a [&'a RecordedEvent],
) -> ProjectorFuture<'a> {
    Box::pin(apply(connection, events))
}

/// Applies Category Management events, in position order, to
/// `catalog_products`. A row remembers the position of the last event it
/// applied, so replaying an event changes nothing.
pub async fn apply(
    connection: Connection<'_>,
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
    let rows: Vec<Row<'_>> = introduced
        .iter()
        .map(|(position, product)| Row {
            values: vec![
                Value::Text(product.sku.as_str()),
                Value::Text(&product.name),
                Value::Text(product.collection.slug()),
                Value::Text(&product.description),
                Value::Integer(product.base_price.minor_units),
                Value::Text(product.base_price.currency.code()),
                Value::Text(&product.image),
            ],
            position: *position,
        })
        .collect();
    upsert_rows(
        connection,
        "catalog_products",
        "sku",
        &[
            "sku",
            "name",
            "collection",
            "description",
            "base_price_minor",
            "currency",
            "image",
        ],
        &rows,
    )
    .await
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
    store: &EventStore,
    query: StorefrontQuery,
) -> Result<Vec<ProductCard>, StoreError> {
    let collection = query.collection.map(Collection::slug);
    let rows: Vec<CatalogRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT sku, name, collection, description, base_price_minor, currency, image
             FROM catalog_products
             WHERE CAST($1 AS TEXT) IS NULL OR collection = $1
             ORDER BY CASE collection WHEN 'mugs' THEN 0 WHEN 'planters' THEN 1 ELSE 2 END, name",
        )
        .bind(collection)
        .fetch_all(pool)
        .await
    })
    .map_err(|source| StoreError::Database {
        operation: "read catalog_products".into(),
        source,
    })?;
    rows.into_iter().map(ProductCard::try_from).collect()
}

/// The listed product `sku`, if there is one.
pub async fn product(store: &EventStore, sku: &Sku) -> Result<Option<ProductCard>, StoreError> {
    let row: Option<CatalogRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT sku, name, collection, description, base_price_minor, currency, image
             FROM catalog_products WHERE sku = $1",
        )
        .bind(sku.as_str())
        .fetch_optional(pool)
        .await
    })
    .map_err(|source| StoreError::Database {
        operation: format!("read product {sku}"),
        source,
    })?;
    row.map(ProductCard::try_from).transpose()
}

/// The invariants of the catalog (see `store::integrity`).
pub const INTEGRITY_CHECKS: &[IntegrityCheck] = &[
    IntegrityCheck {
        name: "catalog-prices-positive",
        function: BusinessFunction::Category,
        invariant: "Every product in the catalog has a base price above zero.",
        violations_sql: PerBackend {
            sqlite: "SELECT 'product ' || sku || ' is listed at ' || base_price_minor || ' minor units', \
                     json_array(last_position) \
                     FROM catalog_products WHERE base_price_minor <= 0 ORDER BY sku",
            postgres: "SELECT 'product ' || sku || ' is listed at ' || base_price_minor || ' minor units', \
                       json_build_array(last_position)::text \
                       FROM catalog_products WHERE base_price_minor <= 0 ORDER BY sku",
        },
    },
    IntegrityCheck {
        name: "catalog-matches-introductions",
        function: BusinessFunction::Category,
        invariant: "Every ProductIntroduced event has its row in catalog_products.",
        violations_sql: PerBackend {
            sqlite: "SELECT 'product ' || json_extract(e.payload, '$.sku') || \
                     ' was introduced but is missing from catalog_products', json_array(e.position) \
                     FROM events e \
                     WHERE e.function = 'category' AND e.event_type = 'ProductIntroduced' \
                       AND NOT EXISTS (SELECT 1 FROM catalog_products c \
                                       WHERE c.sku = json_extract(e.payload, '$.sku')) \
                     ORDER BY e.position",
            postgres: "SELECT 'product ' || (e.payload->>'sku') || \
                       ' was introduced but is missing from catalog_products', \
                       json_build_array(e.position)::text \
                       FROM events e \
                       WHERE e.function = 'category' AND e.event_type = 'ProductIntroduced' \
                         AND NOT EXISTS (SELECT 1 FROM catalog_products c \
                                         WHERE c.sku = e.payload->>'sku') \
                       ORDER BY e.position",
        },
    },
];
