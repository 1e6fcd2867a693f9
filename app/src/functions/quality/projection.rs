//! The `non_conformances` table (the `NON_CONFORMANCES` projector),
//! derived from Quality's events, and what the page reads from it.

use super::events::QualityEvent;
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Projector, Row, Value, decode, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;

/// The non-conformances projection: one row per non-conformance raised.
pub const NON_CONFORMANCES: Projector = Projector {
    name: "non-conformances",
    function: BusinessFunction::Quality,
    handles: &["NonConformanceRaised"],
    tables: &["non_conformances"],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

const COLUMNS: [&str; 6] = [
    "non_conformance",
    "source",
    "subject",
    "description",
    "raised_by",
    "raised_at",
];

/// Writes each raised non-conformance, in one upsert per batch; replaying
/// one changes nothing.
pub async fn apply(
    connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let raised: Vec<(i64, super::events::NonConformanceRaised, String, String)> =
        decode::<QualityEvent>(events)?
            .into_iter()
            .map(|(event, QualityEvent::NonConformanceRaised(raised))| {
                (
                    event.position,
                    raised,
                    event.metadata.actor.to_string(),
                    event.occurred_at().to_rfc3339(),
                )
            })
            .collect();
    let rows: Vec<Row<'_>> = raised
        .iter()
        .map(|(position, raised, actor, at)| Row {
            values: vec![
                Value::Text(raised.non_conformance.as_str()),
                Value::Text(raised.source.as_str()),
                Value::Text(&raised.subject),
                Value::Text(&raised.description),
                Value::Text(actor),
                Value::Text(at),
            ],
            position: *position,
        })
        .collect();
    upsert_rows(
        connection,
        "non_conformances",
        "non_conformance",
        &COLUMNS,
        &rows,
    )
    .await
}

/// A non-conformance as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NonConformanceRow {
    /// Its id.
    pub non_conformance: String,
    /// Where it comes from (`supplier`, `process`, …).
    pub source: String,
    /// What does not conform.
    pub subject: String,
    /// How it was found.
    pub description: String,
    /// Who raised it (an actor reference).
    pub raised_by: String,
    /// When, UTC, RFC 3339.
    pub raised_at: String,
}

/// The newest `limit` non-conformances, newest first.
pub async fn newest(store: &EventStore, limit: i64) -> Result<Vec<NonConformanceRow>, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT non_conformance, source, subject, description, raised_by, raised_at
             FROM non_conformances ORDER BY last_position DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the non-conformances"))
}

/// How many non-conformances have been raised.
pub async fn count(store: &EventStore) -> Result<i64, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM non_conformances").fetch_one(pool).await
    })
    .map_err(database("count the non-conformances"))
}
