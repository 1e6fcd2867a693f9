//! Who is making the request being served, as the server functions and
//! pages that need to know ask it: the session, the principal the guard
//! found, the actor of the events the request causes, and the client's
//! address. Below the functions and the console, which all ask here.

use crate::access::{ClientAddress, Principal};
use crate::error::KilnError;
use kiln_core::event::Actor;

/// The session of the request being served.
pub(crate) async fn session() -> Result<tower_sessions::Session, KilnError> {
    leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "the session layer is missing");
        KilnError::Internal
    })
}

/// Who the guard found making the request being served (every server
/// function and page that needs to know asks here).
pub(crate) async fn principal() -> Result<Principal, KilnError> {
    let axum::Extension(principal) = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "the guard did not pass a principal");
        KilnError::Internal
    })?;
    Ok(principal)
}

/// Who is making the request being served, and who that is in the
/// metadata of the events it causes (see
/// [`Principal::actor`]).
/// Shoppers, dealers and nobody are refused with `refusal`, which says who
/// may.
pub(crate) async fn acting_principal(refusal: &str) -> Result<(Principal, Actor), KilnError> {
    let principal = principal().await?;
    let actor = principal
        .actor()
        .ok_or_else(|| KilnError::Rejected(refusal.to_owned()))?;
    Ok((principal, actor))
}

/// The person (a staff member) making the request being served, as the
/// actor of the events it causes. Everyone else, agents and tokens
/// included, is refused with `refusal`, which says who may: the commands
/// that call this are people's, and agents propose instead.
pub(crate) async fn acting_person(refusal: &str) -> Result<Actor, KilnError> {
    match principal().await? {
        Principal::Staff { account, .. } => Ok(Actor::user(&account)),
        _ => Err(KilnError::Rejected(refusal.to_owned())),
    }
}

/// The caller's address, for the per-address limits: what the server put
/// in the request ([`ClientAddress`]).
pub(crate) async fn caller_address() -> Option<std::net::IpAddr> {
    leptos_axum::extract::<axum::Extension<ClientAddress>>()
        .await
        .ok()
        .map(|axum::Extension(ClientAddress(address))| address)
}
