//! What a business function hands the store when it is opened: its event
//! family (the event enum, as the store knows it), the projectors that turn
//! its events into tables, and the checks that guard them, put together as
//! its [`Contribution`]. The store defines these shapes; the [`Registry`]
//! puts every function's together, and the catalog, the projections and
//! the holding gate read them from it. Nothing here reads the registry, so
//! the files that do import this one and never each other in a circle.
//!
//! [`Registry`]: super::registry::Registry

use super::backend::Connection;
use super::integrity::IntegrityCheck;
use super::{RecordedEvent, StoreError};
use kiln_core::event::DomainEvent;
use kiln_core::function::BusinessFunction;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use std::{future::Future, pin::Pin};

/// One function's part of the registry, as its descriptor declares it.
pub struct Contribution {
    /// The function.
    pub function: BusinessFunction,
    /// Its event enum, when it posts events.
    pub events: Option<EventFamily>,
    /// Its projectors.
    pub projectors: &'static [Projector],
    /// The invariants of its tables.
    pub integrity_checks: &'static [IntegrityCheck],
    /// The rules each of its events must keep to reach the tables unheld.
    pub event_checks: &'static [EventCheck],
}

/// One function's event enum, as the store knows it.
pub struct EventFamily {
    /// The function that owns the events.
    pub function: BusinessFunction,
    /// The payload schema version written today.
    pub schema_version: i64,
    schema: fn() -> schemars::Schema,
    /// Decodes a payload of the family's, for the catalog's check on the
    /// way in.
    pub(super) decode: fn(&str, i64, Value) -> Result<(), serde_json::Error>,
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
    /// The projection tables it changes (filled in by the [`Registry`](super::registry::Registry),
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

/// A rule one event must keep to reach the tables without a person's
/// look, e.g. a base price may not jump tenfold.
pub struct EventCheck {
    /// The check's stable name, e.g. `catalog-price-jumps`.
    pub name: &'static str,
    /// The function whose events it reads.
    pub function: BusinessFunction,
    /// The rule in a sentence.
    pub invariant: &'static str,
    /// What is wrong with the event, in a sentence, or `None` when nothing
    /// is. Pure: the same event always gets the same answer, which is what
    /// makes a rebuild hold back what the live appends held back.
    pub flags: fn(&RecordedEvent) -> Option<String>,
}

/// What a projector's `apply` returns.
pub type ProjectorFuture<'a> = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// A projection: the tables one function derives from some of its events.
pub struct Projector {
    /// The projection's name, e.g. `catalog` (used by `kiln projections rebuild NAME`).
    pub name: &'static str,
    /// The function whose events it reads.
    pub function: BusinessFunction,
    /// The event types it applies.
    pub handles: &'static [&'static str],
    /// The tables it owns and alone writes.
    pub tables: &'static [&'static str],
    /// Applies events it handles, in position order, to its tables, on
    /// either engine (most projectors only need [`upsert_rows`](super::projections::upsert_rows)). Takes a
    /// batch because each statement costs a round trip to the database: a
    /// projector should write a batch with few statements. Must ignore an
    /// event at or below a row's `last_position`, so replaying is harmless.
    pub apply: for<'a> fn(Connection<'a>, &'a [&'a RecordedEvent]) -> ProjectorFuture<'a>,
}

impl Projector {
    pub(super) fn handles(&self, event: &RecordedEvent) -> bool {
        self.handles_type(event.metadata.function, &event.event_type)
    }

    pub(super) fn handles_type(&self, function: BusinessFunction, event_type: &str) -> bool {
        self.function == function && self.handles.contains(&event_type)
    }
}

/// The events a projector was handed, each with its typed payload, in the
/// same order: what every projector does first.
pub fn decode<'a, E: kiln_core::event::DomainEvent>(
    events: &[&'a RecordedEvent],
) -> Result<Vec<(&'a RecordedEvent, E)>, StoreError> {
    events
        .iter()
        .map(|event| decode_one(event).map(|payload| (*event, payload)))
        .collect()
}

/// One recorded event's typed payload.
pub fn decode_one<E: kiln_core::event::DomainEvent>(
    event: &RecordedEvent,
) -> Result<E, StoreError> {
    E::decode(
        &event.event_type,
        event.schema_version,
        event.payload.clone(),
    )
    .map_err(|source| StoreError::Payload {
        event_type: event.event_type.clone(),
        source,
    })
}
