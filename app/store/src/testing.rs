//! Test support: a fresh, migrated store on either engine, and
//! [`store_tests!`](crate::store_tests), which runs one test body on both.
//! The store's own tests use it with [`ShelfEvent`], a family of their
//! own, and no business function; the application's (through the
//! `testing` feature) with its functions'.
//!
//! PostgreSQL tests need a server: `KILN_TEST_POSTGRES_URL` is its base URL
//! without a database, e.g. `postgres://postgres@127.0.0.1:5433`, for a
//! role that may create databases. `make unit-tests` starts a throwaway
//! cluster and sets it (scripts/test-postgres). Each test gets a database of
//! its own, so tests never see each other's events.

use crate::EventStore;
use crate::backend::{Backend, Database, create_postgres_database, drop_postgres_database};
use crate::registry::Registry;
use std::sync::atomic::{AtomicU64, Ordering};

/// A migrated store with nothing in it, and what keeps it alive.
pub struct TestStore {
    /// The store.
    pub store: EventStore,
    /// The SQLite file's directory, deleted when the test ends.
    _directory: Option<tempfile::TempDir>,
}

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VARIABLE: &str = "KILN_TEST_POSTGRES_URL";

/// What the store's own tests append: a shelf's stock count, as small as a
/// function's events can be, so that they run with no business function.
/// Posted under Fulfillment (any function would do).
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "type", content = "data")]
pub enum ShelfEvent {
    /// A shelf was counted.
    ShelfCounted(ShelfCounted),
}

/// Payload of [`ShelfEvent::ShelfCounted`].
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ShelfCounted {
    /// The shelf, e.g. `A-1`.
    pub shelf: String,
    /// Units on it.
    pub units: i64,
    /// Who counted: a parsed field, so that a payload can fail to parse.
    pub counted_by: kiln_core::identity::Email,
    /// What the counter noticed.
    pub note: String,
}

kiln_core::tagged_events!(ShelfEvent, Fulfillment, schema 1, [ShelfCounted]);

impl ShelfEvent {
    /// `shelf` counted with `units` on it.
    pub fn counted(shelf: &str, units: i64) -> Self {
        ShelfEvent::ShelfCounted(ShelfCounted {
            shelf: shelf.to_owned(),
            units,
            counted_by: kiln_core::identity::Email::parse("counter@example.com")
                .expect("a valid address"),
            note: String::new(),
        })
    }
}

/// The shelf family's part of a registry, with the given projectors.
pub fn shelf_contribution(
    projectors: &'static [crate::projections::Projector],
) -> crate::registry::Contribution {
    crate::registry::Contribution {
        function: kiln_core::function::BusinessFunction::Fulfillment,
        events: Some(crate::catalog::EventFamily::of::<ShelfEvent>()),
        projectors,
        integrity_checks: &[],
        event_checks: &[],
    }
}

/// The registry the store's own tests use: the store's events and the
/// shelf family, no business function.
pub fn shelf_registry() -> std::sync::Arc<Registry> {
    std::sync::Arc::new(Registry::new([shelf_contribution(&[])]).expect("the shelf family fits"))
}

/// A fresh, migrated, empty store on `backend`, knowing what `registry`
/// registers.
pub async fn empty_store(backend: Backend, registry: std::sync::Arc<Registry>) -> TestStore {
    let (store, directory) = match backend {
        Backend::Sqlite => {
            let directory = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", directory.path().join("kiln.db").display());
            let store = EventStore::open(&url, registry)
                .await
                .expect("open the SQLite store");
            (store, Some(directory))
        }
        Backend::Postgres => {
            let url = fresh_postgres_database().await;
            let store = EventStore::open(&url, registry)
                .await
                .expect("open the PostgreSQL store");
            (store, None)
        }
    };
    store.migrate().await.expect("migrate");
    TestStore {
        store,
        _directory: directory,
    }
}

/// Creates an empty database on the test server and returns its URL.
pub async fn fresh_postgres_database() -> String {
    static CREATED: AtomicU64 = AtomicU64::new(0);
    let server = std::env::var(POSTGRES_URL_VARIABLE).unwrap_or_else(|_| {
        panic!(
            "{POSTGRES_URL_VARIABLE} is not set: the store tests also run on PostgreSQL. \
             Run them with `make unit-tests` (which starts a throwaway cluster) or point \
             {POSTGRES_URL_VARIABLE} at a server, e.g. postgres://postgres@127.0.0.1:5432"
        )
    });
    let name = format!(
        "kiln_test_{}_{}",
        std::process::id(),
        CREATED.fetch_add(1, Ordering::Relaxed)
    );
    drop_postgres_database(&server, &name)
        .await
        .expect("drop a leftover test database");
    create_postgres_database(&server, &name)
        .await
        .expect("create a test database")
}

impl Database {
    /// Runs `sql` (test set-up or deliberate damage) on this database.
    pub async fn execute_for_test(&self, sql: &str) {
        crate::backend::per_backend!(self, Database, pool => sqlx::query(sql).execute(pool).await.map(|_| ()))
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }
}

/// Defines each test as a module with two tests, `on_sqlite` and
/// `on_postgres`, running the same body on a fresh store of each engine,
/// knowing the given registry (or, without one, the store's own tests'
/// [`shelf_registry`]):
///
/// ```ignore
/// store_tests! {
///     registry = my_registry();
///     async fn appended_events_load_back(store) { ... }
/// }
/// ```
#[macro_export]
macro_rules! store_tests {
    (registry = $registry:expr; $(
        $(#[doc = $doc:literal])*
        async fn $name:ident($store:ident) $body:block
    )*) => {$(
        $(#[doc = $doc])*
        mod $name {
            // The body may or may not use the enclosing module's helpers.
            #[allow(unused_imports)]
            use super::*;

            async fn run($store: $crate::EventStore) $body

            #[tokio::test]
            async fn on_sqlite() {
                let test = $crate::testing::empty_store(
                    $crate::backend::Backend::Sqlite,
                    $registry,
                )
                .await;
                run(test.store.clone()).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let test = $crate::testing::empty_store(
                    $crate::backend::Backend::Postgres,
                    $registry,
                )
                .await;
                run(test.store.clone()).await;
            }
        }
    )*};
    ($($tests:tt)*) => {
        $crate::store_tests! {
            registry = $crate::testing::shelf_registry();
            $($tests)*
        }
    };
}
pub use crate::store_tests;
