//! Asynchronous subscribers (agents, analytics, the integrity worker) read
//! the log from a stored checkpoint, so after a restart they resume where
//! they stopped: nothing missed, nothing handed out twice once acknowledged.
//!
//! Delivery is at least once: a subscriber that crashes between handling a
//! batch and acknowledging it sees that batch again, so handlers must be
//! idempotent (recording an anomaly is; applying a projection is).

use super::backend::per_backend;
use super::{EventStore, RecordedEvent, StoreError, database};
use chrono::{DateTime, Utc};

/// A named reader of the log with a durable checkpoint.
#[derive(Debug, Clone)]
pub struct Subscriber {
    name: &'static str,
    store: EventStore,
}

impl Subscriber {
    /// The subscriber called `name` (its checkpoint is kept under that name).
    pub fn new(name: &'static str, store: EventStore) -> Self {
        Subscriber { name, store }
    }

    /// The position of the last event this subscriber acknowledged.
    pub async fn checkpoint(&self) -> Result<i64, StoreError> {
        let position: Option<i64> = per_backend!(self.store.database(), Database, pool => {
            sqlx::query_scalar("SELECT position FROM subscriber_checkpoints WHERE subscriber = $1")
                .bind(self.name)
                .fetch_optional(pool)
                .await
        })
        .map_err(database(format!("read the checkpoint of {}", self.name)))?;
        Ok(position.unwrap_or(0))
    }

    /// Up to `limit` events after the checkpoint.
    pub async fn next_batch(&self, limit: i64) -> Result<Vec<RecordedEvent>, StoreError> {
        let after = self.checkpoint().await?;
        self.store.read_after(after, limit).await
    }

    /// Records that every event up to `position` is handled. A checkpoint
    /// never moves backwards.
    pub async fn acknowledge(&self, position: i64) -> Result<(), StoreError> {
        let now = Utc::now();
        per_backend!(self.store.database(), Database, pool => {
            sqlx::query(
                "INSERT INTO subscriber_checkpoints (subscriber, position, updated_at)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (subscriber) DO UPDATE SET
                   position = CASE WHEN excluded.position > subscriber_checkpoints.position
                                   THEN excluded.position
                                   ELSE subscriber_checkpoints.position END,
                   updated_at = excluded.updated_at",
            )
            .bind(self.name)
            .bind(position)
            .bind(now)
            .execute(pool)
            .await
                .map(|_| ())
        })
        .map_err(database(format!("save the checkpoint of {}", self.name)))?;
        Ok(())
    }

    /// Records why a round of this subscriber failed, with the time, for
    /// the Database Manager's projection status. The checkpoint stays
    /// where it was: the failed events are read again next round.
    pub async fn record_failure(&self, message: &str) -> Result<(), StoreError> {
        let now = Utc::now();
        per_backend!(self.store.database(), Database, pool => {
            sqlx::query(
                "INSERT INTO subscriber_checkpoints
                   (subscriber, position, updated_at, last_error, last_error_at)
                 VALUES ($1, 0, $2, $3, $4)
                 ON CONFLICT (subscriber) DO UPDATE SET
                   last_error = excluded.last_error,
                   last_error_at = excluded.last_error_at",
            )
            .bind(self.name)
            .bind(now)
            .bind(message)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(database(format!("record the failure of {}", self.name)))
    }
}

/// Where an asynchronous subscriber stands, as the Database Manager shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubscriberStatus {
    /// Its name, e.g. `integrity-checks`.
    pub subscriber: String,
    /// The position of the last event it acknowledged.
    pub position: i64,
    /// When it last acknowledged (or first failed).
    pub updated_at: DateTime<Utc>,
    /// Why its last failed round failed, if one ever did.
    pub last_error: Option<String>,
    /// When that was.
    pub last_error_at: Option<DateTime<Utc>>,
}

/// Every subscriber that has acknowledged or failed at least once, by name.
pub async fn statuses(store: &EventStore) -> Result<Vec<SubscriberStatus>, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT subscriber, position, updated_at, last_error, last_error_at
             FROM subscriber_checkpoints ORDER BY subscriber",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the subscribers' checkpoints"))
}
