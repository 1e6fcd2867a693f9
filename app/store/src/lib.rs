//! The event log and the database under it (server only): Kiln's
//! `kiln-store` crate. It knows no business function; the application
//! hands it a [`registry::Registry`] of their event families, projectors
//! and checks when it opens the store.
//!
//! Invariants:
//! - the only writes to business tables happen inside [`EventStore::append`]
//!   (and [`projections::rebuild`], which replays the log): each append
//!   validates every event against the catalog, checks the stream version,
//!   and runs the inline projections in the same transaction, so a page read
//!   right after a write sees it and a failed projection writes nothing;
//! - the log has one writer at a time (SQLite: `BEGIN IMMEDIATE`;
//!   PostgreSQL: a transaction-scoped advisory lock, see
//!   [`backend::Database::begin_writing`]), so positions are committed in
//!   order and a reader following positions never skips one.

pub mod access_log;
mod append;
pub mod backend;
pub mod catalog;
pub mod contribution;
pub mod credentials;
mod error;
pub mod export;
pub mod holding;
pub mod integrity;
pub mod outbox;
pub mod projections;
mod read;
pub mod registry;
pub mod subscriptions;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
#[cfg(test)]
mod tests;

pub use error::StoreError;
pub use error::database;
use read::{NEWEST_EVENTS, SEARCH_EVENTS, StoredEvent, decode_page, read_stored_after};
pub use read::{read_after, read_positions};

use backend::{Backend, Connection, Database, PooledConnection};
use chrono::{DateTime, SubsecRound, Utc};
use kiln_core::event::{Actor, DomainEvent, StreamId};
use kiln_core::function::BusinessFunction;
use registry::Registry;
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The largest payload the log accepts, in bytes of JSON. Events describe
/// what happened; documents and pictures belong in files they point to.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// How many times [`EventStore::decide_and_append`] decides a command in
/// all when other appends to its stream keep getting in between.
pub const ATTEMPTS_ON_CONFLICT: usize = 3;

/// Events per multi-row INSERT: 11 parameters each stays far below SQLite's
/// limit of 32,766 parameters per statement (PostgreSQL's is 65,535).
const INSERT_CHUNK: usize = 500;

/// Why, on whose behalf and in which chain of messages events are appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventMetadata {
    /// The person, agent, part of the system or integration acting.
    pub actor: Actor,
    /// The business function posting the events; it must own them.
    pub function: BusinessFunction,
    /// The approved decision these events carry out, if any.
    pub decision_id: Option<String>,
    /// The message (command, event or agent message) that caused them.
    pub causation_id: Option<String>,
    /// The conversation or workflow they belong to.
    pub correlation_id: Option<String>,
    /// A key that makes the append safe to retry: repeating it returns the
    /// original events and writes nothing.
    pub idempotency_key: Option<String>,
    /// When the facts happened, if before they were recorded: history
    /// brought over from before Kiln (the demo's months of orders). Never
    /// after the recording. Readers that date facts use
    /// [`RecordedEvent::occurred_at`].
    pub occurred_at: Option<DateTime<Utc>>,
}

impl EventMetadata {
    /// Metadata with only the required parts: who acts, for which function.
    pub fn new(actor: Actor, function: BusinessFunction) -> Self {
        EventMetadata {
            actor,
            function,
            decision_id: None,
            causation_id: None,
            correlation_id: None,
            idempotency_key: None,
            occurred_at: None,
        }
    }

    /// The same metadata with an idempotency key.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// The same metadata for events that propose or carry out `decision`.
    pub fn with_decision(mut self, decision: &kiln_core::decision::DecisionId) -> Self {
        self.decision_id = Some(decision.to_string());
        self
    }

    /// The same metadata for facts that happened at `at`, before now.
    pub fn occurred_at(mut self, at: DateTime<Utc>) -> Self {
        self.occurred_at = Some(at);
        self
    }
}

/// An event on its way into the log, before it has a position: its type
/// name, the payload schema version it was written in, and the payload.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The stable type name, e.g. `ProductIntroduced`.
    pub event_type: String,
    /// The schema version `payload` is written in.
    pub schema_version: i64,
    /// The event's data.
    pub payload: serde_json::Value,
}

impl NewEvent {
    /// Encodes a typed event in the current schema version.
    pub fn encode<E: DomainEvent>(event: &E) -> Result<Self, StoreError> {
        let event_type = event.event_type();
        let payload = event.encode().map_err(|source| StoreError::Payload {
            event_type: event_type.to_owned(),
            source,
        })?;
        Ok(NewEvent {
            event_type: event_type.to_owned(),
            schema_version: E::SCHEMA_VERSION,
            payload,
        })
    }
}

/// An event as it stands in the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedEvent {
    /// The global position: strictly increasing, the order every reader sees.
    pub position: i64,
    /// The stream it belongs to.
    pub stream_id: String,
    /// Its version within the stream, from 1.
    pub stream_version: i64,
    /// Its stable type name.
    pub event_type: String,
    /// The schema version of `payload`.
    pub schema_version: i64,
    /// The event's data.
    pub payload: serde_json::Value,
    /// Who, for which function, and in which chain of messages.
    pub metadata: EventMetadata,
    /// When it was recorded (UTC).
    pub recorded_at: DateTime<Utc>,
}

impl RecordedEvent {
    /// When the fact happened: when it was recorded, unless it was brought
    /// in as history with an earlier date.
    pub fn occurred_at(&self) -> DateTime<Utc> {
        self.metadata.occurred_at.unwrap_or(self.recorded_at)
    }
}

/// Which events a search of the log asks for: every field that is set
/// must match, and an unset field matches every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Posted by this function.
    pub function: Option<BusinessFunction>,
    /// Of this type, e.g. `OrderPlaced`.
    pub event_type: Option<String>,
    /// Caused by this actor, e.g. `user:acc-…` or `system:demo`.
    pub actor: Option<String>,
    /// In this stream, e.g. `order-ord-…`.
    pub stream: Option<String>,
    /// Recorded at or after this moment.
    pub recorded_from: Option<DateTime<Utc>>,
    /// Recorded before this moment.
    pub recorded_before: Option<DateTime<Utc>>,
    /// Older than this position: the next page of a search.
    pub before_position: Option<i64>,
}

/// The result of an append.
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    /// The events as recorded (for a repeated idempotency key: as recorded
    /// the first time).
    pub events: Vec<RecordedEvent>,
    /// Whether this append repeated an earlier one and wrote nothing.
    pub repeated: bool,
    /// How many of `events` the quarantine's gate holds back from the
    /// tables (`store::holding`): flagged by an event check, or waiting
    /// behind such an event of their stream. They are in the log, and reach
    /// the tables when a person releases them; 0 almost always.
    pub held_back: usize,
}

impl Appended {
    /// Whether the quarantine holds back any of the appended events.
    pub fn is_held(&self) -> bool {
        self.held_back > 0
    }
}

/// A stream's events, decoded, and the version to expect when appending to it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedStream<E> {
    /// The stream's events, oldest first: those its function's rules
    /// count, which is all of them but the ones a person rejected in the
    /// quarantine while the gate held them back (`store::holding`): those
    /// never reached the tables, and the rules do not count them either.
    pub events: Vec<E>,
    /// The stream's current version (0 for a stream with no events yet).
    pub version: i64,
}

/// The event log, on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct EventStore {
    database: Database,
    live: broadcast::Sender<RecordedEvent>,
    registry: Arc<Registry>,
}

impl EventStore {
    /// Opens the log at `url`: `sqlite://path/to/kiln.db` (the file is
    /// created if missing; its directory must exist) or
    /// `postgres://user:password@host:port/database` (the database must
    /// exist). See [`Database`] for how each is set up. `registry` tells
    /// the store the functions' events, projectors and checks.
    pub async fn open(url: &str, registry: Arc<Registry>) -> Result<Self, StoreError> {
        let database = match Backend::of_url(url)? {
            Backend::Sqlite => Database::open_sqlite(url).await?,
            Backend::Postgres => Database::open_postgres(backend::postgres_options(url)?).await?,
        };
        Ok(Self::with_database(database, registry))
    }

    fn with_database(database: Database, registry: Arc<Registry>) -> Self {
        // Live subscribers that fall this far behind are told they lagged
        // and can catch up from the log.
        let (live, _) = broadcast::channel(1024);
        EventStore {
            database,
            live,
            registry,
        }
    }

    /// The functions' events, projectors and checks this store was opened
    /// with.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// For a SQLite URL, the file it points at, so the caller can create its
    /// directory; `None` for a server database.
    pub fn database_file(url: &str) -> Result<Option<std::path::PathBuf>, StoreError> {
        Ok(match Backend::of_url(url)? {
            Backend::Sqlite => Some(backend::sqlite_options(url)?.get_filename().to_path_buf()),
            Backend::Postgres => None,
        })
    }

    /// Brings the schema up to date; safe to run on every start.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.database.migrate().await
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        per_backend!(&self.database, Database, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
            .map_err(database("answer a ping"))?;
        Ok(())
    }

    /// Waits for open queries to finish and closes every connection (on
    /// SQLite this also checkpoints the WAL into the database file).
    pub async fn close(&self) {
        self.database.close().await;
    }

    /// The database, for the projection and check modules to read from.
    /// Writes go through [`EventStore::append`] only.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// The engine the log is on.
    pub fn backend(&self) -> Backend {
        self.database.backend()
    }

    /// Every event committed from now on, as it is committed, for live views
    /// (server-sent events). A receiver that falls behind gets `Lagged` and
    /// should catch up with [`EventStore::read_after`].
    pub fn subscribe_live(&self) -> broadcast::Receiver<RecordedEvent> {
        self.live.subscribe()
    }

    /// How many events the log holds.
    pub async fn event_count(&self) -> Result<i64, StoreError> {
        per_backend!(&self.database, Database, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(pool).await
        })
        .map_err(database("count events"))
    }

    /// The position of the newest event (0 for an empty log).
    pub async fn head_position(&self) -> Result<i64, StoreError> {
        per_backend!(&self.database, Database, pool => {
            sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM events")
                .fetch_one(pool)
                .await
        })
        .map_err(database("read the head position"))
    }

    /// How many events each function has posted, most first (functions
    /// that posted none are left out).
    pub async fn events_per_function(&self) -> Result<Vec<(BusinessFunction, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = per_backend!(&self.database, Database, pool => {
            sqlx::query_as(
                "SELECT function, COUNT(*) FROM events GROUP BY function ORDER BY 2 DESC, 1",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(database("count events per function"))?;
        rows.into_iter()
            .map(|(slug, count)| {
                let function = BusinessFunction::from_slug(&slug).ok_or(StoreError::Corrupt {
                    what: "function",
                    value: slug,
                })?;
                Ok((function, count))
            })
            .collect()
    }

    /// How many events each function recorded in each month from
    /// `first_month` (`YYYY-MM`) on, by the month (UTC) their facts
    /// happened: `(month, function, events)`, oldest month first. Reads
    /// the whole log, like [`EventStore::events_per_function`].
    pub async fn events_per_month(
        &self,
        first_month: &str,
    ) -> Result<Vec<(String, BusinessFunction, i64)>, StoreError> {
        const SQL: backend::PerBackend<&str> = backend::PerBackend {
            sqlite: "SELECT month, function, COUNT(*) FROM (
                       SELECT strftime('%Y-%m', COALESCE(occurred_at, recorded_at)) AS month, function
                       FROM events) AS dated
                     WHERE month >= $1 GROUP BY month, function ORDER BY month, function",
            postgres: "SELECT month, function, COUNT(*) FROM (
                         SELECT to_char(COALESCE(occurred_at, recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
                                function
                         FROM events) AS dated
                       WHERE month >= $1 GROUP BY month, function ORDER BY month, function",
        };
        let sql = SQL.get(self.backend());
        let rows: Vec<(String, String, i64)> = per_backend!(&self.database, Database, pool => {
            sqlx::query_as(sql).bind(first_month).fetch_all(pool).await
        })
        .map_err(database("count events per month"))?;
        rows.into_iter()
            .map(|(month, slug, count)| {
                let function = BusinessFunction::from_slug(&slug).ok_or(StoreError::Corrupt {
                    what: "function",
                    value: slug,
                })?;
                Ok((month, function, count))
            })
            .collect()
    }

    /// The functions that posted events after `after` up to and including
    /// `through`, without reading the events themselves.
    pub async fn functions_posting_between(
        &self,
        after: i64,
        through: i64,
    ) -> Result<Vec<BusinessFunction>, StoreError> {
        let slugs: Vec<String> = per_backend!(&self.database, Database, pool => {
            sqlx::query_scalar(
                "SELECT DISTINCT function FROM events WHERE position > $1 AND position <= $2",
            )
            .bind(after)
            .bind(through)
            .fetch_all(pool)
            .await
        })
        .map_err(database(format!("list functions posting after {after}")))?;
        slugs
            .into_iter()
            .map(|slug| {
                BusinessFunction::from_slug(&slug).ok_or(StoreError::Corrupt {
                    what: "function",
                    value: slug,
                })
            })
            .collect()
    }

    /// The events after `after` up to `through` of the given types and not
    /// appended by `not_by`: how many there are, and the position, type and
    /// stream of the first `listed`. Reads no payload, so a reader that
    /// only needs to know what woke it (an agent) scans a long stretch of
    /// the log cheaply.
    pub async fn count_of_types_between(
        &self,
        after: i64,
        through: i64,
        types: &[&str],
        not_by: &Actor,
        listed: i64,
    ) -> Result<(u64, Vec<(i64, String, String)>), StoreError> {
        const MATCHING: backend::PerBackend<&str> = backend::PerBackend {
            sqlite: "position > $1 AND position <= $2 AND actor <> $3
                     AND event_type IN (SELECT value FROM json_each($4))",
            postgres: "position > $1 AND position <= $2 AND actor <> $3
                       AND event_type IN (SELECT jsonb_array_elements_text(CAST($4 AS TEXT)::jsonb))",
        };
        let matching = MATCHING.get(self.backend());
        let types = serde_json::to_string(types).map_err(|source| StoreError::Payload {
            event_type: "event type list".to_owned(),
            source,
        })?;
        let actor = not_by.to_string();
        let operation = || format!("count events of {types} after {after}");
        let count_statement = format!("SELECT COUNT(*) FROM events WHERE {matching}");
        let count: i64 = per_backend!(&self.database, Database, pool => {
            sqlx::query_scalar(&count_statement)
                .bind(after)
                .bind(through)
                .bind(&actor)
                .bind(&types)
                .fetch_one(pool)
                .await
        })
        .map_err(database(operation()))?;
        let list_statement = format!(
            "SELECT position, event_type, stream_id FROM events WHERE {matching}
             ORDER BY position LIMIT $5"
        );
        let first: Vec<(i64, String, String)> = per_backend!(&self.database, Database, pool => {
            sqlx::query_as(&list_statement)
                .bind(after)
                .bind(through)
                .bind(&actor)
                .bind(&types)
                .bind(listed)
                .fetch_all(pool)
                .await
        })
        .map_err(database(operation()))?;
        Ok((u64::try_from(count).unwrap_or(0), first))
    }

    /// Up to `limit` events after `position`, in position order.
    pub async fn read_after(
        &self,
        position: i64,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut connection = self.acquire().await?;
        read_after(connection.connection(), position, limit).await
    }

    /// The newest `limit` events of `function` (of every function when
    /// `None`), newest first: a page's event feed.
    pub async fn newest_events(
        &self,
        function: Option<BusinessFunction>,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let sql = NEWEST_EVENTS.get(self.backend());
        let slug = function.map(BusinessFunction::slug);
        let page: String = per_backend!(&self.database, Database, pool => {
            sqlx::query_scalar(sql).bind(slug).bind(limit).fetch_one(pool).await
        })
        .map_err(database("read the newest events"))?;
        let mut events = decode_page(&page, || "(newest events)".to_owned())?;
        events.reverse();
        Ok(events)
    }

    /// The newest `limit` events that match `filter`, newest first: the
    /// Database Manager's event search. Older pages follow with
    /// [`EventFilter::before_position`] set to the last position seen.
    pub async fn search_events(
        &self,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let sql = SEARCH_EVENTS.get(self.backend());
        let page: String = per_backend!(&self.database, Database, pool => {
            sqlx::query_scalar(sql)
                .bind(filter.function.map(BusinessFunction::slug))
                .bind(filter.event_type.as_deref())
                .bind(filter.actor.as_deref())
                .bind(filter.stream.as_deref())
                .bind(filter.recorded_from)
                .bind(filter.recorded_before)
                .bind(filter.before_position)
                .bind(limit)
                .fetch_one(pool)
                .await
        })
        .map_err(database("search the events"))?;
        let mut events = decode_page(&page, || "(event search)".to_owned())?;
        events.reverse();
        Ok(events)
    }

    /// The event at `position`, if the log has one there.
    pub async fn event_at(&self, position: i64) -> Result<Option<RecordedEvent>, StoreError> {
        let mut connection = self.acquire().await?;
        let found = read_after(connection.connection(), position.saturating_sub(1), 1).await?;
        Ok(found.into_iter().find(|event| event.position == position))
    }

    /// A connection from the pool, for reads that run several statements.
    pub async fn acquire(&self) -> Result<PooledConnection, StoreError> {
        Ok(match &self.database {
            Database::Sqlite(pool) => PooledConnection::Sqlite(
                pool.acquire()
                    .await
                    .map_err(database("take a connection from the pool"))?,
            ),
            Database::Postgres(pool) => PooledConnection::Postgres(
                pool.acquire()
                    .await
                    .map_err(database("take a connection from the pool"))?,
            ),
        })
    }

    /// Reads and decodes every event of a stream.
    pub async fn load<E: DomainEvent>(
        &self,
        stream: &StreamId,
    ) -> Result<LoadedStream<E>, StoreError> {
        let rows: Vec<(String, i64, String, i64, i64)> =
            per_backend!(&self.database, Database, pool => {
                sqlx::query_as(
                    "SELECT event_type, schema_version, CAST(payload AS TEXT), stream_version,
                            CAST(CASE WHEN EXISTS (SELECT 1 FROM rejected_events r
                                                   WHERE r.position = events.position)
                                      THEN 1 ELSE 0 END AS BIGINT)
                     FROM events WHERE stream_id = $1 ORDER BY stream_version",
                )
                .bind(stream.as_str())
                .fetch_all(pool)
                .await
            })
            .map_err(database(format!("load stream {stream}")))?;

        let mut loaded = LoadedStream {
            events: Vec::with_capacity(rows.len()),
            version: 0,
        };
        for (event_type, schema_version, payload, version, rejected) in rows {
            // A rejected event still counts towards the version: the log
            // has it, and the next append comes after it.
            loaded.version = version;
            if rejected != 0 {
                continue;
            }
            let payload = serde_json::from_str(&payload).map_err(|source| StoreError::Payload {
                event_type: event_type.clone(),
                source,
            })?;
            let event = E::decode(&event_type, schema_version, payload)
                .map_err(|source| StoreError::Payload { event_type, source })?;
            loaded.events.push(event);
        }
        Ok(loaded)
    }
}
