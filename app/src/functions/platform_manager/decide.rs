//! The Platform Manager's commands about staff accounts and roles, and the
//! pure rules that decide them.

use super::events::{PlatformEvent, Role, RoleChanged, StaffAccountCreated};
use crate::access::{AccountId, Email};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A request to change who may use Kiln, from an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlatformCommand {
    /// Create an account for a member of staff, with its first roles.
    CreateStaffAccount(CreateStaffAccount),
    /// Give a staff account a role.
    GrantRole {
        /// The account.
        account: AccountId,
        /// The role.
        role: Role,
    },
    /// Take a role away from a staff account.
    RevokeRole {
        /// The account.
        account: AccountId,
        /// The role.
        role: Role,
    },
}

/// Input of [`PlatformCommand::CreateStaffAccount`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateStaffAccount {
    /// The new account's id (chosen by the service).
    pub account: AccountId,
    /// The address they will sign in with.
    pub email: Email,
    /// Their name.
    pub name: String,
    /// The roles to grant at once.
    pub roles: Vec<Role>,
}

/// What `decide` needs to know about one account, folded from its stream,
/// plus what the service looked up beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountState {
    /// Whether the account exists as a staff account.
    pub staff: bool,
    /// The roles it holds now.
    pub roles: BTreeSet<Role>,
    /// Whether another account already signs in with the email of a
    /// [`CreateStaffAccount`] (looked up in the accounts table).
    pub email_taken: bool,
}

impl AccountState {
    /// Folds an account's past events, oldest first, into its state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a PlatformEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            match event {
                PlatformEvent::StaffAccountCreated(_) => state.staff = true,
                PlatformEvent::RoleGranted(change) => {
                    state.roles.insert(change.role);
                }
                PlatformEvent::RoleRevoked(change) => {
                    state.roles.remove(&change.role);
                }
            }
        }
        state
    }
}

/// A rule that refused a command; shown verbatim to whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    /// Account ids are never reused.
    #[error("account {account} already exists")]
    AccountExists {
        /// The id.
        account: AccountId,
    },
    /// One address is one login.
    #[error("{email} already has an account")]
    EmailTaken {
        /// The address.
        email: Email,
    },
    /// Colleagues need a name to recognise an account by.
    #[error("a staff account needs a name")]
    MissingName,
    /// Roles are for existing staff accounts.
    #[error("there is no staff account {account}")]
    NoSuchStaffAccount {
        /// The id asked for.
        account: AccountId,
    },
    /// Granting what is held already would record nothing new.
    #[error("{account} already holds the role {role}")]
    AlreadyHeld {
        /// The account.
        account: AccountId,
        /// The role.
        role: Role,
    },
    /// Revoking what is not held would record nothing true.
    #[error("{account} does not hold the role {role}")]
    NotHeld {
        /// The account.
        account: AccountId,
        /// The role.
        role: Role,
    },
}

/// Decides a Platform Manager command against the account's state.
pub fn decide(
    state: &AccountState,
    command: PlatformCommand,
) -> Result<Vec<PlatformEvent>, PlatformError> {
    match command {
        PlatformCommand::CreateStaffAccount(create) => create_staff_account(state, create),
        PlatformCommand::GrantRole { account, role } => {
            if !state.staff {
                return Err(PlatformError::NoSuchStaffAccount { account });
            }
            if state.roles.contains(&role) {
                return Err(PlatformError::AlreadyHeld { account, role });
            }
            Ok(vec![PlatformEvent::RoleGranted(RoleChanged {
                account,
                role,
            })])
        }
        PlatformCommand::RevokeRole { account, role } => {
            if !state.staff {
                return Err(PlatformError::NoSuchStaffAccount { account });
            }
            if !state.roles.contains(&role) {
                return Err(PlatformError::NotHeld { account, role });
            }
            Ok(vec![PlatformEvent::RoleRevoked(RoleChanged {
                account,
                role,
            })])
        }
    }
}

fn create_staff_account(
    state: &AccountState,
    create: CreateStaffAccount,
) -> Result<Vec<PlatformEvent>, PlatformError> {
    if state.staff {
        return Err(PlatformError::AccountExists {
            account: create.account,
        });
    }
    if state.email_taken {
        return Err(PlatformError::EmailTaken {
            email: create.email,
        });
    }
    let name = create.name.trim();
    if name.is_empty() {
        return Err(PlatformError::MissingName);
    }
    let roles: BTreeSet<Role> = create.roles.into_iter().collect();
    let mut events = vec![PlatformEvent::StaffAccountCreated(StaffAccountCreated {
        account: create.account.clone(),
        email: create.email,
        name: name.to_owned(),
    })];
    events.extend(roles.into_iter().map(|role| {
        PlatformEvent::RoleGranted(RoleChanged {
            account: create.account.clone(),
            role,
        })
    }));
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Capability;
    use crate::functions::BusinessFunction;

    fn mara() -> AccountId {
        AccountId::from_random([7; 8])
    }

    fn category_operator() -> Role {
        Role::Function {
            function: BusinessFunction::Category,
            capability: Capability::Operate,
        }
    }

    fn create_mara(roles: Vec<Role>) -> PlatformCommand {
        PlatformCommand::CreateStaffAccount(CreateStaffAccount {
            account: mara(),
            email: Email::parse("mara@fenwick.example").expect("valid email"),
            name: " Mara Fenwick ".into(),
            roles,
        })
    }

    fn given(events: &[PlatformEvent]) -> AccountState {
        AccountState::from_events(events)
    }

    fn created_with(roles: Vec<Role>) -> Vec<PlatformEvent> {
        decide(&given(&[]), create_mara(roles)).expect("created")
    }

    #[test]
    fn a_new_staff_account_is_created_with_its_roles_once_each() {
        let events = created_with(vec![Role::Admin, category_operator(), Role::Admin]);
        assert_eq!(
            events,
            vec![
                PlatformEvent::StaffAccountCreated(StaffAccountCreated {
                    account: mara(),
                    email: Email::parse("mara@fenwick.example").expect("valid email"),
                    name: "Mara Fenwick".into(),
                }),
                PlatformEvent::RoleGranted(RoleChanged {
                    account: mara(),
                    role: Role::Admin
                }),
                PlatformEvent::RoleGranted(RoleChanged {
                    account: mara(),
                    role: category_operator()
                }),
            ]
        );
    }

    #[test]
    fn an_email_that_already_signs_in_is_refused() {
        let state = AccountState {
            email_taken: true,
            ..AccountState::default()
        };
        assert_eq!(
            decide(&state, create_mara(vec![])),
            Err(PlatformError::EmailTaken {
                email: Email::parse("mara@fenwick.example").expect("valid email")
            })
        );
    }

    #[test]
    fn an_existing_account_is_not_created_twice_and_a_blank_name_is_refused() {
        let history = created_with(vec![]);
        assert_eq!(
            decide(&given(&history), create_mara(vec![])),
            Err(PlatformError::AccountExists { account: mara() })
        );
        let blank = PlatformCommand::CreateStaffAccount(CreateStaffAccount {
            name: "   ".into(),
            ..match create_mara(vec![]) {
                PlatformCommand::CreateStaffAccount(create) => create,
                _ => unreachable!("create_mara creates"),
            }
        });
        assert_eq!(decide(&given(&[]), blank), Err(PlatformError::MissingName));
    }

    #[test]
    fn a_role_is_granted_once_and_revoked_only_while_held() {
        let history = created_with(vec![category_operator()]);
        assert_eq!(
            decide(
                &given(&history),
                PlatformCommand::GrantRole {
                    account: mara(),
                    role: category_operator()
                }
            ),
            Err(PlatformError::AlreadyHeld {
                account: mara(),
                role: category_operator()
            })
        );
        let revoked = decide(
            &given(&history),
            PlatformCommand::RevokeRole {
                account: mara(),
                role: category_operator(),
            },
        )
        .expect("revoked");
        let mut after = history.clone();
        after.extend(revoked);
        assert!(given(&after).roles.is_empty());
        assert_eq!(
            decide(
                &given(&after),
                PlatformCommand::RevokeRole {
                    account: mara(),
                    role: category_operator()
                }
            ),
            Err(PlatformError::NotHeld {
                account: mara(),
                role: category_operator()
            })
        );
    }

    #[test]
    fn roles_are_only_granted_to_staff_accounts_that_exist() {
        assert_eq!(
            decide(
                &given(&[]),
                PlatformCommand::GrantRole {
                    account: mara(),
                    role: Role::Admin
                }
            ),
            Err(PlatformError::NoSuchStaffAccount { account: mara() })
        );
    }
}
