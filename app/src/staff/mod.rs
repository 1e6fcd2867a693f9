//! The staff console: one page per business function (`/staff/<slug>`),
//! each rendered from the function's [`FunctionPage`](crate::functions::view::FunctionPage), the same
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
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub(crate) mod shell;

pub use pages::StaffPage;
#[cfg(feature = "ssr")]
use shell::viewer_menu;
#[cfg(not(feature = "ssr"))]
use shell::{fetch_json, staff_menu};

use crate::error::KilnError;
#[cfg(not(feature = "ssr"))]
use crate::functions::view::FunctionPage;
use crate::functions::view::StaffView;

/// The page of the function whose slug is `slug`, with the menu for its
/// viewer. On the server both are built directly (the guard has already
/// let the page's request through for that function); in the browser the
/// page is read from the same JSON endpoint agents use.
pub async fn load_staff_view(slug: String) -> Result<StaffView, KilnError> {
    #[cfg(feature = "ssr")]
    {
        use crate::state::AppState;
        use kiln_core::function::BusinessFunction;

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
