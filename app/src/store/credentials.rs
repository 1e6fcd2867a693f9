//! Password hashes: the one table outside the event log that holds
//! account data. The log is kept forever and cannot forget a secret, so a
//! hash lives here, where it can be replaced (password change, reset) and
//! erased. Nothing but the identity services writes it.

use super::backend::per_backend;
use super::{EventStore, StoreError, database};
use crate::access::AccountId;
use chrono::Utc;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store_tests;

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
    }
}
