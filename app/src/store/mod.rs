//! The event log and the database under it (server only).
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
pub mod backend;
pub mod catalog;
pub mod credentials;
pub mod export;
pub mod holding;
pub mod integrity;
pub mod outbox;
pub mod projections;
pub mod registry;
pub mod subscriptions;
#[cfg(test)]
pub(crate) mod testing;

use crate::event::{Actor, DomainEvent, StreamId};
use crate::functions::BusinessFunction;
use backend::{Backend, Connection, Database, PooledConnection, per_backend};
use chrono::{DateTime, SubsecRound, Utc};
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
    pub fn with_decision(mut self, decision: &crate::decision::DecisionId) -> Self {
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

/// Why the event store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL could not be used.
    #[error("cannot use database URL “{url}”: {reason}")]
    Configuration {
        /// The URL as given (it holds no password for SQLite).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The database refused or failed an operation.
    #[error("database failed to {operation}")]
    Database {
        /// What Kiln was doing, e.g. "append to product-MUG-1".
        operation: String,
        /// The database's own error.
        source: sqlx::Error,
    },
    /// Applying the migrations failed.
    #[error("database migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Someone else appended to the stream since the caller read it.
    #[error(
        "stream {stream} is at version {actual}, not the expected {expected}: reload and try again"
    )]
    Conflict {
        /// The contested stream.
        stream: String,
        /// The version the caller based its decision on.
        expected: i64,
        /// The version the stream is really at.
        actual: i64,
    },
    /// History can be brought in with the date it happened, but nothing is
    /// recorded as having happened after the moment it is written.
    #[error("events for {stream} cannot have happened at {occurred_at}, which is in the future")]
    OccurredInFuture {
        /// The stream being appended to.
        stream: String,
        /// The refused date.
        occurred_at: DateTime<Utc>,
    },
    /// An event offered for the log is not one the catalog knows, or its
    /// payload does not fit its type. Nothing of the append was written.
    #[error("event {event_type} for {function} was refused: {reason}")]
    InvalidEvent {
        /// The event type as offered.
        event_type: String,
        /// The function it was offered for.
        function: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A payload could not be written or read as its event type.
    #[error("event {event_type} could not be (de)serialised")]
    Payload {
        /// The event type concerned.
        event_type: String,
        /// The serialisation error.
        source: serde_json::Error,
    },
    /// A stored value that must parse did not.
    #[error("stored {what} is invalid: {value}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// The offending value.
        value: String,
    },
    /// A projection name that no projector has.
    #[error("there is no projection called “{name}”; known projections: {known}")]
    UnknownProjection {
        /// The name asked for.
        name: String,
        /// The names that exist, comma-separated.
        known: String,
    },
}

pub(crate) fn database(operation: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let operation = operation.into();
    move |source| StoreError::Database { operation, source }
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
    pub(crate) async fn acquire(&self) -> Result<PooledConnection, StoreError> {
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

    /// The one command path every function's service takes: loads
    /// `stream`, hands its events to `decide` (a function's pure rules,
    /// folding the events into the state they read), and appends what it
    /// decided with `metadata` if the stream is still where it was. When
    /// another append got in between, it decides again against what that
    /// recorded, up to [`ATTEMPTS_ON_CONFLICT`] times in all; a refusal
    /// from `decide` appends nothing.
    pub async fn decide_and_append<E, Refusal>(
        &self,
        stream: &StreamId,
        metadata: &EventMetadata,
        mut decide: impl FnMut(&[E]) -> Result<Vec<E>, Refusal>,
    ) -> Result<Appended, Refusal>
    where
        E: DomainEvent,
        Refusal: From<StoreError>,
    {
        let mut attempt = 1;
        loop {
            let history = self.load::<E>(stream).await?;
            let events = decide(&history.events)?;
            match self
                .append(stream, history.version, &events, metadata)
                .await
            {
                Err(StoreError::Conflict { .. }) if attempt < ATTEMPTS_ON_CONFLICT => attempt += 1,
                appended => return Ok(appended?),
            }
        }
    }

    /// Appends typed events to `stream` if it is still at `expected_version`.
    pub async fn append<E: DomainEvent>(
        &self,
        stream: &StreamId,
        expected_version: i64,
        events: &[E],
        metadata: &EventMetadata,
    ) -> Result<Appended, StoreError> {
        let events = events
            .iter()
            .map(NewEvent::encode)
            .collect::<Result<Vec<_>, _>>()?;
        self.append_checked(
            stream,
            expected_version,
            events,
            metadata,
            catalog::PayloadCheck::EncodedFromType,
        )
        .await
    }

    /// Appends events given as type name, schema version and JSON payload
    /// (from an import or an integration) if `stream` is still at
    /// `expected_version`: each is checked against the event catalog, then
    /// all are written with their inline projections in one transaction, or
    /// none is.
    pub async fn append_new(
        &self,
        stream: &StreamId,
        expected_version: i64,
        events: Vec<NewEvent>,
        metadata: &EventMetadata,
    ) -> Result<Appended, StoreError> {
        self.append_checked(
            stream,
            expected_version,
            events,
            metadata,
            catalog::PayloadCheck::Decode,
        )
        .await
    }

    async fn append_checked(
        &self,
        stream: &StreamId,
        expected_version: i64,
        events: Vec<NewEvent>,
        metadata: &EventMetadata,
        check: catalog::PayloadCheck,
    ) -> Result<Appended, StoreError> {
        let payloads = events
            .iter()
            .map(|event| catalog::validate(&self.registry, metadata.function, event, check))
            .collect::<Result<Vec<String>, _>>()?;
        let operation = format!("append to {stream}");
        let mut tx = self.database.begin_writing(&operation).await?;

        if let Some(key) = &metadata.idempotency_key {
            let earlier: Option<(i64, i64)> = per_backend!(tx.connection(), Connection, c => {
                sqlx::query_as(
                    "SELECT first_position, last_position FROM idempotency_keys WHERE idempotency_key = $1",
                )
                .bind(key)
                .fetch_optional(c)
                .await
            })
            .map_err(database(&operation))?;
            if let Some((first, last)) = earlier {
                let mut events = read_after(tx.connection(), first - 1, last - first + 1).await?;
                for event in &mut events {
                    event.metadata.idempotency_key = Some(key.clone());
                }
                let positions: Vec<i64> = events.iter().map(|event| event.position).collect();
                let held_back = holding::held_among(tx.connection(), &positions).await?;
                return Ok(Appended {
                    events,
                    repeated: true,
                    held_back,
                });
            }
        }

        let actual: i64 = per_backend!(tx.connection(), Connection, c => {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = $1",
            )
            .bind(stream.as_str())
            .fetch_one(c)
            .await
        })
        .map_err(database(&operation))?;
        if actual != expected_version {
            return Err(StoreError::Conflict {
                stream: stream.to_string(),
                expected: expected_version,
                actual,
            });
        }

        // Microseconds: what both engines store, so the events returned here
        // equal the events read back later.
        let recorded_at = Utc::now().trunc_subsecs(6);
        let mut metadata = metadata.clone();
        if let Some(occurred_at) = metadata.occurred_at {
            if occurred_at > recorded_at {
                return Err(StoreError::OccurredInFuture {
                    stream: stream.to_string(),
                    occurred_at,
                });
            }
            metadata.occurred_at = Some(occurred_at.trunc_subsecs(6));
        }
        let metadata = &metadata;
        // One multi-row INSERT per chunk: statements, not rows, are what
        // database round trips cost (see docs/benchmarks.md).
        let mut positions = Vec::with_capacity(events.len());
        let numbered: Vec<(i64, &NewEvent, &String)> = (expected_version + 1..)
            .zip(events.iter().zip(&payloads))
            .map(|(version, (event, payload))| (version, event, payload))
            .collect();
        for chunk in numbered.chunks(INSERT_CHUNK) {
            let rows = EventRows {
                stream,
                rows: chunk,
                metadata,
                recorded_at,
            };
            match tx.connection() {
                Connection::Sqlite(c) => {
                    let inserted = rows
                        .insert::<sqlx::Sqlite>("")
                        .build()
                        .execute(c)
                        .await
                        .map_err(database(&operation))?;
                    // Under the write lock, AUTOINCREMENT gives the rows of one
                    // statement consecutive positions ending at the last rowid;
                    // RETURNING would hand back one result row per event.
                    let last = inserted.last_insert_rowid();
                    let count = chunk.len() as i64;
                    positions.extend(last - count + 1..=last);
                }
                Connection::Postgres(c) => {
                    let mut insert = rows.insert::<sqlx::Postgres>("::jsonb");
                    insert.push(" RETURNING position");
                    let returned: Vec<i64> = insert
                        .build_query_scalar()
                        .fetch_all(c)
                        .await
                        .map_err(database(&operation))?;
                    positions.extend(returned);
                }
            }
        }

        let recorded: Vec<RecordedEvent> = (expected_version + 1..)
            .zip(events.into_iter().zip(positions))
            .map(|(stream_version, (event, position))| RecordedEvent {
                position,
                stream_id: stream.to_string(),
                stream_version,
                event_type: event.event_type,
                schema_version: event.schema_version,
                payload: event.payload,
                metadata: metadata.clone(),
                recorded_at,
            })
            .collect();
        let passed = holding::pass_inline(&self.registry, tx.connection(), &recorded).await?;
        projections::apply_inline(&self.registry, tx.connection(), &passed.applied).await?;
        let held_back = passed.held_back;

        if let (Some(key), Some(first), Some(last)) =
            (&metadata.idempotency_key, recorded.first(), recorded.last())
        {
            per_backend!(tx.connection(), Connection, c => {
                sqlx::query(
                    "INSERT INTO idempotency_keys (idempotency_key, stream_id, first_position, last_position)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(key)
                .bind(stream.as_str())
                .bind(first.position)
                .bind(last.position)
                .execute(c)
                .await
                .map(|_| ())
            })
            .map_err(database(&operation))?;
        }

        tx.commit(&operation).await?;
        for event in &recorded {
            // No live subscriber is not an error: nobody is watching.
            let _ = self.live.send(event.clone());
        }
        Ok(Appended {
            events: recorded,
            repeated: false,
            held_back,
        })
    }
}

/// One event as the log stores it, columns as they are: what a page read
/// by [`read_after`] holds before it is decoded, and what an export
/// (`export.rs`) writes and reads.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StoredEvent {
    position: i64,
    stream_id: String,
    stream_version: i64,
    event_type: String,
    schema_version: i64,
    payload: serde_json::Value,
    actor: String,
    function: String,
    decision_id: Option<String>,
    causation_id: Option<String>,
    correlation_id: Option<String>,
    occurred_at: Option<DateTime<Utc>>,
    recorded_at: DateTime<Utc>,
}

/// The rows of one multi-row INSERT into the log.
struct EventRows<'a> {
    stream: &'a StreamId,
    /// Each event with its stream version and its validated payload text.
    rows: &'a [(i64, &'a NewEvent, &'a String)],
    metadata: &'a EventMetadata,
    recorded_at: DateTime<Utc>,
}

impl<'a> EventRows<'a> {
    /// The INSERT statement for engine `DB`; `payload_cast` is appended to
    /// each payload parameter (PostgreSQL stores payloads as `jsonb`).
    fn insert<DB>(&self, payload_cast: &str) -> sqlx::QueryBuilder<'a, DB>
    where
        DB: sqlx::Database,
        for<'q> DB::Arguments<'q>: Default,
        &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        Option<&'a str>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        Option<DateTime<Utc>>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        let mut insert = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO events (stream_id, stream_version, event_type, schema_version, payload, \
             actor, function, decision_id, causation_id, correlation_id, occurred_at, recorded_at) ",
        );
        let metadata = self.metadata;
        let stream = self.stream.as_str();
        let recorded_at = self.recorded_at;
        insert.push_values(self.rows, |mut row, (version, event, payload)| {
            row.push_bind(stream)
                .push_bind(*version)
                .push_bind(event.event_type.as_str())
                .push_bind(event.schema_version)
                .push_bind(payload.as_str())
                .push_unseparated(payload_cast)
                .push_bind(metadata.actor.as_str())
                .push_bind(metadata.function.slug())
                .push_bind(metadata.decision_id.as_deref())
                .push_bind(metadata.causation_id.as_deref())
                .push_bind(metadata.correlation_id.as_deref())
                .push_bind(metadata.occurred_at)
                .push_bind(recorded_at);
        });
        insert
    }
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
const NEWEST_EVENTS: backend::PerBackend<&str> = backend::PerBackend {
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
const SEARCH_EVENTS: backend::PerBackend<&str> = backend::PerBackend {
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
pub(crate) async fn read_after(
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
pub(crate) async fn read_positions(
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
fn decode_page(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::category::events::{CategoryEvent, Collection, ProductIntroduced, Sku};
    use crate::money::{Currency, Money};
    use crate::store::testing::store_tests;
    use serde_json::json;

    fn introduced(sku: &str) -> CategoryEvent {
        CategoryEvent::ProductIntroduced(ProductIntroduced {
            sku: Sku::parse(sku).expect("valid SKU"),
            name: "Jug".into(),
            collection: Collection::Tableware,
            description: String::new(),
            base_price: Money::new(3900, Currency::Usd),
            image: "/products/jug.svg".into(),
            variant: None,
            unit_cost: None,
        })
    }

    fn category_metadata() -> EventMetadata {
        EventMetadata::new(Actor::system("test"), BusinessFunction::Category)
    }

    fn jug_stream() -> StreamId {
        StreamId::product(&Sku::parse("JUG-1").expect("valid SKU"))
    }

    fn raw(event_type: &str, schema_version: i64, payload: serde_json::Value) -> NewEvent {
        NewEvent {
            event_type: event_type.into(),
            schema_version,
            payload,
        }
    }

    async fn assert_refused_and_nothing_written(
        store: &EventStore,
        event: NewEvent,
        expected_reason: &str,
    ) {
        let result = store
            .append_new(&jug_stream(), 0, vec![event], &category_metadata())
            .await;
        match result {
            Err(error @ StoreError::InvalidEvent { .. }) => assert!(
                error.to_string().contains(expected_reason),
                "“{error}” does not say “{expected_reason}”"
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(store.event_count().await.expect("count"), 0);
        let catalog = crate::store::projections::checksum_now(store, "catalog_products")
            .await
            .expect("checksum the catalog");
        assert_eq!(catalog.rows, 0);
    }

    fn valid_payload() -> serde_json::Value {
        crate::event::encode_tagged(&introduced("JUG-1")).expect("encode")
    }

    store_tests! {
        async fn the_newest_events_of_a_function_come_newest_first_and_are_counted_per_function(store) {
            for (index, sku) in ["JUG-1", "JUG-2", "JUG-3"].into_iter().enumerate() {
                store
                    .append(
                        &StreamId::product(&Sku::parse(sku).expect("valid SKU")),
                        0,
                        &[introduced(sku)],
                        &category_metadata(),
                    )
                    .await
                    .unwrap_or_else(|error| panic!("append {index}: {error}"));
            }
            let newest = store
                .newest_events(Some(BusinessFunction::Category), 2)
                .await
                .expect("read");
            let positions: Vec<i64> = newest.iter().map(|event| event.position).collect();
            let all = store.read_after(0, 10).await.expect("read all");
            assert_eq!(positions, vec![all[2].position, all[1].position]);
            assert_eq!(newest[0].stream_id, "product-JUG-3");
            assert!(
                store
                    .newest_events(Some(BusinessFunction::Customers), 10)
                    .await
                    .expect("read")
                    .is_empty()
            );
            assert_eq!(store.newest_events(None, 10).await.expect("read").len(), 3);
            assert_eq!(
                store.events_per_function().await.expect("count"),
                vec![(BusinessFunction::Category, 3)]
            );
        }

        async fn events_are_counted_per_month_by_when_their_facts_happened(store) {
            store
                .append(
                    &StreamId::product(&Sku::parse("JUG-1").expect("valid SKU")),
                    0,
                    &[introduced("JUG-1")],
                    &category_metadata(),
                )
                .await
                .expect("append now");
            let earlier = EventMetadata {
                occurred_at: Some("2026-03-15T12:00:00Z".parse().expect("a time")),
                ..category_metadata()
            };
            for sku in ["JUG-2", "JUG-3"] {
                store
                    .append(
                        &StreamId::product(&Sku::parse(sku).expect("valid SKU")),
                        0,
                        &[introduced(sku)],
                        &earlier,
                    )
                    .await
                    .expect("append history");
            }
            let this_month = Utc::now().format("%Y-%m").to_string();
            assert_eq!(
                store.events_per_month("2026-01").await.expect("count"),
                vec![
                    ("2026-03".to_owned(), BusinessFunction::Category, 2),
                    (this_month.clone(), BusinessFunction::Category, 1),
                ]
            );
            assert_eq!(
                store.events_per_month(&this_month).await.expect("count"),
                vec![(this_month, BusinessFunction::Category, 1)]
            );
        }

        async fn an_event_search_matches_every_filter_given_and_pages_backwards(store) {
            for sku in ["JUG-1", "JUG-2", "JUG-3"] {
                store
                    .append(
                        &StreamId::product(&Sku::parse(sku).expect("valid SKU")),
                        0,
                        &[introduced(sku)],
                        &category_metadata(),
                    )
                    .await
                    .expect("append");
            }
            let all = store.read_after(0, 10).await.expect("read all");
            let positions = |events: Vec<RecordedEvent>| -> Vec<i64> {
                events.iter().map(|event| event.position).collect()
            };
            let search = |filter: EventFilter| {
                let store = store.clone();
                async move { store.search_events(&filter, 10).await.expect("search") }
            };

            let everything = search(EventFilter::default()).await;
            assert_eq!(positions(everything), vec![all[2].position, all[1].position, all[0].position]);

            let one_stream = EventFilter {
                stream: Some("product-JUG-2".into()),
                ..EventFilter::default()
            };
            assert_eq!(positions(search(one_stream).await), vec![all[1].position]);

            let matching_all = EventFilter {
                function: Some(BusinessFunction::Category),
                event_type: Some("ProductIntroduced".into()),
                actor: Some("system:test".into()),
                recorded_from: Some(all[0].recorded_at - chrono::Duration::minutes(1)),
                recorded_before: Some(all[2].recorded_at + chrono::Duration::minutes(1)),
                ..EventFilter::default()
            };
            assert_eq!(search(matching_all.clone()).await.len(), 3);

            for not_matching in [
                EventFilter { function: Some(BusinessFunction::Customers), ..matching_all.clone() },
                EventFilter { event_type: Some("ProductRevised".into()), ..matching_all.clone() },
                EventFilter { actor: Some("system:demo".into()), ..matching_all.clone() },
                EventFilter { recorded_from: Some(all[2].recorded_at + chrono::Duration::minutes(1)), ..matching_all.clone() },
                EventFilter { recorded_before: Some(all[0].recorded_at - chrono::Duration::minutes(1)), ..matching_all.clone() },
            ] {
                assert!(search(not_matching.clone()).await.is_empty(), "{not_matching:?}");
            }

            let first_page = store.search_events(&EventFilter::default(), 2).await.expect("search");
            assert_eq!(positions(first_page.clone()), vec![all[2].position, all[1].position]);
            let older = EventFilter {
                before_position: first_page.last().map(|event| event.position),
                ..EventFilter::default()
            };
            assert_eq!(positions(search(older).await), vec![all[0].position]);

            assert_eq!(store.event_at(all[1].position).await.expect("read"), Some(all[1].clone()));
            assert_eq!(store.event_at(all[2].position + 1).await.expect("read"), None);
        }

        async fn appended_events_load_back_with_the_stream_version(store) {
            let appended = store
                .append(
                    &jug_stream(),
                    0,
                    &[introduced("JUG-1")],
                    &category_metadata(),
                )
                .await
                .expect("append to a new stream");
            assert_eq!(appended.events[0].stream_version, 1);
            assert!(!appended.repeated);
            let read = store.read_after(0, 10).await.expect("read");
            assert_eq!(read, appended.events, "recorded and stored events differ");

            let loaded: LoadedStream<CategoryEvent> = store.load(&jug_stream()).await.expect("load");
            assert_eq!(
                loaded,
                LoadedStream {
                    events: vec![introduced("JUG-1")],
                    version: 1
                }
            );
        }

        async fn an_append_expecting_a_stale_version_is_a_conflict_and_writes_nothing(store) {
            store
                .append(
                    &jug_stream(),
                    0,
                    &[introduced("JUG-1")],
                    &category_metadata(),
                )
                .await
                .expect("first append");

            let second = store
                .append(
                    &jug_stream(),
                    0,
                    &[introduced("JUG-1")],
                    &category_metadata(),
                )
                .await;
            assert!(
                matches!(
                    second,
                    Err(StoreError::Conflict {
                        expected: 0,
                        actual: 1,
                        ..
                    })
                ),
                "{second:?}"
            );
            assert_eq!(store.event_count().await.expect("count"), 1);
        }

        async fn an_append_repeated_with_its_idempotency_key_returns_the_original_and_writes_nothing(store) {
            let metadata = category_metadata().with_idempotency_key("introduce-jug-1");
            let first = store
                .append(&jug_stream(), 0, &[introduced("JUG-1")], &metadata)
                .await
                .expect("first append");
            // The retry still believes the stream is new: without the key this
            // would be a conflict.
            let retry = store
                .append(&jug_stream(), 0, &[introduced("JUG-1")], &metadata)
                .await
                .expect("retry");
            assert!(retry.repeated);
            assert_eq!(retry.events, first.events);
            assert_eq!(store.event_count().await.expect("count"), 1);
        }

        async fn metadata_is_recorded_and_read_back(store) {
            let metadata = EventMetadata {
                decision_id: Some("decision-7".into()),
                causation_id: Some("command-12".into()),
                correlation_id: Some("launch-autumn".into()),
                ..category_metadata()
            };
            store
                .append(&jug_stream(), 0, &[introduced("JUG-1")], &metadata)
                .await
                .expect("append");
            let read = store.read_after(0, 10).await.expect("read");
            assert_eq!(read[0].metadata, metadata);
        }

        async fn history_keeps_the_date_it_happened_beside_the_date_it_was_recorded(store) {
            let happened = "2026-03-14T09:30:00Z".parse::<DateTime<Utc>>().expect("date");
            let metadata = category_metadata().occurred_at(happened);
            store
                .append(&jug_stream(), 0, &[introduced("JUG-1")], &metadata)
                .await
                .expect("append");
            let read = store.read_after(0, 10).await.expect("read");
            assert_eq!(read[0].occurred_at(), happened);
            assert!(read[0].recorded_at > happened);
        }

        async fn an_event_without_a_history_date_happened_when_recorded(store) {
            store
                .append(&jug_stream(), 0, &[introduced("JUG-1")], &category_metadata())
                .await
                .expect("append");
            let read = store.read_after(0, 10).await.expect("read");
            assert_eq!(read[0].occurred_at(), read[0].recorded_at);
        }

        async fn nothing_is_recorded_as_happening_in_the_future(store) {
            let tomorrow = Utc::now() + chrono::Duration::days(1);
            let refused = store
                .append(
                    &jug_stream(),
                    0,
                    &[introduced("JUG-1")],
                    &category_metadata().occurred_at(tomorrow),
                )
                .await;
            assert!(
                matches!(refused, Err(StoreError::OccurredInFuture { .. })),
                "{refused:?}"
            );
            assert_eq!(store.event_count().await.expect("count"), 0);
        }

        async fn an_unknown_event_type_is_refused(store) {
            assert_refused_and_nothing_written(
                &store,
                raw("ProductTeleported", 1, valid_payload()),
                "category has no event type ProductTeleported",
            )
            .await;
        }

        async fn a_malformed_payload_is_refused(store) {
            assert_refused_and_nothing_written(
                &store,
                raw("ProductIntroduced", 1, json!({ "sku": "JUG-1" })),
                "the payload does not fit ProductIntroduced version 1: missing field `name`",
            )
            .await;
        }

        async fn a_payload_with_an_invalid_sku_is_refused(store) {
            let mut payload = valid_payload();
            payload["sku"] = json!("not a sku");
            assert_refused_and_nothing_written(
                &store,
                raw("ProductIntroduced", 1, payload),
                "is not a SKU",
            )
            .await;
        }

        async fn an_oversized_payload_is_refused(store) {
            let mut payload = valid_payload();
            payload["description"] = json!("x".repeat(MAX_PAYLOAD_BYTES));
            assert_refused_and_nothing_written(
                &store,
                raw("ProductIntroduced", 1, payload),
                "larger than the 65536 bytes",
            )
            .await;
        }

        async fn a_schema_version_newer_than_this_build_knows_is_refused(store) {
            assert_refused_and_nothing_written(
                &store,
                raw("ProductIntroduced", 2, valid_payload()),
                "schema version 2 is not one of 1..=1",
            )
            .await;
        }

        async fn an_event_offered_by_a_function_that_does_not_own_it_is_refused(store) {
            let result = store
                .append_new(
                    &jug_stream(),
                    0,
                    vec![raw("ProductIntroduced", 1, valid_payload())],
                    &EventMetadata::new(Actor::system("test"), BusinessFunction::Hr),
                )
                .await;
            assert!(
                matches!(
                    &result,
                    Err(StoreError::InvalidEvent { function: "hr", .. })
                ),
                "{result:?}"
            );
            assert_eq!(store.event_count().await.expect("count"), 0);
        }

        async fn eight_concurrent_appenders_get_exactly_one_winner_per_version(store) {
            let stream = StreamId::product(&Sku::parse("RACE-1").expect("valid SKU"));
            // Each task tries to append to version 1, 2, 3... in turn, always
            // expecting the version it last saw; losers see a conflict and retry
            // from the new version.
            let mut tasks = Vec::new();
            for task in 0..8 {
                let store = store.clone();
                let stream = stream.clone();
                tasks.push(tokio::spawn(async move {
                    let mut wins = Vec::new();
                    let mut conflicts = 0;
                    for attempt in 0..10 {
                        let current = store
                            .load::<CategoryEvent>(&stream)
                            .await
                            .expect("load")
                            .version;
                        let event = NewEvent {
                            event_type: "ProductIntroduced".into(),
                            schema_version: 1,
                            payload: crate::event::encode_tagged(&introduced(&format!(
                                "RACE-{task}-{attempt}"
                            )))
                            .expect("encode"),
                        };
                        match store
                            .append_new(&stream, current, vec![event], &category_metadata())
                            .await
                        {
                            Ok(appended) => wins.push(appended.events[0].stream_version),
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(other) => panic!("unexpected error: {other}"),
                        }
                    }
                    (wins, conflicts)
                }));
            }
            let mut versions = Vec::new();
            let mut conflicts = 0;
            for task in tasks {
                let (wins, lost) = task.await.expect("task ran");
                versions.extend(wins);
                conflicts += lost;
            }
            versions.sort_unstable();
            let expected: Vec<i64> = (1..=versions.len() as i64).collect();
            assert_eq!(versions, expected, "versions have gaps or duplicates");
            assert_eq!(versions.len() + conflicts, 80);

            let positions: Vec<i64> = store
                .read_after(0, 1000)
                .await
                .expect("read")
                .iter()
                .map(|event| event.position)
                .collect();
            assert_eq!(positions, (1..=versions.len() as i64).collect::<Vec<_>>());
        }

        async fn the_functions_posting_in_a_range_are_listed_without_reading_events(store) {
            store
                .append(
                    &jug_stream(),
                    0,
                    &[introduced("JUG-1")],
                    &category_metadata(),
                )
                .await
                .expect("append");
            let head = store.head_position().await.expect("head");
            assert_eq!(
                store
                    .functions_posting_between(0, head)
                    .await
                    .expect("list"),
                vec![BusinessFunction::Category]
            );
            assert!(
                store
                    .functions_posting_between(head, head)
                    .await
                    .expect("list")
                    .is_empty()
            );
        }

        async fn a_reader_following_positions_never_skips_an_event_committed_concurrently(store) {
            // Eight appenders commit concurrently while a reader follows the
            // log the way a subscriber does: from the last position it saw.
            // If positions could commit out of order, the reader would move
            // past one that was still uncommitted and never see it.
            let appenders: Vec<_> = (0..8)
                .map(|task| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        let stream = StreamId::new(format!("race-{task}"));
                        for version in 0..25 {
                            let sku = format!("R-{task}-{version}");
                            store
                                .append(&stream, version, &[introduced(&sku)], &category_metadata())
                                .await
                                .expect("append");
                        }
                    })
                })
                .collect();
            let appenders_done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let reader = {
                let store = store.clone();
                let appenders_done = appenders_done.clone();
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    let mut after = 0;
                    loop {
                        // Read the flag first: a page read after it was set
                        // is the last word, since every append has committed.
                        let finished = appenders_done.load(std::sync::atomic::Ordering::SeqCst);
                        let page = store.read_after(after, 50).await.expect("read");
                        if page.is_empty() && finished {
                            return seen;
                        }
                        for event in page {
                            seen.push(event.position);
                            after = event.position;
                        }
                        tokio::task::yield_now().await;
                    }
                })
            };
            for appender in appenders {
                appender.await.expect("appender finished");
            }
            appenders_done.store(true, std::sync::atomic::Ordering::SeqCst);
            let seen = reader.await.expect("reader finished");
            let logged: Vec<i64> = store
                .read_after(0, 1000)
                .await
                .expect("read the whole log")
                .iter()
                .map(|event| event.position)
                .collect();
            assert_eq!(logged.len(), 200);
            assert_eq!(seen, logged, "the reader skipped or repeated events");
        }
    }
}
