//! The event store's own events: a person's verdict on the events an
//! integrity check flagged (the quarantine). The store's gate reads them
//! to release or drop what it holds back, so they are defined here, beside
//! what every event shares, and the store registers them itself; they are
//! posted under the Database Manager, which operates the quarantine.
//!
//! An integrity check that finds a violation records an anomaly naming
//! the offending events; until a person has looked at it, those events
//! wait in the quarantine. Letting them stand and judging them wrong are
//! both events, so who decided what, and why, is kept with everything
//! else. The log itself is never edited: a rejected event stays in it,
//! and putting its effects right is the owning function's own command.

use serde::{Deserialize, Serialize};

/// Every verdict event. The variant name is the event's
/// stable type name in the log; its fields are the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data")]
pub enum QuarantineEvent {
    /// A person looked at the events an integrity check flagged and let
    /// them stand (the check was satisfied another way, e.g. by a rebuild
    /// that repaired the table, or the events are right and the check is
    /// too strict); they leave the quarantine.
    QuarantineReleased(QuarantineVerdict),
    /// A person judged the events an integrity check flagged to be wrong;
    /// they leave the quarantine marked rejected, with the reason. The
    /// events stay in the log; their function corrects what they did.
    QuarantineRejected(QuarantineVerdict),
}

/// Payload of [`QuarantineEvent::QuarantineReleased`] and
/// [`QuarantineEvent::QuarantineRejected`]: which anomaly, the events
/// it named, and the person's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct QuarantineVerdict {
    /// The anomaly's number, as the Database Manager's page lists it.
    pub anomaly: i64,
    /// The integrity check that flagged the events, e.g.
    /// `catalog-prices-positive`.
    pub check: String,
    /// The positions of the flagged events in the log.
    pub positions: Vec<i64>,
    /// Why: required to reject, optional to release.
    pub note: String,
}

crate::event::tagged_events!(
    QuarantineEvent,
    DatabaseManager,
    schema 1,
    [
        QuarantineReleased,
        QuarantineRejected,
    ]
);
