//! The catalog of every event type the log accepts, generated from the
//! function event enums themselves (their serde shape and doc comments, via
//! `schemars`), so it can never drift from the code. It validates events on
//! their way in and is served as JSON as the schema documentation.

pub use super::contribution::{EventFamily, EventTypeEntry};
use super::registry::Registry;
use super::{MAX_PAYLOAD_BYTES, NewEvent, StoreError};
use kiln_core::function::BusinessFunction;
use serde::Serialize;

/// The whole catalog, as served at `GET /api/events/catalog`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventCatalog {
    /// Every event type, grouped by function.
    pub event_types: Vec<EventTypeEntry>,
}

/// The catalog of every event type the registry's functions post.
pub fn event_catalog(registry: &Registry) -> EventCatalog {
    EventCatalog {
        event_types: registry
            .families()
            .iter()
            .flat_map(|(_, entries)| entries.iter().cloned())
            .collect(),
    }
}

/// How much of a payload [`validate`] must check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadCheck {
    /// The payload came from outside (an import, an integration): decode it
    /// as its type to prove it fits.
    Decode,
    /// The payload was just encoded from a typed event value, so it decodes
    /// by construction (the encode/decode round trip is tested per type).
    EncodedFromType,
}

/// Checks an event offered by `function` before it may enter the log: the
/// function owns such an event type, the schema version is one this build
/// reads, the payload is not oversized and (for [`PayloadCheck::Decode`])
/// decodes as that type. Returns the payload as the JSON text to store.
pub fn validate(
    registry: &Registry,
    function: BusinessFunction,
    event: &NewEvent,
    check: PayloadCheck,
) -> Result<String, StoreError> {
    let refuse = |reason: String| StoreError::InvalidEvent {
        event_type: event.event_type.clone(),
        function: function.slug(),
        reason,
    };
    let (family, entries) = registry
        .family_of(function)
        .ok_or_else(|| refuse(format!("{} posts no events yet", function.slug())))?;
    if !entries.iter().any(|entry| entry.name == event.event_type) {
        return Err(refuse(format!(
            "{} has no event type {}",
            function.slug(),
            event.event_type
        )));
    }
    if !(1..=family.schema_version).contains(&event.schema_version) {
        return Err(refuse(format!(
            "schema version {} is not one of 1..={}",
            event.schema_version, family.schema_version
        )));
    }
    let text = event.payload.to_string();
    let size = text.len();
    if size > MAX_PAYLOAD_BYTES {
        return Err(refuse(format!(
            "the payload is {size} bytes, larger than the {MAX_PAYLOAD_BYTES} bytes an event may carry"
        )));
    }
    if check == PayloadCheck::Decode {
        (family.decode)(
            &event.event_type,
            event.schema_version,
            event.payload.clone(),
        )
        .map_err(|error| {
            refuse(format!(
                "the payload does not fit {} version {}: {error}",
                event.event_type, event.schema_version
            ))
        })?;
    }
    Ok(text)
}
