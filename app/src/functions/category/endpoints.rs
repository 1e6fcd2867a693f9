//! Category Management's server functions for staff: add a product, edit
//! one, change a base price, delist a product, relist it, note a market
//! price (see `crate::access::table`: each needs `category:operate`). Each
//! redirects back to the function's page, which says what was done, or
//! with `?changed=held` that it is recorded but waits in the Database
//! Manager's quarantine (then the page shows the product as it was). And
//! for agents and the people who answer them: propose a base price
//! (`category:operate`, which a `propose` token has), approve or reject a
//! proposal (`category:approve`, people only).

use super::view::{
    BasePriceForm, DecisionVerdictForm, ListingForm, MarketNoteForm, PriceProposalForm,
    ProductForm, ReversalForm,
};
use crate::error::KilnError;
use kiln_core::decision::DecisionId;
use leptos::prelude::*;

/// The staff member making the request, as the actor of its events.
#[cfg(feature = "ssr")]
async fn acting_staff() -> Result<kiln_core::event::Actor, KilnError> {
    crate::caller::acting_person("people change the catalog; agents propose").await
}

/// The SKU typed or chosen in a form.
#[cfg(feature = "ssr")]
fn sku_of(text: &str) -> Result<super::events::Sku, KilnError> {
    super::events::Sku::parse(text.trim()).map_err(|error| {
        // A SKU's refusal quotes it: keep the quote short.
        KilnError::Rejected(
            super::events::InvalidSku {
                text: error.text.chars().take(40).collect(),
            }
            .to_string(),
        )
    })
}

/// Back to the page, saying what was `done` (`?changed=<done>`), or that
/// the change is recorded but waits in the quarantine (`?changed=held`):
/// an event check flagged it, or an earlier change of the product waits.
#[cfg(feature = "ssr")]
fn back_to_page(done: &str, appended: &crate::store::Appended) {
    let outcome = if appended.is_held() { "held" } else { done };
    leptos_axum::redirect(&format!("/staff/category?changed={outcome}"));
}

/// A catalog service error as the caller sees it.
#[cfg(feature = "ssr")]
fn to_kiln_error(error: super::service::CatalogServiceError) -> KilnError {
    use super::service::CatalogServiceError;
    match error {
        CatalogServiceError::Rejected(refusal) => KilnError::Rejected(refusal.to_string()),
        CatalogServiceError::Store(error) => {
            tracing::error!(%error, "changing the catalog failed");
            KilnError::Internal
        }
        refused @ (CatalogServiceError::Sku(_)
        | CatalogServiceError::Collection(_)
        | CatalogServiceError::Family(_)
        | CatalogServiceError::OptionWithoutFamily { .. }
        | CatalogServiceError::DecisionId(_)
        | CatalogServiceError::UnknownRisk { .. }
        | CatalogServiceError::UnknownVerdict { .. }
        | CatalogServiceError::UnknownFunction { .. }) => KilnError::Rejected(refused.to_string()),
    }
}

/// Adds a product to the catalog and lists it; then back to the page with
/// `?changed=added`. `POST /api/category/add-product` (form fields
/// `form[sku]`, `form[name]`, `form[collection]`, `form[description]`,
/// `form[price]`, `form[unit_cost]`, `form[image]`, `form[family]`,
/// `form[option]`).
#[server(prefix = "/api", endpoint = "category/add-product")]
pub async fn add_product(form: ProductForm) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let appended = super::service::introduce_from_form(state.store(), actor, form)
        .await
        .map_err(to_kiln_error)?;
    back_to_page("added", &appended);
    Ok(())
}

/// Changes a product's details (not its price or listing); then back to
/// the page with `?changed=edited`. `POST /api/category/edit-product`
/// (the fields of [`add_product`] but `form[price]`).
#[server(prefix = "/api", endpoint = "category/edit-product")]
pub async fn edit_product(form: ProductForm) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let appended = super::service::revise_from_form(state.store(), actor, form)
        .await
        .map_err(to_kiln_error)?;
    back_to_page("edited", &appended);
    Ok(())
}

/// Notes a market price for a product; then back to the page with
/// `?changed=noted`. `POST /api/category/market-note` (form fields
/// `form[sku]`, `form[source]`, `form[their_price]`, `form[note]`).
#[server(prefix = "/api", endpoint = "category/market-note")]
pub async fn note_market_price(form: MarketNoteForm) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let appended = super::service::note_market_price(state.store(), actor, form)
        .await
        .map_err(to_kiln_error)?;
    back_to_page("noted", &appended);
    Ok(())
}

/// Changes a product's base price, saying why; then back to the page with
/// `?changed=price`. `POST /api/category/base-price` (form fields `form[sku]`,
/// `form[price]`, `form[reason]`).
#[server(prefix = "/api", endpoint = "category/base-price")]
pub async fn change_base_price(form: BasePriceForm) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let sku = sku_of(&form.sku)?;
    let appended =
        super::service::change_base_price(state.store(), actor, sku, &form.price, form.reason)
            .await
            .map_err(to_kiln_error)?;
    back_to_page("price", &appended);
    Ok(())
}

/// Takes a product off sale, saying why; then back to the page with
/// `?changed=delisted`. `POST /api/category/delist` (form fields
/// `form[sku]`, `form[reason]`).
#[server(prefix = "/api", endpoint = "category/delist")]
pub async fn delist_product(form: ListingForm) -> Result<(), KilnError> {
    use super::decide::CategoryCommand;
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let command = CategoryCommand::Delist {
        sku: sku_of(&form.sku)?,
        reason: form.reason,
    };
    let appended = super::service::handle(state.store(), actor, command)
        .await
        .map_err(to_kiln_error)?;
    back_to_page("delisted", &appended);
    Ok(())
}

/// Puts a delisted product back on sale; then back to the page with
/// `?changed=relisted`. `POST /api/category/relist` (form field `form[sku]`).
#[server(prefix = "/api", endpoint = "category/relist")]
pub async fn relist_product(form: ListingForm) -> Result<(), KilnError> {
    use super::decide::CategoryCommand;
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let command = CategoryCommand::Relist {
        sku: sku_of(&form.sku)?,
    };
    let appended = super::service::handle(state.store(), actor, command)
        .await
        .map_err(to_kiln_error)?;
    back_to_page("relisted", &appended);
    Ok(())
}

/// Proposes a new base price for a product, for a person to approve or
/// reject on the Category Management page; answers the decision's id.
/// `POST /api/category/proposals/price` (form fields `form[sku]`,
/// `form[price]`, `form[summary]`, `form[reasoning]`, `form[risk]`,
/// `form[agents_involved][0]`…, `form[data_considered][0][label]`,
/// `form[data_considered][0][href]`…).
#[server(prefix = "/api", endpoint = "category/proposals/price")]
pub async fn propose_base_price(form: PriceProposalForm) -> Result<DecisionId, KilnError> {
    let state = crate::state::AppState::from_context()?;
    let (_, actor) =
        crate::caller::acting_principal("proposals come from staff and agents").await?;
    let decision = super::service::propose_price_change(state.store(), actor, form)
        .await
        .map_err(to_kiln_error)?;
    tracing::info!(%decision, "a base price was proposed");
    Ok(decision)
}

/// Approves a proposed base price (which changes it) or rejects it,
/// saying why; then back to the page with `?decision=approved` or
/// `?decision=rejected`, or `?decision=held` when the quarantine holds the
/// verdict's events back. `POST /api/category/proposals/decide` (form
/// fields `form[decision]`, `form[verdict]`, `form[comment]`).
#[server(prefix = "/api", endpoint = "category/proposals/decide")]
pub async fn decide_price_proposal(form: DecisionVerdictForm) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let (verdict, appended) = super::service::decide_price_proposal(state.store(), actor, form)
        .await
        .map_err(to_kiln_error)?;
    let outcome = match verdict {
        _ if appended.is_held() => "held",
        kiln_core::decision::Verdict::Approve => "approved",
        kiln_core::decision::Verdict::Reject => "rejected",
    };
    leptos_axum::redirect(&format!("/staff/category?decision={outcome}"));
    Ok(())
}

/// Reverses a base price decision the agent carried out automatically,
/// saying why (the price goes back); then back to the page with
/// `?decision=reversed`, or `?decision=held` when the quarantine holds the
/// change back. `POST /api/category/proposals/reverse` (form fields
/// `form[decision]`, `form[comment]`).
#[server(prefix = "/api", endpoint = "category/proposals/reverse")]
pub async fn reverse_decision(form: ReversalForm) -> Result<(), KilnError> {
    let state = crate::state::AppState::from_context()?;
    let actor = acting_staff().await?;
    let appended = super::service::reverse_decision(state.store(), actor, form)
        .await
        .map_err(to_kiln_error)?;
    let outcome = if appended.is_held() {
        "held"
    } else {
        "reversed"
    };
    leptos_axum::redirect(&format!("/staff/category?decision={outcome}"));
    Ok(())
}
