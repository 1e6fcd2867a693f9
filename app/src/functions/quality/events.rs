//! What Quality records in the event log.

use kiln_core::identity::random_id;
use serde::{Deserialize, Serialize};
use std::fmt;

random_id!(
    /// A non-conformance, e.g. `ncr-3f9c2a71d04e8b65`: its stream is
    /// `non-conformance-<id>`.
    NonConformanceId,
    InvalidNonConformanceId,
    "ncr-",
    "a non-conformance id (ncr- and 16 hex digits)"
);

/// Every event Quality posts. The variant name is the event's stable type
/// name in the log; its fields are the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data")]
pub enum QualityEvent {
    /// Someone found that a product, a process or a supplier's material
    /// does not meet its standard, and raised it as a non-conformance for
    /// the function that owns the cause to correct.
    NonConformanceRaised(NonConformanceRaised),
}

/// Payload of [`QualityEvent::NonConformanceRaised`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NonConformanceRaised {
    /// The non-conformance.
    pub non_conformance: NonConformanceId,
    /// Where the problem comes from.
    pub source: NonConformanceSource,
    /// What does not conform, in a line, e.g. "Glaze crawling on TBL-JUG-1L".
    pub subject: String,
    /// How it was found and what was seen.
    pub description: String,
}

/// Where a non-conformance comes from, which says whose it is to correct
/// (the briefing: Procurement for suppliers, NPI/NPD for processes and
/// designs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NonConformanceSource {
    /// A supplier's material or component.
    Supplier,
    /// A production process (a firing, a glaze, a step).
    Process,
    /// A finished product found wanting.
    Product,
    /// A customer's complaint.
    Customer,
}

impl NonConformanceSource {
    /// Every source, in the order the form offers them.
    pub const ALL: [NonConformanceSource; 4] = [
        NonConformanceSource::Supplier,
        NonConformanceSource::Process,
        NonConformanceSource::Product,
        NonConformanceSource::Customer,
    ];

    /// The stable name, as stored and as forms send it, e.g. `supplier`.
    pub fn as_str(self) -> &'static str {
        match self {
            NonConformanceSource::Supplier => "supplier",
            NonConformanceSource::Process => "process",
            NonConformanceSource::Product => "product",
            NonConformanceSource::Customer => "customer",
        }
    }

    /// The source named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|source| source.as_str() == name)
    }

    /// As people read it, e.g. "Supplier material".
    pub fn label(self) -> &'static str {
        match self {
            NonConformanceSource::Supplier => "Supplier material",
            NonConformanceSource::Process => "Production process",
            NonConformanceSource::Product => "Finished product",
            NonConformanceSource::Customer => "Customer complaint",
        }
    }
}

kiln_core::event::tagged_events!(
    QualityEvent,
    Quality,
    schema 1,
    [
        NonConformanceRaised,
    ]
);
