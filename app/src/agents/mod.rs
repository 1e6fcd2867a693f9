//! The agents: one per business function that has one, working beside
//! the people on its page (briefing, "AI Agent Network"). See
//! docs/decisions/0011-agent-runtime.md.
//!
//! An agent wakes on the events its function follows, reads what the
//! function's page reads, thinks with a brain, and records what it chose
//! as one `AgentStepTaken` event before carrying any of it out. It never
//! writes a table and never appends except through the four actions of
//! [`step::AgentAction`], each carried out through the owning function's
//! service and rules as `agent:<function>`.
//!
//! - [`step`]: the step's record and the actions (the log's schema of them);
//! - [`runtime`] (server only): one round of an agent — resume a recorded
//!   step, or find what woke it, think, record, carry out, acknowledge.
//!   `kiln serve` runs the rounds (server/src/agents.rs).
//!
//! Each function's own agent (what it follows, what it reads, its rules
//! brain) is in its folder, `functions/<function>/agent.rs`, and joins its
//! descriptor as [`AgentDescriptor`].
//!
//! Built so far: the runtime's rounds, step records, proposals, and
//! Category Management's rules brain. Not built yet: messages, escalation
//! and carrying decisions out under an autonomy policy; the other
//! functions' agents; the model's brain; guards; agent health on the pages.

pub mod step;

#[cfg(feature = "ssr")]
pub mod runtime;

#[cfg(feature = "ssr")]
pub use runtime::{AgentDescriptor, StepInput, Thought};
