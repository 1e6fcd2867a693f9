//! Platform Manager: the operating system's own management (briefing,
//! "Platform Manager Function"), including who may use it.
//!
//! Built so far: accounts (staff created by an administrator, shoppers
//! signing up, dealer users), staff roles and their history, password
//! changes, API tokens for agents, and change requests with their triage
//! (events, rules, the `accounts`, `staff_roles`, `role_changes`,
//! `api_tokens`, `api_token_revocations`, `change_requests` and
//! `change_request_triage` tables), the secrets kept beside them, the
//! token and change request endpoints, `kiln user add` / `kiln token` on
//! the command line, and the staff page (`service::fill_page`, and
//! `page`: the change request and triage forms). Sign-in is in
//! `crate::account`. Its agent (`agent`) proposes a triage for each new
//! change request (a priority, or a duplicate of an open request) for a
//! person to approve. Not built yet: buttons to grant, revoke and issue
//! on the page.

#[cfg(feature = "ssr")]
pub mod agent;
pub mod decide;
pub mod endpoints;
pub mod events;
pub mod page;
pub mod routes;
pub mod triage;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;

/// The Platform Manager, as the rest of Kiln knows it.
pub const FUNCTION: super::descriptor::FunctionDescriptor = super::descriptor::FunctionDescriptor {
    routes: routes::ROUTES,
    #[cfg(feature = "ssr")]
    events: Some(crate::store::catalog::EventFamily::of::<events::PlatformEvent>),
    #[cfg(feature = "ssr")]
    projectors: &[
        projection::ACCOUNTS,
        projection::CHANGE_REQUESTS,
        projection::AGENT_MESSAGES,
        projection::AGENT_STEPS,
        projection::AUTONOMY_POLICIES,
        projection::GUARD_FIRINGS,
        projection::TRIAGE_PROPOSALS,
    ],
    #[cfg(feature = "ssr")]
    fill_page: |store, built, page| Box::pin(service::fill_page(store, built, page)),
    #[cfg(feature = "ssr")]
    headline: Some(|store, months| Box::pin(service::headline(store, months))),
    closing_controls: Some(page::closing_controls),
    #[cfg(feature = "ssr")]
    agent: Some(agent::AGENT),
    ..super::descriptor::FunctionDescriptor::of(
        kiln_core::function::BusinessFunction::PlatformManager,
    )
};
