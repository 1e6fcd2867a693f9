//! Quality's server functions: raise a non-conformance (needs
//! `quality:operate`, see `routes.rs`).

use crate::error::KilnError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the "raise a non-conformance" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonConformanceForm {
    /// Where it comes from: `supplier`, `process`, `product` or `customer`.
    pub source: String,
    /// What does not conform, in a line.
    pub subject: String,
    /// How it was found and what was seen.
    pub description: String,
}

/// Raises a non-conformance; then back to the page with `?non-conformance=raised`.
/// `POST /api/quality/non-conformances/raise` (form fields
/// `form[source]`, `form[subject]`, `form[description]`).
#[server(prefix = "/api", endpoint = "quality/non-conformances/raise")]
pub async fn raise_non_conformance(form: NonConformanceForm) -> Result<(), KilnError> {
    use super::events::NonConformanceSource;
    use super::service::{self, QualityServiceError};

    let state = crate::state::AppState::from_context()?;
    let actor =
        crate::caller::acting_person("people raise non-conformances; agents propose").await?;
    let typed = form.source.trim();
    let source = NonConformanceSource::from_name(typed).ok_or_else(|| {
        KilnError::Rejected(format!(
            "“{}” is not a source: choose supplier, process, product or customer",
            typed.chars().take(40).collect::<String>()
        ))
    })?;
    service::raise_non_conformance(state.store(), actor, source, form.subject, form.description)
        .await
        .map_err(|error| match error {
            QualityServiceError::Refused(refusal) => KilnError::Rejected(refusal.to_string()),
            QualityServiceError::Store(error) => {
                tracing::error!(%error, "raising a non-conformance failed");
                KilnError::Internal
            }
        })?;
    leptos_axum::redirect("/staff/quality?non-conformance=raised");
    Ok(())
}
