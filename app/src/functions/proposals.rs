//! What the proposal projections of the functions whose decisions wait
//! for a person share: a table of proposals (the columns every proposal
//! has, and the function's own), a table of verdicts, the decision cards
//! read from them, and the counts agent health and the rate limits make.
//! Customer Management's dealer applications and the Platform Manager's
//! triage use it; Category Management's price proposals, older and with
//! reversals, keep their own.
//!
//! A function's proposals table has the columns `decision_id`, its own
//! columns (all text), then [`SHARED_COLUMNS`]; its verdicts table has
//! `decision_id`, `status`, `comment`, `decided_by`, `decided_at`, and both
//! `last_position`.

use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::decision::{
    DecisionCard, DecisionCounts, DecisionId, DecisionStatus, DecisionVerdict, Proposal, Risk,
};
use kiln_core::function::BusinessFunction;
use sqlx::Row as _;

/// The columns every proposal has, after the function's own.
pub const SHARED_COLUMNS: [&str; 7] = [
    "summary",
    "reasoning",
    "agents_involved",
    "data_considered",
    "risk",
    "proposed_by",
    "proposed_at",
];

/// The columns of every verdicts table.
const VERDICT_COLUMNS: &[&str] = &[
    "decision_id",
    "status",
    "comment",
    "decided_by",
    "decided_at",
];

/// A function's two tables.
#[derive(Debug, Clone, Copy)]
pub struct ProposalTables {
    /// The proposals table, e.g. `dealer_application_proposals`.
    pub proposals: &'static str,
    /// Every column of it but `last_position`: `decision_id`, the
    /// function's own, then [`SHARED_COLUMNS`].
    pub columns: &'static [&'static str],
    /// How many of the columns are the function's own.
    pub own_columns: usize,
    /// The column naming what the proposal is about, e.g. `application_id`.
    pub subject: &'static str,
    /// The verdicts table.
    pub verdicts: &'static str,
}

/// What one event means to a proposal projection.
pub enum DecisionEvent {
    /// A proposal, with the values of the function's own columns.
    Proposed(Proposal, Vec<String>),
    /// A verdict on a proposal.
    Decided(DecisionStatus, DecisionVerdict),
}

/// Applies `decoded` events (with the recorded events they came from), in
/// position order: a row per proposal and per verdict, each remembering
/// its event's position, so replaying changes nothing.
pub async fn apply_decisions(
    mut connection: Connection<'_>,
    tables: ProposalTables,
    decoded: Vec<(&RecordedEvent, DecisionEvent)>,
) -> Result<(), StoreError> {
    // The texts the rows borrow: every value of a row, in column order.
    let mut proposals: Vec<(i64, Vec<String>)> = Vec::new();
    let mut verdicts: Vec<(i64, Vec<String>)> = Vec::new();
    for (event, meaning) in decoded {
        let by = event.metadata.actor.to_string();
        let at = event
            .recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match meaning {
            DecisionEvent::Proposed(proposal, own) => {
                let json = |value: serde_json::Result<String>| {
                    value.map_err(|source| StoreError::Payload {
                        event_type: event.event_type.clone(),
                        source,
                    })
                };
                let mut values = vec![proposal.decision.to_string()];
                values.extend(own);
                values.extend([
                    proposal.summary,
                    proposal.reasoning,
                    json(serde_json::to_string(&proposal.agents_involved))?,
                    json(serde_json::to_string(&proposal.data_considered))?,
                    proposal.risk.as_str().to_owned(),
                    by,
                    at,
                ]);
                proposals.push((event.position, values));
            }
            DecisionEvent::Decided(status, verdict) => verdicts.push((
                event.position,
                vec![
                    verdict.decision.to_string(),
                    status.as_str().to_owned(),
                    verdict.comment,
                    by,
                    at,
                ],
            )),
        }
    }
    upsert_rows(
        connection.reborrow(),
        tables.proposals,
        "decision_id",
        tables.columns,
        &rows(&proposals),
    )
    .await?;
    upsert_rows(
        connection,
        tables.verdicts,
        "decision_id",
        VERDICT_COLUMNS,
        &rows(&verdicts),
    )
    .await
}

/// A proposal as its table holds it, with its verdict if any.
pub struct StoredProposal {
    /// The values of the function's own columns, in order.
    pub own: Vec<String>,
    card: DecisionCard,
}

impl StoredProposal {
    /// Whether it waits for a person.
    pub fn is_waiting(&self) -> bool {
        self.card.status == DecisionStatus::Pending
    }

    /// The card a page shows, saying what approving changes (`change`) and
    /// where its history is (`stream`).
    pub fn card(self, change: String, stream: String) -> DecisionCard {
        DecisionCard {
            change,
            stream,
            ..self.card
        }
    }
}

/// The proposals of `function` in `tables`: every one waiting, then the
/// `decided_limit` decided most lately.
pub async fn stored_proposals(
    store: &EventStore,
    function: BusinessFunction,
    tables: ProposalTables,
    decided_limit: i64,
) -> Result<Vec<StoredProposal>, StoreError> {
    let own: Vec<String> = tables.columns[1..=tables.own_columns]
        .iter()
        .map(|column| format!("p.{column}"))
        .collect();
    let statement = format!(
        "SELECT p.decision_id, p.summary, p.reasoning, p.agents_involved, p.data_considered,
                p.risk, p.proposed_by, p.proposed_at, v.status, v.comment, v.decided_by,
                v.decided_at, {own}
         FROM {proposals} p
         LEFT JOIN {verdicts} v ON v.decision_id = p.decision_id
         WHERE v.decision_id IS NULL
            OR p.decision_id IN (SELECT decision_id FROM {verdicts}
                                 ORDER BY last_position DESC LIMIT $1)
         ORDER BY (v.decision_id IS NULL) DESC, COALESCE(v.last_position, p.last_position) DESC",
        own = own.join(", "),
        proposals = tables.proposals,
        verdicts = tables.verdicts,
    );
    let corrupt = |what, value: &str| StoreError::Corrupt {
        what,
        value: value.to_owned(),
    };
    let rows = per_backend!(store.database(), Database, pool => {
        let rows = sqlx::query(&statement).bind(decided_limit).fetch_all(pool).await;
        rows.and_then(|rows| {
            rows.iter()
                .map(|row| {
                    let text = |index: usize| row.try_get::<String, _>(index);
                    let optional = |index: usize| row.try_get::<Option<String>, _>(index);
                    Ok((
                        (0..8).map(text).collect::<Result<Vec<_>, _>>()?,
                        (8..12).map(optional).collect::<Result<Vec<_>, _>>()?,
                        (12..12 + tables.own_columns).map(text).collect::<Result<Vec<_>, _>>()?,
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })
    })
    .map_err(database(format!(
        "read the proposals in {}",
        tables.proposals
    )))?;
    rows.into_iter()
        .map(|(shared, verdict, own)| {
            let [
                decision,
                summary,
                reasoning,
                agents,
                data,
                risk,
                proposed_by,
                proposed_at,
            ] = <[String; 8]>::try_from(shared)
                .map_err(|_| corrupt("proposal row", tables.proposals))?;
            let [status, comment, decided_by, decided_at] =
                <[Option<String>; 4]>::try_from(verdict)
                    .map_err(|_| corrupt("verdict row", tables.verdicts))?;
            let status = match status {
                None => DecisionStatus::Pending,
                Some(status) => DecisionStatus::from_name(&status)
                    .ok_or_else(|| corrupt("decision status", &status))?,
            };
            Ok(StoredProposal {
                own,
                card: DecisionCard {
                    decision: DecisionId::parse(&decision)
                        .map_err(|_| corrupt("decision id", &decision))?,
                    function,
                    summary,
                    reasoning,
                    change: String::new(),
                    agents_involved: serde_json::from_str(&agents)
                        .map_err(|_| corrupt("agents involved", &agents))?,
                    data_considered: serde_json::from_str(&data)
                        .map_err(|_| corrupt("data considered", &data))?,
                    risk: Risk::from_name(&risk).ok_or_else(|| corrupt("risk", &risk))?,
                    proposed_by,
                    proposed_at,
                    status,
                    decided_by,
                    decided_at,
                    comment: comment.unwrap_or_default(),
                    stream: String::new(),
                    reversal: None,
                },
            })
        })
        .collect()
}

/// What the proposal `decision` is about (its `subject` column), if there
/// is such a proposal.
pub async fn proposal_subject(
    store: &EventStore,
    tables: ProposalTables,
    decision: &DecisionId,
) -> Result<Option<String>, StoreError> {
    let statement = format!(
        "SELECT {subject} FROM {proposals} WHERE decision_id = $1",
        subject = tables.subject,
        proposals = tables.proposals,
    );
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(&statement)
            .bind(decision.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database(format!("find a proposal in {}", tables.proposals)))
}

/// Every subject a proposal was made on, oldest proposal first, with its
/// verdict if any.
pub async fn subjects_proposed_on(
    store: &EventStore,
    tables: ProposalTables,
) -> Result<Vec<(String, Option<DecisionStatus>)>, StoreError> {
    let statement = format!(
        "SELECT p.{subject}, v.status
         FROM {proposals} p
         LEFT JOIN {verdicts} v ON v.decision_id = p.decision_id
         ORDER BY p.last_position",
        subject = tables.subject,
        proposals = tables.proposals,
        verdicts = tables.verdicts,
    );
    let rows: Vec<(String, Option<String>)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&statement).fetch_all(pool).await
    })
    .map_err(database(format!(
        "read the proposals in {}",
        tables.proposals
    )))?;
    rows.into_iter()
        .map(|(subject, status)| {
            let status = status
                .map(|status| {
                    DecisionStatus::from_name(&status).ok_or(StoreError::Corrupt {
                        what: "decision status",
                        value: status,
                    })
                })
                .transpose()?;
            Ok((subject, status))
        })
        .collect()
}

/// How the proposals in `tables` made by `proposed_by` (e.g.
/// `agent:customers`) fared. None is carried out without a person, so
/// none is reversed either.
pub async fn decision_counts(
    store: &EventStore,
    tables: ProposalTables,
    proposed_by: &str,
) -> Result<DecisionCounts, StoreError> {
    let statement = format!(
        "SELECT CAST(COUNT(*) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN v.status = 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN v.status = 'rejected' THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM {proposals} p
         LEFT JOIN {verdicts} v ON v.decision_id = p.decision_id
         WHERE p.proposed_by = $1",
        proposals = tables.proposals,
        verdicts = tables.verdicts,
    );
    let (proposed, approved, rejected): (i64, i64, i64) =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(&statement).bind(proposed_by).fetch_one(pool).await
        })
        .map_err(database(format!(
            "count the verdicts in {}",
            tables.verdicts
        )))?;
    Ok(DecisionCounts {
        proposed,
        approved,
        rejected,
        carried_out_automatically: 0,
        reversed: 0,
    })
}

/// How many proposals in `tables` `proposed_by` made at or after `since`
/// (UTC, RFC 3339): what its hourly rate limit counts.
pub async fn proposals_made_since(
    store: &EventStore,
    tables: ProposalTables,
    proposed_by: &str,
    since: &str,
) -> Result<i64, StoreError> {
    let statement = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM {proposals}
         WHERE proposed_by = $1 AND proposed_at >= $2",
        proposals = tables.proposals,
    );
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(&statement)
            .bind(proposed_by)
            .bind(since)
            .fetch_one(pool)
            .await
    })
    .map_err(database(format!(
        "count the proposals {proposed_by} made in {}",
        tables.proposals
    )))
}

/// Rows borrowing `owned` values, each with its event's position.
fn rows(owned: &[(i64, Vec<String>)]) -> Vec<Row<'_>> {
    owned
        .iter()
        .map(|(position, values)| Row {
            values: values.iter().map(|value| Value::Text(value)).collect(),
            position: *position,
        })
        .collect()
}
