//! What the Platform Manager records in the event log: who may use Kiln
//! (accounts of every tier, the roles granted to staff, the API tokens
//! agents use) and how Kiln itself should change (change requests raised
//! from any function's page, and their triage).
//!
//! Secrets are never events: the log is kept forever and cannot forget
//! one. Password hashes live in the credentials table and token hashes in
//! the token secrets table (see
//! docs/decisions/0005-accounts-and-credentials.md); the log records only
//! that a password changed or a token was issued.

use crate::access::{Capability, Grant, TokenScope};
use kiln_core::event::StreamId;
use kiln_core::function::BusinessFunction;
use kiln_core::identity::{AccountId, CompanyId, Email, TokenId};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use super::triage::{
    ChangeRequestId, InvalidChangeRequestId, TriageOutcome, TriageStatus, Urgency,
};

/// Every event the Platform Manager posts. The variant name is the event's
/// stable type name in the log; its fields are the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data")]
pub enum PlatformEvent {
    /// An administrator created an account for a member of staff. It has no
    /// role until one is granted.
    StaffAccountCreated(StaffAccountCreated),
    /// A staff account was given a role.
    RoleGranted(RoleChanged),
    /// A role was taken away from a staff account.
    RoleRevoked(RoleChanged),
    /// A shopper signed up for an account of their own.
    ConsumerSignedUp(ConsumerSignedUp),
    /// A login was created for a user of a dealer company (its first user
    /// when Customer Management approves the company's application). It
    /// has no password until its holder chooses one with the link sent to
    /// them.
    DealerUserCreated(DealerUserCreated),
    /// An account's password was changed by its holder or reset by a
    /// token sent to its address. The password itself is not recorded.
    PasswordChanged(PasswordChanged),
    /// An administrator issued an API token to an agent.
    ApiTokenIssued(ApiTokenIssued),
    /// An administrator revoked an API token; it no longer works.
    ApiTokenRevoked(ApiTokenRevoked),
    /// Someone asked, from a function's page, for Kiln itself to change:
    /// what, for which function, with what impact and how urgently. The
    /// event's actor is who raised it.
    ChangeRequestRaised(ChangeRequestRaised),
    /// The Platform Manager moved a change request along its triage
    /// (accepted, scheduled, done or declined), with a note saying why.
    ChangeRequestTriaged(ChangeRequestTriaged),
    /// One function's agent messaged another's, in a conversation of
    /// their own (`conversation-<id>`), before proposing or to ask. The
    /// Platform Manager keeps the agent network, so it records every
    /// message; the event's actor is the agent that sent it.
    AgentMessageSent(kiln_core::conversation::AgentMessage),
    /// A function's agent took a step: what woke it, what it read, which
    /// brain thought, what it chose to do and what that cost. Recorded on
    /// `agent-<function>` before any of its actions is carried out; the
    /// event's actor is the agent (see `crate::agents`).
    AgentStepTaken(crate::agents::step::AgentStep),
    /// An administrator set how far agents may go on their own with one
    /// kind of decision (on stream `autonomy-policies`). Until a kind has
    /// one, every decision of it waits for a person.
    AutonomyPolicySet(AutonomyPolicySet),
    /// A guard of the agent runtime refused what an agent tried (e.g. a
    /// message past a conversation's hop limit, or one it had already
    /// sent), whatever its brain said; the conversation went to people.
    /// Recorded on `guards-<function>`; the event's actor is the agent.
    GuardFired(GuardFired),
    /// An agent (the Platform Manager's) proposed how to triage a new
    /// change request: accept it at a priority, or decline it as a
    /// duplicate of an open one. Nothing changes yet: the proposal waits on
    /// the Platform Manager's page for a person who may approve
    /// (`platform-manager:approve`). A request has at most one proposal
    /// waiting.
    ChangeRequestTriageProposed(ChangeRequestTriageProposed),
    /// A person approved the proposal on this change request's stream. The
    /// triage it proposed is recorded in the same append, right after it
    /// (`ChangeRequestTriaged`), with the decision's id in the metadata of
    /// both. Also recorded, before the triage, when a person triages the
    /// request directly as the proposal said (that append's metadata names
    /// no decision).
    ChangeRequestProposalApproved(kiln_core::decision::DecisionVerdict),
    /// A person rejected the proposal on this change request's stream,
    /// saying why; the request stays new. Also recorded when a person
    /// triages it directly otherwise than the proposal said.
    ChangeRequestProposalRejected(kiln_core::decision::DecisionVerdict),
}

/// Payload of [`PlatformEvent::ChangeRequestTriageProposed`]: what every
/// proposal says, and the triage proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ChangeRequestTriageProposed {
    /// The decision, as every proposal describes it.
    #[serde(flatten)]
    pub proposal: kiln_core::decision::Proposal,
    /// The change request.
    pub request: ChangeRequestId,
    /// Its title (for the card).
    pub title: String,
    /// The triage proposed.
    pub outcome: TriageOutcome,
}

/// Payload of [`PlatformEvent::GuardFired`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct GuardFired {
    /// The function whose agent was held back.
    pub agent: BusinessFunction,
    /// Which guard.
    pub guard: kiln_core::conversation::Guard,
    /// The conversation it happened in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<kiln_core::conversation::ConversationId>,
    /// What was refused and why, in a sentence.
    pub refused: String,
    /// The key of the refused action (its step's key and its index): a
    /// guard fires once per action, however often the step is resumed.
    pub action: String,
}

impl GuardFired {
    /// The stream of `agent`'s guard firings.
    pub fn stream(agent: BusinessFunction) -> StreamId {
        StreamId::new(format!("guards-{}", agent.slug()))
    }
}

/// The stream every autonomy policy is set on.
pub fn autonomy_stream() -> StreamId {
    StreamId::new("autonomy-policies")
}

/// Payload of [`PlatformEvent::AutonomyPolicySet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AutonomyPolicySet {
    /// The decision kind's slug (`crate::agents::kinds`), e.g. `base-price`.
    pub kind: String,
    /// The function its decisions belong to.
    pub function: BusinessFunction,
    /// The policy from now on.
    pub policy: kiln_core::decision::AutonomyPolicy,
}

/// Payload of [`PlatformEvent::ChangeRequestRaised`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ChangeRequestRaised {
    /// Its id.
    pub request: ChangeRequestId,
    /// What should change, in a line.
    pub title: String,
    /// The function whose page it was raised from, and which it concerns.
    pub function: BusinessFunction,
    /// What the change would make better, or what hurts without it.
    pub impact: String,
    /// How soon it is needed.
    pub urgency: Urgency,
}

/// Payload of [`PlatformEvent::ChangeRequestTriaged`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ChangeRequestTriaged {
    /// The request.
    pub request: ChangeRequestId,
    /// Where it stands now.
    pub status: TriageStatus,
    /// Why, or when it is scheduled for.
    pub note: String,
}

/// Payload of [`PlatformEvent::ConsumerSignedUp`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ConsumerSignedUp {
    /// The new account's id.
    pub account: AccountId,
    /// The address they sign in with.
    pub email: Email,
    /// The name they gave.
    pub name: String,
}

/// Payload of [`PlatformEvent::DealerUserCreated`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DealerUserCreated {
    /// The new account's id.
    pub account: AccountId,
    /// The address they sign in with.
    pub email: Email,
    /// Their name.
    pub name: String,
    /// The dealer company whose data they see.
    pub company: CompanyId,
}

/// Payload of [`PlatformEvent::PasswordChanged`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PasswordChanged {
    /// The account.
    pub account: AccountId,
    /// How it was changed.
    pub how: PasswordChange,
}

/// How a password came to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PasswordChange {
    /// The holder, signed in, gave the old password and a new one.
    Changed,
    /// Someone holding a reset token sent to the account's address set a
    /// new one.
    Reset,
}

/// Payload of [`PlatformEvent::ApiTokenIssued`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ApiTokenIssued {
    /// The token's id (not its secret).
    pub token: TokenId,
    /// Whom it lets in, and to do what.
    pub holder: TokenHolder,
    /// What it is for, in the administrator's words, e.g. "pricing bot".
    pub label: String,
}

/// Payload of [`PlatformEvent::ApiTokenRevoked`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ApiTokenRevoked {
    /// The token.
    pub token: TokenId,
}

/// Whom an API token lets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenHolder {
    /// A business function's own agent (`agent:<function>`): reads every
    /// function, acts only as its own, never approves.
    Agent {
        /// The function it acts for.
        function: BusinessFunction,
    },
    /// An external agent, kept inside one function and one scope.
    External {
        /// The one function it may use.
        function: BusinessFunction,
        /// Read, or read and propose.
        scope: TokenScope,
    },
}

impl TokenHolder {
    /// Parses `agent:<function>` or `<function>:<read|propose>`.
    pub fn parse(text: &str) -> Result<Self, InvalidTokenHolder> {
        let invalid = || InvalidTokenHolder {
            text: text.to_owned(),
        };
        let (first, second) = text.split_once(':').ok_or_else(invalid)?;
        if first == "agent" {
            let function = BusinessFunction::from_slug(second).ok_or_else(invalid)?;
            return Ok(TokenHolder::Agent { function });
        }
        Ok(TokenHolder::External {
            function: BusinessFunction::from_slug(first).ok_or_else(invalid)?,
            scope: TokenScope::from_name(second).ok_or_else(invalid)?,
        })
    }

    /// The principal a request bearing a token of this holder acts as.
    pub fn principal(self, token: TokenId) -> crate::access::Principal {
        match self {
            TokenHolder::Agent { function } => crate::access::Principal::Agent { function },
            TokenHolder::External { function, scope } => crate::access::Principal::Token {
                token,
                function,
                scope,
            },
        }
    }
}

impl fmt::Display for TokenHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenHolder::Agent { function } => write!(f, "agent:{}", function.slug()),
            TokenHolder::External { function, scope } => {
                write!(f, "{}:{}", function.slug(), scope.as_str())
            }
        }
    }
}

/// Why a text names no [`TokenHolder`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{text}” is not a token holder: use agent:<function> or <function>:<read|propose>, e.g. category:read"
)]
pub struct InvalidTokenHolder {
    /// The text offered.
    pub text: String,
}

/// Payload of [`PlatformEvent::StaffAccountCreated`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct StaffAccountCreated {
    /// The new account's id.
    pub account: AccountId,
    /// The address the person signs in with.
    pub email: Email,
    /// The name colleagues know them by.
    pub name: String,
}

/// Payload of [`PlatformEvent::RoleGranted`] and [`PlatformEvent::RoleRevoked`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RoleChanged {
    /// The staff account.
    pub account: AccountId,
    /// The role given or taken.
    pub role: Role,
}

/// A role a staff account can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Role {
    /// Administration: accounts, roles and tokens, and everything in every
    /// function.
    Admin,
    /// A capability in one business function.
    Function {
        /// The function.
        function: BusinessFunction,
        /// view, operate or approve.
        capability: Capability,
    },
}

impl Role {
    /// The grant this role gives, or `None` for [`Role::Admin`].
    pub fn grant(self) -> Option<Grant> {
        match self {
            Role::Admin => None,
            Role::Function {
                function,
                capability,
            } => Some(Grant {
                function,
                capability,
            }),
        }
    }

    /// Parses `admin` or `<function>:<capability>`, e.g. `category:operate`.
    pub fn parse(text: &str) -> Result<Self, InvalidRole> {
        // The message names the text, cut short: it may travel back in a
        // redirect's address.
        let invalid = || InvalidRole {
            text: crate::error::quoted(text),
        };
        if text == "admin" {
            return Ok(Role::Admin);
        }
        let (function, capability) = text.split_once(':').ok_or_else(invalid)?;
        let function = BusinessFunction::from_slug(function).ok_or_else(invalid)?;
        let capability = match capability {
            "view" => Capability::View,
            "operate" => Capability::Operate,
            "approve" => Capability::Approve,
            _ => return Err(invalid()),
        };
        Ok(Role::Function {
            function,
            capability,
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Admin => f.write_str("admin"),
            Role::Function {
                function,
                capability,
            } => write!(f, "{}:{}", function.slug(), capability.as_str()),
        }
    }
}

/// Why a text names no [`Role`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{text}” is not a role: use admin or <function>:<view|operate|approve>, e.g. category:operate"
)]
pub struct InvalidRole {
    /// The text offered.
    pub text: String,
}

kiln_core::event::tagged_events!(
    PlatformEvent,
    PlatformManager,
    schema 1,
    [
        StaffAccountCreated,
        RoleGranted,
        RoleRevoked,
        ConsumerSignedUp,
        DealerUserCreated,
        PasswordChanged,
        ApiTokenIssued,
        ApiTokenRevoked,
        ChangeRequestRaised,
        ChangeRequestTriaged,
        AgentMessageSent,
        AgentStepTaken,
        AutonomyPolicySet,
        GuardFired,
        ChangeRequestTriageProposed,
        ChangeRequestProposalApproved,
        ChangeRequestProposalRejected,
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_and_print_as_the_same_text() {
        for text in [
            "admin",
            "category:view",
            "procurement:operate",
            "accounts-receivable:approve",
        ] {
            let role = Role::parse(text).expect("valid role");
            assert_eq!(role.to_string(), text);
        }
        let refused = Role::parse("category:own").expect_err("refused");
        assert_eq!(
            refused.to_string(),
            "“category:own” is not a role: use admin or <function>:<view|operate|approve>, e.g. category:operate"
        );
        assert!(Role::parse("sales:view").is_err());
    }

    #[test]
    fn token_holders_parse_from_and_print_as_the_same_text() {
        for text in ["agent:procurement", "category:read", "customers:propose"] {
            let holder = TokenHolder::parse(text).expect("valid holder");
            assert_eq!(holder.to_string(), text);
        }
        for text in ["agent:sales", "category:approve", "category", "agent:"] {
            assert!(TokenHolder::parse(text).is_err(), "{text}");
        }
    }
}
