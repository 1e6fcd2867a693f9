//! The business functions of the briefing, one module each.
//!
//! Every function module has the same inside, so whoever knows one knows
//! them all: `events` (what happened, the schema of the log), `decide` (its
//! commands and the pure rules that turn a command into events or a refusal),
//! `projection` (server-only: the tables it derives from its events), `view`
//! (the view models its pages and JSON endpoints share), and `service`
//! (server-only: the application service that loads state, decides and
//! appends). A function whose staff page is not built yet says so in its
//! module documentation.

pub mod category;
pub mod customers;
pub mod database_manager;
pub mod descriptor;
pub mod fulfillment;
pub mod overview;
pub mod platform_manager;
#[cfg(feature = "ssr")]
pub mod proposals;
pub mod quality;
pub mod view;

pub use descriptor::FunctionDescriptor;
pub use kiln_core::function::BusinessFunction;

/// Every built function, each described once in its own module. This list
/// is the only place that names them: the store's registry, the staff
/// pages' fillers and forms, the Business Overview's figures, the
/// authorisation table's per-function rows and whether a page is built are
/// read from it. (Its order is the order projectors run in, the event
/// catalog lists families and the Overview shows figures.)
pub const BUILT: &[&FunctionDescriptor] = &[
    &overview::FUNCTION,
    &category::FUNCTION,
    &platform_manager::FUNCTION,
    &customers::FUNCTION,
    &fulfillment::FUNCTION,
    &database_manager::FUNCTION,
    &quality::FUNCTION,
];

/// The descriptor of `function`, when it is built.
pub fn descriptor(function: BusinessFunction) -> Option<&'static FunctionDescriptor> {
    BUILT
        .iter()
        .copied()
        .find(|descriptor| descriptor.function == function)
}

/// The store's registry of every built function's events, projectors and
/// checks, checked against each other once per process (they are
/// compiled in, so the answer cannot change while it runs).
#[cfg(feature = "ssr")]
pub fn registry()
-> Result<std::sync::Arc<crate::store::registry::Registry>, crate::store::registry::RegistryError> {
    use crate::store::registry::Registry;
    static REGISTRY: std::sync::OnceLock<
        Result<std::sync::Arc<Registry>, crate::store::registry::RegistryError>,
    > = std::sync::OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            Registry::new(BUILT.iter().map(|descriptor| descriptor.contribution()))
                .map(std::sync::Arc::new)
        })
        .clone()
}

/// Whether Kiln has built `function` (it has a descriptor in [`BUILT`]).
/// The others' pages say plainly that the function is not built yet.
pub fn page_built(function: BusinessFunction) -> bool {
    descriptor::is_built(BUILT, function)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_built_function_is_listed_once() {
        for (index, descriptor) in super::BUILT.iter().enumerate() {
            assert!(
                !super::BUILT[index + 1..]
                    .iter()
                    .any(|other| other.function == descriptor.function),
                "{:?} is listed twice",
                descriptor.function
            );
        }
    }

    /// Every projector names only event types its function has, and no
    /// name or table is declared twice: the same check that refuses to
    /// start a server whose functions do not fit together.
    #[cfg(feature = "ssr")]
    #[test]
    fn the_built_functions_fit_together_in_one_registry() {
        let registry = super::registry().expect("the registry");
        assert!(
            registry.projectors().len() >= super::BUILT.len() - 1,
            "every function but the Overview projects something"
        );
    }
}
