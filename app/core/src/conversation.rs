//! Agent conversations: the messages agents send each other before they
//! propose (the briefing's peer-to-peer pattern: "I see [situation],
//! should we [proposed action]?").
//!
//! A message is recorded by the Platform Manager, which keeps the agent
//! network (`AgentMessageSent` on the stream `conversation-<id>`), with
//! the sending agent as the event's actor and both functions in the
//! payload; every page shows the conversations its function took part in.
//! What is shared lives here: the ids, the message, its rules, and the
//! thread as pages and JSON show it.

use crate::decision::DecisionId;
use crate::function::BusinessFunction;
use crate::random_id;
use serde::{Deserialize, Serialize};
use std::fmt;

random_id!(
    /// A conversation between agents, e.g. `conv-3f9c2a71d04e8b65`: its
    /// first message starts it, replies name it.
    ConversationId,
    InvalidConversationId,
    "conv-",
    "a conversation id (conv- and 16 hex digits)"
);

random_id!(
    /// One message, e.g. `msg-3f9c2a71d04e8b65`.
    MessageId,
    InvalidMessageId,
    "msg-",
    "a message id (msg- and 16 hex digits)"
);

/// Payload of `AgentMessageSent`: one agent's message to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AgentMessage {
    /// The message's id.
    pub message: MessageId,
    /// The conversation it belongs to (a new one for a first message).
    pub conversation: ConversationId,
    /// The function whose agent sent it.
    pub from: BusinessFunction,
    /// The function whose agent it is for.
    pub to: BusinessFunction,
    /// What it says.
    pub text: String,
    /// The decision it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<DecisionId>,
}

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// A message that breaks a rule of conversations. The message is shown
/// verbatim to the agent that sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// A message says something.
    #[error("write the message")]
    MissingText,
    /// A message longer than anyone would read.
    #[error("a message may have at most {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Agents talk to each other, not to themselves.
    #[error("agent:{function} cannot message itself")]
    ToItself {
        /// The function.
        function: &'static str,
    },
    /// Only a function with an agent can be messaged.
    #[error("{function} has no agent to message: the briefing gives it none")]
    NoAgent {
        /// The function's name.
        function: &'static str,
    },
    /// A reply names a conversation that was never started.
    #[error("there is no conversation {conversation}")]
    NoSuchConversation {
        /// The id given.
        conversation: ConversationId,
    },
}

/// A message as sent, with its text trimmed, or the rule it breaks. A
/// reply (`replying`) must name a conversation already started
/// (`conversation_started`); a first message starts a new one.
pub fn checked_message(
    replying: bool,
    conversation_started: bool,
    mut message: AgentMessage,
) -> Result<AgentMessage, MessageError> {
    message.text = message.text.trim().to_owned();
    if message.text.is_empty() {
        return Err(MessageError::MissingText);
    }
    if message.text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(MessageError::TooLong {
            max: MAX_MESSAGE_CHARS,
        });
    }
    if message.from == message.to {
        return Err(MessageError::ToItself {
            function: message.from.slug(),
        });
    }
    if !message.to.has_agent() {
        return Err(MessageError::NoAgent {
            function: message.to.title(),
        });
    }
    if replying && !conversation_started {
        return Err(MessageError::NoSuchConversation {
            conversation: message.conversation,
        });
    }
    Ok(message)
}

/// One message as a thread shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    /// The message's id.
    pub message: MessageId,
    /// Whose agent sent it.
    pub from: BusinessFunction,
    /// Whose agent it is for.
    pub to: BusinessFunction,
    /// What it says.
    pub text: String,
    /// The decision it is about, if any.
    pub about: Option<DecisionId>,
    /// The actor that sent it (`agent:<function>` or `integration:tok-…`).
    pub sent_by: String,
    /// When, UTC, RFC 3339.
    pub sent_at: String,
}

/// A conversation as a function page shows it: its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationThread {
    /// The conversation's id.
    pub conversation: ConversationId,
    /// Its messages, oldest first.
    pub messages: Vec<MessageView>,
}

impl fmt::Display for MessageView {
    /// `agent:category → agent:promotions: text`, for logs and tests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "agent:{} → agent:{}: {}",
            self.from.slug(),
            self.to.slug(),
            self.text
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BusinessFunction::{Category, DatabaseManager, Promotions};

    fn message(from: BusinessFunction, to: BusinessFunction, text: &str) -> AgentMessage {
        AgentMessage {
            message: MessageId::from_random([1; 8]),
            conversation: ConversationId::from_random([2; 8]),
            from,
            to,
            text: text.into(),
            about: None,
        }
    }

    #[test]
    fn a_message_to_another_agent_is_kept_trimmed() {
        let sent = checked_message(false, false, message(Category, Promotions, "  Should we? "));
        assert_eq!(sent.map(|sent| sent.text), Ok("Should we?".to_owned()));
    }

    #[test]
    fn an_empty_message_one_to_itself_or_to_a_function_without_an_agent_is_refused() {
        for (refused, error) in [
            (
                message(Category, Promotions, "  "),
                MessageError::MissingText,
            ),
            (
                message(Category, Category, "Hello"),
                MessageError::ToItself {
                    function: "category",
                },
            ),
            (
                message(Category, DatabaseManager, "Hello"),
                MessageError::NoAgent {
                    function: "Database Manager",
                },
            ),
            (
                message(Category, Promotions, &"x".repeat(2001)),
                MessageError::TooLong { max: 2000 },
            ),
        ] {
            assert_eq!(checked_message(false, false, refused), Err(error));
        }
    }

    #[test]
    fn a_reply_needs_a_conversation_that_was_started() {
        let reply = message(Promotions, Category, "Yes");
        assert_eq!(
            checked_message(true, false, reply.clone()),
            Err(MessageError::NoSuchConversation {
                conversation: reply.conversation.clone()
            })
        );
        assert!(checked_message(true, true, reply).is_ok());
    }
}
