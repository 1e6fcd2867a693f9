//! Agents' messages: a message checked against the rules of conversations,
//! then appended to its conversation's stream.

use crate::functions::platform_manager::events::PlatformEvent;
use crate::functions::platform_manager::view::{
    AgentMessageForm, ConversationReplyForm, SentMessage,
};
use crate::store::{EventMetadata, EventStore, StoreError};
use kiln_core::conversation::{
    AgentMessage, ConversationId, InvalidConversationId, MessageError, MessageId, MessageIntent,
    checked_message,
};
use kiln_core::decision::{DecisionId, InvalidDecisionId};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;

/// Why an agent's message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MessageServiceError {
    /// A rule of conversations refused it.
    #[error(transparent)]
    Refused(#[from] MessageError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The conversation replied in is not a conversation id.
    #[error(transparent)]
    Conversation(#[from] InvalidConversationId),
    /// The decision it is about is not a decision id.
    #[error(transparent)]
    Decision(#[from] InvalidDecisionId),
    /// The function messaged names no function.
    #[error("“{text}” is not a business function")]
    UnknownFunction {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// A person wrote in a conversation their function takes no part in.
    #[error("{function} takes no part in conversation {conversation}")]
    NotTakingPart {
        /// The function the person wrote for.
        function: &'static str,
        /// The conversation.
        conversation: ConversationId,
    },
    /// The conversation written in was never started.
    #[error("there is no conversation {conversation}")]
    NoSuchConversation {
        /// The conversation.
        conversation: ConversationId,
    },
    /// The intent names no step of the protocol.
    #[error("“{text}” is not an intent: use note, ask, answer, agree, disagree or escalate")]
    UnknownIntent {
        /// What was sent (its first 40 characters).
        text: String,
    },
}

impl MessageServiceError {
    /// Whether the sender is to blame (the message is safe to show), not
    /// the store.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, MessageServiceError::Store(_))
    }
}

/// Sends a message from `from`'s agent (acting as `actor`) to another
/// function's agent, starting a conversation or replying in one.
pub async fn send_agent_message(
    store: &EventStore,
    actor: Actor,
    from: BusinessFunction,
    form: AgentMessageForm,
) -> Result<SentMessage, MessageServiceError> {
    let quoted = |text: &str| text.trim().chars().take(40).collect::<String>();
    let to = BusinessFunction::from_slug(form.to.trim()).ok_or_else(|| {
        MessageServiceError::UnknownFunction {
            text: quoted(&form.to),
        }
    })?;
    let replying = !form.conversation.trim().is_empty();
    let conversation = if replying {
        ConversationId::parse(form.conversation.trim()).map_err(|_| InvalidConversationId {
            text: quoted(&form.conversation),
        })?
    } else {
        ConversationId::generate()
    };
    let intent = match form.intent.trim() {
        "" => MessageIntent::Note,
        intent => {
            MessageIntent::from_slug(intent).ok_or_else(|| MessageServiceError::UnknownIntent {
                text: quoted(intent),
            })?
        }
    };
    let about = match form.about.trim() {
        "" => None,
        about => Some(DecisionId::parse(about).map_err(|_| InvalidDecisionId {
            text: quoted(about),
        })?),
    };
    let message = AgentMessage {
        message: MessageId::generate(),
        conversation: conversation.clone(),
        from,
        to,
        text: form.text,
        about,
        intent,
        subject: None,
        consulted: Vec::new(),
    };
    deliver(
        store,
        EventMetadata::new(actor, BusinessFunction::PlatformManager),
        message,
        replying,
    )
    .await
}

/// A person's note in a conversation their `function` takes part in
/// (`actor` is the person): to the function's counterpart in it (its own
/// people, in a conversation escalated to them), about the conversation's
/// subject. Agents read it as any note; the guards, which hold agents
/// back, do not apply to people.
pub async fn reply_as_person(
    store: &EventStore,
    actor: Actor,
    function: BusinessFunction,
    form: ConversationReplyForm,
) -> Result<SentMessage, MessageServiceError> {
    let conversation =
        ConversationId::parse(form.conversation.trim()).map_err(|_| InvalidConversationId {
            text: form.conversation.trim().chars().take(40).collect(),
        })?;
    let thread: Vec<AgentMessage> = store
        .load::<PlatformEvent>(&conversation.stream())
        .await?
        .events
        .into_iter()
        .filter_map(|event| match event {
            PlatformEvent::AgentMessageSent(message) => Some(message),
            _ => None,
        })
        .collect();
    let Some(last) = thread.last() else {
        return Err(MessageServiceError::NoSuchConversation { conversation });
    };
    // The newest message says who the function is talking with now.
    let to = if last.from == function {
        last.to
    } else if last.to == function {
        last.from
    } else {
        return Err(MessageServiceError::NotTakingPart {
            function: function.title(),
            conversation,
        });
    };
    let message = AgentMessage {
        message: MessageId::generate(),
        conversation,
        from: function,
        to,
        text: form.text,
        about: None,
        intent: MessageIntent::Note,
        subject: thread.iter().find_map(|message| message.subject.clone()),
        consulted: Vec::new(),
    };
    deliver(
        store,
        EventMetadata::new(actor, BusinessFunction::PlatformManager),
        message,
        true,
    )
    .await
}

/// Appends `message` to its conversation with `metadata` (whose actor
/// sent it), once it passes the rules of conversations, and for any actor
/// but a person, the guards (`kiln_core::conversation::checked_message`).
/// A reply (`replying`) needs the conversation started.
pub async fn deliver(
    store: &EventStore,
    metadata: EventMetadata,
    message: AgentMessage,
    replying: bool,
) -> Result<SentMessage, MessageServiceError> {
    let guarded = !metadata.actor.as_str().starts_with("user:");
    let stream = message.conversation.stream();
    let sent = SentMessage {
        conversation: message.conversation.clone(),
        message: message.message.clone(),
    };
    store
        .decide_and_append(&stream, &metadata, |history| {
            let thread: Vec<AgentMessage> = history
                .iter()
                .filter_map(|event| match event {
                    PlatformEvent::AgentMessageSent(earlier) => Some(earlier.clone()),
                    _ => None,
                })
                .collect();
            let checked = checked_message(&thread, replying, guarded, message.clone())
                .map_err(MessageServiceError::from)?;
            Ok::<_, MessageServiceError>(vec![PlatformEvent::AgentMessageSent(checked)])
        })
        .await?;
    Ok(sent)
}

#[cfg(test)]
mod conversation_tests {
    use super::*;
    use crate::functions::platform_manager::projection;
    use crate::testing::store_tests;
    use BusinessFunction::{Category, Customers, Promotions};

    fn agent(function: BusinessFunction) -> Actor {
        Actor::agent(function)
    }

    fn form(to: &str, text: &str, conversation: &str) -> AgentMessageForm {
        AgentMessageForm {
            to: to.into(),
            text: text.into(),
            conversation: conversation.into(),
            about: String::new(),
            intent: String::new(),
        }
    }

    fn person() -> Actor {
        Actor::parse("user:acc-0000000000000001").expect("actor")
    }

    fn reply(conversation: &ConversationId, text: &str) -> ConversationReplyForm {
        ConversationReplyForm {
            conversation: conversation.to_string(),
            function: String::new(),
            text: text.into(),
        }
    }

    store_tests! {
        async fn a_person_replies_in_their_functions_conversation_to_the_agent_it_talks_with(store) {
            let asked = send_agent_message(
                &store,
                agent(Category),
                Category,
                form("promotions", "Should the jug wait for the spring sale?", ""),
            )
            .await
            .expect("sent");
            let replied = reply_as_person(
                &store,
                person(),
                Category,
                reply(&asked.conversation, " The jug stays out of the sale. "),
            )
            .await
            .expect("replied");
            assert_eq!(replied.conversation, asked.conversation);
            let threads = projection::conversations(&store, Promotions, 10).await.expect("threads");
            let note = &threads[0].messages[1];
            assert_eq!((note.from, note.to), (Category, Promotions));
            assert_eq!(note.text, "The jug stays out of the sale.");
            assert_eq!(note.sent_by, "user:acc-0000000000000001");
        }

        async fn a_person_may_not_write_in_a_conversation_their_function_has_no_part_in_nor_in_none(store) {
            let asked = send_agent_message(
                &store,
                agent(Category),
                Category,
                form("promotions", "Should the jug wait?", ""),
            )
            .await
            .expect("sent");
            let refused = reply_as_person(&store, person(), Customers, reply(&asked.conversation, "Hello"))
                .await
                .expect_err("refused");
            assert_eq!(
                refused.to_string(),
                format!("Customer Management takes no part in conversation {}", asked.conversation)
            );
            let unknown = ConversationId::from_random([7; 8]);
            assert!(matches!(
                reply_as_person(&store, person(), Category, reply(&unknown, "Hello")).await,
                Err(MessageServiceError::NoSuchConversation { .. })
            ));
            assert!(matches!(
                reply_as_person(&store, person(), Category, reply(&asked.conversation, "  ")).await,
                Err(MessageServiceError::Refused(MessageError::MissingText))
            ));
        }

        async fn a_question_and_its_reply_are_one_thread_on_both_agents_pages(store) {
            let asked = send_agent_message(
                &store,
                agent(Category),
                Category,
                form("promotions", " Should the jug's $48 wait for the spring sale? ", ""),
            )
            .await
            .expect("sent");
            let answered = send_agent_message(
                &store,
                agent(Promotions),
                Promotions,
                form("category", "Yes: the sale prices it at $40 until March.", asked.conversation.as_str()),
            )
            .await
            .expect("replied");
            assert_eq!(answered.conversation, asked.conversation);

            for function in [Category, Promotions] {
                let threads = projection::conversations(&store, function, 10).await.expect("threads");
                assert_eq!(threads.len(), 1, "{function:?}");
                let lines: Vec<String> = threads[0].messages.iter().map(ToString::to_string).collect();
                assert_eq!(
                    lines,
                    [
                        "agent:category → agent:promotions: Should the jug's $48 wait for the spring sale?",
                        "agent:promotions → agent:category: Yes: the sale prices it at $40 until March.",
                    ]
                );
                assert_eq!(threads[0].messages[1].sent_by, "agent:promotions");
            }
            assert!(projection::conversations(&store, Customers, 10).await.expect("threads").is_empty());

            // The pages of both agents follow the message live; a third's does not.
            let head = store.head_position().await.expect("head");
            let read = store.read_after(head - 10, 10).await.expect("events");
            let reply = read.last().expect("the reply");
            assert_eq!(reply.event_type, "AgentMessageSent");
            assert_eq!(reply.stream_id, format!("conversation-{}", asked.conversation));
            assert!(crate::staff::service::follows(Some(Category), reply));
            assert!(crate::staff::service::follows(Some(Promotions), reply));
            assert!(!crate::staff::service::follows(Some(Customers), reply));

            let report = crate::store::projections::rebuild(&store, Some("agent-messages"), |_| {})
                .await
                .expect("rebuilt");
            assert!(report.all_equal(), "{:?}", report.tables);
        }

        async fn a_message_with_bad_input_records_nothing(store) {
            let head = store.head_position().await.expect("head");
            let never = ConversationId::from_random([3; 8]);
            for (bad, refusal) in [
                (form("sales", "Hello", ""), "“sales” is not a business function".to_owned()),
                (form("category", "Hello", ""), "agent:category cannot message itself".to_owned()),
                (form("database-manager", "Hello", ""), "Database Manager has no agent to message: the briefing gives it none".to_owned()),
                (form("promotions", "   ", ""), "write the message".to_owned()),
                (form("promotions", "Hello", never.as_str()), format!("there is no conversation {never}")),
                (form("promotions", "Hello", &"c".repeat(100_000)), format!("“{}” is not a conversation id (conv- and 16 hex digits)", "c".repeat(40))),
                (AgentMessageForm { about: "dec-x".into(), ..form("promotions", "Hello", "") }, "“dec-x” is not a decision id (dec- and 16 hex digits)".to_owned()),
                (AgentMessageForm { intent: "demand".into(), ..form("promotions", "Hello", "") }, "“demand” is not an intent: use note, ask, answer, agree, disagree or escalate".to_owned()),
            ] {
                let refused = send_agent_message(&store, agent(Category), Category, bad)
                    .await
                    .expect_err("refused");
                assert!(refused.is_refusal());
                assert_eq!(refused.to_string(), refusal);
            }
            assert_eq!(store.head_position().await.expect("head"), head);
        }
    }
}
