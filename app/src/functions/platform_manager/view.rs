//! What the Platform Manager's API-token endpoints take and answer; the
//! same structs will serve its page.

use serde::{Deserialize, Serialize};

/// An API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    /// Its id, e.g. `tok-5d02c4e9a17f3b80`.
    pub token: String,
    /// Whom it lets in: `agent:<function>` or `<function>:<read|propose>`.
    pub holder: String,
    /// What it is for.
    pub label: String,
    /// Whether it has been revoked.
    pub revoked: bool,
}

/// A request to issue an API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueTokenRequest {
    /// `agent:<function>` for a function's own agent, or
    /// `<function>:<read|propose>` for an external agent.
    pub holder: String,
    /// What it is for, e.g. "pricing bot".
    pub label: String,
}

/// A token just issued: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    /// Its id.
    pub token: String,
    /// Whom it lets in.
    pub holder: String,
    /// The secret to send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// A request to revoke an API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeTokenRequest {
    /// The token's id.
    pub token: String,
}

/// What the Platform Manager's role form sends: grant or revoke a role
/// of the staff member who signs in with `email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChangeForm {
    /// The staff member's sign-in address.
    pub email: String,
    /// `admin` or `<function>:<capability>`, e.g. `category:operate`.
    pub role: String,
    /// `grant` or `revoke`.
    pub change: String,
}

/// What the "raise a change request" form on every function page sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequestForm {
    /// The slug of the page's function.
    pub function: String,
    /// What should change.
    pub title: String,
    /// What gets better, or what hurts without it.
    pub impact: String,
    /// `low`, `normal`, `high` or `critical`.
    pub urgency: String,
}

/// What the Platform Manager's autonomy form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutonomyForm {
    /// The decision kind's slug, e.g. `base-price`.
    pub kind: String,
    /// `always_ask`, `carry_out_below` or `carry_out`.
    pub policy: String,
    /// For `carry_out_below`: the limit, a percentage as typed.
    #[serde(default)]
    pub limit_percent: String,
}

/// What the Platform Manager's triage form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageForm {
    /// The change request's id.
    pub request: String,
    /// `accepted`, `scheduled`, `done` or `declined`.
    pub status: String,
    /// Why, or when it is scheduled for.
    pub note: String,
}

/// What an agent sends to message another function's agent
/// (`POST /api/agents/messages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentMessageForm {
    /// The slug of the function whose agent it is for, e.g. `promotions`.
    pub to: String,
    /// What it says.
    pub text: String,
    /// The conversation it replies in (`conv-…`), or empty to start one.
    #[serde(default)]
    pub conversation: String,
    /// The decision it is about (`dec-…`), or empty.
    #[serde(default)]
    pub about: String,
    /// Its step in the protocol: `note` (or empty), `ask`, `answer`,
    /// `agree`, `disagree` or `escalate`.
    #[serde(default)]
    pub intent: String,
}

/// What a person's reply in an agent conversation sends, from the
/// conversation on a function's page
/// (`POST /api/agents/conversations/reply`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationReplyForm {
    /// The conversation written in, e.g. `conv-3f9c2a71d04e8b65`.
    pub conversation: String,
    /// The slug of the function whose people write (the page it is
    /// written from), e.g. `category`.
    pub function: String,
    /// What they say.
    pub text: String,
}

/// What sending a message answers: where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessage {
    /// The conversation (new, or the one replied in).
    pub conversation: kiln_core::conversation::ConversationId,
    /// The message's id.
    pub message: kiln_core::conversation::MessageId,
}
