//! The Platform Manager's parts of the staff pages: the form that raises a
//! change request (on every function's page), the list of change
//! requests, the triage form and the form that issues API tokens (on the
//! Platform Manager's page). The change request forms post to server
//! functions and work without JavaScript.

use super::endpoints::{
    ChangeRole, IssueApiToken, RaiseChangeRequest, RevokeApiTokenForm, SetAutonomyPolicy,
    TriageChangeRequest,
};
use super::events::{TriageStatus, Urgency};
use super::view::IssueTokenRequest;
use crate::form_style::{BUTTON, INPUT, LABEL};
use crate::forms::{Notice, Refusal};
use crate::functions::view::{ChangeRequestView, DataTable};
use crate::markup::TextArea;
use kiln_core::function::BusinessFunction;
use leptos::prelude::*;

/// "Raise a change request": what should change on this function's page,
/// its impact and urgency, sent to the Platform Manager.
#[component]
pub fn RaiseChangeRequestForm(function: BusinessFunction) -> impl IntoView {
    let raise = ServerAction::<RaiseChangeRequest>::new();
    let result = Signal::derive(move || raise.value().get());
    let form = NodeRef::<leptos::html::Form>::new();
    let details = NodeRef::<leptos::html::Details>::new();
    // The page stays in place after a request is raised (and when moving
    // to another function's page), so the form empties and folds itself.
    Effect::new(move |_| {
        if let Some(Ok(())) = raise.value().get() {
            if let Some(form) = form.get() {
                form.reset();
            }
            if let Some(details) = details.get() {
                details.set_open(false);
            }
        }
    });
    view! {
        <details node_ref=details class="mt-10 rounded-xl border border-stone-200 bg-white p-5" data-raise-change="">
            <summary class="cursor-pointer text-sm font-semibold text-stone-900">
                "Raise a change request"
            </summary>
            <p class="mt-2 text-sm text-stone-600">
                "Ask for Kiln to change: something missing or wrong on this page. The Platform Manager triages every request."
            </p>
            <ActionForm action=raise node_ref=form attr:class="mt-4 grid gap-4 md:grid-cols-2">
                <input type="hidden" name="form[function]" value=function.slug() />
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800 md:col-span-2">
                    "What should change"
                    <input type="text" name="form[title]" required maxlength="200" class=INPUT />
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800 md:col-span-2">
                    "Impact: what gets better, or what hurts without it"
                    <TextArea name="form[impact]" rows=3 required=true maxlength=2000 class=INPUT />
                </label>
                <label class=LABEL>
                    "Urgency"
                    <select name="form[urgency]" class=INPUT>
                        {Urgency::ALL
                            .into_iter()
                            .map(|urgency| {
                                view! {
                                    <option value=urgency.as_str() selected=urgency == Urgency::Normal>
                                        {urgency.as_str()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <div class="flex items-end justify-end">
                    <button type="submit" class=BUTTON>
                        "Raise the request"
                    </button>
                </div>
                <div class="md:col-span-2">
                    <Refusal result />
                </div>
            </ActionForm>
        </details>
        <Notice key="raised" value="1" message="Your change request is raised; it is listed below." />
    }
}

/// The change requests, newest first.
#[component]
pub fn ChangeRequestList(
    /// The requests.
    requests: Vec<ChangeRequestView>,
    /// Whether to show which function each concerns (the Platform
    /// Manager's page lists every function's).
    every_function: bool,
) -> impl IntoView {
    let count = requests.len();
    view! {
        <section class="mt-10" data-table="change-requests">
            <div class="flex items-baseline justify-between">
                <h2 class="text-lg font-semibold text-stone-900">"Change requests"</h2>
                <p class="text-xs text-stone-500" data-field="rows">{format!("{count} rows")}</p>
            </div>
            {if requests.is_empty() {
                view! { <p class="mt-3 rounded-xl border border-dashed border-stone-300 p-6 text-sm text-stone-600">"No change request has been raised here."</p> }
                    .into_any()
            } else {
                view! {
                    <ul class="mt-3 divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white">
                        {requests
                            .into_iter()
                            .map(|request| {
                                let function = every_function.then(|| request.function.title());
                                view! {
                                    <li class="px-4 py-3 text-sm" data-request=request.request.clone()>
                                        <div class="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                                            <span class="font-medium text-stone-900">{request.title}</span>
                                            <span class="rounded-full bg-stone-100 px-2 py-0.5 text-xs text-stone-700" data-field="status">
                                                {request.status.as_str()}
                                            </span>
                                            <span class="text-xs text-stone-500">{format!("urgency {}", request.urgency.as_str())}</span>
                                            <span class="text-xs text-stone-500">{function}</span>
                                            <span class="text-xs text-stone-400 sm:ml-auto">
                                                {format!("{} · {}", request.raised_by, request.raised_at)}
                                            </span>
                                        </div>
                                        <p class="mt-1 text-stone-600">{request.impact}</p>
                                        {(!request.note.is_empty())
                                            .then(|| view! { <p class="mt-1 text-xs text-stone-500">{format!("Triage note: {}", request.note)}</p> })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

/// The Platform Manager's triage form: move an open request on, with a
/// note.
#[component]
pub fn TriageForm(requests: Vec<ChangeRequestView>) -> impl IntoView {
    let triage = ServerAction::<TriageChangeRequest>::new();
    let result = Signal::derive(move || triage.value().get());
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(form)) = (triage.value().get(), form.get()) {
            form.reset();
        }
    });
    let open: Vec<ChangeRequestView> = requests
        .into_iter()
        .filter(|request| !matches!(request.status, TriageStatus::Done | TriageStatus::Declined))
        .collect();
    (!open.is_empty()).then(|| {
        view! {
            <section class="mt-10 rounded-xl border border-stone-200 bg-white p-5" data-triage="">
                <h2 class="text-lg font-semibold text-stone-900">"Triage"</h2>
                <ActionForm action=triage node_ref=form attr:class="mt-4 grid gap-4 md:grid-cols-4">
                    <label class="flex flex-col gap-1 text-sm font-medium text-stone-800 md:col-span-2">
                        "Change request"
                        <select name="form[request]" class=INPUT>
                            {open
                                .into_iter()
                                .map(|request| {
                                    view! {
                                        <option value=request.request.clone()>
                                            {format!("{} ({})", request.title, request.status.as_str())}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class=LABEL>
                        "Now"
                        <select name="form[status]" class=INPUT>
                            {[
                                TriageStatus::Accepted,
                                TriageStatus::Scheduled,
                                TriageStatus::Done,
                                TriageStatus::Declined,
                            ]
                                .into_iter()
                                .map(|status| view! { <option value=status.as_str()>{status.as_str()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label class=LABEL>
                        "Note"
                        <input type="text" name="form[note]" maxlength="2000" class=INPUT />
                    </label>
                    <div class="md:col-span-4 flex items-center justify-between gap-4">
                        <Refusal result />
                        <button type="submit" class="ml-auto rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700">
                            "Save the triage"
                        </button>
                    </div>
                </ActionForm>
                <Notice key="triaged" value="1" message="The change request is updated." />
            </section>
        }
    })
}

/// "Issue an API token": for a function's own agent or an external
/// agent, labelled with what it is for. The secret is shown here once and
/// never again, so this form needs JavaScript (it stays on the page to
/// show it). Only administrators may issue tokens; the server refuses
/// anyone else with a message shown here.
#[component]
pub fn IssueTokenForm() -> impl IntoView {
    // The staff page provides the action: the token's own event reloads
    // the page and makes this form anew, and the secret must outlive that.
    let issue = use_context::<ServerAction<IssueApiToken>>().unwrap_or_default();
    let holder = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let pending = issue.pending();
    // The button works only once the form has hydrated (the secret must
    // stay on the page, so there is no form post to fall back to); until
    // then it says so by being disabled rather than ignoring a press.
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    let holders: Vec<(String, String)> = BusinessFunction::ALL
        .into_iter()
        .flat_map(|function| {
            let slug = function.slug();
            let title = function.title();
            let own_agent = function
                .has_agent()
                .then(|| (format!("agent:{slug}"), format!("{title}: its own agent")));
            own_agent.into_iter().chain([
                (
                    format!("{slug}:read"),
                    format!("{title}: an outside agent that reads"),
                ),
                (
                    format!("{slug}:propose"),
                    format!("{title}: an outside agent that proposes"),
                ),
            ])
        })
        .collect();
    view! {
        <section class="mt-10 rounded-xl border border-stone-200 bg-white p-5" data-form="issue-token">
            <h2 class="text-lg font-semibold text-stone-900">"Issue an API token"</h2>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">
                "For an agent that calls Kiln's JSON endpoints. Its secret is shown once, here; Kiln keeps only a digest of it."
            </p>
            <div class="mt-4 grid gap-4 md:grid-cols-3">
                <label class=LABEL>
                    "Who holds it"
                    <select
                        class=INPUT
                        on:change=move |event| holder.set(event_target_value(&event))
                        prop:value=move || holder.get()
                    >
                        <option value="">"Choose…"</option>
                        {holders
                            .into_iter()
                            .map(|(value, text)| view! { <option value=value>{text}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800 md:col-span-2">
                    "What it is for"
                    <input
                        type="text"
                        maxlength="200"
                        class=INPUT
                        placeholder="pricing bot"
                        on:input=move |event| label.set(event_target_value(&event))
                        prop:value=move || label.get()
                    />
                </label>
            </div>
            <div class="mt-4 flex flex-wrap items-center gap-4">
                <button
                    type="button"
                    class="rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700 disabled:opacity-50"
                    disabled=move || pending.get() || !interactive.get()
                    on:click=move |_| {
                        issue.dispatch(IssueApiToken {
                            request: IssueTokenRequest {
                                holder: holder.get_untracked(),
                                label: label.get_untracked(),
                            },
                        });
                    }
                >
                    "Issue the token"
                </button>
                {move || match issue.value().get() {
                    None => None,
                    Some(Ok(issued)) => {
                        Some(
                            view! {
                                <div class="w-full rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900" role="status">
                                    <p>
                                        {format!("Token {} issued to {}. Copy its secret now: it is not shown again.", issued.token, issued.holder)}
                                    </p>
                                    <code class="mt-2 block break-all rounded bg-white p-2 font-mono text-xs text-stone-900" data-field="secret">
                                        {issued.secret}
                                    </code>
                                </div>
                            }
                                .into_any(),
                        )
                    }
                    Some(Err(error)) => {
                        Some(
                            view! {
                                <p role="alert" class="text-sm text-red-800">{error.to_string()}</p>
                            }
                                .into_any(),
                        )
                    }
                }}
            </div>
        </section>
    }
    .into_any()
}

/// "Revoke an API token": one of the live tokens of the page's token
/// table (columns token, holder, label, status) stops working at once.
/// Administrators only; works without JavaScript.
#[component]
pub fn RevokeTokenForm(tokens: DataTable) -> impl IntoView {
    let revoke = ServerAction::<RevokeApiTokenForm>::new();
    let result = Signal::derive(move || revoke.value().get());
    let live: Vec<(String, String)> = tokens
        .rows
        .into_iter()
        .filter_map(|row| match row.as_slice() {
            [token, holder, label, status] if status == "live" => {
                Some((token.clone(), format!("{token} · {holder} · {label}")))
            }
            _ => None,
        })
        .collect();
    view! {
        <section class="mt-10 rounded-xl border border-stone-200 bg-white p-5" data-form="revoke-token">
            <h2 class="text-lg font-semibold text-stone-900">"Revoke an API token"</h2>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">
                "The token stops working at once; the agent holding it is refused from its next request. Revoking is an event in the log and cannot be undone: issue a new token instead."
            </p>
            <Notice key="token_revoked" value="1" message="The token is revoked." />
            {if live.is_empty() {
                view! { <p class="mt-3 text-sm text-stone-600">"No live token."</p> }.into_any()
            } else {
                view! {
                    <ActionForm action=revoke attr:class="mt-4 flex flex-wrap items-end gap-4">
                        <label class="flex flex-1 flex-col gap-1 text-sm font-medium text-stone-800">
                            "Token"
                            <select name="request[token]" class=INPUT>
                                {live
                                    .into_iter()
                                    .map(|(token, text)| view! { <option value=token>{text}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <button type="submit" class="rounded-lg border border-red-300 px-4 py-2 text-sm font-medium text-red-800 hover:bg-red-50">
                            "Revoke the token"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            }}
            // Outside the form: a refusal (a token revoked meanwhile) shows
            // even when no live token is left to offer.
            <div class="mt-3"><Refusal result /></div>
        </section>
    }
    .into_any()
}

/// "Grant or revoke a role": gives a staff member a role (`admin`, or a
/// capability in one function), or takes it away. Administrators only; the
/// form posts to a server function and works without JavaScript.
#[component]
pub fn RoleChangeForm() -> impl IntoView {
    let change = ServerAction::<ChangeRole>::new();
    let result = Signal::derive(move || change.value().get());
    let roles: Vec<String> = std::iter::once("admin".to_owned())
        .chain(BusinessFunction::ALL.into_iter().flat_map(|function| {
            ["view", "operate", "approve"]
                .map(|capability| format!("{}:{capability}", function.slug()))
        }))
        .collect();
    view! {
        <section class="mt-10 rounded-xl border border-stone-200 bg-white p-5" data-form="role-change">
            <h2 class="text-lg font-semibold text-stone-900">"Grant or revoke a role"</h2>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">
                "A role lets a member of staff view, operate or approve in one function's page and commands; admin lets them do everything. Each change is an event in the log."
            </p>
            <ActionForm action=change attr:class="mt-4 grid gap-4 md:grid-cols-4">
                <label class="flex flex-col gap-1 text-sm font-medium text-stone-800 md:col-span-2">
                    "Staff member's email"
                    <input type="email" name="form[email]" required maxlength="254" class=INPUT />
                </label>
                <label class=LABEL>
                    "Role"
                    <select name="form[role]" class=INPUT>
                        {roles
                            .into_iter()
                            .map(|role| view! { <option value=role.clone()>{role.clone()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class=LABEL>
                    "Change"
                    <select name="form[change]" class=INPUT>
                        <option value="grant">"grant"</option>
                        <option value="revoke">"revoke"</option>
                    </select>
                </label>
                <div class="flex items-center justify-between gap-4 md:col-span-4">
                    <Refusal result />
                    <button type="submit" class="ml-auto rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700">
                        "Save the role"
                    </button>
                </div>
            </ActionForm>
            <Notice key="role_changed" value="1" message="The role is changed; the grant is listed below." />
        </section>
    }
    .into_any()
}

/// "Autonomy": how far agents may go on their own with each kind of
/// decision (administrators only; the table above lists the policies).
#[component]
pub fn AutonomyPolicyForm() -> impl IntoView {
    let set = ServerAction::<SetAutonomyPolicy>::new();
    let result = Signal::derive(move || set.value().get());
    view! {
        <section class="mt-10 rounded-xl border border-stone-200 bg-white p-5" data-autonomy="">
            <h2 class="text-lg font-semibold text-stone-900">"Autonomy"</h2>
            <p class="mt-1 text-sm text-stone-600">
                "How far a function's agent may carry out its own proposals without a person. Every kind starts at “always ask”; high-risk kinds stay there."
            </p>
            <ActionForm action=set attr:class="mt-4 grid gap-4 md:grid-cols-5">
                <label class=format!("{LABEL} md:col-span-2")>
                    "Kind of decision"
                    <select name="form[kind]" class=INPUT>
                        {crate::agents::kinds::DECISION_KINDS
                            .iter()
                            .map(|kind| view! {
                                <option value=kind.slug>{format!("{} ({})", kind.title, kind.function.title())}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class=LABEL>
                    "Policy"
                    <select name="form[policy]" class=INPUT>
                        <option value="always_ask">"always ask"</option>
                        <option value="carry_out_below">"carry out below a limit"</option>
                        <option value="carry_out">"carry out"</option>
                    </select>
                </label>
                <label class=LABEL>
                    "Limit, % (for “below a limit”)"
                    <input type="text" name="form[limit_percent]" inputmode="decimal" maxlength="8" class=INPUT />
                </label>
                <div class="flex items-end justify-between gap-4">
                    <Refusal result />
                    <button type="submit" class=BUTTON>"Set the policy"</button>
                </div>
            </ActionForm>
            <Notice key="changed" value="autonomy" message="The autonomy policy is set." />
        </section>
    }
}

/// What the Platform Manager's page shows after every function's change
/// requests: the triage form, autonomy policies, role changes, and issuing
/// and revoking API tokens.
pub fn closing_controls(page: &crate::functions::view::FunctionPage) -> AnyView {
    let requests = page.change_requests.clone();
    let tokens = page.table("api-tokens").cloned();
    view! {
        <TriageForm requests />
        <AutonomyPolicyForm />
        <RoleChangeForm />
        <IssueTokenForm />
        {tokens.map(|tokens| view! { <RevokeTokenForm tokens /> })}
    }
    .into_any()
}
