//! Agents' messages, a row each, and the conversations read from them.

use crate::functions::platform_manager::events::PlatformEvent;
use crate::store::backend::{Connection, per_backend};
use kiln_core::function::BusinessFunction;

use crate::store::projections::{self, Projector, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::conversation::{
    AgentMessage, ConversationId, ConversationThread, MessageId, MessageIntent, MessageView,
};
use kiln_core::decision::DecisionId;

/// The agent messages projection: `agent_messages`, a row per message.
pub const AGENT_MESSAGES: Projector = Projector {
    name: "agent-messages",
    function: BusinessFunction::PlatformManager,
    handles: &["AgentMessageSent"],
    tables: &["agent_messages"],
    apply: |connection, events| Box::pin(apply_agent_messages(connection, events)),
};

/// Applies sent messages, in position order: a row per message, which
/// remembers its event's position, so replaying changes nothing.
pub async fn apply_agent_messages(
    connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    // The texts the rows borrow.
    struct Sent {
        position: i64,
        message: AgentMessage,
        subject: Option<String>,
        consulted: String,
        by: String,
        at: String,
    }
    let mut sent = Vec::with_capacity(events.len());
    for (event, payload) in projections::decode::<PlatformEvent>(events)? {
        if let PlatformEvent::AgentMessageSent(message) = payload {
            let consulted = serde_json::to_string(&message.consulted).map_err(|source| {
                StoreError::Payload {
                    event_type: event.event_type.clone(),
                    source,
                }
            })?;
            sent.push(Sent {
                position: event.position,
                subject: message
                    .subject
                    .as_ref()
                    .map(|stream| stream.as_str().to_owned()),
                consulted,
                message,
                by: event.metadata.actor.to_string(),
                at: event
                    .recorded_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            });
        }
    }
    let rows: Vec<Row<'_>> = sent
        .iter()
        .map(|row| Row {
            values: vec![
                Value::Text(row.message.message.as_str()),
                Value::Text(row.message.conversation.as_str()),
                Value::Text(row.message.from.slug()),
                Value::Text(row.message.to.slug()),
                Value::Text(&row.message.text),
                Value::OptionalText(row.message.about.as_ref().map(|about| about.as_str())),
                Value::Text(&row.by),
                Value::Text(&row.at),
                Value::Text(row.message.intent.slug()),
                Value::OptionalText(row.subject.as_deref()),
                Value::Text(&row.consulted),
            ],
            position: row.position,
        })
        .collect();
    upsert_rows(
        connection,
        "agent_messages",
        "message_id",
        &[
            "message_id",
            "conversation_id",
            "from_function",
            "to_function",
            "text",
            "about_decision",
            "sent_by",
            "sent_at",
            "intent",
            "subject",
            "consulted",
        ],
        &rows,
    )
    .await
}

/// A row of `agent_messages`.
#[derive(sqlx::FromRow)]
struct MessageRow {
    message_id: String,
    conversation_id: String,
    from_function: String,
    to_function: String,
    text: String,
    about_decision: Option<String>,
    sent_by: String,
    sent_at: String,
    intent: String,
    subject: Option<String>,
    consulted: String,
}

/// The newest `limit` conversations `function`'s agent took part in (sent
/// or received a message), newest first, each with all its messages,
/// oldest first.
pub async fn conversations(
    store: &EventStore,
    function: BusinessFunction,
    limit: i64,
) -> Result<Vec<ConversationThread>, StoreError> {
    let rows: Vec<MessageRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT m.message_id, m.conversation_id, m.from_function, m.to_function, m.text,
                    m.about_decision, m.sent_by, m.sent_at, m.intent, m.subject, m.consulted
             FROM agent_messages m
             JOIN (SELECT conversation_id, MAX(last_position) AS newest
                   FROM agent_messages
                   WHERE from_function = $1 OR to_function = $1
                   GROUP BY conversation_id
                   ORDER BY newest DESC
                   LIMIT $2) c ON c.conversation_id = m.conversation_id
             ORDER BY c.newest DESC, m.last_position",
        )
        .bind(function.slug())
        .bind(limit)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read agent conversations"))?;
    let mut threads: Vec<ConversationThread> = Vec::new();
    for row in rows {
        let (conversation, message) = message_view(row)?;
        match threads.last_mut() {
            Some(thread) if thread.conversation == conversation => thread.messages.push(message),
            _ => threads.push(ConversationThread {
                conversation,
                messages: vec![message],
            }),
        }
    }
    Ok(threads)
}

/// A row as the message pages show, with its conversation.
fn message_view(row: MessageRow) -> Result<(ConversationId, MessageView), StoreError> {
    let corrupt = |what, value: &str| StoreError::Corrupt {
        what,
        value: value.to_owned(),
    };
    let function_of =
        |slug: &str| BusinessFunction::from_slug(slug).ok_or_else(|| corrupt("function", slug));
    let conversation = ConversationId::parse(&row.conversation_id)
        .map_err(|_| corrupt("conversation id", &row.conversation_id))?;
    let message = MessageView {
        message: MessageId::parse(&row.message_id)
            .map_err(|_| corrupt("message id", &row.message_id))?,
        from: function_of(&row.from_function)?,
        to: function_of(&row.to_function)?,
        about: row
            .about_decision
            .as_deref()
            .map(|about| DecisionId::parse(about).map_err(|_| corrupt("decision id", about)))
            .transpose()?,
        intent: MessageIntent::from_slug(&row.intent)
            .ok_or_else(|| corrupt("message intent", &row.intent))?,
        consulted: serde_json::from_str(&row.consulted)
            .map_err(|_| corrupt("consulted data", &row.consulted))?,
        subject: row.subject,
        text: row.text,
        sent_by: row.sent_by,
        sent_at: row.sent_at,
    };
    Ok((conversation, message))
}

/// The subjects of every conversation `function`'s agent escalated to
/// people: what an agent reads so that it escalates a subject once.
pub async fn escalated_subjects(
    store: &EventStore,
    function: BusinessFunction,
) -> Result<Vec<String>, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT DISTINCT subject FROM agent_messages
             WHERE from_function = $1 AND intent = 'escalate' AND subject IS NOT NULL",
        )
        .bind(function.slug())
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the subjects escalated to people"))
}

/// The questions `asker`'s agent sent before `asked_before` (UTC, RFC 3339)
/// that are still the newest message of their conversation, in
/// conversations never escalated: what the watchdog escalates.
pub async fn unanswered_questions(
    store: &EventStore,
    asker: BusinessFunction,
    asked_before: &str,
) -> Result<Vec<(ConversationId, MessageView)>, StoreError> {
    let rows: Vec<MessageRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT m.message_id, m.conversation_id, m.from_function, m.to_function, m.text,
                    m.about_decision, m.sent_by, m.sent_at, m.intent, m.subject, m.consulted
             FROM agent_messages m
             WHERE m.from_function = $1 AND m.intent = 'ask' AND m.sent_at < $2
               AND m.last_position = (SELECT MAX(n.last_position) FROM agent_messages n
                                      WHERE n.conversation_id = m.conversation_id)
               AND NOT EXISTS (SELECT 1 FROM agent_messages e
                               WHERE e.conversation_id = m.conversation_id
                                 AND e.intent = 'escalate')
             ORDER BY m.last_position",
        )
        .bind(asker.slug())
        .bind(asked_before)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the questions left unanswered"))?;
    rows.into_iter().map(message_view).collect()
}

/// How many messages `sent_by` (e.g. `agent:category`) sent at or after
/// `since` (UTC, RFC 3339): what its hourly rate limit counts.
pub async fn messages_sent_since(
    store: &EventStore,
    sent_by: &str,
    since: &str,
) -> Result<i64, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM agent_messages WHERE sent_by = $1 AND sent_at >= $2",
        )
        .bind(sent_by)
        .bind(since)
        .fetch_one(pool)
        .await
    })
    .map_err(database(format!("count the messages {sent_by} sent")))
}
