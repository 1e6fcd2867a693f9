//! The Platform Manager's commands about accounts, roles, API tokens and
//! change requests, and the pure rules that decide them. Three kinds of
//! stream: an account's (`account-<id>`, decided by [`decide`]), an API
//! token's (`api-token-<id>`, decided by [`decide_token`]) and a change
//! request's (`change-request-<id>`, decided by [`decide_change_request`]:
//! raised, triaged by a person, or proposed a triage by the Platform
//! Manager's agent for a person to approve).

use super::events::{
    ApiTokenIssued, ApiTokenRevoked, ChangeRequestId, ChangeRequestRaised,
    ChangeRequestTriageProposed, ChangeRequestTriaged, ConsumerSignedUp, DealerUserCreated,
    PasswordChange, PasswordChanged, PlatformEvent, Role, RoleChanged, StaffAccountCreated,
    TokenHolder, TriageOutcome, TriageStatus, Urgency,
};
use kiln_core::decision::{DecisionId, Proposal, Verdict};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::{AccountId, CompanyId, Email, TokenId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The longest name or label accepted, in characters: room for any real
/// name, and a clear refusal for a pasted page.
pub const MAX_NAME_CHARS: usize = 200;

/// A request about an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlatformCommand {
    /// Create an account for a member of staff, with its first roles (an
    /// administrator).
    CreateStaffAccount(CreateStaffAccount),
    /// Open a shopper's own account (the shopper).
    SignUpConsumer(SignUpConsumer),
    /// Create a login for a user of a dealer company (Customer Management,
    /// on approving the company).
    CreateDealerUser(CreateDealerUser),
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
    /// Record that an account's password was replaced (the service has
    /// already checked the old password or the reset token).
    RecordPasswordChange {
        /// The account.
        account: AccountId,
        /// How.
        how: PasswordChange,
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

/// Input of [`PlatformCommand::SignUpConsumer`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpConsumer {
    /// The new account's id (chosen by the service).
    pub account: AccountId,
    /// The address they will sign in with.
    pub email: Email,
    /// Their name.
    pub name: String,
}

/// Input of [`PlatformCommand::CreateDealerUser`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDealerUser {
    /// The new account's id (chosen by the service).
    pub account: AccountId,
    /// The address they will sign in with.
    pub email: Email,
    /// Their name.
    pub name: String,
    /// Their company.
    pub company: CompanyId,
}

/// The tier of an existing account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountTier {
    /// A member of staff.
    Staff,
    /// A shopper.
    Consumer,
    /// A user of a dealer company.
    Dealer,
}

impl AccountTier {
    /// The tier's name in the `accounts` table.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountTier::Staff => "staff",
            AccountTier::Consumer => "consumer",
            AccountTier::Dealer => "dealer",
        }
    }

    /// The tier named `text` in the `accounts` table, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        [
            AccountTier::Staff,
            AccountTier::Consumer,
            AccountTier::Dealer,
        ]
        .into_iter()
        .find(|tier| tier.as_str() == text)
    }
}

/// What `decide` needs to know about one account, folded from its stream,
/// plus what the service looked up beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountState {
    /// The account's tier, if it exists.
    pub tier: Option<AccountTier>,
    /// The roles it holds now.
    pub roles: BTreeSet<Role>,
    /// Whether another account already signs in with the email of a new
    /// account (looked up in the accounts table).
    pub email_taken: bool,
}

impl AccountState {
    /// Folds an account's past events, oldest first, into its state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a PlatformEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            match event {
                PlatformEvent::StaffAccountCreated(_) => state.tier = Some(AccountTier::Staff),
                PlatformEvent::ConsumerSignedUp(_) => state.tier = Some(AccountTier::Consumer),
                PlatformEvent::DealerUserCreated(_) => state.tier = Some(AccountTier::Dealer),
                PlatformEvent::RoleGranted(change) => {
                    state.roles.insert(change.role);
                }
                PlatformEvent::RoleRevoked(change) => {
                    state.roles.remove(&change.role);
                }
                // Neither changes what the rules look at; tokens have
                // streams of their own.
                PlatformEvent::PasswordChanged(_)
                | PlatformEvent::ApiTokenIssued(_)
                | PlatformEvent::ApiTokenRevoked(_)
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
        state
    }

    fn is_staff(&self) -> bool {
        self.tier == Some(AccountTier::Staff)
    }
}

/// A request about an API token, from an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenCommand {
    /// Issue a new token.
    Issue {
        /// Its id (chosen by the service).
        token: TokenId,
        /// Whom it lets in.
        holder: TokenHolder,
        /// What it is for.
        label: String,
    },
    /// Revoke a token, for good.
    Revoke {
        /// The token.
        token: TokenId,
    },
}

/// What [`decide_token`] needs to know about one token, folded from its
/// stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenState {
    /// Whether it was issued.
    pub issued: bool,
    /// Whether it was revoked.
    pub revoked: bool,
}

impl TokenState {
    /// Folds a token's past events, oldest first, into its state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a PlatformEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            match event {
                PlatformEvent::ApiTokenIssued(_) => state.issued = true,
                PlatformEvent::ApiTokenRevoked(_) => state.revoked = true,
                _ => {}
            }
        }
        state
    }
}

/// Decides an administrator's new autonomy policy for decisions of
/// `kind`, given the policy in force (`AlwaysAsk` when none was set).
pub fn decide_autonomy(
    current: kiln_core::decision::AutonomyPolicy,
    kind: &crate::agents::kinds::DecisionKind,
    policy: kiln_core::decision::AutonomyPolicy,
) -> Result<Vec<PlatformEvent>, PlatformError> {
    use kiln_core::decision::{AutonomyPolicy, MAX_AUTONOMY_LIMIT_BP};
    if kind.high_risk && policy != AutonomyPolicy::AlwaysAsk {
        return Err(PlatformError::HighRiskKind { kind: kind.title });
    }
    if let AutonomyPolicy::CarryOutBelow { limit_bp } = policy
        && !(1..=MAX_AUTONOMY_LIMIT_BP).contains(&limit_bp)
    {
        return Err(PlatformError::AutonomyLimitOutOfRange {
            most: kiln_core::decision::percent_text(MAX_AUTONOMY_LIMIT_BP),
        });
    }
    if policy == current {
        return Err(PlatformError::AutonomyUnchanged {
            kind: kind.title,
            policy: policy.describe(),
        });
    }
    Ok(vec![PlatformEvent::AutonomyPolicySet(
        super::events::AutonomyPolicySet {
            kind: kind.slug.to_owned(),
            function: kind.function,
            policy,
        },
    )])
}

/// A rule that refused a command; shown verbatim to whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    /// A high-risk kind of decision always waits for a person.
    #[error("{kind} is a high-risk kind of decision: it always waits for a person")]
    HighRiskKind {
        /// The kind, as pages name it.
        kind: &'static str,
    },
    /// A limit is a percentage above zero and not beyond the most allowed.
    #[error("give the limit as a percentage above 0 and at most {most}")]
    AutonomyLimitOutOfRange {
        /// The largest limit, e.g. "50 %".
        most: String,
    },
    /// Setting the policy in force changes nothing.
    #[error("the policy for {kind} is already “{policy}”")]
    AutonomyUnchanged {
        /// The kind, as pages name it.
        kind: &'static str,
        /// The policy.
        policy: String,
    },
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
    /// People need a name to recognise an account by.
    #[error("an account needs a name")]
    MissingName,
    /// Names and labels are short.
    #[error("a name or label may have at most {MAX_NAME_CHARS} characters")]
    NameTooLong,
    /// Roles are for existing staff accounts.
    #[error("there is no staff account {account}")]
    NoSuchStaffAccount {
        /// The id asked for.
        account: AccountId,
    },
    /// The account asked for does not exist.
    #[error("there is no account {account}")]
    NoSuchAccount {
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
    /// A token needs a label, or nobody will know which one to revoke.
    #[error("an API token needs a label saying what it is for")]
    MissingLabel,
    /// Token ids are never reused.
    #[error("API token {token} already exists")]
    TokenExists {
        /// The id.
        token: TokenId,
    },
    /// The token asked for does not exist.
    #[error("there is no API token {token}")]
    NoSuchToken {
        /// The id asked for.
        token: TokenId,
    },
    /// Revocation is for good; a second one would record nothing true.
    #[error("API token {token} is already revoked")]
    AlreadyRevoked {
        /// The id.
        token: TokenId,
    },
    /// A change request needs a title saying what should change.
    #[error("a change request needs a title saying what should change")]
    MissingTitle,
    /// A change request needs its impact, or nobody can weigh it.
    #[error("a change request needs its impact: what gets better, or what hurts without it")]
    MissingImpact,
    /// Change requests are read by people; a page of text is not a request.
    #[error("a change request's {what} may have at most {max} characters")]
    TooLong {
        /// Which text.
        what: &'static str,
        /// Its limit.
        max: usize,
    },
    /// Change request ids are never reused.
    #[error("change request {request} already exists")]
    ChangeRequestExists {
        /// The id.
        request: ChangeRequestId,
    },
    /// The change request asked for does not exist.
    #[error("there is no change request {request}")]
    NoSuchChangeRequest {
        /// The id asked for.
        request: ChangeRequestId,
    },
    /// Triage moves forward only, and done or declined is final.
    #[error("change request {request} is {from}; it cannot become {to}")]
    TriageNotAllowed {
        /// The request.
        request: ChangeRequestId,
        /// Where it stands.
        from: TriageStatus,
        /// Where it was asked to go.
        to: TriageStatus,
    },
    /// Only a new request is proposed a triage.
    #[error("change request {request} is {status}; only a new request is proposed a triage")]
    NotNew {
        /// The request.
        request: ChangeRequestId,
        /// Where it stands.
        status: TriageStatus,
    },
    /// A request has one proposal waiting at a time.
    #[error("change request {request} already has proposal {decision} waiting for a person")]
    ProposalWaiting {
        /// The request.
        request: ChangeRequestId,
        /// The proposal waiting.
        decision: DecisionId,
    },
    /// A duplicate is declined in favour of an open request; once that one
    /// is done or declined, a person triages the repeat on its own.
    #[error(
        "change request {original}, which {request} repeats, is {status} now: reject the proposal and triage {request} on its own"
    )]
    OriginalClosed {
        /// The repeat.
        request: ChangeRequestId,
        /// The request it repeats.
        original: ChangeRequestId,
        /// Where that one stands.
        status: TriageStatus,
    },
    /// A request is not a duplicate of itself.
    #[error("change request {request} cannot be a duplicate of itself")]
    DuplicateOfItself {
        /// The request.
        request: ChangeRequestId,
    },
    /// A proposal or verdict broke the rules every decision shares.
    #[error(transparent)]
    Decision(#[from] kiln_core::decision::DecisionError),
}

/// The longest impact statement or triage note, in characters.
pub const MAX_CHANGE_TEXT_CHARS: usize = 2_000;

/// A request about Kiln itself, raised from a function's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaiseChangeRequest {
    /// Its id (chosen by the service).
    pub request: ChangeRequestId,
    /// What should change.
    pub title: String,
    /// The function it concerns.
    pub function: BusinessFunction,
    /// What gets better, or what hurts without it.
    pub impact: String,
    /// How soon.
    pub urgency: Urgency,
}

/// A command about a change request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeRequestCommand {
    /// Raise a new change request.
    Raise(RaiseChangeRequest),
    /// Move a change request along its triage.
    Triage {
        /// The request.
        request: ChangeRequestId,
        /// Where it goes.
        status: TriageStatus,
        /// Why, or when it is scheduled for (may be empty).
        note: String,
    },
    /// Propose how to triage a new request, for a person to approve (the
    /// Platform Manager's agent).
    ProposeTriage {
        /// The request.
        request: ChangeRequestId,
        /// The triage proposed.
        outcome: TriageOutcome,
        /// What every proposal says.
        proposal: Proposal,
    },
    /// A person's verdict on the request's waiting proposal: approving it
    /// triages the request as proposed.
    DecideProposal {
        /// The request.
        request: ChangeRequestId,
        /// The proposal's decision.
        decision: DecisionId,
        /// Approve or reject.
        verdict: Verdict,
        /// What the person says (required to reject).
        comment: String,
    },
}

/// What [`decide_change_request`] needs to know about one request: where
/// it stands, if it exists, and the proposal waiting on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeRequestState {
    /// Its status, or `None` when it was never raised.
    pub status: Option<TriageStatus>,
    /// Its title.
    pub title: String,
    /// The proposal waiting for a person, and what it proposes.
    pub waiting: Option<(DecisionId, TriageOutcome)>,
    /// Proposals people rejected.
    pub rejected: Vec<DecisionId>,
}

impl ChangeRequestState {
    /// Folds a change request's past events, oldest first, into its state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a PlatformEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            match event {
                PlatformEvent::ChangeRequestRaised(raised) => {
                    state.status = Some(TriageStatus::New);
                    state.title = raised.title.clone();
                }
                PlatformEvent::ChangeRequestTriaged(triaged) => {
                    state.status = Some(triaged.status);
                    state.waiting = None;
                }
                PlatformEvent::ChangeRequestTriageProposed(proposed) => {
                    state.waiting =
                        Some((proposed.proposal.decision.clone(), proposed.outcome.clone()));
                }
                PlatformEvent::ChangeRequestProposalRejected(verdict) => {
                    state.waiting = None;
                    state.rejected.push(verdict.decision.clone());
                }
                // The triage approved follows in the same append.
                _ => {}
            }
        }
        state
    }
}

/// Decides a change request command against the request's state.
pub fn decide_change_request(
    state: ChangeRequestState,
    command: ChangeRequestCommand,
) -> Result<Vec<PlatformEvent>, PlatformError> {
    match command {
        ChangeRequestCommand::Raise(raise) => {
            if state.status.is_some() {
                return Err(PlatformError::ChangeRequestExists {
                    request: raise.request,
                });
            }
            let title = raise.title.trim();
            if title.is_empty() {
                return Err(PlatformError::MissingTitle);
            }
            let title = limited(title, "title", MAX_NAME_CHARS)?;
            let impact = raise.impact.trim();
            if impact.is_empty() {
                return Err(PlatformError::MissingImpact);
            }
            let impact = limited(impact, "impact", MAX_CHANGE_TEXT_CHARS)?;
            Ok(vec![PlatformEvent::ChangeRequestRaised(
                ChangeRequestRaised {
                    request: raise.request,
                    title,
                    function: raise.function,
                    impact,
                    urgency: raise.urgency,
                },
            )])
        }
        ChangeRequestCommand::Triage {
            request,
            status,
            note,
        } => {
            let Some(from) = state.status else {
                return Err(PlatformError::NoSuchChangeRequest { request });
            };
            if !from.may_become(status) {
                return Err(PlatformError::TriageNotAllowed {
                    request,
                    from,
                    to: status,
                });
            }
            let note = limited(note.trim(), "note", MAX_CHANGE_TEXT_CHARS)?;
            let mut events = closed_triage_proposal(&state, status);
            events.push(PlatformEvent::ChangeRequestTriaged(ChangeRequestTriaged {
                request,
                status,
                note,
            }));
            Ok(events)
        }
        ChangeRequestCommand::ProposeTriage {
            request,
            outcome,
            proposal,
        } => {
            match state.status {
                None => return Err(PlatformError::NoSuchChangeRequest { request }),
                Some(TriageStatus::New) => {}
                Some(status) => return Err(PlatformError::NotNew { request, status }),
            }
            if let Some((decision, _)) = state.waiting {
                return Err(PlatformError::ProposalWaiting { request, decision });
            }
            if matches!(&outcome, TriageOutcome::Duplicate { of, .. } if *of == request) {
                return Err(PlatformError::DuplicateOfItself { request });
            }
            let proposal =
                kiln_core::decision::checked_proposal(BusinessFunction::PlatformManager, proposal)?;
            Ok(vec![PlatformEvent::ChangeRequestTriageProposed(
                ChangeRequestTriageProposed {
                    proposal,
                    request,
                    title: state.title,
                    outcome,
                },
            )])
        }
        ChangeRequestCommand::DecideProposal {
            request,
            decision,
            verdict,
            comment,
        } => {
            let outcome = match &state.waiting {
                Some((waiting, outcome)) if *waiting == decision => outcome.clone(),
                _ if state.rejected.contains(&decision) => {
                    return Err(kiln_core::decision::DecisionError::AlreadyDecided {
                        decision,
                        status: "rejected",
                    }
                    .into());
                }
                _ => {
                    return Err(
                        kiln_core::decision::DecisionError::NoSuchDecision { decision }.into(),
                    );
                }
            };
            let verdict_given = kiln_core::decision::checked_verdict(verdict, decision, &comment)?;
            match verdict {
                Verdict::Reject => Ok(vec![PlatformEvent::ChangeRequestProposalRejected(
                    verdict_given,
                )]),
                Verdict::Approve => Ok(vec![
                    PlatformEvent::ChangeRequestProposalApproved(verdict_given),
                    PlatformEvent::ChangeRequestTriaged(ChangeRequestTriaged {
                        request,
                        status: outcome.status(),
                        note: outcome.note(),
                    }),
                ]),
            }
        }
    }
}

/// When a person triages a request directly while a proposal waits, the
/// proposal is closed in the same append: approved when the request goes
/// where it proposed, rejected otherwise.
fn closed_triage_proposal(state: &ChangeRequestState, status: TriageStatus) -> Vec<PlatformEvent> {
    let Some((decision, outcome)) = &state.waiting else {
        return Vec::new();
    };
    let as_proposed = outcome.status() == status;
    let verdict = kiln_core::decision::DecisionVerdict {
        decision: decision.clone(),
        comment: if as_proposed {
            "Triaged directly, as proposed.".to_owned()
        } else {
            format!("Triaged directly: {status}.")
        },
    };
    vec![if as_proposed {
        PlatformEvent::ChangeRequestProposalApproved(verdict)
    } else {
        PlatformEvent::ChangeRequestProposalRejected(verdict)
    }]
}

/// `text`, refused when longer than `max` characters.
fn limited(text: &str, what: &'static str, max: usize) -> Result<String, PlatformError> {
    if text.chars().count() > max {
        Err(PlatformError::TooLong { what, max })
    } else {
        Ok(text.to_owned())
    }
}

/// Decides an account command against the account's state.
pub fn decide(
    state: &AccountState,
    command: PlatformCommand,
) -> Result<Vec<PlatformEvent>, PlatformError> {
    match command {
        PlatformCommand::CreateStaffAccount(create) => create_staff_account(state, create),
        PlatformCommand::SignUpConsumer(sign_up) => {
            let name = new_account_name(state, &sign_up.account, &sign_up.email, &sign_up.name)?;
            Ok(vec![PlatformEvent::ConsumerSignedUp(ConsumerSignedUp {
                account: sign_up.account,
                email: sign_up.email,
                name,
            })])
        }
        PlatformCommand::CreateDealerUser(create) => {
            let name = new_account_name(state, &create.account, &create.email, &create.name)?;
            Ok(vec![PlatformEvent::DealerUserCreated(DealerUserCreated {
                account: create.account,
                email: create.email,
                name,
                company: create.company,
            })])
        }
        PlatformCommand::GrantRole { account, role } => {
            if !state.is_staff() {
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
            if !state.is_staff() {
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
        PlatformCommand::RecordPasswordChange { account, how } => {
            if state.tier.is_none() {
                return Err(PlatformError::NoSuchAccount { account });
            }
            Ok(vec![PlatformEvent::PasswordChanged(PasswordChanged {
                account,
                how,
            })])
        }
    }
}

/// The checks every new account passes, whatever its tier; returns the
/// name as it will be kept (trimmed).
fn new_account_name(
    state: &AccountState,
    account: &AccountId,
    email: &Email,
    name: &str,
) -> Result<String, PlatformError> {
    if state.tier.is_some() {
        return Err(PlatformError::AccountExists {
            account: account.clone(),
        });
    }
    if state.email_taken {
        return Err(PlatformError::EmailTaken {
            email: email.clone(),
        });
    }
    short_text(name, PlatformError::MissingName)
}

/// `text` trimmed, refused when blank or longer than [`MAX_NAME_CHARS`].
fn short_text(text: &str, when_blank: PlatformError) -> Result<String, PlatformError> {
    let text = text.trim();
    if text.is_empty() {
        Err(when_blank)
    } else if text.chars().count() > MAX_NAME_CHARS {
        Err(PlatformError::NameTooLong)
    } else {
        Ok(text.to_owned())
    }
}

fn create_staff_account(
    state: &AccountState,
    create: CreateStaffAccount,
) -> Result<Vec<PlatformEvent>, PlatformError> {
    let name = new_account_name(state, &create.account, &create.email, &create.name)?;
    let roles: BTreeSet<Role> = create.roles.into_iter().collect();
    let mut events = vec![PlatformEvent::StaffAccountCreated(StaffAccountCreated {
        account: create.account.clone(),
        email: create.email,
        name,
    })];
    events.extend(roles.into_iter().map(|role| {
        PlatformEvent::RoleGranted(RoleChanged {
            account: create.account.clone(),
            role,
        })
    }));
    Ok(events)
}

/// Decides an API token command against the token's state.
pub fn decide_token(
    state: TokenState,
    command: TokenCommand,
) -> Result<Vec<PlatformEvent>, PlatformError> {
    match command {
        TokenCommand::Issue {
            token,
            holder,
            label,
        } => {
            if state.issued {
                return Err(PlatformError::TokenExists { token });
            }
            let label = short_text(&label, PlatformError::MissingLabel)?;
            Ok(vec![PlatformEvent::ApiTokenIssued(ApiTokenIssued {
                token,
                holder,
                label,
            })])
        }
        TokenCommand::Revoke { token } => {
            if !state.issued {
                return Err(PlatformError::NoSuchToken { token });
            }
            if state.revoked {
                return Err(PlatformError::AlreadyRevoked { token });
            }
            Ok(vec![PlatformEvent::ApiTokenRevoked(ApiTokenRevoked {
                token,
            })])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Capability;
    use kiln_core::function::BusinessFunction;

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

    fn shopper() -> AccountId {
        AccountId::from_random([8; 8])
    }

    fn sign_up_shopper(name: &str) -> PlatformCommand {
        PlatformCommand::SignUpConsumer(SignUpConsumer {
            account: shopper(),
            email: Email::parse("ada@example.com").expect("valid email"),
            name: name.into(),
        })
    }

    #[test]
    fn a_shopper_signs_up_once_with_a_trimmed_name() {
        let events = decide(&given(&[]), sign_up_shopper("  Ada Shopper ")).expect("signed up");
        assert_eq!(
            events,
            vec![PlatformEvent::ConsumerSignedUp(ConsumerSignedUp {
                account: shopper(),
                email: Email::parse("ada@example.com").expect("valid email"),
                name: "Ada Shopper".into(),
            })]
        );
        assert_eq!(given(&events).tier, Some(AccountTier::Consumer));
        assert_eq!(
            decide(&given(&events), sign_up_shopper("Ada")),
            Err(PlatformError::AccountExists { account: shopper() })
        );
    }

    #[test]
    fn a_sign_up_with_a_taken_address_or_an_overlong_name_is_refused() {
        let taken = AccountState {
            email_taken: true,
            ..AccountState::default()
        };
        assert_eq!(
            decide(&taken, sign_up_shopper("Ada")),
            Err(PlatformError::EmailTaken {
                email: Email::parse("ada@example.com").expect("valid email")
            })
        );
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            decide(&given(&[]), sign_up_shopper(&long)),
            Err(PlatformError::NameTooLong)
        );
        assert_eq!(
            decide(&given(&[]), sign_up_shopper(" ")),
            Err(PlatformError::MissingName)
        );
    }

    #[test]
    fn a_consumer_account_is_given_no_staff_role() {
        let history = decide(&given(&[]), sign_up_shopper("Ada")).expect("signed up");
        assert_eq!(
            decide(
                &given(&history),
                PlatformCommand::GrantRole {
                    account: shopper(),
                    role: Role::Admin
                }
            ),
            Err(PlatformError::NoSuchStaffAccount { account: shopper() })
        );
    }

    #[test]
    fn a_password_change_is_recorded_for_an_existing_account_only() {
        let history = decide(&given(&[]), sign_up_shopper("Ada")).expect("signed up");
        let change = |account| PlatformCommand::RecordPasswordChange {
            account,
            how: PasswordChange::Reset,
        };
        assert_eq!(
            decide(&given(&history), change(shopper())),
            Ok(vec![PlatformEvent::PasswordChanged(PasswordChanged {
                account: shopper(),
                how: PasswordChange::Reset
            })])
        );
        assert_eq!(
            decide(&given(&[]), change(mara())),
            Err(PlatformError::NoSuchAccount { account: mara() })
        );
    }

    fn pricing_bot() -> TokenId {
        TokenId::from_random([5; 8])
    }

    fn issue(label: &str) -> TokenCommand {
        TokenCommand::Issue {
            token: pricing_bot(),
            holder: TokenHolder::External {
                function: BusinessFunction::Category,
                scope: crate::access::TokenScope::Read,
            },
            label: label.into(),
        }
    }

    #[test]
    fn a_token_is_issued_with_a_label_and_revoked_once() {
        assert_eq!(
            decide_token(TokenState::default(), issue("  ")),
            Err(PlatformError::MissingLabel)
        );
        let issued = decide_token(TokenState::default(), issue(" pricing bot ")).expect("issued");
        assert_eq!(
            issued,
            vec![PlatformEvent::ApiTokenIssued(ApiTokenIssued {
                token: pricing_bot(),
                holder: TokenHolder::External {
                    function: BusinessFunction::Category,
                    scope: crate::access::TokenScope::Read,
                },
                label: "pricing bot".into(),
            })]
        );
        let state = TokenState::from_events(&issued);
        assert_eq!(
            decide_token(state, issue("again")),
            Err(PlatformError::TokenExists {
                token: pricing_bot()
            })
        );
        let revoke = || TokenCommand::Revoke {
            token: pricing_bot(),
        };
        let revoked = decide_token(state, revoke()).expect("revoked");
        let mut history = issued.clone();
        history.extend(revoked);
        assert_eq!(
            decide_token(TokenState::from_events(&history), revoke()),
            Err(PlatformError::AlreadyRevoked {
                token: pricing_bot()
            })
        );
    }

    #[test]
    fn a_token_that_was_never_issued_cannot_be_revoked() {
        assert_eq!(
            decide_token(
                TokenState::default(),
                TokenCommand::Revoke {
                    token: pricing_bot()
                }
            ),
            Err(PlatformError::NoSuchToken {
                token: pricing_bot()
            })
        );
    }

    mod change_requests {
        use super::super::*;
        use kiln_core::function::BusinessFunction;

        fn request() -> ChangeRequestId {
            ChangeRequestId::from_random([9; 8])
        }

        fn raise(title: &str, impact: &str) -> ChangeRequestCommand {
            ChangeRequestCommand::Raise(RaiseChangeRequest {
                request: request(),
                title: title.into(),
                function: BusinessFunction::Category,
                impact: impact.into(),
                urgency: Urgency::High,
            })
        }

        fn raised() -> PlatformEvent {
            PlatformEvent::ChangeRequestRaised(ChangeRequestRaised {
                request: request(),
                title: "Show margin per product".into(),
                function: BusinessFunction::Category,
                impact: "Pricing decisions need it".into(),
                urgency: Urgency::High,
            })
        }

        fn triaged(status: TriageStatus) -> PlatformEvent {
            PlatformEvent::ChangeRequestTriaged(ChangeRequestTriaged {
                request: request(),
                status,
                note: String::new(),
            })
        }

        fn triage(status: TriageStatus, note: &str) -> ChangeRequestCommand {
            ChangeRequestCommand::Triage {
                request: request(),
                status,
                note: note.into(),
            }
        }

        fn given(events: &[PlatformEvent]) -> ChangeRequestState {
            ChangeRequestState::from_events(events)
        }

        #[test]
        fn a_new_request_is_raised_with_its_texts_trimmed() {
            assert_eq!(
                decide_change_request(
                    given(&[]),
                    raise("  Show margin per product ", " Pricing decisions need it ")
                ),
                Ok(vec![raised()])
            );
        }

        #[test]
        fn a_request_without_title_or_impact_or_with_a_page_of_text_is_refused() {
            assert_eq!(
                decide_change_request(given(&[]), raise("  ", "x")),
                Err(PlatformError::MissingTitle)
            );
            assert_eq!(
                decide_change_request(given(&[]), raise("x", "")),
                Err(PlatformError::MissingImpact)
            );
            assert_eq!(
                decide_change_request(given(&[]), raise(&"t".repeat(201), "x")),
                Err(PlatformError::TooLong {
                    what: "title",
                    max: MAX_NAME_CHARS
                })
            );
            assert_eq!(
                decide_change_request(given(&[]), raise("x", &"i".repeat(1_000_000))),
                Err(PlatformError::TooLong {
                    what: "impact",
                    max: MAX_CHANGE_TEXT_CHARS
                })
            );
        }

        #[test]
        fn a_request_id_is_never_raised_twice() {
            assert_eq!(
                decide_change_request(given(&[raised()]), raise("again", "x")),
                Err(PlatformError::ChangeRequestExists { request: request() })
            );
        }

        #[test]
        fn triage_moves_a_request_forward_with_its_note() {
            let then = PlatformEvent::ChangeRequestTriaged(ChangeRequestTriaged {
                request: request(),
                status: TriageStatus::Scheduled,
                note: "phase 3".into(),
            });
            assert_eq!(
                decide_change_request(
                    given(&[raised(), triaged(TriageStatus::Accepted)]),
                    triage(TriageStatus::Scheduled, " phase 3 ")
                ),
                Ok(vec![then])
            );
        }

        #[test]
        fn triage_never_moves_back_nor_past_done_or_declined() {
            for (history, to) in [
                (
                    vec![raised(), triaged(TriageStatus::Scheduled)],
                    TriageStatus::Accepted,
                ),
                (
                    vec![raised(), triaged(TriageStatus::Done)],
                    TriageStatus::Declined,
                ),
                (
                    vec![raised(), triaged(TriageStatus::Declined)],
                    TriageStatus::Accepted,
                ),
                (vec![raised()], TriageStatus::New),
            ] {
                let from = given(&history).status.expect("raised");
                assert_eq!(
                    decide_change_request(given(&history), triage(to, "")),
                    Err(PlatformError::TriageNotAllowed {
                        request: request(),
                        from,
                        to
                    })
                );
            }
        }

        fn decision() -> DecisionId {
            DecisionId::from_random([9; 8])
        }

        fn propose(outcome: TriageOutcome) -> ChangeRequestCommand {
            ChangeRequestCommand::ProposeTriage {
                request: request(),
                outcome,
                proposal: Proposal {
                    decision: decision(),
                    summary: "Accept at priority high".into(),
                    reasoning: "High urgency; pricing decisions wait on it.".into(),
                    agents_involved: vec![],
                    data_considered: vec![],
                    risk: kiln_core::decision::Risk::Low,
                },
            }
        }

        fn high() -> TriageOutcome {
            TriageOutcome::Accept {
                priority: Urgency::High,
            }
        }

        fn proposed() -> Vec<PlatformEvent> {
            let mut history = vec![raised()];
            history
                .extend(decide_change_request(given(&history), propose(high())).expect("proposed"));
            history
        }

        #[test]
        fn a_triage_proposed_on_a_new_request_waits_with_its_title() {
            let history = proposed();
            let Some(PlatformEvent::ChangeRequestTriageProposed(proposed)) = history.last() else {
                panic!("no proposal in {history:?}");
            };
            assert_eq!(proposed.title, "Show margin per product");
            assert_eq!(proposed.outcome, high());
            assert_eq!(
                proposed.proposal.agents_involved,
                vec![BusinessFunction::PlatformManager]
            );
        }

        #[test]
        fn a_triage_is_proposed_only_on_a_new_request_once_and_never_as_a_duplicate_of_itself() {
            assert_eq!(
                decide_change_request(given(&proposed()), propose(high())),
                Err(PlatformError::ProposalWaiting {
                    request: request(),
                    decision: decision()
                })
            );
            assert_eq!(
                decide_change_request(
                    given(&[raised(), triaged(TriageStatus::Accepted)]),
                    propose(high())
                ),
                Err(PlatformError::NotNew {
                    request: request(),
                    status: TriageStatus::Accepted
                })
            );
            assert_eq!(
                decide_change_request(
                    given(&[raised()]),
                    propose(TriageOutcome::Duplicate {
                        of: request(),
                        title: "Show margin per product".into()
                    })
                ),
                Err(PlatformError::DuplicateOfItself { request: request() })
            );
        }

        #[test]
        fn approving_the_proposal_triages_the_request_as_proposed_in_the_same_append() {
            let approve = ChangeRequestCommand::DecideProposal {
                request: request(),
                decision: decision(),
                verdict: Verdict::Approve,
                comment: String::new(),
            };
            assert_eq!(
                decide_change_request(given(&proposed()), approve),
                Ok(vec![
                    PlatformEvent::ChangeRequestProposalApproved(
                        kiln_core::decision::DecisionVerdict {
                            decision: decision(),
                            comment: String::new(),
                        }
                    ),
                    PlatformEvent::ChangeRequestTriaged(ChangeRequestTriaged {
                        request: request(),
                        status: TriageStatus::Accepted,
                        note: "Priority high".into(),
                    }),
                ])
            );
        }

        #[test]
        fn a_rejected_proposal_leaves_the_request_new_and_cannot_be_approved_after() {
            let mut history = proposed();
            let reject = |comment: &str| ChangeRequestCommand::DecideProposal {
                request: request(),
                decision: decision(),
                verdict: Verdict::Reject,
                comment: comment.into(),
            };
            assert_eq!(
                decide_change_request(given(&history), reject("")),
                Err(PlatformError::Decision(
                    kiln_core::decision::DecisionError::MissingRejectionReason
                ))
            );
            history.extend(
                decide_change_request(given(&history), reject("Not this season"))
                    .expect("rejected"),
            );
            let state = given(&history);
            assert_eq!(state.status, Some(TriageStatus::New));
            assert_eq!(state.waiting, None);
            assert_eq!(
                decide_change_request(given(&history), reject("again")),
                Err(PlatformError::Decision(
                    kiln_core::decision::DecisionError::AlreadyDecided {
                        decision: decision(),
                        status: "rejected"
                    }
                ))
            );
        }

        #[test]
        fn triaging_directly_closes_the_waiting_proposal() {
            let events = decide_change_request(
                given(&proposed()),
                triage(TriageStatus::Declined, "Not for us"),
            )
            .expect("declined");
            assert!(matches!(
                events.first(),
                Some(PlatformEvent::ChangeRequestProposalRejected(verdict))
                    if verdict.comment == "Triaged directly: declined."
            ));
            let events =
                decide_change_request(given(&proposed()), triage(TriageStatus::Accepted, ""))
                    .expect("accepted");
            assert!(matches!(
                events.first(),
                Some(PlatformEvent::ChangeRequestProposalApproved(_))
            ));
        }

        #[test]
        fn an_unknown_request_cannot_be_triaged() {
            assert_eq!(
                decide_change_request(given(&[]), triage(TriageStatus::Accepted, "")),
                Err(PlatformError::NoSuchChangeRequest { request: request() })
            );
        }
    }

    mod autonomy {
        use super::super::*;
        use crate::agents::kinds::{BASE_PRICE, DecisionKind};
        use kiln_core::decision::AutonomyPolicy;

        const BELOW_FIVE: AutonomyPolicy = AutonomyPolicy::CarryOutBelow { limit_bp: 500 };

        #[test]
        fn an_administrator_sets_a_kinds_policy_once_per_change() {
            assert_eq!(
                decide_autonomy(AutonomyPolicy::AlwaysAsk, &BASE_PRICE, BELOW_FIVE),
                Ok(vec![PlatformEvent::AutonomyPolicySet(
                    super::super::super::events::AutonomyPolicySet {
                        kind: "base-price".into(),
                        function: BusinessFunction::Category,
                        policy: BELOW_FIVE,
                    }
                )])
            );
            assert_eq!(
                decide_autonomy(BELOW_FIVE, &BASE_PRICE, BELOW_FIVE)
                    .expect_err("unchanged")
                    .to_string(),
                "the policy for Base price change is already “carry out below 5 %”"
            );
            assert!(decide_autonomy(BELOW_FIVE, &BASE_PRICE, AutonomyPolicy::AlwaysAsk).is_ok());
        }

        #[test]
        fn a_limit_must_be_above_zero_and_at_most_half() {
            for limit_bp in [0, 5_001] {
                assert_eq!(
                    decide_autonomy(
                        AutonomyPolicy::AlwaysAsk,
                        &BASE_PRICE,
                        AutonomyPolicy::CarryOutBelow { limit_bp }
                    ),
                    Err(PlatformError::AutonomyLimitOutOfRange {
                        most: "50 %".into()
                    })
                );
            }
        }

        #[test]
        fn a_high_risk_kind_is_never_carried_out_without_a_person() {
            let risky = DecisionKind {
                high_risk: true,
                ..BASE_PRICE
            };
            for policy in [BELOW_FIVE, AutonomyPolicy::CarryOut] {
                assert_eq!(
                    decide_autonomy(AutonomyPolicy::AlwaysAsk, &risky, policy),
                    Err(PlatformError::HighRiskKind {
                        kind: "Base price change"
                    })
                );
            }
        }
    }
}
