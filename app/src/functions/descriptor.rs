//! A built function's descriptor: everything the rest of Kiln needs to know
//! about it, declared once, in the function's own module (`FUNCTION` in its
//! `mod.rs`), and listed once, in [`super::BUILT`].
//!
//! The store's registry (event families, projectors, checks), the
//! authorisation table's per-function rows, the staff page's filler and
//! controls, the Business Overview's figures, and whether a function's
//! page is built are all read from the descriptors. Adding a function is
//! its folder, one line in [`super::BUILT`] and its migrations.
//! (`BusinessFunction` keeps what the briefing says of every function,
//! built or not: name, group, phase, whether it has an agent; which
//! functions take proposals is still a list there, to join the descriptor
//! with the agents and their decision kinds.)

use crate::functions::view::FunctionPage;
use kiln_core::function::BusinessFunction;
use leptos::prelude::AnyView;

#[cfg(feature = "ssr")]
use crate::store::{
    EventStore, StoreError, catalog::EventFamily, holding::EventCheck, integrity::IntegrityCheck,
    projections::Projector,
};

/// What fills a function's staff page with its figures and tables. Besides
/// the store it is given the functions Kiln is built with (the list in
/// `functions`, which names every function and so cannot be named by one
/// of them): the Business Overview gathers their figures.
#[cfg(feature = "ssr")]
pub type PageFiller = for<'a> fn(
    &'a EventStore,
    &'static [&'static FunctionDescriptor],
    &'a mut FunctionPage,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 'a>,
>;

/// What a function shows on the Business Overview: its headline figures,
/// their trends over the months shown, and its charts. The Overview
/// credits each to the function's page.
#[cfg(feature = "ssr")]
#[derive(Debug, Default)]
pub struct Headline {
    /// Key figures, as tiles.
    pub metrics: Vec<crate::functions::view::Metric>,
    /// Figures over the months the Overview shows.
    pub trends: Vec<crate::functions::view::TrendChart>,
    /// Bar charts.
    pub charts: Vec<crate::functions::view::BarChart>,
}

/// Whether `function` is among `built`, the list of built functions a
/// page filler or the server's state was handed.
pub fn is_built(built: &[&FunctionDescriptor], function: BusinessFunction) -> bool {
    built
        .iter()
        .any(|descriptor| descriptor.function == function)
}

/// The months the Business Overview charts, oldest first.
#[cfg(feature = "ssr")]
pub type Months = [Month];

/// A calendar month, as the figures of a function's page and of the
/// Business Overview are summed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// `YYYY-MM`, as `order_lines.placed_month`.
    pub key: String,
    /// As charts show it, e.g. "Jun 2026".
    pub label: String,
}

/// The `count` months up to and including `now`'s, oldest first.
#[cfg(feature = "ssr")]
pub fn months_ending(now: chrono::DateTime<chrono::Utc>, count: u32) -> Vec<Month> {
    use chrono::Datelike;
    let (year, month) = (now.year(), now.month0());
    (0..count)
        .rev()
        .map(|back| {
            let index = i64::from(year) * 12 + i64::from(month) - i64::from(back);
            let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
            const NAMES: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let name = usize::try_from(month0).map_or("", |m| NAMES[m]);
            Month {
                key: format!("{year:04}-{:02}", month0 + 1),
                label: format!("{name} {year}"),
            }
        })
        .collect()
}

/// What works out a function's [`Headline`] for the months shown.
#[cfg(feature = "ssr")]
pub type HeadlineFiller = for<'a> fn(
    &'a EventStore,
    &'a Months,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Headline, StoreError>> + Send + 'a>,
>;

/// The forms and panels a function's page shows between its figures and
/// its tables, drawn from the page's view model.
pub type PageControls = fn(&FunctionPage) -> AnyView;

/// One built business function, as the rest of Kiln knows it.
pub struct FunctionDescriptor {
    /// Which function of the briefing this is.
    pub function: BusinessFunction,
    /// Its own endpoints (under `/api/<slug>/`, and pages under
    /// `/staff/<slug>/`), with what their callers must meet: its rows of
    /// the authorisation table. (Every function's page, JSON and live
    /// events are `access::table::FUNCTION_ROUTES`, shared by all.)
    pub routes: &'static [crate::access::route::Route],
    /// Its event enum, when it posts events (the log's schema of it).
    #[cfg(feature = "ssr")]
    pub events: Option<fn() -> EventFamily>,
    /// The tables it derives from its events.
    #[cfg(feature = "ssr")]
    pub projectors: &'static [Projector],
    /// Invariants of its tables, checked after the fact.
    #[cfg(feature = "ssr")]
    pub integrity_checks: &'static [IntegrityCheck],
    /// Rules each of its events must keep to reach the tables unheld.
    #[cfg(feature = "ssr")]
    pub event_checks: &'static [EventCheck],
    /// Fills its staff page's view model.
    #[cfg(feature = "ssr")]
    pub fill_page: PageFiller,
    /// Its figures on the Business Overview, if it has any.
    #[cfg(feature = "ssr")]
    pub headline: Option<HeadlineFiller>,
    /// Its page's own forms and panels above its tables, if it has any.
    pub controls: Option<PageControls>,
    /// Its page's own forms after the tables and change requests, if any
    /// (the Platform Manager's triage, roles and tokens).
    pub closing_controls: Option<PageControls>,
    /// Its agent, if it has one built (`crate::agents`; its own
    /// `agent.rs`): what wakes it and its rules brain.
    #[cfg(feature = "ssr")]
    pub agent: Option<crate::agents::AgentDescriptor>,
}

// Its fields are functions and tables; the function it describes says
// which one it is.
impl std::fmt::Debug for FunctionDescriptor {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FunctionDescriptor")
            .field("function", &self.function)
            .finish_non_exhaustive()
    }
}

impl FunctionDescriptor {
    /// A descriptor of `function` declaring nothing yet: no routes, events,
    /// tables, checks or controls, and a page its service adds nothing to.
    /// Each function's `FUNCTION` writes what it has over this base
    /// (`..FunctionDescriptor::of(function)`).
    pub const fn of(function: BusinessFunction) -> Self {
        FunctionDescriptor {
            function,
            routes: &[],
            #[cfg(feature = "ssr")]
            events: None,
            #[cfg(feature = "ssr")]
            projectors: &[],
            #[cfg(feature = "ssr")]
            integrity_checks: &[],
            #[cfg(feature = "ssr")]
            event_checks: &[],
            #[cfg(feature = "ssr")]
            fill_page: |_, _, _| Box::pin(async { Ok(()) }),
            #[cfg(feature = "ssr")]
            headline: None,
            controls: None,
            closing_controls: None,
            #[cfg(feature = "ssr")]
            agent: None,
        }
    }

    /// The function's part of the store's registry.
    #[cfg(feature = "ssr")]
    pub fn contribution(&self) -> crate::store::registry::Contribution {
        crate::store::registry::Contribution {
            function: self.function,
            events: self.events.map(|family| family()),
            projectors: self.projectors,
            integrity_checks: self.integrity_checks,
            event_checks: self.event_checks,
        }
    }
}
