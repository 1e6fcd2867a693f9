//! Test support for the application's own tests (server side).

/// The store's [`kiln_store::store_tests!`], with every built function's
/// registry: each test runs once on SQLite and once on PostgreSQL, on a
/// fresh store whose projections and checks are the ones Kiln ships.
macro_rules! store_tests {
    ($($tests:tt)*) => {
        kiln_store::store_tests! {
            registry = crate::functions::registry().expect("the functions' registry");
            $($tests)*
        }
    };
}
pub(crate) use store_tests;
