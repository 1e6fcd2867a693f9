//! Signing in and out, and the account page: where every tier starts.
//!
//! Built so far: staff sign in with email and password (rate limited per
//! account and per address), see their account and sign out. Not built yet
//! (identity issue): consumer sign-up, dealer users, password change and
//! reset, and each tier's own home (staff land on their account page until
//! the staff pages exist).

#[cfg(feature = "ssr")]
pub mod limits;
mod pages;

pub use pages::{AccountPage, SignInPage};

use crate::error::KilnError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The session key holding the signed-in account's id.
pub const SESSION_ACCOUNT_KEY: &str = "account";

/// What the sign-in form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInForm {
    /// The address typed.
    pub email: String,
    /// The password typed (never logged: this struct is not either).
    pub password: String,
}

/// The signed-in account, as the account page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The holder's name.
    pub name: String,
    /// The sign-in address.
    pub email: String,
    /// The tier: `staff` (consumers and dealers are not built yet).
    pub tier: String,
    /// The roles, e.g. `admin`, `category:operate`.
    pub roles: Vec<String>,
}

/// Signs in with email and password, then sends the browser to the
/// account's home. A wrong address and a wrong password get the same
/// answer. `POST /api/account/sign-in` (form fields `form[email]`,
/// `form[password]`).
#[server(prefix = "/api", endpoint = "account/sign-in")]
pub async fn sign_in(form: SignInForm) -> Result<(), KilnError> {
    use crate::access::{Email, password::Password};
    use crate::functions::platform_manager::{projection, service};
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let session: tower_sessions::Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "the session layer is missing");
        KilnError::Internal
    })?;
    let wrong = || KilnError::Rejected("the email address or the password is wrong".into());
    let Ok(email) = Email::parse(&form.email) else {
        return Err(wrong());
    };
    let address = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|axum::extract::ConnectInfo(address)| address.ip());
    if let Err(too_many) = state.sign_in_limits().attempt(email.as_str(), address) {
        tracing::warn!(?address, "sign-in attempts limited");
        return Err(KilnError::Rejected(too_many.to_string()));
    }
    let Ok(password) = Password::parse(form.password) else {
        return Err(wrong());
    };
    let internal = |error: &dyn std::error::Error| {
        tracing::error!(%error, "signing in failed");
        KilnError::Internal
    };
    let account = match service::check_sign_in(state.store(), &email, password).await {
        Ok(Some(account)) => account,
        Ok(None) => {
            tracing::info!("a sign-in was refused: wrong email address or password");
            return Err(wrong());
        }
        Err(error) => return Err(internal(&error)),
    };
    // Only staff accounts exist so far; any other tier has no home yet.
    if projection::staff_account(state.store(), &account)
        .await
        .map_err(|error| internal(&error))?
        .is_none()
    {
        return Err(wrong());
    }
    // A new session id on sign-in, so an id planted before it is worthless.
    session.cycle_id().await.map_err(|error| internal(&error))?;
    session
        .insert(SESSION_ACCOUNT_KEY, account.as_str())
        .await
        .map_err(|error| internal(&error))?;
    tracing::info!(account = %account, "signed in");
    leptos_axum::redirect("/account");
    Ok(())
}

/// Signs out and sends the browser to the shop. `POST /api/account/sign-out`.
#[server(prefix = "/api", endpoint = "account/sign-out")]
pub async fn sign_out() -> Result<(), KilnError> {
    let session: tower_sessions::Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "the session layer is missing");
        KilnError::Internal
    })?;
    session.flush().await.map_err(|error| {
        tracing::error!(%error, "signing out failed");
        KilnError::Internal
    })?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The signed-in account. `POST /api/account/current`.
#[server(prefix = "/api", endpoint = "account/current")]
pub async fn current_account() -> Result<AccountView, KilnError> {
    use crate::access::Principal;
    use crate::functions::platform_manager::projection;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let axum::Extension(principal): axum::Extension<Principal> =
        leptos_axum::extract().await.map_err(|error| {
            tracing::error!(%error, "the guard did not pass a principal");
            KilnError::Internal
        })?;
    let Principal::Staff { account, .. } = principal else {
        return Err(KilnError::Rejected("sign in first".into()));
    };
    let staff = projection::staff_account(state.store(), &account)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading the account failed");
            KilnError::Internal
        })?
        .ok_or_else(|| KilnError::Rejected("this account no longer exists".into()))?;
    Ok(AccountView {
        name: staff.name,
        email: staff.email.to_string(),
        tier: "staff".into(),
        roles: staff.roles.iter().map(ToString::to_string).collect(),
    })
}
