//! Platform Manager: the operating system's own management (briefing,
//! "Platform Manager Function"), including who may use it.
//!
//! Built so far: staff accounts and their roles (events, rules, the
//! `accounts` and `staff_roles` tables), password hashes beside them, and
//! `kiln user add` for the first administrator. Sign-in is in
//! `crate::account`. Not built yet: the staff page
//! `/staff/platform-manager` (change requests, roadmap, the roles list),
//! API tokens, the agent (identity and function-page issues).

pub mod decide;
pub mod events;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;
