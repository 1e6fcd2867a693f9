//! The account pages: sign in, sign up, the account itself, and the two
//! steps of a password reset. All work without JavaScript: the forms post
//! to their server functions, which redirect or come back with a message.

use super::{ChangePassword, RequestPasswordReset, ResetPassword, SignIn, SignOut, SignUp};
use crate::forms::{Field, Notice, Refusal, Submit};
use crate::storefront::FormPage;
use crate::storefront::{SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/login`: email and password.
#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let result = Signal::derive(move || sign_in.value().get());
    view! {
        <FormPage
            title="Sign in"
            lead="Shoppers, dealers and Fenwick Clayworks staff sign in here. You do not need an account to browse the shop."
        >
            <Notice
                key="reset"
                value="done"
                message="Your password is changed: sign in with the new one."
            />
            <ActionForm action=sign_in attr:class="mt-10 flex flex-col gap-5">
                <Field label="Email address" name="form[email]" kind="email" autocomplete="username" />
                <Field
                    label="Password"
                    name="form[password]"
                    kind="password"
                    autocomplete="current-password"
                />
                <Refusal result />
                <Submit label="Sign in" />
            </ActionForm>
            <p class="mt-8 flex flex-col gap-2 text-sm text-stone-600">
                <a href="/signup" class="underline hover:text-stone-900">
                    "New here? Create an account"
                </a>
                <a href="/forgot-password" class="underline hover:text-stone-900">
                    "Forgot your password?"
                </a>
                <a href="/dealers/apply" class="underline hover:text-stone-900">
                    "A shop or café? Apply for a trade account"
                </a>
            </p>
        </FormPage>
    }
}

/// `/signup`: a shopper opens an account.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let sign_up = ServerAction::<SignUp>::new();
    let result = Signal::derive(move || sign_up.value().get());
    view! {
        <FormPage
            title="Create an account"
            lead="An account keeps your orders and addresses in one place. Dealers apply for a trade account separately."
        >
            <ActionForm action=sign_up attr:class="mt-10 flex flex-col gap-5">
                <Field label="Your name" name="form[name]" kind="text" autocomplete="name" />
                <Field label="Email address" name="form[email]" kind="email" autocomplete="email" />
                <Field
                    label="Password (at least 10 characters)"
                    name="form[password]"
                    kind="password"
                    autocomplete="new-password"
                />
                <Refusal result />
                <Submit label="Create account" />
            </ActionForm>
            <p class="mt-8 text-sm text-stone-600">
                <a href="/login" class="underline hover:text-stone-900">
                    "Already have an account? Sign in"
                </a>
            </p>
        </FormPage>
    }
}

/// `/forgot-password`: ask for a reset link.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let result = Signal::derive(move || request.value().get());
    view! {
        <FormPage
            title="Forgot your password?"
            lead="Give the address you sign in with, and we will send it a link to choose a new password."
        >
            <Notice
                key="sent"
                value="1"
                message="If that address has an account, a link to choose a new password is on its way. It works for an hour."
            />
            <ActionForm action=request attr:class="mt-10 flex flex-col gap-5">
                <Field label="Email address" name="form[email]" kind="email" autocomplete="username" />
                <Refusal result />
                <Submit label="Send the link" />
            </ActionForm>
        </FormPage>
    }
}

/// `/reset?token=…`: choose a new password with the link's token.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let result = Signal::derive(move || reset.value().get());
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <FormPage
            title="Choose a new password"
            lead="The link works once, for an hour after it was sent."
        >
            <ActionForm action=reset attr:class="mt-10 flex flex-col gap-5">
                <input type="hidden" name="form[token]" value=token />
                <Field
                    label="New password (at least 10 characters)"
                    name="form[password]"
                    kind="password"
                    autocomplete="new-password"
                />
                <Refusal result />
                <Submit label="Set the new password" />
            </ActionForm>
        </FormPage>
    }
}

/// `/account`: who is signed in, what they may do, their password, and
/// signing out.
#[component]
pub fn AccountPage() -> impl IntoView {
    let account = Resource::new(|| (), |()| super::current_account());
    let sign_out = ServerAction::<SignOut>::new();
    let change = ServerAction::<ChangePassword>::new();
    let refused = Signal::derive(move || change.value().get());
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
                                let staff = account.tier == "staff";
                                let tier = account.tier.clone();
                                view! {
                                    <dl class="mt-8 grid grid-cols-[8rem_1fr] gap-y-3 text-stone-800">
                                        <dt class="text-stone-500">"Name"</dt>
                                        <dd data-field="name">{account.name}</dd>
                                        <dt class="text-stone-500">"Email"</dt>
                                        <dd data-field="email">{account.email}</dd>
                                        <dt class="text-stone-500">"Access"</dt>
                                        <dd data-field="tier">{account.tier}</dd>
                                        <Show when=move || staff>
                                            <dt class="text-stone-500">"Roles"</dt>
                                            <dd data-field="roles">{account.roles.join(", ")}</dd>
                                        </Show>
                                    </dl>
                                    <AccountLinks tier />
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
            <section class="mt-12 border-t border-stone-200 pt-10">
                <h2 class="font-serif text-2xl text-stone-900">"Change your password"</h2>
                <Notice key="password" value="changed" message="Your password is changed." />
                <ActionForm action=change attr:class="mt-6 flex flex-col gap-5">
                    <Field
                        label="Current password"
                        name="form[current]"
                        kind="password"
                        autocomplete="current-password"
                    />
                    <Field
                        label="New password (at least 10 characters)"
                        name="form[new]"
                        kind="password"
                        autocomplete="new-password"
                    />
                    <Refusal result=refused />
                    <Submit label="Change password" />
                </ActionForm>
            </section>
            <ActionForm action=sign_out attr:class="mt-12">
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

/// Where a signed-in person goes from their account page: a shopper to
/// their orders and support tickets, a dealer to the trade portal, staff
/// to the function pages in the console's menu.
#[component]
fn AccountLinks(tier: String) -> impl IntoView {
    let link = "font-medium text-amber-800 underline";
    match tier.as_str() {
        "consumer" => view! {
            <p class="mt-8 flex gap-6 text-sm">
                <a href="/orders" class=link>"Your orders"</a>
                <a href="/support" class=link>"Support"</a>
            </p>
        }
        .into_any(),
        "dealer" => view! {
            <p class="mt-8 flex gap-6 text-sm">
                <a href="/portal" class=link>"Trade portal: prices and orders"</a>
                <a href="/support" class=link>"Support"</a>
            </p>
        }
        .into_any(),
        _ => view! {
            <p class="mt-8 text-sm text-stone-600">
                "Your function pages are in the staff console's menu."
            </p>
        }
        .into_any(),
    }
}
