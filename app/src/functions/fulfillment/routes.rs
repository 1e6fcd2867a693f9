//! The routes of Fulfillment's own endpoints, with the requirement
//! each caller must meet: its rows of the authorisation table
//! (`access::table`), which reads them from the function's descriptor.

use crate::access::Requirement;
use crate::access::route::{Method, Route, route};
use kiln_core::function::BusinessFunction;

/// Every route under the function's own paths.
pub const ROUTES: &[Route] = &[
    // Fulfillment's commands.
    route(
        Method::Post,
        "/api/fulfillment/stock-count",
        Requirement::operate(BusinessFunction::Fulfillment),
        "record a stock count (server function)",
    ),
];
