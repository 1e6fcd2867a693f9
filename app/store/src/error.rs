//! Why the event store could not do what was asked.

use chrono::{DateTime, Utc};

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

/// Turns a database error into a [`StoreError::Database`] naming what was
/// being done, for `map_err` after a query.
pub fn database(operation: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let operation = operation.into();
    move |source| StoreError::Database { operation, source }
}
