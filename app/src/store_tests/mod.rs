//! The event store's tests that need real business functions: Category
//! Management's events, the demo business, the registry of every built
//! function. The store's own crate (`app/store`) tests what it can without
//! any function; these check that the store and the functions, as Kiln
//! ships them, work together (appends, projections, integrity checks,
//! the quarantine, subscribers, the event catalog).

mod catalog;
mod holding;
mod integrity;
mod log;
mod projections;
mod subscriptions;
