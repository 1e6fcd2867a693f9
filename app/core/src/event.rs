//! What every event in the log has in common, whichever function posts it.

pub mod quarantine;

use crate::function::BusinessFunction;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::fmt;

/// A business function's event enum, as the event log stores it: a stable
/// type name, a payload schema version and a JSON payload.
///
/// Function event enums are adjacently tagged serde enums
/// (`#[serde(tag = "type", content = "data")]`); [`encode_tagged`] and
/// [`decode_tagged`] do the splitting for them.
pub trait DomainEvent: Sized {
    /// The function that owns, and alone may post, these events.
    const FUNCTION: BusinessFunction;
    /// The payload schema version written today. Reading an older version
    /// goes through [`DomainEvent::decode`], the place to upcast it.
    const SCHEMA_VERSION: i64;

    /// The event's stable type name, e.g. `ProductIntroduced`.
    fn event_type(&self) -> &'static str;
    /// The payload to store.
    fn encode(&self) -> Result<serde_json::Value, serde_json::Error>;
    /// Reads a stored event back, upcasting older schema versions.
    fn decode(
        event_type: &str,
        schema_version: i64,
        payload: serde_json::Value,
    ) -> Result<Self, serde_json::Error>;
}

/// Implements [`DomainEvent`] for a function's adjacently tagged event enum
/// whose variants each carry one payload, named as the log names them:
/// `tagged_events!(QualityEvent, Quality, schema 1, [NonConformanceRaised])`.
/// Decoding reads every stored version as today's; an enum whose payloads
/// change shape implements `DomainEvent` by hand, upcasting in `decode`.
#[macro_export]
macro_rules! tagged_events {
    ($enum:ident, $function:ident, schema $version:literal, [$($variant:ident),+ $(,)?]) => {
        impl $crate::event::DomainEvent for $enum {
            const FUNCTION: $crate::function::BusinessFunction =
                $crate::function::BusinessFunction::$function;
            const SCHEMA_VERSION: i64 = $version;

            fn event_type(&self) -> &'static str {
                match self {
                    $($enum::$variant(_) => stringify!($variant),)+
                }
            }

            fn encode(&self) -> Result<serde_json::Value, serde_json::Error> {
                $crate::event::encode_tagged(self)
            }

            fn decode(
                event_type: &str,
                _schema_version: i64,
                payload: serde_json::Value,
            ) -> Result<Self, serde_json::Error> {
                $crate::event::decode_tagged(event_type, payload)
            }
        }
    };
}
pub use crate::tagged_events;

/// The payload of an adjacently tagged event enum value (its `data`).
pub fn encode_tagged<E: Serialize>(event: &E) -> Result<serde_json::Value, serde_json::Error> {
    let mut tagged = serde_json::to_value(event)?;
    Ok(tagged
        .get_mut("data")
        .map(serde_json::Value::take)
        .unwrap_or(serde_json::Value::Null))
}

/// Rebuilds an adjacently tagged event enum value from its type name and payload.
pub fn decode_tagged<E: DeserializeOwned>(
    event_type: &str,
    payload: serde_json::Value,
) -> Result<E, serde_json::Error> {
    serde_json::from_value(serde_json::json!({ "type": event_type, "data": payload }))
}

/// Who caused an event: `user:<id>`, `agent:<function>`, `system:<name>` or
/// `integration:<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Actor(String);

/// Why a text is not a valid [`Actor`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{text}” is not an actor: write user:<id>, agent:<function>, system:<name> or integration:<name>"
)]
pub struct InvalidActor {
    /// The text that was offered as an actor.
    pub text: String,
}

impl Actor {
    /// Parses an actor reference.
    pub fn parse(text: &str) -> Result<Self, InvalidActor> {
        let valid = text.split_once(':').is_some_and(|(kind, name)| {
            matches!(kind, "user" | "agent" | "system" | "integration")
                && !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
        });
        if valid {
            Ok(Actor(text.to_owned()))
        } else {
            Err(InvalidActor {
                text: text.to_owned(),
            })
        }
    }

    /// A part of Kiln itself acting, e.g. `system:demo-seed`.
    pub fn system(name: &'static str) -> Self {
        Actor(format!("system:{name}"))
    }

    /// A person acting through their account, e.g. `user:acc-3f9c2a71d04e8b65`.
    pub fn user(account: &crate::identity::AccountId) -> Self {
        Actor(format!("user:{account}"))
    }

    /// A business function's own agent, e.g. `agent:category`.
    pub fn agent(function: crate::function::BusinessFunction) -> Self {
        Actor(format!("agent:{}", function.slug()))
    }

    /// An external agent acting through its API token, e.g.
    /// `integration:tok-5d02c4e9a17f3b80`.
    pub fn integration(token: &crate::identity::TokenId) -> Self {
        Actor(format!("integration:{token}"))
    }

    /// The actor reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Actor {
    type Error = InvalidActor;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Actor::parse(&text)
    }
}

impl From<Actor> for String {
    fn from(actor: Actor) -> Self {
        actor.0
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stream an event belongs to, e.g. `product-MUG-SPECKLE-12`. Optimistic
/// concurrency is per stream: each has its own version counter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct StreamId(String);

impl StreamId {
    /// A stream id given whole: by the function whose stream it is
    /// (`<kind>-<id>`, e.g. `product-MUG-SPECKLE-12`), an import or a
    /// benchmark. The streams of the vocabulary's own ids (accounts, API
    /// tokens, anomalies) have constructors here, a conversation's is
    /// `ConversationId::stream`; each function names its own streams
    /// beside its ids.
    pub fn new(id: impl Into<String>) -> Self {
        StreamId(id.into())
    }

    /// The stream of one account (its creation and its roles).
    pub fn account(account: &crate::identity::AccountId) -> Self {
        StreamId(format!("account-{account}"))
    }

    /// The stream of one API token (its issue and revocation).
    pub fn api_token(token: &crate::identity::TokenId) -> Self {
        StreamId(format!("api-token-{token}"))
    }

    /// The stream of one integrity anomaly's quarantine (the verdict on
    /// the events it names), e.g. `anomaly-7`.
    pub fn anomaly(anomaly: i64) -> Self {
        StreamId(format!("anomaly-{anomaly}"))
    }

    /// The stream id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_actor_kinds_parse() {
        for text in [
            "user:42",
            "agent:procurement",
            "system:demo-seed",
            "integration:stripe",
        ] {
            assert_eq!(Actor::parse(text).map(String::from), Ok(text.to_owned()));
        }
    }

    #[test]
    fn actors_without_a_known_kind_or_a_name_are_refused() {
        for text in ["robot:x", "user:", "agent", "user:bad name"] {
            assert!(Actor::parse(text).is_err(), "{text:?} was accepted");
        }
    }
}
