//! Support tickets: requests from customers and staff, and the first
//! response time the page reports.

use crate::store::{EventMetadata, EventStore, StoreError};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;

/// Why a ticket request was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum TicketServiceError {
    /// A ticket rule refused it.
    #[error(transparent)]
    Refused(#[from] crate::functions::customers::decide::TicketError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Carries out a ticket request on behalf of `actor`: loads the ticket's
/// stream, decides, appends.
pub async fn handle_ticket(
    store: &EventStore,
    actor: Actor,
    command: crate::functions::customers::decide::TicketCommand,
) -> Result<(), TicketServiceError> {
    use crate::functions::customers::decide::{TicketCommand, TicketState, decide_ticket};

    let ticket = match &command {
        TicketCommand::Open { ticket, .. }
        | TicketCommand::Reply { ticket, .. }
        | TicketCommand::Close { ticket }
        | TicketCommand::Flag { ticket, .. } => ticket.clone(),
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers);
    store
        .decide_and_append(&ticket.stream(), &metadata, |history| {
            decide_ticket(&TicketState::from_events(history), command.clone())
                .map_err(TicketServiceError::from)
        })
        .await?;
    Ok(())
}

/// The average time staff took to first answer a ticket, over the tickets
/// they have answered; `None` before the first answer.
pub fn average_first_response(
    tickets: &[crate::functions::customers::view::TicketSummary],
) -> Option<chrono::Duration> {
    let waits: Vec<chrono::Duration> = tickets
        .iter()
        .filter_map(|ticket| {
            let opened = chrono::DateTime::parse_from_rfc3339(&ticket.opened_at).ok()?;
            let answered =
                chrono::DateTime::parse_from_rfc3339(ticket.first_response_at.as_deref()?).ok()?;
            Some(answered - opened)
        })
        .collect();
    let count = i32::try_from(waits.len()).ok().filter(|count| *count > 0)?;
    let total = waits
        .into_iter()
        .fold(chrono::Duration::zero(), |total, wait| total + wait);
    Some(total / count)
}

/// A duration as staff read it: `45 s`, `12 min`, `3.5 h`.
pub(super) fn readable(duration: chrono::Duration) -> String {
    let seconds = duration.num_seconds();
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds < 3600 {
        format!("{} min", seconds / 60)
    } else {
        format!("{:.1} h", seconds as f64 / 3600.0)
    }
}
