//! A fresh database on the PostgreSQL server the tests use.

/// Creates an empty database on the PostgreSQL server the tests use
/// (`KILN_TEST_POSTGRES_URL`, set by `make unit-tests`) and returns its URL.
pub async fn fresh_postgres_database() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CREATED: AtomicU64 = AtomicU64::new(0);
    let server = std::env::var("KILN_TEST_POSTGRES_URL").expect(
        "KILN_TEST_POSTGRES_URL names the PostgreSQL server for tests; `make unit-tests` starts one",
    );
    let name = format!(
        "kiln_server_test_{}_{}",
        std::process::id(),
        CREATED.fetch_add(1, Ordering::Relaxed)
    );
    app::store::backend::drop_postgres_database(&server, &name)
        .await
        .expect("drop a leftover test database");
    app::store::backend::create_postgres_database(&server, &name)
        .await
        .expect("create a test database")
}
