//! What Fulfillment records in the event log.

use crate::functions::category::events::Sku;
use serde::{Deserialize, Serialize};

/// Every event Fulfillment posts. The variant name is the event's stable
/// type name in the log; its fields are the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data")]
pub enum FulfillmentEvent {
    /// Someone counted a product's finished units on the shelves. What is
    /// available to sell is this count less the units ordered since.
    StockCounted(StockCounted),
}

/// Payload of [`FulfillmentEvent::StockCounted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct StockCounted {
    /// The product counted.
    pub sku: Sku,
    /// Finished units on hand when counted.
    pub on_hand: u32,
}

kiln_core::event::tagged_events!(
    FulfillmentEvent,
    Fulfillment,
    schema 1,
    [
        StockCounted,
    ]
);
