//! The functions' agents at work beside the HTTP server: one supervised
//! task per built function that declares an agent, repeating its rounds
//! (`app::agents::runtime`) whenever the log grows.
//!
//! A round that fails (the database is away) or panics is recorded on the
//! agent's checkpoint, shown on the Database Manager page, and tried again
//! after a pause that doubles up to [`LONGEST_PAUSE`]; a round is safe to
//! repeat, so nothing is lost or done twice.

use app::agents::model::ModelBrain;
use app::agents::runtime::{self, Brain, Round};
use app::functions::descriptor::FunctionDescriptor;
use app::store::{EventStore, subscriptions::Subscriber};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The first pause after a failed round.
const FIRST_PAUSE: Duration = Duration::from_secs(1);
/// The longest pause between failed rounds.
const LONGEST_PAUSE: Duration = Duration::from_secs(300);
/// How long an agent lets a burst of events settle before it looks, so a
/// burst becomes one step rather than one step per event.
const SETTLE: Duration = Duration::from_millis(500);
/// How often an idle agent looks at the log even without a wake-up (a
/// missed notification delays its work, never loses it).
const LOOK_EVERY: Duration = Duration::from_secs(60);

/// Starts the agent of every function in `built` that has one, thinking
/// with `model` where one is configured and its function allows it (with
/// its rules otherwise); each runs until `stop` turns true.
pub fn start_agents(
    store: &EventStore,
    built: &'static [&'static FunctionDescriptor],
    model: Option<Arc<ModelBrain>>,
    stop: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    built
        .iter()
        .filter(|descriptor| descriptor.agent.is_some())
        .map(|descriptor| {
            tokio::spawn(supervise(
                store.clone(),
                descriptor,
                model.clone(),
                stop.clone(),
            ))
        })
        .collect()
}

/// Runs `descriptor`'s agent round after round until `stop`.
async fn supervise(
    store: EventStore,
    descriptor: &'static FunctionDescriptor,
    model: Option<Arc<ModelBrain>>,
    mut stop: watch::Receiver<bool>,
) {
    let Some(agent) = descriptor.agent else {
        return;
    };
    let function = descriptor.function;
    let subscriber = Subscriber::new(agent.subscriber, store.clone());
    let mut live = store.subscribe_live();
    let mut pause = FIRST_PAUSE;
    tracing::info!(agent = function.slug(), "agent started");
    loop {
        if *stop.borrow() {
            return;
        }
        // Each round runs as its own task, so a panic in a brain ends the
        // round, not the agent.
        let round = tokio::spawn({
            let store = store.clone();
            let model = model.clone();
            async move {
                let brain = match &model {
                    Some(model) => Brain::Model(model),
                    None => Brain::Rules(agent.think),
                };
                runtime::run_round_thinking(&store, function, &agent, brain, chrono::Utc::now())
                    .await
            }
        })
        .await;
        let failure = match round {
            Ok(Ok(Round::Idle | Round::NothingToFollow { .. } | Round::Considered { .. })) => None,
            Ok(Ok(Round::Stepped(report) | Round::Resumed(report))) => {
                tracing::info!(
                    agent = function.slug(),
                    step = report.key,
                    carried_out = report.carried_out,
                    refused = report.refused.len(),
                    "agent step"
                );
                pause = FIRST_PAUSE;
                // More may have arrived while it thought: look again at once.
                continue;
            }
            Ok(Err(error)) => Some(format!("{:#}", anyhow::Error::from(error))),
            Err(panicked) => Some(format!("the round panicked: {panicked}")),
        };
        if let Some(message) = failure {
            tracing::error!(agent = function.slug(), error = %message, "agent round failed");
            if let Err(error) = subscriber.record_failure(&message).await {
                tracing::error!(%error, "the agent's failure was not recorded");
            }
            tokio::select! {
                _ = stop.changed() => {}
                () = tokio::time::sleep(pause) => {}
            }
            pause = (pause * 2).min(LONGEST_PAUSE);
            continue;
        }
        pause = FIRST_PAUSE;
        tokio::select! {
            _ = live.recv() => {
                tokio::time::sleep(SETTLE).await;
                // The round reads the log itself: the events that arrived
                // meanwhile (its own steps among them) need no wake-up each.
                while !matches!(
                    live.try_recv(),
                    Err(tokio::sync::broadcast::error::TryRecvError::Empty
                        | tokio::sync::broadcast::error::TryRecvError::Closed)
                ) {}
            }
            _ = stop.changed() => {}
            () = tokio::time::sleep(LOOK_EVERY) => {}
        }
    }
}
