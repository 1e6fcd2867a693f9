//! `/support` and `/support/<id>`: a signed-in customer — a shopper, or a
//! dealer's user from the portal — opens support tickets, reads staff's
//! answers and writes back. A ticket is shown only to the account that
//! opened it (anyone else gets a 404). Staff answer from Customer
//! Management's page. Works without JavaScript.

use super::LoadFailure;
use super::{NotFoundPage, SiteFooter, SiteHeader};
use crate::error::KilnError;
use crate::forms::{Notice, Refusal};
use crate::functions::customers::view::{TicketForm, TicketReplyForm, TicketSummary, TicketView};
use crate::markup::TextArea;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const INPUT: &str = "rounded-lg border border-stone-300 bg-white px-4 py-3 text-base font-normal";

/// The signed-in customer's account and, for a dealer's user, company.
#[cfg(feature = "ssr")]
async fn customer() -> Result<
    (
        kiln_core::identity::AccountId,
        Option<kiln_core::identity::CompanyId>,
    ),
    KilnError,
> {
    use crate::access::Principal;
    match crate::caller::principal().await? {
        Principal::Consumer { account } => Ok((account, None)),
        Principal::Dealer { account, company } => Ok((account, Some(company))),
        _ => Err(KilnError::Rejected(
            "support tickets are for customers: sign in with your shop or trade account".into(),
        )),
    }
}

#[cfg(feature = "ssr")]
fn internal(doing: &str, error: &dyn std::error::Error) -> KilnError {
    tracing::error!(%error, "{doing} failed");
    KilnError::Internal
}

#[cfg(feature = "ssr")]
fn ticket_error(error: crate::functions::customers::service::TicketServiceError) -> KilnError {
    use crate::functions::customers::service::TicketServiceError;
    match error {
        TicketServiceError::Refused(refusal) => KilnError::Rejected(refusal.to_string()),
        TicketServiceError::Store(error) => internal("writing on a ticket", &error),
    }
}

/// The signed-in customer's tickets, most recently active first.
/// `POST /api/support/tickets`.
#[server(prefix = "/api", endpoint = "support/tickets")]
pub async fn my_tickets() -> Result<Vec<TicketSummary>, KilnError> {
    use crate::functions::customers::projection::{self, TicketOwner};
    let state = crate::state::AppState::from_context()?;
    let (account, _) = customer().await?;
    projection::tickets(state.store(), TicketOwner::Account(&account), 100)
        .await
        .map_err(|error| internal("listing a customer's tickets", &error))
}

/// Opens a ticket for the signed-in customer, then shows it.
/// `POST /api/support/open` (form fields `form[subject]`, `form[message]`).
#[server(prefix = "/api", endpoint = "support/open")]
pub async fn open_ticket(form: TicketForm) -> Result<(), KilnError> {
    use crate::functions::customers::decide::TicketCommand;
    use crate::functions::customers::events::{TicketCustomer, TicketId};
    use crate::functions::customers::service;
    use crate::functions::platform_manager::projection as accounts;
    use kiln_core::event::Actor;

    let state = crate::state::AppState::from_context()?;
    let (account, company) = customer().await?;
    let person = accounts::account(state.store(), &account)
        .await
        .map_err(|error| internal("reading a customer's account", &error))?
        .ok_or_else(|| KilnError::Rejected("this account no longer exists".into()))?;
    let ticket = TicketId::generate();
    let command = TicketCommand::Open {
        ticket: ticket.clone(),
        customer: TicketCustomer {
            account: account.clone(),
            company,
            name: person.name,
            email: person.email,
        },
        subject: form.subject,
        message: form.message,
    };
    service::handle_ticket(state.store(), Actor::user(&account), command)
        .await
        .map_err(ticket_error)?;
    leptos_axum::redirect(&format!("/support/{ticket}?opened=1"));
    Ok(())
}

/// The signed-in customer's ticket `ticket` with its thread, or `None`
/// when there is none of theirs by that id.
/// `POST /api/support/ticket` with `{"ticket": "tkt-…"}`.
#[server(prefix = "/api", endpoint = "support/ticket", input = Json)]
pub async fn support_ticket(ticket: String) -> Result<Option<TicketView>, KilnError> {
    use crate::functions::customers::{events::TicketId, projection};
    let state = crate::state::AppState::from_context()?;
    let (account, _) = customer().await?;
    let Ok(ticket) = TicketId::parse(&ticket) else {
        return Ok(None);
    };
    let found = projection::ticket(state.store(), &ticket)
        .await
        .map_err(|error| internal("reading a ticket", &error))?;
    Ok(found
        .filter(|(owner, _)| *owner == account)
        .map(|(_, view)| view))
}

/// The customer writes on their ticket, then back to it.
/// `POST /api/support/reply` (form fields `form[ticket]`, `form[message]`).
#[server(prefix = "/api", endpoint = "support/reply")]
pub async fn reply_to_ticket(form: TicketReplyForm) -> Result<(), KilnError> {
    use crate::functions::customers::decide::TicketCommand;
    use crate::functions::customers::events::{TicketId, TicketParty};
    use crate::functions::customers::service;
    use crate::functions::platform_manager::projection as accounts;
    use kiln_core::event::Actor;

    let state = crate::state::AppState::from_context()?;
    let (account, _) = customer().await?;
    let ticket = TicketId::parse(form.ticket.trim())
        .map_err(|_| KilnError::Rejected("there is no such ticket".into()))?;
    let name = accounts::account(state.store(), &account)
        .await
        .map_err(|error| internal("reading a customer's account", &error))?
        .map(|person| person.name)
        .unwrap_or_default();
    let command = TicketCommand::Reply {
        ticket: ticket.clone(),
        from: TicketParty::Customer,
        account: account.clone(),
        author_name: name,
        message: form.message,
    };
    service::handle_ticket(state.store(), Actor::user(&account), command)
        .await
        .map_err(ticket_error)?;
    leptos_axum::redirect(&format!("/support/{ticket}?replied=1"));
    Ok(())
}

/// `/support`: the customer's tickets and the form to open one.
#[component]
pub fn SupportPage() -> impl IntoView {
    let tickets = Resource::new(|| (), |()| my_tickets());
    let open = ServerAction::<OpenTicket>::new();
    let result = Signal::derive(move || open.value().get());
    view! {
        <Title text="Support" />
        <SiteHeader />
        <main class="mx-auto max-w-4xl px-6 py-16">
            <h1 class="font-serif text-4xl text-stone-900">"Support"</h1>
            <p class="mt-3 text-stone-600">
                "A question about an order, a product or your account? Write to us here; we answer on this page and by email."
            </p>
            <Suspense fallback=|| view! { <p class="mt-10 text-stone-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tickets.await {
                        Ok(tickets) => view! { <TicketList tickets /> }.into_any(),
                        Err(error) => view! { <LoadFailure error /> }.into_any(),
                    }
                })}
            </Suspense>
            <section class="mt-12 rounded-2xl border border-stone-200 bg-white p-6">
                <h2 class="font-serif text-2xl text-stone-900">"Open a ticket"</h2>
                <ActionForm action=open attr:class="mt-4 flex flex-col gap-4">
                    <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
                        "Subject"
                        <input type="text" name="form[subject]" required maxlength="200" class=INPUT />
                    </label>
                    <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
                        "Your message"
                        <TextArea name="form[message]" rows=5 required=true maxlength=5000 class=INPUT />
                    </label>
                    <Refusal result />
                    <button type="submit" class="self-start rounded-full bg-stone-900 px-8 py-3 font-medium text-stone-50 hover:bg-stone-700">
                        "Send"
                    </button>
                </ActionForm>
            </section>
        </main>
        <SiteFooter />
    }
}

#[component]
fn TicketList(tickets: Vec<TicketSummary>) -> impl IntoView {
    if tickets.is_empty() {
        return view! { <p class="mt-10 text-stone-600">"You have no tickets."</p> }.into_any();
    }
    view! {
        <ul class="mt-10 divide-y divide-stone-200 rounded-2xl border border-stone-200 bg-white" data-testid="my-tickets">
            {tickets
                .into_iter()
                .map(|ticket| {
                    let url = ticket.url();
                    view! {
                        <li class="flex items-center justify-between gap-4 px-5 py-4" data-ticket=ticket.ticket.to_string()>
                            <a href=url class="font-medium text-amber-800 underline">{ticket.subject}</a>
                            <span class="text-sm text-stone-600">{status_label(&ticket.status)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
        .into_any()
}

/// What a customer reads for a ticket's status.
fn status_label(status: &str) -> &'static str {
    match status {
        "open" => "Waiting for our answer",
        "answered" => "Answered",
        "closed" => "Closed",
        _ => "Unknown",
    }
}

/// `/support/<id>`: one of the customer's tickets with its thread.
#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let ticket = Memo::new(move |_| params.read().get("ticket").unwrap_or_default());
    let loaded = Resource::new(move || ticket.get(), support_ticket);
    view! {
        <Suspense fallback=|| view! { <p class="p-10 text-stone-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(Some(ticket)) => view! { <TicketThread ticket /> }.into_any(),
                    Ok(None) => view! { <NotFoundPage /> }.into_any(),
                    Err(error) => {
                        view! {
                            <SiteHeader />
                            <p role="alert" class="m-10 rounded-lg bg-red-50 px-4 py-3 text-red-800">
                                {error.to_string()}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn TicketThread(ticket: TicketView) -> impl IntoView {
    let reply = ServerAction::<ReplyToTicket>::new();
    let result = Signal::derive(move || reply.value().get());
    let summary = ticket.summary;
    let id = summary.ticket.to_string();
    let marker = id.clone();
    let closed = summary.status == "closed";
    view! {
        <Title text=summary.subject.clone() />
        <SiteHeader />
        <main class="mx-auto max-w-3xl px-6 py-16" data-ticket=marker>
            <p class="text-sm font-semibold uppercase tracking-widest text-amber-800">
                <a href="/support" class="hover:underline">"Support"</a>
            </p>
            <h1 class="mt-2 font-serif text-3xl text-stone-900">{summary.subject}</h1>
            <p class="mt-2 text-sm text-stone-600" data-field="status">{status_label(&summary.status)}</p>
            <Notice key="opened" value="1" message="Your ticket is open. We answer here, usually within a working day." />
            <ol class="mt-8 flex flex-col gap-4" data-testid="ticket-thread">
                {ticket
                    .messages
                    .into_iter()
                    .map(|message| {
                        let (class, who) = if message.from_staff {
                            ("rounded-2xl border border-emerald-200 bg-emerald-50 p-5", "Fenwick Clayworks")
                        } else {
                            ("rounded-2xl border border-stone-200 bg-white p-5", "You")
                        };
                        let when = message.written_at.get(..16).unwrap_or(&message.written_at).replace('T', " ");
                        view! {
                            <li class=class data-from=if message.from_staff { "staff" } else { "customer" }>
                                <p class="text-sm text-stone-500">
                                    {format!("{who} · {} · {when} UTC", message.author_name)}
                                </p>
                                <p class="mt-2 whitespace-pre-line text-stone-800">{message.message}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            {(!closed)
                .then(|| {
                    view! {
                        <ActionForm action=reply attr:class="mt-8 flex flex-col gap-4">
                            <input type="hidden" name="form[ticket]" value=id />
                            <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
                                "Write back"
                                <TextArea name="form[message]" rows=4 required=true maxlength=5000 class=INPUT />
                            </label>
                            <Refusal result />
                            <button type="submit" class="self-start rounded-full bg-stone-900 px-8 py-3 font-medium text-stone-50 hover:bg-stone-700">
                                "Send"
                            </button>
                        </ActionForm>
                    }
                })}
        </main>
        <SiteFooter />
    }
    .into_any()
}
