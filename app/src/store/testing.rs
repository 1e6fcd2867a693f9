//! Test support: a fresh, migrated store on either engine, and
//! [`store_tests!`], which runs one test body on both.
//!
//! PostgreSQL tests need a server: `KILN_TEST_POSTGRES_URL` is its base URL
//! without a database, e.g. `postgres://postgres@127.0.0.1:5433`, for a
//! role that may create databases. `make unit-tests` starts a throwaway
//! cluster and sets it (scripts/test-postgres). Each test gets a database of
//! its own, so tests never see each other's events.

use super::EventStore;
use super::backend::{Backend, Database, create_postgres_database, drop_postgres_database};
use std::sync::atomic::{AtomicU64, Ordering};

/// A migrated store with nothing in it, and what keeps it alive.
pub(crate) struct TestStore {
    /// The store.
    pub store: EventStore,
    /// The SQLite file's directory, deleted when the test ends.
    _directory: Option<tempfile::TempDir>,
}

/// The environment variable naming the PostgreSQL server for tests.
pub(crate) const POSTGRES_URL_VARIABLE: &str = "KILN_TEST_POSTGRES_URL";

/// A fresh, migrated, empty store on `backend`.
pub(crate) async fn empty_store(backend: Backend) -> TestStore {
    let registry = crate::functions::registry().expect("the functions' registry");
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
pub(crate) async fn fresh_postgres_database() -> String {
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
    pub(crate) async fn execute_for_test(&self, sql: &str) {
        super::backend::per_backend!(self, Database, pool => sqlx::query(sql).execute(pool).await.map(|_| ()))
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }
}

/// Defines each test as a module with two tests, `on_sqlite` and
/// `on_postgres`, running the same body on a fresh store of each engine:
///
/// ```ignore
/// store_tests! {
///     async fn appended_events_load_back(store) { ... }
/// }
/// ```
macro_rules! store_tests {
    ($(
        $(#[doc = $doc:literal])*
        async fn $name:ident($store:ident) $body:block
    )*) => {$(
        $(#[doc = $doc])*
        mod $name {
            // The body may or may not use the enclosing module's helpers.
            #[allow(unused_imports)]
            use super::*;

            async fn run($store: $crate::store::EventStore) $body

            #[tokio::test]
            async fn on_sqlite() {
                let test = $crate::store::testing::empty_store(
                    $crate::store::backend::Backend::Sqlite,
                )
                .await;
                run(test.store.clone()).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let test = $crate::store::testing::empty_store(
                    $crate::store::backend::Backend::Postgres,
                )
                .await;
                run(test.store.clone()).await;
            }
        }
    )*};
}
pub(crate) use store_tests;
