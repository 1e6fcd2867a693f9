//! Background workers that run beside the HTTP server.

use app::store::{EventStore, integrity, subscriptions::Subscriber};
use std::time::Duration;
use tokio::sync::watch;

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
            // The Database Manager shows it, causes and all; if even
            // recording it fails, the log line above still has it.
            let message = format!("{:#}", anyhow::Error::from(error));
            if let Err(error) = subscriber.record_failure(&message).await {
                tracing::error!(error = %error, "the integrity worker's failure was not recorded");
            }
        }
        // Wait for new events (or a periodic retry after an error).
        tokio::select! {
            _ = live.recv() => {}
            _ = stop.changed() => {}
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
    }
}

/// Runs, once, the checks of every function that posted events since the
/// checkpoint; answers whether there was anything new.
async fn check_next_batch(
    store: &EventStore,
    subscriber: &Subscriber,
) -> Result<bool, app::store::StoreError> {
    let after = subscriber.checkpoint().await?;
    // The head is read first, so events committed meanwhile wait for the next round.
    let head = store.head_position().await?;
    if head <= after {
        return Ok(false);
    }
    let functions = store.functions_posting_between(after, head).await?;
    for outcome in integrity::run_checks(store, Some(&functions)).await? {
        for violation in &outcome.violations {
            tracing::warn!(
                check = outcome.name,
                positions = ?violation.positions,
                "integrity anomaly: {}",
                violation.message
            );
        }
    }
    subscriber.acknowledge(head).await?;
    Ok(true)
}
