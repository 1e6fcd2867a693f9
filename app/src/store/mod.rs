//! The event log and the database under it (server only).
//!
//! Invariant: the only writes to the database are [`EventStore::append`]s;
//! each append validates the stream version and runs the inline projections
//! in the same transaction, so a page read right after a write sees it and a
//! failed projection writes nothing at all.

mod projections;

use crate::event::{Actor, DomainEvent, StreamId};
use crate::functions::BusinessFunction;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::{str::FromStr, time::Duration};

/// Who posts the events of one append, and for which function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMetadata {
    /// The person, agent, part of the system or integration acting.
    pub actor: Actor,
    /// The business function posting the events.
    pub function: BusinessFunction,
}

/// An event as it stands in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// The global position.
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
    /// Who caused it.
    pub actor: Actor,
    /// The slug of the function that posted it.
    pub function: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A stream's events, decoded, and the version to expect when appending to it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedStream<E> {
    /// The stream's events, oldest first.
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
}

fn database(operation: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let operation = operation.into();
    move |source| StoreError::Database { operation, source }
}

/// The event log on an embedded SQLite database.
#[derive(Debug, Clone)]
pub struct EventStore {
    pool: SqlitePool,
}

impl EventStore {
    /// Opens (creating if missing) the SQLite database at `url`, e.g.
    /// `sqlite://data/kiln.db`, in WAL mode. The directory must exist.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = Self::connect_options(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(database(format!("open {url}")))?;
        Ok(EventStore { pool })
    }

    /// The file a SQLite URL points at, so the caller can create its directory.
    pub fn database_file(url: &str) -> Result<std::path::PathBuf, StoreError> {
        Ok(Self::connect_options(url)?.get_filename().to_path_buf())
    }

    fn connect_options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            return Err(StoreError::Configuration {
                url: "postgres://…".into(),
                reason: "this build of Kiln stores events in SQLite only; PostgreSQL support is not built yet".into(),
            });
        }
        SqliteConnectOptions::from_str(url).map_err(|error| StoreError::Configuration {
            url: url.to_owned(),
            reason: error.to_string(),
        })
    }

    /// Brings the schema up to date; safe to run on every start.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(database("answer a ping"))?;
        Ok(())
    }

    /// Waits for open queries to finish and closes every connection, which
    /// also checkpoints the WAL into the database file.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool projections read from. Only projection modules use it, and
    /// only to read the tables they own.
    pub fn read_pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// How many events the log holds.
    pub async fn event_count(&self) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await
            .map_err(database("count events"))
    }

    /// Reads and decodes every event of a stream.
    pub async fn load<E: DomainEvent>(
        &self,
        stream: &StreamId,
    ) -> Result<LoadedStream<E>, StoreError> {
        let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(
            "SELECT event_type, schema_version, payload, stream_version
             FROM events WHERE stream_id = ? ORDER BY stream_version",
        )
        .bind(stream.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(database(format!("load stream {stream}")))?;

        let mut loaded = LoadedStream {
            events: Vec::with_capacity(rows.len()),
            version: 0,
        };
        for (event_type, schema_version, payload, version) in rows {
            let payload = serde_json::from_str(&payload).map_err(|source| StoreError::Payload {
                event_type: event_type.clone(),
                source,
            })?;
            let event = E::decode(&event_type, schema_version, payload)
                .map_err(|source| StoreError::Payload { event_type, source })?;
            loaded.events.push(event);
            loaded.version = version;
        }
        Ok(loaded)
    }

    /// Appends `events` to `stream` if it is still at `expected_version`, and
    /// applies the inline projections, all in one transaction.
    pub async fn append<E: DomainEvent>(
        &self,
        stream: &StreamId,
        expected_version: i64,
        events: &[E],
        metadata: &EventMetadata,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let operation = || format!("append to {stream}");
        // IMMEDIATE takes the write lock before the version check, so two
        // appends cannot both pass the check; the second waits (busy_timeout).
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(database(operation()))?;

        let actual: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = ?",
        )
        .bind(stream.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(database(operation()))?;
        if actual != expected_version {
            return Err(StoreError::Conflict {
                stream: stream.to_string(),
                expected: expected_version,
                actual,
            });
        }

        let recorded_at = Utc::now();
        let mut recorded = Vec::with_capacity(events.len());
        for (offset, event) in (1..).zip(events) {
            let event_type = event.event_type();
            let payload = event.encode().map_err(|source| StoreError::Payload {
                event_type: event_type.to_owned(),
                source,
            })?;
            let stream_version = expected_version + offset;
            let position: i64 = sqlx::query_scalar(
                "INSERT INTO events
                   (stream_id, stream_version, event_type, schema_version, payload, actor, function, recorded_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 RETURNING position",
            )
            .bind(stream.as_str())
            .bind(stream_version)
            .bind(event_type)
            .bind(E::SCHEMA_VERSION)
            .bind(payload.to_string())
            .bind(metadata.actor.as_str())
            .bind(metadata.function.slug())
            .bind(recorded_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(database(operation()))?;

            let event = RecordedEvent {
                position,
                stream_id: stream.to_string(),
                stream_version,
                event_type: event_type.to_owned(),
                schema_version: E::SCHEMA_VERSION,
                payload,
                actor: metadata.actor.clone(),
                function: metadata.function.slug().to_owned(),
                recorded_at,
            };
            projections::apply_inline(&mut tx, &event).await?;
            recorded.push(event);
        }

        tx.commit().await.map_err(database(operation()))?;
        Ok(recorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::category::events::{CategoryEvent, Collection, ProductIntroduced, Sku};
    use crate::money::{Currency, Money};

    async fn empty_store() -> (tempfile::TempDir, EventStore) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("kiln.db").display());
        let store = EventStore::open(&url).await.expect("open store");
        store.migrate().await.expect("migrate");
        (dir, store)
    }

    fn introduced(sku: &str) -> CategoryEvent {
        CategoryEvent::ProductIntroduced(ProductIntroduced {
            sku: Sku::parse(sku).expect("valid SKU"),
            name: "Jug".into(),
            collection: Collection::Tableware,
            description: String::new(),
            base_price: Money::new(3900, Currency::Usd),
            image: "/products/jug.svg".into(),
        })
    }

    fn seed_metadata() -> EventMetadata {
        EventMetadata {
            actor: Actor::system("test"),
            function: BusinessFunction::Category,
        }
    }

    #[tokio::test]
    async fn appended_events_load_back_with_the_stream_version() {
        let (_dir, store) = empty_store().await;
        let sku = Sku::parse("JUG-1").expect("valid SKU");
        let stream = StreamId::product(&sku);
        let recorded = store
            .append(&stream, 0, &[introduced("JUG-1")], &seed_metadata())
            .await
            .expect("append to a new stream");
        assert_eq!(recorded[0].stream_version, 1);

        let loaded: LoadedStream<CategoryEvent> = store.load(&stream).await.expect("load");
        assert_eq!(
            loaded,
            LoadedStream {
                events: vec![introduced("JUG-1")],
                version: 1
            }
        );
    }

    #[tokio::test]
    async fn an_append_expecting_a_stale_version_is_a_conflict_and_writes_nothing() {
        let (_dir, store) = empty_store().await;
        let stream = StreamId::product(&Sku::parse("JUG-1").expect("valid SKU"));
        store
            .append(&stream, 0, &[introduced("JUG-1")], &seed_metadata())
            .await
            .expect("first append");

        let second = store
            .append(&stream, 0, &[introduced("JUG-1")], &seed_metadata())
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

    #[tokio::test]
    async fn a_postgres_url_is_refused_with_a_clear_message() {
        let error = EventStore::open("postgres://kiln@localhost/kiln")
            .await
            .expect_err("refused");
        assert!(
            error
                .to_string()
                .contains("PostgreSQL support is not built yet"),
            "{error}"
        );
    }
}
