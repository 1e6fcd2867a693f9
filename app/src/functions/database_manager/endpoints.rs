//! The Database Manager's server functions and page loaders: what its
//! pages and agents call. The event search and detail are plain JSON
//! endpoints (`GET /api/database-manager/events[/<position>]`, served by
//! the server crate) so that agents can write their queries as URLs.

use super::view::{EventDetail, EventQuery, EventSearch, RebuildOutcome, RebuildRequest};
use crate::error::KilnError;
use crate::staff::view::MenuEntry;
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
pub async fn load_event_search(
    query: EventQuery,
) -> Result<(Vec<MenuEntry>, EventSearch), KilnError> {
    let menu =
        crate::staff::viewer_menu(crate::functions::BusinessFunction::DatabaseManager).await?;
    #[cfg(feature = "ssr")]
    {
        let state = crate::state::AppState::from_context()?;
        let search = super::service::search_events(state.store(), query)
            .await
            .map_err(search_refusal)?;
        Ok((menu, search))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let url = format!("/api/database-manager/events{}", query.to_query_string());
        let search = send_wrapper::SendWrapper::new(crate::staff::fetch_json(&url)).await?;
        Ok((menu, search))
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

/// The event at `position` in full, with the menu, for its detail page.
pub async fn load_event_detail(position: i64) -> Result<(Vec<MenuEntry>, EventDetail), KilnError> {
    let menu =
        crate::staff::viewer_menu(crate::functions::BusinessFunction::DatabaseManager).await?;
    #[cfg(feature = "ssr")]
    {
        let state = crate::state::AppState::from_context()?;
        let detail = super::service::event_detail(state.store(), position)
            .await
            .map_err(|error| {
                tracing::error!(%error, position, "cannot read an event");
                KilnError::Internal
            })?
            .ok_or_else(|| {
                KilnError::Rejected(format!("the log has no event at position {position}"))
            })?;
        Ok((menu, detail))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let url = format!("/api/database-manager/events/{position}");
        let detail = send_wrapper::SendWrapper::new(crate::staff::fetch_json(&url)).await?;
        Ok((menu, detail))
    }
}
