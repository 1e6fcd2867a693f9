//! Change requests: raised from any function's page, then triaged by a
//! person, directly or by approving what the Platform Manager's agent
//! proposed.

use super::accounts::AccountServiceError;
use crate::functions::platform_manager::decide::{
    ChangeRequestCommand, ChangeRequestState, PlatformError, RaiseChangeRequest,
    decide_change_request,
};
use crate::functions::platform_manager::events::{
    ChangeRequestId, TriageOutcome, TriageStatus, Urgency,
};
use crate::functions::view::DecisionVerdictForm;
use crate::store::{Appended, EventMetadata, EventStore, StoreError};
use kiln_core::decision::{DecisionError, DecisionId, InvalidDecisionId, Proposal, Verdict};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;

/// Why a triage proposal, or a verdict on one, did not go through.
#[derive(Debug, thiserror::Error)]
pub enum TriageProposalError {
    /// A rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] PlatformError),
    /// A decision id that is not one.
    #[error(transparent)]
    InvalidDecision(#[from] InvalidDecisionId),
    /// A verdict other than approve or reject.
    #[error("“{text}” is not a verdict: use approve or reject")]
    UnknownVerdict {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TriageProposalError {
    /// Whether the message is about the request (safe to show), not a
    /// fault of the server.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, TriageProposalError::Store(_))
    }
}

/// A change request as someone raises it from a function's page.
#[derive(Debug, Clone)]
pub struct NewChangeRequest {
    /// What should change.
    pub title: String,
    /// The function it concerns.
    pub function: BusinessFunction,
    /// What gets better, or what hurts without it.
    pub impact: String,
    /// How soon.
    pub urgency: Urgency,
}

/// Raises a change request on behalf of `actor`; answers its id.
pub async fn raise_change_request(
    store: &EventStore,
    actor: Actor,
    new: NewChangeRequest,
) -> Result<ChangeRequestId, AccountServiceError> {
    let request = ChangeRequestId::generate();
    change_request_command(
        store,
        actor,
        &request,
        ChangeRequestCommand::Raise(RaiseChangeRequest {
            request: request.clone(),
            title: new.title,
            function: new.function,
            impact: new.impact,
            urgency: new.urgency,
        }),
    )
    .await?;
    Ok(request)
}

/// Moves a change request along its triage on behalf of `actor`.
pub async fn triage_change_request(
    store: &EventStore,
    actor: Actor,
    request: ChangeRequestId,
    status: TriageStatus,
    note: String,
) -> Result<(), AccountServiceError> {
    let stream_of = request.clone();
    change_request_command(
        store,
        actor,
        &stream_of,
        ChangeRequestCommand::Triage {
            request,
            status,
            note,
        },
    )
    .await
}

async fn change_request_command(
    store: &EventStore,
    actor: Actor,
    request: &ChangeRequestId,
    command: ChangeRequestCommand,
) -> Result<(), AccountServiceError> {
    let metadata = EventMetadata::new(actor, BusinessFunction::PlatformManager);
    store
        .decide_and_append(&request.stream(), &metadata, |history| {
            decide_change_request(ChangeRequestState::from_events(history), command.clone())
                .map_err(AccountServiceError::from)
        })
        .await?;
    Ok(())
}

/// Records `proposal` of `outcome` for `request`, checked by the change
/// request's rules, with `metadata` (an agent's step gives an idempotency
/// key, so carrying the proposal out twice records it once).
pub async fn record_triage_proposal(
    store: &EventStore,
    metadata: EventMetadata,
    request: ChangeRequestId,
    outcome: TriageOutcome,
    proposal: Proposal,
) -> Result<Appended, TriageProposalError> {
    let metadata = metadata.with_decision(&proposal.decision);
    let stream = request.stream();
    let command = ChangeRequestCommand::ProposeTriage {
        request,
        outcome,
        proposal,
    };
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide_change_request(ChangeRequestState::from_events(history), command.clone())
                .map_err(TriageProposalError::from)
        })
        .await
}

/// A person's verdict on a triage proposal: approving it triages the
/// request as proposed, in the same append. Answers the verdict and the
/// append (whose `held_back` says whether the quarantine holds it back).
pub async fn decide_triage_proposal(
    store: &EventStore,
    actor: Actor,
    form: DecisionVerdictForm,
) -> Result<(Verdict, Appended), TriageProposalError> {
    let quoted = |text: &str| text.trim().chars().take(40).collect::<String>();
    let decision = DecisionId::parse(form.decision.trim()).map_err(|_| InvalidDecisionId {
        text: quoted(&form.decision),
    })?;
    let verdict = Verdict::from_name(form.verdict.trim()).ok_or_else(|| {
        TriageProposalError::UnknownVerdict {
            text: quoted(&form.verdict),
        }
    })?;
    let request =
        crate::functions::platform_manager::projection::triage_proposal_request(store, &decision)
            .await?
            .ok_or_else(|| {
                PlatformError::from(DecisionError::NoSuchDecision {
                    decision: decision.clone(),
                })
            })?;
    // Declining a repeat points at its original: that one must still be open.
    if verdict == Verdict::Approve {
        let state = ChangeRequestState::from_events(&store.load(&request.stream()).await?.events);
        if let Some((waiting, TriageOutcome::Duplicate { of, .. })) = &state.waiting
            && *waiting == decision
        {
            let original = ChangeRequestState::from_events(&store.load(&of.stream()).await?.events);
            if let Some(status @ (TriageStatus::Done | TriageStatus::Declined)) = original.status {
                return Err(PlatformError::OriginalClosed {
                    request,
                    original: of.clone(),
                    status,
                }
                .into());
            }
        }
    }
    let metadata =
        EventMetadata::new(actor, BusinessFunction::PlatformManager).with_decision(&decision);
    let command = ChangeRequestCommand::DecideProposal {
        request: request.clone(),
        decision,
        verdict,
        comment: form.comment,
    };
    let appended = store
        .decide_and_append(&request.stream(), &metadata, |history| {
            decide_change_request(ChangeRequestState::from_events(history), command.clone())
                .map_err(TriageProposalError::from)
        })
        .await?;
    Ok((verdict, appended))
}

#[cfg(test)]
mod triage_proposal_tests {
    use super::*;
    use crate::testing::store_tests;
    use kiln_core::decision::Risk;

    fn person() -> Actor {
        Actor::parse("user:acc-0000000000000001").expect("actor")
    }

    fn new_request(title: &str) -> NewChangeRequest {
        NewChangeRequest {
            title: title.into(),
            function: BusinessFunction::Category,
            impact: "Repricing is slow".into(),
            urgency: Urgency::Normal,
        }
    }

    store_tests! {
        async fn a_repeat_is_not_declined_in_favour_of_an_original_declined_since(store) {
            let original = raise_change_request(&store, person(), new_request("Bulk price edit"))
                .await
                .expect("raised");
            let repeat = raise_change_request(&store, person(), new_request("Edit prices in bulk"))
                .await
                .expect("raised");
            let decision = DecisionId::from_random([5; 8]);
            record_triage_proposal(
                &store,
                EventMetadata::new(Actor::agent(BusinessFunction::PlatformManager), BusinessFunction::PlatformManager),
                repeat.clone(),
                TriageOutcome::Duplicate {
                    of: original.clone(),
                    title: "Bulk price edit".into(),
                },
                Proposal {
                    decision: decision.clone(),
                    summary: "Decline as a duplicate".into(),
                    reasoning: String::new(),
                    agents_involved: vec![],
                    data_considered: vec![],
                    risk: Risk::Low,
                },
            )
            .await
            .expect("proposed");
            triage_change_request(&store, person(), original.clone(), TriageStatus::Declined, "Not now".into())
                .await
                .expect("declined");
            let refused = decide_triage_proposal(
                &store,
                person(),
                DecisionVerdictForm {
                    decision: decision.to_string(),
                    verdict: "approve".into(),
                    comment: String::new(),
                },
            )
            .await
            .expect_err("refused");
            assert_eq!(
                refused.to_string(),
                format!("change request {original}, which {repeat} repeats, is declined now: reject the proposal and triage {repeat} on its own")
            );
        }
    }
}
