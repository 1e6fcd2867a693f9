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

use crate::decision::{DataReference, DecisionId};
use crate::event::StreamId;
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

impl ConversationId {
    /// The stream of the conversation's messages, e.g.
    /// `conversation-3f9c2a71d04e8b65`.
    pub fn stream(&self) -> StreamId {
        StreamId::new(format!("conversation-{self}"))
    }
}

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
    /// Its step in the protocol (messages recorded before the protocol
    /// read as [`MessageIntent::Note`]).
    #[serde(default)]
    pub intent: MessageIntent,
    /// The stream the conversation is about, e.g. `product-TBL-PASTA-8`,
    /// so an agent finds the conversations about what it weighs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<StreamId>,
    /// The data an answer consulted, with links (hostile text like the
    /// message: labels are shown escaped, links only on this site).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consulted: Vec<DataReference>,
}

/// A message's step in the briefing's peer-to-peer pattern: agent A asks
/// agent B; B answers with the data it consulted, agreeing or disagreeing;
/// on agreement A proposes, on disagreement A escalates to people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageIntent {
    /// Something said outside the protocol (a remark, a link to a decision).
    #[default]
    Note,
    /// A question, usually "should we …?", waiting for an answer.
    Ask,
    /// An answer of facts, with the data consulted.
    Answer,
    /// An answer that agrees with what was asked, with the data consulted.
    Agree,
    /// An answer that disagrees, with why and the data consulted.
    Disagree,
    /// The conversation goes to people: the agents stop in it. An
    /// escalation goes to the people of `to`, which may be the sender's own.
    Escalate,
}

impl MessageIntent {
    /// Every intent, in the protocol's order.
    pub const ALL: [MessageIntent; 6] = [
        MessageIntent::Note,
        MessageIntent::Ask,
        MessageIntent::Answer,
        MessageIntent::Agree,
        MessageIntent::Disagree,
        MessageIntent::Escalate,
    ];

    /// Its name in forms, JSON and tables, e.g. `agree`.
    pub fn slug(self) -> &'static str {
        match self {
            MessageIntent::Note => "note",
            MessageIntent::Ask => "ask",
            MessageIntent::Answer => "answer",
            MessageIntent::Agree => "agree",
            MessageIntent::Disagree => "disagree",
            MessageIntent::Escalate => "escalate",
        }
    }

    /// The intent called `slug`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|intent| intent.slug() == slug)
    }

    /// As a thread labels it, e.g. "Asks".
    pub fn label(self) -> &'static str {
        match self {
            MessageIntent::Note => "Notes",
            MessageIntent::Ask => "Asks",
            MessageIntent::Answer => "Answers",
            MessageIntent::Agree => "Agrees",
            MessageIntent::Disagree => "Disagrees",
            MessageIntent::Escalate => "Escalates to people",
        }
    }
}

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// The longest subject (a stream's name), in characters.
pub const MAX_SUBJECT_CHARS: usize = 100;

/// The most messages agents may send in one conversation, escalations
/// aside: a thread that has not converged by then goes to people.
pub const HOP_LIMIT: usize = 8;

/// A guard the runtime enforces on agents whatever their brain says
/// (briefing, "agent communication failures or loops"). Each firing is
/// recorded and shown on the Database Manager page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    /// A conversation reached [`HOP_LIMIT`] agent messages.
    HopLimit,
    /// An agent said the same thing again in the same conversation.
    RepeatedMessage,
    /// An agent's model call would have gone past its daily token or cost
    /// budget, so it was not made.
    Budget,
    /// An agent sent as many messages, or made as many proposals, as it may
    /// in an hour.
    RateLimit,
    /// A question an agent asked waited longer than [`WATCHDOG_MINUTES`]
    /// for its answer: the conversation is not converging, so it goes to
    /// the asking agent's people.
    Watchdog,
}

/// How long a question between agents may wait for its answer before the
/// watchdog escalates its conversation, in minutes. Agents answer within
/// a round (seconds); an hour means the peer is stopped, failing, or
/// talking in circles.
pub const WATCHDOG_MINUTES: i64 = 60;

impl Guard {
    /// Its name in tables and JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Guard::HopLimit => "hop_limit",
            Guard::RepeatedMessage => "repeated_message",
            Guard::Budget => "budget",
            Guard::RateLimit => "rate_limit",
            Guard::Watchdog => "watchdog",
        }
    }

    /// The guard called `slug`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        [
            Guard::HopLimit,
            Guard::RepeatedMessage,
            Guard::Budget,
            Guard::RateLimit,
            Guard::Watchdog,
        ]
        .into_iter()
        .find(|guard| guard.slug() == slug)
    }

    /// As the Database Manager's page names it.
    pub fn title(self) -> &'static str {
        match self {
            Guard::HopLimit => "Hop limit",
            Guard::RepeatedMessage => "Repeated message",
            Guard::Budget => "Daily model budget",
            Guard::RateLimit => "Rate limit",
            Guard::Watchdog => "Watchdog",
        }
    }
}

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
    /// The conversation has had its agent messages ([`Guard::HopLimit`]).
    #[error("{conversation} already has {limit} agent messages: it goes to people")]
    HopLimitReached {
        /// The conversation.
        conversation: ConversationId,
        /// [`HOP_LIMIT`].
        limit: usize,
    },
    /// The agent said the same in this conversation before
    /// ([`Guard::RepeatedMessage`]).
    #[error("agent:{function} already said this in {conversation}")]
    Repeated {
        /// The sending function.
        function: &'static str,
        /// The conversation.
        conversation: ConversationId,
    },
    /// The subject is not a stream's name (letters, digits, `-` and `_`).
    #[error("“{subject}” is not a stream's name, e.g. product-TBL-PASTA-8")]
    NotAStream {
        /// The subject given (its first 40 characters).
        subject: String,
    },
    /// An answer names more consulted data than a proposal may carry.
    #[error(
        "a message may name at most {max} pieces of consulted data, each at most {chars} characters"
    )]
    TooMuchConsulted {
        /// The most references.
        max: usize,
        /// The longest label or link.
        chars: usize,
    },
    /// An answer's consulted data links off this site.
    #[error("“{label}” links off this site: consulted data is a path on this site")]
    ReferenceNotOnSite {
        /// The reference's label (its first 40 characters).
        label: String,
    },
    /// The conversation was escalated: it is with people now.
    #[error("{conversation} was escalated to people: agents no longer write in it")]
    Escalated {
        /// The conversation.
        conversation: ConversationId,
    },
}

impl MessageError {
    /// The guard that refused the message, if a guard did (rather than a
    /// rule about the message itself).
    pub fn guard(&self) -> Option<Guard> {
        match self {
            MessageError::HopLimitReached { .. } => Some(Guard::HopLimit),
            MessageError::Repeated { .. } => Some(Guard::RepeatedMessage),
            _ => None,
        }
    }
}

/// A message as sent, with its text trimmed, or the rule it breaks.
/// `thread` is the conversation's earlier messages, oldest first. A reply
/// (`replying`) must name a conversation already started; a first message
/// starts a new one. An agent's message (`guarded`, not a person's) also
/// passes the guards: the hop limit, no repeats, and silence once the
/// conversation was escalated.
pub fn checked_message(
    thread: &[AgentMessage],
    replying: bool,
    guarded: bool,
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
    // People write in their own function's conversations (an escalation
    // to them, most often) as that function; agents talk to others.
    if message.from == message.to && message.intent != MessageIntent::Escalate && guarded {
        return Err(MessageError::ToItself {
            function: message.from.slug(),
        });
    }
    if !message.to.has_agent() {
        return Err(MessageError::NoAgent {
            function: message.to.title(),
        });
    }
    if message.consulted.len() > crate::decision::MAX_DATA_REFERENCES
        || message.consulted.iter().any(|reference| {
            reference.label.chars().count() > crate::decision::MAX_REFERENCE_CHARS
                || reference.href.chars().count() > crate::decision::MAX_REFERENCE_CHARS
        })
    {
        return Err(MessageError::TooMuchConsulted {
            max: crate::decision::MAX_DATA_REFERENCES,
            chars: crate::decision::MAX_REFERENCE_CHARS,
        });
    }
    // The subject names a stream, as `product-TBL-PASTA-8`: a model or a
    // token cannot put prose or markup there.
    if let Some(subject) = &message.subject {
        let name = subject.as_str();
        let plain = !name.is_empty()
            && name.len() <= MAX_SUBJECT_CHARS
            && name.chars().all(|character| {
                character.is_ascii_alphanumeric() || matches!(character, '-' | '_')
            });
        if !plain {
            return Err(MessageError::NotAStream {
                subject: name.chars().take(40).collect(),
            });
        }
    }
    if let Some(off_site) = message
        .consulted
        .iter()
        .find(|reference| !reference.is_on_site())
    {
        return Err(MessageError::ReferenceNotOnSite {
            label: off_site.label.chars().take(40).collect(),
        });
    }
    if replying && thread.is_empty() {
        return Err(MessageError::NoSuchConversation {
            conversation: message.conversation,
        });
    }
    if guarded {
        guard(thread, &message)?;
    }
    Ok(message)
}

/// The guards on an agent's `message` in `thread`.
fn guard(thread: &[AgentMessage], message: &AgentMessage) -> Result<(), MessageError> {
    let conversation = || message.conversation.clone();
    let escalating = message.intent == MessageIntent::Escalate;
    if thread
        .iter()
        .any(|earlier| earlier.intent == MessageIntent::Escalate)
    {
        return Err(MessageError::Escalated {
            conversation: conversation(),
        });
    }
    // An escalation is how a guard hands the thread to people, so the hop
    // limit does not hold it back.
    let agent_messages = thread
        .iter()
        .filter(|earlier| earlier.intent != MessageIntent::Escalate)
        .count();
    if !escalating && agent_messages >= HOP_LIMIT {
        return Err(MessageError::HopLimitReached {
            conversation: conversation(),
            limit: HOP_LIMIT,
        });
    }
    let fingerprint = fingerprint(message);
    if thread
        .iter()
        .any(|earlier| earlier.from == message.from && self::fingerprint(earlier) == fingerprint)
    {
        return Err(MessageError::Repeated {
            function: message.from.slug(),
            conversation: conversation(),
        });
    }
    Ok(())
}

/// What makes two messages the same for the repeat guard: the intent and
/// the words, whatever their case and spacing.
fn fingerprint(message: &AgentMessage) -> (MessageIntent, String) {
    let words: Vec<String> = message
        .text
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    (message.intent, words.join(" "))
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
    /// Its step in the protocol.
    pub intent: MessageIntent,
    /// The stream the conversation is about, if it said.
    pub subject: Option<String>,
    /// The data an answer consulted.
    pub consulted: Vec<DataReference>,
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
    /// `agent:category → agent:promotions: text`, with the intent after
    /// the route unless it is a note (`… (ask): text`), for logs and tests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "agent:{} → agent:{}", self.from.slug(), self.to.slug())?;
        if self.intent != MessageIntent::Note {
            write!(f, " ({})", self.intent.slug())?;
        }
        write!(f, ": {}", self.text)
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
            intent: MessageIntent::Note,
            subject: None,
            consulted: Vec::new(),
        }
    }

    fn asking(from: BusinessFunction, to: BusinessFunction, text: &str) -> AgentMessage {
        AgentMessage {
            intent: MessageIntent::Ask,
            ..message(from, to, text)
        }
    }

    #[test]
    fn a_message_to_another_agent_is_kept_trimmed() {
        let sent = checked_message(
            &[],
            false,
            true,
            message(Category, Promotions, "  Should we? "),
        );
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
            (
                AgentMessage {
                    consulted: vec![DataReference {
                        label: "Stock".into(),
                        href: "/\t/evil.example/stock".into(),
                    }],
                    ..message(Category, Promotions, "See this")
                },
                MessageError::ReferenceNotOnSite {
                    label: "Stock".into(),
                },
            ),
            (
                AgentMessage {
                    subject: Some(StreamId::new("<b>product</b>")),
                    ..message(Category, Promotions, "See this")
                },
                MessageError::NotAStream {
                    subject: "<b>product</b>".into(),
                },
            ),
        ] {
            assert_eq!(checked_message(&[], false, true, refused), Err(error));
        }
    }

    #[test]
    fn a_person_may_write_in_their_own_functions_escalated_conversation() {
        let escalated = AgentMessage {
            intent: MessageIntent::Escalate,
            ..message(Category, Category, "A person decides")
        };
        let reply = AgentMessage {
            message: MessageId::from_random([3; 8]),
            ..message(Category, Category, "Leave the price; a recount is booked")
        };
        assert!(
            checked_message(std::slice::from_ref(&escalated), true, false, reply.clone()).is_ok()
        );
        // An agent still talks to others, never to itself.
        assert_eq!(
            checked_message(&[escalated], true, true, reply),
            Err(MessageError::ToItself {
                function: "category"
            })
        );
    }

    #[test]
    fn a_reply_needs_a_conversation_that_was_started() {
        let reply = message(Promotions, Category, "Yes");
        assert_eq!(
            checked_message(&[], true, true, reply.clone()),
            Err(MessageError::NoSuchConversation {
                conversation: reply.conversation.clone()
            })
        );
        let started = [message(Category, Promotions, "Should we?")];
        assert!(checked_message(&started, true, true, reply).is_ok());
    }

    #[test]
    fn an_agent_may_not_say_the_same_again_in_a_conversation_whatever_the_spacing() {
        let thread = [asking(Category, Promotions, "Should we cut the jug?")];
        let again = asking(Category, Promotions, "should  we cut the JUG? ");
        assert_eq!(
            checked_message(&thread, true, true, again.clone()),
            Err(MessageError::Repeated {
                function: "category",
                conversation: again.conversation.clone()
            })
        );
        assert_eq!(
            checked_message(&thread, true, true, again.clone()).map_err(|error| error.guard()),
            Err(Some(Guard::RepeatedMessage))
        );
        // The other agent may say it, the same agent may say something else,
        // and a person is not held by the guards.
        assert!(
            checked_message(
                &thread,
                true,
                true,
                asking(Promotions, Category, "Should we cut the jug?")
            )
            .is_ok()
        );
        assert!(
            checked_message(
                &thread,
                true,
                true,
                message(Category, Promotions, "Should we cut the jug?")
            )
            .is_ok()
        );
        assert!(checked_message(&thread, true, false, again).is_ok());
    }

    #[test]
    fn a_conversation_at_the_hop_limit_takes_only_an_escalation_and_then_nothing_from_agents() {
        let thread: Vec<AgentMessage> = (0..HOP_LIMIT)
            .map(|hop| {
                let (from, to) = if hop % 2 == 0 {
                    (Category, Promotions)
                } else {
                    (Promotions, Category)
                };
                asking(from, to, &format!("What about round {hop}?"))
            })
            .collect();
        let another = asking(Category, Promotions, "And now?");
        assert_eq!(
            checked_message(&thread, true, true, another.clone()).map_err(|error| error.guard()),
            Err(Some(Guard::HopLimit))
        );
        let escalation = AgentMessage {
            intent: MessageIntent::Escalate,
            ..message(Category, Category, "We do not agree: a person decides.")
        };
        let escalated =
            checked_message(&thread, true, true, escalation).expect("escalated to its own people");
        let thread = [thread, vec![escalated]].concat();
        assert_eq!(
            checked_message(&thread, true, true, asking(Promotions, Category, "Still?")),
            Err(MessageError::Escalated {
                conversation: another.conversation.clone()
            })
        );
        assert!(
            checked_message(
                &thread,
                true,
                false,
                message(Category, Promotions, "Yes, cut it.")
            )
            .is_ok()
        );
    }

    #[test]
    fn intents_and_guards_read_back_from_their_names() {
        for intent in MessageIntent::ALL {
            assert_eq!(MessageIntent::from_slug(intent.slug()), Some(intent));
        }
        for guard in [
            Guard::HopLimit,
            Guard::RepeatedMessage,
            Guard::Budget,
            Guard::RateLimit,
        ] {
            assert_eq!(Guard::from_slug(guard.slug()), Some(guard));
        }
        // A message recorded before the protocol reads as a note.
        let old: AgentMessage = serde_json::from_str(
            r#"{"message":"msg-0101010101010101","conversation":"conv-0202020202020202","from":"category","to":"promotions","text":"Hi"}"#,
        )
        .expect("an old message");
        assert_eq!(old.intent, MessageIntent::Note);
    }
}
