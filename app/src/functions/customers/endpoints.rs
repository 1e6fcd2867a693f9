//! Customer Management's server functions for dealer onboarding: the
//! public application form, and the list and decisions staff make (see
//! `crate::access::table` for who may call which).

use super::view::{
    DealerApplicationDecided, DealerApplicationDecision, DealerApplicationForm,
    DealerApplicationView, NewDealerUser,
};
use crate::error::KilnError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
fn to_kiln_error(error: super::service::DealerServiceError) -> KilnError {
    if error.is_refusal() {
        KilnError::Rejected(error.to_string())
    } else {
        tracing::error!(%error, source = ?std::error::Error::source(&error), "dealer onboarding failed");
        KilnError::Internal
    }
}

/// The staff member making the request, as the actor of its events.
#[cfg(feature = "ssr")]
async fn acting_staff() -> Result<crate::event::Actor, KilnError> {
    use crate::access::Principal;
    let axum::Extension(principal): axum::Extension<Principal> =
        leptos_axum::extract().await.map_err(|error| {
            tracing::error!(%error, "the guard did not pass a principal");
            KilnError::Internal
        })?;
    match principal {
        Principal::Staff { account, .. } => Ok(crate::event::Actor::user(&account)),
        _ => Err(KilnError::Rejected(
            "people manage dealer accounts; agents propose".into(),
        )),
    }
}

/// Applies for a trade account, then sends the browser to
/// `/dealers/apply?sent=1`. `POST /api/customers/dealer-applications/submit`
/// (form fields `form[company_name]`, `form[contact_name]`, `form[email]`,
/// `form[message]`).
#[server(prefix = "/api", endpoint = "customers/dealer-applications/submit")]
pub async fn submit_dealer_application(form: DealerApplicationForm) -> Result<(), KilnError> {
    use super::service::{self, NewApplication};
    use crate::access::Email;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let email =
        Email::parse(&form.email).map_err(|error| KilnError::Rejected(error.to_string()))?;
    // A public form that writes to the log: limited like sign-ins.
    let address = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|axum::extract::ConnectInfo(address)| address.ip());
    if let Err(too_many) = state.sign_in_limits().attempt(email.as_str(), address) {
        return Err(KilnError::Rejected(too_many.to_string()));
    }
    let application = service::submit_application(
        state.store(),
        NewApplication {
            company_name: form.company_name,
            contact_name: form.contact_name,
            email,
            message: form.message,
        },
    )
    .await
    .map_err(to_kiln_error)?;
    tracing::info!(%application, "a dealer application was submitted");
    leptos_axum::redirect("/dealers/apply?sent=1");
    Ok(())
}

/// Every dealer application, newest first.
/// `POST /api/customers/dealer-applications`.
#[server(prefix = "/api", endpoint = "customers/dealer-applications")]
pub async fn dealer_applications() -> Result<Vec<DealerApplicationView>, KilnError> {
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let rows = super::projection::applications(state.store())
        .await
        .map_err(|error| to_kiln_error(error.into()))?;
    Ok(rows
        .into_iter()
        .map(|row| DealerApplicationView {
            application: row.application.to_string(),
            company_name: row.company_name,
            contact_name: row.contact_name,
            email: row.email,
            message: row.message,
            status: row.status,
        })
        .collect())
}

/// Approves (at a tier) or declines (with a reason) a dealer application.
/// `POST /api/customers/dealer-applications/decide` with
/// `{"decision": {"application": "apl-…", "decision": "approve", "tier": "trade"}}`.
#[server(prefix = "/api", endpoint = "customers/dealer-applications/decide", input = Json)]
pub async fn decide_dealer_application(
    decision: DealerApplicationDecision,
) -> Result<DealerApplicationDecided, KilnError> {
    use super::events::{ApplicationId, DealerTier};
    use super::service;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let actor = acting_staff().await?;
    let application = ApplicationId::parse(decision.application.trim())
        .map_err(|error| KilnError::Rejected(error.to_string()))?;
    match decision.decision.as_str() {
        "approve" => {
            let tier_name = decision.tier.unwrap_or_default();
            let tier = DealerTier::from_name(tier_name.trim()).ok_or_else(|| {
                KilnError::Rejected(format!(
                    "“{tier_name}” is not a dealer tier: use trade, volume or partner"
                ))
            })?;
            let approved =
                service::approve_application(state.store(), actor, application.clone(), tier)
                    .await
                    .map_err(to_kiln_error)?;
            tracing::info!(%application, company = %approved.company, "a dealer application was approved");
            Ok(DealerApplicationDecided {
                application: application.to_string(),
                status: "approved".into(),
                company: Some(approved.company.to_string()),
            })
        }
        "decline" => {
            service::decline_application(
                state.store(),
                actor,
                application.clone(),
                decision.reason.unwrap_or_default(),
            )
            .await
            .map_err(to_kiln_error)?;
            tracing::info!(%application, "a dealer application was declined");
            Ok(DealerApplicationDecided {
                application: application.to_string(),
                status: "declined".into(),
                company: None,
            })
        }
        other => Err(KilnError::Rejected(format!(
            "“{other}” is not a decision: use approve or decline"
        ))),
    }
}

/// Adds another user to a dealer company; they get a link to choose a
/// password. Answers the new login's account id.
/// `POST /api/customers/dealer-users/add` with
/// `{"user": {"company": "dlr-…", "name": "Ben Shah", "email": "ben@…"}}`.
#[server(prefix = "/api", endpoint = "customers/dealer-users/add", input = Json)]
pub async fn add_dealer_user(user: NewDealerUser) -> Result<String, KilnError> {
    use crate::access::{CompanyId, Email};
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let actor = acting_staff().await?;
    let company = CompanyId::parse(user.company.trim())
        .map_err(|error| KilnError::Rejected(error.to_string()))?;
    let email =
        Email::parse(&user.email).map_err(|error| KilnError::Rejected(error.to_string()))?;
    let account =
        super::service::add_dealer_user(state.store(), actor, company.clone(), user.name, email)
            .await
            .map_err(to_kiln_error)?;
    tracing::info!(%company, %account, "a dealer user was added");
    Ok(account.to_string())
}
