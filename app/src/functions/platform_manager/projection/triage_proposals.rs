//! Proposed triages of change requests and people's verdicts on them: the
//! decision cards of the Platform Manager's page, and what agent health
//! and the rate limits count of them (the tables' shape and reads are
//! shared with the other functions' proposals: `functions::proposals`).

use crate::functions::platform_manager::events::{ChangeRequestId, PlatformEvent, TriageOutcome};
use crate::functions::proposals::{self, DecisionEvent, ProposalTables};
use crate::store::backend::Connection;
use crate::store::projections::{self, Projector};
use crate::store::{EventStore, RecordedEvent, StoreError};
use kiln_core::decision::{DecisionCard, DecisionCounts, DecisionId, DecisionStatus};
use kiln_core::function::BusinessFunction;

/// The error for a value in a row that Kiln could not have written.
fn corrupt(what: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.to_owned(),
    }
}

/// The tables of triage proposals.
const TABLES: ProposalTables = ProposalTables {
    proposals: "change_request_triage_proposals",
    columns: &[
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
    own_columns: 6,
    subject: "request_id",
    verdicts: "change_request_triage_verdicts",
};

/// The projection of triage proposals on change requests.
pub const TRIAGE_PROPOSALS: Projector = Projector {
    name: "change-request-triage-proposals",
    function: BusinessFunction::PlatformManager,
    handles: &[
        "ChangeRequestTriageProposed",
        "ChangeRequestProposalApproved",
        "ChangeRequestProposalRejected",
    ],
    tables: &[TABLES.proposals, TABLES.verdicts],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

/// Applies proposals and verdicts (see `functions::proposals`).
async fn apply(connection: Connection<'_>, events: &[&RecordedEvent]) -> Result<(), StoreError> {
    let decoded = projections::decode::<PlatformEvent>(events)?
        .into_iter()
        .filter_map(|(event, payload)| {
            let meaning = match payload {
                PlatformEvent::ChangeRequestTriageProposed(proposed) => {
                    let (outcome, priority, of, of_title) = match proposed.outcome {
                        TriageOutcome::Accept { priority } => (
                            "accept",
                            priority.as_str().to_owned(),
                            String::new(),
                            String::new(),
                        ),
                        TriageOutcome::Duplicate { of, title } => {
                            ("duplicate", String::new(), of.to_string(), title)
                        }
                    };
                    DecisionEvent::Proposed(
                        proposed.proposal,
                        vec![
                            proposed.request.to_string(),
                            proposed.title,
                            outcome.to_owned(),
                            priority,
                            of,
                            of_title,
                        ],
                    )
                }
                PlatformEvent::ChangeRequestProposalApproved(verdict) => {
                    DecisionEvent::Decided(DecisionStatus::Approved, verdict)
                }
                PlatformEvent::ChangeRequestProposalRejected(verdict) => {
                    DecisionEvent::Decided(DecisionStatus::Rejected, verdict)
                }
                _ => return None,
            };
            Some((event, meaning))
        })
        .collect();
    proposals::apply_decisions(connection, TABLES, decoded).await
}

/// The decision cards of triage proposals: every one waiting, then the
/// `decided_limit` decided most lately.
pub async fn triage_proposals(
    store: &EventStore,
    decided_limit: i64,
) -> Result<Vec<DecisionCard>, StoreError> {
    proposals::stored_proposals(
        store,
        BusinessFunction::PlatformManager,
        TABLES,
        decided_limit,
    )
    .await?
    .into_iter()
    .map(|stored| {
        let [request, title, outcome, priority, of, of_title] =
            <[String; 6]>::try_from(stored.own.clone())
                .map_err(|_| corrupt("triage proposal", TABLES.proposals))?;
        let request =
            ChangeRequestId::parse(&request).map_err(|_| corrupt("change request id", &request))?;
        let change = match outcome.as_str() {
            "accept" => format!("Accept the change request “{title}” at priority {priority}"),
            "duplicate" => format!(
                "Decline the change request “{title}” as a duplicate of {of} (“{of_title}”)"
            ),
            other => return Err(corrupt("proposed triage", other)),
        };
        Ok(stored.card(change, request.stream().to_string()))
    })
    .collect()
}

/// The change request a triage proposal is about, if there is such a
/// proposal.
pub async fn triage_proposal_request(
    store: &EventStore,
    decision: &DecisionId,
) -> Result<Option<ChangeRequestId>, StoreError> {
    proposals::proposal_subject(store, TABLES, decision)
        .await?
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
    proposals::subjects_proposed_on(store, TABLES)
        .await?
        .into_iter()
        .map(|(request, status)| {
            let request = ChangeRequestId::parse(&request)
                .map_err(|_| corrupt("change request id", &request))?;
            Ok((request, status))
        })
        .collect()
}

/// The requests waiting for a person to approve declining them as
/// duplicates: never the original of another.
pub async fn requests_waiting_as_duplicates(
    store: &EventStore,
) -> Result<Vec<ChangeRequestId>, StoreError> {
    proposals::stored_proposals(store, BusinessFunction::PlatformManager, TABLES, 0)
        .await?
        .into_iter()
        .filter(|stored| {
            stored.is_waiting()
                && stored
                    .own
                    .get(2)
                    .is_some_and(|outcome| outcome == "duplicate")
        })
        .map(|stored| {
            let request = stored.own.first().cloned().unwrap_or_default();
            ChangeRequestId::parse(&request).map_err(|_| corrupt("change request id", &request))
        })
        .collect()
}

/// How the triage proposals made by `proposed_by` (e.g.
/// `agent:platform-manager`) fared. Triage is never carried out without a
/// person, so never reversed either.
pub async fn triage_decision_counts(
    store: &EventStore,
    proposed_by: &str,
) -> Result<DecisionCounts, StoreError> {
    proposals::decision_counts(store, TABLES, proposed_by).await
}

/// How many triage proposals `proposed_by` made at or after `since` (UTC,
/// RFC 3339): what its hourly rate limit counts.
pub async fn triage_proposals_made_since(
    store: &EventStore,
    proposed_by: &str,
    since: &str,
) -> Result<i64, StoreError> {
    proposals::proposals_made_since(store, TABLES, proposed_by, since).await
}
