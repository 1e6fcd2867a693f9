//! The dealer portal's pages: its home with the price list and the order
//! history, and the public application form for a trade account. (The
//! quick order is `super::order`.)

use crate::forms::{Field, Notice, Refusal, Submit};
use crate::functions::customers::decide::MAX_MESSAGE_CHARS;
use crate::functions::customers::endpoints::SubmitDealerApplication;
use crate::markup::TextArea;
use crate::storefront::FormPage;
use crate::storefront::{SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/portal`: the dealer company's home — who it is, its tier, what it
/// pays for each product at each volume break, and its orders.
#[component]
pub fn PortalPage() -> impl IntoView {
    let home = Resource::new(|| (), |()| super::portal_home());
    view! {
        <Title text="Trade portal" />
        <SiteHeader />
        <main class="mx-auto max-w-5xl px-6 py-16">
            <p class="text-sm font-semibold uppercase tracking-widest text-amber-800">
                "Trade portal"
            </p>
            <Suspense fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match home.await {
                        Ok(home) => {
                            view! {
                                <PriceList list=home.price_list />
                                <section class="mt-14">
                                    <h2 class="font-serif text-2xl text-stone-900">"Your orders"</h2>
                                    <OrderHistory orders=home.orders />
                                </section>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <Problem error /> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="mt-10 text-sm text-stone-600">
                "Our logo, shelf cards and product pictures are in the "
                <a href="/portal/materials" class="text-amber-800 underline">"marketing materials"</a>
                "."
            </p>
        </main>
        <SiteFooter />
    }
}

/// A failed read, said plainly.
#[component]
fn Problem(error: crate::error::KilnError) -> impl IntoView {
    view! { <p role="alert" class="mt-6 text-red-800">{error.to_string()}</p> }
}

/// The company's heading and its price list table, one column per volume break.
#[component]
fn PriceList(list: super::DealerPriceList) -> impl IntoView {
    let lines = list.lines;
    let headings = list
        .breaks
        .iter()
        .map(|label| {
            view! { <th scope="col" class="px-4 py-3 text-right font-medium">{format!("{label} units")}</th> }
        })
        .collect_view();
    view! {
        <h1 class="mt-3 font-serif text-4xl text-stone-900" data-field="company">
            {list.company_name}
        </h1>
        <p class="mt-3 text-stone-600">
            "Your tier: " <span class="font-medium text-stone-900" data-field="tier">{list.tier}</span>
            {format!(
                " · {}% off every base price, more from 12 and from 48 units of a product",
                list.discount_percent,
            )}
        </p>
        <p class="mt-1 text-sm text-stone-500">
            "A promotional price is charged wherever it is below your volume price."
        </p>
        <a
            href="/portal/order"
            class="mt-6 inline-block rounded-full bg-stone-900 px-6 py-3 font-medium text-stone-50 hover:bg-stone-700"
        >
            "Place an order"
        </a>
        <div class="mt-10 overflow-x-auto rounded-xl border border-stone-200 bg-white">
            <table class="w-full text-left text-sm">
                <thead class="border-b border-stone-200 bg-stone-100 text-stone-600">
                    <tr>
                        <th scope="col" class="px-4 py-3 font-medium">"Product"</th>
                        <th scope="col" class="px-4 py-3 font-medium">"SKU"</th>
                        <th scope="col" class="px-4 py-3 text-right font-medium">"Base price"</th>
                        <th scope="col" class="px-4 py-3 text-right font-medium">"Your promotion"</th>
                        {headings}
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|line| {
                            let sku = line.sku.clone();
                            let mut prices = line.break_prices.into_iter();
                            let first = prices.next().map(|price| price.to_string());
                            view! {
                                <tr class="border-b border-stone-100 last:border-0" data-sku=sku>
                                    <td class="px-4 py-3 text-stone-900">{line.name}</td>
                                    <td class="px-4 py-3 font-mono text-xs text-stone-500">{line.sku}</td>
                                    <td class="px-4 py-3 text-right text-stone-500">
                                        {line.base_price.to_string()}
                                    </td>
                                    <td class="px-4 py-3 text-right font-medium text-amber-800" data-field="promotion">
                                        {line.promotion.map_or("–".to_owned(), |price| price.to_string())}
                                    </td>
                                    <td class="px-4 py-3 text-right font-medium text-stone-900" data-field="your-price">
                                        {first}
                                    </td>
                                    {prices
                                        .map(|price| {
                                            view! {
                                                <td class="px-4 py-3 text-right text-stone-900">{price.to_string()}</td>
                                            }
                                        })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The company's orders, newest first, each linking to its page.
#[component]
fn OrderHistory(orders: Vec<crate::functions::customers::view::OrderSummary>) -> impl IntoView {
    if orders.is_empty() {
        return view! { <p class="mt-4 text-stone-600">"No orders yet."</p> }.into_any();
    }
    view! {
        <div class="mt-4 overflow-x-auto rounded-xl border border-stone-200 bg-white">
            <table class="w-full text-left text-sm" data-testid="dealer-orders">
                <thead class="border-b border-stone-200 bg-stone-100 text-stone-600">
                    <tr>
                        <th scope="col" class="px-4 py-3 font-medium">"Order"</th>
                        <th scope="col" class="px-4 py-3 font-medium">"Placed (UTC)"</th>
                        <th scope="col" class="px-4 py-3 font-medium">"Status"</th>
                        <th scope="col" class="px-4 py-3 text-right font-medium">"Units"</th>
                        <th scope="col" class="px-4 py-3 text-right font-medium">"Total"</th>
                        <th scope="col" class="px-4 py-3 font-medium">"Invoice"</th>
                    </tr>
                </thead>
                <tbody>
                    {orders
                        .into_iter()
                        .map(|order| {
                            let placed = order
                                .placed_at
                                .get(..16)
                                .unwrap_or(&order.placed_at)
                                .replace('T', " ");
                            // Orders on account have an invoice; card and
                            // transfer orders do not.
                            let invoice = matches!(
                                order.status,
                                crate::functions::customers::view::OrderStatus::Invoiced
                            )
                            .then(|| format!("/portal/invoices/{}", order.order));
                            view! {
                                <tr class="border-b border-stone-100 last:border-0" data-order=order.order.to_string()>
                                    <td class="px-4 py-3 font-mono text-xs">
                                        <a href=order.tracking_url() class="text-amber-800 underline">
                                            {order.order.to_string()}
                                        </a>
                                    </td>
                                    <td class="px-4 py-3 text-stone-600">{placed}</td>
                                    <td class="px-4 py-3">{order.status.label()}</td>
                                    <td class="px-4 py-3 text-right">{order.units}</td>
                                    <td class="px-4 py-3 text-right font-medium">{order.total.to_string()}</td>
                                    <td class="px-4 py-3">
                                        {invoice.map(|href| view! { <a href=href class="text-amber-800 underline" data-field="invoice">"Invoice"</a> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
        .into_any()
}

/// `/dealers/apply`: a shop or café applies for a trade account.
#[component]
pub fn DealerApplyPage() -> impl IntoView {
    let submit = ServerAction::<SubmitDealerApplication>::new();
    let result = Signal::derive(move || submit.value().get());
    view! {
        <FormPage
            title="Apply for a trade account"
            lead="Cafés, shops and studios buy our stoneware at trade prices. Tell us about your business; we answer within two working days."
        >
            <Notice
                key="sent"
                value="1"
                message="Thank you: your application is with us. Once it is approved you will get a link to choose your password."
            />
            <ActionForm action=submit attr:class="mt-10 flex flex-col gap-5">
                <Field label="Business name" name="form[company_name]" kind="text" autocomplete="organization" />
                <Field label="Your name" name="form[contact_name]" kind="text" autocomplete="name" />
                <Field label="Email address" name="form[email]" kind="email" autocomplete="email" />
                <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
                    "About your business (optional)"
                    <TextArea
                        name="form[message]"
                        rows=4
                        maxlength=MAX_MESSAGE_CHARS
                        class="rounded-lg border border-stone-300 bg-white px-4 py-3 text-base font-normal"
                    />
                </label>
                <Refusal result />
                <Submit label="Send the application" />
            </ActionForm>
        </FormPage>
    }
}
