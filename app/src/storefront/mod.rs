//! The consumer storefront: the public pages of the demo company's shop.
//!
//! Built so far: the home page with the catalog by collection. (Sign-in
//! and the account page are in `crate::account`.) Not built yet: product pages, cart, checkout and
//! accounts (the selling and identity issues).

mod chrome;
mod home;
mod products;

pub use home::HomePage;
pub use products::{ListStorefrontProducts, list_storefront_products};

pub use chrome::{SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::Title;

/// Any URL no page answers: a 404 with a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
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
