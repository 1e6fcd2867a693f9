//! The staff console's page: the menu of functions beside the page of the
//! function in the address, rendered from its [`FunctionPage`].

use super::shell::{ConsolePage, EventFeed};
use crate::functions::platform_manager::endpoints::IssueApiToken;
use crate::functions::platform_manager::page::{ChangeRequestList, RaiseChangeRequestForm};
use crate::functions::view::{BarChart, DataTable, FunctionPage, Metric, SortOrder, TableQuery};
use kiln_core::function::BusinessFunction;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
#[cfg(feature = "hydrate")]
use {crate::error::KilnError, crate::functions::view::StaffView};

/// `/staff/<slug>`: one business function's page.
#[component]
pub fn StaffPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = Memo::new(move |_| params.read().get("function").unwrap_or_default());
    // A form that changed the page's data sends the browser back to it
    // with a query saying so; that reloads the view model too.
    let staff_view = Resource::new(
        move || (slug.get(), query.read().to_query_string()),
        |(slug, _)| super::load_staff_view(slug),
    );
    #[cfg(feature = "hydrate")]
    follow_live_events(slug, staff_view);
    // A token's secret, shown once, must survive the reload its own event
    // causes: the action lives here, outside what a reload makes anew.
    let issue_token = ServerAction::<IssueApiToken>::new();
    provide_context(issue_token);
    // …and is forgotten on leaving the page, so that coming back does not
    // show it again.
    Effect::new(move |previous: Option<String>| {
        let current = slug.get();
        if previous.is_some_and(|previous| previous != current) {
            issue_token.value().set(None);
        }
        current
    });

    view! { <ConsolePage loaded=staff_view current=slug page=|page| view! { <FunctionView page /> } /> }
}

/// Reloads the page's view model whenever the function posts an event
/// (the Business Overview and the Database Manager: any function), and
/// when the stream says or shows that events were missed.
#[cfg(feature = "hydrate")]
fn follow_live_events(slug: Memo<String>, page: Resource<Result<StaffView, KilnError>>) {
    use wasm_bindgen::{JsCast, closure::Closure};

    let source = StoredValue::new_local(None::<web_sys::EventSource>);
    Effect::new(move |_| {
        let slug = slug.get();
        source.update_value(|current| {
            if let Some(previous) = current.take() {
                previous.close();
            }
            // Without live events the page still works; it only stops
            // following new ones.
            if let Ok(events) = web_sys::EventSource::new(&format!("/api/functions/{slug}/live")) {
                let on_event = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    page.refetch();
                });
                events.set_onmessage(Some(on_event.as_ref().unchecked_ref()));
                // A `lagged` notice says the server dropped events this
                // page was too slow to take: read the whole page again.
                // (Should the listener not attach, the page still follows
                // new events.)
                let _ = events
                    .add_event_listener_with_callback("lagged", on_event.as_ref().unchecked_ref());
                // After the first opening, an opening is a reconnection:
                // events sent while the stream was down were missed.
                let mut opened_before = false;
                let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    if opened_before {
                        page.refetch();
                    }
                    opened_before = true;
                });
                events.set_onopen(Some(on_open.as_ref().unchecked_ref()));
                // The closures must live as long as the EventSource, which
                // the page closes; they are small and made once per visit.
                on_event.forget();
                on_open.forget();
                *current = Some(events);
            }
        });
    });
    on_cleanup(move || {
        source.update_value(|current| {
            if let Some(events) = current.take() {
                events.close();
            }
        });
    });
}

/// A function's page.
#[component]
fn FunctionView(page: FunctionPage) -> impl IntoView {
    // The function's own forms and panels, drawn by its descriptor from
    // the same view model.
    let descriptor = crate::functions::descriptor(page.function);
    let controls = descriptor
        .and_then(|descriptor| descriptor.controls)
        .map(|controls| controls(&page));
    let closing_controls = descriptor
        .and_then(|descriptor| descriptor.closing_controls)
        .map(|controls| controls(&page));
    let FunctionPage {
        function,
        title,
        group,
        purpose,
        operated_by,
        built,
        metrics,
        charts,
        trends,
        catalog: _,
        choices: _,
        tables,
        decisions,
        conversations,
        events,
        change_requests,
        not_built_yet,
    } = page;
    let on_platform_manager = function == BusinessFunction::PlatformManager;
    let status = if built { "Live" } else { "Not built yet" };
    let status_class = if built {
        "rounded-full bg-emerald-100 px-3 py-1 text-xs font-medium text-emerald-800"
    } else {
        "rounded-full bg-stone-200 px-3 py-1 text-xs font-medium text-stone-700"
    };
    view! {
        <Title text=title.clone() />
        <article data-function=function.slug() data-built=built.to_string()>
            <header class="flex flex-col gap-3 border-b border-stone-200 pb-6 sm:flex-row sm:items-end sm:justify-between">
                <div>
                    <p class="text-xs font-semibold uppercase tracking-widest text-amber-800">
                        {group.title()}
                    </p>
                    <h1 class="mt-2 font-serif text-3xl text-stone-900 md:text-4xl">{title}</h1>
                    <p class="mt-2 max-w-2xl text-stone-600">{purpose}</p>
                    <p class="mt-1 text-sm text-stone-500">{operated_by}</p>
                </div>
                <span class=status_class data-field="status">{status}</span>
            </header>
            <MetricTiles metrics />
            {(!charts.is_empty())
                .then(|| {
                    view! {
                        <div class="mt-10 grid gap-4 lg:grid-cols-2">
                            {charts.into_iter().map(|chart| view! { <BarChartView chart /> }).collect_view()}
                        </div>
                    }
                })}
            {(!trends.is_empty())
                .then(|| {
                    view! {
                        <div class="mt-10 grid gap-4 lg:grid-cols-2">
                            {trends.into_iter().map(|chart| view! { <super::chart::TrendChartView chart /> }).collect_view()}
                        </div>
                    }
                })}
            {function
                .takes_proposals()
                .then(|| view! { <super::decisions::DecisionCards function decisions /> })}
            {controls}
            {tables.into_iter().map(|table| view! { <TableView table /> }).collect_view()}
            {function
                .has_agent()
                .then(|| {
                    view! { <super::conversations::ConversationThreads function conversations /> }
                })}
            <ChangeRequestList requests=change_requests every_function=on_platform_manager />
            {closing_controls}
            <RaiseChangeRequestForm function />
            <EventFeed events />
            <NotBuiltYet items=not_built_yet />
        </article>
    }
    .into_any()
}

/// The key figures, as tiles.
#[component]
fn MetricTiles(metrics: Vec<Metric>) -> impl IntoView {
    (!metrics.is_empty()).then(|| {
        view! {
            <section class="mt-8 grid grid-cols-2 gap-3 lg:grid-cols-4 xl:grid-cols-5" aria-label="Key figures">
                {metrics
                    .into_iter()
                    .map(|metric| {
                        let source = metric.source.clone();
                        view! {
                            <div class="rounded-xl border border-stone-200 bg-white p-4" data-metric=metric.key>
                                <p class="text-xs font-medium text-stone-500">{metric.label}</p>
                                <p class="mt-2 font-serif text-3xl text-stone-900" data-value="">
                                    {metric.value}
                                </p>
                                {source
                                    .map(|source| {
                                        view! {
                                            <a href=source.clone() class="mt-2 inline-block text-xs text-amber-800 hover:underline">
                                                {format!("from {source}")}
                                            </a>
                                        }
                                    })}
                            </div>
                        }
                    })
                    .collect_view()}
            </section>
        }
    })
}

/// A horizontal bar chart, drawn as SVG on the server: it needs no
/// script and prints as it looks.
#[component]
fn BarChartView(chart: BarChart) -> impl IntoView {
    const ROW: i64 = 28;
    const LABELS: i64 = 180;
    const BARS: i64 = 330;
    let BarChart {
        key,
        title,
        bars,
        source,
    } = chart;
    let source = source.map(super::chart::source_link);
    let largest = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let rows = i64::try_from(bars.len()).unwrap_or(0);
    let height = rows * ROW + 4;
    view! {
        <figure class="rounded-xl border border-stone-200 bg-white p-4" data-chart=key>
            <figcaption class="text-sm font-semibold text-stone-900">{title.clone()}</figcaption>
            <svg
                viewBox=format!("0 0 580 {height}")
                role="img"
                aria-label=title
                class="mt-3 w-full"
            >
                {bars
                    .into_iter()
                    .zip(0_i64..)
                    .map(|(bar, row)| {
                        let top = row * ROW;
                        let width = (BARS * bar.value / largest).max(1);
                        view! {
                            <text x=LABELS - 8 y=top + 18 text-anchor="end" font-size="12" fill="#57534e">
                                {bar.label.clone()}
                            </text>
                            <rect x=LABELS y=top + 6 width=width height="16" rx="3" fill="#b45309"></rect>
                            <text x=LABELS + width + 6 y=top + 18 font-size="12" fill="#1c1917" data-bar=bar.label>
                                {bar.value}
                            </text>
                        }
                    })
                    .collect_view()}
            </svg>
            {source}
        </figure>
    }
}

/// One of the function's tables: a page of rows at a time, sortable by
/// clicking a column's heading and filtered by a text. The rows shown are
/// exactly what `GET /api/functions/<slug>/tables/<key>` answers for the
/// same query ([`DataTable::page`]); without JavaScript every row shows,
/// in the table's own order.
#[component]
fn TableView(table: DataTable) -> impl IntoView {
    let count = table.rows.len();
    let key = table.key.clone();
    let title = table.title.clone();
    let empty = table.empty.clone();
    let columns = table.columns.clone();
    let query = RwSignal::new(TableQuery::default());
    // Without JavaScript every row shows (up to the most a page holds): the
    // server renders them all and hydration finds the same. Once the page
    // is interactive, it pages.
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    let table = StoredValue::new(table);
    // The query is only ever built from the table's own columns and
    // pages, so it cannot be refused; an empty page would show if it were.
    let page = Memo::new(move |_| {
        let mut asked = query.get();
        if !interactive.get() {
            asked.per_page = count.clamp(1, TableQuery::MOST_PER_PAGE);
            asked.page = 1;
        }
        table.with_value(|table| table.page(&asked).ok())
    });
    let sort_by = move |column: String| {
        query.update(|query| {
            query.order = if query.sort == column && query.order == SortOrder::Asc {
                SortOrder::Desc
            } else {
                SortOrder::Asc
            };
            query.sort = column;
            query.page = 1;
        });
    };
    let heading = move |column: String| {
        let sorted = {
            let column = column.clone();
            move || {
                query.with(|query| {
                    if query.sort != column {
                        "none"
                    } else if query.order == SortOrder::Asc {
                        "ascending"
                    } else {
                        "descending"
                    }
                })
            }
        };
        let arrow = {
            let sorted = sorted.clone();
            move || match sorted() {
                "ascending" => " ↑",
                "descending" => " ↓",
                _ => "",
            }
        };
        let label = column.clone();
        view! {
            <th scope="col" class="whitespace-nowrap px-4 py-2.5 font-medium" aria-sort=sorted>
                <button
                    type="button"
                    class="hover:text-stone-900"
                    title="Sort by this column"
                    on:click=move |_| sort_by(column.clone())
                >
                    {label}
                    {arrow}
                </button>
            </th>
        }
    };
    let rows = move || {
        page.with(|page| {
            page.as_ref()
                .map(|page| page.rows.clone())
                .unwrap_or_default()
        })
    };
    let pages = move || page.with(|page| page.as_ref().map_or(1, |page| page.pages));
    let matching = move || page.with(|page| page.as_ref().map_or(0, |page| page.matching_rows));
    let current = move || query.with(|query| query.page);
    let on_first = move || current() <= 1;
    let on_last = move || current() >= pages();
    let turn = move |by: isize| {
        query.update(|query| {
            query.page = query.page.saturating_add_signed(by).clamp(1, pages());
        });
    };
    view! {
        <section class="mt-10" data-table=key>
            <div class="flex flex-wrap items-baseline justify-between gap-3">
                <h2 class="text-lg font-semibold text-stone-900">{title}</h2>
                <p class="text-xs text-stone-500" data-field="rows">{format!("{count} rows")}</p>
            </div>
            {if count == 0 {
                view! { <p class="mt-3 rounded-xl border border-dashed border-stone-300 p-6 text-sm text-stone-600">{empty}</p> }
                    .into_any()
            } else {
                view! {
                    {move || {
                        (interactive.get() && count > TableQuery::PER_PAGE)
                            .then(|| {
                            view! {
                                <input
                                    type="search"
                                    placeholder="Filter these rows"
                                    aria-label="Filter these rows"
                                    maxlength="200"
                                    class="mt-3 w-full max-w-xs rounded-lg border border-stone-300 px-3 py-1.5 text-sm"
                                    data-field="filter"
                                    on:input=move |event| {
                                        let text = event_target_value(&event);
                                        query.update(|query| {
                                            query.filter = text;
                                            query.page = 1;
                                        });
                                    }
                                />
                            }
                        })
                    }}
                    <div class="mt-3 overflow-x-auto rounded-xl border border-stone-200 bg-white">
                        <table class="w-full text-left text-sm">
                            <thead class="border-b border-stone-200 bg-stone-50 text-stone-600">
                                <tr>{columns.into_iter().map(heading).collect_view()}</tr>
                            </thead>
                            <tbody>
                                {move || {
                                    rows()
                                        .into_iter()
                                        .map(|cells| {
                                            view! {
                                                <tr class="border-b border-stone-100 align-top last:border-0">
                                                    {cells
                                                        .into_iter()
                                                        .map(|cell| view! { <td class="px-4 py-2.5 text-stone-800">{cell}</td> })
                                                        .collect_view()}
                                                </tr>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </tbody>
                        </table>
                    </div>
                    {move || {
                        (pages() > 1 || matching() < count)
                            .then(|| {
                                view! {
                                    <nav class="mt-2 flex items-center justify-end gap-3 text-xs text-stone-600" aria-label="Pages of this table">
                                        <span data-field="page">
                                            {format!("Page {} of {} · {} matching rows", current(), pages(), matching())}
                                        </span>
                                        <button
                                            type="button"
                                            class="rounded border border-stone-300 px-2 py-1 hover:bg-white disabled:opacity-40"
                                            disabled=on_first
                                            on:click=move |_| turn(-1)
                                        >
                                            "Previous"
                                        </button>
                                        <button
                                            type="button"
                                            class="rounded border border-stone-300 px-2 py-1 hover:bg-white disabled:opacity-40"
                                            disabled=on_last
                                            on:click=move |_| turn(1)
                                        >
                                            "Next"
                                        </button>
                                    </nav>
                                }
                            })
                    }}
                }
                    .into_any()
            }}
        </section>
    }
    .into_any()
}

/// What the page does not show yet, said plainly.
#[component]
fn NotBuiltYet(items: Vec<String>) -> impl IntoView {
    view! {
        <section class="mt-10 rounded-xl border border-stone-200 bg-stone-50 p-5" data-not-built="">
            <h2 class="text-sm font-semibold text-stone-700">"Not built yet"</h2>
            <ul class="mt-2 list-disc space-y-1 pl-5 text-sm text-stone-600">
                {items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}
            </ul>
        </section>
    }
}
