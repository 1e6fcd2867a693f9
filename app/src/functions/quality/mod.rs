//! Quality: product and process quality (briefing, "Quality Function").
//!
//! Built so far, the first slice: raising a non-conformance (what is wrong,
//! where it comes from, how it was found) and the page that lists them.
//! It is also the first function added through its descriptor alone: its
//! folder, one line in `functions::BUILT` and its migration
//! (`0024_non_conformances.sql`), nothing else (decision 0007). Not built
//! yet: closing a non-conformance with its corrective action, quality
//! holds on products and batches, supplier quality issues, root causes,
//! improvement projects, and its agent.

pub mod decide;
pub mod endpoints;
pub mod events;
pub mod page;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;

/// Quality, as the rest of Kiln knows it.
pub const FUNCTION: super::descriptor::FunctionDescriptor = super::descriptor::FunctionDescriptor {
    routes: routes::ROUTES,
    #[cfg(feature = "ssr")]
    events: Some(crate::store::catalog::EventFamily::of::<events::QualityEvent>),
    #[cfg(feature = "ssr")]
    projectors: &[projection::NON_CONFORMANCES],
    #[cfg(feature = "ssr")]
    fill_page: |store, _built, page| Box::pin(service::fill_page(store, page)),
    #[cfg(feature = "ssr")]
    headline: Some(|store, _| Box::pin(service::headline(store))),
    controls: Some(page::controls),
    ..super::descriptor::FunctionDescriptor::of(kiln_core::function::BusinessFunction::Quality)
};
