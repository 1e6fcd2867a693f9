//! Change requests: raised from any function's page, then triaged.

use super::accounts::AccountServiceError;
use crate::functions::platform_manager::decide::{
    ChangeRequestCommand, ChangeRequestState, RaiseChangeRequest, decide_change_request,
};
use crate::functions::platform_manager::events::{ChangeRequestId, TriageStatus, Urgency};
use crate::store::{EventMetadata, EventStore};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;

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
