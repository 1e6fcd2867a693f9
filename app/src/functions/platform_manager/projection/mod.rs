//! The tables derived from the Platform Manager's events, and the reads the
//! guard, the sign-in and the Platform Manager page make of them, a file per
//! projector: `accounts`, `staff_roles`, `role_changes`, `api_tokens` and
//! `api_token_revocations` (`ACCOUNTS`), `change_requests` and
//! `change_request_triage` (`CHANGE_REQUESTS`), `agent_messages`
//! (`AGENT_MESSAGES`), `agent_steps` (`AGENT_STEPS`), `autonomy_policies`
//! (`AUTONOMY_POLICIES`), `guard_firings` (`GUARD_FIRINGS`),
//! `change_request_triage_proposals` and `change_request_triage_verdicts`
//! (`TRIAGE_PROPOSALS`). Each file's
//! items are re-exported here, so callers write `projection::account`
//! whichever file holds it.

mod accounts;
mod agent_messages;
mod agent_steps;
mod autonomy;
mod change_requests;
mod guards;
mod triage_proposals;

pub use accounts::*;
pub use agent_messages::*;
pub use agent_steps::*;
pub use autonomy::*;
pub use change_requests::*;
pub use guards::*;
pub use triage_proposals::*;
