//! What a brain is given and what it answers, and what a function
//! declares of its agent (its descriptor, and the hooks the model's brain
//! needs): the interface between the functions' agents, the runtime that
//! runs them ([`super::runtime`]) and the model's brain ([`super::model`]).

use super::step::{AgentAction, AgentTrigger};
use crate::store::{EventStore, StoreError};
use chrono::{DateTime, Utc};
use kiln_core::conversation::{ConversationId, MessageId};
use kiln_core::decision::{DataReference, DecisionId};
use kiln_core::function::BusinessFunction;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// A function's agent, as its descriptor declares it.
#[derive(Clone, Copy)]
pub struct AgentDescriptor {
    /// The name of its checkpoint on the log (`agent-<function>`).
    pub subscriber: &'static str,
    /// The event types that wake it.
    pub follows: &'static [&'static str],
    /// Its rules brain: reads what the function's page reads, then decides
    /// what to do with the function's pure rules.
    pub think: Thinker,
    /// What the model's brain needs of it, if it may think with a model.
    pub model: Option<ModelAgent>,
    /// How much it may do in an hour.
    pub rate_limits: RateLimits,
}

impl std::fmt::Debug for AgentDescriptor {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AgentDescriptor")
            .field("subscriber", &self.subscriber)
            .field("follows", &self.follows)
            .finish_non_exhaustive()
    }
}

/// A brain's thinking for one step: given the store to read through the
/// functions' services and what woke the agent, what it saw and chose.
pub type Thinker =
    for<'a> fn(
        &'a EventStore,
        &'a StepInput,
    ) -> Pin<Box<dyn Future<Output = Result<Thought, StoreError>> + Send + 'a>>;

/// What a brain is given besides the store.
#[derive(Debug, Clone)]
pub struct StepInput {
    /// Whose agent thinks.
    pub agent: BusinessFunction,
    /// What woke it.
    pub trigger: AgentTrigger,
    /// The time of the step (brains read no clock).
    pub now: DateTime<Utc>,
    /// The step's idempotency key, from which its decisions' ids are made.
    pub step_key: String,
}

impl StepInput {
    /// The id of the decision the step's `index`th proposal makes: the same
    /// for the same step, so a proposal carried out twice is one decision.
    pub fn decision_id(&self, index: usize) -> DecisionId {
        DecisionId::from_random(derived_id(&format!("{}:decision-{index}", self.step_key)))
    }

    /// The id of the step's `index`th message, derived like a decision's.
    pub fn message_id(&self, index: usize) -> MessageId {
        MessageId::from_random(derived_id(&format!("{}:message-{index}", self.step_key)))
    }

    /// The id of the `index`th conversation the step starts.
    pub fn conversation_id(&self, index: usize) -> ConversationId {
        ConversationId::from_random(derived_id(&format!(
            "{}:conversation-{index}",
            self.step_key
        )))
    }
}

/// Eight bytes of an id derived from `seed`: the same seed, the same id.
pub(crate) fn derived_id(seed: &str) -> [u8; 8] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(seed);
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    bytes
}

/// What a brain saw and chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thought {
    /// What it read, with links.
    pub reads: Vec<DataReference>,
    /// Which brain: `rules` or `llm`.
    pub brain: String,
    /// The model, for a model's brain.
    pub model: Option<String>,
    /// The version of its rules or prompt.
    pub prompt_version: String,
    /// What it saw, in a sentence or two.
    pub observations: String,
    /// What it chose to do.
    pub actions: Vec<AgentAction>,
    /// Tokens sent to a model.
    pub input_tokens: u64,
    /// Tokens a model answered.
    pub output_tokens: u64,
    /// The model call's cost, in millionths of a US dollar.
    pub cost_micro_usd: u64,
    /// The model's raw answer.
    pub raw_answer: Option<String>,
}

/// How much one agent may do in an hour, whatever its brain says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Messages it may send (escalations included).
    pub messages_per_hour: i64,
    /// Proposals it may make.
    pub proposals_per_hour: i64,
}

impl RateLimits {
    /// The limits every function's agent has: more than a day's work
    /// brings in an hour, far less than a loop would send.
    pub const STANDARD: RateLimits = RateLimits {
        messages_per_hour: 60,
        proposals_per_hour: 30,
    };
}

impl Thought {
    /// What a rules brain (no model, nothing spent) saw and chose.
    pub fn of_rules(
        reads: Vec<DataReference>,
        prompt_version: &str,
        observations: String,
        actions: Vec<AgentAction>,
    ) -> Self {
        Thought {
            reads,
            brain: "rules".to_owned(),
            model: None,
            prompt_version: prompt_version.to_owned(),
            observations,
            actions,
            input_tokens: 0,
            output_tokens: 0,
            cost_micro_usd: 0,
            raw_answer: None,
        }
    }
}

/// A tool the model may call: a name, what it does, and its arguments'
/// JSON schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelTool {
    /// Its name, e.g. `propose_base_price`.
    pub name: &'static str,
    /// What it does, for the model.
    pub description: &'static str,
    /// Its arguments' JSON schema.
    pub parameters: Value,
}

/// One tool call the model made.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The tool's name, as the model wrote it.
    pub name: String,
    /// Its arguments, as the model wrote them.
    pub arguments: Value,
}

/// A function's agent as the model's brain needs it.
#[derive(Clone, Copy)]
pub struct ModelAgent {
    /// What the agent is for and how it should weigh things: the system
    /// prompt's first part.
    pub instructions: &'static str,
    /// The version of the instructions, recorded with each step.
    pub prompt_version: &'static str,
    /// Reads the facts for a step: the model's context, the links to what
    /// was read, the function's own tools and the checker of their calls.
    pub prepare: Prepare,
}

/// A function's reading of the facts for its model (see [`ModelAgent`]).
pub type Prepare = for<'a> fn(&'a EventStore, &'a StepInput) -> PreparedFuture<'a>;

/// What [`Prepare`] answers.
pub type PreparedFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Prepared, StoreError>> + Send + 'a>>;

impl std::fmt::Debug for ModelAgent {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ModelAgent")
            .field("prompt_version", &self.prompt_version)
            .finish_non_exhaustive()
    }
}

/// Checks one call of a function's own tool (the `index`th action of the
/// step): the action, or why it is refused. `None` when the tool is not
/// the function's (the protocol's tools are checked by the runtime).
pub type CheckCall = Box<dyn Fn(&ToolCall, usize) -> Option<Result<AgentAction, String>> + Send>;

/// What a step gives the model, and how its answer is checked.
pub struct Prepared {
    /// The facts, as the model reads them.
    pub context: Value,
    /// What was read, with links.
    pub reads: Vec<DataReference>,
    /// The function's own tools (the protocol's are added to them).
    pub tools: Vec<ModelTool>,
    /// The checker of calls to those tools.
    pub check: CheckCall,
}

/// Links to tables' JSON, from `(label, "<function>/tables/<table>")`
/// pairs: what a brain says it read or consulted.
pub fn table_links(tables: &[(&str, &str)]) -> Vec<DataReference> {
    tables
        .iter()
        .map(|(label, path)| DataReference {
            label: (*label).to_owned(),
            href: format!("/api/functions/{path}"),
        })
        .collect()
}
