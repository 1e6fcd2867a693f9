//! The Database Manager's own part of its page: the rebuild button, its
//! progress bar and the checksums it ends with.

use super::endpoints::rebuild_projections;
use super::view::{RebuildOutcome, RebuildRequest};
use crate::error::KilnError;
use leptos::prelude::*;

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
