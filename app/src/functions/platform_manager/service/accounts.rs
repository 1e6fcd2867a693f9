//! Accounts, staff roles, passwords and API tokens: look up what the rules
//! need, decide, append, and keep the secrets (password hashes, token
//! digests, reset tokens) beside the log, never in it.

use crate::access::Principal;
use crate::access::password::{HashingFailed, Password};
use crate::access::secret::{self, Secret};
use crate::functions::platform_manager::decide::{
    AccountState, CreateDealerUser, CreateStaffAccount, PlatformCommand, PlatformError,
    SignUpConsumer, TokenCommand, TokenState, decide, decide_token,
};
use crate::functions::platform_manager::events::{
    PasswordChange, PlatformEvent, Role, TokenHolder,
};
use crate::functions::platform_manager::projection;
use crate::store::{EventMetadata, EventStore, StoreError, credentials, outbox};
use chrono::{DateTime, Utc};
use kiln_core::event::{Actor, StreamId};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::{AccountId, CompanyId, Email, TokenId};

/// How long a password reset link works.
pub const RESET_LINK_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

/// How long the link a new dealer user chooses their password with works.
pub const WELCOME_LINK_LIFETIME: chrono::Duration = chrono::Duration::days(7);

/// The prefix of every API token's secret.
pub const API_TOKEN_PREFIX: &str = "kiln_";

/// Why an account command did not go through.
#[derive(Debug, thiserror::Error)]
pub enum AccountServiceError {
    /// A rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] PlatformError),
    /// The current password given with a password change is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The reset link is unknown, used or expired.
    #[error("this reset link has expired or was already used; ask for a new one")]
    ResetLinkInvalid,
    /// The password could not be hashed.
    #[error(transparent)]
    Hashing(#[from] HashingFailed),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The hashing task did not finish (the runtime is shutting down).
    #[error("the password hashing task did not finish")]
    HashingTask(#[source] tokio::task::JoinError),
}

impl AccountServiceError {
    /// Whether the message is about the request (safe and useful to show)
    /// rather than a fault of the server.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            AccountServiceError::Refused(_)
                | AccountServiceError::WrongPassword
                | AccountServiceError::ResetLinkInvalid
        )
    }
}

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewStaffAccount {
    /// Their sign-in address.
    pub email: Email,
    /// Their name.
    pub name: String,
    /// Their first roles.
    pub roles: Vec<Role>,
    /// Their first password.
    pub password: Password,
}

/// A shopper signing up.
#[derive(Debug, Clone)]
pub struct NewConsumer {
    /// Their sign-in address.
    pub email: Email,
    /// Their name.
    pub name: String,
    /// Their password.
    pub password: Password,
}

/// Creates a staff account with its roles and password, on behalf of
/// `actor`, and returns its new id.
pub async fn create_staff_account(
    store: &EventStore,
    actor: Actor,
    new: NewStaffAccount,
) -> Result<AccountId, AccountServiceError> {
    let NewStaffAccount {
        email,
        name,
        roles,
        password,
    } = new;
    open_account(store, actor, email.clone(), Some(password), |account| {
        PlatformCommand::CreateStaffAccount(CreateStaffAccount {
            account,
            email,
            name,
            roles,
        })
    })
    .await
}

/// Opens a shopper's own account and returns its id. The shopper is the
/// actor (`user:<new id>`).
pub async fn sign_up_consumer(
    store: &EventStore,
    new: NewConsumer,
) -> Result<AccountId, AccountServiceError> {
    let NewConsumer {
        email,
        name,
        password,
    } = new;
    open_account(store, None, email.clone(), Some(password), |account| {
        PlatformCommand::SignUpConsumer(SignUpConsumer {
            account,
            email,
            name,
        })
    })
    .await
}

/// Creates a login for a user of a dealer company, without a password:
/// send them [`send_welcome_link`] to choose one. Returns its id.
pub async fn create_dealer_user(
    store: &EventStore,
    actor: Actor,
    email: Email,
    name: String,
    company: CompanyId,
) -> Result<AccountId, AccountServiceError> {
    open_account(store, actor, email.clone(), None, |account| {
        PlatformCommand::CreateDealerUser(CreateDealerUser {
            account,
            email,
            name,
            company,
        })
    })
    .await
}

/// What every new account goes through: a fresh id, the rules, the
/// password hash (if it has a password yet), the events. `actor` is
/// whoever opens it, or the new account itself when `None`.
async fn open_account(
    store: &EventStore,
    actor: impl Into<Option<Actor>>,
    email: Email,
    password: Option<Password>,
    command: impl FnOnce(AccountId) -> PlatformCommand,
) -> Result<AccountId, AccountServiceError> {
    let account = AccountId::generate();
    let stream = StreamId::account(&account);
    let email_taken = projection::account_by_email(store, &email).await?.is_some();
    let command = command(account.clone());
    let decide_on = |history: &[PlatformEvent]| {
        let mut state = AccountState::from_events(history);
        state.email_taken = email_taken;
        decide(&state, command.clone())
    };
    // The rules first, so a refused account costs no password hash; the
    // hash is stored before the events, so an account never exists
    // without its password. If the append then fails, the hash belongs to
    // an id nobody will ever use.
    decide_on(&[])?;
    if let Some(password) = password {
        let password_hash = hash_off_thread(password).await?;
        credentials::set_password_hash(store, &account, &password_hash).await?;
    }
    let actor = actor.into().unwrap_or_else(|| Actor::user(&account));
    let metadata = EventMetadata::new(actor, BusinessFunction::PlatformManager);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide_on(history).map_err(AccountServiceError::from)
        })
        .await?;
    Ok(account)
}

/// Gives `account` the role `role`, on behalf of `actor`.
pub async fn grant_role(
    store: &EventStore,
    actor: Actor,
    account: AccountId,
    role: Role,
) -> Result<(), AccountServiceError> {
    account_command(
        store,
        actor,
        account.clone(),
        PlatformCommand::GrantRole { account, role },
    )
    .await
}

/// Takes the role `role` away from `account`, on behalf of `actor`.
pub async fn revoke_role(
    store: &EventStore,
    actor: Actor,
    account: AccountId,
    role: Role,
) -> Result<(), AccountServiceError> {
    account_command(
        store,
        actor,
        account.clone(),
        PlatformCommand::RevokeRole { account, role },
    )
    .await
}

async fn account_command(
    store: &EventStore,
    actor: Actor,
    account: AccountId,
    command: PlatformCommand,
) -> Result<(), AccountServiceError> {
    let metadata = EventMetadata::new(actor, BusinessFunction::PlatformManager);
    store
        .decide_and_append(&StreamId::account(&account), &metadata, |history| {
            decide(&AccountState::from_events(history), command.clone())
                .map_err(AccountServiceError::from)
        })
        .await?;
    Ok(())
}

/// The account that signs in with `email` and `password`, or `None` when
/// either is wrong (the caller must not say which).
pub async fn check_sign_in(
    store: &EventStore,
    email: &Email,
    password: Password,
) -> Result<Option<AccountId>, AccountServiceError> {
    let Some(account) = projection::account_by_email(store, email).await? else {
        // Spend the time a real check would, so response times do not tell
        // which addresses have accounts.
        hash_off_thread(password).await?;
        return Ok(None);
    };
    Ok(check_password(store, &account, password)
        .await?
        .then_some(account))
}

/// Whether `password` is the password of `account`.
async fn check_password(
    store: &EventStore,
    account: &AccountId,
    password: Password,
) -> Result<bool, AccountServiceError> {
    let Some(stored) = credentials::password_hash(store, account).await? else {
        hash_off_thread(password).await?;
        return Ok(false);
    };
    tokio::task::spawn_blocking(move || password.matches(&stored))
        .await
        .map_err(AccountServiceError::HashingTask)
}

/// Replaces the password of `account`, signed in, after checking its
/// current one.
pub async fn change_password(
    store: &EventStore,
    account: &AccountId,
    current: Password,
    new: Password,
) -> Result<(), AccountServiceError> {
    if !check_password(store, account, current).await? {
        return Err(AccountServiceError::WrongPassword);
    }
    replace_password(store, account, new, PasswordChange::Changed).await
}

/// Sends a reset link to `email` (through the outbox) if an account signs
/// in with it; does nothing otherwise, and says nothing of which: the
/// caller answers the same either way.
pub async fn request_password_reset(
    store: &EventStore,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<(), AccountServiceError> {
    let Some(account) = projection::account_by_email(store, email).await? else {
        tracing::info!("a password reset was asked for an address without an account");
        return Ok(());
    };
    let token = Secret::generate("");
    credentials::add_password_reset(store, &account, &token.digest(), now + RESET_LINK_LIFETIME)
        .await?;
    let body = format!(
        "Someone asked to reset the password of your Fenwick Clayworks account.\n\n\
         To choose a new password, open /reset?token={} on the shop's site within an hour.\n\n\
         If it was not you, ignore this message: your password stays as it is.",
        token.reveal()
    );
    outbox::queue(store, email, "Reset your password", &body).await?;
    tracing::info!(account = %account, "a password reset link is waiting in the outbox");
    Ok(())
}

/// Queues, for a new account without a password, a message with a link to
/// choose one (a reset token that works for [`WELCOME_LINK_LIFETIME`]).
/// Returns the token, for a caller that must set the password itself (the
/// demo data); nobody else may show it.
pub async fn send_welcome_link(
    store: &EventStore,
    account: &AccountId,
    email: &Email,
    welcome: &str,
    now: DateTime<Utc>,
) -> Result<Secret, AccountServiceError> {
    let token = Secret::generate("");
    credentials::add_password_reset(store, account, &token.digest(), now + WELCOME_LINK_LIFETIME)
        .await?;
    let body = format!(
        "{welcome}\n\nTo choose your password, open /reset?token={} on the shop's site within seven days, then sign in with this address.",
        token.reveal()
    );
    outbox::queue(store, email, "Your Fenwick Clayworks account", &body).await?;
    Ok(token)
}

/// Sets a new password for the account a reset link was sent to, using the
/// link up. Fails, changing nothing, if the link is unknown, used or
/// expired at `now`.
pub async fn reset_password(
    store: &EventStore,
    token: &str,
    new: Password,
    now: DateTime<Utc>,
) -> Result<AccountId, AccountServiceError> {
    let account = credentials::redeem_password_reset(store, &secret::digest(token), now)
        .await?
        .ok_or(AccountServiceError::ResetLinkInvalid)?;
    replace_password(store, &account, new, PasswordChange::Reset).await?;
    Ok(account)
}

async fn replace_password(
    store: &EventStore,
    account: &AccountId,
    new: Password,
    how: PasswordChange,
) -> Result<(), AccountServiceError> {
    let stream = StreamId::account(account);
    let command = PlatformCommand::RecordPasswordChange {
        account: account.clone(),
        how,
    };
    // The rules first, then the new hash, then the event that records it.
    let history = store.load::<PlatformEvent>(&stream).await?;
    decide(&AccountState::from_events(&history.events), command.clone())?;
    let password_hash = hash_off_thread(new).await?;
    credentials::set_password_hash(store, account, &password_hash).await?;
    let metadata = EventMetadata::new(Actor::user(account), BusinessFunction::PlatformManager);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide(&AccountState::from_events(history), command.clone())
                .map_err(AccountServiceError::from)
        })
        .await?;
    Ok(())
}

/// Issues an API token, on behalf of an administrator `actor`. Returns its
/// id and its secret: the secret is shown once and kept only as a digest.
pub async fn issue_api_token(
    store: &EventStore,
    actor: Actor,
    holder: TokenHolder,
    label: String,
) -> Result<(TokenId, Secret), AccountServiceError> {
    let token = TokenId::generate();
    let command = TokenCommand::Issue {
        token: token.clone(),
        holder,
        label,
    };
    // The rules first (a new token's stream is empty), then, as with
    // passwords, the digest, so an issued token always works.
    decide_token(TokenState::from_events(&[]), command.clone())?;
    let secret = Secret::generate(API_TOKEN_PREFIX);
    credentials::set_token_secret(store, &token, &secret.digest()).await?;
    let metadata = EventMetadata::new(actor, BusinessFunction::PlatformManager);
    store
        .decide_and_append(&StreamId::api_token(&token), &metadata, |history| {
            decide_token(TokenState::from_events(history), command.clone())
                .map_err(AccountServiceError::from)
        })
        .await?;
    Ok((token, secret))
}

/// Revokes an API token for good, on behalf of an administrator `actor`.
pub async fn revoke_api_token(
    store: &EventStore,
    actor: Actor,
    token: TokenId,
) -> Result<(), AccountServiceError> {
    let stream = StreamId::api_token(&token);
    let command = TokenCommand::Revoke { token };
    let metadata = EventMetadata::new(actor, BusinessFunction::PlatformManager);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide_token(TokenState::from_events(history), command.clone())
                .map_err(AccountServiceError::from)
        })
        .await?;
    Ok(())
}

/// Whom a request bearing the API token secret `secret` acts as: `None`
/// for an unknown, mistyped or revoked token.
pub async fn principal_of_bearer(
    store: &EventStore,
    secret: &str,
) -> Result<Option<Principal>, StoreError> {
    if !secret.starts_with(API_TOKEN_PREFIX) {
        return Ok(None);
    }
    Ok(
        projection::live_token_by_secret(store, &secret::digest(secret))
            .await?
            .map(|(token, holder)| holder.principal(token)),
    )
}

async fn hash_off_thread(password: Password) -> Result<String, AccountServiceError> {
    Ok(tokio::task::spawn_blocking(move || password.hash())
        .await
        .map_err(AccountServiceError::HashingTask)??)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::access::Capability;
    use crate::testing::store_tests;

    fn password(text: &str) -> Password {
        Password::parse(text).expect("valid password")
    }

    pub(crate) fn new_ada() -> NewConsumer {
        NewConsumer {
            email: Email::parse("ada@example.com").expect("valid"),
            name: "Ada Shopper".into(),
            password: password("a-long-secret-1"),
        }
    }

    pub(crate) fn new_mara() -> NewStaffAccount {
        NewStaffAccount {
            email: Email::parse("mara@fenwick.example").expect("valid"),
            name: "Mara Fenwick".into(),
            roles: vec![Role::Function {
                function: BusinessFunction::Category,
                capability: Capability::Operate,
            }],
            password: Password::parse("glaze-and-fire-42").expect("valid"),
        }
    }

    store_tests! {
        async fn a_created_staff_account_signs_in_with_its_password_only(store) {
            let account = create_staff_account(&store, Actor::system("test"), new_mara())
                .await
                .expect("created");
            let email = Email::parse("MARA@fenwick.example").expect("valid");
            let signed_in = check_sign_in(&store, &email, Password::parse("glaze-and-fire-42").expect("valid"))
                .await
                .expect("checked");
            assert_eq!(signed_in, Some(account.clone()));
            let wrong = check_sign_in(&store, &email, Password::parse("glaze-and-fire-43").expect("valid"))
                .await
                .expect("checked");
            assert_eq!(wrong, None);
            let nobody = Email::parse("nobody@fenwick.example").expect("valid");
            assert_eq!(
                check_sign_in(&store, &nobody, Password::parse("glaze-and-fire-42").expect("valid"))
                    .await
                    .expect("checked"),
                None
            );

            let staff = projection::account(&store, &account)
                .await
                .expect("read")
                .expect("exists");
            assert_eq!(staff.name, "Mara Fenwick");
            assert!(staff.grants.allow(BusinessFunction::Category, Capability::Operate));
            assert!(!staff.grants.admin);
        }

        async fn a_second_account_for_the_same_email_is_refused_and_writes_nothing(store) {
            create_staff_account(&store, Actor::system("test"), new_mara())
                .await
                .expect("created");
            let events = store.event_count().await.expect("count");
            let refused = create_staff_account(&store, Actor::system("test"), new_mara())
                .await
                .expect_err("refused");
            assert_eq!(refused.to_string(), "mara@fenwick.example already has an account");
            assert_eq!(store.event_count().await.expect("count"), events);
            assert_eq!(projection::staff_count(&store).await.expect("count"), 1);
        }

        async fn granted_and_revoked_roles_are_what_the_account_may_do_even_after_a_rebuild(store) {
            let account = create_staff_account(&store, Actor::system("test"), new_mara())
                .await
                .expect("created");
            grant_role(&store, Actor::system("test"), account.clone(), Role::Admin)
                .await
                .expect("granted");
            let operator = Role::Function {
                function: BusinessFunction::Category,
                capability: Capability::Operate,
            };
            revoke_role(&store, Actor::system("test"), account.clone(), operator)
                .await
                .expect("revoked");
            let read = |store: EventStore, account: AccountId| async move {
                projection::account(&store, &account)
                    .await
                    .expect("read")
                    .expect("exists")
                    .roles
            };
            assert_eq!(read(store.clone(), account.clone()).await, vec![Role::Admin]);
            let report = crate::store::projections::rebuild(&store, Some("accounts"), |_| {})
                .await
                .expect("rebuild");
            assert!(report.all_equal(), "{report:?}");
            assert_eq!(read(store.clone(), account.clone()).await, vec![Role::Admin]);
        }

        async fn a_shopper_who_signs_up_signs_in_as_a_consumer_without_roles(store) {
            let account = sign_up_consumer(&store, new_ada()).await.expect("signed up");
            let email = Email::parse("ada@example.com").expect("valid");
            assert_eq!(
                check_sign_in(&store, &email, password("a-long-secret-1")).await.expect("checked"),
                Some(account.clone())
            );
            let ada = projection::account(&store, &account).await.expect("read").expect("exists");
            assert_eq!(ada.principal(), Principal::Consumer { account: account.clone() });
            assert!(ada.roles.is_empty());
            let history = store.load::<PlatformEvent>(&StreamId::account(&account)).await.expect("load");
            assert_eq!(history.events.len(), 1);
            let refused = sign_up_consumer(&store, new_ada()).await.expect_err("refused");
            assert_eq!(refused.to_string(), "ada@example.com already has an account");
        }

        async fn a_password_change_needs_the_current_password_and_then_only_the_new_one_works(store) {
            let account = sign_up_consumer(&store, new_ada()).await.expect("signed up");
            let email = Email::parse("ada@example.com").expect("valid");
            let wrong = change_password(&store, &account, password("not-the-password"), password("another-secret-2"))
                .await
                .expect_err("refused");
            assert!(matches!(wrong, AccountServiceError::WrongPassword), "{wrong:?}");
            change_password(&store, &account, password("a-long-secret-1"), password("another-secret-2"))
                .await
                .expect("changed");
            assert_eq!(
                check_sign_in(&store, &email, password("a-long-secret-1")).await.expect("checked"),
                None
            );
            assert_eq!(
                check_sign_in(&store, &email, password("another-secret-2")).await.expect("checked"),
                Some(account.clone())
            );
            let history = store.load::<PlatformEvent>(&StreamId::account(&account)).await.expect("load");
            assert!(matches!(
                history.events.last(),
                Some(PlatformEvent::PasswordChanged(change)) if change.how == PasswordChange::Changed
            ));
        }

        async fn a_reset_link_from_the_outbox_sets_a_new_password_once(store) {
            let account = sign_up_consumer(&store, new_ada()).await.expect("signed up");
            let email = Email::parse("ada@example.com").expect("valid");
            let now = Utc::now();
            request_password_reset(&store, &email, now).await.expect("requested");
            // An address without an account gets no message.
            request_password_reset(&store, &Email::parse("nobody@example.com").expect("valid"), now)
                .await
                .expect("requested");
            let messages = outbox::unsent(&store).await.expect("outbox");
            assert_eq!(messages.len(), 1);
            assert_eq!(messages[0].recipient, "ada@example.com");
            let token = messages[0]
                .body
                .split("/reset?token=")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .expect("a reset link in the message");

            let late = now + RESET_LINK_LIFETIME + chrono::Duration::seconds(1);
            let expired = reset_password(&store, token, password("reset-secret-3"), late)
                .await
                .expect_err("expired");
            assert!(matches!(expired, AccountServiceError::ResetLinkInvalid), "{expired:?}");

            assert_eq!(
                reset_password(&store, token, password("reset-secret-3"), now).await.expect("reset"),
                account
            );
            assert!(check_sign_in(&store, &email, password("reset-secret-3")).await.expect("checked").is_some());
            let again = reset_password(&store, token, password("reset-secret-4"), now)
                .await
                .expect_err("used");
            assert!(matches!(again, AccountServiceError::ResetLinkInvalid), "{again:?}");
            assert!(check_sign_in(&store, &email, password("reset-secret-3")).await.expect("checked").is_some());
        }

        async fn an_issued_token_lets_its_holder_in_until_it_is_revoked(store) {
            let holder = TokenHolder::External {
                function: BusinessFunction::Category,
                scope: crate::access::TokenScope::Read,
            };
            let (token, secret) = issue_api_token(&store, Actor::system("test"), holder, "pricing bot".into())
                .await
                .expect("issued");
            assert_eq!(
                principal_of_bearer(&store, secret.reveal()).await.expect("looked up"),
                Some(Principal::Token {
                    token: token.clone(),
                    function: BusinessFunction::Category,
                    scope: crate::access::TokenScope::Read,
                })
            );
            assert_eq!(principal_of_bearer(&store, "kiln_0123").await.expect("looked up"), None);
            let agent = TokenHolder::Agent { function: BusinessFunction::Procurement };
            let (_, agent_secret) = issue_api_token(&store, Actor::system("test"), agent, "procurement agent".into())
                .await
                .expect("issued");
            assert_eq!(
                principal_of_bearer(&store, agent_secret.reveal()).await.expect("looked up"),
                Some(Principal::Agent { function: BusinessFunction::Procurement })
            );

            revoke_api_token(&store, Actor::system("test"), token.clone()).await.expect("revoked");
            assert_eq!(principal_of_bearer(&store, secret.reveal()).await.expect("looked up"), None);
            let again = revoke_api_token(&store, Actor::system("test"), token.clone())
                .await
                .expect_err("refused");
            assert_eq!(again.to_string(), format!("API token {token} is already revoked"));

            // A rebuild does not bring the revoked token back.
            let report = crate::store::projections::rebuild(&store, Some("accounts"), |_| {})
                .await
                .expect("rebuild");
            assert!(report.all_equal(), "{report:?}");
            assert_eq!(principal_of_bearer(&store, secret.reveal()).await.expect("looked up"), None);
            let listed = projection::api_tokens(&store).await.expect("list");
            assert_eq!(listed.len(), 2);
            assert!(listed[0].revoked && !listed[1].revoked);

            // The change log has each issue and the revocation, newest first.
            let log: Vec<(String, String, String, String)> = projection::change_log(&store, 10)
                .await
                .expect("change log")
                .into_iter()
                .map(|change| (change.change, change.subject, change.detail, change.by))
                .collect();
            let named = format!("{token} “pricing bot”");
            assert_eq!(log.len(), 3, "{log:?}");
            assert_eq!(
                log[0],
                ("API token revoked".into(), "category:read".into(), named.clone(), "system:test".into())
            );
            assert_eq!(log[1].0, "API token issued");
            assert_eq!(log[1].1, "agent:procurement");
            assert_eq!(
                log[2],
                ("API token issued".into(), "category:read".into(), named, "system:test".into())
            );
        }
    }
}
