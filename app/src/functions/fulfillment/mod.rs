//! Fulfillment: the finished goods on the shelves and the shipping of
//! orders (briefing, "Fulfillment Function").
//!
//! Built so far: stock counts (`StockCounted`) and what is available to
//! sell (the last count less the units ordered since), which the
//! storefront's product pages show; the staff page with the stock of
//! every product and a form to record a count; its agent, which answers
//! its peers' questions about stock (`agent`). Not built yet: picking,
//! packing and shipping orders, returns, inventory locations, and the
//! agent's own proposals (recounts, stock adjustments).

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

/// Fulfillment, as the rest of Kiln knows it.
pub const FUNCTION: super::descriptor::FunctionDescriptor = super::descriptor::FunctionDescriptor {
    routes: routes::ROUTES,
    #[cfg(feature = "ssr")]
    events: Some(crate::store::catalog::EventFamily::of::<events::FulfillmentEvent>),
    #[cfg(feature = "ssr")]
    projectors: &[projection::STOCK],
    #[cfg(feature = "ssr")]
    fill_page: |store, _built, page| Box::pin(service::fill_page(store, page)),
    #[cfg(feature = "ssr")]
    headline: Some(|store, months| Box::pin(service::headline(store, months))),
    controls: Some(page::controls),
    #[cfg(feature = "ssr")]
    agent: Some(agent::AGENT),
    ..super::descriptor::FunctionDescriptor::of(kiln_core::function::BusinessFunction::Fulfillment)
};
