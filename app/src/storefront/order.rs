//! `/orders/<id>`: an order's confirmation and tracking page. The order id
//! is random and unguessable, so the link itself is the key: the buyer
//! keeps it (it is on the confirmation), with or without an account.

use super::LoadFailure;
use super::{NotFoundPage, SiteFooter, SiteHeader};
use crate::error::KilnError;
use crate::forms::Refusal;
use crate::functions::customers::view::{CardPaymentForm, OrderSummary, OrderView};
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
    let found = projection::order(state.store(), &order)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading an order failed");
            KilnError::Internal
        })?;
    Ok(found.map(|mut order| {
        order.card_payment_open = state.payments().takes_cards()
            && order.summary.status
                == crate::functions::customers::view::OrderStatus::AwaitingPayment;
        order
    }))
}

/// Pays a bank-transfer order by card instead, then shows the order
/// (`?paid=1`), or says why not (the card was declined, the provider
/// could not be reached: the order is unchanged, try again).
/// `POST /api/orders/pay` (form fields `form[order]`,
/// `form[payment_method]`).
#[server(prefix = "/api", endpoint = "orders/pay")]
pub async fn pay_by_card(form: CardPaymentForm) -> Result<(), KilnError> {
    use crate::functions::customers::events::OrderId;
    use crate::functions::customers::service::{self, CardPayment, PaymentServiceError};
    use kiln_core::event::Actor;

    let state = crate::state::AppState::from_context()?;
    let order = OrderId::parse(form.order.trim())
        .map_err(|_| KilnError::Rejected("there is no such order".into()))?;
    let payment_method = form.payment_method.trim();
    // Provider tokens are short ASCII ids; anything else never reaches it.
    if payment_method.is_empty()
        || payment_method.len() > 100
        || !payment_method
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(KilnError::Rejected(
            "that is not a card token from the payment provider".into(),
        ));
    }
    let paid = service::pay_order_by_card(
        state.store(),
        state.payments(),
        Actor::system("storefront-card-payment"),
        &order,
        payment_method,
    )
    .await;
    match paid {
        Ok(CardPayment::Paid) => {
            tracing::info!(%order, "an order was paid by card");
            leptos_axum::redirect(&format!("/orders/{order}?paid=1"));
            Ok(())
        }
        Ok(CardPayment::Declined(reason)) => Err(KilnError::Rejected(format!(
            "{reason} Nothing was charged; try another card or pay by bank transfer."
        ))),
        Err(PaymentServiceError::Refused(refusal)) => Err(KilnError::Rejected(refusal.to_string())),
        Err(PaymentServiceError::Gateway(error)) => {
            tracing::warn!(%order, %error, source = ?std::error::Error::source(&error), "a card payment's outcome is unknown");
            Err(KilnError::Rejected(format!(
                "{error}. Nothing is recorded as paid yet; send the payment again: it will not be charged twice."
            )))
        }
        Err(PaymentServiceError::Store(error)) => {
            tracing::error!(%order, %error, "recording a card payment failed");
            Err(KilnError::Internal)
        }
    }
}

/// The signed-in shopper's orders, newest first (the latest 100).
/// `POST /api/orders/mine`.
#[server(prefix = "/api", endpoint = "orders/mine")]
pub async fn my_orders() -> Result<Vec<OrderSummary>, KilnError> {
    use crate::access::Principal;
    use crate::functions::customers::projection::{self, OrderOwner};

    let state = crate::state::AppState::from_context()?;
    let Principal::Consumer { account } = crate::caller::principal().await? else {
        return Err(KilnError::Rejected(
            "order history is for shoppers' accounts; dealers see theirs in the trade portal"
                .into(),
        ));
    };
    projection::recent_orders(state.store(), OrderOwner::Account(&account), 100)
        .await
        .map_err(|error| {
            tracing::error!(%error, "listing a shopper's orders failed");
            KilnError::Internal
        })
}

/// `/orders`: the signed-in shopper's orders, each linking to its page.
/// (Orders placed as a guest are followed by their links only.)
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |()| my_orders());
    view! {
        <Title text="Your orders" />
        <SiteHeader />
        <main class="mx-auto max-w-4xl px-6 py-16">
            <h1 class="font-serif text-4xl text-stone-900">"Your orders"</h1>
            <Suspense fallback=|| view! { <p class="mt-10 text-stone-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Ok(orders) if orders.is_empty() => {
                            view! {
                                <p class="mt-10 text-stone-600">
                                    "No orders yet. Orders placed while signed out are followed by the link on their confirmation."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(orders) => view! { <OrderList orders /> }.into_any(),
                        Err(error) => view! { <LoadFailure error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
        <SiteFooter />
    }
}

#[component]
fn OrderList(orders: Vec<OrderSummary>) -> impl IntoView {
    view! {
        <ul class="mt-10 divide-y divide-stone-200 rounded-2xl border border-stone-200 bg-white" data-testid="my-orders">
            {orders
                .into_iter()
                .map(|order| {
                    let placed = order.placed_at.get(..10).unwrap_or(&order.placed_at).to_owned();
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-4 px-5 py-4" data-order=order.order.to_string()>
                            <a href=order.tracking_url() class="font-mono text-sm text-amber-800 underline">
                                {order.order.to_string()}
                            </a>
                            <span class="text-sm text-stone-600">{placed}</span>
                            <span class="text-sm">{order.status.label()}</span>
                            <span class="font-medium">{order.total.to_string()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
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
            <Show when=move || query.read().get("paid").as_deref() == Some("1")>
                <p role="status" class="mt-6 rounded-xl bg-emerald-50 px-5 py-4 text-emerald-900">
                    "Paid by card: thank you. We start making your order now."
                </p>
            </Show>
            <PaymentTerms
                payment=order.payment
                paid=summary.status == crate::functions::customers::view::OrderStatus::Paid
                total=summary.total
                reference=id.clone()
            />
            {order.card_payment_open.then(|| view! { <CardPaymentForm order=id.clone() /> })}
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
    paid: bool,
    total: kiln_core::money::Money,
    reference: String,
) -> impl IntoView {
    use crate::functions::customers::events::{INVOICE_DUE_DAYS, PaymentMethod};
    let (heading, text) = match payment {
        _ if paid => (
            "Paid",
            format!("{total} was paid by card, with {reference} as the reference."),
        ),
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

/// Paying a bank-transfer order by card instead. The card is the payment
/// provider's token for it: collecting card numbers in the page (the
/// provider's card field) is not built.
#[component]
fn CardPaymentForm(order: String) -> impl IntoView {
    let pay = ServerAction::<PayByCard>::new();
    let result = Signal::derive(move || pay.value().get());
    view! {
        <section class="mt-6 rounded-2xl border border-stone-200 bg-white p-6" data-testid="card-payment">
            <h2 class="font-serif text-xl text-stone-900">"Or pay by card"</h2>
            <ActionForm action=pay attr:class="mt-4 flex flex-col gap-4">
                <input type="hidden" name="form[order]" value=order />
                <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
                    "Card token from the payment provider"
                    <input
                        type="text"
                        name="form[payment_method]"
                        required
                        maxlength="100"
                        placeholder="pm_…"
                        class="rounded-lg border border-stone-300 bg-white px-4 py-3 font-mono text-base font-normal"
                    />
                </label>
                <Refusal result />
                <button type="submit" class="self-start rounded-full bg-stone-900 px-8 py-3 font-medium text-stone-50 hover:bg-stone-700">
                    "Pay by card"
                </button>
            </ActionForm>
        </section>
    }
    .into_any()
}
