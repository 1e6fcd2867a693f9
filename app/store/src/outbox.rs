//! Mail waiting to be sent: password reset links today. No email
//! integration exists yet, so nothing sends it; an operator reads it with
//! `kiln outbox` and passes it on. Like the credentials, the outbox is not
//! a projection: a message holds a secret link that must not live in the
//! log for ever.

use super::backend::per_backend;
use super::{EventStore, StoreError, database};
use chrono::{DateTime, Utc};
use kiln_core::identity::Email;

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Its number, in the order queued.
    pub id: i64,
    /// Whom it is for.
    pub recipient: String,
    /// Its subject line.
    pub subject: String,
    /// Its text.
    pub body: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// Queues a message to `recipient`.
pub async fn queue(
    store: &EventStore,
    recipient: &Email,
    subject: &str,
    body: &str,
) -> Result<(), StoreError> {
    let now = Utc::now();
    per_backend!(store.database(), Database, pool => {
        sqlx::query(
            "INSERT INTO outbox (recipient, subject, body, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(recipient.as_str())
        .bind(subject)
        .bind(body)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .map_err(database("queue a message in the outbox"))
}

/// The messages not sent yet, oldest first.
pub async fn unsent(store: &EventStore) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows: Vec<(i64, String, String, String, DateTime<Utc>)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT message_id, recipient, subject, body, created_at
                 FROM outbox WHERE sent_at IS NULL ORDER BY message_id",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(database("read the outbox"))?;
    Ok(rows
        .into_iter()
        .map(|(id, recipient, subject, body, created_at)| OutboxMessage {
            id,
            recipient,
            subject,
            body,
            created_at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::store_tests;

    store_tests! {
        async fn queued_messages_wait_in_order(store) {
            let ada = Email::parse("ada@example.com").expect("valid");
            queue(&store, &ada, "first", "one").await.expect("queued");
            queue(&store, &ada, "second", "two").await.expect("queued");
            let unsent = unsent(&store).await.expect("read");
            let subjects: Vec<&str> = unsent.iter().map(|message| message.subject.as_str()).collect();
            assert_eq!(subjects, ["first", "second"]);
            assert_eq!(unsent[0].recipient, "ada@example.com");
        }
    }
}
