//! Autonomy policies, a row per decision kind that has one: what the
//! agent runtime reads before carrying a decision out, and what the
//! Platform Manager's page lists.

use crate::functions::platform_manager::events::PlatformEvent;
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{self, Projector, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::decision::AutonomyPolicy;
use kiln_core::function::BusinessFunction;

/// The autonomy policies projection: `autonomy_policies`.
pub const AUTONOMY_POLICIES: Projector = Projector {
    name: "autonomy-policies",
    function: BusinessFunction::PlatformManager,
    handles: &["AutonomyPolicySet"],
    tables: &["autonomy_policies"],
    apply: |connection, events| Box::pin(apply_autonomy_policies(connection, events)),
};

/// A policy's name in the table.
fn policy_name(policy: AutonomyPolicy) -> &'static str {
    match policy {
        AutonomyPolicy::AlwaysAsk => "always_ask",
        AutonomyPolicy::CarryOutBelow { .. } => "carry_out_below",
        AutonomyPolicy::CarryOut => "carry_out",
    }
}

/// Applies policies set, in position order: a kind's row is its newest
/// policy, and remembers its event's position, so replaying changes nothing.
pub async fn apply_autonomy_policies(
    connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    struct Set {
        position: i64,
        set: crate::functions::platform_manager::events::AutonomyPolicySet,
        by: String,
        at: String,
    }
    let mut sets = Vec::new();
    for (event, payload) in projections::decode::<PlatformEvent>(events)? {
        if let PlatformEvent::AutonomyPolicySet(set) = payload {
            sets.push(Set {
                position: event.position,
                set,
                by: event.metadata.actor.to_string(),
                at: event
                    .recorded_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            });
        }
    }
    // A batch may set one kind twice: the newest wins, as a replay would.
    sets.sort_by_key(|set| set.position);
    let mut newest: std::collections::BTreeMap<&str, &Set> = std::collections::BTreeMap::new();
    for set in &sets {
        newest.insert(&set.set.kind, set);
    }
    let rows: Vec<Row<'_>> = newest
        .values()
        .map(|row| Row {
            values: vec![
                Value::Text(&row.set.kind),
                Value::Text(row.set.function.slug()),
                Value::Text(policy_name(row.set.policy)),
                Value::OptionalInteger(match row.set.policy {
                    AutonomyPolicy::CarryOutBelow { limit_bp } => Some(i64::from(limit_bp)),
                    _ => None,
                }),
                Value::Text(&row.by),
                Value::Text(&row.at),
            ],
            position: row.position,
        })
        .collect();
    upsert_rows(
        connection,
        "autonomy_policies",
        "decision_kind",
        &[
            "decision_kind",
            "function",
            "policy",
            "limit_bp",
            "set_by",
            "set_at",
        ],
        &rows,
    )
    .await
}

/// A kind's policy as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutonomyPolicyRow {
    /// The decision kind's slug.
    pub kind: String,
    /// The policy.
    pub policy: AutonomyPolicy,
    /// Who set it.
    pub set_by: String,
    /// When, UTC, RFC 3339.
    pub set_at: String,
}

/// Every policy set, by kind.
pub async fn autonomy_policies(store: &EventStore) -> Result<Vec<AutonomyPolicyRow>, StoreError> {
    let rows: Vec<(String, String, Option<i64>, String, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT decision_kind, policy, limit_bp, set_by, set_at
                 FROM autonomy_policies ORDER BY decision_kind",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(database("read the autonomy policies"))?;
    rows.into_iter()
        .map(|(kind, policy, limit_bp, set_by, set_at)| {
            let corrupt = || StoreError::Corrupt {
                what: "autonomy policy",
                value: format!("{policy} {limit_bp:?}"),
            };
            let policy = match (policy.as_str(), limit_bp) {
                ("always_ask", _) => AutonomyPolicy::AlwaysAsk,
                ("carry_out", _) => AutonomyPolicy::CarryOut,
                ("carry_out_below", Some(limit)) => AutonomyPolicy::CarryOutBelow {
                    limit_bp: u32::try_from(limit).map_err(|_| corrupt())?,
                },
                _ => return Err(corrupt()),
            };
            Ok(AutonomyPolicyRow {
                kind,
                policy,
                set_by,
                set_at,
            })
        })
        .collect()
}

/// The policy in force for decisions of `kind` (always ask when none was set).
pub async fn autonomy_policy(store: &EventStore, kind: &str) -> Result<AutonomyPolicy, StoreError> {
    Ok(autonomy_policies(store)
        .await?
        .into_iter()
        .find(|row| row.kind == kind)
        .map_or(AutonomyPolicy::AlwaysAsk, |row| row.policy))
}
