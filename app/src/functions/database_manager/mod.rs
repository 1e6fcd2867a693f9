//! Database Manager: the health of the event log and its projections
//! (briefing, "Database Manager").
//!
//! Built so far: rebuilding projections from the log on request, one
//! rebuild at a time, with progress published for the page (and the JSON
//! endpoint agents use); asking for one needs `database-manager:operate`
//! (see `crate::access::table`). Not built yet: the staff page itself, the
//! event catalog and anomaly views on it (the function-pages issue).

pub mod endpoints;
pub mod view;

#[cfg(feature = "ssr")]
pub mod service;
