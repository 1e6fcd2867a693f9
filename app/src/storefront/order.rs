//! `/orders/<id>`: an order's confirmation and tracking page. The order id
//! is random and unguessable, so the link itself is the key: the buyer
//! keeps it (it is on the confirmation), with or without an account.

use super::{NotFoundPage, SiteFooter, SiteHeader};
use crate::error::KilnError;
use crate::functions::customers::view::OrderView;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The order with this id, or `None` when there is none.
/// `POST /api/orders/track` with `{"order": "ord-…"}`.
#[server(prefix = "/api", endpoint = "orders/track", input = Json)]
pub async fn track_order(order: String) -> Result<Option<OrderView>, KilnError> {
    use crate::functions::customers::{events::OrderId, projection};
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let Ok(order) = OrderId::parse(&order) else {
        return Ok(None);
    };
    projection::order(state.store(), &order)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading an order failed");
            KilnError::Internal
        })
}

/// The order page.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let order = Memo::new(move |_| params.read().get("order").unwrap_or_default());
    let loaded = Resource::new(move || order.get(), track_order);
    view! {
        <Suspense fallback=|| view! { <p class="p-10 text-stone-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(Some(order)) => view! { <OrderDetail order /> }.into_any(),
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
fn OrderDetail(order: OrderView) -> impl IntoView {
    let query = use_query_map();
    let just_placed = move || query.read().get("placed").as_deref() == Some("1");
    let summary = order.summary;
    let id = summary.order.to_string();
    let (title, marker, heading) = (format!("Order {id}"), id.clone(), id.clone());
    let address = order.ship_to;
    let address_lines = [
        address.name,
        address.line1,
        address.line2,
        format!("{} {}", address.postcode, address.city),
        address.country,
    ]
    .into_iter()
    .filter(|line| !line.trim().is_empty())
    .map(|line| view! { <span class="block">{line}</span> })
    .collect_view();
    let tax_rate = order.tax_rate;
    // Dealers see where each price came from (tier and volume break);
    // shoppers all pay the base price, so the column would say nothing.
    let dealer = order.bought_by_dealer;
    view! {
        <Title text=title />
        <SiteHeader />
        <main class="mx-auto max-w-4xl px-6 py-16" data-order=marker>
            <Show when=just_placed>
                <p role="status" class="mb-8 rounded-xl bg-emerald-50 px-5 py-4 text-emerald-900">
                    "Thank you, " {summary.buyer_name.clone()}
                    ". Your order is placed. Keep this page's address: it is your link to follow the order."
                </p>
            </Show>
            <p class="text-sm font-semibold uppercase tracking-widest text-amber-800">"Order"</p>
            <h1 class="mt-2 font-serif text-3xl text-stone-900 sm:text-4xl" data-field="order-id">{heading}</h1>
            <p class="mt-4 text-stone-600">
                "Placed " {summary.placed_at.get(..16).unwrap_or(&summary.placed_at).replace('T', " at ")}
                " UTC · "
                <span class="rounded-full bg-amber-100 px-3 py-1 text-sm font-medium text-amber-900" data-field="status">
                    {summary.status.label()}
                </span>
            </p>
            <PaymentTerms payment=order.payment total=summary.total reference=id.clone() />
            <OrderLines lines=order.lines dealer />
            <dl class="mt-6 ml-auto grid max-w-sm grid-cols-2 gap-y-2 text-sm">
                <dt class="text-stone-600">"Subtotal"</dt>
                <dd class="text-right" data-field="subtotal">{order.subtotal.to_string()}</dd>
                <dt class="text-stone-600">{format!("Shipping ({})", order.shipping_option.label())}</dt>
                <dd class="text-right" data-field="shipping">{order.shipping.to_string()}</dd>
                <dt class="text-stone-600">{format!("Sales tax ({tax_rate})")}</dt>
                <dd class="text-right" data-field="tax">{order.tax.to_string()}</dd>
                <dt class="border-t border-stone-200 pt-2 font-semibold">"Total"</dt>
                <dd class="border-t border-stone-200 pt-2 text-right font-semibold">{summary.total.to_string()}</dd>
            </dl>
            <section class="mt-10">
                <h2 class="font-serif text-xl text-stone-900">"Shipping to"</h2>
                <address class="mt-2 not-italic text-stone-700">{address_lines}</address>
            </section>
        </main>
        <SiteFooter />
    }
}

/// How the order is to be paid: the bank details to quote, or the
/// company's invoice terms.
#[component]
fn PaymentTerms(
    payment: crate::functions::customers::events::PaymentMethod,
    total: crate::money::Money,
    reference: String,
) -> impl IntoView {
    use crate::functions::customers::events::{INVOICE_DUE_DAYS, PaymentMethod};
    let (heading, text) = match payment {
        PaymentMethod::BankTransfer => (
            "Pay by bank transfer",
            format!(
                "Transfer {total} to Fenwick Clayworks, quoting {reference} as the reference. We start making your order when the money arrives."
            ),
        ),
        PaymentMethod::Invoice => (
            "On account",
            format!(
                "We invoice {total} to your company, due {INVOICE_DUE_DAYS} days after the order; quote {reference} with the payment. We start making your order now."
            ),
        ),
    };
    view! {
        <section class="mt-10 rounded-2xl border border-amber-200 bg-amber-50 p-6" data-field="payment">
            <h2 class="font-serif text-xl text-stone-900">{heading}</h2>
            <p class="mt-2 text-stone-700">{text}</p>
        </section>
    }
}

/// The order's lines as charged; for a dealer's order, with where each
/// price came from.
#[component]
fn OrderLines(
    lines: Vec<crate::functions::customers::events::OrderLine>,
    dealer: bool,
) -> impl IntoView {
    view! {
        <div class="mt-10 overflow-x-auto rounded-2xl border border-stone-200 bg-white">
            <table class="w-full text-left text-sm" data-testid="order-lines">
                <thead class="border-b border-stone-200 bg-stone-100 text-stone-600">
                    <tr>
                        <th scope="col" class="px-4 py-3 font-medium">"Product"</th>
                        <th scope="col" class="px-4 py-3 text-right font-medium">"Quantity"</th>
                        <th scope="col" class="px-4 py-3 text-right font-medium">"Unit price"</th>
                        {dealer.then(|| view! { <th scope="col" class="px-4 py-3 font-medium">"Price"</th> })}
                        <th scope="col" class="px-4 py-3 text-right font-medium">"Tax"</th>
                        <th scope="col" class="px-4 py-3 text-right font-medium">"Line total"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|line| {
                            view! {
                                <tr class="border-b border-stone-100" data-sku=line.sku.to_string()>
                                    <td class="px-4 py-3">{line.name}</td>
                                    <td class="px-4 py-3 text-right">{line.quantity}</td>
                                    <td class="px-4 py-3 text-right">{line.unit_price.to_string()}</td>
                                    {dealer
                                        .then(|| {
                                            view! {
                                                <td class="px-4 py-3 text-stone-600" data-field="price-source">
                                                    {line.price_source.label()}
                                                </td>
                                            }
                                        })}
                                    <td class="px-4 py-3 text-right">{line.tax.to_string()}</td>
                                    <td class="px-4 py-3 text-right font-medium">{line.line_total.to_string()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    // Erased to keep the order page's view type within the compiler's depth limit.
    .into_any()
}
