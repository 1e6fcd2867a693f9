//! The staff console: one page per business function (`/staff/<slug>`),
//! each rendered from the function's [`view::FunctionPage`], the same
//! struct its JSON endpoint (`GET /api/functions/<slug>`) answers with, so
//! people and agents always see the same figures.
//!
//! Every function has a page; a function not built yet says so plainly
//! instead of showing figures. The page follows the function's new events
//! (`GET /api/functions/<slug>/live`) and reloads its view model when one
//! arrives. The guard lets a request reach a function's page, JSON or
//! live events only with the view permission in that function.
//!
//! Built: the console's menu grouped as the briefing groups functions,
//! metric tiles, tables, bar charts and trend charts (`chart`), the event
//! feed, change requests, and the pages of the Business Overview, Database
//! Manager, Platform Manager, Category Management, Customer Management and
//! Fulfillment. Tables sort by any column and page 25 rows at a time,
//! and each is served alone, filtered, sorted and paged, at
//! `GET /api/functions/<slug>/tables/<key>`. Decision cards show what
//! agents proposed (Category Management's base prices so far) with
//! approve and reject; conversation threads show the messages each
//! function's agent sent and received.

pub mod chart;
mod conversations;
mod decisions;
pub mod form_style;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod view;

pub use pages::StaffPage;
pub(crate) use pages::{ConsolePage, EventFeed, stream_url};

use crate::error::KilnError;
use leptos::prelude::*;
#[cfg(not(feature = "ssr"))]
use view::FunctionPage;
use view::{MenuEntry, StaffView};

/// The console's menu for whoever asks: every function, whether it is
/// built, and whether they may open it. `POST /api/staff/menu`.
#[server(prefix = "/api", endpoint = "staff/menu")]
pub async fn staff_menu() -> Result<Vec<MenuEntry>, KilnError> {
    Ok(menu_for(&crate::account::principal().await?))
}

/// The console's menu for the person viewing a page of `function`, once
/// they are found allowed to view it. On the server the guard has already
/// checked the page's address; checking again here means a page's data
/// never depends on the guard alone having read the address as the
/// router did. In the browser the menu is asked for (and the data's own
/// endpoint is guarded).
pub(crate) async fn viewer_menu(
    function: crate::functions::BusinessFunction,
) -> Result<Vec<MenuEntry>, KilnError> {
    #[cfg(feature = "ssr")]
    {
        use crate::access::{Requirement, authorize};
        let principal = crate::account::principal().await?;
        authorize(&principal, Requirement::view(function))
            .map_err(|denial| KilnError::Rejected(denial.to_string()))?;
        Ok(menu_for(&principal))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = function;
        staff_menu().await
    }
}

/// The menu as `principal` may use it.
#[cfg(feature = "ssr")]
fn menu_for(principal: &crate::access::Principal) -> Vec<MenuEntry> {
    use crate::access::{Requirement, authorize};
    use crate::functions::BusinessFunction;

    BusinessFunction::ALL
        .into_iter()
        .map(|function| MenuEntry {
            function,
            title: function.title().to_owned(),
            group: function.group(),
            built: crate::functions::page_built(function),
            allowed: authorize(principal, Requirement::view(function)).is_ok(),
        })
        .collect()
}

/// The page of the function whose slug is `slug`, with the menu for its
/// viewer. On the server both are built directly (the guard has already
/// let the page's request through for that function); in the browser the
/// page is read from the same JSON endpoint agents use.
pub async fn load_staff_view(slug: String) -> Result<StaffView, KilnError> {
    #[cfg(feature = "ssr")]
    {
        use crate::functions::BusinessFunction;
        use crate::state::AppState;

        let function = BusinessFunction::from_slug(&slug).ok_or_else(|| {
            KilnError::Rejected(format!("there is no business function “{slug}”"))
        })?;
        let state = AppState::from_context()?;
        let menu = viewer_menu(function).await?;
        let page = service::function_page(state.store(), function)
            .await
            .map_err(|error| {
                tracing::error!(%error, function = slug, "cannot build a function page");
                KilnError::Internal
            })?;
        Ok(StaffView { page, menu })
    }
    // The browser's fetch is not `Send`; a resource needs a `Send` future,
    // and in the browser everything runs on one thread anyway.
    #[cfg(not(feature = "ssr"))]
    {
        send_wrapper::SendWrapper::new(async move {
            let page: FunctionPage = fetch_json(&format!("/api/functions/{slug}")).await?;
            let menu = staff_menu().await?;
            Ok(StaffView { page, menu })
        })
        .await
    }
}

/// Reads `url`, one of Kiln's JSON endpoints (browser): its answer, or
/// the refusal it gave.
#[cfg(not(feature = "ssr"))]
pub(crate) async fn fetch_json<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, KilnError> {
    read_answer(get(url).await?).await
}

/// Reads `url` like [`fetch_json`], but a 404 (the endpoint has no such
/// thing) is `None` rather than a refusal.
#[cfg(not(feature = "ssr"))]
pub(crate) async fn fetch_optional_json<T: serde::de::DeserializeOwned>(
    url: &str,
) -> Result<Option<T>, KilnError> {
    let response = get(url).await?;
    if response.status() == 404 {
        return Ok(None);
    }
    read_answer(response).await.map(Some)
}

#[cfg(not(feature = "ssr"))]
async fn get(url: &str) -> Result<gloo_net::http::Response, KilnError> {
    gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|error| KilnError::Transport(error.to_string()))
}

/// A JSON endpoint's answer, or the refusal it gave.
#[cfg(not(feature = "ssr"))]
async fn read_answer<T: serde::de::DeserializeOwned>(
    response: gloo_net::http::Response,
) -> Result<T, KilnError> {
    if response.ok() {
        response
            .json()
            .await
            .map_err(|error| KilnError::Transport(error.to_string()))
    } else {
        // The guard and the endpoints answer refusals as {"message": …}.
        let refusal: serde_json::Value = response
            .json()
            .await
            .map_err(|error| KilnError::Transport(error.to_string()))?;
        Err(KilnError::Rejected(
            refusal["message"]
                .as_str()
                .unwrap_or("the page could not be loaded")
                .to_owned(),
        ))
    }
}
