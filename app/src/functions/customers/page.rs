//! What Customer Management's page adds to the shared function page: a
//! card per dealer application awaiting review, with its approve (at a
//! tier) and decline (with a reason) buttons, and a card per support
//! ticket waiting for staff, with its answer and close buttons, and the
//! forms that offer and withdraw dealers' promotional prices. Works
//! without JavaScript.

use super::endpoints::{
    AnswerTicket, CloseTicket, DecideDealerApplicationForm, FlagTicket, OfferDealerPromotion,
    WithdrawDealerPromotion,
};
use super::events::DealerTier;
use crate::form_style::{INPUT, LABEL};
use crate::forms::{Notice, Refusal};
use crate::functions::view::{Choice, DataTable};
use crate::markup::TextArea;
use leptos::prelude::*;

/// The pending applications of the page's onboarding table (columns
/// application, business, contact, email, status), each with its decision.
#[component]
pub fn ApplicationDecisions(pipeline: DataTable) -> impl IntoView {
    let cards: Vec<AnyView> = pipeline
        .rows
        .into_iter()
        .filter_map(|row| match row.as_slice() {
            [application, business, contact, email, status] if status == "pending" => Some(
                view! {
                    <ApplicationCard
                        application=application.clone()
                        business=business.clone()
                        contact=contact.clone()
                        email=email.clone()
                    />
                }
                .into_any(),
            ),
            _ => None,
        })
        .collect();
    view! {
        <CardSection commands="customers" title="Applications awaiting review" empty="No application is waiting." cards>
            <Notice key="decided" value="approved" message="Approved: the company is open and its first user has a link to choose a password." />
            <Notice key="decided" value="declined" message="Declined; the reason is recorded." />
        </CardSection>
    }
    .into_any()
}

/// A heading with the notices of its forms, then its cards two by two, or
/// a line saying there are none.
#[component]
fn CardSection(
    /// What the section's forms act on (`data-commands`).
    commands: &'static str,
    /// The heading.
    title: &'static str,
    /// What it says when there is no card.
    empty: &'static str,
    /// The cards.
    cards: Vec<AnyView>,
    /// The notices its forms' redirects show.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="mt-10" data-commands=commands>
            <h2 class="text-lg font-semibold text-stone-900">{title}</h2>
            {children()}
            {if cards.is_empty() {
                view! { <p class="mt-3 text-sm text-stone-600">{empty}</p> }.into_any()
            } else {
                view! { <div class="mt-4 grid gap-4 lg:grid-cols-2">{cards}</div> }.into_any()
            }}
        </section>
    }
}

#[component]
fn ApplicationCard(
    application: String,
    business: String,
    contact: String,
    email: String,
) -> impl IntoView {
    let approve = ServerAction::<DecideDealerApplicationForm>::new();
    let approve_result = Signal::derive(move || approve.value().get());
    let decline = ServerAction::<DecideDealerApplicationForm>::new();
    let decline_result = Signal::derive(move || decline.value().get());
    let (for_approve, for_decline) = (application.clone(), application.clone());
    view! {
        <article class="rounded-xl border border-stone-200 bg-white p-5" data-application=application>
            <h3 class="font-medium text-stone-900">{business}</h3>
            <p class="text-sm text-stone-600">{format!("{contact} · {email}")}</p>
            <ActionForm action=approve attr:class="mt-4 flex flex-wrap items-end gap-3">
                <input type="hidden" name="decision[application]" value=for_approve />
                <input type="hidden" name="decision[decision]" value="approve" />
                <label class=LABEL>
                    "Price tier"
                    <select name="decision[tier]" class=INPUT>
                        {DealerTier::ALL
                            .into_iter()
                            .map(|tier| {
                                view! {
                                    <option value=tier.as_str()>
                                        {format!("{tier} ({}% off)", tier.discount_percent())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class="rounded-lg bg-emerald-800 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700">
                    "Approve"
                </button>
                <div class="w-full"><Refusal result=approve_result /></div>
            </ActionForm>
            <ActionForm action=decline attr:class="mt-3 flex flex-wrap items-end gap-3">
                <input type="hidden" name="decision[application]" value=for_decline />
                <input type="hidden" name="decision[decision]" value="decline" />
                <label class="flex flex-1 flex-col gap-1 text-sm font-medium text-stone-800">
                    "Reason to decline"
                    <input type="text" name="decision[reason]" maxlength="2000" class=INPUT />
                </label>
                <button type="submit" class="rounded-lg border border-stone-300 px-4 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100">
                    "Decline"
                </button>
                <div class="w-full"><Refusal result=decline_result /></div>
            </ActionForm>
        </article>
    }
}

/// The support tickets waiting for staff, from the page's tickets table
/// (columns ticket, subject, customer, status, opened, latest message),
/// each with a reply box.
#[component]
pub fn TicketAnswers(support: DataTable) -> impl IntoView {
    let cards: Vec<AnyView> = support
        .rows
        .into_iter()
        .filter_map(|row| match row.as_slice() {
            [ticket, subject, customer, status, _, latest] if status == "open" => Some(
                view! {
                    <TicketCard
                        ticket=ticket.clone()
                        subject=subject.clone()
                        customer=customer.clone()
                        latest=latest.clone()
                    />
                }
                .into_any(),
            ),
            _ => None,
        })
        .collect();
    view! {
        <CardSection commands="support" title="Tickets waiting for an answer" empty="No ticket is waiting." cards>
            <Notice key="answered" value="1" message="Answered: the customer sees it on their ticket." />
            <Notice key="closed" value="1" message="The ticket is closed." />
        </CardSection>
    }
    .into_any()
}

#[component]
fn TicketCard(ticket: String, subject: String, customer: String, latest: String) -> impl IntoView {
    let answer = ServerAction::<AnswerTicket>::new();
    let answer_result = Signal::derive(move || answer.value().get());
    let close = ServerAction::<CloseTicket>::new();
    let close_result = Signal::derive(move || close.value().get());
    let (for_answer, for_close) = (ticket.clone(), ticket.clone());
    view! {
        <article class="rounded-xl border border-stone-200 bg-white p-5" data-ticket=ticket>
            <h3 class="font-medium text-stone-900">{subject}</h3>
            <p class="text-sm text-stone-600">{customer}</p>
            <blockquote class="mt-3 whitespace-pre-line border-l-4 border-stone-200 pl-3 text-sm text-stone-800">
                {latest}
            </blockquote>
            <ActionForm action=answer attr:class="mt-4 flex flex-col gap-3">
                <input type="hidden" name="form[ticket]" value=for_answer />
                <label class=LABEL>
                    "Answer"
                    <TextArea name="form[message]" rows=3 required=true maxlength=5000 class=INPUT />
                </label>
                <Refusal result=answer_result />
                <button type="submit" class="self-start rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700">
                    "Send the answer"
                </button>
            </ActionForm>
            <ActionForm action=close attr:class="mt-2">
                <input type="hidden" name="form[ticket]" value=for_close />
                <Refusal result=close_result />
                <button type="submit" class="text-sm text-stone-600 underline hover:text-stone-900">
                    "Close without answering"
                </button>
            </ActionForm>
        </article>
    }
}

const BUTTON: &str = "self-start rounded-lg bg-stone-900 px-4 py-2 text-sm font-medium text-white hover:bg-stone-700";

fn options(choices: Vec<Choice>) -> impl IntoView {
    choices
        .into_iter()
        .map(|choice| view! { <option value=choice.value>{choice.label}</option> })
        .collect_view()
}

/// Offer a dealer company a promotional price; withdraw one in force.
#[component]
pub fn PromotionForms(
    /// The dealer companies (value: company id).
    companies: Vec<Choice>,
    /// The listed products (value: SKU).
    products: Vec<Choice>,
    /// The promotions in force (value: `<company id>:<SKU>`).
    promotions: Vec<Choice>,
) -> impl IntoView {
    let offer = ServerAction::<OfferDealerPromotion>::new();
    let offered = Signal::derive(move || offer.value().get());
    let withdraw = ServerAction::<WithdrawDealerPromotion>::new();
    let withdrawn = Signal::derive(move || withdraw.value().get());
    let any_promotion = !promotions.is_empty();
    view! {
        <section class="mt-10" data-commands="dealer-promotions">
            <h2 class="text-lg font-semibold text-stone-900">"Dealer promotional prices"</h2>
            <Notice key="promotion" value="offered" message="The promotional price is offered: the dealer sees it on its price list." />
            <Notice key="promotion" value="withdrawn" message="The promotional price is withdrawn: the dealer pays its tier again." />
            <div class="mt-4 grid gap-4 lg:grid-cols-2">
                <div class="rounded-xl border border-stone-200 bg-white p-5">
                    <h3 class="font-semibold text-stone-900">"Offer a promotional price"</h3>
                    <p class="mt-1 text-sm text-stone-600">"Below the base price; charged wherever it beats the dealer's volume price, until withdrawn."</p>
                    <ActionForm action=offer attr:class="mt-4 flex flex-col gap-4">
                        <label class=LABEL>
                            "Dealer company"
                            <select name="form[company]" class=INPUT>{options(companies)}</select>
                        </label>
                        <label class=LABEL>
                            "Product"
                            <select name="form[sku]" class=INPUT>{options(products)}</select>
                        </label>
                        <label class=LABEL>
                            "Promotional price"
                            <input type="text" name="form[price]" required inputmode="decimal" maxlength="20" placeholder="15.00" class=INPUT />
                        </label>
                        <label class=LABEL>
                            "Why (optional)"
                            <input type="text" name="form[note]" maxlength="500" class=INPUT />
                        </label>
                        <Refusal result=offered />
                        <button type="submit" class=BUTTON>"Offer the price"</button>
                    </ActionForm>
                </div>
                <div class="rounded-xl border border-stone-200 bg-white p-5">
                    <h3 class="font-semibold text-stone-900">"Withdraw a promotional price"</h3>
                    {if any_promotion {
                        view! {
                            <ActionForm action=withdraw attr:class="mt-4 flex flex-col gap-4">
                                <label class=LABEL>
                                    "Promotion"
                                    <select name="form[promotion]" class=INPUT>{options(promotions)}</select>
                                </label>
                                <Refusal result=withdrawn />
                                <button type="submit" class=BUTTON>"Withdraw"</button>
                            </ActionForm>
                        }
                            .into_any()
                    } else {
                        view! { <p class="mt-4 text-sm text-stone-600">"No dealer has a promotional price."</p> }.into_any()
                    }}
                </div>
            </div>
        </section>
    }
    .into_any()
}

/// Flag a ticket's feedback to the function it concerns.
#[component]
pub fn FlagFeedbackForm(
    /// The tickets (value: ticket id).
    tickets: Vec<Choice>,
    /// The functions feedback may go to (value: slug).
    functions: Vec<Choice>,
) -> impl IntoView {
    let flag = ServerAction::<FlagTicket>::new();
    let flagged = Signal::derive(move || flag.value().get());
    let any_ticket = !tickets.is_empty();
    view! {
        <section class="mt-10" data-commands="feedback">
            <Notice key="flagged" value="1" message="Flagged: the function's page shows the feedback." />
            <div class="rounded-xl border border-stone-200 bg-white p-5 lg:max-w-2xl">
                <h2 class="text-lg font-semibold text-stone-900">"Flag customer feedback to a function"</h2>
                <p class="mt-1 text-sm text-stone-600">"A chipped glaze to Quality, a late parcel to Fulfillment: the function's page lists it."</p>
                {if any_ticket {
                    view! {
                        <ActionForm action=flag attr:class="mt-4 flex flex-col gap-4">
                            <label class=LABEL>
                                "Ticket"
                                <select name="form[ticket]" class=INPUT>{options(tickets)}</select>
                            </label>
                            <label class=LABEL>
                                "Function"
                                <select name="form[function]" class=INPUT>{options(functions)}</select>
                            </label>
                            <label class=LABEL>
                                "Note (optional)"
                                <input type="text" name="form[note]" maxlength="500" class=INPUT />
                            </label>
                            <Refusal result=flagged />
                            <button type="submit" class=BUTTON>"Flag it"</button>
                        </ActionForm>
                    }
                        .into_any()
                } else {
                    view! { <p class="mt-4 text-sm text-stone-600">"No customer has opened a ticket yet."</p> }.into_any()
                }}
            </div>
        </section>
    }
    .into_any()
}

/// What Customer Management's page shows above its tables: the decisions
/// on pending dealer applications, the answers to waiting tickets, the
/// feedback flag and the promotional price forms.
pub fn controls(page: &crate::functions::view::FunctionPage) -> AnyView {
    let pipeline = page.table("dealer-applications").cloned();
    let support = page.table("support-tickets").cloned();
    let tickets = page.choice("support-tickets");
    let functions = page.choice("feedback-functions");
    let companies = page.choice("dealer-companies");
    let products = page.choice("listed-products");
    let promotions = page.choice("dealer-promotions");
    view! {
        {pipeline.map(|pipeline| view! { <ApplicationDecisions pipeline /> })}
        {support.map(|support| view! { <TicketAnswers support /> })}
        <FlagFeedbackForm tickets functions />
        <PromotionForms companies products promotions />
    }
    .into_any()
}
