//! The header and footer every storefront page shares, and the page
//! around the site's short forms (sign-in, sign-up, dealer application).

use crate::error::KilnError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Who is signed in, as the header shows it: nobody, or a name and the
/// way to their home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInPerson {
    /// The holder's first name, or their whole name if it has one word.
    pub name: String,
}

/// Who is signed in, for the header: `None` for nobody.
/// `POST /api/account/signed-in`.
#[server(prefix = "/api", endpoint = "account/signed-in")]
pub async fn signed_in() -> Result<Option<SignedInPerson>, KilnError> {
    use crate::access::Principal;
    use crate::functions::platform_manager::projection;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    let (Principal::Staff { account, .. }
    | Principal::Consumer { account }
    | Principal::Dealer { account, .. }) = crate::caller::principal().await?
    else {
        return Ok(None);
    };
    let signed_in = projection::account(state.store(), &account)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading the account failed");
            KilnError::Internal
        })?;
    Ok(signed_in.map(|signed_in| SignedInPerson {
        name: signed_in
            .name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }))
}

/// The top bar: the company's name, the shop, and either a way to sign in
/// or the signed-in person's name, leading to their account.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let signed_in = Resource::new(|| (), |()| signed_in());
    view! {
        <header class="border-b border-stone-200 bg-stone-50/90">
            <div class="mx-auto flex max-w-6xl items-center justify-between px-6 py-4">
                <a href="/" class="flex items-center gap-3">
                    <img src="/favicon.svg" alt="" class="h-9 w-9" />
                    <span class="font-serif text-xl tracking-tight text-stone-900">
                        "Fenwick Clayworks"
                    </span>
                </a>
                <nav class="flex items-center gap-6 text-sm font-medium">
                    <a href="/#shop" class="hidden text-stone-700 hover:text-stone-900 sm:inline">
                        "Shop"
                    </a>
                    <a href="/support" class="hidden text-stone-700 hover:text-stone-900 sm:inline">
                        "Support"
                    </a>
                    <a href="/cart" class="text-stone-700 hover:text-stone-900" data-testid="cart-link">
                        "Cart"
                    </a>
                    <Transition fallback=SignInLink>
                        {move || {
                            signed_in
                                .get()
                                .map(|answer| match answer {
                                    Ok(Some(person)) => {
                                        view! {
                                            <a
                                                href="/account"
                                                data-signed-in="true"
                                                class="rounded-full border border-stone-300 px-4 py-2 text-stone-800 hover:border-stone-500"
                                            >
                                                {person.name}
                                                <span class="hidden text-stone-500 md:inline">
                                                    " · your account"
                                                </span>
                                            </a>
                                        }
                                            .into_any()
                                    }
                                    // Nobody, or the answer failed: offer to sign in.
                                    Ok(None) | Err(_) => view! { <SignInLink /> }.into_any(),
                                })
                        }}
                    </Transition>
                </nav>
            </div>
        </header>
    }
}

/// The header's way in, for whoever is not signed in.
#[component]
fn SignInLink() -> impl IntoView {
    view! {
        <a
            href="/login"
            class="rounded-full border border-stone-300 px-4 py-2 text-stone-800 hover:border-stone-500"
        >
            "Sign in"
        </a>
    }
}

/// The bottom bar.
#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="mt-24 border-t border-stone-200 bg-stone-100">
            <div class="mx-auto flex max-w-6xl flex-col gap-2 px-6 py-10 text-sm text-stone-600 sm:flex-row sm:justify-between">
                <p>"Fenwick Clayworks · Stoneware made by hand in small batches"</p>
                <p>"Runs on Kiln"</p>
            </div>
        </footer>
    }
}

/// The page around a short form: header, title, lead text, footer.
#[component]
pub fn FormPage(
    /// The page title and heading.
    title: &'static str,
    /// The sentence under the heading.
    lead: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <Title text=title />
        <SiteHeader />
        <main class="mx-auto max-w-md px-6 py-20">
            <h1 class="font-serif text-4xl text-stone-900">{title}</h1>
            <p class="mt-4 text-stone-600">{lead}</p>
            {children()}
        </main>
        <SiteFooter />
    }
}
