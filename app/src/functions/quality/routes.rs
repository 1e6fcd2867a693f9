//! The routes of Quality's own endpoints, with the requirement each caller
//! must meet: its rows of the authorisation table (`access::table`), which
//! reads them from the function's descriptor.

use crate::access::Requirement;
use crate::access::route::{Method, Route, route};
use kiln_core::function::BusinessFunction;

/// Every route under the function's own paths.
pub const ROUTES: &[Route] = &[route(
    Method::Post,
    "/api/quality/non-conformances/raise",
    Requirement::operate(BusinessFunction::Quality),
    "raise a non-conformance (server function)",
)];
