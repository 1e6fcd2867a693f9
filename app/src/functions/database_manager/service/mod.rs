//! The Database Manager's services (server only), a file per subject: the
//! quarantine's verdicts, searching the event log and reading one event in
//! full, and the figures its page and the Business Overview show. Rebuilding
//! projections on request is `rebuilds`. Each file's items are re-exported
//! here, so callers write `service::search_events` whichever file holds it.

mod event_search;
mod page_figures;
mod quarantine;

pub use super::rebuilds::{RebuildError, Rebuilds};
pub use event_search::*;
pub use page_figures::*;
pub use quarantine::*;
