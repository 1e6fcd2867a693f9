//! The routes of the Database Manager's own endpoints, with the requirement
//! each caller must meet: its rows of the authorisation table
//! (`access::table`), which reads them from the function's descriptor.

use crate::access::Requirement;
use crate::access::route::{Method, PathPattern, Route, route};
use kiln_core::function::BusinessFunction::DatabaseManager;

/// Every route under the function's own paths.
pub const ROUTES: &[Route] = &[
    route(
        Method::Post,
        "/api/database-manager/rebuild",
        Requirement::operate(DatabaseManager),
        "rebuild projections (server function)",
    ),
    route(
        Method::Post,
        "/api/database-manager/quarantine/decide",
        Requirement::approve(DatabaseManager),
        "release or reject quarantined events (server function)",
    ),
    route(
        Method::Get,
        "/api/database-manager/rebuild/progress",
        Requirement::view(DatabaseManager),
        "rebuild progress (server-sent events)",
    ),
    route(
        Method::Get,
        "/staff/database-manager/events",
        Requirement::view(DatabaseManager),
        "the event log, searchable (page)",
    ),
    Route {
        method: Method::Get,
        path: PathPattern::Prefix("/staff/database-manager/events/"),
        required: Requirement::view(DatabaseManager),
        purpose: "one event in full (page)",
    },
    route(
        Method::Get,
        "/api/database-manager/events",
        Requirement::view(DatabaseManager),
        "the event log, searchable (JSON)",
    ),
    Route {
        method: Method::Get,
        path: PathPattern::Prefix("/api/database-manager/events/"),
        required: Requirement::view(DatabaseManager),
        purpose: "one event in full (JSON)",
    },
];
