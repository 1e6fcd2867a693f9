//! Secrets kept outside the event log: password hashes, the digests of
//! API token secrets, and password reset tokens. The log is kept forever
//! and cannot forget a secret, so these live here, where they can be
//! replaced and erased. Nothing but the identity services writes them.

use super::backend::per_backend;
use super::{EventStore, StoreError, database};
use chrono::{DateTime, Utc};
use kiln_core::identity::{AccountId, TokenId};

/// Stores (or replaces) the password hash of `account`.
pub async fn set_password_hash(
    store: &EventStore,
    account: &AccountId,
    password_hash: &str,
) -> Result<(), StoreError> {
    let now = Utc::now();
    per_backend!(store.database(), Database, pool => {
        sqlx::query(
            "INSERT INTO credentials (account_id, password_hash, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET
               password_hash = excluded.password_hash,
               updated_at = excluded.updated_at",
        )
        .bind(account.as_str())
        .bind(password_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .map_err(database(format!("store the password of {account}")))
}

/// The password hash of `account`, if it has one.
pub async fn password_hash(
    store: &EventStore,
    account: &AccountId,
) -> Result<Option<String>, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar("SELECT password_hash FROM credentials WHERE account_id = $1")
            .bind(account.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database(format!("read the password of {account}")))
}

/// Stores the digest of the secret of `token`, issued now.
pub async fn set_token_secret(
    store: &EventStore,
    token: &TokenId,
    secret_sha256: &str,
) -> Result<(), StoreError> {
    let now = Utc::now();
    per_backend!(store.database(), Database, pool => {
        sqlx::query(
            "INSERT INTO api_token_secrets (secret_sha256, token_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(secret_sha256)
        .bind(token.as_str())
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .map_err(database(format!("store the secret of {token}")))
}

/// Records a password reset token (its digest) for `account`, valid until
/// `expires_at`.
pub async fn add_password_reset(
    store: &EventStore,
    account: &AccountId,
    token_sha256: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query(
            "INSERT INTO password_resets (token_sha256, account_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(token_sha256)
        .bind(account.as_str())
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .map_err(database(format!("store a password reset for {account}")))
}

/// Uses up the reset token with digest `token_sha256` if it is unused and
/// has not expired at `now`, together with every other reset token of the
/// same account, and returns the account. In one statement, so two
/// requests racing with one token cannot both succeed.
pub async fn redeem_password_reset(
    store: &EventStore,
    token_sha256: &str,
    now: DateTime<Utc>,
) -> Result<Option<AccountId>, StoreError> {
    // One row comes back per token used up; they all name the account.
    let accounts: Vec<String> = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $2
             WHERE used_at IS NULL AND account_id = (
                 SELECT account_id FROM password_resets
                 WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > $2
             )
             RETURNING account_id",
        )
        .bind(token_sha256)
        .bind(now)
        .fetch_all(pool)
        .await
    })
    .map_err(database("redeem a password reset"))?;
    accounts
        .into_iter()
        .next()
        .map(|account| {
            AccountId::parse(&account).map_err(|_| StoreError::Corrupt {
                what: "account id",
                value: account,
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::store_tests;

    store_tests! {
        async fn a_password_hash_is_stored_and_replaced(store) {
            let account = AccountId::from_random([9; 8]);
            assert_eq!(password_hash(&store, &account).await.expect("read"), None);
            set_password_hash(&store, &account, "$argon2id$first").await.expect("store");
            set_password_hash(&store, &account, "$argon2id$second").await.expect("replace");
            assert_eq!(
                password_hash(&store, &account).await.expect("read"),
                Some("$argon2id$second".into())
            );
        }

        async fn a_reset_token_works_once_before_it_expires_and_uses_up_its_siblings(store) {
            let account = AccountId::from_random([9; 8]);
            let now = Utc::now();
            let later = now + chrono::Duration::hours(1);
            add_password_reset(&store, &account, "first", later).await.expect("store");
            add_password_reset(&store, &account, "second", later).await.expect("store");
            add_password_reset(&store, &account, "stale", now - chrono::Duration::minutes(1))
                .await
                .expect("store");
            assert_eq!(redeem_password_reset(&store, "stale", now).await.expect("redeem"), None);
            assert_eq!(redeem_password_reset(&store, "unknown", now).await.expect("redeem"), None);
            assert_eq!(
                redeem_password_reset(&store, "first", now).await.expect("redeem"),
                Some(account.clone())
            );
            assert_eq!(redeem_password_reset(&store, "first", now).await.expect("redeem"), None);
            assert_eq!(redeem_password_reset(&store, "second", now).await.expect("redeem"), None);
        }
    }
}
