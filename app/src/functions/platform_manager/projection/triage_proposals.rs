//! Proposed triages of change requests and people's verdicts on them: the
//! decision cards of the Platform Manager's page, and what agent health
//! and the rate limits count of them.

use crate::functions::platform_manager::events::{
    ChangeRequestId, ChangeRequestTriageProposed, PlatformEvent, TriageOutcome,
};
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{self, Projector, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::decision::{
    DecisionCard, DecisionCounts, DecisionId, DecisionStatus, DecisionVerdict, Risk,
};
use kiln_core::function::BusinessFunction;

/// The error for a value in a row that Kiln could not have written.
fn corrupt(what: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.to_owned(),
    }
}

/// The projection of triage proposals on change requests.
pub const TRIAGE_PROPOSALS: Projector = Projector {
    name: "change-request-triage-proposals",
    function: BusinessFunction::PlatformManager,
    handles: &[
        "ChangeRequestTriageProposed",
        "ChangeRequestProposalApproved",
        "ChangeRequestProposalRejected",
    ],
    tables: &[
        "change_request_triage_proposals",
        "change_request_triage_verdicts",
    ],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

/// Applies proposals and verdicts, in position order: a row per proposal
/// and per verdict, each remembering the position of its event, so
/// replaying changes nothing.
async fn apply(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    // The texts the rows borrow.
    struct Proposed {
        position: i64,
        proposed: ChangeRequestTriageProposed,
        agents: String,
        data: String,
        by: String,
        at: String,
    }
    struct Decided {
        position: i64,
        status: &'static str,
        verdict: DecisionVerdict,
        by: String,
        at: String,
    }
    let mut proposals = Vec::new();
    let mut verdicts = Vec::new();
    for (event, payload) in projections::decode::<PlatformEvent>(events)? {
        let by = event.metadata.actor.to_string();
        let at = event
            .recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (status, verdict) = match payload {
            PlatformEvent::ChangeRequestTriageProposed(proposed) => {
                let json = |value: serde_json::Result<String>| {
                    value.map_err(|source| StoreError::Payload {
                        event_type: event.event_type.clone(),
                        source,
                    })
                };
                proposals.push(Proposed {
                    position: event.position,
                    agents: json(serde_json::to_string(&proposed.proposal.agents_involved))?,
                    data: json(serde_json::to_string(&proposed.proposal.data_considered))?,
                    proposed,
                    by,
                    at,
                });
                continue;
            }
            PlatformEvent::ChangeRequestProposalApproved(verdict) => {
                (DecisionStatus::Approved, verdict)
            }
            PlatformEvent::ChangeRequestProposalRejected(verdict) => {
                (DecisionStatus::Rejected, verdict)
            }
            _ => continue,
        };
        verdicts.push(Decided {
            position: event.position,
            status: status.as_str(),
            verdict,
            by,
            at,
        });
    }
    let proposal_rows: Vec<Row<'_>> = proposals
        .iter()
        .map(|row| {
            let proposed = &row.proposed;
            let (outcome, priority, of, of_title) = match &proposed.outcome {
                TriageOutcome::Accept { priority } => ("accept", priority.as_str(), "", ""),
                TriageOutcome::Duplicate { of, title } => {
                    ("duplicate", "", of.as_str(), title.as_str())
                }
            };
            Row {
                values: vec![
                    Value::Text(proposed.proposal.decision.as_str()),
                    Value::Text(proposed.request.as_str()),
                    Value::Text(&proposed.title),
                    Value::Text(outcome),
                    Value::Text(priority),
                    Value::Text(of),
                    Value::Text(of_title),
                    Value::Text(&proposed.proposal.summary),
                    Value::Text(&proposed.proposal.reasoning),
                    Value::Text(&row.agents),
                    Value::Text(&row.data),
                    Value::Text(proposed.proposal.risk.as_str()),
                    Value::Text(&row.by),
                    Value::Text(&row.at),
                ],
                position: row.position,
            }
        })
        .collect();
    upsert_rows(
        connection.reborrow(),
        "change_request_triage_proposals",
        "decision_id",
        &[
            "decision_id",
            "request_id",
            "title",
            "outcome",
            "priority",
            "duplicate_of",
            "duplicate_title",
            "summary",
            "reasoning",
            "agents_involved",
            "data_considered",
            "risk",
            "proposed_by",
            "proposed_at",
        ],
        &proposal_rows,
    )
    .await?;
    let verdict_rows: Vec<Row<'_>> = verdicts
        .iter()
        .map(|row| Row {
            values: vec![
                Value::Text(row.verdict.decision.as_str()),
                Value::Text(row.status),
                Value::Text(&row.verdict.comment),
                Value::Text(&row.by),
                Value::Text(&row.at),
            ],
            position: row.position,
        })
        .collect();
    upsert_rows(
        connection,
        "change_request_triage_verdicts",
        "decision_id",
        &[
            "decision_id",
            "status",
            "comment",
            "decided_by",
            "decided_at",
        ],
        &verdict_rows,
    )
    .await
}

/// A row of `change_request_triage_proposals` with its verdict, if any.
#[derive(sqlx::FromRow)]
struct ProposalRow {
    decision_id: String,
    request_id: String,
    title: String,
    outcome: String,
    priority: String,
    duplicate_of: String,
    duplicate_title: String,
    summary: String,
    reasoning: String,
    agents_involved: String,
    data_considered: String,
    risk: String,
    proposed_by: String,
    proposed_at: String,
    status: Option<String>,
    comment: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<String>,
}

/// The decision cards of triage proposals: every one waiting, then the
/// `decided_limit` decided most lately.
pub async fn triage_proposals(
    store: &EventStore,
    decided_limit: i64,
) -> Result<Vec<DecisionCard>, StoreError> {
    let rows: Vec<ProposalRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT p.decision_id, p.request_id, p.title, p.outcome, p.priority,
                    p.duplicate_of, p.duplicate_title, p.summary, p.reasoning,
                    p.agents_involved, p.data_considered, p.risk, p.proposed_by, p.proposed_at,
                    v.status, v.comment, v.decided_by, v.decided_at
             FROM change_request_triage_proposals p
             LEFT JOIN change_request_triage_verdicts v ON v.decision_id = p.decision_id
             WHERE v.decision_id IS NULL
                OR p.decision_id IN (SELECT decision_id FROM change_request_triage_verdicts
                                     ORDER BY last_position DESC LIMIT $1)
             ORDER BY (v.decision_id IS NULL) DESC, COALESCE(v.last_position, p.last_position) DESC",
        )
        .bind(decided_limit)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the triage proposals"))?;
    rows.into_iter().map(decision_card).collect()
}

/// A proposal's row as the card a page shows.
fn decision_card(row: ProposalRow) -> Result<DecisionCard, StoreError> {
    let request = ChangeRequestId::parse(&row.request_id)
        .map_err(|_| corrupt("change request id", &row.request_id))?;
    let change = match row.outcome.as_str() {
        "accept" => format!(
            "Accept the change request “{}” at priority {}",
            row.title, row.priority
        ),
        "duplicate" => format!(
            "Decline the change request “{}” as a duplicate of {} (“{}”)",
            row.title, row.duplicate_of, row.duplicate_title
        ),
        other => return Err(corrupt("proposed triage", other)),
    };
    let status = match &row.status {
        None => DecisionStatus::Pending,
        Some(status) => DecisionStatus::from_name(status)
            .ok_or_else(|| corrupt("decision status", status.as_str()))?,
    };
    Ok(DecisionCard {
        decision: DecisionId::parse(&row.decision_id)
            .map_err(|_| corrupt("decision id", &row.decision_id))?,
        function: BusinessFunction::PlatformManager,
        change,
        stream: request.stream().to_string(),
        summary: row.summary,
        reasoning: row.reasoning,
        agents_involved: serde_json::from_str(&row.agents_involved)
            .map_err(|_| corrupt("agents involved", &row.agents_involved))?,
        data_considered: serde_json::from_str(&row.data_considered)
            .map_err(|_| corrupt("data considered", &row.data_considered))?,
        risk: Risk::from_name(&row.risk).ok_or_else(|| corrupt("risk", &row.risk))?,
        proposed_by: row.proposed_by,
        proposed_at: row.proposed_at,
        status,
        decided_by: row.decided_by,
        decided_at: row.decided_at,
        comment: row.comment.unwrap_or_default(),
        reversal: None,
    })
}

/// The change request a triage proposal is about, if there is such a
/// proposal.
pub async fn triage_proposal_request(
    store: &EventStore,
    decision: &DecisionId,
) -> Result<Option<ChangeRequestId>, StoreError> {
    let request: Option<String> = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT request_id FROM change_request_triage_proposals WHERE decision_id = $1",
        )
        .bind(decision.as_str())
        .fetch_optional(pool)
        .await
    })
    .map_err(database("find a triage proposal"))?;
    request
        .map(|request| {
            ChangeRequestId::parse(&request).map_err(|_| corrupt("change request id", &request))
        })
        .transpose()
}

/// The change requests a triage was ever proposed on, with the verdict on
/// it if any: what the agent reads so that it proposes once per request
/// and never again after a rejection.
pub async fn requests_proposed_on(
    store: &EventStore,
) -> Result<Vec<(ChangeRequestId, Option<DecisionStatus>)>, StoreError> {
    let rows: Vec<(String, Option<String>)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT p.request_id, v.status
             FROM change_request_triage_proposals p
             LEFT JOIN change_request_triage_verdicts v ON v.decision_id = p.decision_id
             ORDER BY p.last_position",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the triage proposals"))?;
    rows.into_iter()
        .map(|(request, status)| {
            let request = ChangeRequestId::parse(&request)
                .map_err(|_| corrupt("change request id", &request))?;
            let status = status
                .map(|status| {
                    DecisionStatus::from_name(&status)
                        .ok_or_else(|| corrupt("decision status", &status))
                })
                .transpose()?;
            Ok((request, status))
        })
        .collect()
}

/// How the triage proposals made by `proposed_by` (e.g.
/// `agent:platform-manager`) fared.
pub async fn triage_decision_counts(
    store: &EventStore,
    proposed_by: &str,
) -> Result<DecisionCounts, StoreError> {
    let (proposed, approved, rejected): (i64, i64, i64) =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT CAST(COUNT(*) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN v.status = 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN v.status = 'rejected' THEN 1 ELSE 0 END), 0) AS BIGINT)
                 FROM change_request_triage_proposals p
                 LEFT JOIN change_request_triage_verdicts v ON v.decision_id = p.decision_id
                 WHERE p.proposed_by = $1",
            )
            .bind(proposed_by)
            .fetch_one(pool)
            .await
        })
        .map_err(database("count the verdicts on triage proposals"))?;
    Ok(DecisionCounts {
        proposed,
        approved,
        rejected,
        // Triage is never carried out without a person (its kind has no
        // size a policy could measure), so never reversed either.
        carried_out_automatically: 0,
        reversed: 0,
    })
}

/// How many triage proposals `proposed_by` made at or after `since` (UTC,
/// RFC 3339): what its hourly rate limit counts.
pub async fn triage_proposals_made_since(
    store: &EventStore,
    proposed_by: &str,
    since: &str,
) -> Result<i64, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM change_request_triage_proposals
             WHERE proposed_by = $1 AND proposed_at >= $2",
        )
        .bind(proposed_by)
        .bind(since)
        .fetch_one(pool)
        .await
    })
    .map_err(database(format!(
        "count the triage proposals {proposed_by} made"
    )))
}
