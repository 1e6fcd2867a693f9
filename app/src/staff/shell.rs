//! The console's frame, which every staff page is drawn in: the menu of
//! functions (asked for from the server), the page beside it or the reason
//! it could not be shown, and the event feed. It imports no function (which
//! functions are built comes from the server's state; the feed links to the
//! Database Manager's event log by address only), so a function with pages
//! of its own, like that event log, draws them in it without a circle back
//! to the console that lists the functions.

use crate::error::KilnError;
use crate::functions::view::{FeedEntry, MenuEntry, StaffView};
use kiln_core::function::FunctionGroup;
use leptos::prelude::*;

/// The console's menu for whoever asks: every function, whether it is
/// built, and whether they may open it. `POST /api/staff/menu`.
#[server(prefix = "/api", endpoint = "staff/menu")]
pub async fn staff_menu() -> Result<Vec<MenuEntry>, KilnError> {
    let state = crate::state::AppState::from_context()?;
    Ok(menu_for(&state, &crate::caller::principal().await?))
}

/// The console's menu for the person viewing a page of `function`, once
/// they are found allowed to view it. On the server the guard has already
/// checked the page's address; checking again here means a page's data
/// never depends on the guard alone having read the address as the
/// router did. In the browser the menu is asked for (and the data's own
/// endpoint is guarded).
pub(crate) async fn viewer_menu(
    function: kiln_core::function::BusinessFunction,
) -> Result<Vec<MenuEntry>, KilnError> {
    #[cfg(feature = "ssr")]
    {
        use crate::access::{Requirement, authorize};
        let principal = crate::caller::principal().await?;
        authorize(&principal, Requirement::view(function))
            .map_err(|denial| KilnError::Rejected(denial.to_string()))?;
        Ok(menu_for(
            &crate::state::AppState::from_context()?,
            &principal,
        ))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = function;
        staff_menu().await
    }
}

/// The menu as `principal` may use it.
#[cfg(feature = "ssr")]
fn menu_for(
    state: &crate::state::AppState,
    principal: &crate::access::Principal,
) -> Vec<MenuEntry> {
    use crate::access::{Requirement, authorize};
    use kiln_core::function::BusinessFunction;

    BusinessFunction::ALL
        .into_iter()
        .map(|function| MenuEntry {
            function,
            title: function.title().to_owned(),
            group: function.group(),
            built: state.page_built(function),
            allowed: authorize(principal, Requirement::view(function)).is_ok(),
        })
        .collect()
}

/// A staff console page: the menu (with `current`, a function's slug,
/// marked) beside `page` drawn from what `loaded` holds, or the reason it
/// could not be shown. A page rendered whole before it is sent
/// (`SsrMode::Async`) answers a refusal with 400 and a failure with 500.
#[component]
pub(crate) fn ConsolePage<T, V, F>(
    /// The page's data with the viewer's menu. One resource read in one
    /// boundary: with several, Leptos' streaming stalled a response now
    /// and then (seen in the tests; compare leptos-rs/leptos#4851 and
    /// #4578).
    loaded: Resource<Result<StaffView<T>, KilnError>>,
    /// The function the page belongs to.
    current: Memo<String>,
    /// Draws the page's data.
    page: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    // A transition keeps the page in view while live events reload it.
    view! {
        <Transition fallback=|| view! { <p class="p-10 text-stone-600">"Loading…"</p> }>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    match loaded.await {
                        Ok(StaffView { page: data, menu }) => {
                            view! { <Console menu current>{page(data)}</Console> }.into_any()
                        }
                        Err(error) => {
                            #[cfg(feature = "ssr")]
                            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                                response.set_status(match error {
                                    KilnError::Rejected(_) | KilnError::Unreadable(_) => {
                                        axum::http::StatusCode::BAD_REQUEST
                                    }
                                    KilnError::Internal | KilnError::Transport(_) => {
                                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                                    }
                                });
                            }
                            view! { <main class="p-10"><Failure error /></main> }.into_any()
                        }
                    }
                })
            }}
        </Transition>
    }
}

/// The console: the menu, with `current` (a function's slug) marked,
/// beside the page.
#[component]
pub(crate) fn Console(
    menu: Vec<MenuEntry>,
    current: Memo<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="min-h-screen bg-stone-100 md:flex">
            <aside class="bg-stone-900 text-stone-300 md:min-h-screen md:w-64 md:shrink-0">
                <div class="flex items-center justify-between px-5 py-4 md:block">
                    <a href="/staff/overview" class="flex items-center gap-3 text-white">
                        <img src="/favicon.svg" alt="" class="h-8 w-8" />
                        <span class="font-serif text-lg">"Kiln"</span>
                    </a>
                    <p class="text-xs text-stone-400 md:mt-1">"Fenwick Clayworks · staff"</p>
                </div>
                <Menus entries=menu current />
                <p class="flex gap-4 border-t border-stone-800 px-5 py-4 text-xs md:mt-6">
                    <a href="/account" class="hover:text-white">"Your account"</a>
                    <a href="/" class="hover:text-white">"Storefront"</a>
                </p>
            </aside>
            <main class="min-w-0 flex-1 px-4 py-6 md:px-10 md:py-10">{children()}</main>
        </div>
    }
    // Erased: the whole page as one static type is too deep for rustc.
    .into_any()
}

/// The menus: one for phones, folded away, and one always open for wider
/// screens, both with every function under its group, the current one
/// marked, the ones not built yet or not allowed said to be so.
#[component]
fn Menus(entries: Vec<MenuEntry>, current: Memo<String>) -> impl IntoView {
    let groups = move || {
        FunctionGroup::ALL
            .into_iter()
            .map(|group| {
                let in_group: Vec<MenuEntry> = entries
                    .iter()
                    .filter(|entry| entry.group == group)
                    .cloned()
                    .collect();
                view! { <MenuGroup group entries=in_group current /> }
            })
            .collect_view()
    };
    let for_phones = groups.clone();
    view! {
        <details class="border-t border-stone-800 px-5 py-3 md:hidden" data-menu="">
            <summary class="cursor-pointer text-sm font-medium text-white">"Functions"</summary>
            {for_phones()}
        </details>
        <nav class="hidden px-3 md:block" aria-label="Business functions">
            {groups()}
        </nav>
    }
}

/// One group of the menu.
#[component]
fn MenuGroup(
    group: FunctionGroup,
    entries: Vec<MenuEntry>,
    current: Memo<String>,
) -> impl IntoView {
    view! {
        <div class="mt-4">
            <p class="px-2 text-xs font-semibold uppercase tracking-widest text-stone-500">
                {group.title()}
            </p>
            <ul class="mt-1 space-y-0.5">
                {entries
                    .into_iter()
                    .map(|entry| {
                        let slug = entry.function.slug();
                        let is_current = move || current.get() == slug;
                        let label = entry.title.clone();
                        let note = if !entry.allowed {
                            Some("no access")
                        } else if !entry.built {
                            Some("not built")
                        } else {
                            None
                        };
                        if entry.allowed {
                            view! {
                                <li>
                                    <a
                                        href=entry.function.page_url()
                                        data-function=slug
                                        aria-current=move || is_current().then_some("page")
                                        class="flex items-center justify-between rounded-md px-2 py-1.5 text-sm hover:bg-stone-800 hover:text-white aria-[current=page]:bg-amber-700 aria-[current=page]:text-white"
                                    >
                                        <span>{label}</span>
                                        <span class="text-[11px] text-stone-500">{note}</span>
                                    </a>
                                </li>
                            }
                                .into_any()
                        } else {
                            view! {
                                <li class="flex items-center justify-between px-2 py-1.5 text-sm text-stone-600">
                                    <span>{label}</span>
                                    <span class="text-[11px]">{note}</span>
                                </li>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// Why the page could not be shown.
#[component]
pub(crate) fn Failure(error: KilnError) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-xl border border-red-200 bg-red-50 p-6 text-red-900">
            <p class="font-medium">"This page could not be shown."</p>
            <p class="mt-2 text-sm">{error.to_string()}</p>
        </div>
    }
}

/// Where the Database Manager shows the event at `position` in full.
fn event_url(position: i64) -> String {
    format!("/staff/database-manager/events/{position}")
}

/// Where the Database Manager lists every event of `stream`.
pub(crate) fn stream_url(stream: &str) -> String {
    format!(
        "/staff/database-manager/events?stream={}",
        leptos_router::location::Url::escape(stream)
    )
}

/// The newest events, newest first; each links to its detail and its
/// stream in the Database Manager's event log.
#[component]
pub(crate) fn EventFeed(events: Vec<FeedEntry>) -> impl IntoView {
    view! {
        <section class="mt-10" data-feed="">
            <h2 class="text-lg font-semibold text-stone-900">"Events"</h2>
            {if events.is_empty() {
                view! { <p class="mt-3 rounded-xl border border-dashed border-stone-300 p-6 text-sm text-stone-600">"No events yet."</p> }
                    .into_any()
            } else {
                view! {
                    <ol class="mt-3 divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white">
                        {events
                            .into_iter()
                            .map(|event| {
                                let stream_link = stream_url(&event.stream);
                                view! {
                                    <li class="flex flex-col gap-1 px-4 py-3 text-sm sm:flex-row sm:items-baseline sm:gap-4" data-position=event.position>
                                        <a href=event_url(event.position) class="w-14 shrink-0 font-mono text-xs text-stone-400 hover:text-amber-800 hover:underline">{format!("#{}", event.position)}</a>
                                        <span class="font-medium text-stone-900" data-field="event-type">{event.event_type}</span>
                                        <span class="text-stone-600">{event.actor}</span>
                                        <a href=stream_link class="truncate font-mono text-xs text-stone-500 hover:text-amber-800 hover:underline">{event.stream}</a>
                                        <span class="text-xs text-stone-500 sm:ml-auto">{event.recorded_at}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
        </section>
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
