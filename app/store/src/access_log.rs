//! Who came in and who was turned away: sign-ins that succeeded and that
//! failed, API tokens in use, and the guard's refusals, each with when and
//! from which address. Administrators read it on the Platform Manager's
//! page.
//!
//! Like the outbox, this is not a projection and not in the log: it
//! records the door, not the business, grows with every stranger who
//! knocks, and is kept for [`KEPT_DAYS`] days. It never holds a password
//! or a token's secret: a failed sign-in records the address typed (cut to
//! [`LONGEST_TEXT`] characters), a token its id.

use super::backend::per_backend;
use super::{EventStore, StoreError, database};
use chrono::{DateTime, Utc};
use std::net::IpAddr;

/// How long entries are kept.
pub const KEPT_DAYS: i64 = 90;

/// The longest `who` or `detail` kept, in characters: what a stranger
/// types is cut there.
pub const LONGEST_TEXT: usize = 120;

/// What happened at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    /// A person signed in.
    SignIn,
    /// A sign-in was refused (wrong address or password, too many tries).
    SignInRefused,
    /// An API token was used (recorded at most once per token every few
    /// minutes by the server).
    TokenUse,
    /// The guard refused a request (not signed in, not allowed, a token
    /// that is not valid).
    Refused,
}

impl AccessKind {
    /// Its stable name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKind::SignIn => "sign-in",
            AccessKind::SignInRefused => "sign-in-refused",
            AccessKind::TokenUse => "token-use",
            AccessKind::Refused => "refused",
        }
    }

    /// How the Platform Manager's page says it.
    pub fn label_of(stored: &str) -> &'static str {
        match stored {
            "sign-in" => "Signed in",
            "sign-in-refused" => "Sign-in refused",
            "token-use" => "API token used",
            "refused" => "Refused",
            _ => "Other",
        }
    }
}

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened ([`AccessKind::as_str`]).
    pub kind: String,
    /// The account, the token, or the address typed at a failed sign-in.
    pub who: String,
    /// The client's address.
    pub address: String,
    /// The path asked for, or why it was refused.
    pub detail: String,
}

/// `text` cut to [`LONGEST_TEXT`] characters, with "…" when cut.
fn cut(text: &str) -> String {
    kiln_core::text::cut_to(text, LONGEST_TEXT)
}

/// Records that `kind` happened for `who` from `address`.
pub async fn record(
    store: &EventStore,
    kind: AccessKind,
    who: &str,
    address: Option<IpAddr>,
    detail: &str,
) -> Result<(), StoreError> {
    let address = address.map_or_else(|| "unknown".to_owned(), |address| address.to_string());
    let (who, detail) = (cut(who), cut(detail));
    let now = Utc::now();
    per_backend!(store.database(), Database, pool => {
        sqlx::query(
            "INSERT INTO access_log (at, kind, who, address, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now)
        .bind(kind.as_str())
        .bind(&who)
        .bind(&address)
        .bind(&detail)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .map_err(database("record an access"))
}

/// The newest `limit` entries, newest first.
pub async fn newest(store: &EventStore, limit: i64) -> Result<Vec<AccessEntry>, StoreError> {
    let rows: Vec<(DateTime<Utc>, String, String, String, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT at, kind, who, address, detail FROM access_log ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(database("read the access log"))?;
    Ok(rows
        .into_iter()
        .map(|(at, kind, who, address, detail)| AccessEntry {
            at,
            kind,
            who,
            address,
            detail,
        })
        .collect())
}

/// Deletes the entries older than [`KEPT_DAYS`] days.
pub async fn forget_old(store: &EventStore) -> Result<(), StoreError> {
    let oldest_kept = Utc::now() - chrono::Duration::days(KEPT_DAYS);
    per_backend!(store.database(), Database, pool => {
        sqlx::query("DELETE FROM access_log WHERE at < $1")
            .bind(oldest_kept)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .map_err(database("forget old access records"))
}

/// When each kind of access was last recorded for whom, from where, so
/// that frequent ones (an agent's every request, a crawler knocking on a
/// staff page) make one entry every so often instead of one per request.
#[derive(Debug, Default)]
pub struct RecentAccess {
    recorded: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

impl RecentAccess {
    /// Past this many remembered keys the memory is cleared: a flood of
    /// strangers can cost entries, never the server's memory.
    const REMEMBERED: usize = 10_000;

    /// Whether `key` should be recorded now: it was not recorded within
    /// `every`. Remembers that it was.
    pub fn due(&self, key: String, every: std::time::Duration) -> bool {
        let now = std::time::Instant::now();
        // A poisoned lock only means another request panicked while
        // holding it; the map is still a valid map.
        let mut recorded = self
            .recorded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recorded.len() >= Self::REMEMBERED {
            recorded.clear();
        }
        match recorded.get(&key) {
            Some(last) if now.duration_since(*last) < every => false,
            _ => {
                recorded.insert(key, now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_access_is_due_once_per_period_per_key() {
        let recent = RecentAccess::default();
        let minute = Duration::from_secs(60);
        assert!(recent.due("token:tok-1".into(), minute));
        assert!(!recent.due("token:tok-1".into(), minute));
        assert!(recent.due("token:tok-2".into(), minute));
        assert!(recent.due("token:tok-1".into(), Duration::ZERO));
    }

    #[test]
    fn what_a_stranger_typed_is_cut_to_the_longest_text() {
        let typed = "x".repeat(500);
        let kept = cut(&typed);
        assert_eq!(kept.chars().count(), LONGEST_TEXT + 1);
        assert!(kept.ends_with('…'));
        assert_eq!(cut("ada@example.com"), "ada@example.com");
    }
}
