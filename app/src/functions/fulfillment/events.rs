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

impl crate::event::DomainEvent for FulfillmentEvent {
    const FUNCTION: crate::functions::BusinessFunction =
        crate::functions::BusinessFunction::Fulfillment;
    const SCHEMA_VERSION: i64 = 1;

    fn event_type(&self) -> &'static str {
        match self {
            FulfillmentEvent::StockCounted(_) => "StockCounted",
        }
    }

    fn encode(&self) -> Result<serde_json::Value, serde_json::Error> {
        crate::event::encode_tagged(self)
    }

    /// Version 1 is the only schema so far, so there is nothing to upcast.
    fn decode(
        event_type: &str,
        _schema_version: i64,
        payload: serde_json::Value,
    ) -> Result<Self, serde_json::Error> {
        crate::event::decode_tagged(event_type, payload)
    }
}
