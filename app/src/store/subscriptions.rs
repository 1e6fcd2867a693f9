//! Asynchronous subscribers (agents, analytics, the integrity worker) read
//! the log from a stored checkpoint, so after a restart they resume where
//! they stopped: nothing missed, nothing handed out twice once acknowledged.
//!
//! Delivery is at least once: a subscriber that crashes between handling a
//! batch and acknowledging it sees that batch again, so handlers must be
//! idempotent (recording an anomaly is; applying a projection is).

use super::backend::per_backend;
use super::{EventStore, RecordedEvent, StoreError, database};
use chrono::Utc;

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::load_demo_business;
    use crate::store::testing::store_tests;

    store_tests! {
        async fn a_restarted_subscriber_resumes_after_its_last_acknowledged_event(store) {
            load_demo_business(&store).await.expect("demo");

            let first_run = Subscriber::new("analytics", store.clone());
            let batch = first_run.next_batch(5).await.expect("batch");
            assert_eq!(
                batch.iter().map(|e| e.position).collect::<Vec<_>>(),
                vec![1, 2, 3, 4, 5]
            );
            first_run.acknowledge(5).await.expect("acknowledge");
            // Handed out but never acknowledged: must come again after a restart.
            let _unacknowledged = first_run.next_batch(3).await.expect("batch");
            drop(first_run);

            let after_restart = Subscriber::new("analytics", store.clone());
            let rest = after_restart.next_batch(100).await.expect("batch");
            assert_eq!(
                rest.iter().map(|e| e.position).collect::<Vec<_>>(),
                (6..=2 * crate::demo::DEMO_CATALOG_SKUS as i64).collect::<Vec<_>>()
            );
        }

        async fn a_checkpoint_never_moves_backwards_and_subscribers_are_independent(store) {
            let agent = Subscriber::new("agent:category", store.clone());
            agent.acknowledge(9).await.expect("acknowledge");
            agent
                .acknowledge(4)
                .await
                .expect("acknowledge an older position");
            assert_eq!(agent.checkpoint().await.expect("checkpoint"), 9);
            assert_eq!(
                Subscriber::new("other", store)
                    .checkpoint()
                    .await
                    .expect("checkpoint"),
                0
            );
        }
    }
}
