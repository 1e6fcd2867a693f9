//! The `accounts` and `staff_roles` tables, derived from the Platform
//! Manager's events, and the reads the sign-in and the Platform Manager
//! page make of them.

use super::events::{PlatformEvent, Role};
use crate::access::{AccountId, Email, StaffGrants};
use crate::event::DomainEvent;
use crate::functions::BusinessFunction;
use crate::store::backend::{Connection, per_backend};

use crate::store::projections::{Projector, ProjectorFuture, Row, Value, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};

/// The staff projection: `accounts` (staff rows) and `staff_roles`.
pub const STAFF: Projector = Projector {
    name: "staff",
    function: BusinessFunction::PlatformManager,
    handles: &["StaffAccountCreated", "RoleGranted", "RoleRevoked"],
    tables: &["accounts", "staff_roles"],
    apply: apply_boxed,
};

fn apply_boxed<'a>(
    connection: Connection<'a>,
    events: &'a [&'a RecordedEvent],
) -> ProjectorFuture<'a> {
    Box::pin(apply(connection, events))
}

/// One decoded event with the position it came from.
struct Positioned {
    position: i64,
    event: PlatformEvent,
}

/// Applies Platform Manager events, in position order. Rows remember the
/// position of the last event applied, so replaying changes nothing; a
/// revoked role keeps its row (inactive) for the same reason.
pub async fn apply(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let mut decoded = Vec::with_capacity(events.len());
    for event in events {
        let platform_event = PlatformEvent::decode(
            &event.event_type,
            event.schema_version,
            event.payload.clone(),
        )
        .map_err(|source| StoreError::Payload {
            event_type: event.event_type.clone(),
            source,
        })?;
        decoded.push(Positioned {
            position: event.position,
            event: platform_event,
        });
    }

    // Role rows are keyed by "<account> <role>"; the texts are made first
    // so the rows can borrow them.
    let role_rows: Vec<(i64, String, &AccountId, String, bool)> = decoded
        .iter()
        .filter_map(|positioned| match &positioned.event {
            PlatformEvent::RoleGranted(change) | PlatformEvent::RoleRevoked(change) => {
                let role = change.role.to_string();
                let active = matches!(positioned.event, PlatformEvent::RoleGranted(_));
                Some((
                    positioned.position,
                    format!("{} {role}", change.account),
                    &change.account,
                    role,
                    active,
                ))
            }
            PlatformEvent::StaffAccountCreated(_) => None,
        })
        .collect();
    let accounts: Vec<Row<'_>> = decoded
        .iter()
        .filter_map(|positioned| match &positioned.event {
            PlatformEvent::StaffAccountCreated(created) => Some(Row {
                values: vec![
                    Value::Text(created.account.as_str()),
                    Value::Text(created.email.as_str()),
                    Value::Text(&created.name),
                    Value::Text("staff"),
                ],
                position: positioned.position,
            }),
            PlatformEvent::RoleGranted(_) | PlatformEvent::RoleRevoked(_) => None,
        })
        .collect();
    let roles: Vec<Row<'_>> = role_rows
        .iter()
        .map(|(position, key, account, role, active)| Row {
            values: vec![
                Value::Text(key),
                Value::Text(account.as_str()),
                Value::Text(role),
                Value::Integer(i64::from(*active)),
            ],
            position: *position,
        })
        .collect();
    upsert_rows(
        connection.reborrow(),
        "accounts",
        "account_id",
        &["account_id", "email", "name", "tier"],
        &accounts,
    )
    .await?;
    upsert_rows(
        connection,
        "staff_roles",
        "grant_key",
        &["grant_key", "account_id", "role", "active"],
        &roles,
    )
    .await
}

/// A staff account as the sign-in and the Platform Manager page read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    /// Its id.
    pub account: AccountId,
    /// Its sign-in address.
    pub email: Email,
    /// Its holder's name.
    pub name: String,
    /// What it may do.
    pub grants: StaffGrants,
    /// Its roles, as granted.
    pub roles: Vec<Role>,
}

/// The account signing in with `email`, if any (any tier).
pub async fn account_by_email(
    store: &EventStore,
    email: &Email,
) -> Result<Option<(AccountId, String)>, StoreError> {
    let row: Option<(String, String)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as("SELECT account_id, tier FROM accounts WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database("look up an account by email"))?;
    row.map(|(account, tier)| {
        AccountId::parse(&account)
            .map(|account| (account, tier))
            .map_err(|_| StoreError::Corrupt {
                what: "account id",
                value: account,
            })
    })
    .transpose()
}

/// The staff account `account` with its active roles, if it exists.
pub async fn staff_account(
    store: &EventStore,
    account: &AccountId,
) -> Result<Option<StaffAccount>, StoreError> {
    let row: Option<(String, String)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as("SELECT email, name FROM accounts WHERE account_id = $1 AND tier = 'staff'")
            .bind(account.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database(format!("read staff account {account}")))?;
    let Some((email, name)) = row else {
        return Ok(None);
    };
    let role_texts: Vec<String> = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT role FROM staff_roles WHERE account_id = $1 AND active = 1 ORDER BY role",
        )
        .bind(account.as_str())
        .fetch_all(pool)
        .await
    })
    .map_err(database(format!("read the roles of {account}")))?;
    let roles = role_texts
        .into_iter()
        .map(|text| {
            Role::parse(&text).map_err(|_| StoreError::Corrupt {
                what: "role",
                value: text,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let grants = StaffGrants {
        admin: roles.contains(&Role::Admin),
        grants: roles.iter().filter_map(|role| role.grant()).collect(),
    };
    Ok(Some(StaffAccount {
        account: account.clone(),
        email: Email::parse(&email).map_err(|_| StoreError::Corrupt {
            what: "email",
            value: email,
        })?,
        name,
        grants,
        roles,
    }))
}

/// How many staff accounts exist (the first administrator is created from
/// the command line when there are none).
pub async fn staff_count(store: &EventStore) -> Result<i64, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE tier = 'staff'")
            .fetch_one(pool)
            .await
    })
    .map_err(database("count staff accounts"))
}
