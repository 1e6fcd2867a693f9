//! Accounts, staff roles and their changes, API tokens: who can sign in and
//! what they may do.

use crate::access::{Principal, StaffGrants};
use crate::functions::platform_manager::decide::AccountTier;
use crate::functions::platform_manager::events::{PlatformEvent, Role, TokenHolder};
use crate::store::backend::{Connection, per_backend};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::{AccountId, CompanyId, Email, TokenId};

use crate::store::projections::{Projector, Row, Value, decode_one, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};

/// The accounts projection: who can sign in, staff roles, API tokens.
pub const ACCOUNTS: Projector = Projector {
    name: "accounts",
    function: BusinessFunction::PlatformManager,
    handles: &[
        "StaffAccountCreated",
        "ConsumerSignedUp",
        "DealerUserCreated",
        "RoleGranted",
        "RoleRevoked",
        "ApiTokenIssued",
        "ApiTokenRevoked",
    ],
    tables: &[
        "accounts",
        "dealer_users",
        "staff_roles",
        "role_changes",
        "api_tokens",
        "api_token_revocations",
    ],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

/// One decoded event with the position it came from, the month its facts
/// happened in (`YYYY-MM`, UTC: an account's opening month), and who
/// recorded it when (the log's metadata: the change log's author and time).
struct Positioned<'e> {
    position: i64,
    month: String,
    by: &'e str,
    at: String,
    event: PlatformEvent,
}

/// Applies Platform Manager events, in position order. Rows remember the
/// position of the last event applied, so replaying changes nothing; a
/// revoked role keeps its row (inactive) and a revoked token gets a row in
/// `api_token_revocations`, for the same reason.
pub async fn apply(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let decoded = events
        .iter()
        .map(|event| {
            Ok(Positioned {
                position: event.position,
                month: event.occurred_at().format("%Y-%m").to_string(),
                by: event.metadata.actor.as_str(),
                at: event
                    .recorded_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                event: decode_one(event)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    // Role rows are keyed by "<account> <role>", token rows show their
    // holder as text; the texts are made first so the rows can borrow them.
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
            _ => None,
        })
        .collect();
    // Every grant and revocation, with who made it and when (the log's
    // metadata, not the payload).
    let change_rows: Vec<(i64, &AccountId, String, &str, &str, &str)> = decoded
        .iter()
        .filter_map(|positioned| {
            let (change, granted) = match &positioned.event {
                PlatformEvent::RoleGranted(change) => (change, "granted"),
                PlatformEvent::RoleRevoked(change) => (change, "revoked"),
                _ => return None,
            };
            Some((
                positioned.position,
                &change.account,
                change.role.to_string(),
                granted,
                positioned.by,
                positioned.at.as_str(),
            ))
        })
        .collect();
    let holders: Vec<Option<String>> = decoded
        .iter()
        .map(|positioned| match &positioned.event {
            PlatformEvent::ApiTokenIssued(issued) => Some(issued.holder.to_string()),
            _ => None,
        })
        .collect();

    let mut accounts = Vec::new();
    let mut dealer_users = Vec::new();
    let mut tokens = Vec::new();
    let mut revocations = Vec::new();
    for (
        Positioned {
            position,
            month,
            by,
            at,
            event,
        },
        holder,
    ) in decoded.iter().zip(&holders)
    {
        let position = *position;
        match event {
            PlatformEvent::StaffAccountCreated(created) => accounts.push(Row {
                values: vec![
                    Value::Text(created.account.as_str()),
                    Value::Text(created.email.as_str()),
                    Value::Text(&created.name),
                    Value::Text(AccountTier::Staff.as_str()),
                    Value::Text(month),
                ],
                position,
            }),
            PlatformEvent::ConsumerSignedUp(signed_up) => accounts.push(Row {
                values: vec![
                    Value::Text(signed_up.account.as_str()),
                    Value::Text(signed_up.email.as_str()),
                    Value::Text(&signed_up.name),
                    Value::Text(AccountTier::Consumer.as_str()),
                    Value::Text(month),
                ],
                position,
            }),
            PlatformEvent::DealerUserCreated(created) => {
                accounts.push(Row {
                    values: vec![
                        Value::Text(created.account.as_str()),
                        Value::Text(created.email.as_str()),
                        Value::Text(&created.name),
                        Value::Text(AccountTier::Dealer.as_str()),
                        Value::Text(month),
                    ],
                    position,
                });
                dealer_users.push(Row {
                    values: vec![
                        Value::Text(created.account.as_str()),
                        Value::Text(created.company.as_str()),
                    ],
                    position,
                });
            }
            PlatformEvent::ApiTokenIssued(issued) => tokens.push(Row {
                values: vec![
                    Value::Text(issued.token.as_str()),
                    Value::Text(holder.as_deref().unwrap_or_default()),
                    Value::Text(&issued.label),
                    Value::Text(by),
                    Value::Text(at),
                ],
                position,
            }),
            PlatformEvent::ApiTokenRevoked(revoked) => revocations.push(Row {
                values: vec![
                    Value::Text(revoked.token.as_str()),
                    Value::Text(by),
                    Value::Text(at),
                ],
                position,
            }),
            PlatformEvent::RoleGranted(_)
            | PlatformEvent::RoleRevoked(_)
            | PlatformEvent::PasswordChanged(_)
            | PlatformEvent::ChangeRequestRaised(_)
            | PlatformEvent::ChangeRequestTriaged(_)
            | PlatformEvent::AgentMessageSent(_)
            | PlatformEvent::AgentStepTaken(_)
            | PlatformEvent::AutonomyPolicySet(_)
            | PlatformEvent::GuardFired(_)
            | PlatformEvent::ChangeRequestTriageProposed(_)
            | PlatformEvent::ChangeRequestProposalApproved(_)
            | PlatformEvent::ChangeRequestProposalRejected(_) => {}
        }
    }
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
        &["account_id", "email", "name", "tier", "opened_month"],
        &accounts,
    )
    .await?;
    upsert_rows(
        connection.reborrow(),
        "dealer_users",
        "account_id",
        &["account_id", "company_id"],
        &dealer_users,
    )
    .await?;
    upsert_rows(
        connection.reborrow(),
        "staff_roles",
        "grant_key",
        &["grant_key", "account_id", "role", "active"],
        &roles,
    )
    .await?;
    let changes: Vec<Row<'_>> = change_rows
        .iter()
        .map(|(position, account, role, change, by, at)| Row {
            values: vec![
                Value::Integer(*position),
                Value::Text(account.as_str()),
                Value::Text(role),
                Value::Text(change),
                Value::Text(by),
                Value::Text(at),
            ],
            position: *position,
        })
        .collect();
    upsert_rows(
        connection.reborrow(),
        "role_changes",
        "event_position",
        &[
            "event_position",
            "account_id",
            "role",
            "change",
            "changed_by",
            "changed_at",
        ],
        &changes,
    )
    .await?;
    upsert_rows(
        connection.reborrow(),
        "api_tokens",
        "token_id",
        &["token_id", "holder", "label", "issued_by", "issued_at"],
        &tokens,
    )
    .await?;
    upsert_rows(
        connection,
        "api_token_revocations",
        "token_id",
        &["token_id", "revoked_by", "revoked_at"],
        &revocations,
    )
    .await
}

/// An account as the guard, the sign-in and the account page read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    pub account: AccountId,
    /// Its sign-in address.
    pub email: Email,
    /// Its holder's name.
    pub name: String,
    /// Staff, consumer or dealer.
    pub tier: AccountTier,
    /// The dealer company, for a dealer user.
    pub company: Option<CompanyId>,
    /// What it may do (nothing, for a consumer).
    pub grants: StaffGrants,
    /// Its roles, as granted (none, for a consumer).
    pub roles: Vec<Role>,
}

impl Account {
    /// The principal its holder acts as once signed in.
    pub fn principal(&self) -> Principal {
        match self.tier {
            AccountTier::Staff => Principal::Staff {
                account: self.account.clone(),
                grants: self.grants.clone(),
            },
            AccountTier::Consumer => Principal::Consumer {
                account: self.account.clone(),
            },
            AccountTier::Dealer => match &self.company {
                Some(company) => Principal::Dealer {
                    account: self.account.clone(),
                    company: company.clone(),
                },
                // A dealer login always has its company row (both come from
                // one event); without it the account can reach nothing.
                None => Principal::Anonymous,
            },
        }
    }
}

/// The account signing in with `email`, if any (any tier).
pub async fn account_by_email(
    store: &EventStore,
    email: &Email,
) -> Result<Option<AccountId>, StoreError> {
    let row: Option<String> = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar("SELECT account_id FROM accounts WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database("look up an account by email"))?;
    row.map(|account| {
        AccountId::parse(&account).map_err(|_| StoreError::Corrupt {
            what: "account id",
            value: account,
        })
    })
    .transpose()
}

/// The account `account` with its active roles, if it exists.
pub async fn account(
    store: &EventStore,
    account: &AccountId,
) -> Result<Option<Account>, StoreError> {
    let row: Option<(String, String, String, Option<String>)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT a.email, a.name, a.tier, d.company_id
             FROM accounts a LEFT JOIN dealer_users d ON d.account_id = a.account_id
             WHERE a.account_id = $1",
            )
            .bind(account.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(database(format!("read account {account}")))?;
    let Some((email, name, tier, company)) = row else {
        return Ok(None);
    };
    let company = company
        .map(|company| {
            CompanyId::parse(&company).map_err(|_| StoreError::Corrupt {
                what: "dealer company id",
                value: company,
            })
        })
        .transpose()?;
    let tier = AccountTier::from_name(&tier).ok_or(StoreError::Corrupt {
        what: "account tier",
        value: tier,
    })?;
    let role_texts: Vec<String> = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT role FROM staff_roles WHERE account_id = $1 AND active = 1 ORDER BY role",
        )
        .bind(account.as_str())
        .fetch_all(pool)
        .await
    })
    .map_err(database(format!("read the roles of {account}")))?;
    // (A consumer has no rows there: its roles are empty.)
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
    Ok(Some(Account {
        account: account.clone(),
        tier,
        company,
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

/// The token whose secret hashes to `secret_sha256`, and whom it lets in,
/// if it was issued and is not revoked.
pub async fn live_token_by_secret(
    store: &EventStore,
    secret_sha256: &str,
) -> Result<Option<(TokenId, TokenHolder)>, StoreError> {
    let row: Option<(String, String)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT t.token_id, t.holder
             FROM api_token_secrets s JOIN api_tokens t ON t.token_id = s.token_id
             WHERE s.secret_sha256 = $1
               AND NOT EXISTS (SELECT 1 FROM api_token_revocations r WHERE r.token_id = t.token_id)",
        )
        .bind(secret_sha256)
        .fetch_optional(pool)
        .await
    })
    .map_err(database("look up an API token"))?;
    row.map(|(token, holder)| token_row(token, holder))
        .transpose()
}

/// An API token as the Platform Manager lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its id.
    pub token: TokenId,
    /// Whom it lets in.
    pub holder: TokenHolder,
    /// What it is for.
    pub label: String,
    /// Whether it has been revoked.
    pub revoked: bool,
}

/// Every API token ever issued, oldest first.
pub async fn api_tokens(store: &EventStore) -> Result<Vec<ApiToken>, StoreError> {
    let rows: Vec<(String, String, String, bool)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT t.token_id, t.holder, t.label,
                    EXISTS (SELECT 1 FROM api_token_revocations r WHERE r.token_id = t.token_id)
             FROM api_tokens t ORDER BY t.last_position",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(database("list API tokens"))?;
    rows.into_iter()
        .map(|(token, holder, label, revoked)| {
            let (token, holder) = token_row(token, holder)?;
            Ok(ApiToken {
                token,
                holder,
                label,
                revoked,
            })
        })
        .collect()
}

fn token_row(token: String, holder: String) -> Result<(TokenId, TokenHolder), StoreError> {
    let token = TokenId::parse(&token).map_err(|_| StoreError::Corrupt {
        what: "API token id",
        value: token,
    })?;
    let holder = TokenHolder::parse(&holder).map_err(|_| StoreError::Corrupt {
        what: "API token holder",
        value: holder,
    })?;
    Ok((token, holder))
}

/// How many accounts each tier has: `(tier, count)`, tiers without
/// accounts left out.
pub async fn account_counts(store: &EventStore) -> Result<Vec<(AccountTier, i64)>, StoreError> {
    let rows: Vec<(String, i64)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as("SELECT tier, COUNT(*) FROM accounts GROUP BY tier ORDER BY tier")
            .fetch_all(pool)
            .await
    })
    .map_err(database("count accounts by tier"))?;
    rows.into_iter()
        .map(|(tier, count)| {
            let tier = AccountTier::from_name(&tier).ok_or(StoreError::Corrupt {
                what: "account tier",
                value: tier,
            })?;
            Ok((tier, count))
        })
        .collect()
}

/// How many accounts of each tier were opened in each month from
/// `first_month` (`YYYY-MM`) on: `(month, tier, count)`, by month then
/// tier, months and tiers without new accounts left out.
pub async fn accounts_opened_by_month(
    store: &EventStore,
    first_month: &str,
) -> Result<Vec<(String, AccountTier, i64)>, StoreError> {
    let rows: Vec<(String, String, i64)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT opened_month, tier, CAST(COUNT(*) AS BIGINT) FROM accounts
             WHERE opened_month >= $1
             GROUP BY opened_month, tier ORDER BY opened_month, tier",
        )
        .bind(first_month)
        .fetch_all(pool)
        .await
    })
    .map_err(database("count accounts opened per month"))?;
    rows.into_iter()
        .map(|(month, tier, count)| {
            let tier = AccountTier::from_name(&tier).ok_or(StoreError::Corrupt {
                what: "account tier",
                value: tier,
            })?;
            Ok((month, tier, count))
        })
        .collect()
}

/// A member of staff with the roles they hold now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Their name.
    pub name: String,
    /// Their sign-in address.
    pub email: String,
    /// Their active roles, e.g. `admin`, `category:operate`.
    pub roles: Vec<String>,
}

/// Every member of staff and their active roles, by name.
pub async fn staff_members(store: &EventStore) -> Result<Vec<StaffMember>, StoreError> {
    let rows: Vec<(String, String, String, Option<String>)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT a.account_id, a.name, a.email, r.role
                 FROM accounts a
                 LEFT JOIN staff_roles r ON r.account_id = a.account_id AND r.active = 1
                 WHERE a.tier = 'staff'
                 ORDER BY a.name, a.account_id, r.role",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(database("list staff and their roles"))?;
    let mut members: Vec<(String, StaffMember)> = Vec::new();
    for (account, name, email, role) in rows {
        if members.last().is_none_or(|(last, _)| *last != account) {
            members.push((
                account,
                StaffMember {
                    name,
                    email,
                    roles: Vec::new(),
                },
            ));
        }
        if let (Some(role), Some((_, member))) = (role, members.last_mut()) {
            member.roles.push(role);
        }
    }
    Ok(members.into_iter().map(|(_, member)| member).collect())
}

/// One change to who may use the system: a role granted or revoked, an
/// API token issued or revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemChange {
    /// When, UTC, RFC 3339.
    pub at: String,
    /// What changed: `role granted`, `role revoked`, `API token issued`
    /// or `API token revoked`.
    pub change: String,
    /// Whom it is for: a person's name and address, or a token's holder
    /// (e.g. `agent:category`).
    pub subject: String,
    /// The role (e.g. `customers:approve`) or the token and its label.
    pub detail: String,
    /// Who made the change (the event's actor).
    pub by: String,
}

/// The newest `limit` changes to who may use the system (roles and API
/// tokens), newest first: the Platform Manager's change log.
pub async fn change_log(store: &EventStore, limit: i64) -> Result<Vec<SystemChange>, StoreError> {
    let rows: Vec<(String, String, String, String, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT changed_at, change, subject, detail, changed_by FROM (
                     SELECT c.event_position AS position, c.changed_at,
                            'role ' || c.change AS change,
                            COALESCE(a.name || ' <' || a.email || '>', c.account_id) AS subject,
                            c.role AS detail, c.changed_by
                     FROM role_changes c LEFT JOIN accounts a ON a.account_id = c.account_id
                     UNION ALL
                     SELECT t.last_position, COALESCE(t.issued_at, ''), 'API token issued',
                            t.holder, t.token_id || ' “' || t.label || '”',
                            COALESCE(t.issued_by, '')
                     FROM api_tokens t
                     UNION ALL
                     SELECT r.last_position, COALESCE(r.revoked_at, ''), 'API token revoked',
                            t.holder, t.token_id || ' “' || t.label || '”',
                            COALESCE(r.revoked_by, '')
                     FROM api_token_revocations r JOIN api_tokens t ON t.token_id = r.token_id
                 ) changes
                 ORDER BY position DESC
                 LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(database("read the change log"))?;
    Ok(rows
        .into_iter()
        .map(|(at, change, subject, detail, by)| SystemChange {
            at,
            change,
            subject,
            detail,
            by,
        })
        .collect())
}
