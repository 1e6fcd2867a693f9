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
//! - [`kinds`]: the kinds of decision, as autonomy policies name them;
//! - [`runtime`] (server only): one round of an agent — resume a recorded
//!   step, or find what woke it, think, record, carry out, acknowledge.
//!   `kiln serve` runs the rounds (server/src/agents.rs);
//! - [`brain`] (server only): what a function declares of its agent, what
//!   a brain is given and what it answers;
//! - [`health`] (server only): each agent's health, as the pages show it;
//! - [`model`] (server only): the model's brain, over HTTP, for the agents
//!   whose function gives it hooks (`ModelAgent`), guarded by a daily budget.
//!
//! Each function's own agent (what it follows, what it reads, its rules
//! brain) is in its folder, `functions/<function>/agent.rs`, and joins its
//! descriptor as [`AgentDescriptor`].
//!
//! Built so far: the runtime's rounds, step records, proposals, carrying
//! a proposal out at once where the autonomy policy of its kind allows
//! it; messages and escalation in the peer-to-peer protocol, with the
//! hop-limit, repeat, rate-limit, budget and watchdog guards; the rules
//! brains of Category Management's, Fulfillment's, Customer Management's
//! and the Platform Manager's agents; the model's brain for Category
//! Management; agent health on the pages.

pub mod kinds;
pub mod step;

#[cfg(feature = "ssr")]
pub mod brain;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod model;
#[cfg(feature = "ssr")]
pub mod runtime;

#[cfg(feature = "ssr")]
pub use brain::{AgentDescriptor, StepInput, Thought};
