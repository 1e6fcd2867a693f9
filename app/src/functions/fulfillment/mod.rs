//! Fulfillment: the finished goods on the shelves and the shipping of
//! orders (briefing, "Fulfillment Function").
//!
//! Built so far: stock counts (`StockCounted`) and what is available to
//! sell (the last count less the units ordered since), which the
//! storefront's product pages show. Counts are recorded by the demo seed
//! and through `service::record_stock_count`. Not built yet: the
//! Fulfillment staff page (its console entry says so), recording counts
//! from it, picking, packing and shipping orders, inventory locations,
//! and the Fulfillment agent.

pub mod decide;
pub mod events;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;
