//! The routes of Customer Management's own endpoints, with the requirement
//! each caller must meet: its rows of the authorisation table
//! (`access::table`), which reads them from the function's descriptor.

use crate::access::Requirement;
use crate::access::route::{Method, Route, route};
use kiln_core::function::BusinessFunction::Customers;

/// Every route under the function's own paths.
pub const ROUTES: &[Route] = &[
    route(
        Method::Post,
        "/api/customers/tickets/answer",
        Requirement::operate(Customers),
        "answer a support ticket (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/tickets/close",
        Requirement::operate(Customers),
        "close a support ticket (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/tickets/flag",
        Requirement::operate(Customers),
        "flag a ticket's feedback to the function it concerns (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/promotions/offer",
        Requirement::operate(Customers),
        "offer a dealer company a promotional price (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/promotions/withdraw",
        Requirement::operate(Customers),
        "withdraw a dealer company's promotional price (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/dealer-applications/submit",
        Requirement::Public,
        "submit a dealer application (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/dealer-applications",
        Requirement::view(Customers),
        "list dealer applications (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/dealer-applications/decide",
        Requirement::approve(Customers),
        "approve or decline a dealer application (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/dealer-applications/decide-form",
        Requirement::approve(Customers),
        "approve or decline a dealer application from the page's buttons (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/proposals/decide",
        Requirement::approve(Customers),
        "approve or reject a proposal about a dealer application (server function)",
    ),
    route(
        Method::Post,
        "/api/customers/dealer-users/add",
        Requirement::operate(Customers),
        "add a user to a dealer company (server function)",
    ),
];
