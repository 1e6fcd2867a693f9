//! Business Overview: the executive dashboard over every function
//! (briefing, "Business Overview Page"). It owns no data and posts no
//! events, so it has no `events`, `decide` or `projection`: its page reads
//! the figures other functions own and links each to its source.
//!
//! Built: the figures of the functions that exist (catalog, dealers,
//! accounts, the log) and every function's status. Not built yet: revenue
//! and cash, inventory, the order pipeline, production status and trend
//! charts, because the functions that own them are not built.

#[cfg(feature = "ssr")]
pub mod service;
