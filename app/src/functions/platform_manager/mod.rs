//! Platform Manager: the operating system's own management (briefing,
//! "Platform Manager Function"), including who may use it.
//!
//! Built so far: accounts (staff created by an administrator, shoppers
//! signing up), staff roles, password changes, and API tokens for agents
//! (events, rules, the `accounts`, `staff_roles`, `api_tokens` and
//! `api_token_revocations` tables), the secrets kept beside them, the
//! administrators' token endpoints, and `kiln user add` / `kiln token` on
//! the command line. Sign-in is in `crate::account`. Not built yet: the
//! staff page `/staff/platform-manager` (change requests, roadmap, roles
//! and tokens lists), the agent (function-pages issue); dealer users.

pub mod decide;
pub mod endpoints;
pub mod events;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;
