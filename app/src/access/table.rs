//! The authorisation table: every route and server function Kiln serves,
//! with the requirement its caller must meet. One place to read who may do
//! what; a test walks the router and fails for any route missing here.

use super::route::{Method, PathPattern, Route, route};
use super::{Capability, Requirement};
use kiln_core::function::BusinessFunction::{self, DatabaseManager};

/// Every route shared by the whole site (each built function's own routes
/// are in its descriptor: [`every_route`] lists both). Pages are GET;
/// server functions are POST under `/api/`.
pub const ROUTES: &[Route] = &[
    // The storefront and sign-in.
    route(Method::Get, "/", Requirement::Public, "storefront home"),
    route(Method::Get, "/login", Requirement::Public, "sign-in page"),
    route(
        Method::Post,
        "/api/account/sign-in",
        Requirement::Public,
        "sign in (server function)",
    ),
    // Signing out must work even when the session has already expired.
    route(
        Method::Post,
        "/api/account/sign-out",
        Requirement::Public,
        "sign out (server function)",
    ),
    route(Method::Get, "/signup", Requirement::Public, "sign-up page"),
    route(
        Method::Post,
        "/api/account/sign-up",
        Requirement::Public,
        "a shopper opens an account (server function)",
    ),
    route(
        Method::Get,
        "/account",
        Requirement::SignedIn,
        "account page",
    ),
    route(
        Method::Post,
        "/api/account/current",
        Requirement::SignedIn,
        "the signed-in account (server function)",
    ),
    // Public: the header asks on every page, and answers "nobody" to
    // whoever is not signed in.
    route(
        Method::Post,
        "/api/account/signed-in",
        Requirement::Public,
        "who is signed in, for the header (server function)",
    ),
    route(
        Method::Post,
        "/api/account/password",
        Requirement::SignedIn,
        "change one's password (server function)",
    ),
    route(
        Method::Get,
        "/forgot-password",
        Requirement::Public,
        "ask for a password reset link",
    ),
    route(
        Method::Post,
        "/api/account/reset-request",
        Requirement::Public,
        "send a password reset link (server function)",
    ),
    route(
        Method::Get,
        "/reset",
        Requirement::Public,
        "choose a new password with a reset link",
    ),
    route(
        Method::Post,
        "/api/account/reset",
        Requirement::Public,
        "set a new password with a reset token (server function)",
    ),
    route(
        Method::Post,
        "/api/storefront/products",
        Requirement::Public,
        "storefront catalog (server function)",
    ),
    // Shopping: product pages, the cart (kept in the session), checkout,
    // and the order's page, whose random id is the key of its link.
    Route {
        method: Method::Get,
        path: PathPattern::Prefix("/shop/"),
        required: Requirement::Public,
        purpose: "product page",
    },
    route(
        Method::Post,
        "/api/storefront/product",
        Requirement::Public,
        "one listed product (server function)",
    ),
    route(
        Method::Get,
        "/cart",
        Requirement::Public,
        "the shopper's cart",
    ),
    route(
        Method::Post,
        "/api/cart",
        Requirement::Public,
        "the session's cart, priced (server function)",
    ),
    route(
        Method::Post,
        "/api/cart/add",
        Requirement::Public,
        "add a product to the cart (server function)",
    ),
    route(
        Method::Post,
        "/api/cart/update",
        Requirement::Public,
        "change a quantity in the cart (server function)",
    ),
    route(
        Method::Get,
        "/checkout",
        Requirement::Public,
        "checkout page",
    ),
    route(
        Method::Post,
        "/api/checkout",
        Requirement::Public,
        "the checkout for the session's cart (server function)",
    ),
    route(
        Method::Post,
        "/api/checkout/place",
        Requirement::Public,
        "place the order for the session's cart (server function)",
    ),
    Route {
        method: Method::Get,
        path: PathPattern::Prefix("/orders/"),
        required: Requirement::Public,
        purpose: "an order's confirmation and tracking page (its link is its key)",
    },
    route(
        Method::Post,
        "/api/orders/track",
        Requirement::Public,
        "an order by its id (server function)",
    ),
    // Operations.
    route(Method::Get, "/healthz", Requirement::Public, "health check"),
    // The staff console: which functions exist, for people and agents.
    // Each function's own page and JSON are in `FUNCTION_ROUTES`.
    route(
        Method::Get,
        "/api/functions",
        Requirement::StaffOrAgent,
        "every business function, its page and JSON endpoints",
    ),
    route(
        Method::Post,
        "/api/staff/menu",
        Requirement::StaffOrAgent,
        "the staff console's menu for its viewer (server function)",
    ),
    // Database Manager.
    route(
        Method::Get,
        "/api/events/catalog",
        Requirement::view(DatabaseManager),
        "event catalog (schema documentation)",
    ),
    route(
        Method::Get,
        "/api/events/live",
        Requirement::view(DatabaseManager),
        "live events (server-sent events)",
    ),
    // The dealer portal: the company comes from the principal, never from
    // the request.
    route(
        Method::Get,
        "/portal",
        Requirement::Dealer,
        "dealer portal home",
    ),
    route(
        Method::Post,
        "/api/portal/prices",
        Requirement::Dealer,
        "the dealer's own price list (server function)",
    ),
    route(
        Method::Post,
        "/api/portal/home",
        Requirement::Dealer,
        "the portal home: price list and orders (server function)",
    ),
    route(
        Method::Post,
        "/api/portal/orders",
        Requirement::Dealer,
        "the dealer company's own orders (server function)",
    ),
    route(
        Method::Get,
        "/portal/order",
        Requirement::Dealer,
        "the dealer's quick order: grid and order sheet",
    ),
    route(
        Method::Post,
        "/api/portal/quick-order",
        Requirement::Dealer,
        "the quick order's prices and a fresh order id (server function)",
    ),
    route(
        Method::Post,
        "/api/portal/order",
        Requirement::Dealer,
        "place a dealer order on the company's account (server function)",
    ),
    Route {
        method: Method::Get,
        path: PathPattern::Prefix("/portal/invoices/"),
        required: Requirement::Dealer,
        purpose: "a printable invoice of the company's order on account",
    },
    route(
        Method::Post,
        "/api/portal/invoice",
        Requirement::Dealer,
        "the company's invoice of one order (server function)",
    ),
    route(
        Method::Get,
        "/portal/materials",
        Requirement::Dealer,
        "the marketing materials library",
    ),
    route(
        Method::Post,
        "/api/portal/materials",
        Requirement::Dealer,
        "the marketing materials and their sizes (server function)",
    ),
    // A shopper's own orders (the server function refuses everyone else).
    route(
        Method::Get,
        "/orders",
        Requirement::SignedIn,
        "the shopper's orders",
    ),
    route(
        Method::Post,
        "/api/orders/mine",
        Requirement::SignedIn,
        "the shopper's own orders (server function)",
    ),
    // Paying an order by card: like its page, the random order id is the key.
    route(
        Method::Post,
        "/api/orders/pay",
        Requirement::Public,
        "pay a bank-transfer order by card (server function)",
    ),
    // Support tickets: a signed-in customer's own (the server functions
    // refuse staff and agents, and show a ticket only to its account).
    route(
        Method::Get,
        "/support",
        Requirement::SignedIn,
        "the customer's support tickets",
    ),
    Route {
        method: Method::Get,
        path: PathPattern::Prefix("/support/"),
        required: Requirement::SignedIn,
        purpose: "one of the customer's support tickets",
    },
    route(
        Method::Post,
        "/api/support/tickets",
        Requirement::SignedIn,
        "the customer's own tickets (server function)",
    ),
    route(
        Method::Post,
        "/api/support/open",
        Requirement::SignedIn,
        "open a support ticket (server function)",
    ),
    route(
        Method::Post,
        "/api/support/ticket",
        Requirement::SignedIn,
        "one of the customer's tickets with its thread (server function)",
    ),
    route(
        Method::Post,
        "/api/support/reply",
        Requirement::SignedIn,
        "write on one's own ticket (server function)",
    ),
    // Customer Management: dealer onboarding.
    route(
        Method::Get,
        "/dealers/apply",
        Requirement::Public,
        "apply for a trade account",
    ),
    // Platform Manager: change requests, raised from any function page by
    // staff or agents, triaged by people who operate the Platform Manager.
    route(
        Method::Post,
        "/api/agents/messages",
        Requirement::Agent,
        "an agent messages another function's agent (server function)",
    ),
    // The handler checks the person operates the function they write for.
    route(
        Method::Post,
        "/api/agents/conversations/reply",
        Requirement::StaffOrAgent,
        "a person writes in their function's agent conversation (server function)",
    ),
    // Static files: the browser bundle, pictures, favicon.
    Route {
        method: Method::Get,
        path: PathPattern::Prefix("/pkg/"),
        required: Requirement::Public,
        purpose: "browser bundle",
    },
    Route {
        method: Method::Get,
        path: PathPattern::Prefix("/products/"),
        required: Requirement::Public,
        purpose: "product pictures",
    },
    route(
        Method::Get,
        "/hero.svg",
        Requirement::Public,
        "storefront picture",
    ),
    route(Method::Get, "/favicon.svg", Requirement::Public, "favicon"),
];

/// A route that exists once for every business function, at
/// `{prefix}<slug>{suffix}`, and needs a capability in the function its
/// path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionRoute {
    /// The method.
    pub method: Method,
    /// The path before the function's slug.
    pub prefix: &'static str,
    /// The path after the function's slug.
    pub suffix: &'static str,
    /// Whether a name follows the suffix, e.g. a table's key in
    /// `/api/functions/<slug>/tables/<key>`.
    pub named: bool,
    /// What its caller must be allowed in the function named.
    pub capability: Capability,
    /// What it is, in a few words.
    pub purpose: &'static str,
}

impl FunctionRoute {
    /// The path of this route for `function` (without the name that
    /// follows, for a named route).
    pub fn path(&self, function: BusinessFunction) -> String {
        format!("{}{}{}", self.prefix, function.slug(), self.suffix)
    }

    /// The function `path` names, when it is this route's path for one.
    pub fn function_in(&self, path: &str) -> Option<BusinessFunction> {
        let rest = path.strip_prefix(self.prefix)?;
        let slug_ends = rest.find('/').unwrap_or(rest.len());
        let (slug, after) = rest.split_at(slug_ends);
        let matches = if self.named {
            after
                .strip_prefix(self.suffix)
                .is_some_and(|name| !name.is_empty() && !name.contains('/'))
        } else {
            after == self.suffix
        };
        matches.then(|| BusinessFunction::from_slug(slug)).flatten()
    }

    /// What this route requires for `function`.
    pub fn requirement(&self, function: BusinessFunction) -> Requirement {
        Requirement::Function {
            function,
            capability: self.capability,
        }
    }
}

/// The routes every business function has: its page, its view model as
/// JSON, and its live events. Viewing them needs the view permission in
/// that function (agents may read every function).
pub const FUNCTION_ROUTES: &[FunctionRoute] = &[
    FunctionRoute {
        method: Method::Get,
        prefix: "/staff/",
        suffix: "",
        named: false,
        capability: Capability::View,
        purpose: "the function's page",
    },
    FunctionRoute {
        method: Method::Get,
        prefix: "/api/functions/",
        suffix: "",
        named: false,
        capability: Capability::View,
        purpose: "the function's view model as JSON",
    },
    FunctionRoute {
        method: Method::Get,
        prefix: "/api/functions/",
        suffix: "/live",
        named: false,
        capability: Capability::View,
        purpose: "the function's new events (server-sent events)",
    },
    FunctionRoute {
        method: Method::Get,
        prefix: "/api/functions/",
        suffix: "/tables/",
        named: true,
        capability: Capability::View,
        purpose: "one of the function's tables, filtered, sorted and paged (JSON)",
    },
];

/// Every row of the table: the shared routes, then each built function's
/// own (from its descriptor).
pub fn every_route() -> impl Iterator<Item = &'static Route> {
    ROUTES.iter().chain(
        crate::functions::BUILT
            .iter()
            .flat_map(|descriptor| descriptor.routes.iter()),
    )
}

/// The requirement of the route `method path`, or `None` when the table
/// has no such route (the request is then answered 404 without any work).
pub fn requirement_of(method: Method, path: &str) -> Option<Requirement> {
    every_route()
        .find(|route| route.method == method && route.path.matches(path))
        .map(|route| route.required)
        .or_else(|| {
            FUNCTION_ROUTES
                .iter()
                .filter(|route| route.method == method)
                .find_map(|route| Some(route.requirement(route.function_in(path)?)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::function::BusinessFunction::Customers;

    #[test]
    fn every_route_is_listed_once() {
        let routes: Vec<&Route> = every_route().collect();
        for (index, route) in routes.iter().enumerate() {
            assert!(
                !routes[index + 1..]
                    .iter()
                    .any(|other| other.method == route.method && other.path == route.path),
                "{route:?} is listed twice"
            );
        }
    }

    #[test]
    fn a_route_not_in_the_table_has_no_requirement() {
        assert_eq!(requirement_of(Method::Get, "/staff/secret"), None);
        assert_eq!(requirement_of(Method::Post, "/"), None);
        assert_eq!(
            requirement_of(Method::Post, "/api/database-manager/rebuild"),
            Some(Requirement::operate(DatabaseManager))
        );
    }

    #[test]
    fn a_function_route_needs_the_function_its_path_names_and_no_other() {
        assert_eq!(
            requirement_of(Method::Get, "/staff/customers"),
            Some(Requirement::view(Customers))
        );
        assert_eq!(
            requirement_of(Method::Get, "/api/functions/database-manager/live"),
            Some(Requirement::view(DatabaseManager))
        );
        assert_eq!(
            requirement_of(
                Method::Get,
                "/api/functions/customers/tables/support-tickets"
            ),
            Some(Requirement::view(Customers))
        );
        assert_eq!(
            requirement_of(Method::Get, "/api/functions/customers/tables/"),
            None
        );
        assert_eq!(
            requirement_of(Method::Get, "/api/functions/customers/tables/a/b"),
            None
        );
        assert_eq!(requirement_of(Method::Get, "/staff/sales"), None);
        assert_eq!(requirement_of(Method::Get, "/staff/customers/x"), None);
        assert_eq!(requirement_of(Method::Post, "/staff/customers"), None);
    }
}
