//! Customer Management's server functions for dealer onboarding: the
//! public application form, and the list and decisions staff make (see
//! `crate::access::table` for who may call which).

use super::view::{
    DealerApplicationDecided, DealerApplicationDecision, DealerApplicationForm,
    DealerApplicationView, FlagTicketForm, NewDealerUser, PromotionForm, TicketReplyForm,
    WithdrawPromotionForm,
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
async fn acting_staff() -> Result<kiln_core::event::Actor, KilnError> {
    crate::caller::acting_person("people manage dealer accounts; agents propose").await
}

/// Applies for a trade account, then sends the browser to
/// `/dealers/apply?sent=1`. `POST /api/customers/dealer-applications/submit`
/// (form fields `form[company_name]`, `form[contact_name]`, `form[email]`,
/// `form[message]`).
#[server(prefix = "/api", endpoint = "customers/dealer-applications/submit")]
pub async fn submit_dealer_application(form: DealerApplicationForm) -> Result<(), KilnError> {
    use super::service::{self, NewApplication};
    use crate::state::AppState;
    use kiln_core::identity::Email;

    let state = AppState::from_context()?;
    let email =
        Email::parse(&form.email).map_err(|error| KilnError::Rejected(error.to_string()))?;
    // A public form that writes to the log: limited like sign-ins.
    let address = crate::caller::caller_address().await;
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
    carry_out(decision).await
}

/// The same decision from the buttons on Customer Management's page; then
/// back to the page, which says what was decided.
/// `POST /api/customers/dealer-applications/decide-form` (form fields
/// `decision[application]`, `decision[decision]`, `decision[tier]`,
/// `decision[reason]`).
#[server(
    prefix = "/api",
    endpoint = "customers/dealer-applications/decide-form"
)]
pub async fn decide_dealer_application_form(
    decision: DealerApplicationDecision,
) -> Result<(), KilnError> {
    let decided = carry_out(decision).await?;
    leptos_axum::redirect(&format!("/staff/customers?decided={}", decided.status));
    Ok(())
}

/// A person's verdict on a proposal about a dealer application (from the
/// decision card on Customer Management's page): approving it carries out
/// the verdict proposed; then back to the page with `?decision=approved`,
/// `rejected`, or `held` when the quarantine holds the change back.
/// `POST /api/customers/proposals/decide` (form fields `form[decision]`,
/// `form[verdict]`, `form[comment]`).
#[server(prefix = "/api", endpoint = "customers/proposals/decide")]
pub async fn decide_application_proposal(
    form: crate::functions::view::DecisionVerdictForm,
) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let decided = super::service::decide_application_proposal(state.store(), actor, form)
        .await
        .map_err(to_kiln_error)?;
    if let Some(opened) = &decided.opened {
        tracing::info!(company = %opened.company, "a proposal to approve a dealer application was approved");
    }
    let outcome = match decided.verdict {
        _ if decided.appended.is_held() => "held",
        kiln_core::decision::Verdict::Approve => "approved",
        kiln_core::decision::Verdict::Reject => "rejected",
    };
    leptos_axum::redirect(&format!("/staff/customers?decision={outcome}"));
    Ok(())
}

/// Carries out a staff member's decision on an application.
#[cfg(feature = "ssr")]
async fn carry_out(
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
                    "“{}” is not a dealer tier: use trade, volume or partner",
                    tier_name.chars().take(40).collect::<String>()
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
            "“{}” is not a decision: use approve or decline",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

/// Adds another user to a dealer company; they get a link to choose a
/// password. Answers the new login's account id.
/// `POST /api/customers/dealer-users/add` with
/// `{"user": {"company": "dlr-…", "name": "Ben Shah", "email": "ben@…"}}`.
#[server(prefix = "/api", endpoint = "customers/dealer-users/add", input = Json)]
pub async fn add_dealer_user(user: NewDealerUser) -> Result<String, KilnError> {
    use crate::state::AppState;
    use kiln_core::identity::{CompanyId, Email};

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

/// A ticket service error as the caller sees it.
#[cfg(feature = "ssr")]
fn ticket_error(error: super::service::TicketServiceError) -> KilnError {
    use super::service::TicketServiceError;
    match error {
        TicketServiceError::Refused(refusal) => KilnError::Rejected(refusal.to_string()),
        TicketServiceError::Store(error) => {
            tracing::error!(%error, "writing on a support ticket failed");
            KilnError::Internal
        }
    }
}

/// The ticket id from a form, or a refusal that names no ticket.
#[cfg(feature = "ssr")]
fn ticket_of(text: &str) -> Result<super::events::TicketId, KilnError> {
    super::events::TicketId::parse(text.trim())
        .map_err(|_| KilnError::Rejected("there is no such ticket".into()))
}

/// A member of staff answers a support ticket; then back to Customer
/// Management's page. `POST /api/customers/tickets/answer` (form fields
/// `form[ticket]`, `form[message]`).
#[server(prefix = "/api", endpoint = "customers/tickets/answer")]
pub async fn answer_ticket(form: TicketReplyForm) -> Result<(), KilnError> {
    use super::decide::TicketCommand;
    use super::events::TicketParty;
    use crate::access::Principal;
    use crate::functions::platform_manager::projection as accounts;

    let state = crate::state::AppState::from_context()?;
    let Principal::Staff { account, .. } = crate::caller::principal().await? else {
        return Err(KilnError::Rejected(
            "people answer customers; agents propose".into(),
        ));
    };
    let name = accounts::account(state.store(), &account)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading a staff account failed");
            KilnError::Internal
        })?
        .map(|person| person.name)
        .unwrap_or_default();
    let command = TicketCommand::Reply {
        ticket: ticket_of(&form.ticket)?,
        from: TicketParty::Staff,
        account: account.clone(),
        author_name: name,
        message: form.message,
    };
    super::service::handle_ticket(
        state.store(),
        kiln_core::event::Actor::user(&account),
        command,
    )
    .await
    .map_err(ticket_error)?;
    leptos_axum::redirect("/staff/customers?answered=1");
    Ok(())
}

/// A member of staff closes a support ticket; then back to Customer
/// Management's page. `POST /api/customers/tickets/close` (form field
/// `form[ticket]`; `form[message]` is ignored).
#[server(prefix = "/api", endpoint = "customers/tickets/close")]
pub async fn close_ticket(form: TicketReplyForm) -> Result<(), KilnError> {
    use super::decide::TicketCommand;
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let command = TicketCommand::Close {
        ticket: ticket_of(&form.ticket)?,
    };
    super::service::handle_ticket(state.store(), actor, command)
        .await
        .map_err(ticket_error)?;
    leptos_axum::redirect("/staff/customers?closed=1");
    Ok(())
}

/// A member of staff flags a ticket's feedback to the function it
/// concerns; then back to Customer Management's page with `?flagged=1`.
/// `POST /api/customers/tickets/flag` (form fields `form[ticket]`,
/// `form[function]` (a slug), `form[note]`).
#[server(prefix = "/api", endpoint = "customers/tickets/flag")]
pub async fn flag_ticket(form: FlagTicketForm) -> Result<(), KilnError> {
    use super::decide::TicketCommand;
    use kiln_core::function::BusinessFunction;
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let function = BusinessFunction::from_slug(form.function.trim())
        .ok_or_else(|| KilnError::Rejected("choose the function the feedback concerns".into()))?;
    let command = TicketCommand::Flag {
        ticket: ticket_of(&form.ticket)?,
        function,
        note: form.note,
    };
    super::service::handle_ticket(state.store(), actor, command)
        .await
        .map_err(ticket_error)?;
    leptos_axum::redirect("/staff/customers?flagged=1");
    Ok(())
}

/// A promotion service error as the caller sees it.
#[cfg(feature = "ssr")]
fn promotion_error(error: super::service::PromotionServiceError) -> KilnError {
    use super::service::PromotionServiceError;
    match error {
        PromotionServiceError::Store(error) => {
            tracing::error!(%error, "changing a dealer promotion failed");
            KilnError::Internal
        }
        refused => KilnError::Rejected(refused.to_string()),
    }
}

/// Offers a dealer company a promotional price for a product; then back to
/// Customer Management's page with `?promotion=offered`.
/// `POST /api/customers/promotions/offer` (form fields `form[company]`,
/// `form[sku]`, `form[price]`, `form[note]`).
#[server(prefix = "/api", endpoint = "customers/promotions/offer")]
pub async fn offer_dealer_promotion(form: PromotionForm) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    super::service::offer_promotion(state.store(), actor, form)
        .await
        .map_err(promotion_error)?;
    leptos_axum::redirect("/staff/customers?promotion=offered");
    Ok(())
}

/// Withdraws a dealer company's promotional price; then back to Customer
/// Management's page with `?promotion=withdrawn`.
/// `POST /api/customers/promotions/withdraw` (form field
/// `form[promotion]`: `<company id>:<SKU>`).
#[server(prefix = "/api", endpoint = "customers/promotions/withdraw")]
pub async fn withdraw_dealer_promotion(form: WithdrawPromotionForm) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    super::service::withdraw_promotion(state.store(), actor, &form.promotion)
        .await
        .map_err(promotion_error)?;
    leptos_axum::redirect("/staff/customers?promotion=withdrawn");
    Ok(())
}
