//! Decision cards: what agents proposed to a function, for people to
//! approve or reject, and what was decided lately. The card is the same on
//! every function's page; the approve and reject forms are the function's
//! own (each function carries out its own commands).

use kiln_core::decision::{DecisionCard, DecisionStatus, Risk};
use kiln_core::function::BusinessFunction;
use leptos::prelude::*;

/// The function's decisions: those waiting first, each with its verdict
/// forms, then the newest decided.
#[component]
pub fn DecisionCards(function: BusinessFunction, decisions: Vec<DecisionCard>) -> impl IntoView {
    let waiting = decisions
        .iter()
        .filter(|card| card.status == DecisionStatus::Pending)
        .count();
    view! {
        <section class="mt-10" data-section="decisions" aria-labelledby="decisions-heading">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="decisions-heading" class="text-lg font-semibold text-stone-900">"Decisions"</h2>
                <p class="text-xs text-stone-500" data-field="waiting">
                    {format!("{waiting} waiting for a person")}
                </p>
            </div>
            {decision_notice()}
            {if decisions.is_empty() {
                view! {
                    <p class="mt-3 rounded-xl border border-dashed border-stone-300 p-6 text-sm text-stone-600">
                        {format!(
                            "No proposal has been made to {} yet. Agents propose through this function's JSON endpoints; people approve here.",
                            function.title()
                        )}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <div class="mt-3 grid gap-4 lg:grid-cols-2">
                        {decisions.into_iter().map(|card| view! { <Card card /> }).collect_view()}
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
    .into_any()
}

/// What the page says after a verdict (`?decision=approved|rejected|held`).
fn decision_notice() -> impl IntoView {
    use crate::forms::Notice;
    view! {
        <Notice key="decision" value="approved" message="Approved: the change is carried out and recorded with the decision." />
        <Notice key="decision" value="rejected" message="Rejected: nothing changes; the reason is recorded for the proposer." />
        <Notice key="decision" value="reversed" message="Reversed: the price is back to what it was before the agent changed it, and the reason is recorded." />
        <Notice key="decision" value="held" message="The verdict is recorded, but what it changes waits in the Database Manager's quarantine until someone releases it: an event check flagged it, or an earlier change of the same record waits there. Until then the business runs on things as they were." />
    }
}

/// One decision.
#[component]
fn Card(card: DecisionCard) -> impl IntoView {
    let DecisionCard {
        decision,
        function,
        summary,
        reasoning,
        change,
        agents_involved,
        data_considered,
        risk,
        proposed_by,
        proposed_at,
        status,
        decided_by,
        decided_at,
        comment,
        stream,
        reversal,
    } = card;
    let (risk_label, risk_class) = match risk {
        Risk::Low => ("Low risk", "bg-emerald-100 text-emerald-800"),
        Risk::Medium => ("Medium risk", "bg-amber-100 text-amber-900"),
        Risk::High => ("High risk", "bg-rose-100 text-rose-800"),
    };
    let (status_label, border) = match status {
        DecisionStatus::Pending => ("Waiting for a person", "border-amber-300"),
        DecisionStatus::Approved => ("Approved", "border-stone-200"),
        DecisionStatus::Rejected => ("Rejected", "border-stone-200"),
        DecisionStatus::CarriedOutAutomatically => ("Carried out automatically", "border-sky-300"),
    };
    // A reversed decision no longer stands: its badge says so, and its
    // border no longer draws the eye.
    let (badge, border) = if reversal.is_some() {
        (format!("{status_label}, then reversed"), "border-stone-200")
    } else {
        (status_label.to_owned(), border)
    };
    let agents = agents_involved
        .iter()
        .map(|function| format!("agent:{}", function.slug()))
        .collect::<Vec<_>>()
        .join(", ");
    let history = super::shell::stream_url(&stream);
    let verdict = match (status, decided_by, decided_at) {
        (DecisionStatus::Pending, _, _) => None,
        (_, by, at) => Some(format!(
            "{status_label} by {} · {}",
            by.unwrap_or_default(),
            at.unwrap_or_default()
        )),
    };
    let forms = match (status, &reversal, function) {
        (
            DecisionStatus::Pending,
            _,
            BusinessFunction::Category
            | BusinessFunction::Customers
            | BusinessFunction::PlatformManager,
        ) => Some(view! { <VerdictForms function decision=decision.to_string() /> }.into_any()),
        (DecisionStatus::CarriedOutAutomatically, None, BusinessFunction::Category) => Some(
            view! { <crate::functions::category::page::ReversalForm decision=decision.to_string() /> }
                .into_any(),
        ),
        _ => None,
    };
    let reversal = reversal.map(|reversal| {
        view! {
            <p class="mt-3 border-t border-stone-100 pt-3 text-xs text-stone-600" data-field="reversal">
                {format!("Reversed by {} · {}", reversal.by, reversal.at)}
            </p>
            <p class="mt-1 text-sm text-stone-700">{format!("“{}”", reversal.comment)}</p>
        }
    });
    view! {
        <article
            id=decision.to_string()
            class=format!("rounded-xl border-2 {border} bg-white p-5 target:ring-2 target:ring-amber-400")
            data-decision=decision.to_string()
            data-status=status.as_str()
        >
            <div class="flex flex-wrap items-center gap-2">
                <span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {risk_class}") data-field="risk">
                    {risk_label}
                </span>
                <span class="rounded-full bg-stone-100 px-2 py-0.5 text-xs text-stone-700" data-field="status">
                    {badge}
                </span>
                <span class="ml-auto text-xs text-stone-400">{decision.to_string()}</span>
            </div>
            <h3 class="mt-3 font-medium text-stone-900" data-field="summary">{summary}</h3>
            <p class="mt-1 text-sm font-semibold text-stone-800" data-field="change">{change}</p>
            {(!reasoning.is_empty()).then(|| view! { <p class="mt-2 text-sm text-stone-600">{reasoning}</p> })}
            <dl class="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
                <dt class="text-stone-500">"Proposed by"</dt>
                <dd class="text-stone-800" data-field="proposed-by">{format!("{proposed_by} · {proposed_at}")}</dd>
                <dt class="text-stone-500">"Agents involved"</dt>
                <dd class="text-stone-800" data-field="agents">{agents}</dd>
                <dt class="text-stone-500">"Data considered"</dt>
                <dd class="text-stone-800">
                    {if data_considered.is_empty() {
                        view! { <span class="text-stone-500">"None given"</span> }.into_any()
                    } else {
                        view! {
                            <ul class="flex flex-col gap-0.5">
                                {data_considered
                                    .into_iter()
                                    .map(|data| {
                                        view! {
                                            <li>
                                                <a href=data.href class="text-amber-800 hover:underline" data-field="data">
                                                    {data.label}
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                </dd>
                <dt class="text-stone-500">"History"</dt>
                <dd><a href=history class="text-amber-800 hover:underline">{stream}</a></dd>
            </dl>
            {verdict
                .map(|verdict| {
                    view! {
                        <p class="mt-3 border-t border-stone-100 pt-3 text-xs text-stone-600" data-field="verdict">
                            {verdict}
                        </p>
                    }
                })}
            {(!comment.is_empty()).then(|| view! { <p class="mt-1 text-sm text-stone-700" data-field="comment">{format!("“{comment}”")}</p> })}
            {reversal}
            {forms}
        </article>
    }
    .into_any()
}

/// A waiting proposal's verdict forms: approve (a comment is optional) and
/// reject (saying why), sent to the function that owns the decision, which
/// carries out its own commands.
#[component]
fn VerdictForms(function: BusinessFunction, decision: String) -> impl IntoView {
    view! {
        <div class="mt-4 flex flex-col gap-3 border-t border-stone-100 pt-4">
            <VerdictForm
                function
                decision=decision.clone()
                verdict="approve"
                comment_label="Comment (optional)"
                button="Approve"
                button_class="rounded-lg bg-emerald-800 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700"
            />
            <VerdictForm
                function
                decision
                verdict="reject"
                comment_label="Why not"
                button="Reject"
                button_class="rounded-lg border border-stone-300 px-4 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100"
            />
        </div>
    }
}

/// One verdict on a proposal, with its comment and its refusal, posted to
/// the endpoint of `function` (Category Management, Customer Management or
/// the Platform Manager).
#[component]
fn VerdictForm(
    function: BusinessFunction,
    decision: String,
    verdict: &'static str,
    comment_label: &'static str,
    button: &'static str,
    button_class: &'static str,
) -> impl IntoView {
    use crate::forms::Refusal;
    // The fields are the same for every function; only the endpoint differs.
    let fields = move |result: Signal<Option<Result<(), crate::error::KilnError>>>| {
        view! {
            <input type="hidden" name="form[decision]" value=decision.clone() />
            <input type="hidden" name="form[verdict]" value=verdict />
            <label class="flex flex-1 flex-col gap-1 text-sm font-medium text-stone-800">
                {comment_label}
                <input type="text" name="form[comment]" maxlength="2000" class=crate::form_style::INPUT />
            </label>
            <button type="submit" class=button_class>{button}</button>
            <div class="w-full"><Refusal result /></div>
        }
    };
    let class = "flex flex-wrap items-end gap-3";
    match function {
        BusinessFunction::Customers => {
            let decide = ServerAction::<
                crate::functions::customers::endpoints::DecideApplicationProposal,
            >::new();
            let result = Signal::derive(move || decide.value().get());
            view! { <ActionForm action=decide attr:class=class attr:data-verdict=verdict>{fields(result)}</ActionForm> }
                .into_any()
        }
        BusinessFunction::PlatformManager => {
            let decide = ServerAction::<
                crate::functions::platform_manager::endpoints::DecideTriageProposal,
            >::new();
            let result = Signal::derive(move || decide.value().get());
            view! { <ActionForm action=decide attr:class=class attr:data-verdict=verdict>{fields(result)}</ActionForm> }
                .into_any()
        }
        _ => {
            let decide =
                ServerAction::<crate::functions::category::endpoints::DecidePriceProposal>::new();
            let result = Signal::derive(move || decide.value().get());
            view! { <ActionForm action=decide attr:class=class attr:data-verdict=verdict>{fields(result)}</ActionForm> }
                .into_any()
        }
    }
}
