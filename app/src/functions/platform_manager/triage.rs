//! The words of change requests' triage, apart from the events that carry
//! them so that an agent's proposed triage (`agents::step`) can name them
//! without the Platform Manager's events, which record the agents' steps,
//! naming the agents back: a change request's id, its urgency, where it
//! stands, and a proposed triage.

use kiln_core::event::StreamId;
use kiln_core::identity::random_id;
use serde::{Deserialize, Serialize};
use std::fmt;

random_id!(
    /// The id of a change request, e.g. `chg-7a4c0e19b2d35f68`.
    ChangeRequestId,
    InvalidChangeRequestId,
    "chg-",
    "a change request id"
);

impl ChangeRequestId {
    /// The stream of this change request: its raising and its triage.
    pub fn stream(&self) -> StreamId {
        StreamId::new(format!("change-request-{self}"))
    }
}

/// How soon a change is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Whenever there is time.
    Low,
    /// In the normal course of work.
    Normal,
    /// Soon: work is slowed without it.
    High,
    /// Now: work is blocked without it.
    Critical,
}

impl Urgency {
    /// Every urgency, least first.
    pub const ALL: [Urgency; 4] = [
        Urgency::Low,
        Urgency::Normal,
        Urgency::High,
        Urgency::Critical,
    ];

    /// Its name: `low`, `normal`, `high` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
            Urgency::Critical => "critical",
        }
    }

    /// The urgency named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|urgency| urgency.as_str() == text)
    }
}

/// Where a change request stands. A request starts `new`; `done` and
/// `declined` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TriageStatus {
    /// Raised, not looked at yet.
    New,
    /// Worth doing; not planned yet.
    Accepted,
    /// Planned for a phase or a date (the note says which).
    Scheduled,
    /// Built.
    Done,
    /// Not to be done (the note says why).
    Declined,
}

impl TriageStatus {
    /// Every status, in the order a request moves through them.
    pub const ALL: [TriageStatus; 5] = [
        TriageStatus::New,
        TriageStatus::Accepted,
        TriageStatus::Scheduled,
        TriageStatus::Done,
        TriageStatus::Declined,
    ];

    /// Its name, e.g. `scheduled`.
    pub fn as_str(self) -> &'static str {
        match self {
            TriageStatus::New => "new",
            TriageStatus::Accepted => "accepted",
            TriageStatus::Scheduled => "scheduled",
            TriageStatus::Done => "done",
            TriageStatus::Declined => "declined",
        }
    }

    /// The status named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether a request may move from this status to `next`: forward
    /// only (new, accepted, scheduled, done), declined from any open
    /// status, and nothing after done or declined.
    pub fn may_become(self, next: TriageStatus) -> bool {
        use TriageStatus::*;
        matches!(
            (self, next),
            (New, Accepted | Scheduled | Done | Declined)
                | (Accepted, Scheduled | Done | Declined)
                | (Scheduled, Done | Declined)
        )
    }
}

impl fmt::Display for TriageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a proposal says a new change request should be triaged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "triage", rename_all = "snake_case")]
pub enum TriageOutcome {
    /// Accept it, to be built with this priority.
    Accept {
        /// How soon it should be built, in the urgency's scale.
        priority: Urgency,
    },
    /// Decline it: an open request already asks for the same.
    Duplicate {
        /// The open request it repeats.
        of: ChangeRequestId,
        /// That request's title, as the note quotes it.
        title: String,
    },
}

impl TriageOutcome {
    /// The status the request moves to when the proposal is approved.
    pub fn status(&self) -> TriageStatus {
        match self {
            TriageOutcome::Accept { .. } => TriageStatus::Accepted,
            TriageOutcome::Duplicate { .. } => TriageStatus::Declined,
        }
    }

    /// The triage note it records, e.g. "Priority high" or "Duplicate of
    /// chg-… (“Bulk price edit”)".
    pub fn note(&self) -> String {
        match self {
            TriageOutcome::Accept { priority } => format!("Priority {}", priority.as_str()),
            TriageOutcome::Duplicate { of, title } => format!("Duplicate of {of} (“{title}”)"),
        }
    }
}
