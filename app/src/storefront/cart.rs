//! The shopper's cart: products and quantities kept in the shopper's
//! session until checkout, so it survives a reload and signing in (the
//! session keeps its data when sign-in gives it a new id). A cart is not
//! business data: nothing is decided until the order is placed, so it is
//! not in the event log.
//!
//! `/cart` shows it; its forms post to [`add_to_cart`] and [`update_cart`],
//! which work without JavaScript.

use super::LoadFailure;
use crate::error::KilnError;
use crate::forms::Refusal;
use crate::functions::category::events::Sku;
use kiln_core::money::{Money, TaxRate};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The session key holding the cart.
#[cfg(feature = "ssr")]
const SESSION_CART_KEY: &str = "cart";

/// One product in the cart, as the session keeps it.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartItem {
    /// The product.
    pub sku: Sku,
    /// How many.
    pub quantity: u32,
}

/// What the "add to cart" and quantity forms send. The quantity is text as
/// typed, parsed here so a bad one gets a clear message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartItemForm {
    /// The product's SKU.
    pub sku: String,
    /// How many: to add, or (updating) the new quantity, 0 removing it.
    pub quantity: String,
}

/// One line of the cart as shown: the product as listed today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// The product.
    pub sku: Sku,
    /// Its name.
    pub name: String,
    /// Its picture.
    pub image: String,
    /// How many.
    pub quantity: u32,
    /// What one costs today.
    pub unit_price: Money,
    /// Quantity times unit price.
    pub line_total: Money,
}

/// The cart as its page and the checkout show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    /// Its lines, in the order they were added.
    pub lines: Vec<CartLine>,
    /// The lines added up, when there are any.
    pub subtotal: Option<Money>,
    /// The sales tax rate the shop charges.
    pub tax_rate: TaxRate,
    /// Products that were in the cart but are no longer listed: dropped
    /// from it, and named so the shopper knows.
    pub no_longer_listed: Vec<Sku>,
}

/// Parses a quantity as typed into a form.
#[cfg(feature = "ssr")]
fn parse_quantity(text: &str) -> Result<u32, KilnError> {
    text.trim().parse::<u32>().map_err(|_| {
        KilnError::Rejected(format!(
            "“{}” is not a quantity: give a whole number from 1 to {}",
            text.chars().take(40).collect::<String>(),
            crate::functions::customers::decide::MAX_CONSUMER_QUANTITY
        ))
    })
}

/// The cart in the request's session (empty when there is none).
#[cfg(feature = "ssr")]
pub(crate) async fn read_cart() -> Result<Vec<CartItem>, KilnError> {
    let items = crate::caller::session()
        .await?
        .get::<Vec<CartItem>>(SESSION_CART_KEY)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading the cart from the session failed");
            KilnError::Internal
        })?;
    Ok(items.unwrap_or_default())
}

/// Keeps `items` as the request's cart.
#[cfg(feature = "ssr")]
pub(crate) async fn write_cart(items: &[CartItem]) -> Result<(), KilnError> {
    crate::caller::session()
        .await?
        .insert(SESSION_CART_KEY, items)
        .await
        .map_err(|error| {
            tracing::error!(%error, "keeping the cart in the session failed");
            KilnError::Internal
        })
}

/// A product the shop lists, or a clear refusal.
#[cfg(feature = "ssr")]
async fn listed_product(
    state: &crate::state::AppState,
    sku: &str,
) -> Result<crate::functions::category::view::ProductCard, KilnError> {
    let unknown = || {
        KilnError::Rejected(format!(
            "there is no product “{}” in the shop",
            sku.chars().take(40).collect::<String>()
        ))
    };
    let sku = Sku::parse(sku.trim()).map_err(|_| unknown())?;
    crate::functions::category::service::storefront_product(state.store(), &sku)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading a product failed");
            KilnError::Internal
        })?
        .ok_or_else(unknown)
}

/// Checks a cart's quantity against the consumer limit.
#[cfg(feature = "ssr")]
fn checked_quantity(sku: &Sku, quantity: u32) -> Result<u32, KilnError> {
    use crate::functions::customers::decide::MAX_CONSUMER_QUANTITY;
    if (1..=MAX_CONSUMER_QUANTITY).contains(&quantity) {
        Ok(quantity)
    } else {
        Err(KilnError::Rejected(format!(
            "{quantity} × {sku} cannot be in the cart: from 1 to {MAX_CONSUMER_QUANTITY} of a product (trade buyers order larger quantities through the dealer portal)"
        )))
    }
}

/// Adds a quantity of a listed product to the cart, then shows the cart.
/// `POST /api/cart/add` (form fields `item[sku]`, `item[quantity]`).
#[server(prefix = "/api", endpoint = "cart/add")]
pub async fn add_to_cart(item: CartItemForm) -> Result<(), KilnError> {
    use crate::functions::customers::decide::MAX_ORDER_LINES;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let product = listed_product(&state, &item.sku).await?;
    let adding = parse_quantity(&item.quantity)?;
    let mut items = read_cart().await?;
    match items.iter().position(|line| line.sku == product.sku) {
        Some(index) => {
            let line = &mut items[index];
            line.quantity = checked_quantity(&product.sku, line.quantity.saturating_add(adding))?;
        }
        None if items.len() >= MAX_ORDER_LINES => {
            return Err(KilnError::Rejected(format!(
                "the cart holds at most {MAX_ORDER_LINES} different products"
            )));
        }
        None => items.push(CartItem {
            quantity: checked_quantity(&product.sku, adding)?,
            sku: product.sku,
        }),
    }
    write_cart(&items).await?;
    leptos_axum::redirect("/cart");
    Ok(())
}

/// Sets the quantity of a product in the cart; 0 takes it out.
/// `POST /api/cart/update` (form fields `item[sku]`, `item[quantity]`).
#[server(prefix = "/api", endpoint = "cart/update")]
pub async fn update_cart(item: CartItemForm) -> Result<(), KilnError> {
    let quantity = parse_quantity(&item.quantity)?;
    let mut items = read_cart().await?;
    let Some(index) = items
        .iter()
        .position(|line| line.sku.as_str() == item.sku.trim())
    else {
        return Err(KilnError::Rejected(format!(
            "“{}” is not in the cart",
            item.sku.chars().take(40).collect::<String>()
        )));
    };
    if quantity == 0 {
        items.remove(index);
    } else {
        items[index].quantity = checked_quantity(&items[index].sku, quantity)?;
    }
    write_cart(&items).await?;
    leptos_axum::redirect("/cart");
    Ok(())
}

/// The cart priced from today's catalog. `POST /api/cart`.
#[server(prefix = "/api", endpoint = "cart")]
pub async fn cart() -> Result<CartView, KilnError> {
    use crate::state::AppState;

    let state = AppState::from_context()?;
    priced_cart(&state, read_cart().await?).await
}

/// Prices `items` from the catalog; products no longer listed are named
/// and left out.
#[cfg(feature = "ssr")]
pub(crate) async fn priced_cart(
    state: &crate::state::AppState,
    items: Vec<CartItem>,
) -> Result<CartView, KilnError> {
    use crate::functions::category::{service as catalog, view::StorefrontQuery};

    let products = catalog::storefront_products(state.store(), StorefrontQuery::default())
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading the catalog for the cart failed");
            KilnError::Internal
        })?;
    let mut lines = Vec::with_capacity(items.len());
    let mut no_longer_listed = Vec::new();
    for item in items {
        match products.iter().find(|product| product.sku == item.sku) {
            Some(product) => lines.push(CartLine {
                sku: item.sku,
                name: product.title(),
                image: product.image.clone(),
                quantity: item.quantity,
                unit_price: product.price,
                // Quantities are at most 99: this cannot overflow for any
                // price the catalog accepts below i64::MAX / 99.
                line_total: Money::new(
                    product
                        .price
                        .minor_units
                        .saturating_mul(i64::from(item.quantity)),
                    product.price.currency,
                ),
            }),
            None => no_longer_listed.push(item.sku),
        }
    }
    let subtotal = lines.first().map(|first| {
        Money::new(
            lines
                .iter()
                .map(|line| line.line_total.minor_units)
                .fold(0_i64, i64::saturating_add),
            first.unit_price.currency,
        )
    });
    Ok(CartView {
        lines,
        subtotal,
        tax_rate: state.sales_tax(),
        no_longer_listed,
    })
}

/// `/cart`: the cart's lines with their quantities, and the way to checkout.
#[component]
pub fn CartPage() -> impl IntoView {
    let update = ServerAction::<UpdateCart>::new();
    let cart = Resource::new(move || update.version().get(), |_| cart());
    let result = Signal::derive(move || update.value().get());
    view! {
        <Title text="Your cart" />
        <super::SiteHeader />
        <main class="mx-auto max-w-4xl px-6 py-16">
            <h1 class="font-serif text-4xl text-stone-900">"Your cart"</h1>
            <div class="mt-6">
                <Refusal result />
            </div>
            <Suspense fallback=|| view! { <p class="mt-10 text-stone-500">"Loading your cart…"</p> }>
                {move || Suspend::new(async move {
                    match cart.await {
                        Ok(cart) => view! { <CartContents cart update /> }.into_any(),
                        Err(error) => view! { <LoadFailure error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
        <super::SiteFooter />
    }
}

#[component]
fn CartContents(cart: CartView, update: ServerAction<UpdateCart>) -> impl IntoView {
    let dropped = (!cart.no_longer_listed.is_empty()).then(|| {
        let names = cart
            .no_longer_listed
            .iter()
            .map(Sku::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <p role="status" class="mt-6 rounded-lg bg-amber-100 px-4 py-3 text-amber-900">
                "No longer in the shop, so taken out of your cart: " {names}
            </p>
        }
    });
    let Some(subtotal) = cart.subtotal else {
        return view! {
            {dropped}
            <p class="mt-10 text-lg text-stone-700" data-testid="empty-cart">"Your cart is empty."</p>
            <a href="/#shop" class="mt-6 inline-block font-medium text-amber-800 underline">
                "Browse the shop"
            </a>
        }
            .into_any();
    };
    view! {
        {dropped}
        <ul class="mt-10 divide-y divide-stone-200 border-y border-stone-200" data-testid="cart-lines">
            {cart
                .lines
                .into_iter()
                .map(|line| {
                    let sku = line.sku.to_string();
                    let (link, hidden, input, label) = (
                        format!("/shop/{sku}"),
                        sku.clone(),
                        format!("quantity-{sku}"),
                        format!("quantity-{sku}"),
                    );
                    view! {
                        <li class="flex flex-wrap items-center gap-6 py-6" data-sku=sku>
                            <img src=line.image alt="" class="h-20 w-20 rounded-xl bg-stone-100 object-cover" />
                            <div class="min-w-40 flex-1">
                                <a href=link class="font-medium text-stone-900 hover:underline">
                                    {line.name}
                                </a>
                                <p class="text-sm text-stone-500">{line.unit_price.to_string()} " each"</p>
                            </div>
                            <ActionForm action=update attr:class="flex items-center gap-2">
                                <input type="hidden" name="item[sku]" value=hidden />
                                <label class="sr-only" for=label>"Quantity"</label>
                                <input
                                    id=input
                                    type="number"
                                    name="item[quantity]"
                                    min="0"
                                    max="99"
                                    value=line.quantity.to_string()
                                    class="w-20 rounded-lg border border-stone-300 bg-white px-3 py-2"
                                />
                                <button type="submit" class="rounded-full border border-stone-300 px-4 py-2 text-sm hover:border-stone-500">
                                    "Update"
                                </button>
                            </ActionForm>
                            <p class="w-24 text-right font-semibold text-stone-900" data-field="line-total">
                                {line.line_total.to_string()}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <div class="mt-8 flex flex-col items-end gap-2">
            <p class="text-lg">
                "Subtotal " <span class="font-semibold" data-field="subtotal">{subtotal.to_string()}</span>
            </p>
            <p class="text-sm text-stone-500">
                {format!("Sales tax ({}) and shipping are added at checkout.", cart.tax_rate)}
            </p>
            <a
                href="/checkout"
                class="mt-4 rounded-full bg-stone-900 px-8 py-3 font-medium text-stone-50 hover:bg-stone-700"
            >
                "Checkout"
            </a>
        </div>
    }
        .into_any()
}
