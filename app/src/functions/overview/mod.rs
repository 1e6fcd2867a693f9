//! Business Overview: the executive dashboard over every function
//! (briefing, "Business Overview Page"). It owns no data and posts no
//! events, so it has no `events`, `decide` or `projection`: its page reads
//! the figures other functions own and links each to its source.
//!
//! Built: the figures of the functions that exist (catalog, dealers,
//! accounts, the log), revenue and margin, the order pipeline by payment
//! stage, the stock, a trend chart of each built function's headline, and
//! every function's status (docs/functions/overview.md). Not built yet:
//! cash as Accounts Receivable will keep it and production status,
//! because the functions that own them are not built.

#[cfg(feature = "ssr")]
pub mod service;

/// The Business Overview, as the rest of Kiln knows it: no events, tables
/// or checks of its own, only a page.
pub const FUNCTION: super::descriptor::FunctionDescriptor = super::descriptor::FunctionDescriptor {
    #[cfg(feature = "ssr")]
    fill_page: |store, built, page| Box::pin(service::fill_page(store, built, page)),
    ..super::descriptor::FunctionDescriptor::of(kiln_core::function::BusinessFunction::Overview)
};
