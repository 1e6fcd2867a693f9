//! Reading the log back: pages of events after a position, the newest
//! events, searches, and the events at given positions, each read as one
//! JSON array and decoded here.

use super::*;

/// One event as the log stores it, columns as they are: what a page read
/// by [`read_after`] holds before it is decoded, and what an export
/// (`export.rs`) writes and reads.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StoredEvent {
    pub(super) position: i64,
    pub(super) stream_id: String,
    pub(super) stream_version: i64,
    pub(super) event_type: String,
    pub(super) schema_version: i64,
    pub(super) payload: serde_json::Value,
    pub(super) actor: String,
    pub(super) function: String,
    pub(super) decision_id: Option<String>,
    pub(super) causation_id: Option<String>,
    pub(super) correlation_id: Option<String>,
    pub(super) occurred_at: Option<DateTime<Utc>>,
    pub(super) recorded_at: DateTime<Utc>,
}

/// A query answering the events `$rows` selects (a subquery over
/// `events`) as one JSON array in position order (SQLite).
macro_rules! page_of_events_sqlite {
    ($rows:literal) => {
        concat!(
            "SELECT json_group_array(json_object(
         'position', position, 'stream_id', stream_id, 'stream_version', stream_version,
         'event_type', event_type, 'schema_version', schema_version, 'payload', json(payload),
         'actor', actor, 'function', function, 'decision_id', decision_id,
         'causation_id', causation_id, 'correlation_id', correlation_id,
         'occurred_at', occurred_at, 'recorded_at', recorded_at) ORDER BY position)
     FROM (",
            $rows,
            ")"
        )
    };
}

/// The same as [`page_of_events_sqlite`], for PostgreSQL.
macro_rules! page_of_events_postgres {
    ($rows:literal) => {
        concat!(
            "SELECT COALESCE(json_agg(json_build_object(
         'position', position, 'stream_id', stream_id, 'stream_version', stream_version,
         'event_type', event_type, 'schema_version', schema_version, 'payload', payload,
         'actor', actor, 'function', function, 'decision_id', decision_id,
         'causation_id', causation_id, 'correlation_id', correlation_id,
         'occurred_at', occurred_at, 'recorded_at', recorded_at) ORDER BY position), '[]')::text
     FROM (",
            $rows,
            ") page"
        )
    };
}

/// The events after position `$1`, at most `$2`.
const READ_PAGE: backend::PerBackend<&str> = backend::PerBackend {
    sqlite: page_of_events_sqlite!(
        "SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2"
    ),
    postgres: page_of_events_postgres!(
        "SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2"
    ),
};

/// The newest `$2` events of function `$1` (of every function when `$1`
/// is NULL).
pub(super) const NEWEST_EVENTS: backend::PerBackend<&str> = backend::PerBackend {
    sqlite: page_of_events_sqlite!(
        "SELECT * FROM events WHERE CAST($1 AS TEXT) IS NULL OR function = $1
         ORDER BY position DESC LIMIT $2"
    ),
    postgres: page_of_events_postgres!(
        "SELECT * FROM events WHERE CAST($1 AS TEXT) IS NULL OR function = $1
         ORDER BY position DESC LIMIT $2"
    ),
};

/// The events matching an [`EventFilter`] (`$1`–`$7`, each ignored when
/// NULL), newest first, at most `$8`. SQLite keeps times as text, so they
/// are compared as Julian days rather than as strings.
pub(super) const SEARCH_EVENTS: backend::PerBackend<&str> = backend::PerBackend {
    sqlite: page_of_events_sqlite!(
        "SELECT * FROM events
         WHERE (CAST($1 AS TEXT) IS NULL OR function = $1)
           AND (CAST($2 AS TEXT) IS NULL OR event_type = $2)
           AND (CAST($3 AS TEXT) IS NULL OR actor = $3)
           AND (CAST($4 AS TEXT) IS NULL OR stream_id = $4)
           AND ($5 IS NULL OR julianday(recorded_at) >= julianday($5))
           AND ($6 IS NULL OR julianday(recorded_at) < julianday($6))
           AND ($7 IS NULL OR position < $7)
         ORDER BY position DESC LIMIT $8"
    ),
    postgres: page_of_events_postgres!(
        "SELECT * FROM events
         WHERE (CAST($1 AS TEXT) IS NULL OR function = $1)
           AND (CAST($2 AS TEXT) IS NULL OR event_type = $2)
           AND (CAST($3 AS TEXT) IS NULL OR actor = $3)
           AND (CAST($4 AS TEXT) IS NULL OR stream_id = $4)
           AND (CAST($5 AS TIMESTAMPTZ) IS NULL OR recorded_at >= $5)
           AND (CAST($6 AS TIMESTAMPTZ) IS NULL OR recorded_at < $6)
           AND (CAST($7 AS BIGINT) IS NULL OR position < $7)
         ORDER BY position DESC LIMIT $8"
    ),
};

/// Up to `limit` events after `position`, read through `connection` (a
/// pooled connection, or an append's or a rebuild's transaction).
///
/// The page comes back as a single JSON array: sqlx hands every result row
/// across a thread boundary (SQLite) or decodes it separately (PostgreSQL),
/// and one row instead of thousands is what makes replaying a large log
/// fast (see docs/benchmarks.md).
pub async fn read_after(
    connection: Connection<'_>,
    position: i64,
    limit: i64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    decode_stored(read_stored_after(connection, position, limit).await?)
}

/// Up to `limit` events after `position`, as stored (undecoded): for
/// exports, which write them as they are.
pub(super) async fn read_stored_after(
    connection: Connection<'_>,
    position: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = READ_PAGE.get(connection.backend());
    let page: String = per_backend!(connection, Connection, c => {
        sqlx::query_scalar(sql).bind(position).bind(limit).fetch_one(c).await
    })
    .map_err(database(format!("read events after position {position}")))?;
    parse_page(&page, || {
        format!("(page of events after position {position})")
    })
}

/// The events at the positions of the JSON array `$1`.
const READ_POSITIONS: backend::PerBackend<&str> = backend::PerBackend {
    sqlite: page_of_events_sqlite!(
        "SELECT * FROM events WHERE position IN (SELECT value FROM json_each($1)) ORDER BY position"
    ),
    postgres: page_of_events_postgres!(
        "SELECT * FROM events
         WHERE position IN (SELECT value::bigint FROM json_array_elements_text($1::json))
         ORDER BY position"
    ),
};

/// The events at `positions`, in position order (positions the log does
/// not hold are left out).
pub async fn read_positions(
    connection: Connection<'_>,
    positions: &[i64],
) -> Result<Vec<RecordedEvent>, StoreError> {
    let sql = READ_POSITIONS.get(connection.backend());
    let listed = serde_json::Value::from(positions.to_vec()).to_string();
    let page: String = per_backend!(connection, Connection, c => {
        sqlx::query_scalar(sql).bind(&listed).fetch_one(c).await
    })
    .map_err(database("read events by position"))?;
    decode_page(&page, || "(events by position)".to_owned())
}

/// The events of a page read as one JSON array, as stored; `what` names
/// the page in an error.
fn parse_page(page: &str, what: impl FnOnce() -> String) -> Result<Vec<StoredEvent>, StoreError> {
    serde_json::from_str(page).map_err(|source| StoreError::Payload {
        event_type: what(),
        source,
    })
}

/// The events of a page read as one JSON array; `what` names the page in
/// an error.
pub(super) fn decode_page(
    page: &str,
    what: impl FnOnce() -> String,
) -> Result<Vec<RecordedEvent>, StoreError> {
    decode_stored(parse_page(page, what)?)
}

/// Events as stored, decoded: their actor and function parsed.
fn decode_stored(events: Vec<StoredEvent>) -> Result<Vec<RecordedEvent>, StoreError> {
    events
        .into_iter()
        .map(|event| {
            Ok(RecordedEvent {
                metadata: EventMetadata {
                    actor: Actor::parse(&event.actor).map_err(|_| StoreError::Corrupt {
                        what: "actor",
                        value: event.actor.clone(),
                    })?,
                    function: BusinessFunction::from_slug(&event.function).ok_or_else(|| {
                        StoreError::Corrupt {
                            what: "function",
                            value: event.function.clone(),
                        }
                    })?,
                    decision_id: event.decision_id,
                    causation_id: event.causation_id,
                    correlation_id: event.correlation_id,
                    idempotency_key: None,
                    occurred_at: event.occurred_at,
                },
                position: event.position,
                stream_id: event.stream_id,
                stream_version: event.stream_version,
                event_type: event.event_type,
                schema_version: event.schema_version,
                payload: event.payload,
                recorded_at: event.recorded_at,
            })
        })
        .collect()
}
