//! Agent health: how each running agent is doing, as its function's page,
//! the Platform Manager's and the Business Overview show it (briefing,
//! "Decision Tracking": approval and override rates are its "decision
//! accuracy").
//!
//! Everything here is read from projections: the agent's checkpoint (is it
//! working or failing), its steps (runs, tokens, cost), the proposals it
//! made and how people decided them, its messages and the guards that
//! fired on it. Proposals are Category Management's base prices, Customer
//! Management's verdicts on dealer applications and the Platform
//! Manager's triage of change requests today, so the
//! decision figures of the other agents are zero until their decision
//! kinds are built. Not built yet: a trend chart of the figures over time.

use crate::functions::platform_manager::projection::{AgentActivity, agent_activity};
use crate::functions::view::DataTable;
use crate::store::{EventStore, StoreError, subscriptions};
use kiln_core::decision::DecisionCounts;
use kiln_core::function::BusinessFunction;

/// One agent's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentHealth {
    /// Whose agent.
    pub agent: BusinessFunction,
    /// Working or failing, in a sentence.
    pub status: String,
    /// Its steps, messages and guards.
    pub activity: AgentActivity,
    /// How its proposals fared.
    pub decisions: DecisionCounts,
}

impl AgentHealth {
    /// Of its proposals people decided, the share they approved, in basis
    /// points; `None` before any verdict.
    pub fn approval_rate_bp(&self) -> Option<i64> {
        let decided = self.decisions.approved + self.decisions.rejected;
        (decided > 0).then(|| self.decisions.approved * 10_000 / decided)
    }

    /// Of its decisions that took effect or were refused, the share people
    /// overrode (rejected, or reversed after it was carried out
    /// automatically), in basis points; `None` before any.
    pub fn override_rate_bp(&self) -> Option<i64> {
        let decisions = &self.decisions;
        let decided = decisions.approved + decisions.rejected + decisions.carried_out_automatically;
        (decided > 0).then(|| (decisions.rejected + decisions.reversed) * 10_000 / decided)
    }
}

/// The health of `agent`, whose checkpoint on the log is `subscriber`.
pub async fn agent_health(
    store: &EventStore,
    agent: BusinessFunction,
    subscriber: &str,
) -> Result<AgentHealth, StoreError> {
    let checkpoint = subscriptions::statuses(store)
        .await?
        .into_iter()
        .find(|status| status.subscriber == subscriber);
    let status = match checkpoint {
        None => "Not started yet: it has not looked at the log".to_owned(),
        Some(checkpoint) => match (checkpoint.last_error, checkpoint.last_error_at) {
            (Some(error), Some(at)) if at >= checkpoint.updated_at => format!(
                "Failing since {} UTC: {error} (it tries again after a pause)",
                at.format("%Y-%m-%d %H:%M:%S")
            ),
            _ => format!(
                "Working: up to #{} at {} UTC",
                checkpoint.position,
                checkpoint.updated_at.format("%H:%M:%S")
            ),
        },
    };
    Ok(AgentHealth {
        agent,
        status,
        activity: agent_activity(store, agent).await?,
        decisions: decision_counts(store, &format!("agent:{}", agent.slug())).await?,
    })
}

/// How the proposals `proposed_by` (e.g. `agent:customers`) made fared, in
/// every function whose decisions are recorded.
pub async fn decision_counts(
    store: &EventStore,
    proposed_by: &str,
) -> Result<DecisionCounts, StoreError> {
    use crate::functions::{category, customers, platform_manager};
    let prices = category::projection::decision_counts(store, proposed_by).await?;
    let applications =
        customers::projection::application_decision_counts(store, proposed_by).await?;
    let triage = platform_manager::projection::triage_decision_counts(store, proposed_by).await?;
    Ok(prices.plus(applications).plus(triage))
}

/// How many proposals `proposed_by` made at or after `since` (UTC, RFC
/// 3339), in every function whose decisions are recorded: what an agent's
/// hourly rate limit counts.
pub async fn proposals_made_since(
    store: &EventStore,
    proposed_by: &str,
    since: &str,
) -> Result<i64, StoreError> {
    use crate::functions::{category, customers, platform_manager};
    let prices = category::projection::proposals_made_since(store, proposed_by, since).await?;
    let applications =
        customers::projection::application_proposals_made_since(store, proposed_by, since).await?;
    let triage =
        platform_manager::projection::triage_proposals_made_since(store, proposed_by, since)
            .await?;
    Ok(prices + applications + triage)
}

/// The health of every agent among `built` that runs (of `only` when
/// given), as a table.
pub async fn health_table(
    store: &EventStore,
    built: &[&crate::functions::descriptor::FunctionDescriptor],
    only: Option<BusinessFunction>,
) -> Result<DataTable, StoreError> {
    let mut table = DataTable::new(
        "agent-health",
        "Agent health",
        &[
            "Agent",
            "Status",
            "Steps",
            "Decisions",
            "Approval / override rate",
            "Messages and guards",
            "Model",
        ],
        "No agent runs here.",
    );
    let rate = |rate: Option<i64>| {
        rate.map_or_else(
            || "–".to_owned(),
            |bp| kiln_core::decision::percent_text(u32::try_from(bp).unwrap_or(0)),
        )
    };
    // Times as "2026-12-06 08:46" (UTC).
    let minute = |at: &str| at.get(..16).unwrap_or(at).replace('T', " ");
    for descriptor in built
        .iter()
        .filter(|descriptor| only.is_none_or(|only| descriptor.function == only))
    {
        let Some(agent) = descriptor.agent else {
            continue;
        };
        let health = agent_health(store, descriptor.function, agent.subscriber).await?;
        let activity = &health.activity;
        let decisions = &health.decisions;
        table.row(vec![
            format!("agent:{}", health.agent.slug()),
            health.status.clone(),
            match &activity.last_step_at {
                Some(at) => format!("{}, the newest at {}", activity.steps, minute(at)),
                None => "none yet".to_owned(),
            },
            format!(
                "{} proposed: {} approved, {} rejected, {} carried out automatically ({} reversed)",
                decisions.proposed,
                decisions.approved,
                decisions.rejected,
                decisions.carried_out_automatically,
                decisions.reversed
            ),
            format!(
                "{} / {}",
                rate(health.approval_rate_bp()),
                rate(health.override_rate_bp())
            ),
            format!(
                "{} sent ({} escalated); {} guards fired",
                activity.messages, activity.escalations, activity.guards_fired
            ),
            format!(
                "{} tokens, ${}.{:02}",
                activity.tokens,
                activity.cost_micro_usd / 1_000_000,
                activity.cost_micro_usd % 1_000_000 / 10_000
            ),
        ]);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(decisions: DecisionCounts) -> AgentHealth {
        AgentHealth {
            agent: BusinessFunction::Category,
            status: String::new(),
            activity: AgentActivity::default(),
            decisions,
        }
    }

    #[test]
    fn the_rates_count_what_people_decided_and_overrode() {
        let none = health(DecisionCounts::default());
        assert_eq!(
            (none.approval_rate_bp(), none.override_rate_bp()),
            (None, None)
        );
        // 3 approved, 1 rejected, 4 carried out automatically of which 1 reversed.
        let some = health(DecisionCounts {
            proposed: 10,
            approved: 3,
            rejected: 1,
            carried_out_automatically: 4,
            reversed: 1,
        });
        assert_eq!(some.approval_rate_bp(), Some(7_500));
        assert_eq!(some.override_rate_bp(), Some(2_500));
    }
}
