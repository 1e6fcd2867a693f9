//! Signing up, in and out, the account page, and passwords: where every
//! tier starts.
//!
//! Built: shoppers sign up themselves; staff accounts are made by an
//! administrator, dealer users by Customer Management's onboarding; anyone
//! signs in with email and password (rate limited per account and per
//! address) and lands on its tier's home; a signed-in person changes their
//! password; anyone asks for a reset link (it waits in the outbox until an
//! email integration exists) and sets a new password with it. Staff land on
//! their first function page (`crate::staff`).

#[cfg(feature = "ssr")]
pub mod limits;
mod pages;

pub use pages::{AccountPage, ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage};

#[cfg(feature = "ssr")]
use crate::caller::{caller_address, principal, session};
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

/// What the sign-up form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpForm {
    /// Their name.
    pub name: String,
    /// The address they will sign in with.
    pub email: String,
    /// The password they chose.
    pub password: String,
}

/// What the password change form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChangeForm {
    /// The password now.
    pub current: String,
    /// The password wanted.
    pub new: String,
}

/// What the "forgot your password" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetRequestForm {
    /// The address of the account.
    pub email: String,
}

/// What the reset form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetForm {
    /// The token from the reset link.
    pub token: String,
    /// The new password.
    pub password: String,
}

/// The signed-in account, as the account page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The holder's name.
    pub name: String,
    /// The sign-in address.
    pub email: String,
    /// The tier: `staff` or `consumer`.
    pub tier: String,
    /// The roles, e.g. `admin`, `category:operate` (none for consumers).
    pub roles: Vec<String>,
}

/// Where a person lands after signing in: shoppers on the storefront,
/// dealers on their portal, staff on their first function page (their
/// account page when they may view no function yet).
#[cfg(feature = "ssr")]
fn home_of(principal: &crate::access::Principal) -> String {
    use crate::access::Principal;
    match principal {
        Principal::Consumer { .. } => "/".to_owned(),
        Principal::Dealer { .. } => "/portal".to_owned(),
        Principal::Staff { grants, .. } => grants
            .first_function(crate::functions::page_built)
            .map_or_else(|| "/account".to_owned(), |function| function.page_url()),
        _ => "/account".to_owned(),
    }
}

/// Logs a fault of the server and gives the caller the plain message.
#[cfg(feature = "ssr")]
fn internal(doing: &str, error: &dyn std::error::Error) -> KilnError {
    tracing::error!(%error, "{doing} failed");
    KilnError::Internal
}

/// Starts a session for `account` (a new session id, so one planted before
/// is worthless) and sends the browser to its home.
#[cfg(feature = "ssr")]
async fn start_session(
    state: &crate::state::AppState,
    account: &kiln_core::identity::AccountId,
) -> Result<(), KilnError> {
    use crate::functions::platform_manager::projection;

    let signed_in = projection::account(state.store(), account)
        .await
        .map_err(|error| internal("reading the account", &error))?
        .ok_or(KilnError::Internal)?;
    let session = session().await?;
    session
        .cycle_id()
        .await
        .map_err(|error| internal("starting a session", &error))?;
    session
        .insert(SESSION_ACCOUNT_KEY, account.as_str())
        .await
        .map_err(|error| internal("starting a session", &error))?;
    tracing::info!(account = %account, "signed in");
    leptos_axum::redirect(&home_of(&signed_in.principal()));
    Ok(())
}

/// Signs in with email and password, then sends the browser to the
/// account's home. A wrong address and a wrong password get the same
/// answer. `POST /api/account/sign-in` (form fields `form[email]`,
/// `form[password]`).
#[server(prefix = "/api", endpoint = "account/sign-in")]
pub async fn sign_in(form: SignInForm) -> Result<(), KilnError> {
    use crate::access::password::Password;
    use crate::functions::platform_manager::service;
    use crate::state::AppState;
    use crate::store::access_log::{self, AccessKind};
    use kiln_core::identity::Email;

    let state = AppState::from_context()?;
    let address = caller_address().await;
    let typed = form.email.clone();
    let checked = async {
        let wrong = || KilnError::Rejected("the email address or the password is wrong".into());
        let Ok(email) = Email::parse(&form.email) else {
            return Err(wrong());
        };
        if let Err(too_many) = state.sign_in_limits().attempt(email.as_str(), address) {
            tracing::warn!(?address, "sign-in attempts limited");
            return Err(KilnError::Rejected(too_many.to_string()));
        }
        let Ok(password) = Password::parse(form.password) else {
            return Err(wrong());
        };
        match service::check_sign_in(state.store(), &email, password).await {
            Ok(Some(account)) => Ok(account),
            Ok(None) => {
                tracing::info!("a sign-in was refused: wrong email address or password");
                Err(wrong())
            }
            Err(error) => Err(internal("signing in", &error)),
        }
    }
    .await;
    // Administrators see every sign-in, and every refused one with the
    // address that was typed (never the password).
    let (kind, who, detail) = match &checked {
        Ok(account) => (AccessKind::SignIn, account.to_string(), String::new()),
        Err(refusal) => (AccessKind::SignInRefused, typed, refusal.to_string()),
    };
    if let Err(error) = access_log::record(state.store(), kind, &who, address, &detail).await {
        tracing::warn!(%error, "a sign-in could not be recorded in the access log");
    }
    start_session(&state, &checked?).await
}

/// Opens a shopper's account and signs them in. `POST /api/account/sign-up`
/// (form fields `form[name]`, `form[email]`, `form[password]`).
#[server(prefix = "/api", endpoint = "account/sign-up")]
pub async fn sign_up(form: SignUpForm) -> Result<(), KilnError> {
    use crate::access::password::Password;
    use crate::functions::platform_manager::service::{self, NewConsumer};
    use crate::state::AppState;
    use kiln_core::identity::Email;

    let state = AppState::from_context()?;
    let email =
        Email::parse(&form.email).map_err(|error| KilnError::Rejected(error.to_string()))?;
    // Sign-ups count against the same limits as sign-ins: both hash a
    // password, and both could be used to probe which addresses exist.
    let address = caller_address().await;
    if let Err(too_many) = state.sign_in_limits().attempt(email.as_str(), address) {
        tracing::warn!(?address, "sign-up attempts limited");
        return Err(KilnError::Rejected(too_many.to_string()));
    }
    let password =
        Password::parse(form.password).map_err(|error| KilnError::Rejected(error.to_string()))?;
    let new = NewConsumer {
        email,
        name: form.name,
        password,
    };
    match service::sign_up_consumer(state.store(), new).await {
        Ok(account) => {
            tracing::info!(account = %account, "a shopper signed up");
            start_session(&state, &account).await
        }
        Err(error) if error.is_refusal() => Err(KilnError::Rejected(error.to_string())),
        Err(error) => Err(internal("signing up", &error)),
    }
}

/// Signs out and sends the browser to the shop. `POST /api/account/sign-out`.
#[server(prefix = "/api", endpoint = "account/sign-out")]
pub async fn sign_out() -> Result<(), KilnError> {
    session()
        .await?
        .flush()
        .await
        .map_err(|error| internal("signing out", &error))?;
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
    let (Principal::Staff { account, .. }
    | Principal::Consumer { account }
    | Principal::Dealer { account, .. }) = principal().await?
    else {
        return Err(KilnError::Rejected("sign in first".into()));
    };
    let signed_in = projection::account(state.store(), &account)
        .await
        .map_err(|error| internal("reading the account", &error))?
        .ok_or_else(|| KilnError::Rejected("this account no longer exists".into()))?;
    Ok(AccountView {
        name: signed_in.name,
        email: signed_in.email.to_string(),
        tier: signed_in.tier.as_str().into(),
        roles: signed_in.roles.iter().map(ToString::to_string).collect(),
    })
}

/// Changes the signed-in person's password, given the current one, and
/// sends the browser back to `/account?password=changed`.
/// `POST /api/account/password` (form fields `form[current]`, `form[new]`).
#[server(prefix = "/api", endpoint = "account/password")]
pub async fn change_password(form: PasswordChangeForm) -> Result<(), KilnError> {
    use crate::access::{Principal, password::Password};
    use crate::functions::platform_manager::service;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let (Principal::Staff { account, .. }
    | Principal::Consumer { account }
    | Principal::Dealer { account, .. }) = principal().await?
    else {
        return Err(KilnError::Rejected("sign in first".into()));
    };
    // The current password is checked like a sign-in: limited, so a
    // session left open cannot be used to guess it.
    if let Err(too_many) = state
        .sign_in_limits()
        .attempt(account.as_str(), caller_address().await)
    {
        return Err(KilnError::Rejected(too_many.to_string()));
    }
    let wrong_current = || KilnError::Rejected("the current password is wrong".into());
    let current = Password::parse(form.current).map_err(|_| wrong_current())?;
    let new = Password::parse(form.new).map_err(|error| KilnError::Rejected(error.to_string()))?;
    match service::change_password(state.store(), &account, current, new).await {
        Ok(()) => {
            leptos_axum::redirect("/account?password=changed");
            Ok(())
        }
        Err(error) if error.is_refusal() => Err(KilnError::Rejected(error.to_string())),
        Err(error) => Err(internal("changing a password", &error)),
    }
}

/// Sends a reset link to the address, if it has an account; answers the
/// same either way (a redirect to `/forgot-password?sent=1`). `POST /api/account/reset-request` (`form[email]`).
#[server(prefix = "/api", endpoint = "account/reset-request")]
pub async fn request_password_reset(form: ResetRequestForm) -> Result<(), KilnError> {
    use crate::functions::platform_manager::service;
    use crate::state::AppState;
    use kiln_core::identity::Email;

    let state = AppState::from_context()?;
    let email =
        Email::parse(&form.email).map_err(|error| KilnError::Rejected(error.to_string()))?;
    if let Err(too_many) = state
        .sign_in_limits()
        .attempt(email.as_str(), caller_address().await)
    {
        return Err(KilnError::Rejected(too_many.to_string()));
    }
    service::request_password_reset(state.store(), &email, chrono::Utc::now())
        .await
        .map_err(|error| internal("asking for a password reset", &error))?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

/// Sets a new password with the token from a reset link, then sends the
/// browser to sign in. `POST /api/account/reset` (`form[token]`,
/// `form[password]`).
#[server(prefix = "/api", endpoint = "account/reset")]
pub async fn reset_password(form: ResetForm) -> Result<(), KilnError> {
    use crate::access::password::Password;
    use crate::functions::platform_manager::service;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let password =
        Password::parse(form.password).map_err(|error| KilnError::Rejected(error.to_string()))?;
    match service::reset_password(
        state.store(),
        form.token.trim(),
        password,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(account) => {
            tracing::info!(account = %account, "a password was reset");
            leptos_axum::redirect("/login?reset=done");
            Ok(())
        }
        Err(error) if error.is_refusal() => Err(KilnError::Rejected(error.to_string())),
        Err(error) => Err(internal("resetting a password", &error)),
    }
}
