//! The Platform Manager's application service, a file per subject: accounts,
//! passwords and API tokens (whose secrets are kept beside the log, never
//! in it), agents' messages, autonomy policies, change requests, and the figures its page and
//! the Business Overview show. Each file's items are re-exported here, so
//! callers write `service::check_sign_in` whichever file holds it.

mod accounts;
mod autonomy;
mod change_requests;
mod messages;
mod page_figures;

pub use accounts::*;
pub use autonomy::*;
pub use change_requests::*;
pub use messages::*;
pub use page_figures::*;
