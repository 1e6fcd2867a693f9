//! What Quality's page adds to the shared function page: the form that
//! raises a non-conformance. Works without JavaScript.

use super::decide::{MAX_DESCRIPTION, MAX_SUBJECT};
use super::endpoints::RaiseNonConformance;
use crate::form_style::{INPUT, LABEL};
use crate::forms::{Notice, Refusal};
use crate::functions::view::Choice;
use crate::markup::TextArea;
use leptos::prelude::*;

/// Raise a non-conformance: its source, subject and description.
#[component]
pub fn RaiseNonConformanceForm(
    /// The sources (value: `supplier`, …).
    sources: Vec<Choice>,
) -> impl IntoView {
    let raise = ServerAction::<RaiseNonConformance>::new();
    let result = Signal::derive(move || raise.value().get());
    view! {
        <section class="mt-10 lg:max-w-xl" data-commands="quality">
            <Notice key="non-conformance" value="raised" message="The non-conformance is raised: it is listed below." />
            <div class="rounded-xl border border-stone-200 bg-white p-5">
                <h2 class="text-lg font-semibold text-stone-900">"Raise a non-conformance"</h2>
                <p class="mt-1 text-sm text-stone-600">"Something that does not meet its standard: a supplier's material, a process, a finished product, or what a customer found."</p>
                <ActionForm action=raise attr:class="mt-4 flex flex-col gap-4">
                    <label class=LABEL>
                        "Source"
                        <select name="form[source]" class=INPUT>
                            {sources
                                .into_iter()
                                .map(|choice| view! { <option value=choice.value>{choice.label}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label class=LABEL>
                        "What does not conform"
                        <input type="text" name="form[subject]" required maxlength=MAX_SUBJECT class=INPUT />
                    </label>
                    <label class=LABEL>
                        "How it was found, what was seen"
                        <TextArea name="form[description]" rows=3 maxlength=MAX_DESCRIPTION class=INPUT />
                    </label>
                    <Refusal result />
                    <button type="submit" class="self-start rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700">
                        "Raise it"
                    </button>
                </ActionForm>
            </div>
        </section>
    }
    .into_any()
}

/// What Quality's page shows above its tables: the form that raises a
/// non-conformance.
pub fn controls(page: &crate::functions::view::FunctionPage) -> AnyView {
    let sources = page.choice("non-conformance-sources");
    view! { <RaiseNonConformanceForm sources /> }.into_any()
}
