//! Category Management: the catalog of products, their listing and their
//! base prices (briefing, "Category Management Function").
//!
//! Built so far: introducing a product to the catalog (the demo seed; no
//! form yet), the storefront's read of listed products, and on the staff
//! page the catalog with listing status, base price changes with their
//! reasons and history, delisting and relisting (`endpoints`, `page`). Not
//! built yet: creating and editing products from the page, variants,
//! product performance, market pricing notes (the selling issue).

#[cfg(feature = "ssr")]
pub mod agent;
pub mod decide;
pub mod endpoints;
pub mod events;
pub mod page;
pub mod routes;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;

/// Category Management, as the rest of Kiln knows it.
pub const FUNCTION: super::descriptor::FunctionDescriptor = super::descriptor::FunctionDescriptor {
    routes: routes::ROUTES,
    #[cfg(feature = "ssr")]
    events: Some(crate::store::catalog::EventFamily::of::<events::CategoryEvent>),
    #[cfg(feature = "ssr")]
    projectors: &[projection::CATALOG, projection::PRICE_PROPOSALS],
    #[cfg(feature = "ssr")]
    integrity_checks: projection::INTEGRITY_CHECKS,
    #[cfg(feature = "ssr")]
    event_checks: projection::EVENT_CHECKS,
    #[cfg(feature = "ssr")]
    fill_page: |store, _built, page| Box::pin(service::fill_page(store, page)),
    #[cfg(feature = "ssr")]
    headline: Some(|store, months| Box::pin(service::headline(store, months))),
    controls: Some(page::controls),
    #[cfg(feature = "ssr")]
    agent: Some(agent::AGENT),
    ..super::descriptor::FunctionDescriptor::of(kiln_core::function::BusinessFunction::Category)
};
