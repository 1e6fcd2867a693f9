//! One round of an agent, the unit `kiln serve` repeats (server/src/agents.rs).
//!
//! A round keeps one promise: whatever a crash interrupts, no decision is
//! lost or made twice, and no recorded step is thought again.
//!
//! 1. **Resume.** If the agent's newest recorded step considered events
//!    past its checkpoint, the crash came after recording it: carry out its
//!    actions again (each under its own idempotency key, so those already
//!    carried out append nothing) and move the checkpoint. No brain is asked.
//! 2. **Look.** Read the log after the checkpoint for the events the agent
//!    follows (not its own). None: move the checkpoint and rest.
//! 3. **Think.** Ask the brain, with what woke it and the time.
//! 4. **Record** the step as `AgentStepTaken` under a key made from its
//!    trigger, before any action.
//! 5. **Carry out** its actions, then move the checkpoint.
//!
//! A refused action (the product was delisted meanwhile, a proposal is
//! already waiting, the catalog refuses the event) does not stop the
//! round: the step says what was chosen, the log says what happened, and
//! the refusal is logged. Only a failing database ends a round early.

use super::brain::derived_id;
pub use super::brain::{AgentDescriptor, RateLimits, StepInput, Thinker, Thought};
use super::step::{
    AgentAction, AgentStep, AgentTrigger, ProposedChange, WAKING_EVENTS_LISTED, WakingEvent,
};
use crate::functions::platform_manager::events::PlatformEvent;
use crate::functions::platform_manager::service::MessageServiceError;
use crate::store::subscriptions::Subscriber;
use crate::store::{EventMetadata, EventStore, StoreError};
use chrono::{DateTime, Utc};
use kiln_core::conversation::{
    AgentMessage, ConversationId, Guard, MessageError, MessageId, MessageIntent,
};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;

/// Why a round stopped before its end; the next round starts it again.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// Reading or appending failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A recorded step's event could not be read back as a step.
    #[error("the {agent} agent's step at position {position} is not a step")]
    NotAStep {
        /// The agent.
        agent: &'static str,
        /// Where its projection row points.
        position: i64,
    },
}

/// What one round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Round {
    /// Nothing new in the log.
    Idle,
    /// New events, none it follows: the checkpoint moved on.
    NothingToFollow {
        /// The new checkpoint.
        through: i64,
    },
    /// Events it follows woke it, and its brain chose nothing to do and
    /// spent nothing: no step is recorded, the checkpoint moved on.
    Considered {
        /// The new checkpoint.
        through: i64,
        /// What the brain saw.
        observations: String,
    },
    /// A step was recorded and carried out.
    Stepped(StepReport),
    /// A step recorded before a crash was carried out, without thinking again.
    Resumed(StepReport),
}

/// A step's actions as carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// The step's idempotency key.
    pub key: String,
    /// Its position in the log.
    pub position: i64,
    /// Actions carried out (or found already carried out).
    pub carried_out: usize,
    /// Of its proposals, those carried out at once under an autonomy policy.
    pub carried_out_automatically: usize,
    /// Actions the functions' rules or the guards refused, with why.
    pub refused: Vec<String>,
    /// Guards that fired on its actions (a hop-limit or repeat firing also
    /// escalated its conversation).
    pub guards_fired: usize,
}

/// Runs one round of `agent`'s work (see the module's documentation),
/// thinking with `think` when there is something new to think about.
pub async fn run_round(
    store: &EventStore,
    agent: BusinessFunction,
    descriptor: &AgentDescriptor,
    think: Thinker,
    now: DateTime<Utc>,
) -> Result<Round, AgentError> {
    run_round_thinking(store, agent, descriptor, Brain::Rules(think), now).await
}

/// What an agent thinks with.
#[derive(Debug, Clone, Copy)]
pub enum Brain<'a> {
    /// Rules: the function's own (`AgentDescriptor::think`), or a test's.
    Rules(Thinker),
    /// The model, for an agent whose function gives it the hooks; the
    /// others think with their rules.
    Model(&'a super::model::ModelBrain),
}

/// Runs one round of `agent`'s work, thinking with `brain`.
pub async fn run_round_thinking(
    store: &EventStore,
    agent: BusinessFunction,
    descriptor: &AgentDescriptor,
    brain: Brain<'_>,
    now: DateTime<Utc>,
) -> Result<Round, AgentError> {
    let subscriber = Subscriber::new(descriptor.subscriber, store.clone());
    let checkpoint = subscriber.checkpoint().await?;

    if let Some((position, step)) = newest_step(store, agent).await?
        && step.trigger.through() > checkpoint
    {
        let key = AgentStep::key(agent, &step.trigger);
        let report = carry_out(store, &step, &key, position, descriptor.rate_limits).await?;
        subscriber.acknowledge(step.trigger.through()).await?;
        return Ok(Round::Resumed(report));
    }

    watch_questions(store, agent, now).await?;

    // The head is read first, so events committed meanwhile wait for the next round.
    let head = store.head_position().await?;
    if head <= checkpoint {
        return Ok(Round::Idle);
    }
    let Some(trigger) = waking_events(store, agent, descriptor, checkpoint, head).await? else {
        subscriber.acknowledge(head).await?;
        return Ok(Round::NothingToFollow { through: head });
    };

    let input = StepInput {
        agent,
        step_key: AgentStep::key(agent, &trigger),
        trigger,
        now,
    };
    let started = std::time::Instant::now();
    let thought = match brain {
        Brain::Rules(think) => think(store, &input).await?,
        Brain::Model(model) => model.think(store, &input, descriptor).await?,
    };
    // A step that does nothing and cost nothing tells no more than the
    // events that woke it; recording one per order would bury the steps
    // that did something. A model's step is recorded even when idle: the
    // budget counts its tokens.
    if thought.actions.is_empty() && thought.input_tokens == 0 && thought.output_tokens == 0 {
        subscriber.acknowledge(head).await?;
        return Ok(Round::Considered {
            through: head,
            observations: thought.observations,
        });
    }
    let step = AgentStep {
        agent,
        trigger: input.trigger.clone(),
        reads: thought.reads,
        brain: thought.brain,
        model: thought.model,
        prompt_version: thought.prompt_version,
        observations: thought.observations,
        actions: thought.actions,
        input_tokens: thought.input_tokens,
        output_tokens: thought.output_tokens,
        cost_micro_usd: thought.cost_micro_usd,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        raw_answer: thought.raw_answer,
    };
    let position = record_step(store, &step, &input.step_key).await?;
    let report = carry_out(
        store,
        &step,
        &input.step_key,
        position,
        descriptor.rate_limits,
    )
    .await?;
    subscriber.acknowledge(head).await?;
    Ok(Round::Stepped(report))
}

/// The actor an agent acts as.
pub fn agent_actor(agent: BusinessFunction) -> Actor {
    Actor::agent(agent)
}

/// Records `step` on its agent's stream under `key`; answers its position
/// (the first recording's, when it was recorded before).
pub async fn record_step(
    store: &EventStore,
    step: &AgentStep,
    key: &str,
) -> Result<i64, StoreError> {
    // The agent network's records are the Platform Manager's, as messages are.
    let metadata = EventMetadata::new(agent_actor(step.agent), BusinessFunction::PlatformManager)
        .with_idempotency_key(key);
    let appended = store
        .decide_and_append::<PlatformEvent, StoreError>(
            &AgentStep::stream(step.agent),
            &metadata,
            |_| Ok(vec![PlatformEvent::AgentStepTaken(step.clone())]),
        )
        .await?;
    appended
        .events
        .first()
        .map(|event| event.position)
        .ok_or(StoreError::Corrupt {
            what: "an agent step's append",
            value: key.to_owned(),
        })
}

/// Carries out `step`'s actions in order, each under its own idempotency
/// key, so one already carried out appends nothing again.
async fn carry_out(
    store: &EventStore,
    step: &AgentStep,
    key: &str,
    position: i64,
    limits: RateLimits,
) -> Result<StepReport, StoreError> {
    let mut report = StepReport {
        key: key.to_owned(),
        position,
        carried_out: 0,
        carried_out_automatically: 0,
        refused: Vec::new(),
        guards_fired: 0,
    };
    // The decisions of this step's proposals that were refused: a message
    // naming one would tell a peer of a decision that does not exist.
    let mut not_proposed = std::collections::HashSet::new();
    for (index, action) in step.actions.iter().enumerate() {
        let action_key = AgentStep::action_key(key, index);
        let metadata = EventMetadata {
            causation_id: Some(key.to_owned()),
            ..EventMetadata::new(agent_actor(step.agent), step.agent)
                .with_idempotency_key(action_key.clone())
        };
        if let AgentAction::Message { message, .. } = action
            && message
                .about
                .as_ref()
                .is_some_and(|decision| not_proposed.contains(decision))
        {
            report.refused.push(format!(
                "{}: the decision it names was not proposed",
                action.describe()
            ));
            continue;
        }
        // A guard that refused the action before a crash refuses it still,
        // however the counts stand now.
        if store
            .appended_under(&format!("{action_key}:guard"))
            .await?
            .is_some()
        {
            not_proposed.extend(action.decision().cloned());
            report
                .refused
                .push(format!("{}: refused by a guard before", action.describe()));
            continue;
        }
        // The rate limits count what is in the database, so that servers
        // sharing it share them; an action carried out before a crash is
        // not counted against itself.
        if store.appended_under(&action_key).await?.is_none()
            && let Some(refusal) = rate_limited(store, step.agent, action, limits).await?
        {
            not_proposed.extend(action.decision().cloned());
            fire_guard(
                store,
                step.agent,
                Guard::RateLimit,
                None,
                &refusal,
                &action_key,
            )
            .await?;
            report.guards_fired += 1;
            report
                .refused
                .push(format!("{}: {refusal}", action.describe()));
            continue;
        }
        let outcome = match action {
            AgentAction::Propose { proposal, change } => {
                propose(store, metadata, proposal, change, &mut report).await
            }
            AgentAction::Message { message, replying } => {
                send(
                    store,
                    metadata,
                    message,
                    *replying,
                    &action_key,
                    &mut report,
                )
                .await
            }
        };
        match outcome {
            Ok(()) => report.carried_out += 1,
            Err(ActionError::Store(error)) => return Err(error),
            Err(ActionError::Refused(refusal)) => {
                not_proposed.extend(action.decision().cloned());
                tracing::warn!(
                    agent = step.agent.slug(),
                    step = key,
                    action = action.describe(),
                    "an agent's action was refused: {refusal}"
                );
                report
                    .refused
                    .push(format!("{}: {refusal}", action.describe()));
            }
        }
    }
    Ok(report)
}

/// Why an action was not carried out.
enum ActionError {
    /// A function's rule or a guard refused it: final, the round goes on.
    Refused(String),
    /// The database failed: the round ends, to be tried again.
    Store(StoreError),
}

impl ActionError {
    /// A store error, which is a refusal when the store's catalog refused
    /// the event: an event it will never accept is as final as a function's
    /// rule, and retrying the step would block the agent behind it forever.
    fn from_store(error: StoreError) -> Self {
        match error {
            StoreError::InvalidEvent { .. } | StoreError::Payload { .. } => {
                ActionError::Refused(error.to_string())
            }
            error => ActionError::Store(error),
        }
    }
}

impl From<crate::functions::category::service::CatalogServiceError> for ActionError {
    fn from(error: crate::functions::category::service::CatalogServiceError) -> Self {
        match error {
            crate::functions::category::service::CatalogServiceError::Store(error) => {
                ActionError::from_store(error)
            }
            refusal => ActionError::Refused(refusal.to_string()),
        }
    }
}

impl From<crate::functions::customers::service::DealerServiceError> for ActionError {
    fn from(error: crate::functions::customers::service::DealerServiceError) -> Self {
        use crate::functions::customers::service::DealerServiceError;
        match error {
            DealerServiceError::Store(error) => ActionError::from_store(error),
            refusal => ActionError::Refused(refusal.to_string()),
        }
    }
}

impl From<crate::functions::platform_manager::service::TriageProposalError> for ActionError {
    fn from(error: crate::functions::platform_manager::service::TriageProposalError) -> Self {
        use crate::functions::platform_manager::service::TriageProposalError;
        match error {
            TriageProposalError::Store(error) => ActionError::from_store(error),
            refusal => ActionError::Refused(refusal.to_string()),
        }
    }
}

impl From<MessageServiceError> for ActionError {
    fn from(error: MessageServiceError) -> Self {
        match error {
            MessageServiceError::Store(error) => ActionError::from_store(error),
            refusal => ActionError::Refused(refusal.to_string()),
        }
    }
}

/// Sends `message` with `metadata` (the action's idempotency key). When a
/// guard refuses it, the firing is recorded and the conversation is
/// escalated to the agent's own people, each once per action.
async fn send(
    store: &EventStore,
    metadata: EventMetadata,
    message: &AgentMessage,
    replying: bool,
    action_key: &str,
    report: &mut StepReport,
) -> Result<(), ActionError> {
    use crate::functions::platform_manager::service::deliver;

    let metadata = EventMetadata {
        function: BusinessFunction::PlatformManager,
        ..metadata
    };
    let refusal = match deliver(store, metadata.clone(), message.clone(), replying).await {
        Ok(_) => return Ok(()),
        Err(MessageServiceError::Refused(refusal)) => refusal,
        Err(error) => return Err(error.into()),
    };
    let Some(guard) = refusal.guard() else {
        return Err(ActionError::Refused(refusal.to_string()));
    };
    let agent = message.from;
    fire_guard(
        store,
        agent,
        guard,
        Some(message.conversation.clone()),
        &refusal.to_string(),
        action_key,
    )
    .await
    .map_err(ActionError::from_store)?;
    report.guards_fired += 1;
    let with_key = |suffix: &str| EventMetadata {
        idempotency_key: Some(format!("{action_key}:{suffix}")),
        ..metadata.clone()
    };
    let escalation = AgentMessage {
        message: MessageId::from_random(derived_id(&format!("{action_key}:escalated"))),
        conversation: message.conversation.clone(),
        from: agent,
        to: agent,
        text: format!(
            "The {} guard stopped agent:{} here ({refusal}). A person decides how this goes on.",
            guard.title().to_lowercase(),
            agent.slug()
        ),
        about: message.about.clone(),
        intent: MessageIntent::Escalate,
        subject: message.subject.clone(),
        consulted: Vec::new(),
    };
    match deliver(store, with_key("escalated"), escalation, true).await {
        // Already escalated by the other agent's guard: people have it.
        Ok(_) | Err(MessageServiceError::Refused(MessageError::Escalated { .. })) => {}
        Err(error) => return Err(error.into()),
    }
    Err(ActionError::Refused(refusal.to_string()))
}

/// The watchdog: escalates to `agent`'s own people every conversation in
/// which its question has waited over [`WATCHDOG_MINUTES`] for an answer
/// at `now`, recording `GuardFired` for it. Each question is escalated
/// once (keys made from its message id); an escalated conversation is not
/// looked at again. Runs in every round, so an idle agent's periodic look
/// (server/src/agents.rs) is enough to catch a peer that went silent.
async fn watch_questions(
    store: &EventStore,
    agent: BusinessFunction,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    use crate::functions::platform_manager::projection::unanswered_questions;
    use kiln_core::conversation::WATCHDOG_MINUTES;
    use kiln_core::event::StreamId;

    let cutoff = (now - chrono::Duration::minutes(WATCHDOG_MINUTES))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let waiting = unanswered_questions(store, agent, &cutoff).await?;
    for (conversation, question) in &waiting {
        let key = format!("agent:{}:watchdog:{}", agent.slug(), question.message);
        let refusal = format!(
            "agent:{} asked agent:{} at {} and no answer came within {WATCHDOG_MINUTES} minutes",
            agent.slug(),
            question.to.slug(),
            question.sent_at
        );
        fire_guard(
            store,
            agent,
            Guard::Watchdog,
            Some(conversation.clone()),
            &refusal,
            &key,
        )
        .await?;
        let escalation = AgentMessage {
            message: MessageId::from_random(derived_id(&format!("{key}:escalated"))),
            conversation: conversation.clone(),
            from: agent,
            to: agent,
            text: format!(
                "The watchdog stopped waiting here: {refusal}. A person decides how this goes on."
            ),
            about: question.about.clone(),
            intent: MessageIntent::Escalate,
            subject: question.subject.as_deref().map(StreamId::new),
            consulted: Vec::new(),
        };
        let metadata = EventMetadata::new(agent_actor(agent), BusinessFunction::PlatformManager)
            .with_idempotency_key(format!("{key}:escalated"));
        match crate::functions::platform_manager::service::deliver(
            store, metadata, escalation, true,
        )
        .await
        {
            Ok(_) => {}
            Err(MessageServiceError::Store(error)) => return Err(error),
            // Escalations pass the guards; should a rule of conversations
            // still refuse this one, the guard's firing records the stop.
            Err(refusal) => tracing::warn!(
                agent = agent.slug(),
                %conversation,
                "the watchdog could not escalate: {refusal}"
            ),
        }
    }
    Ok(waiting.len())
}

/// Records that `guard` refused `agent`'s action `action_key`, once.
async fn fire_guard(
    store: &EventStore,
    agent: BusinessFunction,
    guard: Guard,
    conversation: Option<ConversationId>,
    refused: &str,
    action_key: &str,
) -> Result<(), StoreError> {
    use crate::functions::platform_manager::events::GuardFired;
    let firing = GuardFired {
        agent,
        guard,
        conversation,
        refused: refused.to_owned(),
        action: action_key.to_owned(),
    };
    let metadata = EventMetadata::new(agent_actor(agent), BusinessFunction::PlatformManager)
        .with_idempotency_key(format!("{action_key}:guard"));
    store
        .decide_and_append::<PlatformEvent, StoreError>(
            &GuardFired::stream(agent),
            &metadata,
            |_| Ok(vec![PlatformEvent::GuardFired(firing.clone())]),
        )
        .await?;
    Ok(())
}

/// Why `action` would take `agent` past its hourly rate limit, if it would.
async fn rate_limited(
    store: &EventStore,
    agent: BusinessFunction,
    action: &AgentAction,
    limits: RateLimits,
) -> Result<Option<String>, StoreError> {
    let since = (Utc::now() - chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let actor = agent_actor(agent);
    let (what, sent, limit) = match action {
        AgentAction::Message { .. } => (
            "messages",
            crate::functions::platform_manager::projection::messages_sent_since(
                store,
                actor.as_str(),
                &since,
            )
            .await?,
            limits.messages_per_hour,
        ),
        AgentAction::Propose { .. } => (
            "proposals",
            super::health::proposals_made_since(store, actor.as_str(), &since).await?,
            limits.proposals_per_hour,
        ),
    };
    Ok((sent >= limit).then(|| {
        format!(
            "agent:{} made {sent} {what} in the last hour, its limit",
            agent.slug()
        )
    }))
}

/// Records a proposal through its function's service with `metadata`
/// (the action's idempotency key), then carries it out at once if the
/// autonomy policy of its kind allows it; otherwise it waits for a person.
async fn propose(
    store: &EventStore,
    metadata: EventMetadata,
    proposal: &kiln_core::decision::Proposal,
    change: &ProposedChange,
    report: &mut StepReport,
) -> Result<(), ActionError> {
    let metadata = EventMetadata {
        function: change.function(),
        ..metadata
    };
    match change {
        ProposedChange::BasePrice { sku, to } => {
            propose_base_price(store, metadata, proposal, sku, *to, report).await
        }
        // High-risk: recorded, and it waits for a person whatever a policy
        // says (the Platform Manager refuses such a policy too).
        ProposedChange::DealerApplication {
            application,
            outcome,
        } => crate::functions::customers::service::record_application_proposal(
            store,
            metadata,
            application.clone(),
            outcome.clone(),
            proposal.clone(),
        )
        .await
        .map(|_| ())
        .map_err(ActionError::from),
        // Never carried out without a person either.
        ProposedChange::ChangeRequestTriage { request, outcome } => {
            crate::functions::platform_manager::service::record_triage_proposal(
                store,
                metadata,
                request.clone(),
                outcome.clone(),
                proposal.clone(),
            )
            .await
            .map(|_| ())
            .map_err(ActionError::from)
        }
    }
}

/// Records a base price proposal, then carries it out at once if the
/// autonomy policy for base prices allows a change of its size.
async fn propose_base_price(
    store: &EventStore,
    metadata: EventMetadata,
    proposal: &kiln_core::decision::Proposal,
    sku: &crate::functions::category::events::Sku,
    to: kiln_core::money::Money,
    report: &mut StepReport,
) -> Result<(), ActionError> {
    use crate::functions::category::decide::CategoryError;
    use crate::functions::category::service::{self as category, CatalogServiceError};

    category::record_price_proposal(store, metadata.clone(), sku.clone(), to, proposal.clone())
        .await?;
    let kind = &super::kinds::BASE_PRICE;
    let policy = crate::functions::platform_manager::service::policy_for(store, kind)
        .await
        .map_err(ActionError::Store)?;
    // A high-risk kind waits for a person whatever a policy says (the
    // Platform Manager refuses such a policy too).
    if kind.high_risk || policy == kiln_core::decision::AutonomyPolicy::AlwaysAsk {
        return Ok(());
    }
    let metadata = EventMetadata {
        idempotency_key: metadata
            .idempotency_key
            .map(|key| format!("{key}:carried-out")),
        ..metadata
    };
    match category::carry_out_automatically(
        store,
        metadata,
        sku.clone(),
        proposal.decision.clone(),
        policy,
    )
    .await
    {
        Ok(_) => {
            report.carried_out_automatically += 1;
            Ok(())
        }
        // Too large for the policy, or marked high-risk: it waits for a
        // person, as proposed.
        Err(CatalogServiceError::Rejected(
            CategoryError::BeyondAutonomy { .. } | CategoryError::HighRiskProposal { .. },
        )) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// The events after `after` up to `head` that wake `agent`: of the types
/// it follows, appended by anyone but itself. `None` when there are none.
async fn waking_events(
    store: &EventStore,
    agent: BusinessFunction,
    descriptor: &AgentDescriptor,
    after: i64,
    head: i64,
) -> Result<Option<AgentTrigger>, StoreError> {
    let listed = i64::try_from(WAKING_EVENTS_LISTED).unwrap_or(i64::MAX);
    let (count, first) = store
        .count_of_types_between(after, head, descriptor.follows, &agent_actor(agent), listed)
        .await?;
    Ok((count > 0).then(|| AgentTrigger::Events {
        after,
        through: head,
        count,
        first: first
            .into_iter()
            .map(|(position, event_type, stream)| WakingEvent {
                position,
                event_type,
                stream,
            })
            .collect(),
    }))
}

/// `agent`'s newest recorded step and its position, if it took any.
pub async fn newest_step(
    store: &EventStore,
    agent: BusinessFunction,
) -> Result<Option<(i64, AgentStep)>, AgentError> {
    let Some(position) =
        crate::functions::platform_manager::projection::newest_step_position(store, agent).await?
    else {
        return Ok(None);
    };
    let events = store.read_after(position - 1, 1).await?;
    let not_a_step = AgentError::NotAStep {
        agent: agent.slug(),
        position,
    };
    let Some(event) = events.first().filter(|event| event.position == position) else {
        return Err(not_a_step);
    };
    match crate::store::projections::decode_one::<PlatformEvent>(event)? {
        PlatformEvent::AgentStepTaken(step) => Ok(Some((position, step))),
        _ => Err(not_a_step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{load_demo_business, load_demo_history};
    use crate::functions::category::agent::AGENT;
    use crate::testing::store_tests;
    use kiln_core::decision::DecisionStatus;
    use std::future::Future;
    use std::pin::Pin;

    /// A brain that must not be asked: a recorded step is never thought again.
    fn must_not_think(
        _: &EventStore,
        _: &StepInput,
    ) -> Pin<Box<dyn Future<Output = Result<Thought, StoreError>> + Send + 'static>> {
        panic!("a recorded step was thought again")
    }

    async fn demo(store: &EventStore) {
        load_demo_business(store).await.expect("demo business");
        load_demo_history(store, kiln_core::money::TaxRate { basis_points: 0 })
            .await
            .expect("demo history");
    }

    async fn round(store: &EventStore, think: Thinker) -> Round {
        run_round(store, BusinessFunction::Category, &AGENT, think, Utc::now())
            .await
            .expect("round")
    }

    fn proposals_in(step: &AgentStep) -> usize {
        step.actions
            .iter()
            .filter(|action| matches!(action, AgentAction::Propose { .. }))
            .count()
    }

    /// Fulfillment's agent answers, then Category's agent acts on the answers.
    async fn converse(store: &EventStore) {
        use crate::functions::fulfillment::agent::AGENT as FULFILLMENT;
        let answered = run_round(
            store,
            BusinessFunction::Fulfillment,
            &FULFILLMENT,
            FULFILLMENT.think,
            Utc::now(),
        )
        .await
        .expect("fulfillment's round");
        assert!(
            matches!(answered, Round::Stepped(_)),
            "Fulfillment's agent answers: {answered:?}"
        );
        let acted = round(store, AGENT.think).await;
        assert!(
            matches!(acted, Round::Stepped(_)),
            "Category's agent acts on the answer: {acted:?}"
        );
    }

    async fn agent_cards(store: &EventStore) -> Vec<kiln_core::decision::DecisionCard> {
        crate::functions::category::projection::price_proposals(store, 100)
            .await
            .expect("cards")
            .into_iter()
            .filter(|card| card.proposed_by == "agent:category")
            .collect()
    }

    store_tests! {
        async fn the_category_agent_reads_the_demo_business_records_its_step_and_proposes(store) {
            demo(&store).await;
            let Round::Stepped(report) = round(&store, AGENT.think).await else {
                panic!("the demo's events wake the agent");
            };
            assert!(report.refused.is_empty(), "{:?}", report.refused);
            let cards = agent_cards(&store).await;
            assert!(!cards.is_empty(), "the demo's market notes call for a proposal");
            assert!(cards.iter().all(|card| card.status == DecisionStatus::Pending));
            let speckled = cards
                .iter()
                .find(|card| card.stream == "product-MUG-SPECKLE-12-SLT")
                .unwrap_or_else(|| panic!("the slate mug, selling fast under two rivals' prices, is proposed: {cards:#?}"));
            assert!(
                speckled.summary.starts_with("Raise MUG-SPECKLE-12-SLT from $28.00 to $30.00: rivals charge $32.00"),
                "{}",
                speckled.summary
            );

            let (position, step) = newest_step(&store, BusinessFunction::Category)
                .await
                .expect("read")
                .expect("a step is recorded");
            assert_eq!(position, report.position);
            assert_eq!(step.brain, "rules");
            assert_eq!(step.actions.len(), report.carried_out);
            assert_eq!(proposals_in(&step), cards.len());
            // The proposals' events name the step that caused them.
            let proposed = store.read_after(position, 50).await.expect("events");
            let caused: Vec<_> = proposed
                .iter()
                .filter(|event| event.event_type == "PriceChangeProposed")
                .collect();
            assert_eq!(caused.len(), cards.len());
            assert!(caused.iter().all(|event| event.metadata.causation_id.as_deref() == Some(report.key.as_str())));

            // Its own step and proposals do not wake it; then it rests.
            let head = store.head_position().await.expect("head");
            assert_eq!(round(&store, must_not_think).await, Round::NothingToFollow { through: head });
            assert_eq!(round(&store, must_not_think).await, Round::Idle);
        }

        async fn the_customers_agent_proposes_a_verdict_on_each_demo_application_escalates_a_lookalike_and_a_person_approves_one(store) {
            use crate::functions::customers::{self, agent::AGENT as CUSTOMERS};
            use crate::functions::platform_manager::projection::conversations;
            demo(&store).await;
            let Round::Stepped(report) =
                run_round(&store, BusinessFunction::Customers, &CUSTOMERS, CUSTOMERS.think, Utc::now())
                    .await
                    .expect("round")
            else {
                panic!("the demo's applications wake Customer Management's agent");
            };
            assert_eq!(report.carried_out, 4, "{report:?}");
            assert!(report.refused.is_empty(), "{report:?}");
            assert_eq!(report.carried_out_automatically, 0);

            let cards = customers::projection::application_proposals(&store, 10).await.expect("cards");
            let change_of = |name: &str| {
                cards
                    .iter()
                    .find(|card| card.change.contains(name))
                    .unwrap_or_else(|| panic!("{name} is proposed on: {cards:#?}"))
                    .clone()
            };
            assert_eq!(cards.len(), 3, "{cards:#?}");
            let saltmarsh = change_of("Saltmarsh Kitchen");
            assert!(saltmarsh.change.ends_with("at the volume tier"), "{}", saltmarsh.change);
            assert_eq!(saltmarsh.status, DecisionStatus::Pending);
            assert_eq!(saltmarsh.proposed_by, "agent:customers");
            assert!(change_of("Hedgerow Homewares").change.ends_with("at the trade tier"));
            assert!(change_of("Best Deals 4 U").change.starts_with("Decline"));
            let escalations = conversations(&store, BusinessFunction::Customers, 10).await.expect("threads");
            assert_eq!(escalations.len(), 1, "{escalations:#?}");
            let escalation = &escalations[0].messages[0];
            assert_eq!(escalation.intent, MessageIntent::Escalate);
            assert!(escalation.text.contains("Kiln & Crumb Bakery"), "{}", escalation.text);

            // A person approves one proposal and rejects another.
            let person = Actor::parse("user:acc-0000000000000001").expect("actor");
            let verdict = |card: &kiln_core::decision::DecisionCard, verdict: &str, comment: &str| {
                crate::functions::view::DecisionVerdictForm {
                    decision: card.decision.to_string(),
                    verdict: verdict.into(),
                    comment: comment.into(),
                }
            };
            let approved = customers::service::decide_application_proposal(
                &store,
                person.clone(),
                verdict(&saltmarsh, "approve", ""),
            )
            .await
            .expect("approved");
            let opened = approved.opened.expect("the company is opened with its first login");
            let company = customers::projection::dealer_company(&store, &opened.company)
                .await
                .expect("read")
                .expect("the company exists");
            assert_eq!(company.name, "Saltmarsh Kitchen");
            assert_eq!(company.tier, customers::events::DealerTier::Volume);
            let rejected = customers::service::decide_application_proposal(
                &store,
                person,
                verdict(&change_of("Hedgerow Homewares"), "reject", "Call them first"),
            )
            .await
            .expect("rejected");
            assert!(rejected.opened.is_none());
            let statuses: Vec<_> = customers::projection::application_proposals(&store, 10)
                .await
                .expect("cards")
                .into_iter()
                .map(|card| card.status)
                .collect();
            assert_eq!(statuses.iter().filter(|status| **status == DecisionStatus::Pending).count(), 1);

            // The approval wakes the agent again; every application left
            // was proposed on or escalated once, so it proposes nothing.
            let next = run_round(&store, BusinessFunction::Customers, &CUSTOMERS, CUSTOMERS.think, Utc::now())
                .await
                .expect("round");
            assert!(matches!(next, Round::Considered { .. }), "{next:?}");
        }

        async fn the_platform_managers_agent_triages_the_demo_change_requests_and_a_person_approves_a_duplicate(store) {
            use crate::functions::platform_manager::{agent::AGENT as PLATFORM, events::TriageStatus, projection, service};
            demo(&store).await;
            let Round::Stepped(report) = run_round(
                &store,
                BusinessFunction::PlatformManager,
                &PLATFORM,
                PLATFORM.think,
                Utc::now(),
            )
            .await
            .expect("round")
            else {
                panic!("the demo's change requests wake the Platform Manager's agent");
            };
            assert_eq!(report.carried_out, 3, "{report:?}");
            let cards = projection::triage_proposals(&store, 10).await.expect("cards");
            let card_of = |title: &str| {
                cards
                    .iter()
                    .find(|card| card.change.contains(&format!("change request “{title}”")))
                    .unwrap_or_else(|| panic!("{title} is proposed a triage: {cards:#?}"))
                    .clone()
            };
            assert!(card_of("Print packing slips").change.ends_with("at priority critical"));
            assert!(card_of("Bulk edit of base prices").change.ends_with("at priority low"));
            let duplicate = card_of("Edit base prices in bulk");
            assert!(duplicate.change.contains("as a duplicate of"), "{}", duplicate.change);
            assert_eq!(duplicate.proposed_by, "agent:platform-manager");

            service::decide_triage_proposal(
                &store,
                Actor::parse("user:acc-0000000000000001").expect("actor"),
                crate::functions::view::DecisionVerdictForm {
                    decision: duplicate.decision.to_string(),
                    verdict: "approve".into(),
                    comment: String::new(),
                },
            )
            .await
            .expect("approved");
            let requests = projection::change_requests(&store, None).await.expect("requests");
            let declined = requests
                .iter()
                .find(|request| request.title == "Edit base prices in bulk")
                .expect("listed");
            assert_eq!(declined.status, TriageStatus::Declined);
            assert!(declined.note.starts_with("Duplicate of chg-"), "{}", declined.note);
        }

        async fn a_question_left_unanswered_for_an_hour_is_escalated_once_by_the_watchdog(store) {
            use crate::functions::platform_manager::{projection, service, view::AgentMessageForm};
            let asked = service::send_agent_message(
                &store,
                agent_actor(BusinessFunction::Category),
                BusinessFunction::Category,
                AgentMessageForm {
                    to: "fulfillment".into(),
                    text: "Does MUG-SPECKLE-12 have more stock than half a year sells?".into(),
                    conversation: String::new(),
                    about: String::new(),
                    intent: "ask".into(),
                },
            )
            .await
            .expect("asked");
            let round_at = |minutes: i64| {
                run_round(
                    &store,
                    BusinessFunction::Category,
                    &AGENT,
                    must_not_think,
                    Utc::now() + chrono::Duration::minutes(minutes),
                )
            };
            let watchdog_firings = || async {
                projection::guard_firings(&store, 10)
                    .await
                    .expect("firings")
                    .into_iter()
                    .filter(|firing| firing.guard == "watchdog")
                    .collect::<Vec<_>>()
            };

            // Half an hour on, the question may still be answered.
            round_at(30).await.expect("round");
            assert!(watchdog_firings().await.is_empty());

            // Past the hour, the watchdog escalates to Category's people, once.
            round_at(61).await.expect("round");
            round_at(90).await.expect("round");
            let firings = watchdog_firings().await;
            assert_eq!(firings.len(), 1, "{firings:#?}");
            assert_eq!(firings[0].agent, "category");
            assert_eq!(firings[0].conversation_id.as_deref(), Some(asked.conversation.as_str()));
            let threads = projection::conversations(&store, BusinessFunction::Category, 10)
                .await
                .expect("threads");
            let messages = &threads[0].messages;
            assert_eq!(messages.len(), 2, "{messages:#?}");
            assert_eq!(messages[1].intent, MessageIntent::Escalate);
            assert_eq!(messages[1].to, BusinessFunction::Category);
            assert!(messages[1].text.starts_with("The watchdog stopped waiting here"), "{}", messages[1].text);
        }

        async fn an_answered_question_is_left_alone_by_the_watchdog(store) {
            use crate::functions::platform_manager::{projection, service, view::AgentMessageForm};
            let form = |to: &str, conversation: &str, intent: &str, text: &str| AgentMessageForm {
                to: to.into(),
                text: text.into(),
                conversation: conversation.into(),
                about: String::new(),
                intent: intent.into(),
            };
            let asked = service::send_agent_message(
                &store,
                agent_actor(BusinessFunction::Category),
                BusinessFunction::Category,
                form("fulfillment", "", "ask", "Is the jug overstocked?"),
            )
            .await
            .expect("asked");
            service::send_agent_message(
                &store,
                agent_actor(BusinessFunction::Fulfillment),
                BusinessFunction::Fulfillment,
                form("category", asked.conversation.as_str(), "agree", "Yes: 400 days of stock."),
            )
            .await
            .expect("answered");
            // The answer wakes Category's agent; its brain does nothing.
            run_round(
                &store,
                BusinessFunction::Category,
                &AGENT,
                does_nothing,
                Utc::now() + chrono::Duration::hours(3),
            )
            .await
            .expect("round");
            assert!(projection::guard_firings(&store, 10).await.expect("firings").is_empty());
        }

        async fn a_step_recorded_before_a_crash_is_carried_out_after_it_once_without_thinking_again(store) {
            demo(&store).await;
            // The first life: the step is thought and recorded, then the
            // process dies after carrying out only its first action.
            let head = store.head_position().await.expect("head");
            let trigger = waking_events(&store, BusinessFunction::Category, &AGENT, 0, head)
                .await
                .expect("scan")
                .expect("woken");
            let input = StepInput {
                agent: BusinessFunction::Category,
                step_key: AgentStep::key(BusinessFunction::Category, &trigger),
                trigger,
                now: Utc::now(),
            };
            let thought = (AGENT.think)(&store, &input).await.expect("thought");
            let step = AgentStep {
                agent: BusinessFunction::Category,
                trigger: input.trigger.clone(),
                reads: thought.reads,
                brain: thought.brain,
                model: thought.model,
                prompt_version: thought.prompt_version,
                observations: thought.observations,
                actions: thought.actions,
                input_tokens: 0,
                output_tokens: 0,
                cost_micro_usd: 0,
                duration_ms: 1,
                raw_answer: None,
            };
            let proposals = proposals_in(&step);
            assert!(proposals >= 1, "{}", step.observations);
            let position = record_step(&store, &step, &input.step_key).await.expect("recorded");
            let first = step
                .actions
                .iter()
                .position(|action| matches!(action, AgentAction::Propose { .. }))
                .expect("a proposal");
            let first_only = AgentStep { actions: step.actions[..=first].to_vec(), ..step.clone() };
            carry_out(&store, &first_only, &input.step_key, position, RateLimits::STANDARD).await.expect("first actions");
            assert_eq!(agent_cards(&store).await.len(), 1);

            // The second life resumes the recorded step without asking a brain.
            let Round::Resumed(report) = round(&store, must_not_think).await else {
                panic!("the recorded step is resumed");
            };
            assert_eq!(report.position, position);
            assert_eq!(report.carried_out, step.actions.len());
            assert!(report.refused.is_empty(), "{:?}", report.refused);
            let cards = agent_cards(&store).await;
            assert_eq!(cards.len(), proposals, "no proposal lost or made twice");
            let decisions: std::collections::HashSet<_> = cards.iter().map(|card| card.decision.clone()).collect();
            assert_eq!(decisions.len(), proposals);
            let steps = store
                .load::<PlatformEvent>(&AgentStep::stream(BusinessFunction::Category))
                .await
                .expect("steps");
            assert_eq!(steps.events.len(), 1, "the step is recorded once");
            let head = store.head_position().await.expect("head");
            assert_eq!(round(&store, must_not_think).await, Round::NothingToFollow { through: head });
            assert_eq!(round(&store, must_not_think).await, Round::Idle);

            // Recording the same step again answers the first recording.
            assert_eq!(record_step(&store, &step, &input.step_key).await.expect("repeat"), position);
        }

        async fn a_small_change_the_policy_allows_is_carried_out_a_large_one_waits_and_a_person_reverses_the_small_one(store) {
            use crate::functions::category::{events::Sku, projection, service};
            use crate::functions::platform_manager::{service::set_autonomy_policy, view::AutonomyForm};
            demo(&store).await;
            let owner = Actor::parse("user:acc-0000000000000001").expect("actor");
            set_autonomy_policy(
                &store,
                owner.clone(),
                AutonomyForm { kind: "base-price".into(), policy: "carry_out_below".into(), limit_percent: "8".into() },
            )
            .await
            .expect("policy set");

            let Round::Stepped(report) = round(&store, AGENT.think).await else {
                panic!("woken by the demo");
            };
            assert_eq!(report.carried_out_automatically, 1, "{report:?}");
            // The pasta bowl's cut waits for Fulfillment's agent, which agrees.
            converse(&store).await;
            let cards = agent_cards(&store).await;
            let status = |sku: &str| {
                cards
                    .iter()
                    .find(|card| card.stream == format!("product-{sku}"))
                    .map(|card| card.status)
            };
            // $28.00 → $30.00 is 7.14 %: carried out. $26.00 → $23.50 is 9.6 %: waits.
            assert_eq!(status("MUG-SPECKLE-12-SLT"), Some(DecisionStatus::CarriedOutAutomatically));
            assert_eq!(status("TBL-PASTA-8"), Some(DecisionStatus::Pending));
            let slate = Sku::parse("MUG-SPECKLE-12-SLT").expect("SKU");
            let price = |card: Option<crate::functions::category::view::ProductCard>| card.expect("product").price.to_string();
            assert_eq!(price(projection::product(&store, &slate).await.expect("read")), "$30.00");
            let automatic = cards
                .iter()
                .find(|card| card.status == DecisionStatus::CarriedOutAutomatically)
                .expect("the automatic card");
            assert_eq!(automatic.decided_by.as_deref(), Some("agent:category"));
            assert_eq!(automatic.comment, "Carried out under the autonomy policy “carry out below 8 %”: a 7.14 % change.");

            // A person reverses it: the price goes back, once.
            let form = crate::functions::category::view::ReversalForm {
                decision: automatic.decision.to_string(),
                comment: "Not before the winter fair".into(),
            };
            service::reverse_decision(&store, owner.clone(), form.clone()).await.expect("reversed");
            assert_eq!(price(projection::product(&store, &slate).await.expect("read")), "$28.00");
            let refused = service::reverse_decision(&store, owner, form).await.expect_err("once");
            assert_eq!(
                refused.to_string(),
                format!("{} was not carried out automatically, is already reversed, or the price changed again since", automatic.decision)
            );
            let reversed = agent_cards(&store).await.into_iter().find(|card| card.decision == automatic.decision).expect("card");
            let reversal = reversed.reversal.expect("the card shows the reversal");
            assert_eq!((reversal.by.as_str(), reversal.comment.as_str()), ("user:acc-0000000000000001", "Not before the winter fair"));

            // The reversal wakes the agent, which leaves the product alone for
            // now: a step that does nothing is not recorded.
            let Round::Considered { observations, .. } = round(&store, AGENT.think).await else {
                panic!("the reversal wakes the agent, which does nothing");
            };
            assert!(observations.contains("0 price changes proposed, 0 messages sent"), "{observations}");
            let report = crate::store::projections::rebuild(&store, Some("price-proposals"), |_| {}).await.expect("rebuilt");
            assert!(report.all_equal(), "{:?}", report.tables);
        }

        async fn events_the_agent_does_not_follow_move_its_checkpoint_without_a_step(store) {
            demo(&store).await;
            let Round::Stepped(_) = round(&store, AGENT.think).await else {
                panic!("woken by the demo");
            };
            // A change request is the Platform Manager's business.
            crate::functions::platform_manager::service::raise_change_request(
                &store,
                Actor::parse("user:acc-0000000000000001").expect("actor"),
                crate::functions::platform_manager::service::NewChangeRequest {
                    title: "Show stock cover on the catalog".into(),
                    function: BusinessFunction::Category,
                    impact: "Pricing needs it".into(),
                    urgency: crate::functions::platform_manager::events::Urgency::Normal,
                },
            )
            .await
            .expect("raised");
            let head = store.head_position().await.expect("head");
            assert_eq!(round(&store, must_not_think).await, Round::NothingToFollow { through: head });
            assert_eq!(round(&store, must_not_think).await, Round::Idle);
        }

        async fn category_asks_fulfillment_fulfillment_answers_with_the_stock_and_on_its_agreement_category_proposes(store) {
            use crate::functions::platform_manager::projection::conversations;
            use kiln_core::conversation::MessageIntent;
            demo(&store).await;
            let Round::Stepped(_) = round(&store, AGENT.think).await else {
                panic!("woken by the demo");
            };
            let pasta = |cards: &[kiln_core::decision::DecisionCard]| {
                cards.iter().find(|card| card.stream == "product-TBL-PASTA-8").cloned()
            };
            assert!(pasta(&agent_cards(&store).await).is_none(), "the cut waits for Fulfillment");
            converse(&store).await;

            let threads = conversations(&store, BusinessFunction::Fulfillment, 10).await.expect("threads");
            let [thread] = threads.as_slice() else {
                panic!("one conversation: {threads:#?}");
            };
            let said: Vec<_> = thread.messages.iter().map(|message| (message.from, message.intent)).collect();
            assert_eq!(
                said,
                [
                    (BusinessFunction::Category, MessageIntent::Ask),
                    (BusinessFunction::Fulfillment, MessageIntent::Agree),
                    (BusinessFunction::Category, MessageIntent::Note),
                ]
            );
            assert!(thread.messages[1].text.starts_with("Agreed: "), "{}", thread.messages[1].text);
            assert!(!thread.messages[1].consulted.is_empty(), "the answer names what it consulted");
            assert_eq!(thread.messages[0].subject.as_deref(), Some("product-TBL-PASTA-8"));

            // The thread names the decision, and the decision the thread.
            let card = pasta(&agent_cards(&store).await).expect("the cut is proposed");
            assert_eq!(card.status, DecisionStatus::Pending);
            assert_eq!(thread.messages[2].about.as_ref(), Some(&card.decision));
            assert_eq!(card.agents_involved, [BusinessFunction::Category, BusinessFunction::Fulfillment]);
            assert!(card.data_considered.iter().any(|data| data.href == format!("/staff/category#{}", thread.conversation)));
            // Category Management's page shows the same thread.
            let category = conversations(&store, BusinessFunction::Category, 10).await.expect("threads");
            assert_eq!(category.first().map(|thread| &thread.conversation), Some(&thread.conversation));

            // The agents' health counts what they did.
            let health = crate::agents::health::agent_health(&store, BusinessFunction::Category, "agent-category").await.expect("health");
            assert_eq!((health.activity.messages, health.activity.escalations, health.activity.guards_fired), (2, 0, 0));
            assert_eq!(health.decisions.proposed, i64::try_from(agent_cards(&store).await.len()).expect("count"));
            assert!(health.status.starts_with("Working: up to #"), "{}", health.status);
            let fulfillment = crate::agents::health::agent_health(&store, BusinessFunction::Fulfillment, "agent-fulfillment").await.expect("health");
            assert_eq!((fulfillment.activity.steps, fulfillment.activity.messages), (1, 1));

            // Nothing more to say: both rest, and the tables rebuild the same.
            let fulfillment = crate::functions::fulfillment::agent::AGENT;
            let quiet = run_round(&store, BusinessFunction::Fulfillment, &fulfillment, fulfillment.think, Utc::now()).await.expect("round");
            assert!(matches!(quiet, Round::Considered { .. }), "{quiet:?}");
            let report = crate::store::projections::rebuild(&store, None, |_| {}).await.expect("rebuilt");
            assert!(report.all_equal(), "{:?}", report.tables);
        }

        async fn a_note_naming_a_decision_the_step_failed_to_propose_is_not_sent(store) {
            use crate::functions::category::events::Sku;
            use kiln_core::conversation::MessageIntent;
            load_demo_business(&store).await.expect("demo business");
            let head = store.head_position().await.expect("head");
            let input = StepInput {
                agent: BusinessFunction::Category,
                trigger: AgentTrigger::Events { after: 0, through: head, count: 1, first: vec![] },
                now: Utc::now(),
                step_key: format!("agent:category:events-through-{head}"),
            };
            let decision = input.decision_id(0);
            // A product that does not exist: the catalog refuses the proposal.
            let propose = AgentAction::Propose {
                proposal: kiln_core::decision::Proposal {
                    decision: decision.clone(),
                    summary: "Cut a product that is not there".into(),
                    reasoning: String::new(),
                    agents_involved: vec![BusinessFunction::Category],
                    data_considered: Vec::new(),
                    risk: kiln_core::decision::Risk::Low,
                },
                change: ProposedChange::BasePrice {
                    sku: Sku::parse("NOT-THERE-1").expect("SKU"),
                    to: kiln_core::money::Money::new(1000, kiln_core::money::Currency::Usd),
                },
            };
            let note = AgentAction::Message {
                message: AgentMessage {
                    message: input.message_id(1),
                    conversation: input.conversation_id(1),
                    from: BusinessFunction::Category,
                    to: BusinessFunction::Fulfillment,
                    text: "Proposed for a person to approve.".into(),
                    about: Some(decision),
                    intent: MessageIntent::Note,
                    subject: None,
                    consulted: Vec::new(),
                },
                replying: false,
            };
            let step = AgentStep {
                agent: BusinessFunction::Category,
                trigger: input.trigger.clone(),
                reads: Vec::new(),
                brain: "rules".into(),
                model: None,
                prompt_version: "test".into(),
                observations: String::new(),
                actions: vec![propose, note],
                input_tokens: 0,
                output_tokens: 0,
                cost_micro_usd: 0,
                duration_ms: 0,
                raw_answer: None,
            };
            let position = record_step(&store, &step, &input.step_key).await.expect("recorded");
            let report = carry_out(&store, &step, &input.step_key, position, RateLimits::STANDARD).await.expect("carried out");
            assert_eq!(report.carried_out, 0, "{report:?}");
            assert_eq!(report.refused.len(), 2, "{report:?}");
            assert!(report.refused[1].ends_with("the decision it names was not proposed"), "{report:?}");
            assert_eq!(store.head_position().await.expect("head"), position, "nothing but the step was appended");
        }

        async fn two_agents_that_would_ask_each_other_forever_are_stopped_by_the_hop_limit_and_escalated(store) {
            loop_between_agents(&store, chatty).await;
            let firings = crate::functions::platform_manager::projection::guard_firings(&store, 10).await.expect("firings");
            let guards: Vec<&str> = firings.iter().map(|firing| firing.guard.as_str()).collect();
            assert_eq!(guards, ["hop_limit"]);
        }

        async fn an_agent_that_floods_its_peers_with_new_conversations_is_stopped_by_the_hourly_rate_limit(store) {
            load_demo_business(&store).await.expect("demo business");
            let limits = RateLimits { messages_per_hour: 5, proposals_per_hour: 5 };
            let descriptor = AgentDescriptor { subscriber: "agent-category", follows: &["MarketPriceNoted"], think: flooder, model: None, rate_limits: limits };
            let owner = Actor::parse("user:acc-0000000000000001").expect("actor");
            for round in 0..=limits.messages_per_hour {
                crate::functions::category::service::note_market_price(
                    &store,
                    owner.clone(),
                    crate::functions::category::view::MarketNoteForm {
                        sku: "TBL-JUG-1L".into(),
                        source: "Hearth & Kiln".into(),
                        their_price: format!("{}.00", 40 + round),
                        note: "Their jug".into(),
                    },
                )
                .await
                .expect("noted");
                let Round::Stepped(report) = run_round(&store, BusinessFunction::Category, &descriptor, flooder, Utc::now()).await.expect("round") else {
                    panic!("the note wakes it");
                };
                // Every message up to the limit is sent; the one past it is not.
                assert_eq!(report.guards_fired, usize::from(round == limits.messages_per_hour), "round {round}: {report:?}");
            }
            let sent = crate::functions::platform_manager::projection::messages_sent_since(&store, "agent:category", "2000-01-01T00:00:00Z").await.expect("count");
            assert_eq!(sent, limits.messages_per_hour);
            let firings = crate::functions::platform_manager::projection::guard_firings(&store, 10).await.expect("firings");
            let guards: Vec<&str> = firings.iter().map(|firing| firing.guard.as_str()).collect();
            assert_eq!(guards, ["rate_limit"]);
            assert_eq!(firings[0].refused, "agent:category made 5 messages in the last hour, its limit");
        }

        async fn an_agent_that_repeats_itself_is_stopped_by_the_repeat_guard_and_escalated(store) {
            loop_between_agents(&store, parrot).await;
            let firings = crate::functions::platform_manager::projection::guard_firings(&store, 10).await.expect("firings");
            let guards: Vec<&str> = firings.iter().map(|firing| firing.guard.as_str()).collect();
            assert_eq!(guards, ["repeated_message"]);
            assert!(firings[0].refused.contains("already said this"), "{}", firings[0].refused);
        }
    }

    /// A brain that starts a new conversation with Fulfillment's agent at
    /// every step: no thread grows, so only the rate limit holds it.
    fn flooder(
        _: &EventStore,
        input: &StepInput,
    ) -> Pin<Box<dyn Future<Output = Result<Thought, StoreError>> + Send + 'static>> {
        use kiln_core::conversation::MessageIntent;
        let message = AgentMessage {
            message: input.message_id(0),
            conversation: input.conversation_id(0),
            from: input.agent,
            to: BusinessFunction::Fulfillment,
            text: format!("Anything new since #{}?", input.trigger.through()),
            about: None,
            intent: MessageIntent::Ask,
            subject: None,
            consulted: Vec::new(),
        };
        Box::pin(std::future::ready(Ok(Thought {
            reads: Vec::new(),
            brain: "rules".into(),
            model: None,
            prompt_version: "flood-test".into(),
            observations: "something to ask".into(),
            actions: vec![AgentAction::Message {
                message,
                replying: false,
            }],
            input_tokens: 0,
            output_tokens: 0,
            cost_micro_usd: 0,
            raw_answer: None,
        })))
    }

    /// Two agents, Category Management's and Customer Management's, each
    /// answering the other's every question with `think`, until the guards
    /// stop them: then the conversation ends escalated to people, and both
    /// rest.
    async fn loop_between_agents(store: &EventStore, think: Thinker) {
        use crate::functions::platform_manager::projection::conversations;
        use crate::functions::platform_manager::service::send_agent_message;
        use crate::functions::platform_manager::view::AgentMessageForm;
        use kiln_core::conversation::MessageIntent;
        let first = send_agent_message(
            store,
            Actor::agent(BusinessFunction::Category),
            BusinessFunction::Category,
            AgentMessageForm {
                to: "customers".into(),
                text: "Which dealers stock the slate mug?".into(),
                conversation: String::new(),
                about: String::new(),
                intent: "ask".into(),
            },
        )
        .await
        .expect("asked");
        let descriptor = |subscriber| AgentDescriptor {
            subscriber,
            follows: &["AgentMessageSent"],
            think,
            model: None,
            rate_limits: RateLimits::STANDARD,
        };
        let agents = [
            (BusinessFunction::Customers, descriptor("agent-customers")),
            (BusinessFunction::Category, descriptor("agent-category")),
        ];
        let mut rounds = 0;
        let mut idle = 0;
        while idle < 2 {
            let (agent, descriptor) = &agents[rounds % 2];
            let round = run_round(store, *agent, descriptor, think, Utc::now())
                .await
                .expect("round");
            idle = if matches!(round, Round::Stepped(_)) {
                0
            } else {
                idle + 1
            };
            rounds += 1;
            assert!(
                rounds < 4 * kiln_core::conversation::HOP_LIMIT,
                "the guards did not stop them"
            );
        }
        let threads = conversations(store, BusinessFunction::Category, 10)
            .await
            .expect("threads");
        let [thread] = threads.as_slice() else {
            panic!("one conversation: {threads:#?}");
        };
        assert_eq!(thread.conversation, first.conversation);
        let last = thread.messages.last().expect("messages");
        assert_eq!(
            last.intent,
            MessageIntent::Escalate,
            "{:#?}",
            thread.messages
        );
        assert!(last.text.contains("guard stopped"), "{}", last.text);
        assert!(thread.messages.len() <= kiln_core::conversation::HOP_LIMIT + 1);
    }

    /// A brain that sees nothing to do.
    fn does_nothing(
        _: &EventStore,
        _: &StepInput,
    ) -> Pin<Box<dyn Future<Output = Result<Thought, StoreError>> + Send + 'static>> {
        Box::pin(async {
            Ok(Thought::of_rules(
                Vec::new(),
                "test",
                "nothing to do".to_owned(),
                Vec::new(),
            ))
        })
    }

    /// A brain that answers every question to it with another question.
    fn chatty(
        store: &EventStore,
        input: &StepInput,
    ) -> Pin<Box<dyn Future<Output = Result<Thought, StoreError>> + Send + 'static>> {
        let (store, input) = (store.clone(), input.clone());
        Box::pin(async move {
            reply_to_questions(&store, &input, |hop| {
                format!("Good question. And what about point {hop}?")
            })
            .await
        })
    }

    /// A brain that answers every question to it with the same question.
    fn parrot(
        store: &EventStore,
        input: &StepInput,
    ) -> Pin<Box<dyn Future<Output = Result<Thought, StoreError>> + Send + 'static>> {
        let (store, input) = (store.clone(), input.clone());
        Box::pin(async move {
            reply_to_questions(&store, &input, |_| "What do you think?".to_owned()).await
        })
    }

    async fn reply_to_questions(
        store: &EventStore,
        input: &StepInput,
        text: impl Fn(usize) -> String,
    ) -> Result<Thought, StoreError> {
        use kiln_core::conversation::MessageIntent;
        let threads =
            crate::functions::platform_manager::projection::conversations(store, input.agent, 10)
                .await?;
        let actions = threads
            .iter()
            .filter_map(|thread| {
                let last = thread.messages.last()?;
                (last.to == input.agent && last.intent == MessageIntent::Ask).then(|| {
                    AgentAction::Message {
                        message: AgentMessage {
                            message: input.message_id(0),
                            conversation: thread.conversation.clone(),
                            from: input.agent,
                            to: last.from,
                            text: text(thread.messages.len()),
                            about: None,
                            intent: MessageIntent::Ask,
                            subject: None,
                            consulted: Vec::new(),
                        },
                        replying: true,
                    }
                })
            })
            .collect();
        Ok(Thought::of_rules(
            Vec::new(),
            "loop-test",
            "a question waits".into(),
            actions,
        ))
    }
}
