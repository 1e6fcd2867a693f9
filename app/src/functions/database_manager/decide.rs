//! The Database Manager's one command, a verdict on quarantined events,
//! and the pure rule that turns it into an event or a refusal.

use kiln_core::event::quarantine::{QuarantineEvent, QuarantineVerdict};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest note on a verdict, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// What a person decides about the events an anomaly names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The events stand and leave the quarantine.
    Release,
    /// The events are wrong; they leave the quarantine marked rejected.
    Reject,
}

impl Verdict {
    /// Its name in forms and URLs: `release` or `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Release => "release",
            Verdict::Reject => "reject",
        }
    }

    /// The verdict named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        [Verdict::Release, Verdict::Reject]
            .into_iter()
            .find(|verdict| verdict.as_str() == text)
    }

    /// How the page says it happened: `released` or `rejected`.
    pub fn past_tense(self) -> &'static str {
        match self {
            Verdict::Release => "released",
            Verdict::Reject => "rejected",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The events an integrity check flagged, as its anomaly names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedEvents {
    /// The anomaly's number.
    pub anomaly: i64,
    /// The check that flagged them.
    pub check: String,
    /// Their positions in the log.
    pub positions: Vec<i64>,
}

/// A person's verdict on one anomaly's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideQuarantine {
    /// The anomaly and its events (read by the service from the anomalies
    /// the checks recorded).
    pub flagged: FlaggedEvents,
    /// Release or reject.
    pub verdict: Verdict,
    /// Why (required to reject).
    pub note: String,
}

/// Why a verdict was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuarantineError {
    /// Each anomaly is decided once; its verdict stands.
    #[error("anomaly {anomaly} was already {}", verdict.past_tense())]
    AlreadyDecided {
        /// The anomaly.
        anomaly: i64,
        /// The verdict it has.
        verdict: Verdict,
    },
    /// Rejecting events says they are wrong, so it must say why.
    #[error("say why the events of anomaly {anomaly} are wrong to reject them")]
    ReasonRequired {
        /// The anomaly.
        anomaly: i64,
    },
    /// The note is longer than [`MAX_NOTE_CHARS`].
    #[error("the note is longer than {max} characters")]
    NoteTooLong {
        /// The limit.
        max: usize,
    },
}

/// What [`decide_quarantine`] needs to know of an anomaly's stream: the
/// verdict it has, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuarantineState {
    /// The verdict given, or `None` while its events wait.
    pub verdict: Option<Verdict>,
}

impl QuarantineState {
    /// Folds an anomaly's past events, oldest first, into its state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a QuarantineEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            state.verdict = Some(match event {
                QuarantineEvent::QuarantineReleased(_) => Verdict::Release,
                QuarantineEvent::QuarantineRejected(_) => Verdict::Reject,
            });
        }
        state
    }
}

/// Decides a verdict on quarantined events: once per anomaly, with a
/// reason to reject, and a note of at most [`MAX_NOTE_CHARS`].
pub fn decide_quarantine(
    state: QuarantineState,
    command: DecideQuarantine,
) -> Result<Vec<QuarantineEvent>, QuarantineError> {
    let DecideQuarantine {
        flagged,
        verdict,
        note,
    } = command;
    if let Some(given) = state.verdict {
        return Err(QuarantineError::AlreadyDecided {
            anomaly: flagged.anomaly,
            verdict: given,
        });
    }
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(QuarantineError::NoteTooLong {
            max: MAX_NOTE_CHARS,
        });
    }
    if verdict == Verdict::Reject && note.is_empty() {
        return Err(QuarantineError::ReasonRequired {
            anomaly: flagged.anomaly,
        });
    }
    let decided = QuarantineVerdict {
        anomaly: flagged.anomaly,
        check: flagged.check,
        positions: flagged.positions,
        note: note.to_owned(),
    };
    Ok(vec![match verdict {
        Verdict::Release => QuarantineEvent::QuarantineReleased(decided),
        Verdict::Reject => QuarantineEvent::QuarantineRejected(decided),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged() -> FlaggedEvents {
        FlaggedEvents {
            anomaly: 7,
            check: "catalog-prices-positive".into(),
            positions: vec![12, 40],
        }
    }

    fn verdict(verdict: Verdict, note: &str) -> DecideQuarantine {
        DecideQuarantine {
            flagged: flagged(),
            verdict,
            note: note.into(),
        }
    }

    fn given(events: &[QuarantineEvent]) -> QuarantineState {
        QuarantineState::from_events(events)
    }

    fn decided(note: &str) -> QuarantineVerdict {
        QuarantineVerdict {
            anomaly: 7,
            check: "catalog-prices-positive".into(),
            positions: vec![12, 40],
            note: note.into(),
        }
    }

    #[test]
    fn waiting_events_are_released_with_or_without_a_note() {
        assert_eq!(
            decide_quarantine(given(&[]), verdict(Verdict::Release, "")),
            Ok(vec![QuarantineEvent::QuarantineReleased(decided(""))])
        );
        assert_eq!(
            decide_quarantine(
                given(&[]),
                verdict(Verdict::Release, "  repaired by a rebuild  ")
            ),
            Ok(vec![QuarantineEvent::QuarantineReleased(decided(
                "repaired by a rebuild"
            ))])
        );
    }

    #[test]
    fn waiting_events_are_rejected_with_the_reason_and_the_events_named() {
        assert_eq!(
            decide_quarantine(
                given(&[]),
                verdict(Verdict::Reject, "a price of zero was typed by mistake")
            ),
            Ok(vec![QuarantineEvent::QuarantineRejected(decided(
                "a price of zero was typed by mistake"
            ))])
        );
    }

    #[test]
    fn rejecting_without_a_reason_is_refused() {
        assert_eq!(
            decide_quarantine(given(&[]), verdict(Verdict::Reject, "   ")),
            Err(QuarantineError::ReasonRequired { anomaly: 7 })
        );
    }

    #[test]
    fn an_anomaly_already_decided_is_not_decided_again() {
        let released = QuarantineEvent::QuarantineReleased(decided(""));
        assert_eq!(
            decide_quarantine(given(&[released]), verdict(Verdict::Reject, "wrong")),
            Err(QuarantineError::AlreadyDecided {
                anomaly: 7,
                verdict: Verdict::Release
            })
        );
        let rejected = QuarantineEvent::QuarantineRejected(decided("wrong"));
        assert_eq!(
            decide_quarantine(given(&[rejected]), verdict(Verdict::Release, "")),
            Err(QuarantineError::AlreadyDecided {
                anomaly: 7,
                verdict: Verdict::Reject
            })
        );
    }

    #[test]
    fn a_note_longer_than_the_limit_is_refused() {
        let long = "é".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(
            decide_quarantine(given(&[]), verdict(Verdict::Release, &long)),
            Err(QuarantineError::NoteTooLong {
                max: MAX_NOTE_CHARS
            })
        );
        let at_the_limit = "é".repeat(MAX_NOTE_CHARS);
        assert!(decide_quarantine(given(&[]), verdict(Verdict::Release, &at_the_limit)).is_ok());
    }

    #[test]
    fn verdicts_are_named_as_forms_send_them() {
        assert_eq!(Verdict::from_name("release"), Some(Verdict::Release));
        assert_eq!(Verdict::from_name("reject"), Some(Verdict::Reject));
        assert_eq!(Verdict::from_name("delete"), None);
    }
}
