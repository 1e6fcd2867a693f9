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
