//! Kiln's application crate: the domain of every business function, the
//! pages people use, and the server functions both the pages and agents call.
//!
//! The crate compiles twice. With the `ssr` feature it runs inside the `kiln`
//! server and owns the event store and projections; with `hydrate` it runs in
//! the browser as WebAssembly and only renders and calls server functions.
//! Everything under a `#[cfg(feature = "ssr")]` gate is server-only: it may
//! touch the database, the browser build never sees it.

pub mod access;
pub mod account;
pub mod agents;
#[cfg(feature = "ssr")]
pub(crate) mod caller;
pub mod content_security;
pub mod error;
pub mod form_style;
pub mod forms;
pub mod functions;
pub mod markup;
pub mod portal;
pub mod staff;
pub mod storefront;

// The vocabulary lives in its own crate (app/core), which compiles without
// Leptos; these keep its modules at the paths the server and its tests use
// (`app::money`, ...). Inside `app`, code names `kiln_core` itself.
pub use kiln_core::{conversation, decision, event, money};

#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod payments;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(all(test, feature = "ssr"))]
mod store_tests;
#[cfg(all(test, feature = "ssr"))]
mod testing;
/// The event store is its own crate (app/store), which knows no function;
/// it keeps the path it had inside this one.
#[cfg(feature = "ssr")]
pub use kiln_store as store;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    lazy_route,
};

/// Declares `$route`, a router view standing for the page component
/// `$page` whose code the browser downloads only when the page is first
/// opened: the bundle's build (`kiln-bundle`) splits it out of the main
/// WebAssembly into a file of its own (`docs/benchmarks.md`). Every page
/// is lazy but the shop itself (home and collections, product pages, and
/// the page for an unknown address), so that a shopper's first page needs
/// no second download and the main bundle stays small.
macro_rules! lazy_page {
    ($route:ident => $page:path) => {
        #[doc = concat!("The lazily loaded router view of `", stringify!($page), "`.")]
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            // The route carries no data: the page loads its own.
            fn view(this: Self) -> AnyView {
                let _ = this;
                mark_page_interactive();
                $page().into_any()
            }
        }
    };
}

/// Marks `<body data-hydrated="true">` once the routed page has hydrated,
/// which tells styles and the browser tests that its buttons now work.
/// Every routed page calls it. It is the page's to say, not the app
/// shell's: a lazy page hydrates only after its own code has arrived, and
/// until then its buttons are dead even though the shell is live.
pub(crate) fn mark_page_interactive() {
    // Effects run only in the browser, after the component that made them
    // has hydrated.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            // Setting a plain attribute on <body> cannot fail in practice;
            // if it did, only the marker would be missing.
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

lazy_page!(StaffRoute => staff::StaffPage);
lazy_page!(EventLogRoute => functions::database_manager::page::EventLogPage);
lazy_page!(EventDetailRoute => functions::database_manager::page::EventDetailPage);
lazy_page!(PortalRoute => portal::PortalPage);
lazy_page!(QuickOrderRoute => portal::QuickOrderPage);
lazy_page!(InvoiceRoute => portal::InvoicePage);
lazy_page!(MaterialsRoute => portal::MaterialsPage);
lazy_page!(DealerApplyRoute => portal::DealerApplyPage);
lazy_page!(AccountRoute => account::AccountPage);
lazy_page!(CartRoute => storefront::CartPage);
lazy_page!(CheckoutRoute => storefront::CheckoutPage);
lazy_page!(OrderRoute => storefront::OrderPage);
lazy_page!(MyOrdersRoute => storefront::MyOrdersPage);
lazy_page!(SupportRoute => storefront::SupportPage);
lazy_page!(TicketRoute => storefront::TicketPage);
lazy_page!(SignInRoute => account::SignInPage);
lazy_page!(SignUpRoute => account::SignUpPage);
lazy_page!(ForgotPasswordRoute => account::ForgotPasswordPage);
lazy_page!(ResetPasswordRoute => account::ResetPasswordPage);

/// The HTML document around every page: the server renders it once per
/// request, the browser's WebAssembly then hydrates `<App/>` inside it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="bg-stone-50 text-stone-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The root component: routes every URL of the product to its page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="kiln" href="/pkg/kiln.css" />
        <Title formatter=markup::page_title />
        <Router>
            <Routes fallback=storefront::NotFoundPage>
                // In-order streaming puts every resource's HTML in place as it
                // is sent, so pages read completely without JavaScript
                // (out-of-order streaming would need a script to move it).
                <Route path=StaticSegment("") view=storefront::HomePage ssr=SsrMode::InOrder />
                // Async: the page is rendered once its product (or order) is
                // read, so an unknown one can still answer 404.
                <Route
                    path=(StaticSegment("shop"), ParamSegment("sku"))
                    view=storefront::ProductPage
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("cart") view={Lazy::<CartRoute>::new()} ssr=SsrMode::InOrder />
                <Route path=StaticSegment("checkout") view={Lazy::<CheckoutRoute>::new()} ssr=SsrMode::InOrder />
                <Route
                    path=(StaticSegment("orders"), ParamSegment("order"))
                    view={Lazy::<OrderRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("orders") view={Lazy::<MyOrdersRoute>::new()} ssr=SsrMode::InOrder />
                <Route path=StaticSegment("support") view={Lazy::<SupportRoute>::new()} ssr=SsrMode::InOrder />
                <Route
                    path=(StaticSegment("support"), ParamSegment("ticket"))
                    view={Lazy::<TicketRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=StaticSegment("login") view={Lazy::<SignInRoute>::new()} ssr=SsrMode::InOrder />
                <Route path=StaticSegment("signup") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::InOrder />
                <Route path=StaticSegment("account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::InOrder />
                <Route
                    path=StaticSegment("forgot-password")
                    view={Lazy::<ForgotPasswordRoute>::new()}
                    ssr=SsrMode::InOrder
                />
                <Route path=StaticSegment("reset") view={Lazy::<ResetPasswordRoute>::new()} ssr=SsrMode::InOrder />
                <Route path=StaticSegment("portal") view={Lazy::<PortalRoute>::new()} ssr=SsrMode::InOrder />
                <Route
                    path=(StaticSegment("portal"), StaticSegment("order"))
                    view={Lazy::<QuickOrderRoute>::new()}
                    ssr=SsrMode::InOrder
                />
                <Route
                    path=(StaticSegment("portal"), StaticSegment("invoices"), ParamSegment("order"))
                    view={Lazy::<InvoiceRoute>::new()}
                    // Async: the status (404 for another company's order)
                    // is known before the first byte is sent.
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("portal"), StaticSegment("materials"))
                    view={Lazy::<MaterialsRoute>::new()}
                    ssr=SsrMode::InOrder
                />
                <Route
                    path=(StaticSegment("staff"), ParamSegment("function"))
                    view={Lazy::<StaffRoute>::new()}
                    ssr=SsrMode::InOrder
                />
                <Route
                    path=(StaticSegment("staff"), StaticSegment("database-manager"), StaticSegment("events"))
                    view={Lazy::<EventLogRoute>::new()}
                    // Async: a refused search answers 400 before the first byte.
                    ssr=SsrMode::Async
                />
                <Route
                    path=(
                        StaticSegment("staff"),
                        StaticSegment("database-manager"),
                        StaticSegment("events"),
                        ParamSegment("position"),
                    )
                    view={Lazy::<EventDetailRoute>::new()}
                    // Async: a position the log does not hold answers 404.
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("dealers"), StaticSegment("apply"))
                    view={Lazy::<DealerApplyRoute>::new()}
                    ssr=SsrMode::InOrder
                />
            </Routes>
        </Router>
    }
}
