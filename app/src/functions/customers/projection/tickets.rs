//! Support tickets and their messages, and the customer feedback flagged to
//! other functions.
use super::corrupt;

use crate::functions::customers::events::{CustomerEvent, TicketId};
use crate::functions::customers::view::{TicketMessage, TicketSummary, TicketView};
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Projector, Row, Value, decode_one, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::AccountId;

/// The support tickets projection: `support_tickets` (one row per ticket,
/// with its status and response times) and `support_ticket_messages`.
pub const TICKETS: Projector = Projector {
    name: "tickets",
    function: BusinessFunction::Customers,
    handles: &[
        "SupportTicketOpened",
        "SupportTicketReplied",
        "SupportTicketClosed",
        "SupportTicketFlagged",
    ],
    tables: &["support_tickets", "support_ticket_messages", "ticket_flags"],
    apply: |connection, events| Box::pin(apply_tickets(connection, events)),
};

/// The columns of `support_tickets` an opening writes, key first.
const TICKET_COLUMNS: [&str; 12] = [
    "ticket_id",
    "account_id",
    "company_id",
    "customer_name",
    "email",
    "subject",
    "status",
    "opened_at",
    "first_response_at",
    "last_message_at",
    "last_message",
    "message_count",
];

/// The columns of `support_ticket_messages`, key first.
const TICKET_MESSAGE_COLUMNS: [&str; 6] = [
    "event_position",
    "ticket_id",
    "author_kind",
    "author_name",
    "message",
    "written_at",
];

/// Applies ticket events in position order. An opening writes the ticket
/// and its first message; a reply writes its message and moves the
/// ticket's status and times on, unless the ticket row has already applied
/// that event (its `last_position`), so replaying changes nothing.
pub async fn apply_tickets(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    use crate::functions::customers::events::TicketParty;

    for event in events {
        let decoded = decode_one::<CustomerEvent>(event)?;
        let at = event.recorded_at.to_rfc3339();
        match decoded {
            CustomerEvent::SupportTicketOpened(opened) => {
                let company = opened
                    .customer
                    .company
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let ticket = Row {
                    values: vec![
                        Value::Text(opened.ticket.as_str()),
                        Value::Text(opened.customer.account.as_str()),
                        Value::Text(&company),
                        Value::Text(&opened.customer.name),
                        Value::Text(opened.customer.email.as_str()),
                        Value::Text(&opened.subject),
                        Value::Text("open"),
                        Value::Text(&at),
                        Value::Text(""),
                        Value::Text(&at),
                        Value::Text(&opened.message),
                        Value::Integer(1),
                    ],
                    position: event.position,
                };
                upsert_rows(
                    connection.reborrow(),
                    "support_tickets",
                    "ticket_id",
                    &TICKET_COLUMNS,
                    &[ticket],
                )
                .await?;
                write_ticket_message(
                    connection.reborrow(),
                    event.position,
                    &opened.ticket,
                    TicketParty::Customer,
                    &opened.customer.name,
                    &opened.message,
                    &at,
                )
                .await?;
            }
            CustomerEvent::SupportTicketReplied(reply) => {
                write_ticket_message(
                    connection.reborrow(),
                    event.position,
                    &reply.ticket,
                    reply.from,
                    &reply.author_name,
                    &reply.message,
                    &at,
                )
                .await?;
                let (status, staff) = match reply.from {
                    TicketParty::Staff => ("answered", 1_i64),
                    TicketParty::Customer => ("open", 0),
                };
                per_backend!(connection.reborrow(), Connection, c => {
                    sqlx::query(
                        "UPDATE support_tickets SET status = $1, \
                         first_response_at = CASE WHEN $2 = 1 AND first_response_at = '' \
                                             THEN $3 ELSE first_response_at END, \
                         last_message_at = $3, last_message = $4, \
                         message_count = message_count + 1, last_position = $5 \
                         WHERE ticket_id = $6 AND last_position < $5",
                    )
                    .bind(status)
                    .bind(staff)
                    .bind(&at)
                    .bind(&reply.message)
                    .bind(event.position)
                    .bind(reply.ticket.as_str())
                    .execute(c)
                    .await
                    .map(|_| ())
                })
                .map_err(database(format!("answer ticket {}", reply.ticket)))?;
            }
            CustomerEvent::SupportTicketClosed(closed) => {
                per_backend!(connection.reborrow(), Connection, c => {
                    sqlx::query(
                        "UPDATE support_tickets SET status = 'closed', last_position = $1 \
                         WHERE ticket_id = $2 AND last_position < $1",
                    )
                    .bind(event.position)
                    .bind(closed.ticket.as_str())
                    .execute(c)
                    .await
                    .map(|_| ())
                })
                .map_err(database(format!("close ticket {}", closed.ticket)))?;
            }
            CustomerEvent::SupportTicketFlagged(flagged) => {
                let row = Row {
                    values: vec![
                        Value::Integer(event.position),
                        Value::Text(flagged.ticket.as_str()),
                        Value::Text(flagged.function.slug()),
                        Value::Text(&flagged.note),
                        Value::Text(&at),
                    ],
                    position: event.position,
                };
                upsert_rows(
                    connection.reborrow(),
                    "ticket_flags",
                    "event_position",
                    &[
                        "event_position",
                        "ticket_id",
                        "function",
                        "note",
                        "flagged_at",
                    ],
                    &[row],
                )
                .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Customer feedback flagged to a function: the ticket, what it is about,
/// who raised it, and the note staff added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedFeedback {
    /// The ticket.
    pub ticket: TicketId,
    /// The function it was flagged to.
    pub function: BusinessFunction,
    /// The ticket's subject.
    pub subject: String,
    /// The customer.
    pub customer_name: String,
    /// The ticket's newest message.
    pub last_message: String,
    /// What staff added.
    pub note: String,
    /// When it was flagged (UTC, RFC 3339).
    pub flagged_at: String,
}

/// How many flags the pages that list them show, newest first.
pub const FLAGS_SHOWN: i64 = 50;

/// The newest `limit` flags, to `function` or to any, newest first.
pub async fn flagged_feedback(
    store: &EventStore,
    function: Option<BusinessFunction>,
    limit: i64,
) -> Result<Vec<FlaggedFeedback>, StoreError> {
    let rows: Vec<(String, String, String, String, String, String, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT f.ticket_id, f.function, t.subject, t.customer_name, t.last_message,
                        f.note, f.flagged_at
                 FROM ticket_flags f JOIN support_tickets t ON t.ticket_id = f.ticket_id
                 WHERE CAST($1 AS TEXT) IS NULL OR f.function = $1
                 ORDER BY f.event_position DESC LIMIT $2",
            )
            .bind(function.map(BusinessFunction::slug))
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(database("read flagged feedback"))?;
    rows.into_iter()
        .map(
            |(ticket, function, subject, customer_name, last_message, note, flagged_at)| {
                Ok(FlaggedFeedback {
                    ticket: TicketId::parse(&ticket).map_err(|_| StoreError::Corrupt {
                        what: "ticket id",
                        value: ticket.clone(),
                    })?,
                    function: BusinessFunction::from_slug(&function).ok_or(
                        StoreError::Corrupt {
                            what: "function",
                            value: function.clone(),
                        },
                    )?,
                    subject,
                    customer_name,
                    last_message,
                    note,
                    flagged_at,
                })
            },
        )
        .collect()
}

/// Writes one message of a ticket's thread.
async fn write_ticket_message(
    connection: Connection<'_>,
    position: i64,
    ticket: &TicketId,
    from: crate::functions::customers::events::TicketParty,
    author_name: &str,
    message: &str,
    at: &str,
) -> Result<(), StoreError> {
    let row = Row {
        values: vec![
            Value::Integer(position),
            Value::Text(ticket.as_str()),
            Value::Text(from.as_str()),
            Value::Text(author_name),
            Value::Text(message),
            Value::Text(at),
        ],
        position,
    };
    upsert_rows(
        connection,
        "support_ticket_messages",
        "event_position",
        &TICKET_MESSAGE_COLUMNS,
        &[row],
    )
    .await
}

/// A `support_tickets` row as read back.
#[derive(sqlx::FromRow)]
struct TicketRow {
    ticket_id: String,
    account_id: String,
    customer_name: String,
    subject: String,
    status: String,
    opened_at: String,
    first_response_at: String,
    last_message_at: String,
    last_message: String,
}

const TICKET_SELECT: &str = "SELECT ticket_id, account_id, customer_name, subject, status, \
     opened_at, first_response_at, last_message_at, last_message FROM support_tickets";

impl TicketRow {
    fn summary(self) -> Result<TicketSummary, StoreError> {
        Ok(TicketSummary {
            ticket: TicketId::parse(&self.ticket_id)
                .map_err(|_| corrupt("ticket id", &self.ticket_id))?,
            subject: self.subject,
            customer_name: self.customer_name,
            status: self.status,
            opened_at: self.opened_at,
            first_response_at: (!self.first_response_at.is_empty())
                .then_some(self.first_response_at),
            last_message_at: self.last_message_at,
            last_message: self.last_message,
        })
    }
}

/// Whose tickets a list holds.
#[derive(Debug, Clone, Copy)]
pub enum TicketOwner<'a> {
    /// Every customer's (staff).
    Everyone,
    /// Those this account opened.
    Account(&'a AccountId),
}

/// The tickets of `owner`, most recently active first (at most `limit`).
pub async fn tickets(
    store: &EventStore,
    owner: TicketOwner<'_>,
    limit: i64,
) -> Result<Vec<TicketSummary>, StoreError> {
    let (condition, key) = match owner {
        TicketOwner::Everyone => ("$1 = ''", ""),
        TicketOwner::Account(account) => ("account_id = $1", account.as_str()),
    };
    let query = format!(
        "{TICKET_SELECT} WHERE {condition} ORDER BY last_message_at DESC, ticket_id LIMIT $2"
    );
    let rows: Vec<TicketRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&query).bind(key).bind(limit).fetch_all(pool).await
    })
    .map_err(database("list support tickets"))?;
    rows.into_iter().map(TicketRow::summary).collect()
}

/// The ticket `ticket` with its whole thread, and the account it belongs
/// to, if it exists.
pub async fn ticket(
    store: &EventStore,
    ticket: &TicketId,
) -> Result<Option<(AccountId, TicketView)>, StoreError> {
    let query = format!("{TICKET_SELECT} WHERE ticket_id = $1");
    let row: Option<TicketRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&query).bind(ticket.as_str()).fetch_optional(pool).await
    })
    .map_err(database(format!("read ticket {ticket}")))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let owner = AccountId::parse(&row.account_id)
        .map_err(|_| corrupt("ticket account", &row.account_id))?;
    let messages: Vec<(String, String, String, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT author_kind, author_name, message, written_at
                 FROM support_ticket_messages WHERE ticket_id = $1 ORDER BY event_position",
            )
            .bind(ticket.as_str())
            .fetch_all(pool)
            .await
        })
        .map_err(database(format!("read the messages of ticket {ticket}")))?;
    Ok(Some((
        owner,
        TicketView {
            summary: row.summary()?,
            messages: messages
                .into_iter()
                .map(|(from, author_name, message, written_at)| TicketMessage {
                    from_staff: from == "staff",
                    author_name,
                    message,
                    written_at,
                })
                .collect(),
        },
    )))
}
