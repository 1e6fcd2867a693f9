//! Customer Management's server functions for dealer onboarding: the
//! public application form, and the list and decisions staff make (see
//! `crate::access::table` for who may call which).

use super::view::{
    DealerApplicationDecided, DealerApplicationDecision, DealerApplicationForm,
    DealerApplicationView,
};
use crate::error::KilnError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
fn to_kiln_error(error: super::service::DealerServiceError) -> KilnError {
    use super::service::DealerServiceError;
    match error {
        DealerServiceError::Refused(refused) => KilnError::Rejected(refused.to_string()),
        other => {
            tracing::error!(error = %other, source = ?std::error::Error::source(&other), "dealer onboarding failed");
            KilnError::Internal
        }
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
    use crate::access::Principal;
    use crate::event::Actor;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let axum::Extension(principal): axum::Extension<Principal> =
        leptos_axum::extract().await.map_err(|error| {
            tracing::error!(%error, "the guard did not pass a principal");
            KilnError::Internal
        })?;
    let Principal::Staff { account, .. } = principal else {
        return Err(KilnError::Rejected(
            "people decide dealer applications".into(),
        ));
    };
    let actor = Actor::user(&account);
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
