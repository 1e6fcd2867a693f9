//! The table derived from the Database Manager's events,
//! `quarantine_verdicts`, and the quarantine the page reads: every
//! integrity anomaly with the verdict on its events, if any.

use crate::store::backend::{Connection, PerBackend, per_backend};
use crate::store::projections::{self, Projector, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use chrono::{DateTime, Utc};
use kiln_core::event::quarantine::{QuarantineEvent, QuarantineVerdict};
use kiln_core::function::BusinessFunction;

/// The quarantine projection: the verdict on each anomaly's events.
pub const QUARANTINE: Projector = Projector {
    name: "quarantine",
    function: BusinessFunction::DatabaseManager,
    handles: &["QuarantineReleased", "QuarantineRejected"],
    tables: &["quarantine_verdicts"],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

/// Applies verdicts, in position order: one row per anomaly, which
/// remembers the position of its event, so replaying changes nothing.
pub async fn apply(
    connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    // The texts the rows borrow: positions as JSON, who and when.
    struct Decided {
        position: i64,
        verdict: &'static str,
        decided: QuarantineVerdict,
        positions: String,
        by: String,
        at: String,
    }
    let decoded = projections::decode::<QuarantineEvent>(events)?;
    let mut decided = Vec::with_capacity(decoded.len());
    for (event, payload) in decoded {
        let (verdict, verdict_payload) = match payload {
            QuarantineEvent::QuarantineReleased(payload) => ("release", payload),
            QuarantineEvent::QuarantineRejected(payload) => ("reject", payload),
        };
        decided.push(Decided {
            position: event.position,
            verdict,
            positions: serde_json::to_string(&verdict_payload.positions).map_err(|source| {
                StoreError::Payload {
                    event_type: event.event_type.clone(),
                    source,
                }
            })?,
            decided: verdict_payload,
            by: event.metadata.actor.to_string(),
            at: event
                .recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
    }
    let rows: Vec<Row<'_>> = decided
        .iter()
        .map(|row| Row {
            values: vec![
                Value::Integer(row.decided.anomaly),
                Value::Text(&row.decided.check),
                Value::Text(&row.positions),
                Value::Text(row.verdict),
                Value::Text(&row.decided.note),
                Value::Text(&row.by),
                Value::Text(&row.at),
            ],
            position: row.position,
        })
        .collect();
    upsert_rows(
        connection,
        "quarantine_verdicts",
        "anomaly_id",
        &[
            "anomaly_id",
            "check_name",
            "positions",
            "verdict",
            "note",
            "decided_by",
            "decided_at",
        ],
        &rows,
    )
    .await
}

/// An integrity anomaly with the verdict on its events: while `verdict`
/// is `None` they wait in the quarantine.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QuarantineEntry {
    /// The anomaly's id.
    pub anomaly: i64,
    /// The check that found it.
    pub check_name: String,
    /// What is wrong.
    pub message: String,
    /// The flagged event positions, as a JSON array.
    pub positions: String,
    /// When it was first found.
    pub detected_at: DateTime<Utc>,
    /// `release` or `reject`, once decided.
    pub verdict: Option<String>,
    /// The note given with the verdict.
    pub note: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When (UTC, RFC 3339).
    pub decided_at: Option<String>,
    /// How many events the gate holds back from the tables for it: its
    /// flagged events and the later events of their streams (see
    /// `store::holding`). Always 0 for anomalies found in the tables after
    /// the fact.
    pub held_back: i64,
}

/// Every anomaly with its verdict and the events held back for it.
const QUARANTINE_SQL: PerBackend<&str> = PerBackend {
    sqlite: "SELECT a.id AS anomaly, a.check_name, a.message, a.positions, a.detected_at,
                    v.verdict, v.note, v.decided_by, v.decided_at,
                    (SELECT COUNT(*) FROM held_events h
                     WHERE h.stream_id IN (SELECT f.stream_id FROM held_events f
                                           WHERE f.state = 'flagged'
                                             AND f.position IN (SELECT value FROM json_each(a.positions))))
                    AS held_back
             FROM integrity_anomalies a
             LEFT JOIN quarantine_verdicts v ON v.anomaly_id = a.id
             ORDER BY (v.verdict IS NULL) DESC, a.id DESC",
    postgres: "SELECT a.id AS anomaly, a.check_name, a.message, a.positions, a.detected_at,
                      v.verdict, v.note, v.decided_by, v.decided_at,
                      (SELECT COUNT(*) FROM held_events h
                       WHERE h.stream_id IN (SELECT f.stream_id FROM held_events f
                                             WHERE f.state = 'flagged'
                                               AND f.position IN (SELECT value::bigint
                                                                  FROM json_array_elements_text(a.positions::json))))
                      AS held_back
               FROM integrity_anomalies a
               LEFT JOIN quarantine_verdicts v ON v.anomaly_id = a.id
               ORDER BY (v.verdict IS NULL) DESC, a.id DESC",
};

/// Every anomaly with its verdict, if any: those still waiting first,
/// then newest first.
pub async fn quarantine(store: &EventStore) -> Result<Vec<QuarantineEntry>, StoreError> {
    let sql = QUARANTINE_SQL.get(store.backend());
    per_backend!(store.database(), Database, pool => {
        sqlx::query_as(sql).fetch_all(pool).await
    })
    .map_err(database("read the quarantine"))
}
