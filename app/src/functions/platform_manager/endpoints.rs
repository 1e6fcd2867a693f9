//! The Platform Manager's server functions: API tokens for agents. Only
//! administrators reach them (see `crate::access::table`); the page that
//! will call them is the function-pages issue's.

use super::view::{ApiTokenView, IssueTokenRequest, IssuedToken, RevokeTokenRequest};
use crate::error::KilnError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The administrator making the request, as the actor of its events.
#[cfg(feature = "ssr")]
async fn acting_administrator() -> Result<crate::event::Actor, KilnError> {
    use crate::access::Principal;
    let axum::Extension(principal): axum::Extension<Principal> =
        leptos_axum::extract().await.map_err(|error| {
            tracing::error!(%error, "the guard did not pass a principal");
            KilnError::Internal
        })?;
    match principal {
        Principal::Staff { account, .. } => Ok(crate::event::Actor::user(&account)),
        _ => Err(KilnError::Rejected(
            "only administrators manage API tokens".into(),
        )),
    }
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
    use crate::access::TokenId;
    use crate::state::AppState;

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
