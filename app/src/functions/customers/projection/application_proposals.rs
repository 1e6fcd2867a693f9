//! Proposed verdicts on dealer applications and people's verdicts on them:
//! the decision cards of Customer Management's page, and what agent health
//! and the rate limits count of them.

use super::corrupt;
use crate::functions::customers::events::{
    ApplicationId, ApplicationOutcome, CustomerEvent, DealerApplicationVerdictProposed,
};
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{self, Projector, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::decision::{
    DecisionCard, DecisionCounts, DecisionId, DecisionStatus, DecisionVerdict, Risk,
};
use kiln_core::function::BusinessFunction;

/// The projection of proposals on dealer applications.
pub const APPLICATION_PROPOSALS: Projector = Projector {
    name: "dealer-application-proposals",
    function: BusinessFunction::Customers,
    handles: &[
        "DealerApplicationVerdictProposed",
        "DealerApplicationProposalApproved",
        "DealerApplicationProposalRejected",
    ],
    tables: &[
        "dealer_application_proposals",
        "dealer_application_proposal_verdicts",
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
        proposed: DealerApplicationVerdictProposed,
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
    for (event, payload) in projections::decode::<CustomerEvent>(events)? {
        let by = event.metadata.actor.to_string();
        let at = event
            .recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (status, verdict) = match payload {
            CustomerEvent::DealerApplicationVerdictProposed(proposed) => {
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
            CustomerEvent::DealerApplicationProposalApproved(verdict) => {
                (DecisionStatus::Approved, verdict)
            }
            CustomerEvent::DealerApplicationProposalRejected(verdict) => {
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
            let (outcome, tier, reason) = match &proposed.outcome {
                ApplicationOutcome::Approve { tier } => ("approve", tier.as_str(), ""),
                ApplicationOutcome::Decline { reason } => ("decline", "", reason.as_str()),
            };
            Row {
                values: vec![
                    Value::Text(proposed.proposal.decision.as_str()),
                    Value::Text(proposed.application.as_str()),
                    Value::Text(&proposed.company_name),
                    Value::Text(outcome),
                    Value::Text(tier),
                    Value::Text(reason),
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
        "dealer_application_proposals",
        "decision_id",
        &[
            "decision_id",
            "application_id",
            "company_name",
            "outcome",
            "tier",
            "reason",
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
        "dealer_application_proposal_verdicts",
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

/// A row of `dealer_application_proposals` with its verdict, if any.
#[derive(sqlx::FromRow)]
struct ProposalRow {
    decision_id: String,
    application_id: String,
    company_name: String,
    outcome: String,
    tier: String,
    reason: String,
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

/// The decision cards of proposals on dealer applications: every one
/// waiting, then the `decided_limit` decided most lately.
pub async fn application_proposals(
    store: &EventStore,
    decided_limit: i64,
) -> Result<Vec<DecisionCard>, StoreError> {
    let rows: Vec<ProposalRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT p.decision_id, p.application_id, p.company_name, p.outcome, p.tier,
                    p.reason, p.summary, p.reasoning, p.agents_involved, p.data_considered,
                    p.risk, p.proposed_by, p.proposed_at, v.status, v.comment, v.decided_by,
                    v.decided_at
             FROM dealer_application_proposals p
             LEFT JOIN dealer_application_proposal_verdicts v ON v.decision_id = p.decision_id
             WHERE v.decision_id IS NULL
                OR p.decision_id IN (SELECT decision_id FROM dealer_application_proposal_verdicts
                                     ORDER BY last_position DESC LIMIT $1)
             ORDER BY (v.decision_id IS NULL) DESC, COALESCE(v.last_position, p.last_position) DESC",
        )
        .bind(decided_limit)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the proposals on dealer applications"))?;
    rows.into_iter().map(decision_card).collect()
}

/// A proposal's row as the card a page shows.
fn decision_card(row: ProposalRow) -> Result<DecisionCard, StoreError> {
    let application = ApplicationId::parse(&row.application_id)
        .map_err(|_| corrupt("dealer application id", &row.application_id))?;
    let change = match row.outcome.as_str() {
        "approve" => format!(
            "Approve the dealer application of {} at the {} tier",
            row.company_name, row.tier
        ),
        "decline" => format!(
            "Decline the dealer application of {}, telling them: “{}”",
            row.company_name, row.reason
        ),
        other => return Err(corrupt("proposed application outcome", other)),
    };
    let status = match &row.status {
        None => DecisionStatus::Pending,
        Some(status) => DecisionStatus::from_name(status)
            .ok_or_else(|| corrupt("decision status", status.as_str()))?,
    };
    Ok(DecisionCard {
        decision: DecisionId::parse(&row.decision_id)
            .map_err(|_| corrupt("decision id", &row.decision_id))?,
        function: BusinessFunction::Customers,
        change,
        stream: format!("dealer-application-{application}"),
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

/// The application a proposal is about, if there is such a proposal.
pub async fn proposal_application(
    store: &EventStore,
    decision: &DecisionId,
) -> Result<Option<ApplicationId>, StoreError> {
    let application: Option<String> = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT application_id FROM dealer_application_proposals WHERE decision_id = $1",
        )
        .bind(decision.as_str())
        .fetch_optional(pool)
        .await
    })
    .map_err(database("find a proposal on a dealer application"))?;
    application
        .map(|application| {
            ApplicationId::parse(&application)
                .map_err(|_| corrupt("dealer application id", application.clone()))
        })
        .transpose()
}

/// The applications a proposal was ever made on, with whether one waits
/// and whether a person rejected one: what the agent reads so that it
/// proposes once per application and never again after a rejection.
pub async fn applications_proposed_on(
    store: &EventStore,
) -> Result<Vec<(ApplicationId, Option<DecisionStatus>)>, StoreError> {
    let rows: Vec<(String, Option<String>)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT p.application_id, v.status
             FROM dealer_application_proposals p
             LEFT JOIN dealer_application_proposal_verdicts v ON v.decision_id = p.decision_id
             ORDER BY p.last_position",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the proposals on dealer applications"))?;
    rows.into_iter()
        .map(|(application, status)| {
            let application = ApplicationId::parse(&application)
                .map_err(|_| corrupt("dealer application id", application.clone()))?;
            let status = status
                .map(|status| {
                    DecisionStatus::from_name(&status)
                        .ok_or_else(|| corrupt("decision status", status.clone()))
                })
                .transpose()?;
            Ok((application, status))
        })
        .collect()
}

/// How the proposals on dealer applications made by `proposed_by` (e.g.
/// `agent:customers`) fared.
pub async fn application_decision_counts(
    store: &EventStore,
    proposed_by: &str,
) -> Result<DecisionCounts, StoreError> {
    let (proposed, approved, rejected): (i64, i64, i64) =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT CAST(COUNT(*) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN v.status = 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN v.status = 'rejected' THEN 1 ELSE 0 END), 0) AS BIGINT)
                 FROM dealer_application_proposals p
                 LEFT JOIN dealer_application_proposal_verdicts v ON v.decision_id = p.decision_id
                 WHERE p.proposed_by = $1",
            )
            .bind(proposed_by)
            .fetch_one(pool)
            .await
        })
        .map_err(database("count the verdicts on proposals on dealer applications"))?;
    Ok(DecisionCounts {
        proposed,
        approved,
        rejected,
        // Verdicts on applications are high-risk: never carried out
        // without a person, so never reversed either.
        carried_out_automatically: 0,
        reversed: 0,
    })
}

/// How many proposals on dealer applications `proposed_by` made at or
/// after `since` (UTC, RFC 3339): what its hourly rate limit counts.
pub async fn application_proposals_made_since(
    store: &EventStore,
    proposed_by: &str,
    since: &str,
) -> Result<i64, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM dealer_application_proposals
             WHERE proposed_by = $1 AND proposed_at >= $2",
        )
        .bind(proposed_by)
        .bind(since)
        .fetch_one(pool)
        .await
    })
    .map_err(database(format!(
        "count the proposals on dealer applications {proposed_by} made"
    )))
}
