//! Quality's commands and the pure rules that decide them.

use super::events::{NonConformanceId, NonConformanceRaised, NonConformanceSource, QualityEvent};

/// The longest subject a non-conformance takes, in characters: a line.
pub const MAX_SUBJECT: usize = 120;

/// The longest description a non-conformance takes, in characters.
pub const MAX_DESCRIPTION: usize = 2_000;

/// A request to Quality, from a person or an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QualityCommand {
    /// Raise a non-conformance.
    RaiseNonConformance {
        /// Its id, chosen by the caller.
        non_conformance: NonConformanceId,
        /// Where the problem comes from.
        source: NonConformanceSource,
        /// What does not conform, in a line.
        subject: String,
        /// How it was found and what was seen.
        description: String,
    },
}

/// A non-conformance, as its own events tell it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NonConformanceState {
    /// Whether it has been raised.
    pub raised: bool,
}

impl NonConformanceState {
    /// Folds a non-conformance's events.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a QualityEvent>) -> Self {
        events
            .into_iter()
            .fold(Self::default(), |_, event| match event {
                QualityEvent::NonConformanceRaised(_) => NonConformanceState { raised: true },
            })
    }
}

/// A Quality rule that refused a command; shown verbatim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QualityError {
    /// A non-conformance says what does not conform.
    #[error("say in a line what does not conform")]
    NoSubject,
    /// The subject is a line, not a report.
    #[error("the subject may have at most {max} characters, not {length}")]
    SubjectTooLong {
        /// Its length in characters.
        length: usize,
        /// The most allowed.
        max: usize,
    },
    /// The description has a limit too.
    #[error("the description may have at most {max} characters, not {length}")]
    DescriptionTooLong {
        /// Its length in characters.
        length: usize,
        /// The most allowed.
        max: usize,
    },
    /// The same non-conformance cannot be raised twice.
    #[error("non-conformance {non_conformance} is raised already")]
    AlreadyRaised {
        /// The non-conformance.
        non_conformance: NonConformanceId,
    },
}

/// Decides a Quality command against the state of its non-conformance.
pub fn decide(
    state: &NonConformanceState,
    command: QualityCommand,
) -> Result<Vec<QualityEvent>, QualityError> {
    match command {
        QualityCommand::RaiseNonConformance {
            non_conformance,
            source,
            subject,
            description,
        } => {
            if state.raised {
                return Err(QualityError::AlreadyRaised { non_conformance });
            }
            let subject = subject.trim().to_owned();
            let description = description.trim().to_owned();
            if subject.is_empty() {
                return Err(QualityError::NoSubject);
            }
            let length = subject.chars().count();
            if length > MAX_SUBJECT {
                return Err(QualityError::SubjectTooLong {
                    length,
                    max: MAX_SUBJECT,
                });
            }
            let length = description.chars().count();
            if length > MAX_DESCRIPTION {
                return Err(QualityError::DescriptionTooLong {
                    length,
                    max: MAX_DESCRIPTION,
                });
            }
            Ok(vec![QualityEvent::NonConformanceRaised(
                NonConformanceRaised {
                    non_conformance,
                    source,
                    subject,
                    description,
                },
            )])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> NonConformanceId {
        NonConformanceId::parse("ncr-00000000000000a1").expect("id")
    }

    fn raise(subject: &str, description: &str) -> QualityCommand {
        QualityCommand::RaiseNonConformance {
            non_conformance: id(),
            source: NonConformanceSource::Process,
            subject: subject.to_owned(),
            description: description.to_owned(),
        }
    }

    #[test]
    fn given_nothing_raising_a_non_conformance_records_it_trimmed() {
        assert_eq!(
            decide(
                &NonConformanceState::default(),
                raise("  Glaze crawling on jugs ", " Kiln 2, shelf 3 ")
            ),
            Ok(vec![QualityEvent::NonConformanceRaised(
                NonConformanceRaised {
                    non_conformance: id(),
                    source: NonConformanceSource::Process,
                    subject: "Glaze crawling on jugs".into(),
                    description: "Kiln 2, shelf 3".into(),
                }
            )])
        );
    }

    #[test]
    fn a_non_conformance_without_a_subject_or_too_long_is_refused() {
        let fresh = NonConformanceState::default();
        assert_eq!(
            decide(&fresh, raise("   ", "")),
            Err(QualityError::NoSubject)
        );
        assert_eq!(
            decide(&fresh, raise(&"x".repeat(MAX_SUBJECT + 1), "")),
            Err(QualityError::SubjectTooLong {
                length: MAX_SUBJECT + 1,
                max: MAX_SUBJECT
            })
        );
        assert!(matches!(
            decide(
                &fresh,
                raise("Crazed mugs", &"é".repeat(MAX_DESCRIPTION + 1))
            ),
            Err(QualityError::DescriptionTooLong { .. })
        ));
    }

    #[test]
    fn given_a_raised_non_conformance_raising_it_again_is_refused() {
        let raised = NonConformanceState::from_events(
            &decide(&NonConformanceState::default(), raise("Crazed mugs", "")).expect("raised"),
        );
        assert_eq!(
            decide(&raised, raise("Crazed mugs", "")),
            Err(QualityError::AlreadyRaised {
                non_conformance: id()
            })
        );
    }
}
