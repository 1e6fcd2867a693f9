//! The tables derived from Customer Management's events, and the reads made
//! of them, a file per projector: `dealer_applications`,
//! `dealer_application_decisions` and `dealer_companies` (`DEALERS`),
//! `orders` (`ORDERS`), `support_tickets` and `support_ticket_messages`
//! (`TICKETS`), `dealer_application_proposals` and
//! `dealer_application_proposal_verdicts` (`APPLICATION_PROPOSALS`). Each file's items are re-exported here, so callers write
//! `projection::order` whichever file holds it.

mod application_proposals;
mod dealers;
mod orders;
mod tickets;

pub use application_proposals::*;
pub use dealers::*;
pub use orders::*;
pub use tickets::*;

/// The error for a value in a row that Kiln could not have written.
fn corrupt(what: &'static str, value: impl Into<String>) -> crate::store::StoreError {
    crate::store::StoreError::Corrupt {
        what,
        value: value.into(),
    }
}
