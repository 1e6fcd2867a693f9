//! What the store is told about the business when it is opened: each
//! function's event family, the projectors that turn its events into
//! tables, and the checks that guard them.
//!
//! The store defines what a family, a projector and a check are; it does
//! not know which functions exist. Whoever opens an [`EventStore`] hands it
//! a [`Registry`] (Kiln builds it from the functions' descriptors,
//! `functions::registry`), and everything the store does per function (the
//! catalog that validates appends, inline projection, rebuilds, the gate's
//! event checks, the integrity checks) reads it from there.
//!
//! [`EventStore`]: super::EventStore

pub use super::contribution::Contribution;
use super::contribution::{EventCheck, EventFamily, EventTypeEntry, Projector};
use super::integrity::IntegrityCheck;
use kiln_core::function::BusinessFunction;

/// Every function's events, projectors and checks, checked against each
/// other once, when the registry is made.
pub struct Registry {
    families: Vec<(EventFamily, Vec<EventTypeEntry>)>,
    projectors: Vec<&'static Projector>,
    integrity_checks: Vec<&'static IntegrityCheck>,
    event_checks: Vec<&'static EventCheck>,
}

/// Why the functions' declarations do not fit together. A registry with
/// such a mistake is refused at start-up: a projector that names an event
/// type its function lacks would otherwise silently project nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// A projector handles an event type its function does not have.
    #[error(
        "projector {projector} handles {event_type}, which {function} has no event type called"
    )]
    UnknownEventType {
        /// The projector.
        projector: &'static str,
        /// Its function's slug.
        function: &'static str,
        /// The event type it names.
        event_type: &'static str,
    },
    /// A check or projector belongs to another function than the one
    /// whose descriptor lists it.
    #[error("{what} {name} is declared by {declared_by} but reads the events of {reads}")]
    WrongFunction {
        /// A projector, an integrity check or an event check.
        what: &'static str,
        /// Its name.
        name: &'static str,
        /// The descriptor that lists it.
        declared_by: &'static str,
        /// The function it says it reads.
        reads: &'static str,
    },
    /// Two functions, projectors, checks or tables share a name.
    #[error("{what} {name} is declared twice")]
    Duplicate {
        /// What kind of thing.
        what: &'static str,
        /// The name.
        name: String,
    },
}

impl std::fmt::Debug for Registry {
    /// The names of what it holds (the families and checks hold functions).
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Registry")
            .field(
                "functions",
                &self
                    .families
                    .iter()
                    .map(|(family, _)| family.function.slug())
                    .collect::<Vec<_>>(),
            )
            .field(
                "projectors",
                &self
                    .projectors
                    .iter()
                    .map(|projector| projector.name)
                    .collect::<Vec<_>>(),
            )
            .field("checks", &self.check_names().collect::<Vec<_>>())
            .finish()
    }
}

impl Registry {
    /// The registry of `contributions`, refused when a projector names an
    /// event type its function lacks, when something is declared by the
    /// wrong function, or when a name or table is declared twice.
    pub fn new(
        contributions: impl IntoIterator<Item = Contribution>,
    ) -> Result<Self, RegistryError> {
        let mut registry = Registry {
            families: Vec::new(),
            projectors: Vec::new(),
            integrity_checks: Vec::new(),
            event_checks: Vec::new(),
        };
        let mut functions = Vec::new();
        for contribution in contributions {
            let declared_by = contribution.function.slug();
            if functions.contains(&contribution.function) {
                return Err(RegistryError::Duplicate {
                    what: "function",
                    name: declared_by.to_owned(),
                });
            }
            functions.push(contribution.function);
            let wrong = |what, name, reads: BusinessFunction| RegistryError::WrongFunction {
                what,
                name,
                declared_by,
                reads: reads.slug(),
            };
            if let Some(family) = contribution.events {
                if family.function != contribution.function {
                    return Err(wrong("event family", declared_by, family.function));
                }
                if registry.family_of(family.function).is_some() {
                    return Err(RegistryError::Duplicate {
                        what: "event family",
                        name: declared_by.to_owned(),
                    });
                }
                let entries = family.entries();
                registry.families.push((family, entries));
            }
            for projector in contribution.projectors {
                if projector.function != contribution.function {
                    return Err(wrong("projector", projector.name, projector.function));
                }
                registry.projectors.push(projector);
            }
            for check in contribution.integrity_checks {
                if check.function != contribution.function {
                    return Err(wrong("integrity check", check.name, check.function));
                }
                registry.integrity_checks.push(check);
            }
            for check in contribution.event_checks {
                if check.function != contribution.function {
                    return Err(wrong("event check", check.name, check.function));
                }
                registry.event_checks.push(check);
            }
        }
        // The store's own events, the quarantine's verdicts, which its gate
        // reads (`kiln_core::event::quarantine`).
        let verdicts = EventFamily::of::<kiln_core::event::quarantine::QuarantineEvent>();
        if registry.family_of(verdicts.function).is_some() {
            return Err(RegistryError::Duplicate {
                what: "event family",
                name: verdicts.function.slug().to_owned(),
            });
        }
        let entries = verdicts.entries();
        registry.families.push((verdicts, entries));
        registry.check_handles()?;
        registry.check_unique()?;
        // Each catalog entry names the tables its events change, which only
        // the whole set of projectors knows.
        let projectors = registry.projectors.clone();
        for (_, entries) in &mut registry.families {
            for entry in entries {
                entry.tables = projectors
                    .iter()
                    .filter(|projector| projector.handles_type(entry.function, &entry.name))
                    .flat_map(|projector| projector.tables.iter().copied())
                    .collect();
            }
        }
        Ok(registry)
    }

    /// Every projector names only event types its function has.
    fn check_handles(&self) -> Result<(), RegistryError> {
        for projector in &self.projectors {
            let entries = self.entries_of(projector.function);
            for event_type in projector.handles {
                if !entries.iter().any(|entry| entry.name == *event_type) {
                    return Err(RegistryError::UnknownEventType {
                        projector: projector.name,
                        function: projector.function.slug(),
                        event_type,
                    });
                }
            }
        }
        Ok(())
    }

    /// Projector names, check names and tables are each declared once.
    fn check_unique(&self) -> Result<(), RegistryError> {
        let mut seen: Vec<(&'static str, &'static str)> = Vec::new();
        let names = self
            .projectors
            .iter()
            .map(|projector| ("projector", projector.name))
            .chain(
                self.projectors
                    .iter()
                    .flat_map(|projector| projector.tables.iter().map(|table| ("table", *table))),
            )
            .chain(self.check_names().map(|name| ("check", name)));
        for (what, name) in names {
            if seen.contains(&(what, name)) {
                return Err(RegistryError::Duplicate {
                    what,
                    name: name.to_owned(),
                });
            }
            seen.push((what, name));
        }
        Ok(())
    }

    /// The catalog entries of `function`'s events (none when it posts none).
    pub fn entries_of(&self, function: BusinessFunction) -> &[EventTypeEntry] {
        self.family_of(function)
            .map_or(&[], |(_, entries)| entries.as_slice())
    }

    /// `function`'s event family and its catalog entries.
    pub(super) fn family_of(
        &self,
        function: BusinessFunction,
    ) -> Option<&(EventFamily, Vec<EventTypeEntry>)> {
        self.families
            .iter()
            .find(|(family, _)| family.function == function)
    }

    /// Every event family with its catalog entries.
    pub(super) fn families(&self) -> &[(EventFamily, Vec<EventTypeEntry>)] {
        &self.families
    }

    /// Every projector, in the order of the functions' descriptors.
    pub fn projectors(&self) -> &[&'static Projector] {
        &self.projectors
    }

    /// Every projector's name, in the order they run, comma-separated (as
    /// a refusal of an unknown projection lists them).
    pub fn projector_names(&self) -> String {
        self.projectors
            .iter()
            .map(|projector| projector.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every integrity check of the tables.
    pub fn integrity_checks(&self) -> impl Iterator<Item = &'static IntegrityCheck> + '_ {
        self.integrity_checks.iter().copied()
    }

    /// Every check an event must pass to reach the tables unheld.
    pub fn event_checks(&self) -> impl Iterator<Item = &'static EventCheck> + '_ {
        self.event_checks.iter().copied()
    }

    /// The names of every check of both kinds.
    pub fn check_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.integrity_checks()
            .map(|check| check.name)
            .chain(self.event_checks().map(|check| check.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projections::{Projector, ProjectorFuture};
    use crate::testing::shelf_contribution as shelves;
    use crate::{RecordedEvent, backend::Connection};

    fn nothing<'a>(_: Connection<'a>, _: &'a [&'a RecordedEvent]) -> ProjectorFuture<'a> {
        Box::pin(async { Ok(()) })
    }

    const MISSPELT: Projector = Projector {
        name: "misspelt",
        function: BusinessFunction::Fulfillment,
        handles: &["ShelfCountd"],
        tables: &["misspelt"],
        apply: nothing,
    };

    const COUNTS: Projector = Projector {
        name: "counts",
        function: BusinessFunction::Fulfillment,
        handles: &["ShelfCounted"],
        tables: &["counts"],
        apply: nothing,
    };

    #[test]
    fn a_registry_catalogues_each_event_type_with_the_tables_it_changes() {
        let registry = Registry::new([shelves(std::slice::from_ref(&COUNTS))]).expect("fits");
        let counted = &registry.entries_of(BusinessFunction::Fulfillment)[0];
        assert_eq!(
            (counted.name.as_str(), &counted.tables[..]),
            ("ShelfCounted", &["counts"][..])
        );
        assert_eq!(registry.projector_names(), "counts");
        // The store's own verdict events are there without anyone listing them.
        assert!(
            registry
                .entries_of(BusinessFunction::DatabaseManager)
                .iter()
                .any(|entry| entry.name == "QuarantineReleased")
        );
    }

    #[test]
    fn a_projector_naming_an_event_type_its_function_lacks_is_refused() {
        let refused = Registry::new([shelves(std::slice::from_ref(&MISSPELT))]);
        assert_eq!(
            refused.err(),
            Some(RegistryError::UnknownEventType {
                projector: "misspelt",
                function: "fulfillment",
                event_type: "ShelfCountd",
            })
        );
    }

    #[test]
    fn a_projector_listed_by_another_function_is_refused() {
        let refused = Registry::new([Contribution {
            function: BusinessFunction::Category,
            events: None,
            projectors: std::slice::from_ref(&MISSPELT),
            integrity_checks: &[],
            event_checks: &[],
        }]);
        assert!(
            matches!(
                refused,
                Err(RegistryError::WrongFunction {
                    name: "misspelt",
                    ..
                })
            ),
            "{:?}",
            refused.err()
        );
    }

    #[test]
    fn a_table_written_by_two_projectors_is_refused() {
        const RECOUNTS: Projector = Projector {
            name: "recounts",
            ..COUNTS
        };
        const BOTH: &[Projector] = &[COUNTS, RECOUNTS];
        let refused = Registry::new([shelves(BOTH)]);
        assert_eq!(
            refused.err(),
            Some(RegistryError::Duplicate {
                what: "table",
                name: "counts".to_owned(),
            })
        );
    }

    #[test]
    fn a_function_declaring_the_stores_own_verdict_events_is_refused() {
        let refused = Registry::new([Contribution {
            function: BusinessFunction::DatabaseManager,
            events: Some(EventFamily::of::<
                kiln_core::event::quarantine::QuarantineEvent,
            >()),
            projectors: &[],
            integrity_checks: &[],
            event_checks: &[],
        }]);
        assert_eq!(
            refused.err(),
            Some(RegistryError::Duplicate {
                what: "event family",
                name: "database-manager".to_owned(),
            })
        );
    }
}
