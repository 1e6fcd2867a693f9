//! Database Manager: the health of the event log and its projections
//! (briefing, "Database Manager").
//!
//! Built so far: rebuilding projections from the log on request, one
//! rebuild at a time, with progress published for the page (and the JSON
//! endpoint agents use). Not built yet: the staff page itself, the event
//! catalog and anomaly views on it, and the permission that will restrict
//! rebuilds to administrators (the function-pages and identity issues).
//! Until then the rebuild endpoint is open to anyone who can reach the
//! server: a rebuild replaces projection tables with identical content
//! derived from the log, so it loses nothing, but it holds the writer lock
//! while it runs.

pub mod endpoints;
pub mod view;

#[cfg(feature = "ssr")]
pub mod service;
