//! Fulfillment's application service.

use super::decide::{FulfillmentCommand, FulfillmentError, decide};
use super::events::FulfillmentEvent;
use crate::event::{Actor, StreamId};
use crate::functions::BusinessFunction;
use crate::functions::category::events::{CategoryEvent, Sku};
use crate::store::{Appended, EventMetadata, EventStore, StoreError};

/// Why a Fulfillment command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum FulfillmentServiceError {
    /// A Fulfillment rule refused it.
    #[error(transparent)]
    Refused(#[from] FulfillmentError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records a count of `sku`'s finished units, made at `counted_at` when
/// that was earlier than now (a count brought in as history).
pub async fn record_stock_count(
    store: &EventStore,
    actor: Actor,
    sku: Sku,
    on_hand: i64,
    counted_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Appended, FulfillmentServiceError> {
    // Only the catalog knows which products exist.
    let product = store
        .load::<CategoryEvent>(&StreamId::product(&sku))
        .await?;
    if product.events.is_empty() {
        return Err(FulfillmentError::NoSuchProduct { sku }.into());
    }
    let stream = StreamId::stock(&sku);
    let history = store.load::<FulfillmentEvent>(&stream).await?;
    let events = decide(FulfillmentCommand::RecordStockCount { sku, on_hand })?;
    let mut metadata = EventMetadata::new(actor, BusinessFunction::Fulfillment);
    if let Some(at) = counted_at {
        metadata = metadata.occurred_at(at);
    }
    Ok(store
        .append(&stream, history.version, &events, &metadata)
        .await?)
}
