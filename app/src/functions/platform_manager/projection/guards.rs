//! The guards that fired, a row each: what the Database Manager's page
//! lists of agents held back by the runtime.

use crate::functions::platform_manager::events::PlatformEvent;
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{self, Projector, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;

/// The guard firings projection: `guard_firings`, a row per firing.
pub const GUARD_FIRINGS: Projector = Projector {
    name: "guard-firings",
    function: BusinessFunction::PlatformManager,
    handles: &["GuardFired"],
    tables: &["guard_firings"],
    apply: |connection, events| Box::pin(apply_guard_firings(connection, events)),
};

/// Applies guard firings, in position order: a row per refused action,
/// which remembers its event's position, so replaying changes nothing.
pub async fn apply_guard_firings(
    connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let mut fired = Vec::with_capacity(events.len());
    for (event, payload) in projections::decode::<PlatformEvent>(events)? {
        if let PlatformEvent::GuardFired(firing) = payload {
            let at = event
                .recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            fired.push((event.position, firing, at));
        }
    }
    let rows: Vec<Row<'_>> = fired
        .iter()
        .map(|(position, firing, at)| Row {
            values: vec![
                Value::Text(&firing.action),
                Value::Text(firing.agent.slug()),
                Value::Text(firing.guard.slug()),
                Value::OptionalText(firing.conversation.as_ref().map(|id| id.as_str())),
                Value::Text(&firing.refused),
                Value::Text(at),
            ],
            position: *position,
        })
        .collect();
    upsert_rows(
        connection,
        "guard_firings",
        "firing_key",
        &[
            "firing_key",
            "agent",
            "guard",
            "conversation_id",
            "refused",
            "fired_at",
        ],
        &rows,
    )
    .await
}

/// A guard firing as a page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GuardFiringRow {
    /// The agent's function slug.
    pub agent: String,
    /// The guard's slug (`kiln_core::conversation::Guard`).
    pub guard: String,
    /// The conversation, if any.
    pub conversation_id: Option<String>,
    /// What was refused and why.
    pub refused: String,
    /// When, UTC, RFC 3339.
    pub fired_at: String,
    /// Its position in the log.
    pub last_position: i64,
}

/// The newest `limit` guard firings, newest first.
pub async fn guard_firings(
    store: &EventStore,
    limit: i64,
) -> Result<Vec<GuardFiringRow>, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT agent, guard, conversation_id, refused, fired_at, last_position
             FROM guard_firings ORDER BY last_position DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read guard firings"))
}
