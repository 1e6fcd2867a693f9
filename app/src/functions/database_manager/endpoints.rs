//! The Database Manager's server functions and page loaders: what its
//! pages and agents call. The event search and detail are plain JSON
//! endpoints (`GET /api/database-manager/events[/<position>]`, served by
//! the server crate) so that agents can write their queries as URLs.

use super::view::{
    EventDetail, EventQuery, EventSearch, QuarantineForm, RebuildOutcome, RebuildRequest,
};
use crate::error::KilnError;
use crate::functions::view::StaffView;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Rebuilds the requested projection (or all) from the log and reports
/// each table's checksum before and after. Progress is published while it
/// runs at `GET /api/database-manager/rebuild/progress`.
/// `POST /api/database-manager/rebuild` with `{"request": {"projection": "catalog"}}`.
#[server(prefix = "/api", endpoint = "database-manager/rebuild", input = Json)]
pub async fn rebuild_projections(request: RebuildRequest) -> Result<RebuildOutcome, KilnError> {
    use super::service::RebuildError;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    state
        .rebuilds()
        .run(state.store(), request.projection.as_deref())
        .await
        .map_err(|error| match error {
            RebuildError::Refused(message) => KilnError::Rejected(message),
            RebuildError::Store(error) => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "rebuilding projections failed");
                KilnError::Internal
            }
        })
}

/// One page of the event search for the event log page, with the menu.
/// On the server it is searched directly (the guard has let the page's
/// request through); in the browser it is read from the JSON endpoint.
pub async fn load_event_search(query: EventQuery) -> Result<StaffView<EventSearch>, KilnError> {
    let menu =
        crate::staff::shell::viewer_menu(kiln_core::function::BusinessFunction::DatabaseManager)
            .await?;
    #[cfg(feature = "ssr")]
    {
        let state = crate::state::AppState::from_context()?;
        let search = super::service::search_events(state.store(), query)
            .await
            .map_err(search_refusal)?;
        Ok(StaffView { page: search, menu })
    }
    #[cfg(not(feature = "ssr"))]
    {
        let url = format!("/api/database-manager/events{}", query.to_query_string());
        let search = send_wrapper::SendWrapper::new(crate::staff::shell::fetch_json(&url)).await?;
        Ok(StaffView { page: search, menu })
    }
}

/// How an event search failure reaches the person or agent who asked.
#[cfg(feature = "ssr")]
pub fn search_refusal(error: super::service::EventSearchError) -> KilnError {
    use super::service::EventSearchError;
    match error {
        EventSearchError::Store(error) => {
            tracing::error!(%error, source = ?std::error::Error::source(&error), "the event search failed");
            KilnError::Internal
        }
        refused => KilnError::Rejected(refused.to_string()),
    }
}

/// The event at `position` in full (`None` when the log has no such
/// position), with the menu, for its detail page.
pub async fn load_event_detail(position: i64) -> Result<StaffView<Option<EventDetail>>, KilnError> {
    let menu =
        crate::staff::shell::viewer_menu(kiln_core::function::BusinessFunction::DatabaseManager)
            .await?;
    #[cfg(feature = "ssr")]
    {
        let state = crate::state::AppState::from_context()?;
        let detail = super::service::event_detail(state.store(), position)
            .await
            .map_err(|error| {
                tracing::error!(%error, position, "cannot read an event");
                KilnError::Internal
            })?;
        Ok(StaffView { page: detail, menu })
    }
    #[cfg(not(feature = "ssr"))]
    {
        let url = format!("/api/database-manager/events/{position}");
        // The endpoint answers 404 for a position the log does not hold.
        let detail =
            send_wrapper::SendWrapper::new(crate::staff::shell::fetch_optional_json(&url)).await?;
        Ok(StaffView { page: detail, menu })
    }
}

/// Releases or rejects the events an integrity anomaly names (people
/// only: agents propose), then sends the browser back to the Database
/// Manager's page with `?verdict=released` or `?verdict=rejected`.
/// `POST /api/database-manager/quarantine/decide` (form fields
/// `form[anomaly]`, `form[verdict]`, `form[note]`).
#[server(prefix = "/api", endpoint = "database-manager/quarantine/decide")]
pub async fn decide_quarantine(form: QuarantineForm) -> Result<(), KilnError> {
    use super::decide::Verdict;
    use super::service::QuarantineServiceError;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let actor =
        crate::caller::acting_person("people release or reject quarantined events; agents propose")
            .await?;
    let anomaly: i64 = form.anomaly.trim().parse().map_err(|_| {
        KilnError::Rejected(format!(
            "“{}” is not an anomaly number",
            crate::error::quoted(&form.anomaly)
        ))
    })?;
    let verdict = Verdict::from_name(form.verdict.trim()).ok_or_else(|| {
        KilnError::Rejected(format!(
            "“{}” is not a verdict: release or reject",
            crate::error::quoted(&form.verdict)
        ))
    })?;
    super::service::decide_quarantine(state.store(), actor, anomaly, verdict, form.note)
        .await
        .map_err(|error| match error {
            QuarantineServiceError::Store(error) => {
                tracing::error!(%error, source = ?std::error::Error::source(&error), anomaly, "a quarantine verdict failed");
                KilnError::Internal
            }
            refused => KilnError::Rejected(refused.to_string()),
        })?;
    tracing::info!(anomaly, %verdict, "quarantined events were given a verdict");
    leptos_axum::redirect(&format!(
        "/staff/database-manager?verdict={}",
        verdict.past_tense()
    ));
    Ok(())
}
