//! The application service for staff accounts: look up what the rules
//! need, decide, append, and keep the password hash beside the account.

use super::decide::{AccountState, CreateStaffAccount, PlatformCommand, PlatformError, decide};
use super::events::{PlatformEvent, Role};
use super::projection;
use crate::access::password::{HashingFailed, Password};
use crate::access::{AccountId, Email};
use crate::event::{Actor, StreamId};
use crate::functions::BusinessFunction;
use crate::store::{EventMetadata, EventStore, StoreError, credentials};
use argon2::password_hash::rand_core::{OsRng, RngCore};

/// Why an account command did not go through.
#[derive(Debug, thiserror::Error)]
pub enum AccountServiceError {
    /// A rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] PlatformError),
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

/// Creates a staff account with its roles and password, on behalf of
/// `actor`, and returns its new id.
pub async fn create_staff_account(
    store: &EventStore,
    actor: Actor,
    new: NewStaffAccount,
) -> Result<AccountId, AccountServiceError> {
    let mut random = [0_u8; 8];
    OsRng.fill_bytes(&mut random);
    let account = AccountId::from_random(random);
    let stream = StreamId::account(&account);
    let history = store.load::<PlatformEvent>(&stream).await?;
    let mut state = AccountState::from_events(&history.events);
    state.email_taken = projection::account_by_email(store, &new.email)
        .await?
        .is_some();
    let events = decide(
        &state,
        PlatformCommand::CreateStaffAccount(CreateStaffAccount {
            account: account.clone(),
            email: new.email,
            name: new.name,
            roles: new.roles,
        }),
    )?;
    // The hash is stored before the events, so an account never exists
    // without its password; if the append then fails, the hash belongs to
    // an id nobody will ever use.
    let password_hash = hash_off_thread(new.password).await?;
    credentials::set_password_hash(store, &account, &password_hash).await?;
    let metadata = EventMetadata::new(actor, BusinessFunction::PlatformManager);
    store
        .append(&stream, history.version, &events, &metadata)
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
    change_role(store, actor, PlatformCommand::GrantRole { account, role }).await
}

/// Takes the role `role` away from `account`, on behalf of `actor`.
pub async fn revoke_role(
    store: &EventStore,
    actor: Actor,
    account: AccountId,
    role: Role,
) -> Result<(), AccountServiceError> {
    change_role(store, actor, PlatformCommand::RevokeRole { account, role }).await
}

async fn change_role(
    store: &EventStore,
    actor: Actor,
    command: PlatformCommand,
) -> Result<(), AccountServiceError> {
    let account = match &command {
        PlatformCommand::GrantRole { account, .. }
        | PlatformCommand::RevokeRole { account, .. } => account.clone(),
        PlatformCommand::CreateStaffAccount(create) => create.account.clone(),
    };
    let stream = StreamId::account(&account);
    let history = store.load::<PlatformEvent>(&stream).await?;
    let events = decide(&AccountState::from_events(&history.events), command)?;
    let metadata = EventMetadata::new(actor, BusinessFunction::PlatformManager);
    store
        .append(&stream, history.version, &events, &metadata)
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
    let Some((account, _tier)) = projection::account_by_email(store, email).await? else {
        // Spend the time a real check would, so response times do not tell
        // which addresses have accounts.
        hash_off_thread(password).await?;
        return Ok(None);
    };
    let Some(stored) = credentials::password_hash(store, &account).await? else {
        hash_off_thread(password).await?;
        return Ok(None);
    };
    let matches = tokio::task::spawn_blocking(move || password.matches(&stored))
        .await
        .map_err(AccountServiceError::HashingTask)?;
    Ok(matches.then_some(account))
}

async fn hash_off_thread(password: Password) -> Result<String, AccountServiceError> {
    Ok(tokio::task::spawn_blocking(move || password.hash())
        .await
        .map_err(AccountServiceError::HashingTask)??)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Capability;
    use crate::store::testing::store_tests;

    fn new_mara() -> NewStaffAccount {
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

            let staff = projection::staff_account(&store, &account)
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
                projection::staff_account(&store, &account)
                    .await
                    .expect("read")
                    .expect("exists")
                    .roles
            };
            assert_eq!(read(store.clone(), account.clone()).await, vec![Role::Admin]);
            let report = crate::store::projections::rebuild(&store, Some("staff"), |_| {})
                .await
                .expect("rebuild");
            assert!(report.all_equal(), "{report:?}");
            assert_eq!(read(store.clone(), account.clone()).await, vec![Role::Admin]);
        }
    }
}
