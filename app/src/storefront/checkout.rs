//! `/checkout`: the cart's summary, the buyer's name and address, the
//! shipping option and the payment step; placing the order leads to its
//! confirmation (`/orders/<id>`). Works without JavaScript.

use super::LoadFailure;
use super::cart::CartView;
use super::{SiteFooter, SiteHeader};
use crate::error::KilnError;
use crate::forms::Refusal;
use crate::functions::customers::view::CheckoutForm;
use kiln_core::money::Money;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// A shipping option as the checkout offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingChoice {
    /// The form value, e.g. `standard`.
    pub value: String,
    /// What shoppers read.
    pub label: String,
    /// What it costs.
    pub price: Money,
}

impl ShippingChoice {
    /// Every shipping option, cheapest first, priced in `currency`.
    pub fn every(currency: kiln_core::money::Currency) -> Vec<Self> {
        crate::functions::customers::events::ShippingOption::ALL
            .into_iter()
            .map(|option| ShippingChoice {
                value: option.as_str().to_owned(),
                label: option.label().to_owned(),
                price: option.price(currency),
            })
            .collect()
    }
}

/// The shipping options as radio buttons (`form[shipping]`), the first
/// chosen; shared by the checkout and the trade portal's quick order.
#[component]
pub(crate) fn ShippingFieldset(choices: Vec<ShippingChoice>) -> impl IntoView {
    view! {
        <fieldset class="mt-4 flex flex-col gap-3">
            <legend class="font-serif text-2xl text-stone-900">"Shipping"</legend>
            {choices
                .into_iter()
                .enumerate()
                .map(|(index, choice)| {
                    view! {
                        <label class="flex items-center gap-3 rounded-xl border border-stone-300 bg-white px-4 py-3">
                            <input
                                type="radio"
                                name="form[shipping]"
                                value=choice.value
                                checked=index == 0
                                required
                            />
                            <span class="flex-1">{choice.label}</span>
                            <span class="font-medium">{choice.price.to_string()}</span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// Everything the checkout page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// The cart, priced today.
    pub cart: CartView,
    /// The id the order will have: sending this checkout twice places it once.
    pub order: String,
    /// The signed-in shopper's name and address, to fill the form with.
    pub known_name: String,
    /// The signed-in shopper's email address.
    pub known_email: String,
    /// The shipping options, cheapest first.
    pub shipping: Vec<ShippingChoice>,
}

/// The checkout for the request's cart, with a fresh order id.
/// `POST /api/checkout`.
#[server(prefix = "/api", endpoint = "checkout")]
pub async fn checkout() -> Result<CheckoutView, KilnError> {
    use crate::access::Principal;
    use crate::functions::customers::events::OrderId;
    use crate::functions::platform_manager::projection as accounts;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let cart = super::cart::priced_cart(&state, super::cart::read_cart().await?).await?;
    let (known_name, known_email) = match crate::caller::principal().await? {
        Principal::Consumer { account } => accounts::account(state.store(), &account)
            .await
            .map_err(|error| {
                tracing::error!(%error, "reading the shopper's account failed");
                KilnError::Internal
            })?
            .map(|account| (account.name, account.email.to_string()))
            .unwrap_or_default(),
        _ => Default::default(),
    };
    let currency = cart
        .subtotal
        .map_or(kiln_core::money::Currency::Usd, |subtotal| {
            subtotal.currency
        });
    Ok(CheckoutView {
        cart,
        order: OrderId::generate().to_string(),
        known_name,
        known_email,
        shipping: ShippingChoice::every(currency),
    })
}

/// Places the order for the request's cart, empties the cart and shows
/// the order's confirmation. Sending the same checkout again answers the
/// same order. `POST /api/checkout/place` (form fields `form[order]`,
/// `form[name]`, `form[email]`, `form[line1]`, `form[line2]`,
/// `form[city]`, `form[postcode]`, `form[country]`, `form[shipping]`).
#[server(prefix = "/api", endpoint = "checkout/place")]
pub async fn place_order(form: CheckoutForm) -> Result<(), KilnError> {
    use crate::access::Principal;
    use crate::functions::customers::decide::{PlaceOrder as PlaceOrderCommand, PriceList};
    use crate::functions::customers::events::{
        Buyer, OrderId, PaymentMethod, ShippingAddress, ShippingOption,
    };
    use crate::functions::customers::service::{self, OrderServiceError};
    use crate::state::AppState;
    use kiln_core::event::Actor;
    use kiln_core::identity::Email;

    let state = AppState::from_context()?;
    let rejected = |error: &dyn std::error::Error| KilnError::Rejected(error.to_string());
    // Refusals of these fields quote them: keep the quote short.
    for (field, text) in [
        ("email address", &form.email),
        ("order number", &form.order),
        ("shipping option", &form.shipping),
    ] {
        if text.chars().count() > 254 {
            return Err(KilnError::Rejected(format!(
                "the {field} may have at most 254 characters"
            )));
        }
    }
    let order = OrderId::parse(form.order.trim()).map_err(|error| rejected(&error))?;
    let email = Email::parse(&form.email).map_err(|error| rejected(&error))?;
    let shipping_option = ShippingOption::from_name(form.shipping.trim())
        .ok_or_else(|| KilnError::Rejected("choose standard or express shipping".to_owned()))?;
    let name = form.name.clone();
    let (buyer, actor) = match crate::caller::principal().await? {
        Principal::Consumer { account } => (
            Buyer::Consumer {
                account: account.clone(),
                name,
                email,
            },
            Actor::user(&account),
        ),
        Principal::Dealer { .. } => {
            return Err(KilnError::Rejected(
                "dealer accounts order through the trade portal, at their own prices".to_owned(),
            ));
        }
        // Anyone else checks out as a guest: shoppers without an account,
        // and staff trying the shop.
        _ => (
            Buyer::Guest { name, email },
            Actor::system("storefront-checkout"),
        ),
    };
    let items = super::cart::read_cart().await?;
    let command = PlaceOrderCommand {
        order,
        buyer,
        lines: items
            .into_iter()
            .map(|item| (item.sku, item.quantity))
            .collect(),
        ship_to: ShippingAddress {
            name: form.name,
            line1: form.line1,
            line2: form.line2,
            city: form.city,
            postcode: form.postcode,
            country: form.country,
        },
        shipping_option,
        payment: PaymentMethod::BankTransfer,
        tax_rate: state.sales_tax(),
        price_list: PriceList::Storefront,
    };
    let placed = match service::place_order(state.store(), actor, command).await {
        Ok(placed) => placed,
        Err(OrderServiceError::Refused(refusal)) => return Err(rejected(&refusal)),
        Err(error) => {
            tracing::error!(%error, source = ?std::error::Error::source(&error), "placing an order failed");
            return Err(KilnError::Internal);
        }
    };
    if !placed.repeated {
        tracing::info!(order = %placed.order, "an order was placed");
    }
    super::cart::write_cart(&[]).await?;
    leptos_axum::redirect(&format!("/orders/{}?placed=1", placed.order));
    Ok(())
}

/// The checkout page.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let checkout = Resource::new(|| (), |()| checkout());
    view! {
        <Title text="Checkout" />
        <SiteHeader />
        <main class="mx-auto max-w-5xl px-6 py-16">
            <h1 class="font-serif text-4xl text-stone-900">"Checkout"</h1>
            <Suspense fallback=|| view! { <p class="mt-10 text-stone-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match checkout.await {
                        Ok(view) if view.cart.lines.is_empty() => {
                            view! {
                                <p class="mt-10 text-lg text-stone-700">"Your cart is empty."</p>
                                <a href="/#shop" class="mt-6 inline-block font-medium text-amber-800 underline">
                                    "Browse the shop"
                                </a>
                            }
                                .into_any()
                        }
                        Ok(view) => view! { <CheckoutDetails view /> }.into_any(),
                        Err(error) => view! { <LoadFailure error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
        <SiteFooter />
    }
}

/// A labelled text input of the checkout form, optionally filled in.
#[component]
pub(crate) fn AddressField(
    label: &'static str,
    name: &'static str,
    autocomplete: &'static str,
    #[prop(default = true)] required: bool,
    #[prop(default = String::new())] value: String,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    view! {
        <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
            {label}
            <input
                type=kind
                name=name
                required=required
                maxlength="200"
                autocomplete=autocomplete
                value=value
                class="rounded-lg border border-stone-300 bg-white px-4 py-3 text-base font-normal"
            />
        </label>
    }
}

#[component]
fn CheckoutDetails(view: CheckoutView) -> impl IntoView {
    let place = ServerAction::<PlaceOrder>::new();
    let result = Signal::derive(move || place.value().get());
    let cart = view.cart;
    let tax_rate = cart.tax_rate;
    view! {
        <div class="mt-10 grid gap-12 md:grid-cols-5">
            <ActionForm action=place attr:class="flex flex-col gap-5 md:col-span-3">
                <input type="hidden" name="form[order]" value=view.order />
                <h2 class="font-serif text-2xl text-stone-900">"Your details"</h2>
                <AddressField label="Full name" name="form[name]" autocomplete="name" value=view.known_name />
                <AddressField
                    label="Email address (for the confirmation)"
                    name="form[email]"
                    autocomplete="email"
                    kind="email"
                    value=view.known_email
                />
                <h2 class="mt-4 font-serif text-2xl text-stone-900">"Shipping address"</h2>
                <AddressField label="Street address" name="form[line1]" autocomplete="address-line1" />
                <AddressField
                    label="Flat, building or company (optional)"
                    name="form[line2]"
                    autocomplete="address-line2"
                    required=false
                />
                <div class="grid gap-5 sm:grid-cols-2">
                    <AddressField label="Town or city" name="form[city]" autocomplete="address-level2" />
                    <AddressField label="Postcode" name="form[postcode]" autocomplete="postal-code" />
                </div>
                <AddressField label="Country" name="form[country]" autocomplete="country-name" />
                <ShippingFieldset choices=view.shipping />
                <h2 class="mt-4 font-serif text-2xl text-stone-900">"Payment"</h2>
                <div class="rounded-xl border border-stone-300 bg-white px-4 py-3">
                    <p class="font-medium">"Bank transfer"</p>
                    <p class="mt-1 text-sm text-stone-600">
                        "After you place the order we show our bank details; quote the order number as the reference. We make your order once the money arrives. Where card payments are set up, the order's page also offers to pay by card."
                    </p>
                </div>
                <Refusal result />
                <button
                    type="submit"
                    class="mt-2 rounded-full bg-stone-900 px-8 py-3 font-medium text-stone-50 hover:bg-stone-700"
                >
                    "Place order"
                </button>
            </ActionForm>
            <aside class="md:col-span-2">
                <div class="rounded-2xl border border-stone-200 bg-white p-6">
                    <h2 class="font-serif text-2xl text-stone-900">"Your order"</h2>
                    <ul class="mt-4 divide-y divide-stone-100" data-testid="checkout-lines">
                        {cart
                            .lines
                            .into_iter()
                            .map(|line| {
                                view! {
                                    <li class="flex justify-between gap-4 py-3 text-sm" data-sku=line.sku.to_string()>
                                        <span>{format!("{} × {}", line.quantity, line.name)}</span>
                                        <span class="font-medium">{line.line_total.to_string()}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <p class="mt-4 flex justify-between border-t border-stone-200 pt-4">
                        "Subtotal"
                        <span class="font-semibold">{cart.subtotal.map(|subtotal| subtotal.to_string())}</span>
                    </p>
                    <p class="mt-2 text-sm text-stone-500">
                        {format!("Sales tax at {tax_rate} on each line and the shipping you choose are added when the order is placed.")}
                    </p>
                </div>
            </aside>
        </div>
    }
}
