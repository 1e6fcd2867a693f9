//! The sign-in and account pages. Both work without JavaScript: the forms
//! post to their server functions, which redirect.

use super::{SignIn, SignOut};
use crate::storefront::{SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/login`: email and password.
#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let refused = move || {
        sign_in
            .value()
            .get()
            .and_then(|result| result.err())
            .map(|error| error.to_string())
    };
    view! {
        <Title text="Sign in" />
        <SiteHeader />
        <main class="mx-auto max-w-md px-6 py-20">
            <h1 class="font-serif text-4xl text-stone-900">"Sign in"</h1>
            <p class="mt-4 text-stone-600">
                "For Fenwick Clayworks staff. Shoppers do not need an account to browse the shop."
            </p>
            <ActionForm action=sign_in attr:class="mt-10 flex flex-col gap-5">
                <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
                    "Email address"
                    <input
                        type="email"
                        name="form[email]"
                        required
                        autocomplete="username"
                        class="rounded-lg border border-stone-300 bg-white px-4 py-3 text-base font-normal"
                    />
                </label>
                <label class="flex flex-col gap-2 text-sm font-medium text-stone-800">
                    "Password"
                    <input
                        type="password"
                        name="form[password]"
                        required
                        autocomplete="current-password"
                        class="rounded-lg border border-stone-300 bg-white px-4 py-3 text-base font-normal"
                    />
                </label>
                <Show when=move || refused().is_some()>
                    <p role="alert" class="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800">
                        {refused}
                    </p>
                </Show>
                <button
                    type="submit"
                    class="rounded-full bg-stone-900 px-6 py-3 font-medium text-stone-50 hover:bg-stone-700"
                >
                    "Sign in"
                </button>
            </ActionForm>
        </main>
        <SiteFooter />
    }
}

/// `/account`: who is signed in, what they may do, and signing out.
#[component]
pub fn AccountPage() -> impl IntoView {
    let account = Resource::new(|| (), |()| super::current_account());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <Title text="Your account" />
        <SiteHeader />
        <main class="mx-auto max-w-xl px-6 py-20">
            <h1 class="font-serif text-4xl text-stone-900">"Your account"</h1>
            <Suspense fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || {
                    account
                        .get()
                        .map(|loaded| match loaded {
                            Ok(account) => {
                                view! {
                                    <dl class="mt-8 grid grid-cols-[8rem_1fr] gap-y-3 text-stone-800">
                                        <dt class="text-stone-500">"Name"</dt>
                                        <dd data-field="name">{account.name}</dd>
                                        <dt class="text-stone-500">"Email"</dt>
                                        <dd data-field="email">{account.email}</dd>
                                        <dt class="text-stone-500">"Access"</dt>
                                        <dd data-field="tier">{account.tier}</dd>
                                        <dt class="text-stone-500">"Roles"</dt>
                                        <dd data-field="roles">{account.roles.join(", ")}</dd>
                                    </dl>
                                    <p class="mt-8 text-sm text-stone-600">
                                        "The staff pages of each business function are not open yet."
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(error) => {
                                view! {
                                    <p role="alert" class="mt-6 text-red-800">{error.to_string()}</p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <ActionForm action=sign_out attr:class="mt-10">
                <button
                    type="submit"
                    class="rounded-full border border-stone-300 px-6 py-3 font-medium text-stone-800 hover:border-stone-500"
                >
                    "Sign out"
                </button>
            </ActionForm>
        </main>
        <SiteFooter />
    }
}
