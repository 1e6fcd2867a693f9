//! Fulfillment's server functions: record a stock count (needs
//! `fulfillment:operate`, see `crate::access::table`).

use crate::error::KilnError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the "record a stock count" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockCountForm {
    /// The product's SKU.
    pub sku: String,
    /// The units counted, as typed.
    pub on_hand: String,
}

/// Records a count of a product's finished units; then back to the page
/// with `?counted=1`. `POST /api/fulfillment/stock-count` (form fields
/// `form[sku]`, `form[on_hand]`).
#[server(prefix = "/api", endpoint = "fulfillment/stock-count")]
pub async fn record_stock_count(form: StockCountForm) -> Result<(), KilnError> {
    use super::service::{self, FulfillmentServiceError};
    use crate::functions::category::events::Sku;

    let state = crate::state::AppState::from_context()?;
    let actor = crate::caller::acting_person("people record stock counts; agents propose").await?;
    let typed_sku = form.sku.trim();
    let sku = Sku::parse(typed_sku).map_err(|_| {
        KilnError::Rejected(format!(
            "there is no product {} in the catalog",
            typed_sku.chars().take(40).collect::<String>()
        ))
    })?;
    let typed = form.on_hand.trim();
    let on_hand: i64 = typed.parse().map_err(|_| {
        KilnError::Rejected(format!(
            "“{}” is not a number of units: give a whole number like 24",
            typed.chars().take(40).collect::<String>()
        ))
    })?;
    service::record_stock_count(state.store(), actor, sku, on_hand, None)
        .await
        .map_err(|error| match error {
            FulfillmentServiceError::Refused(refusal) => KilnError::Rejected(refusal.to_string()),
            FulfillmentServiceError::Store(error) => {
                tracing::error!(%error, "recording a stock count failed");
                KilnError::Internal
            }
        })?;
    leptos_axum::redirect("/staff/fulfillment?counted=1");
    Ok(())
}
