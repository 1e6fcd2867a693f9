//! Fulfillment: the finished goods on the shelves and the shipping of
//! orders (briefing, "Fulfillment Function").
//!
//! Built so far: stock counts (`StockCounted`) and what is available to
//! sell (the last count less the units ordered since), which the
//! storefront's product pages show; the staff page with the stock of
//! every product and a form to record a count. Not built yet: picking,
//! packing and shipping orders, returns, inventory locations, and the
//! Fulfillment agent.

pub mod decide;
pub mod endpoints;
pub mod events;
pub mod page;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;
