//! Change requests and where each stands in its triage.

use crate::functions::platform_manager::events::{PlatformEvent, TriageStatus, Urgency};
use crate::functions::view::ChangeRequestView;
use crate::store::backend::{Connection, per_backend};
use kiln_core::function::BusinessFunction;

use crate::store::projections::{Projector, Row, Value, decode_one, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};

/// The change requests projection: every request raised, and where each
/// stands in its triage.
pub const CHANGE_REQUESTS: Projector = Projector {
    name: "change_requests",
    function: BusinessFunction::PlatformManager,
    handles: &["ChangeRequestRaised", "ChangeRequestTriaged"],
    tables: &["change_requests", "change_request_triage"],
    apply: |connection, events| Box::pin(apply_change_requests(connection, events)),
};

/// Applies change request events, in position order. A request's row is
/// written once, from its raising; its triage row keeps the latest triage
/// (rows remember their last position, so replaying changes nothing).
pub async fn apply_change_requests(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    // Texts the rows borrow: who, when, and the names of enums.
    struct Decoded {
        position: i64,
        event: PlatformEvent,
        by: String,
        at: String,
    }
    let mut decoded = Vec::with_capacity(events.len());
    for event in events {
        decoded.push(Decoded {
            position: event.position,
            event: decode_one::<PlatformEvent>(event)?,
            by: event.metadata.actor.to_string(),
            at: event
                .recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
    }
    let mut raised = Vec::new();
    let mut triaged = Vec::new();
    for Decoded {
        position,
        event,
        by,
        at,
    } in &decoded
    {
        match event {
            PlatformEvent::ChangeRequestRaised(request) => raised.push(Row {
                values: vec![
                    Value::Text(request.request.as_str()),
                    Value::Text(&request.title),
                    Value::Text(request.function.slug()),
                    Value::Text(&request.impact),
                    Value::Text(request.urgency.as_str()),
                    Value::Text(by),
                    Value::Text(at),
                ],
                position: *position,
            }),
            PlatformEvent::ChangeRequestTriaged(triage) => triaged.push(Row {
                values: vec![
                    Value::Text(triage.request.as_str()),
                    Value::Text(triage.status.as_str()),
                    Value::Text(&triage.note),
                    Value::Text(by),
                    Value::Text(at),
                ],
                position: *position,
            }),
            _ => {}
        }
    }
    upsert_rows(
        connection.reborrow(),
        "change_requests",
        "request_id",
        &[
            "request_id",
            "title",
            "function",
            "impact",
            "urgency",
            "raised_by",
            "raised_at",
        ],
        &raised,
    )
    .await?;
    upsert_rows(
        connection,
        "change_request_triage",
        "request_id",
        &["request_id", "status", "note", "triaged_by", "triaged_at"],
        &triaged,
    )
    .await
}

/// The change requests about `function` (every one when `None`), newest
/// first.
pub async fn change_requests(
    store: &EventStore,
    function: Option<BusinessFunction>,
) -> Result<Vec<ChangeRequestView>, StoreError> {
    type Raw = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        String,
    );
    let rows: Vec<Raw> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT r.request_id, r.title, r.function, r.impact, r.urgency, t.status, t.note,
                    r.raised_by, r.raised_at
             FROM change_requests r
             LEFT JOIN change_request_triage t ON t.request_id = r.request_id
             WHERE CAST($1 AS TEXT) IS NULL OR r.function = $1
             ORDER BY r.last_position DESC",
        )
        .bind(function.map(BusinessFunction::slug))
        .fetch_all(pool)
        .await
    })
    .map_err(database("list change requests"))?;
    rows.into_iter()
        .map(
            |(request, title, function, impact, urgency, status, note, raised_by, raised_at)| {
                let status = match status {
                    None => TriageStatus::New,
                    Some(status) => {
                        TriageStatus::from_name(&status).ok_or(StoreError::Corrupt {
                            what: "triage status",
                            value: status,
                        })?
                    }
                };
                let urgency = Urgency::from_name(&urgency).ok_or(StoreError::Corrupt {
                    what: "urgency",
                    value: urgency,
                })?;
                Ok(ChangeRequestView {
                    request,
                    title,
                    function: BusinessFunction::from_slug(&function).ok_or(
                        StoreError::Corrupt {
                            what: "function",
                            value: function,
                        },
                    )?,
                    impact,
                    urgency,
                    status,
                    note: note.unwrap_or_default(),
                    raised_by,
                    raised_at,
                })
            },
        )
        .collect()
}
