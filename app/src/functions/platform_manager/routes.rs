//! The routes of the Platform Manager's own endpoints, with the requirement
//! each caller must meet: its rows of the authorisation table
//! (`access::table`), which reads them from the function's descriptor.

use crate::access::Requirement;
use crate::access::route::{Method, Route, route};
use kiln_core::function::BusinessFunction::PlatformManager;

/// Every route under the function's own paths.
pub const ROUTES: &[Route] = &[
    // Platform Manager: API tokens for agents.
    route(
        Method::Post,
        "/api/platform-manager/proposals/decide",
        Requirement::approve(PlatformManager),
        "approve or reject a proposed triage of a change request (server function)",
    ),
    route(
        Method::Post,
        "/api/platform-manager/tokens",
        Requirement::Admin,
        "list API tokens (server function)",
    ),
    route(
        Method::Post,
        "/api/platform-manager/roles/change",
        Requirement::Admin,
        "grant or revoke a staff member's role (server function)",
    ),
    route(
        Method::Post,
        "/api/platform-manager/tokens/issue",
        Requirement::Admin,
        "issue an API token (server function)",
    ),
    route(
        Method::Post,
        "/api/platform-manager/tokens/revoke",
        Requirement::Admin,
        "revoke an API token (server function)",
    ),
    route(
        Method::Post,
        "/api/platform-manager/tokens/revoke-form",
        Requirement::Admin,
        "revoke an API token from the Platform Manager's page (server function)",
    ),
    route(
        Method::Post,
        "/api/platform-manager/change-requests/raise",
        Requirement::StaffOrAgent,
        "raise a change request (server function)",
    ),
    route(
        Method::Post,
        "/api/platform-manager/autonomy",
        Requirement::Admin,
        "set how far agents may go on their own with a kind of decision (server function)",
    ),
    route(
        Method::Post,
        "/api/platform-manager/change-requests/triage",
        Requirement::operate(PlatformManager),
        "triage a change request (server function)",
    ),
];
