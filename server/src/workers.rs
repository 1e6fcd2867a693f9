//! Background workers that run beside the HTTP server.

use app::functions::BusinessFunction;
use app::store::{EventStore, integrity, subscriptions::Subscriber};
use std::time::Duration;
use tokio::sync::watch;

/// Events read per query while catching up.
const BATCH: i64 = 1_000;

/// Evaluates the integrity checks of every function whose events arrived,
/// as an asynchronous subscriber of the log, until `stop` turns true. Its
/// checkpoint survives restarts; anomalies it finds are recorded (once) for
/// the Database Manager and logged.
pub async fn integrity_worker(store: EventStore, mut stop: watch::Receiver<bool>) {
    let subscriber = Subscriber::new("integrity-checks", store.clone());
    let mut live = store.subscribe_live();
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(error) = check_next_batch(&store, &subscriber).await {
            tracing::error!(error = %error, "integrity worker round failed");
        }
        // Wait for new events (or a periodic retry after an error).
        tokio::select! {
            _ = live.recv() => {}
            _ = stop.changed() => {}
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
    }
}

/// Reads everything after the checkpoint, then runs the checks of the
/// functions it touched once; answers whether there was anything new.
async fn check_next_batch(
    store: &EventStore,
    subscriber: &Subscriber,
) -> Result<bool, app::store::StoreError> {
    let mut after = subscriber.checkpoint().await?;
    let start = after;
    let mut functions: Vec<BusinessFunction> = Vec::new();
    loop {
        let batch = store.read_after(after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.position;
        for event in &batch {
            if !functions.contains(&event.metadata.function) {
                functions.push(event.metadata.function);
            }
        }
    }
    if after == start {
        return Ok(false);
    }
    for outcome in integrity::run_checks(store.read_pool(), Some(&functions)).await? {
        for violation in &outcome.violations {
            tracing::warn!(
                check = outcome.name,
                positions = ?violation.positions,
                "integrity anomaly: {}",
                violation.message
            );
        }
    }
    subscriber.acknowledge(after).await?;
    Ok(true)
}
