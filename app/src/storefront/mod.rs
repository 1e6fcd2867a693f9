//! The consumer storefront: the public pages of the demo company's shop.
//!
//! Built so far: the home page with the catalog by collection, product
//! pages (`/shop/<sku>`), the cart (`/cart`, kept in the session), the
//! checkout (`/checkout`: guest or signed-in shopper, address, shipping,
//! bank transfer) and the order's confirmation and tracking page
//! (`/orders/<id>`). Orders are Customer Management's
//! (`crate::functions::customers`). (Sign-in and the account page are in
//! `crate::account`.) Not built yet: search, sorting and filters beyond
//! collections, variants, stock, card payments.

mod cart;
pub(crate) mod checkout;
mod chrome;
mod home;
mod order;
mod product;
mod products;
mod support;

pub use cart::{AddToCart, Cart, CartPage, UpdateCart};
pub use checkout::{Checkout, CheckoutPage, PlaceOrder};
pub use home::HomePage;
pub use order::{MyOrders, MyOrdersPage, OrderPage, PayByCard, TrackOrder};
pub use product::{ProductPage, StorefrontProduct};
pub use products::{ListStorefrontProducts, list_storefront_products};
pub use support::{MyTickets, OpenTicket, ReplyToTicket, SupportPage, SupportTicket, TicketPage};

pub use chrome::{FormPage, SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::Title;

/// A page's data that could not be loaded, said plainly where the page's
/// content would be.
#[component]
pub fn LoadFailure(error: crate::error::KilnError) -> impl IntoView {
    view! {
        <p role="alert" class="mt-10 rounded-lg bg-red-50 px-4 py-3 text-red-800">
            {error.to_string()}
        </p>
    }
}

/// Any URL no page answers: a 404 with a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    crate::mark_page_interactive();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <SiteHeader />
        <main class="mx-auto max-w-xl px-6 py-20">
            <h1 class="font-serif text-4xl text-stone-900">"This page does not exist"</h1>
            <p class="mt-6 text-lg text-stone-700">"The link may be old, or mistyped."</p>
            <a href="/" class="mt-10 inline-block font-medium text-amber-800 underline">
                "Go to the shop"
            </a>
        </main>
        <SiteFooter />
    }
}
