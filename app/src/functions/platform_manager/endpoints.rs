//! The Platform Manager's server functions: API tokens for agents and
//! staff roles (only administrators reach them, see
//! `crate::access::table`), and change
//! requests, raised from any function's page and triaged on the Platform
//! Manager's.

use super::view::{
    ApiTokenView, ChangeRequestForm, IssueTokenRequest, IssuedToken, RevokeTokenRequest,
    RoleChangeForm, TriageForm,
};
use crate::error::KilnError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The administrator making the request, as the actor of its events.
#[cfg(feature = "ssr")]
async fn acting_administrator() -> Result<kiln_core::event::Actor, KilnError> {
    crate::caller::acting_person("only administrators manage API tokens and roles").await
}

#[cfg(feature = "ssr")]
fn to_kiln_error(error: super::service::AccountServiceError) -> KilnError {
    if error.is_refusal() {
        KilnError::Rejected(error.to_string())
    } else {
        tracing::error!(%error, "an API token request failed");
        KilnError::Internal
    }
}

/// Every API token ever issued, oldest first.
/// `POST /api/platform-manager/tokens`.
#[server(prefix = "/api", endpoint = "platform-manager/tokens")]
pub async fn api_tokens() -> Result<Vec<ApiTokenView>, KilnError> {
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let tokens = super::projection::api_tokens(state.store())
        .await
        .map_err(|error| to_kiln_error(error.into()))?;
    Ok(tokens
        .into_iter()
        .map(|token| ApiTokenView {
            token: token.token.to_string(),
            holder: token.holder.to_string(),
            label: token.label,
            revoked: token.revoked,
        })
        .collect())
}

/// Issues an API token and shows its secret, once.
/// `POST /api/platform-manager/tokens/issue` with
/// `{"request": {"holder": "category:read", "label": "pricing bot"}}`.
#[server(prefix = "/api", endpoint = "platform-manager/tokens/issue", input = Json)]
pub async fn issue_api_token(request: IssueTokenRequest) -> Result<IssuedToken, KilnError> {
    use super::events::TokenHolder;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let actor = acting_administrator().await?;
    let holder = TokenHolder::parse(request.holder.trim())
        .map_err(|error| KilnError::Rejected(error.to_string()))?;
    let (token, secret) =
        super::service::issue_api_token(state.store(), actor, holder, request.label)
            .await
            .map_err(to_kiln_error)?;
    tracing::info!(token = %token, holder = %holder, "an API token was issued");
    Ok(IssuedToken {
        token: token.to_string(),
        holder: holder.to_string(),
        secret: secret.reveal().to_owned(),
    })
}

/// Revokes an API token; it stops working at once.
/// `POST /api/platform-manager/tokens/revoke` with
/// `{"request": {"token": "tok-5d02c4e9a17f3b80"}}`.
#[server(prefix = "/api", endpoint = "platform-manager/tokens/revoke", input = Json)]
pub async fn revoke_api_token(request: RevokeTokenRequest) -> Result<(), KilnError> {
    use crate::state::AppState;
    use kiln_core::identity::TokenId;

    let state = AppState::from_context()?;
    let actor = acting_administrator().await?;
    let token = TokenId::parse(request.token.trim())
        .map_err(|error| KilnError::Rejected(error.to_string()))?;
    super::service::revoke_api_token(state.store(), actor, token.clone())
        .await
        .map_err(to_kiln_error)?;
    tracing::info!(token = %token, "an API token was revoked");
    Ok(())
}

/// The same revocation from the Platform Manager's page (administrators
/// only; works without JavaScript), then back to the page with
/// `?token_revoked=1`. `POST /api/platform-manager/tokens/revoke-form`
/// (form field `request[token]`).
#[server(prefix = "/api", endpoint = "platform-manager/tokens/revoke-form")]
pub async fn revoke_api_token_form(request: RevokeTokenRequest) -> Result<(), KilnError> {
    revoke_api_token(request).await?;
    leptos_axum::redirect("/staff/platform-manager?token_revoked=1");
    Ok(())
}

/// Grants or revokes a staff member's role (administrators only), then
/// sends the browser back to the Platform Manager's page with
/// `?role_changed=1`. `POST /api/platform-manager/roles/change` (form
/// fields `form[email]`, `form[role]`, `form[change]`: `grant` or
/// `revoke`).
#[server(prefix = "/api", endpoint = "platform-manager/roles/change")]
pub async fn change_role(form: RoleChangeForm) -> Result<(), KilnError> {
    use super::events::Role;
    use super::{projection, service};
    use crate::state::AppState;
    use kiln_core::identity::Email;

    let state = AppState::from_context()?;
    let actor = acting_administrator().await?;
    let email =
        Email::parse(form.email.trim()).map_err(|error| KilnError::Rejected(error.to_string()))?;
    let role =
        Role::parse(form.role.trim()).map_err(|error| KilnError::Rejected(error.to_string()))?;
    let account = projection::account_by_email(state.store(), &email)
        .await
        .map_err(|error| to_kiln_error(error.into()))?
        .ok_or_else(|| KilnError::Rejected(format!("no account signs in with {email}")))?;
    let granted = match form.change.trim() {
        "grant" => true,
        "revoke" => false,
        _ => return Err(KilnError::Rejected("the change is grant or revoke".into())),
    };
    // Only an administrator changes roles, so the last one could only lock
    // everyone out by revoking their own: refusing that keeps one always.
    if !granted && role == Role::Admin && actor == kiln_core::event::Actor::user(&account) {
        return Err(KilnError::Rejected(
            "you cannot take away your own admin role; another administrator can".into(),
        ));
    }
    if granted {
        service::grant_role(state.store(), actor, account.clone(), role).await
    } else {
        service::revoke_role(state.store(), actor, account.clone(), role).await
    }
    .map_err(to_kiln_error)?;
    tracing::info!(%account, %role, granted, "a role changed");
    leptos_axum::redirect(&format!(
        "{}?role_changed=1",
        kiln_core::function::BusinessFunction::PlatformManager.page_url()
    ));
    Ok(())
}

/// Raises a change request from a function's page, then sends the browser
/// back to that page with `?raised=1`.
/// `POST /api/platform-manager/change-requests/raise` (form fields
/// `form[function]`, `form[title]`, `form[impact]`, `form[urgency]`).
#[server(prefix = "/api", endpoint = "platform-manager/change-requests/raise")]
pub async fn raise_change_request(form: ChangeRequestForm) -> Result<(), KilnError> {
    use super::events::Urgency;
    use super::service::{self, NewChangeRequest};
    use crate::state::AppState;
    use kiln_core::function::BusinessFunction;

    let state = AppState::from_context()?;
    let (_, actor) =
        crate::caller::acting_principal("change requests come from staff and agents").await?;
    let function = BusinessFunction::from_slug(form.function.trim()).ok_or_else(|| {
        KilnError::Rejected(format!(
            "there is no business function called “{}”",
            form.function.chars().take(60).collect::<String>()
        ))
    })?;
    let urgency = Urgency::from_name(form.urgency.trim()).ok_or_else(|| {
        KilnError::Rejected("urgency is one of low, normal, high or critical".into())
    })?;
    let request = service::raise_change_request(
        state.store(),
        actor,
        NewChangeRequest {
            title: form.title,
            function,
            impact: form.impact,
            urgency,
        },
    )
    .await
    .map_err(to_kiln_error)?;
    tracing::info!(%request, function = function.slug(), "a change request was raised");
    leptos_axum::redirect(&format!("{}?raised=1", function.page_url()));
    Ok(())
}

/// Moves a change request along its triage (people only: agents propose),
/// then sends the browser to the Platform Manager's page with
/// `?triaged=1`. `POST /api/platform-manager/change-requests/triage` (form
/// fields `form[request]`, `form[status]`, `form[note]`).
#[server(prefix = "/api", endpoint = "platform-manager/change-requests/triage")]
pub async fn triage_change_request(form: TriageForm) -> Result<(), KilnError> {
    use super::events::{ChangeRequestId, TriageStatus};
    use crate::access::Principal;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let (principal, actor) =
        crate::caller::acting_principal("change requests come from staff and agents").await?;
    if !matches!(principal, Principal::Staff { .. }) {
        return Err(KilnError::Rejected(
            "people triage change requests; agents propose".into(),
        ));
    }
    let request = ChangeRequestId::parse(form.request.trim())
        .map_err(|error| KilnError::Rejected(error.to_string()))?;
    let status = TriageStatus::from_name(form.status.trim()).ok_or_else(|| {
        KilnError::Rejected("the status is one of accepted, scheduled, done or declined".into())
    })?;
    super::service::triage_change_request(state.store(), actor, request.clone(), status, form.note)
        .await
        .map_err(to_kiln_error)?;
    tracing::info!(%request, %status, "a change request was triaged");
    leptos_axum::redirect("/staff/platform-manager?triaged=1");
    Ok(())
}

/// A person's verdict on the Platform Manager's agent's proposal to triage
/// a change request (from the decision card on the Platform Manager's
/// page): approving it triages the request as proposed; then back to the
/// page with `?decision=approved`, `rejected`, or `held`.
/// `POST /api/platform-manager/proposals/decide` (form fields
/// `form[decision]`, `form[verdict]`, `form[comment]`).
#[server(prefix = "/api", endpoint = "platform-manager/proposals/decide")]
pub async fn decide_triage_proposal(
    form: crate::functions::view::DecisionVerdictForm,
) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = crate::caller::acting_person("people decide on proposals; agents propose").await?;
    let (verdict, appended) = super::service::decide_triage_proposal(state.store(), actor, form)
        .await
        .map_err(|error| {
            if error.is_refusal() {
                KilnError::Rejected(error.to_string())
            } else {
                tracing::error!(%error, "a verdict on a triage proposal failed");
                KilnError::Internal
            }
        })?;
    let outcome = match verdict {
        _ if appended.is_held() => "held",
        kiln_core::decision::Verdict::Approve => "approved",
        kiln_core::decision::Verdict::Reject => "rejected",
    };
    leptos_axum::redirect(&format!("/staff/platform-manager?decision={outcome}"));
    Ok(())
}

/// Sends a message from the calling agent to another function's agent,
/// starting a conversation or replying in one; answers where it went.
/// Only agents send: a function's own agent, or a token with `propose`
/// scope (as its function). `POST /api/agents/messages` (form fields
/// `form[to]`, `form[text]`, `form[conversation]`, `form[about]`).
#[server(prefix = "/api", endpoint = "agents/messages")]
pub async fn send_agent_message(
    form: super::view::AgentMessageForm,
) -> Result<super::view::SentMessage, KilnError> {
    use crate::state::AppState;

    let state = AppState::from_context()?;
    // The route table lets only agents through (`Requirement::Agent`).
    let principal = crate::caller::principal().await?;
    let (Some(from), Some(actor)) = (principal.agent_function(), principal.actor()) else {
        return Err(KilnError::Rejected(
            "agents message each other; people read their conversations on the function pages"
                .into(),
        ));
    };
    let sent = super::service::send_agent_message(state.store(), actor, from, form)
        .await
        .map_err(|error| {
            if error.is_refusal() {
                KilnError::Rejected(error.to_string())
            } else {
                tracing::error!(%error, "sending an agent message failed");
                KilnError::Internal
            }
        })?;
    tracing::info!(conversation = %sent.conversation, from = from.slug(), "an agent sent a message");
    Ok(sent)
}

/// A person writes in an agent conversation their function takes part in,
/// from the conversation on the function's page (people who operate that
/// function only); then back to the page at the conversation.
/// `POST /api/agents/conversations/reply` (form fields
/// `form[conversation]`, `form[function]`, `form[text]`).
#[server(prefix = "/api", endpoint = "agents/conversations/reply")]
pub async fn reply_in_conversation(
    form: super::view::ConversationReplyForm,
) -> Result<(), KilnError> {
    use crate::access::{Capability, Principal};
    use crate::state::AppState;
    use kiln_core::function::BusinessFunction;

    let state = AppState::from_context()?;
    let (principal, actor) = crate::caller::acting_principal(
        "people write in conversations from the function pages; agents message through /api/agents/messages",
    )
    .await?;
    let function = BusinessFunction::from_slug(form.function.trim()).ok_or_else(|| {
        KilnError::Rejected(format!(
            "“{}” is not a business function",
            form.function.trim().chars().take(40).collect::<String>()
        ))
    })?;
    let Principal::Staff { grants, .. } = &principal else {
        return Err(KilnError::Rejected(
            "people write in conversations; agents message through /api/agents/messages".into(),
        ));
    };
    if !grants.allow(function, Capability::Operate) {
        return Err(KilnError::Rejected(format!(
            "writing in {}'s conversations needs {}:operate",
            function.title(),
            function.slug()
        )));
    }
    let sent = super::service::reply_as_person(state.store(), actor, function, form)
        .await
        .map_err(|error| {
            if error.is_refusal() {
                KilnError::Rejected(error.to_string())
            } else {
                tracing::error!(%error, "a person's reply in a conversation failed");
                KilnError::Internal
            }
        })?;
    leptos_axum::redirect(&format!(
        "{}?replied=1#{}",
        function.page_url(),
        sent.conversation
    ));
    Ok(())
}

/// Sets how far agents may go on their own with one kind of decision;
/// then back to the page with `?changed=autonomy`. Administrators only.
/// `POST /api/platform-manager/autonomy` (form fields `form[kind]`,
/// `form[policy]` (`always_ask`, `carry_out_below`, `carry_out`),
/// `form[limit_percent]`).
#[server(prefix = "/api", endpoint = "platform-manager/autonomy")]
pub async fn set_autonomy_policy(form: super::view::AutonomyForm) -> Result<(), KilnError> {
    use super::service::AutonomyServiceError;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let actor = crate::caller::acting_person("only administrators set autonomy policies").await?;
    super::service::set_autonomy_policy(state.store(), actor, form)
        .await
        .map_err(|error| match error {
            AutonomyServiceError::Store(error) => {
                tracing::error!(%error, "setting an autonomy policy failed");
                KilnError::Internal
            }
            refused => KilnError::Rejected(refused.to_string()),
        })?;
    leptos_axum::redirect("/staff/platform-manager?changed=autonomy");
    Ok(())
}
