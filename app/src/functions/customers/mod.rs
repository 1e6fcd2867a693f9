//! Customer Management: every customer relationship, consumers and dealers
//! (briefing, "Customer Management Function").
//!
//! Built so far: the dealer onboarding pipeline — an application form on
//! the public site (`/dealers/apply`), the applications list, and approving
//! (which opens the dealer company at a price tier and creates its first
//! user, who gets a link to choose a password) or declining with a reason,
//! all needing `customers:approve` (see `crate::access::table`). Orders
//! (decision 0006): shoppers' orders from the storefront at base prices,
//! and dealers' orders from the trade portal at their tier with volume
//! breaks, typed into a grid or read from an order sheet (`order_sheet`).
//! Support tickets; dealers' promotional prices (`promotions`); the order
//! lines product performance and stock read (`sales`).
//! Its agent (`agent`) reviews the dealer applications waiting and proposes
//! a verdict on each for a person to approve, or escalates one that looks
//! like an existing dealer; a person may still decide directly.
//! Not built yet: the agent's other decisions (drafted replies to support
//! tickets, promotional prices), feedback (selling issue).

#[cfg(feature = "ssr")]
pub mod agent;
pub mod decide;
pub mod endpoints;
pub mod events;
pub mod page;
pub mod routes;
pub mod view;

#[cfg(feature = "ssr")]
pub mod order_sheet;
#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod promotions;
#[cfg(feature = "ssr")]
pub mod sales;
#[cfg(feature = "ssr")]
pub mod segments;
#[cfg(feature = "ssr")]
pub mod service;

/// Customer Management, as the rest of Kiln knows it.
pub const FUNCTION: super::descriptor::FunctionDescriptor = super::descriptor::FunctionDescriptor {
    routes: routes::ROUTES,
    #[cfg(feature = "ssr")]
    events: Some(crate::store::catalog::EventFamily::of::<events::CustomerEvent>),
    #[cfg(feature = "ssr")]
    projectors: &[
        projection::DEALERS,
        projection::APPLICATION_PROPOSALS,
        projection::ORDERS,
        projection::TICKETS,
        sales::ORDER_LINES,
        promotions::PROMOTIONS,
    ],
    #[cfg(feature = "ssr")]
    fill_page: |store, _built, page| Box::pin(service::fill_page(store, page)),
    #[cfg(feature = "ssr")]
    headline: Some(|store, months| Box::pin(service::headline(store, months))),
    controls: Some(page::controls),
    #[cfg(feature = "ssr")]
    agent: Some(agent::AGENT),
    ..super::descriptor::FunctionDescriptor::of(kiln_core::function::BusinessFunction::Customers)
};
