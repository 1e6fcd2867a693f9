//! The Database Manager's own parts of the staff console: the rebuild
//! button on its page, with its progress bar and the checksums it ends
//! with, the quarantine's cards (release or reject the events an
//! integrity anomaly names), and its event log pages (the search and one
//! event in full).

use super::decide::Verdict;
use super::endpoints::{
    DecideQuarantine, load_event_detail, load_event_search, rebuild_projections,
};
use super::view::{EventDetail, EventQuery, EventSearch, RebuildOutcome, RebuildRequest};
use crate::error::KilnError;
use crate::form_style::{BUTTON, INPUT};
use crate::forms::{Notice, Refusal};
use crate::functions::view::DataTable;
use crate::staff::shell::{ConsolePage, EventFeed, stream_url};
use leptos::prelude::*;
use leptos_meta::Title;

/// Rebuilds every projection from the log on request, showing the
/// progress the server publishes and, at the end, each table's checksum
/// before and after. Needs JavaScript and `database-manager:operate`
/// (the server refuses others with a message shown here).
#[component]
pub fn RebuildPanel() -> impl IntoView {
    let rebuild = Action::new(|(): &()| rebuild_projections(RebuildRequest::default()));
    let progress = RwSignal::new(None::<(u64, u64)>);
    #[cfg(feature = "hydrate")]
    follow_rebuild_progress(progress);
    let pending = rebuild.pending();
    let percent = move || {
        if rebuild.value().get().is_some() && !pending.get() {
            return 100;
        }
        match progress.get() {
            Some((replayed, total)) if total > 0 => replayed.saturating_mul(100) / total,
            _ => 0,
        }
    };
    view! {
        <section class="mt-10 rounded-xl border border-stone-200 bg-white p-5" data-rebuild="">
            <div class="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
                <div>
                    <h2 class="text-lg font-semibold text-stone-900">"Rebuild projections"</h2>
                    <p class="mt-1 max-w-2xl text-sm text-stone-600">
                        "Replays the whole log into every projection table and compares each table's checksum before and after. Appends wait while it runs."
                    </p>
                </div>
                <button
                    type="button"
                    class="rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700 disabled:opacity-50"
                    disabled=move || pending.get()
                    on:click=move |_| {
                        progress.set(None);
                        rebuild.dispatch(());
                    }
                >
                    {move || if pending.get() { "Rebuilding…" } else { "Rebuild every projection" }}
                </button>
            </div>
            <progress
                class="mt-4 h-2 w-full accent-amber-700"
                max="100"
                value=move || percent().to_string()
                aria-label="Rebuild progress"
            ></progress>
            {move || {
                rebuild
                    .value()
                    .get()
                    .map(|result| match result {
                        Ok(outcome) => view! { <RebuildResult outcome /> }.into_any(),
                        Err(error) => view! { <RebuildRefused error /> }.into_any(),
                    })
            }}
        </section>
    }
}

/// The checksums a rebuild ended with.
#[component]
fn RebuildResult(outcome: RebuildOutcome) -> impl IntoView {
    let all_equal = outcome.tables.iter().all(|table| table.equal);
    let verdict = if all_equal {
        format!(
            "Done: {} events replayed in {:.2} s; every table's checksum is equal before and after.",
            outcome.events, outcome.seconds
        )
    } else {
        format!(
            "Done: {} events replayed in {:.2} s; tables whose checksum differed were out of date and are now repaired.",
            outcome.events, outcome.seconds
        )
    };
    view! {
        <p role="status" class="mt-4 text-sm font-medium text-stone-900" data-field="rebuild-verdict" data-all-equal=all_equal.to_string()>
            {verdict}
        </p>
        <div class="mt-3 overflow-x-auto rounded-lg border border-stone-200">
            <table class="w-full text-left text-sm">
                <thead class="border-b border-stone-200 bg-stone-50 text-stone-600">
                    <tr>
                        <th scope="col" class="px-4 py-2 font-medium">"Table"</th>
                        <th scope="col" class="px-4 py-2 text-right font-medium">"Rows before"</th>
                        <th scope="col" class="px-4 py-2 text-right font-medium">"Rows after"</th>
                        <th scope="col" class="px-4 py-2 font-medium">"Checksum after"</th>
                        <th scope="col" class="px-4 py-2 font-medium">"Equal"</th>
                    </tr>
                </thead>
                <tbody>
                    {outcome
                        .tables
                        .into_iter()
                        .map(|table| {
                            let short: String = table.checksum_after.chars().take(16).collect();
                            let name = table.table.clone();
                            view! {
                                <tr class="border-b border-stone-100 last:border-0" data-rebuilt-table=name>
                                    <td class="px-4 py-2 font-mono text-xs">{table.table}</td>
                                    <td class="px-4 py-2 text-right">{table.rows_before}</td>
                                    <td class="px-4 py-2 text-right">{table.rows_after}</td>
                                    <td class="px-4 py-2 font-mono text-xs text-stone-500">{short}</td>
                                    <td class="px-4 py-2">{if table.equal { "yes" } else { "no: repaired" }}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The server's refusal or failure.
#[component]
fn RebuildRefused(error: KilnError) -> impl IntoView {
    view! {
        <p role="alert" class="mt-4 rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800">
            {error.to_string()}
        </p>
    }
}

/// Follows `GET /api/database-manager/rebuild/progress` while the page is
/// open, setting `progress` to (replayed, total) at each step.
#[cfg(feature = "hydrate")]
fn follow_rebuild_progress(progress: RwSignal<Option<(u64, u64)>>) {
    use super::view::RebuildUpdate;
    use wasm_bindgen::{JsCast, closure::Closure};

    let Ok(updates) = web_sys::EventSource::new("/api/database-manager/rebuild/progress") else {
        // Without the stream the bar only jumps to the end.
        return;
    };
    let on_progress =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let update = event
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<RebuildUpdate>(&text).ok());
            if let Some(RebuildUpdate::Progress {
                replayed, total, ..
            }) = update
            {
                progress.set(Some((replayed, total)));
            }
        });
    // Listening cannot fail for a valid event name; should it, the bar
    // only jumps to the end.
    let _ =
        updates.add_event_listener_with_callback("progress", on_progress.as_ref().unchecked_ref());
    // The closure lives as long as the stream, which the page closes.
    on_progress.forget();
    let updates = StoredValue::new_local(updates);
    on_cleanup(move || updates.with_value(web_sys::EventSource::close));
}

/// The Database Manager's slug, marked in the console's menu on its
/// event pages.
fn database_manager() -> Memo<String> {
    Memo::new(|_| {
        kiln_core::function::BusinessFunction::DatabaseManager
            .slug()
            .to_owned()
    })
}

/// The search in the page's address, or why it cannot be read.
fn query_from(params: &leptos_router::params::ParamsMap) -> Result<EventQuery, KilnError> {
    let text = |name: &str| params.get(name).unwrap_or_default();
    let before = match params.get("before").filter(|value| !value.is_empty()) {
        None => None,
        Some(value) => Some(value.trim().parse::<i64>().map_err(|_| {
            KilnError::Rejected(format!(
                "“{}” in before is not an event position",
                crate::functions::view::quoted(&value)
            ))
        })?),
    };
    Ok(EventQuery {
        function: text("function"),
        event_type: text("event_type"),
        actor: text("actor"),
        stream: text("stream"),
        from: text("from"),
        until: text("until"),
        before,
    })
}

/// `/staff/database-manager/events`: the event log, newest first, with
/// filters by function, type, actor, stream and day, a page at a time.
/// The filters are a plain form, so the page works without JavaScript.
#[component]
pub fn EventLogPage() -> impl IntoView {
    let params = leptos_router::hooks::use_query_map();
    let search = Resource::new(
        move || params.with(query_from),
        |query| async move { load_event_search(query?).await },
    );
    view! {
        <Title text="Event log" />
        <ConsolePage loaded=search current=database_manager() page=|search| view! { <EventLog search /> } />
    }
}

/// The heading of the Database Manager's event pages.
#[component]
fn EventPageHeading(title: String, children: Children) -> impl IntoView {
    view! {
        <header class="border-b border-stone-200 pb-6">
            <a href="/staff/database-manager" class="text-xs font-semibold uppercase tracking-widest text-amber-800 hover:underline">
                "Database Manager"
            </a>
            <h1 class="mt-2 font-serif text-3xl text-stone-900 md:text-4xl">{title}</h1>
            <div class="mt-2 max-w-2xl text-stone-600">{children()}</div>
        </header>
    }
}

/// The search form and one page of its results.
#[component]
fn EventLog(search: EventSearch) -> impl IntoView {
    let EventSearch {
        query,
        events,
        older_than,
        choices,
    } = search;
    let options = |key: &str| {
        choices
            .iter()
            .find(|list| list.key == key)
            .map(|list| list.options.clone())
            .unwrap_or_default()
    };
    let select = |name: &'static str,
                  label: &'static str,
                  chosen: String,
                  options: Vec<crate::functions::view::Choice>| {
        view! {
            <label class="block text-sm">
                <span class="font-medium text-stone-700">{label}</span>
                <select name=name class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2">
                    <option value="">"All"</option>
                    {options
                        .into_iter()
                        .map(|option| {
                            let selected = option.value == chosen;
                            view! { <option value=option.value selected=selected>{option.label}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    };
    let field = |name: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 value: String,
                 hint: &'static str| {
        view! {
            <label class="block text-sm">
                <span class="font-medium text-stone-700">{label}</span>
                <input
                    type=kind
                    name=name
                    value=value
                    placeholder=hint
                    maxlength="200"
                    class="mt-1 block w-full rounded-lg border border-stone-300 px-3 py-2"
                />
            </label>
        }
    };
    let filtered = query.before.is_none() && query != EventQuery::default();
    let newest = query.before.map(|_| EventQuery {
        before: None,
        ..query.clone()
    });
    let older = older_than.map(|position| query.older_than(position));
    let shown = events.len();
    view! {
        <EventPageHeading title="Event log".to_owned()>
            <p>"Every event in the log, newest first. Filter by function, type, actor, stream or the day it was recorded; open an event to see its payload and metadata."</p>
        </EventPageHeading>
        <form method="get" action="/staff/database-manager/events" class="mt-8 grid gap-4 rounded-xl border border-stone-200 bg-white p-5 sm:grid-cols-2 lg:grid-cols-3" data-form="event-search">
            {select("function", "Function", query.function.clone(), options("functions"))}
            {select("event_type", "Event type", query.event_type.clone(), options("event-types"))}
            {field("actor", "Actor", "text", query.actor.clone(), "user:acc-… or system:demo")}
            {field("stream", "Stream", "text", query.stream.clone(), "order-ord-…")}
            {field("from", "Recorded from (UTC)", "date", query.from.clone(), "YYYY-MM-DD")}
            {field("until", "Recorded until (UTC)", "date", query.until.clone(), "YYYY-MM-DD")}
            <div class="flex items-end gap-3 sm:col-span-2 lg:col-span-3">
                <button type="submit" class=BUTTON>
                    "Search"
                </button>
                {filtered.then(|| view! { <a href="/staff/database-manager/events" class="text-sm text-amber-800 hover:underline">"Clear the filters"</a> })}
            </div>
        </form>
        <p class="mt-6 text-sm text-stone-600" data-field="shown">
            {if shown == 0 {
                "No event matches.".to_owned()
            } else {
                format!("{shown} events shown, newest first.")
            }}
        </p>
        <div data-results="">
            <EventFeed events />
        </div>
        <nav class="mt-4 flex justify-between text-sm" aria-label="Pages of events">
            {newest.map(|query| view! {
                <a href=format!("/staff/database-manager/events{}", query.to_query_string()) class="text-amber-800 hover:underline">"← Newest events"</a>
            })}
            {older.map(|query| view! {
                <a href=format!("/staff/database-manager/events{}", query.to_query_string()) class="ml-auto text-amber-800 hover:underline" data-link="older">"Older events →"</a>
            })}
        </nav>
    }
    .into_any()
}

/// `/staff/database-manager/events/<position>`: one event in full, its
/// metadata and its payload as stored.
#[component]
pub fn EventDetailPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let detail = Resource::new(
        move || params.read().get("position").unwrap_or_default(),
        |position| async move {
            let position = position.parse::<i64>().map_err(|_| {
                KilnError::Rejected(format!(
                    "“{}” is not an event position",
                    crate::functions::view::quoted(&position)
                ))
            })?;
            load_event_detail(position).await
        },
    );
    view! {
        <ConsolePage
            loaded=detail
            current=database_manager()
            page=move |detail| match detail {
                Some(detail) => view! { <EventDetailView detail /> }.into_any(),
                None => view! { <NoSuchEvent position=params.read_untracked().get("position").unwrap_or_default() /> }.into_any(),
            }
        />
    }
}

/// What the detail page says for a position the log does not hold (404).
#[component]
fn NoSuchEvent(position: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="No such event" />
        <EventPageHeading title="No such event".to_owned()>
            <p data-field="no-such-event">
                {format!("The log has no event at position {}.", crate::functions::view::quoted(&position))}
            </p>
        </EventPageHeading>
    }
}

/// One event's metadata and payload.
#[component]
fn EventDetailView(detail: EventDetail) -> impl IntoView {
    let EventDetail {
        entry,
        stream_version,
        schema_version,
        occurred_at,
        decision_id,
        causation_id,
        correlation_id,
        payload,
        meaning,
        tables,
    } = detail;
    let title = format!("#{} {}", entry.position, entry.event_type);
    let of_type = format!(
        "/staff/database-manager/events{}",
        EventQuery {
            event_type: entry.event_type.clone(),
            ..EventQuery::default()
        }
        .to_query_string()
    );
    let by_actor = format!(
        "/staff/database-manager/events{}",
        EventQuery {
            actor: entry.actor.clone(),
            ..EventQuery::default()
        }
        .to_query_string()
    );
    let none = || "—".to_owned();
    let rows: Vec<(&'static str, String)> = vec![
        ("Position", entry.position.to_string()),
        ("Type", entry.event_type.clone()),
        ("Schema version", schema_version.to_string()),
        ("Function", entry.function.title().to_owned()),
        ("Actor", entry.actor.clone()),
        ("Stream", entry.stream.clone()),
        ("Version in its stream", stream_version.to_string()),
        ("Recorded (UTC)", entry.recorded_at.clone()),
        ("Happened (UTC)", occurred_at),
        ("Decision", decision_id.unwrap_or_else(none)),
        ("Caused by", causation_id.unwrap_or_else(none)),
        ("Correlation", correlation_id.unwrap_or_else(none)),
        (
            "Tables it changes",
            if tables.is_empty() {
                none()
            } else {
                tables.join(", ")
            },
        ),
    ];
    // Pretty-printing a JSON value cannot fail; the compact form is the
    // fallback all the same.
    let payload = serde_json::to_string_pretty(&payload).unwrap_or_else(|_| payload.to_string());
    view! {
        <Title text=title.clone() />
        <EventPageHeading title>
            <p>{meaning}</p>
        </EventPageHeading>
        <div class="mt-8 grid gap-6 lg:grid-cols-2">
            <section class="rounded-xl border border-stone-200 bg-white p-5" data-section="metadata">
                <h2 class="text-lg font-semibold text-stone-900">"Metadata"</h2>
                <dl class="mt-3 divide-y divide-stone-100 text-sm">
                    {rows
                        .into_iter()
                        .map(|(label, value)| view! {
                            <div class="grid grid-cols-3 gap-3 py-2">
                                <dt class="text-stone-500">{label}</dt>
                                <dd class="col-span-2 break-all font-mono text-xs text-stone-900" data-field=label>{value}</dd>
                            </div>
                        })
                        .collect_view()}
                </dl>
                <p class="mt-4 flex flex-wrap gap-4 text-sm">
                    <a href=stream_url(&entry.stream) class="text-amber-800 hover:underline">"Every event of this stream"</a>
                    <a href=of_type class="text-amber-800 hover:underline">"Every event of this type"</a>
                    <a href=by_actor class="text-amber-800 hover:underline">"Everything this actor did"</a>
                </p>
            </section>
            <section class="rounded-xl border border-stone-200 bg-white p-5" data-section="payload">
                <h2 class="text-lg font-semibold text-stone-900">"Payload"</h2>
                <pre class="mt-3 overflow-x-auto rounded-lg bg-stone-900 p-4 text-xs leading-relaxed text-stone-100" data-field="payload">{payload}</pre>
            </section>
        </div>
    }
    .into_any()
}

/// A card for every anomaly of the page's quarantine table (columns
/// anomaly, found, check, what is wrong, event positions, held back,
/// verdict) whose
/// events still wait for a verdict: what is wrong, links to the events,
/// and the release and reject forms. Works without JavaScript.
#[component]
pub fn QuarantineVerdicts(quarantine: DataTable) -> impl IntoView {
    let cards: Vec<AnyView> = quarantine
        .rows
        .into_iter()
        .filter_map(|row| match row.as_slice() {
            [
                anomaly,
                found,
                check,
                message,
                positions,
                held_back,
                verdict,
            ] if verdict == "waiting" => {
                // The positions are the JSON array the checks recorded.
                let positions: Vec<i64> = serde_json::from_str(positions).unwrap_or_default();
                Some(
                    view! {
                        <QuarantineCard
                            anomaly=anomaly.clone()
                            found=found.clone()
                            check=check.clone()
                            message=message.clone()
                            positions
                            held_back=held_back.clone()
                        />
                    }
                    .into_any(),
                )
            }
            _ => None,
        })
        .collect();
    view! {
        <section class="mt-10" data-commands="quarantine">
            <h2 class="text-lg font-semibold text-stone-900">"Quarantine"</h2>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">
                "Events an event check flags (a base price jumping tenfold, say) are held back from the tables, with the later events of their stream, until someone releases them (they are applied) or rejects them (they never reach the tables; the events behind them are applied). The table checks find anomalies after the events were applied; a verdict on those records what a person found. Both verdicts are events in the log."
            </p>
            <Notice key="verdict" value="released" message="Released: the events stand (held ones are now in the tables), and the verdict is in the log." />
            <Notice key="verdict" value="rejected" message="Rejected: the verdict and its reason are in the log." />
            {if cards.is_empty() {
                view! { <p class="mt-3 text-sm text-stone-600" data-field="quarantine-empty">"No event is waiting for a verdict."</p> }.into_any()
            } else {
                view! { <div class="mt-4 grid gap-4 lg:grid-cols-2">{cards}</div> }.into_any()
            }}
        </section>
    }
    .into_any()
}

#[component]
fn QuarantineCard(
    anomaly: String,
    found: String,
    check: String,
    message: String,
    positions: Vec<i64>,
    held_back: String,
) -> impl IntoView {
    let held = (held_back != "none").then(|| {
        view! {
            <p class="mt-2 text-sm font-medium text-amber-900" data-field="held-back">
                {format!("Held back from the tables until you decide: {held_back}.")}
            </p>
        }
    });
    view! {
        <article class="rounded-xl border border-amber-300 bg-white p-5" data-anomaly=anomaly.clone()>
            <p class="text-xs font-semibold uppercase tracking-widest text-amber-800">
                {format!("Anomaly {anomaly} · {check}")}
            </p>
            <h3 class="mt-1 font-medium text-stone-900">{message}</h3>
            <p class="mt-1 text-sm text-stone-600">{format!("Found {found}")}</p>
            {held}
            <p class="mt-2 flex flex-wrap gap-2 text-sm">
                {positions
                    .into_iter()
                    .map(|position| {
                        view! {
                            <a
                                class="rounded bg-stone-100 px-2 py-1 font-mono text-xs text-amber-900 hover:bg-amber-100"
                                href=format!("/staff/database-manager/events/{position}")
                            >
                                {format!("event {position}")}
                            </a>
                        }
                    })
                    .collect_view()}
            </p>
            <VerdictForm
                anomaly=anomaly.clone()
                verdict=Verdict::Release
                note_label="Note (optional)"
                button_class="rounded-lg bg-emerald-800 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700"
            />
            <VerdictForm
                anomaly=anomaly.clone()
                verdict=Verdict::Reject
                note_label="Why the events are wrong"
                button_class="rounded-lg border border-stone-300 px-4 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100"
            />
        </article>
    }
}

/// One verdict on an anomaly's events, with its note and its refusal.
#[component]
fn VerdictForm(
    anomaly: String,
    verdict: Verdict,
    note_label: &'static str,
    button_class: &'static str,
) -> impl IntoView {
    let decide = ServerAction::<DecideQuarantine>::new();
    let result = Signal::derive(move || decide.value().get());
    let button = match verdict {
        Verdict::Release => "Release",
        Verdict::Reject => "Reject",
    };
    view! {
        <ActionForm action=decide attr:class="mt-4 flex flex-wrap items-end gap-3">
            <input type="hidden" name="form[anomaly]" value=anomaly />
            <input type="hidden" name="form[verdict]" value=verdict.as_str() />
            <label class="flex flex-1 flex-col gap-1 text-sm font-medium text-stone-800">
                {note_label}
                <input type="text" name="form[note]" maxlength="2000" class=INPUT />
            </label>
            <button type="submit" class=button_class>{button}</button>
            <div class="w-full"><Refusal result /></div>
        </ActionForm>
    }
}

/// What the Database Manager's page shows above its tables: the way to
/// the event log, the rebuild panel and the quarantine's verdict cards.
pub fn controls(page: &crate::functions::view::FunctionPage) -> AnyView {
    let quarantine = page.table("quarantine").cloned();
    view! {
        <a
            href="/staff/database-manager/events"
            class="mt-10 flex items-center justify-between rounded-xl border border-stone-200 bg-white p-5 hover:border-amber-700"
            data-link="event-log"
        >
            <span>
                <span class="block text-lg font-semibold text-stone-900">"Event log"</span>
                <span class="mt-1 block text-sm text-stone-600">
                    "Search every event by function, type, actor, stream and day; open one to read its payload and metadata."
                </span>
            </span>
            <span class="text-amber-800" aria-hidden="true">"→"</span>
        </a>
        <RebuildPanel />
        {quarantine.map(|quarantine| view! { <QuarantineVerdicts quarantine /> })}
    }
    .into_any()
}
