//! The event store's tests that need real business functions: Category
//! Management's events, the demo business, the registry of every built
//! function. The store's own crate (`app/store`) tests its engine without
//! any function (appends, loads, refusals, concurrency, reads); these
//! check that the store and the functions, as Kiln ships them, work
//! together (projections and rebuilds, integrity checks, the quarantine's
//! gate, subscribers, the event catalog).

mod catalog;
mod holding;
mod integrity;
mod projections;
mod subscriptions;
