//! The catalog of every event type the log accepts, generated from the
//! function event enums themselves (their serde shape and doc comments, via
//! `schemars`), so it can never drift from the code. It validates events on
//! their way in and is served as JSON as the schema documentation.

use super::registry::Registry;
use super::{MAX_PAYLOAD_BYTES, NewEvent, StoreError};
use kiln_core::event::DomainEvent;
use kiln_core::function::BusinessFunction;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// One function's event enum, as the store knows it.
pub struct EventFamily {
    /// The function that owns the events.
    pub function: BusinessFunction,
    /// The payload schema version written today.
    pub schema_version: i64,
    schema: fn() -> schemars::Schema,
    decode: fn(&str, i64, Value) -> Result<(), serde_json::Error>,
}

impl EventFamily {
    /// The family of the event enum `E`, for a function's descriptor.
    pub fn of<E: DomainEvent + JsonSchema>() -> Self {
        EventFamily {
            function: E::FUNCTION,
            schema_version: E::SCHEMA_VERSION,
            schema: || schemars::schema_for!(E),
            decode: |event_type, schema_version, payload| {
                E::decode(event_type, schema_version, payload).map(|_| ())
            },
        }
    }
}

/// One event type in the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventTypeEntry {
    /// The stable type name, e.g. `ProductIntroduced`.
    pub name: String,
    /// The function that owns and alone posts it.
    pub function: BusinessFunction,
    /// The payload schema version written today.
    pub schema_version: i64,
    /// What the event means (its doc comment).
    pub description: Option<String>,
    /// JSON Schema of the payload, with its definitions.
    pub payload_schema: Value,
    /// The projection tables it changes (filled in by the [`Registry`],
    /// which knows every projector).
    pub tables: Vec<&'static str>,
}

impl EventTypeEntry {
    /// The payload's fields as its schema names them, an optional one
    /// marked with `?`, e.g. `["sku", "reason", "note?"]`.
    pub fn payload_fields(&self) -> Vec<String> {
        let required: Vec<&str> = self
            .payload_schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        self.payload_schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .keys()
                    .map(|field| {
                        if required.contains(&field.as_str()) {
                            field.clone()
                        } else {
                            format!("{field}?")
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The whole catalog, as served at `GET /api/events/catalog`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventCatalog {
    /// Every event type, grouped by function.
    pub event_types: Vec<EventTypeEntry>,
}

impl EventFamily {
    /// The family's event types, read from its schema: each variant of an
    /// adjacently tagged enum is an object with a constant `type` and `data`.
    pub(super) fn entries(&self) -> Vec<EventTypeEntry> {
        let schema = (self.schema)();
        let root = schema.as_value();
        let definitions = root.get("$defs").cloned().unwrap_or(Value::Null);
        let variants = root
            .get("oneOf")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        variants
            .iter()
            .filter_map(|variant| {
                let properties = variant.get("properties")?;
                let name = properties.get("type")?.get("const")?.as_str()?.to_owned();
                let mut payload_schema = properties.get("data").cloned().unwrap_or(Value::Null);
                // Show the payload's own fields rather than a reference to them.
                if let Some(definition) = payload_schema
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|reference| reference.strip_prefix("#/$defs/"))
                    .and_then(|name| definitions.get(name))
                {
                    payload_schema = definition.clone();
                }
                if let (Value::Object(payload), false) =
                    (&mut payload_schema, definitions.is_null())
                {
                    payload.insert("$defs".into(), definitions.clone());
                }
                Some(EventTypeEntry {
                    tables: Vec::new(),
                    description: variant
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    name,
                    function: self.function,
                    schema_version: self.schema_version,
                    payload_schema,
                })
            })
            .collect()
    }
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
