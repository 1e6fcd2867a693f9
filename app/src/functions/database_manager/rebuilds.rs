//! Rebuilding projections on request (server only): one rebuild at a time
//! per server, with its progress published to whoever watches. The
//! server's state holds one [`Rebuilds`].

use super::view::{RebuildOutcome, RebuildUpdate, TableComparison};
use crate::store::{EventStore, StoreError, projections};
use std::time::Instant;
use tokio::sync::{Mutex, broadcast};

/// Why a rebuild did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// The request cannot be carried out as asked; the message says why and
    /// is safe to show.
    #[error("{0}")]
    Refused(String),
    /// The store failed; nothing was changed.
    #[error("the rebuild failed")]
    Store(#[source] StoreError),
}

/// The rebuilds of one server: at most one runs at a time, and each
/// publishes [`RebuildUpdate`]s.
#[derive(Debug)]
pub struct Rebuilds {
    /// Held while a rebuild runs (the Database Manager's tests hold it to
    /// show a second rebuild refused).
    pub(super) running: Mutex<()>,
    updates: broadcast::Sender<RebuildUpdate>,
}

impl Default for Rebuilds {
    fn default() -> Self {
        // Watchers that fall this far behind miss progress steps, never the
        // outcome they can also read from the endpoint's answer.
        let (updates, _) = broadcast::channel(64);
        Rebuilds {
            running: Mutex::new(()),
            updates,
        }
    }
}

impl Rebuilds {
    /// Every update published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<RebuildUpdate> {
        self.updates.subscribe()
    }

    /// Rebuilds `projection` (or every projection) unless a rebuild is
    /// already running, publishing progress as it goes.
    pub async fn run(
        &self,
        store: &EventStore,
        projection: Option<&str>,
    ) -> Result<RebuildOutcome, RebuildError> {
        let Ok(_running) = self.running.try_lock() else {
            return Err(RebuildError::Refused(
                "a rebuild is already running; its progress is published at /api/database-manager/rebuild/progress".into(),
            ));
        };
        let started = Instant::now();
        let name = projection.map(str::to_owned);
        let result = projections::rebuild(store, projection, |progress| {
            // Nobody watching is not an error.
            let _ = self.updates.send(RebuildUpdate::Progress {
                projection: name.clone(),
                replayed: progress.replayed,
                total: progress.total,
            });
        })
        .await;
        match result {
            Ok(report) => {
                let outcome = RebuildOutcome {
                    projections: report.projections.iter().map(|p| (*p).to_owned()).collect(),
                    events: report.events,
                    tables: report
                        .tables
                        .iter()
                        .map(|(live, rebuilt)| TableComparison {
                            table: rebuilt.table.to_owned(),
                            rows_before: live.rows,
                            rows_after: rebuilt.rows,
                            checksum_before: live.checksum.clone(),
                            checksum_after: rebuilt.checksum.clone(),
                            equal: live == rebuilt,
                        })
                        .collect(),
                    seconds: started.elapsed().as_secs_f64(),
                };
                let _ = self.updates.send(RebuildUpdate::Finished(outcome.clone()));
                Ok(outcome)
            }
            Err(error) => {
                let error = match error {
                    unknown @ StoreError::UnknownProjection { .. } => {
                        RebuildError::Refused(unknown.to_string())
                    }
                    other => RebuildError::Store(other),
                };
                let message = match &error {
                    RebuildError::Refused(message) => message.clone(),
                    RebuildError::Store(_) => {
                        "the rebuild failed and changed nothing; the details are in the server log"
                            .to_owned()
                    }
                };
                let _ = self.updates.send(RebuildUpdate::Failed { message });
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::load_demo_business;
    use crate::testing::store_tests;

    store_tests! {
        async fn a_rebuild_publishes_progress_then_its_outcome(store) {
            load_demo_business(&store).await.expect("demo");
            let rebuilds = Rebuilds::default();
            let mut updates = rebuilds.subscribe();
            let outcome = rebuilds.run(&store, Some("catalog")).await.expect("rebuild");
            assert_eq!(outcome.projections, vec!["catalog".to_owned()]);
            // The rebuild replays the whole log: each SKU's introduction and count.
            assert_eq!(outcome.events, 2 * crate::demo::DEMO_CATALOG_SKUS as u64);
            assert!(outcome.tables.iter().all(|table| table.equal), "{outcome:?}");

            let mut published = Vec::new();
            while let Ok(update) = updates.try_recv() {
                published.push(update);
            }
            assert!(matches!(
                published.first(),
                Some(RebuildUpdate::Progress { replayed: 0, total, .. })
                    if *total == 2 * crate::demo::DEMO_CATALOG_SKUS as u64
            ));
            assert_eq!(published.last(), Some(&RebuildUpdate::Finished(outcome)));
        }

        async fn a_second_rebuild_while_one_runs_is_refused(store) {
            let rebuilds = Rebuilds::default();
            let _running = rebuilds.running.lock().await;
            let refused = rebuilds.run(&store, None).await.expect_err("refused");
            assert!(
                refused.to_string().starts_with("a rebuild is already running"),
                "{refused}"
            );
        }

        async fn rebuilding_an_unknown_projection_is_refused_and_published(store) {
            let rebuilds = Rebuilds::default();
            let mut updates = rebuilds.subscribe();
            let refused = rebuilds.run(&store, Some("inventory")).await.expect_err("refused");
            assert!(matches!(refused, RebuildError::Refused(_)));
            assert_eq!(
                updates.try_recv().ok(),
                Some(RebuildUpdate::Failed {
                    message: format!(
                        "there is no projection called “inventory”; known projections: {}",
                        store.registry().projector_names()
                    )
                })
            );
        }
    }
}
