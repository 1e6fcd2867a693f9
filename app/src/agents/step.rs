//! What an agent step records: what woke the agent, what it read, which
//! brain thought, what it chose to do and what that cost. A step is the
//! Platform Manager's `AgentStepTaken` event, recorded before its actions
//! are carried out, so a restart carries out a recorded step's actions
//! instead of thinking again, and a replay or rebuild never calls a model.

use crate::functions::category::events::Sku;
use crate::functions::customers::events::{ApplicationId, ApplicationOutcome};
use crate::functions::platform_manager::triage::{ChangeRequestId, TriageOutcome};
use kiln_core::conversation::{AgentMessage, MessageIntent};
use kiln_core::decision::{DataReference, DecisionId, Proposal};
use kiln_core::event::StreamId;
use kiln_core::function::BusinessFunction;
use kiln_core::money::Money;
use serde::{Deserialize, Serialize};

/// The longest raw model answer a step keeps, in bytes; a longer one is cut
/// at a character boundary and says so.
pub const MAX_RAW_ANSWER_BYTES: usize = 16 * 1024;

/// How many of the events that woke an agent a step lists; it counts them all.
pub const WAKING_EVENTS_LISTED: usize = 20;

/// One step an agent took: recorded as it was decided, before any of its
/// actions is carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AgentStep {
    /// The function whose agent took it.
    pub agent: BusinessFunction,
    /// What woke it.
    pub trigger: AgentTrigger,
    /// What it read, with links to the same data on the site.
    pub reads: Vec<DataReference>,
    /// Which brain thought, e.g. `rules` or `llm`.
    pub brain: String,
    /// The model asked, for a model's brain.
    pub model: Option<String>,
    /// The version of the rules or of the prompt, so a step can be
    /// compared with one taken after they changed.
    pub prompt_version: String,
    /// What the brain saw, in a sentence or two, e.g. "12 listed products
    /// read; 2 under the margin goal; 1 has a pending proposal".
    pub observations: String,
    /// What it chose to do, in order; carried out after the step is
    /// recorded, each at most once.
    pub actions: Vec<AgentAction>,
    /// Tokens sent to a model (0 for the rules brain).
    pub input_tokens: u64,
    /// Tokens a model answered with (0 for the rules brain).
    pub output_tokens: u64,
    /// What the model call cost, in millionths of a US dollar.
    pub cost_micro_usd: u64,
    /// How long the thinking took, in milliseconds.
    pub duration_ms: u64,
    /// A model's answer as it came, cut at [`MAX_RAW_ANSWER_BYTES`]; hostile
    /// text, shown only through the one escaping path.
    pub raw_answer: Option<String>,
}

impl AgentStep {
    /// The stream of `agent`'s steps.
    pub fn stream(agent: BusinessFunction) -> StreamId {
        StreamId::new(format!("agent-{}", agent.slug()))
    }

    /// The idempotency key of the step `agent` takes for `trigger`: the
    /// same trigger after a restart finds the step already recorded.
    pub fn key(agent: BusinessFunction, trigger: &AgentTrigger) -> String {
        format!("agent:{}:{}", agent.slug(), trigger.key())
    }

    /// The idempotency key of the step's `index`th action (from 0).
    pub fn action_key(step_key: &str, index: usize) -> String {
        format!("{step_key}:action-{index}")
    }
}

/// What woke an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AgentTrigger {
    /// Events it follows were appended to the log after its checkpoint.
    Events {
        /// Its checkpoint before the step: the last position it had handled.
        after: i64,
        /// The last position the step considered; the checkpoint moves
        /// here once the step's actions are carried out.
        through: i64,
        /// How many of the events in between it follows.
        count: u64,
        /// The first [`WAKING_EVENTS_LISTED`] of them.
        first: Vec<WakingEvent>,
    },
}

impl AgentTrigger {
    /// What makes the trigger unique for its agent.
    fn key(&self) -> String {
        match self {
            AgentTrigger::Events { through, .. } => format!("events-through-{through}"),
        }
    }

    /// The last log position the step considered.
    pub fn through(&self) -> i64 {
        match self {
            AgentTrigger::Events { through, .. } => *through,
        }
    }

    /// The trigger as a page says it, e.g. "3 events up to #1,204".
    pub fn describe(&self) -> String {
        match self {
            AgentTrigger::Events { through, count, .. } => {
                let events = if *count == 1 { "event" } else { "events" };
                format!("{count} {events} up to #{through}")
            }
        }
    }
}

/// An event that woke an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct WakingEvent {
    /// Its position in the log.
    pub position: i64,
    /// Its type, e.g. `MarketPriceNoted`.
    pub event_type: String,
    /// Its stream.
    pub stream: String,
}

/// One of the things an agent may do. It never writes a table and never
/// appends except through these, carried out through the functions' own
/// services and rules, as `agent:<function>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AgentAction {
    /// Propose a decision for a person to approve or reject.
    Propose {
        /// What every proposal says; its decision id is derived from the
        /// step, so carrying the action out twice proposes once.
        proposal: Proposal,
        /// What approving it changes.
        change: ProposedChange,
    },
    /// Message another function's agent (ask, answer, agree, disagree, or
    /// note), or escalate a conversation to people (intent `escalate`,
    /// possibly to the agent's own function's people).
    Message {
        /// The message; its ids are derived from the step, so carrying the
        /// action out twice sends it once.
        message: AgentMessage,
        /// Whether it replies in a conversation already started, rather
        /// than starting one.
        replying: bool,
    },
}

impl AgentAction {
    /// The action as a page lists it, e.g. "proposed: Base price of
    /// MUG-SPECKLE-12 to $30.00".
    pub fn describe(&self) -> String {
        match self {
            AgentAction::Propose { change, .. } => format!("proposed: {}", change.describe()),
            AgentAction::Message { message, .. } if message.intent == MessageIntent::Escalate => {
                format!(
                    "escalated {} to the people of {}",
                    message.conversation,
                    message.to.title()
                )
            }
            AgentAction::Message { message, .. } => {
                let verb = match message.intent {
                    MessageIntent::Ask => "asked",
                    MessageIntent::Answer => "answered",
                    MessageIntent::Agree => "agreed with",
                    MessageIntent::Disagree => "disagreed with",
                    MessageIntent::Note | MessageIntent::Escalate => "wrote to",
                };
                format!(
                    "{verb} agent:{} in {}",
                    message.to.slug(),
                    message.conversation
                )
            }
        }
    }

    /// The decision the action proposes, if it proposes one.
    pub fn decision(&self) -> Option<&DecisionId> {
        match self {
            AgentAction::Propose { proposal, .. } => Some(&proposal.decision),
            AgentAction::Message { .. } => None,
        }
    }
}

/// What a proposed decision changes, as the typed command of the function
/// it belongs to: checked when proposed and again when approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProposedChange {
    /// Category Management: change a product's base price.
    BasePrice {
        /// The product.
        sku: Sku,
        /// The base price proposed, in the product's currency.
        to: Money,
    },
    /// Customer Management: approve a dealer application at a tier, or
    /// decline it with a reason.
    DealerApplication {
        /// The application.
        application: ApplicationId,
        /// The verdict proposed.
        outcome: ApplicationOutcome,
    },
    /// Platform Manager: triage a new change request (accept at a
    /// priority, or decline as a duplicate).
    ChangeRequestTriage {
        /// The change request.
        request: ChangeRequestId,
        /// The triage proposed.
        outcome: TriageOutcome,
    },
}

impl ProposedChange {
    /// The function the decision belongs to.
    pub fn function(&self) -> BusinessFunction {
        match self {
            ProposedChange::BasePrice { .. } => BusinessFunction::Category,
            ProposedChange::DealerApplication { .. } => BusinessFunction::Customers,
            ProposedChange::ChangeRequestTriage { .. } => BusinessFunction::PlatformManager,
        }
    }

    /// Its kind, as autonomy policies name it.
    pub fn kind(&self) -> &'static super::kinds::DecisionKind {
        match self {
            ProposedChange::BasePrice { .. } => &super::kinds::BASE_PRICE,
            ProposedChange::DealerApplication { .. } => &super::kinds::DEALER_APPLICATION,
            ProposedChange::ChangeRequestTriage { .. } => &super::kinds::CHANGE_REQUEST_TRIAGE,
        }
    }

    /// The change in a few words.
    pub fn describe(&self) -> String {
        match self {
            ProposedChange::BasePrice { sku, to } => format!("base price of {sku} to {to}"),
            ProposedChange::DealerApplication {
                application,
                outcome,
            } => format!("dealer application {application}: {}", outcome.describe()),
            ProposedChange::ChangeRequestTriage { request, outcome } => {
                format!(
                    "change request {request}: {}",
                    outcome.note().to_lowercase()
                )
            }
        }
    }
}

/// `text` cut to at most `limit` bytes at a character boundary, saying so
/// when it was cut.
pub fn capped(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [cut: {} bytes in all]", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_and_its_actions_have_keys_that_a_restart_finds_again() {
        let trigger = AgentTrigger::Events {
            after: 10,
            through: 42,
            count: 3,
            first: vec![],
        };
        let key = AgentStep::key(BusinessFunction::Category, &trigger);
        assert_eq!(key, "agent:category:events-through-42");
        assert_eq!(
            AgentStep::action_key(&key, 1),
            "agent:category:events-through-42:action-1"
        );
        assert_eq!(
            AgentStep::stream(BusinessFunction::Category).as_str(),
            "agent-category"
        );
        assert_eq!(trigger.describe(), "3 events up to #42");
    }

    #[test]
    fn a_long_answer_is_cut_at_a_character_boundary_and_says_so() {
        assert_eq!(capped("short", 10), "short");
        let cut = capped("ééééé", 3);
        assert_eq!(cut, "é… [cut: 10 bytes in all]");
    }
}
