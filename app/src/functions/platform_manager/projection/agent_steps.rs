//! Agents' steps, a row each: what the pages list of an agent's work, and
//! where the runtime finds an agent's newest step after a restart.

use crate::agents::step::AgentStep;
use crate::functions::platform_manager::events::PlatformEvent;
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{self, Projector, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;

/// The agent steps projection: `agent_steps`, a row per step.
pub const AGENT_STEPS: Projector = Projector {
    name: "agent-steps",
    function: BusinessFunction::PlatformManager,
    handles: &["AgentStepTaken"],
    tables: &["agent_steps"],
    apply: |connection, events| Box::pin(apply_agent_steps(connection, events)),
};

/// Applies recorded steps, in position order: a row per step, which
/// remembers its event's position, so replaying changes nothing.
pub async fn apply_agent_steps(
    connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    // The texts the rows borrow.
    struct Taken {
        position: i64,
        key: String,
        step: AgentStep,
        trigger: String,
        actions: String,
        at: String,
    }
    let mut taken = Vec::with_capacity(events.len());
    for (event, payload) in projections::decode::<PlatformEvent>(events)? {
        if let PlatformEvent::AgentStepTaken(step) = payload {
            taken.push(Taken {
                position: event.position,
                key: AgentStep::key(step.agent, &step.trigger),
                trigger: step.trigger.describe(),
                actions: step
                    .actions
                    .iter()
                    .map(|action| action.describe())
                    .collect::<Vec<_>>()
                    .join("\n"),
                at: event
                    .recorded_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                step,
            });
        }
    }
    let count = |value: u64| Value::Integer(i64::try_from(value).unwrap_or(i64::MAX));
    let rows: Vec<Row<'_>> = taken
        .iter()
        .map(|row| Row {
            values: vec![
                Value::Text(&row.key),
                Value::Text(row.step.agent.slug()),
                Value::Text(&row.trigger),
                Value::Integer(row.step.trigger.through()),
                Value::Text(&row.step.brain),
                Value::OptionalText(row.step.model.as_deref()),
                Value::Text(&row.step.observations),
                Value::Text(&row.actions),
                count(row.step.actions.len() as u64),
                count(row.step.input_tokens),
                count(row.step.output_tokens),
                count(row.step.cost_micro_usd),
                count(row.step.duration_ms),
                Value::Text(&row.at),
            ],
            position: row.position,
        })
        .collect();
    upsert_rows(
        connection,
        "agent_steps",
        "step_key",
        &[
            "step_key",
            "agent",
            "trigger_text",
            "through_position",
            "brain",
            "model",
            "observations",
            "actions",
            "action_count",
            "input_tokens",
            "output_tokens",
            "cost_micro_usd",
            "duration_ms",
            "taken_at",
        ],
        &rows,
    )
    .await
}

/// The log position of `agent`'s newest step, if it took any.
pub async fn newest_step_position(
    store: &EventStore,
    agent: BusinessFunction,
) -> Result<Option<i64>, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT MAX(last_position) FROM agent_steps WHERE agent = $1",
        )
        .bind(agent.slug())
        .fetch_one(pool)
        .await
    })
    .map_err(database(format!(
        "read the newest step of the {} agent",
        agent.slug()
    )))
}

/// A step as a page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgentStepRow {
    /// The agent's function slug.
    pub agent: String,
    /// What woke it.
    pub trigger_text: String,
    /// Which brain thought.
    pub brain: String,
    /// What it saw.
    pub observations: String,
    /// What it chose, a line per action.
    pub actions: String,
    /// How many actions.
    pub action_count: i64,
    /// Tokens in and out.
    pub input_tokens: i64,
    /// Tokens out.
    pub output_tokens: i64,
    /// How long it thought, in milliseconds.
    pub duration_ms: i64,
    /// When, UTC, RFC 3339.
    pub taken_at: String,
    /// Its position in the log.
    pub last_position: i64,
}

/// The newest `limit` steps of `agent` (of every agent when `None`), newest first.
pub async fn agent_steps(
    store: &EventStore,
    agent: Option<BusinessFunction>,
    limit: i64,
) -> Result<Vec<AgentStepRow>, StoreError> {
    let agent = agent.map(BusinessFunction::slug);
    per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT agent, trigger_text, brain, observations, actions, action_count,
                    input_tokens, output_tokens, duration_ms, taken_at, last_position
             FROM agent_steps
             WHERE CAST($1 AS TEXT) IS NULL OR agent = $1
             ORDER BY last_position DESC LIMIT $2",
        )
        .bind(agent)
        .bind(limit)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read agent steps"))
}

/// What `agent` spent on its model on `day` (`YYYY-MM-DD`, UTC), summed
/// from its recorded steps: what the daily budget is checked against.
pub async fn spent_on_day(
    store: &EventStore,
    agent: BusinessFunction,
    day: &str,
) -> Result<crate::agents::model::Spent, StoreError> {
    let (tokens, cost): (Option<i64>, Option<i64>) = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT CAST(SUM(input_tokens + output_tokens) AS BIGINT), CAST(SUM(cost_micro_usd) AS BIGINT)
             FROM agent_steps WHERE agent = $1 AND taken_at LIKE $2",
        )
        .bind(agent.slug())
        .bind(format!("{day}%"))
        .fetch_one(pool)
        .await
    })
    .map_err(database(format!(
        "read what the {} agent spent on {day}",
        agent.slug()
    )))?;
    let amount = |sum: Option<i64>| sum.map_or(0, |sum| u64::try_from(sum).unwrap_or(0));
    Ok(crate::agents::model::Spent {
        tokens: amount(tokens),
        cost_micro_usd: amount(cost),
    })
}

/// What an agent's work adds up to, from its steps, its messages and the
/// guards that fired on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentActivity {
    /// Steps recorded.
    pub steps: i64,
    /// When the newest was recorded (UTC, RFC 3339).
    pub last_step_at: Option<String>,
    /// Tokens sent and answered, over all its steps.
    pub tokens: i64,
    /// What its model calls cost, in millionths of a US dollar.
    pub cost_micro_usd: i64,
    /// Messages it sent (escalations included).
    pub messages: i64,
    /// Of those, escalations to people.
    pub escalations: i64,
    /// Guards that fired on it.
    pub guards_fired: i64,
}

/// What `agent`'s work adds up to.
pub async fn agent_activity(
    store: &EventStore,
    agent: BusinessFunction,
) -> Result<AgentActivity, StoreError> {
    let slug = agent.slug();
    let actor = format!("agent:{slug}");
    let (steps, last_step_at, tokens, cost): (i64, Option<String>, i64, i64) =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT CAST(COUNT(*) AS BIGINT), MAX(taken_at),
                        CAST(COALESCE(SUM(input_tokens + output_tokens), 0) AS BIGINT),
                        CAST(COALESCE(SUM(cost_micro_usd), 0) AS BIGINT)
                 FROM agent_steps WHERE agent = $1",
            )
            .bind(slug)
            .fetch_one(pool)
            .await
        })
        .map_err(database(format!("sum the {slug} agent's steps")))?;
    let (messages, escalations): (i64, i64) = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN intent = 'escalate' THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM agent_messages WHERE sent_by = $1",
        )
        .bind(&actor)
        .fetch_one(pool)
        .await
    })
    .map_err(database(format!("count the {slug} agent's messages")))?;
    let guards_fired: i64 = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM guard_firings WHERE agent = $1")
            .bind(slug)
            .fetch_one(pool)
            .await
    })
    .map_err(database(format!(
        "count the guards fired on the {slug} agent"
    )))?;
    Ok(AgentActivity {
        steps,
        last_step_at,
        tokens,
        cost_micro_usd: cost,
        messages,
        escalations,
        guards_fired,
    })
}
