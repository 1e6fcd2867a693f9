//! Database Manager: the health of the event log and its projections
//! (briefing, "Database Manager").
//!
//! Built so far: rebuilding projections from the log on request, one
//! rebuild at a time, with progress published for the page (and the JSON
//! endpoint agents use); asking for one needs `database-manager:operate`
//! (see `crate::access::table`). Its staff page (`service::fill_page`,
//! and `page::RebuildPanel`, the rebuild button with its progress bar)
//! shows the log's size, the event-to-table mapping, the anomalies and the
//! event catalog. Its event log pages (`page::EventLogPage`,
//! `page::EventDetailPage`) search the log by function, type, actor,
//! stream and day (`service::search_events`) and show one event in full
//! (`service::event_detail`). Its quarantine lists every integrity
//! anomaly with the events it names until a person releases or rejects
//! them (`events`, `decide`, `projection`, `service::decide_quarantine`,
//! `page::QuarantineVerdicts`); its projection status shows each
//! projection's and subscriber's checkpoint, lag and last error
//! (`service::projection_status`).

pub mod decide;
pub mod endpoints;
pub mod page;
pub mod routes;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod rebuilds;
#[cfg(feature = "ssr")]
pub mod service;

/// The Database Manager, as the rest of Kiln knows it.
pub const FUNCTION: super::descriptor::FunctionDescriptor = super::descriptor::FunctionDescriptor {
    routes: routes::ROUTES,
    #[cfg(feature = "ssr")]
    projectors: &[projection::QUARANTINE],
    #[cfg(feature = "ssr")]
    fill_page: |store, _built, page| Box::pin(service::fill_page(store, page)),
    #[cfg(feature = "ssr")]
    headline: Some(|store, months| Box::pin(service::headline(store, months))),
    controls: Some(page::controls),
    ..super::descriptor::FunctionDescriptor::of(
        kiln_core::function::BusinessFunction::DatabaseManager,
    )
};
