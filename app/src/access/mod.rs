//! Who may do what: the principals that make requests, the permissions
//! routes and server functions require, and the one rule that decides
//! between them ([`authorize`]).
//!
//! This module is pure: it knows nothing of cookies, tokens or databases.
//! The server works out the [`Principal`] of a request (from its session
//! or bearer token) and looks the route up in [`table`]; the guard then
//! calls [`authorize`] before any work is done.
//!
//! Every principal is built: the server's guard finds staff, consumers and
//! dealers from their session, and agents (a function's own, or external)
//! from their API token. Agents running inside Kiln do not exist yet.

pub use kiln_core::identity;
#[cfg(feature = "ssr")]
pub mod password;
pub mod route;
#[cfg(feature = "ssr")]
pub mod secret;
pub mod table;

pub use identity::{
    AccountId, CompanyId, Email, InvalidAccountId, InvalidCompanyId, InvalidEmail, InvalidTokenId,
    TokenId,
};

use kiln_core::function::BusinessFunction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// What a staff member may do in one business function. Each level
/// includes the ones before it: whoever may approve may also operate and
/// view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Read the function's page and data.
    View,
    /// Submit the function's commands (and, for agents, proposals).
    Operate,
    /// Approve or reject decisions proposed in the function.
    Approve,
}

impl Capability {
    /// The capability's name as grants and messages show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::View => "view",
            Capability::Operate => "operate",
            Capability::Approve => "approve",
        }
    }
}

/// One staff grant: a capability in a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The function.
    pub function: BusinessFunction,
    /// What the grant allows in it.
    pub capability: Capability,
}

/// What a staff member has been granted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffGrants {
    /// Per-function grants.
    pub grants: BTreeSet<Grant>,
    /// Administrators manage accounts, grants and tokens, and may do
    /// everything a grant allows in every function.
    pub admin: bool,
}

impl StaffGrants {
    /// Whether these grants allow `capability` in `function`.
    pub fn allow(&self, function: BusinessFunction, capability: Capability) -> bool {
        self.admin
            || self
                .grants
                .iter()
                .any(|grant| grant.function == function && grant.capability >= capability)
    }

    /// Where a staff member lands after signing in: the first function
    /// these grants let its holder view, in the order of
    /// [`BusinessFunction::ALL`], preferring one whose page is built
    /// (`built` says which are: the access rules are below the functions
    /// and do not know them).
    pub fn first_function(
        &self,
        built: impl Fn(BusinessFunction) -> bool,
    ) -> Option<BusinessFunction> {
        let viewable = || {
            BusinessFunction::ALL
                .into_iter()
                .filter(|function| self.allow(*function, Capability::View))
        };
        viewable()
            .find(|function| built(*function))
            .or_else(|| viewable().next())
    }
}

/// What an external agent's API token lets it do, always within the one
/// function it is scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Read the function's data.
    Read,
    /// Read, and submit commands and proposals as the function.
    Propose,
}

impl TokenScope {
    /// The scope's name: `read` or `propose`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Propose => "propose",
        }
    }

    /// The scope named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        [TokenScope::Read, TokenScope::Propose]
            .into_iter()
            .find(|scope| scope.as_str() == text)
    }
}

/// The address a request came from: the connection's, or behind a trusted
/// proxy the one the proxy says it forwarded for (worked out by the
/// server, `server/src/client_address.rs`). The per-address sign-in
/// limits count by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// Nobody has signed in.
    Anonymous,
    /// A shopper with an account.
    Consumer {
        /// Their account.
        account: AccountId,
    },
    /// A user of a dealer company's account.
    Dealer {
        /// Their own login.
        account: AccountId,
        /// The company whose prices, orders, invoices and materials they see.
        company: CompanyId,
    },
    /// A member of staff.
    Staff {
        /// Their account.
        account: AccountId,
        /// What they may do.
        grants: StaffGrants,
    },
    /// A business function's own agent (`agent:<function>`).
    Agent {
        /// The function it acts for.
        function: BusinessFunction,
    },
    /// An external agent holding an API token.
    Token {
        /// The token.
        token: TokenId,
        /// The one function it is scoped to.
        function: BusinessFunction,
        /// Read, or read and propose.
        scope: TokenScope,
    },
}

impl Principal {
    /// Who this principal is in the metadata of the events it causes: a
    /// person as `user:<account>`, a function's agent as `agent:<function>`,
    /// a token as `integration:<token>`. Shoppers, dealers and nobody act
    /// on the business's own data only through their own pages, so they
    /// have none here.
    pub fn actor(&self) -> Option<kiln_core::event::Actor> {
        use kiln_core::event::Actor;
        match self {
            Principal::Staff { account, .. } => Some(Actor::user(account)),
            Principal::Agent { function } => Some(Actor::agent(*function)),
            Principal::Token { token, .. } => Some(Actor::integration(token)),
            Principal::Anonymous | Principal::Consumer { .. } | Principal::Dealer { .. } => None,
        }
    }

    /// The function this principal acts for as an agent: a function's own
    /// agent, or a token allowed to propose (as its function). People and
    /// read-only tokens act for none.
    pub fn agent_function(&self) -> Option<BusinessFunction> {
        match self {
            Principal::Agent { function }
            | Principal::Token {
                function,
                scope: TokenScope::Propose,
                ..
            } => Some(*function),
            _ => None,
        }
    }
}

/// What a route or server function requires of whoever calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requirement {
    /// Anyone, signed in or not (the storefront, sign-in).
    Public,
    /// Any signed-in person (their own account page, sign-out).
    SignedIn,
    /// A dealer user; the service then reads only the dealer's own company.
    Dealer,
    /// A capability in a business function.
    Function {
        /// The function.
        function: BusinessFunction,
        /// The capability.
        capability: Capability,
    },
    /// An administrator.
    Admin,
    /// Whoever works in the business: a member of staff, a function's
    /// agent, or an API token (the staff console's index).
    StaffOrAgent,
    /// An agent that may act: a function's own agent, or an API token with
    /// `propose` scope (agents messaging each other).
    Agent,
}

impl Requirement {
    /// Viewing `function`.
    pub const fn view(function: BusinessFunction) -> Self {
        Requirement::Function {
            function,
            capability: Capability::View,
        }
    }

    /// Operating `function`.
    pub const fn operate(function: BusinessFunction) -> Self {
        Requirement::Function {
            function,
            capability: Capability::Operate,
        }
    }

    /// Approving in `function`.
    pub const fn approve(function: BusinessFunction) -> Self {
        Requirement::Function {
            function,
            capability: Capability::Approve,
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Public => write!(f, "nothing"),
            Requirement::SignedIn => write!(f, "a signed-in account"),
            Requirement::StaffOrAgent => write!(f, "a staff account or an agent"),
            Requirement::Agent => write!(f, "an agent, or an API token that may propose"),
            Requirement::Dealer => write!(f, "a dealer account"),
            Requirement::Function {
                function,
                capability,
            } => write!(
                f,
                "the {} permission in {}",
                capability.as_str(),
                function.slug()
            ),
            Requirement::Admin => write!(f, "an administrator"),
        }
    }
}

/// Why a request was refused. 401 for [`Denial::NotSignedIn`], 403 for
/// [`Denial::Forbidden`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Denial {
    /// The request needs someone signed in, and nobody is.
    #[error("sign in first: this needs {required}")]
    NotSignedIn {
        /// What was required.
        required: Requirement,
    },
    /// Whoever is signed in may not do this.
    #[error("not allowed: this needs {required}, and {reason}")]
    Forbidden {
        /// What was required.
        required: Requirement,
        /// Why the principal does not meet it, in words.
        reason: String,
    },
}

/// Decides whether `principal` meets `required`. The only authorisation
/// rule in Kiln; every route and server function goes through it.
///
/// - People: consumers and dealers meet only their own requirements;
///   staff meet a function requirement with a grant of at least that
///   capability (administrators meet every requirement).
/// - A function's own agent may view every function (agents read all
///   data), operate only its own function, and never approve: people
///   approve.
/// - An API token meets only requirements of its one function: viewing,
///   and operating when its scope is `propose`.
pub fn authorize(principal: &Principal, required: Requirement) -> Result<(), Denial> {
    let forbidden = |reason: String| Err(Denial::Forbidden { required, reason });
    match (principal, required) {
        (_, Requirement::Public) => Ok(()),
        (Principal::Anonymous, _) => Err(Denial::NotSignedIn { required }),

        (
            Principal::Consumer { .. } | Principal::Dealer { .. } | Principal::Staff { .. },
            Requirement::SignedIn,
        ) => Ok(()),
        (Principal::Agent { .. } | Principal::Token { .. }, Requirement::SignedIn) => {
            forbidden("agents have no personal account".into())
        }

        (
            Principal::Staff { .. } | Principal::Agent { .. } | Principal::Token { .. },
            Requirement::StaffOrAgent,
        ) => Ok(()),
        (_, Requirement::StaffOrAgent) => {
            forbidden("only staff and agents use the staff console".into())
        }

        (Principal::Token { .. }, Requirement::Agent) if principal.agent_function().is_none() => {
            forbidden("this token may only read".into())
        }
        (_, Requirement::Agent) if principal.agent_function().is_none() => forbidden(
            "agents message each other; people read their conversations on the function pages"
                .into(),
        ),
        (_, Requirement::Agent) => Ok(()),

        (Principal::Dealer { .. }, Requirement::Dealer) => Ok(()),
        (_, Requirement::Dealer) => forbidden("only dealer accounts use the dealer portal".into()),

        (Principal::Staff { grants, .. }, Requirement::Admin) if grants.admin => Ok(()),
        (_, Requirement::Admin) => forbidden("only administrators may do this".into()),

        (
            Principal::Staff { grants, .. },
            Requirement::Function {
                function,
                capability,
            },
        ) => {
            if grants.allow(function, capability) {
                Ok(())
            } else {
                forbidden(format!(
                    "this account has no {} grant in {}",
                    capability.as_str(),
                    function.slug()
                ))
            }
        }
        (
            Principal::Agent { function: own },
            Requirement::Function {
                function,
                capability,
            },
        ) => match capability {
            Capability::View => Ok(()),
            Capability::Operate if *own == function => Ok(()),
            Capability::Operate => forbidden(format!(
                "agent:{} may only act as its own function",
                own.slug()
            )),
            Capability::Approve => forbidden("agents propose; people approve".into()),
        },
        (
            Principal::Token {
                function: own,
                scope,
                ..
            },
            Requirement::Function {
                function,
                capability,
            },
        ) => {
            if *own != function {
                return forbidden(format!("this token is scoped to {}", own.slug()));
            }
            match (capability, scope) {
                (Capability::View, _) | (Capability::Operate, TokenScope::Propose) => Ok(()),
                (Capability::Operate, TokenScope::Read) => {
                    forbidden("this token may only read".into())
                }
                (Capability::Approve, _) => forbidden("agents propose; people approve".into()),
            }
        }
        (Principal::Consumer { .. } | Principal::Dealer { .. }, Requirement::Function { .. }) => {
            forbidden("business functions are for staff".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BusinessFunction::{Category, Procurement};

    fn staff(grants: &[(BusinessFunction, Capability)], admin: bool) -> Principal {
        Principal::Staff {
            account: AccountId::from_random([1; 8]),
            grants: StaffGrants {
                grants: grants
                    .iter()
                    .map(|&(function, capability)| Grant {
                        function,
                        capability,
                    })
                    .collect(),
                admin,
            },
        }
    }

    fn consumer() -> Principal {
        Principal::Consumer {
            account: AccountId::from_random([2; 8]),
        }
    }

    fn dealer() -> Principal {
        Principal::Dealer {
            account: AccountId::from_random([3; 8]),
            company: CompanyId::from_random([6; 8]),
        }
    }

    fn token(scope: TokenScope) -> Principal {
        Principal::Token {
            token: TokenId::from_random([4; 8]),
            function: Category,
            scope,
        }
    }

    #[test]
    fn anyone_may_use_a_public_route_and_nobody_signed_in_gets_not_signed_in_elsewhere() {
        assert_eq!(
            authorize(&Principal::Anonymous, Requirement::Public),
            Ok(())
        );
        for required in [
            Requirement::SignedIn,
            Requirement::Dealer,
            Requirement::view(Category),
            Requirement::Admin,
            Requirement::StaffOrAgent,
        ] {
            assert_eq!(
                authorize(&Principal::Anonymous, required),
                Err(Denial::NotSignedIn { required })
            );
        }
    }

    #[test]
    fn the_staff_console_index_is_for_staff_and_agents_but_not_for_customers() {
        let agent = Principal::Agent {
            function: Procurement,
        };
        for principal in [staff(&[], false), agent, token(TokenScope::Read)] {
            assert_eq!(authorize(&principal, Requirement::StaffOrAgent), Ok(()));
        }
        for principal in [consumer(), dealer()] {
            assert!(matches!(
                authorize(&principal, Requirement::StaffOrAgent),
                Err(Denial::Forbidden { .. })
            ));
        }
    }

    #[test]
    fn only_agents_and_tokens_that_may_propose_act_as_agents() {
        let agent = Principal::Agent {
            function: Procurement,
        };
        for principal in [agent, token(TokenScope::Propose)] {
            assert_eq!(authorize(&principal, Requirement::Agent), Ok(()));
        }
        for (principal, reason) in [
            (token(TokenScope::Read), "this token may only read"),
            (staff(&[], true), "agents message each other"),
            (consumer(), "agents message each other"),
        ] {
            match authorize(&principal, Requirement::Agent) {
                Err(Denial::Forbidden { reason: given, .. }) => {
                    assert!(given.starts_with(reason), "{given}");
                }
                other => panic!("{principal:?} was not forbidden: {other:?}"),
            }
        }
    }

    #[test]
    fn a_grant_includes_the_lower_capabilities_of_its_function_only() {
        let approver = staff(&[(Category, Capability::Approve)], false);
        for capability in [Capability::View, Capability::Operate, Capability::Approve] {
            assert!(
                authorize(
                    &approver,
                    Requirement::Function {
                        function: Category,
                        capability
                    }
                )
                .is_ok()
            );
        }
        assert!(authorize(&approver, Requirement::view(Procurement)).is_err());

        let viewer = staff(&[(Category, Capability::View)], false);
        let refused = authorize(&viewer, Requirement::operate(Category)).expect_err("refused");
        assert_eq!(
            refused.to_string(),
            "not allowed: this needs the operate permission in category, and this account has no operate grant in category"
        );
    }

    #[test]
    fn an_administrator_meets_every_requirement() {
        let admin = staff(&[], true);
        for required in [
            Requirement::SignedIn,
            Requirement::view(Procurement),
            Requirement::approve(Category),
            Requirement::Admin,
        ] {
            assert_eq!(authorize(&admin, required), Ok(()), "{required}");
        }
        assert!(authorize(&admin, Requirement::Dealer).is_err());
    }

    #[test]
    fn consumers_and_dealers_never_reach_a_business_function() {
        for person in [consumer(), dealer()] {
            assert!(authorize(&person, Requirement::SignedIn).is_ok());
            assert!(authorize(&person, Requirement::view(Category)).is_err());
            assert!(authorize(&person, Requirement::Admin).is_err());
        }
        assert!(authorize(&dealer(), Requirement::Dealer).is_ok());
        assert!(authorize(&consumer(), Requirement::Dealer).is_err());
    }

    #[test]
    fn an_agent_reads_every_function_acts_only_as_its_own_and_never_approves() {
        let agent = Principal::Agent {
            function: Procurement,
        };
        assert!(authorize(&agent, Requirement::view(Category)).is_ok());
        assert!(authorize(&agent, Requirement::operate(Procurement)).is_ok());
        assert!(authorize(&agent, Requirement::operate(Category)).is_err());
        assert!(authorize(&agent, Requirement::approve(Procurement)).is_err());
        assert!(authorize(&agent, Requirement::Admin).is_err());
        assert!(authorize(&agent, Requirement::SignedIn).is_err());
    }

    #[test]
    fn a_token_stays_inside_its_function_and_its_scope() {
        let reader = token(TokenScope::Read);
        let proposer = token(TokenScope::Propose);
        assert!(authorize(&reader, Requirement::view(Category)).is_ok());
        assert!(authorize(&reader, Requirement::operate(Category)).is_err());
        assert!(authorize(&proposer, Requirement::operate(Category)).is_ok());
        assert!(authorize(&proposer, Requirement::approve(Category)).is_err());
        assert!(authorize(&proposer, Requirement::view(Procurement)).is_err());
    }

    /// The functions these tests treat as built: the first ones Kiln built.
    fn built(function: BusinessFunction) -> bool {
        matches!(
            function,
            BusinessFunction::Overview | BusinessFunction::Category | BusinessFunction::Customers
        )
    }

    #[test]
    fn a_staff_member_lands_on_the_first_function_they_may_view() {
        let grants = StaffGrants {
            grants: [Grant {
                function: Procurement,
                capability: Capability::Operate,
            }]
            .into_iter()
            .collect(),
            admin: false,
        };
        assert_eq!(grants.first_function(built), Some(Procurement));
        assert_eq!(StaffGrants::default().first_function(built), None);
    }

    #[test]
    fn a_staff_member_lands_on_a_built_page_before_one_that_is_not_built_yet() {
        // Procurement comes first in the briefing but is not built yet.
        let potter = staff(
            &[
                (Procurement, Capability::View),
                (Category, Capability::Operate),
            ],
            false,
        );
        let Principal::Staff { grants, .. } = potter else {
            unreachable!("staff() makes staff")
        };
        assert_eq!(grants.first_function(built), Some(Category));
        let administrator = StaffGrants {
            admin: true,
            ..StaffGrants::default()
        };
        assert_eq!(
            administrator.first_function(built),
            Some(BusinessFunction::Overview)
        );
    }
}
