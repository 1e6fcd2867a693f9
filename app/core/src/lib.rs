//! Kiln's vocabulary, shared by every other crate: the business functions
//! of the briefing, what every event in the log has in common, the ids
//! accounts and agents are known by, money, decisions and agent messages.
//!
//! It knows no database, no web framework and no particular function's
//! rules: the application (`app`) and the server build on it, and it
//! compiles for the browser as well as for the server. The `ssr` feature
//! adds what only the server needs (JSON schemas, random ids).

pub mod conversation;
pub mod decision;
pub mod event;
pub mod function;
pub mod identity;
pub mod money;
pub mod text;
