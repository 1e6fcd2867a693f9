//! The routes of Category Management's own endpoints, with the requirement
//! each caller must meet: its rows of the authorisation table
//! (`access::table`), which reads them from the function's descriptor.

use crate::access::Requirement;
use crate::access::route::{Method, Route, route};
use kiln_core::function::BusinessFunction;

/// Every route under the function's own paths.
pub const ROUTES: &[Route] = &[
    // Category Management's commands.
    route(
        Method::Post,
        "/api/category/base-price",
        Requirement::operate(BusinessFunction::Category),
        "change a product's base price (server function)",
    ),
    route(
        Method::Post,
        "/api/category/proposals/price",
        Requirement::operate(BusinessFunction::Category),
        "propose a product's base price for a person to approve (server function)",
    ),
    route(
        Method::Post,
        "/api/category/proposals/decide",
        Requirement::approve(BusinessFunction::Category),
        "approve or reject a proposed base price (server function)",
    ),
    route(
        Method::Post,
        "/api/category/proposals/reverse",
        Requirement::approve(BusinessFunction::Category),
        "reverse a base price the agent changed on its own (server function)",
    ),
    route(
        Method::Post,
        "/api/category/delist",
        Requirement::operate(BusinessFunction::Category),
        "take a product off sale (server function)",
    ),
    route(
        Method::Post,
        "/api/category/relist",
        Requirement::operate(BusinessFunction::Category),
        "put a product back on sale (server function)",
    ),
    route(
        Method::Post,
        "/api/category/add-product",
        Requirement::operate(BusinessFunction::Category),
        "add a product to the catalog (server function)",
    ),
    route(
        Method::Post,
        "/api/category/edit-product",
        Requirement::operate(BusinessFunction::Category),
        "change a product's details (server function)",
    ),
    route(
        Method::Post,
        "/api/category/market-note",
        Requirement::operate(BusinessFunction::Category),
        "note a market price for a product (server function)",
    ),
];
