//! The pieces every short form of the public site is made of (sign-in,
//! sign-up, password, dealer application) and of the staff pages' forms: a
//! labelled field, the refusal of a server function, a notice read from
//! the address, and the button. (The page around the public site's short
//! forms is the storefront's `FormPage`.) Forms post to server functions
//! and work without JavaScript.

use crate::error::KilnError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// One labelled, required input.
#[component]
pub fn Field(
    /// The label shown above it.
    label: &'static str,
    /// The form field's name, e.g. `form[email]`.
    name: &'static str,
    /// The input type: `email`, `password`, `text`.
    kind: &'static str,
    /// The browser's autocomplete hint.
    autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
            {label}
            <input
                type=kind
                name=name
                required
                autocomplete=autocomplete
                class="rounded-lg border border-stone-300 bg-white px-4 py-3 text-base font-normal"
            />
        </label>
    }
}

/// A form's refusal, if its server function refused. (Success redirects,
/// and the page it lands on says what happened: see [`Notice`].) A refusal
/// of several lines (a dealer's order with bad rows) shows its first line
/// as the heading and the others as a list.
#[component]
pub fn Refusal(
    /// The action's latest result.
    result: Signal<Option<Result<(), KilnError>>>,
) -> impl IntoView {
    move || {
        result.get().and_then(Result::err).map(|error| {
            let text = error.to_string();
            let mut lines = text.lines();
            let heading = lines.next().unwrap_or_default().to_owned();
            let rest: Vec<String> = lines.map(str::to_owned).collect();
            view! {
                <div role="alert" class="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800">
                    <p>{heading}</p>
                    <Show when={
                        let has_rest = !rest.is_empty();
                        move || has_rest
                    }>
                        <ul class="mt-2 list-disc pl-5" data-testid="refusal-lines">
                            {rest.iter().map(|line| view! { <li>{line.clone()}</li> }).collect_view()}
                        </ul>
                    </Show>
                </div>
            }
            // Erased: every form embeds this, and its full type would push
            // the pages' view types past the compiler's depth limit.
            .into_any()
        })
    }
}

/// A message shown when the page's address has `key=value` in its query:
/// how a server function that redirected says what it did, with or
/// without JavaScript.
#[component]
pub fn Notice(
    /// The query key.
    key: &'static str,
    /// The value that shows the message.
    value: &'static str,
    /// The message.
    message: &'static str,
) -> impl IntoView {
    let query = use_query_map();
    let shown = move || query.read().get(key).as_deref() == Some(value);
    view! {
        <Show when=shown>
            <p role="status" class="mt-6 rounded-lg bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
                {message}
            </p>
        </Show>
    }
}

/// The dark, full-width button that sends a form.
#[component]
pub fn Submit(
    /// Its words.
    label: &'static str,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class="rounded-full bg-stone-900 px-6 py-3 font-medium text-stone-50 hover:bg-stone-700"
        >
            {label}
        </button>
    }
}
