//! Proposed verdicts on dealer applications and people's verdicts on them:
//! the decision cards of Customer Management's page, and what agent health
//! and the rate limits count of them (the tables' shape and reads are
//! shared with the other functions' proposals: `functions::proposals`).

use super::corrupt;
use crate::functions::customers::events::{ApplicationId, ApplicationOutcome, CustomerEvent};
use crate::functions::proposals::{self, DecisionEvent, ProposalTables};
use crate::store::backend::Connection;
use crate::store::projections::{self, Projector};
use crate::store::{EventStore, RecordedEvent, StoreError};
use kiln_core::decision::{DecisionCard, DecisionCounts, DecisionId, DecisionStatus};
use kiln_core::function::BusinessFunction;

/// The tables of proposals on dealer applications.
const TABLES: ProposalTables = ProposalTables {
    proposals: "dealer_application_proposals",
    columns: &[
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
    own_columns: 5,
    subject: "application_id",
    verdicts: "dealer_application_proposal_verdicts",
};

/// The projection of proposals on dealer applications.
pub const APPLICATION_PROPOSALS: Projector = Projector {
    name: "dealer-application-proposals",
    function: BusinessFunction::Customers,
    handles: &[
        "DealerApplicationVerdictProposed",
        "DealerApplicationProposalApproved",
        "DealerApplicationProposalRejected",
    ],
    tables: &[TABLES.proposals, TABLES.verdicts],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

/// Applies proposals and verdicts (see `functions::proposals`).
async fn apply(connection: Connection<'_>, events: &[&RecordedEvent]) -> Result<(), StoreError> {
    let decoded = projections::decode::<CustomerEvent>(events)?
        .into_iter()
        .filter_map(|(event, payload)| {
            let meaning = match payload {
                CustomerEvent::DealerApplicationVerdictProposed(proposed) => {
                    let (outcome, tier, reason) = match proposed.outcome {
                        ApplicationOutcome::Approve { tier } => {
                            ("approve", tier.as_str().to_owned(), String::new())
                        }
                        ApplicationOutcome::Decline { reason } => {
                            ("decline", String::new(), reason)
                        }
                    };
                    DecisionEvent::Proposed(
                        proposed.proposal,
                        vec![
                            proposed.application.to_string(),
                            proposed.company_name,
                            outcome.to_owned(),
                            tier,
                            reason,
                        ],
                    )
                }
                CustomerEvent::DealerApplicationProposalApproved(verdict) => {
                    DecisionEvent::Decided(DecisionStatus::Approved, verdict)
                }
                CustomerEvent::DealerApplicationProposalRejected(verdict) => {
                    DecisionEvent::Decided(DecisionStatus::Rejected, verdict)
                }
                _ => return None,
            };
            Some((event, meaning))
        })
        .collect();
    proposals::apply_decisions(connection, TABLES, decoded).await
}

/// The decision cards of proposals on dealer applications: every one
/// waiting, then the `decided_limit` decided most lately.
pub async fn application_proposals(
    store: &EventStore,
    decided_limit: i64,
) -> Result<Vec<DecisionCard>, StoreError> {
    proposals::stored_proposals(store, BusinessFunction::Customers, TABLES, decided_limit)
        .await?
        .into_iter()
        .map(|stored| {
            let [application, company_name, outcome, tier, reason] =
                <[String; 5]>::try_from(stored.own.clone())
                    .map_err(|_| corrupt("dealer application proposal", TABLES.proposals))?;
            let application = ApplicationId::parse(&application)
                .map_err(|_| corrupt("dealer application id", application.clone()))?;
            let change = match outcome.as_str() {
                "approve" => {
                    format!("Approve the dealer application of {company_name} at the {tier} tier")
                }
                "decline" => format!(
                    "Decline the dealer application of {company_name}, telling them: “{reason}”"
                ),
                other => return Err(corrupt("proposed application outcome", other)),
            };
            Ok(stored.card(change, format!("dealer-application-{application}")))
        })
        .collect()
}

/// The application a proposal is about, if there is such a proposal.
pub async fn proposal_application(
    store: &EventStore,
    decision: &DecisionId,
) -> Result<Option<ApplicationId>, StoreError> {
    proposals::proposal_subject(store, TABLES, decision)
        .await?
        .map(|application| {
            ApplicationId::parse(&application)
                .map_err(|_| corrupt("dealer application id", application.clone()))
        })
        .transpose()
}

/// The applications a proposal was ever made on, with the verdict on it if
/// any: what the agent reads so that it proposes once per application and
/// never again after a rejection.
pub async fn applications_proposed_on(
    store: &EventStore,
) -> Result<Vec<(ApplicationId, Option<DecisionStatus>)>, StoreError> {
    proposals::subjects_proposed_on(store, TABLES)
        .await?
        .into_iter()
        .map(|(application, status)| {
            let application = ApplicationId::parse(&application)
                .map_err(|_| corrupt("dealer application id", application.clone()))?;
            Ok((application, status))
        })
        .collect()
}

/// How the proposals on dealer applications made by `proposed_by` (e.g.
/// `agent:customers`) fared. Verdicts on applications are high-risk: never
/// carried out without a person, so never reversed either.
pub async fn application_decision_counts(
    store: &EventStore,
    proposed_by: &str,
) -> Result<DecisionCounts, StoreError> {
    proposals::decision_counts(store, TABLES, proposed_by).await
}

/// How many proposals on dealer applications `proposed_by` made at or
/// after `since` (UTC, RFC 3339): what its hourly rate limit counts.
pub async fn application_proposals_made_since(
    store: &EventStore,
    proposed_by: &str,
    since: &str,
) -> Result<i64, StoreError> {
    proposals::proposals_made_since(store, TABLES, proposed_by, since).await
}
