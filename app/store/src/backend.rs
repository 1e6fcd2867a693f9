//! The two databases the log can live in: SQLite (embedded, the default)
//! and PostgreSQL (for scale), and the few places where they differ.
//!
//! Most of the store's SQL is the same on both: queries use numbered
//! placeholders (`$1`), which sqlx accepts on SQLite too, and
//! [`per_backend!`] compiles one query once per engine. What differs is
//! written twice, side by side, and kept in this module or next to the
//! query as a [`PerBackend`] pair: how an appender takes the log's single
//! writer lock, how positions come back from an insert, JSON functions, and
//! how a table's columns and rows are listed for checksums.

use super::{StoreError, database};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, Postgres};
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};
use std::{str::FromStr, time::Duration};

/// Runs `$body` with `$binding` bound to the SQLite or the PostgreSQL half
/// of a [`Database`], [`Connection`] or [`Transaction`]-like enum. The body is
/// compiled once for each engine, so one query text serves both. Exported:
/// functions' projectors and services run their own queries on the store's
/// connections with it.
#[macro_export]
macro_rules! per_backend {
    ($value:expr, $kind:ident, $binding:ident => $body:expr) => {
        match $value {
            $crate::backend::$kind::Sqlite($binding) => $body,
            $crate::backend::$kind::Postgres($binding) => $body,
        }
    };
}
pub use crate::per_backend;

/// The key of the transaction-scoped PostgreSQL advisory lock every append
/// and rebuild takes: one writer at a time, as on SQLite. ("KILNLOG" in
/// ASCII.)
const APPEND_LOCK_KEY: i64 = 0x004b_494c_4e4c_4f47;

/// Which engine a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file: `sqlite://path/to/kiln.db`.
    Sqlite,
    /// A PostgreSQL server: `postgres://user:password@host:port/database`.
    Postgres,
}

impl Backend {
    /// The engine `url` names, from its scheme.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Configuration {
                url: redact(url),
                reason: "the URL must start with sqlite:// or postgres://".into(),
            })
        }
    }
}

/// The URL with any password replaced, fit for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A two-engine pair of the same thing, usually SQL text that has to differ.
#[derive(Debug, Clone, Copy)]
pub struct PerBackend<T> {
    /// The SQLite version.
    pub sqlite: T,
    /// The PostgreSQL version.
    pub postgres: T,
}

impl<T: Copy> PerBackend<T> {
    /// The version for `backend`.
    pub fn get(&self, backend: Backend) -> T {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

/// The connection pool of the database under the log.
#[derive(Debug, Clone)]
pub enum Database {
    /// An embedded SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

impl Database {
    /// Opens the SQLite file at `url`, creating it if missing, in WAL mode
    /// with `synchronous=NORMAL`: a committed append survives a crash of
    /// Kiln; a power cut may lose the last transactions but never corrupts
    /// the log. The directory must exist.
    pub(super) async fn open_sqlite(url: &str) -> Result<Self, StoreError> {
        let options = sqlite_options(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // A rebuild is one large transaction: with SQLite's default 2 MB
            // page cache it spills and re-reads pages constantly. 64 MB per
            // connection keeps it mostly in memory. (Memory-mapped I/O was
            // tried: each connection maps the file separately, so resident
            // memory grew with the database; see docs/benchmarks.md.)
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(database(format!("open {url}")))?;
        Ok(Database::Sqlite(pool))
    }

    /// Connects to the PostgreSQL database `options` name, which must exist.
    pub(super) async fn open_postgres(options: PgConnectOptions) -> Result<Self, StoreError> {
        let described = format!(
            "connect to PostgreSQL database {} on {}:{}",
            options.get_database().unwrap_or("(default)"),
            options.get_host(),
            options.get_port()
        );
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(database(described))?;
        Ok(Database::Postgres(pool))
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        match self {
            Database::Sqlite(_) => Backend::Sqlite,
            Database::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date; safe to run on every start.
    pub(super) async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Database::Sqlite(pool) => sqlx::migrate!("../../migrations/sqlite").run(pool).await?,
            Database::Postgres(pool) => {
                sqlx::migrate!("../../migrations/postgres")
                    .run(pool)
                    .await?
            }
        }
        Ok(())
    }

    /// Starts a transaction holding the log's single writer lock, so that
    /// positions are committed in the order they are handed out and a
    /// reader following positions never skips one:
    /// - SQLite: `BEGIN IMMEDIATE` takes the database's write lock (others
    ///   wait up to the busy timeout);
    /// - PostgreSQL: a transaction-scoped advisory lock, released when the
    ///   transaction ends. PostgreSQL makes a commit visible before it
    ///   releases the transaction's locks, so the next appender's positions
    ///   are both larger and visible later.
    pub(super) async fn begin_writing(&self, operation: &str) -> Result<Transaction, StoreError> {
        match self {
            Database::Sqlite(pool) => {
                let tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(database(operation))?;
                Ok(Transaction::Sqlite(tx))
            }
            Database::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(database(operation))?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(APPEND_LOCK_KEY)
                    .execute(&mut *tx)
                    .await
                    .map_err(database(operation))?;
                Ok(Transaction::Postgres(tx))
            }
        }
    }

    /// Closes every connection once open queries finish (on SQLite this
    /// also checkpoints the WAL into the database file).
    pub(super) async fn close(&self) {
        per_backend!(self, Database, pool => pool.close().await)
    }
}

/// The SQLite connection settings `url` describes.
pub(super) fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    SqliteConnectOptions::from_str(url).map_err(|error| StoreError::Configuration {
        url: url.to_owned(),
        reason: error.to_string(),
    })
}

/// The PostgreSQL connection settings `url` describes.
pub(super) fn postgres_options(url: &str) -> Result<PgConnectOptions, StoreError> {
    PgConnectOptions::from_str(url).map_err(|error| StoreError::Configuration {
        url: redact(url),
        reason: error.to_string(),
    })
}

/// Creates the empty PostgreSQL database `name` on the server at
/// `server_url` (a URL naming no database, e.g.
/// `postgres://postgres@127.0.0.1:5432`), for throwaway databases: the
/// tests and the benchmark. Returns the new database's URL.
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String, StoreError> {
    let server_url = server_url.trim_end_matches('/');
    let statement = maintenance_statement("CREATE DATABASE", name)?;
    run_on_server(server_url, &statement).await?;
    Ok(format!("{server_url}/{name}"))
}

/// Drops the PostgreSQL database `name` on the server at `server_url`, if
/// it exists.
pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<(), StoreError> {
    let statement = maintenance_statement("DROP DATABASE IF EXISTS", name)?;
    run_on_server(server_url.trim_end_matches('/'), &statement).await
}

/// `verb name`, for a name that is safe to put in SQL unquoted.
fn maintenance_statement(verb: &str, name: &str) -> Result<String, StoreError> {
    let safe = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if safe {
        Ok(format!("{verb} {name}"))
    } else {
        Err(StoreError::Configuration {
            url: name.to_owned(),
            reason: "a throwaway database name is 1 to 63 lower-case letters, digits or _".into(),
        })
    }
}

/// Runs one statement on the server's `postgres` maintenance database.
async fn run_on_server(server_url: &str, statement: &str) -> Result<(), StoreError> {
    use sqlx::Connection as _;
    let options = postgres_options(server_url)?.database("postgres");
    let mut connection = PgConnection::connect_with(&options)
        .await
        .map_err(database(format!("connect to {}", redact(server_url))))?;
    sqlx::query(statement)
        .execute(&mut connection)
        .await
        .map_err(database(statement))?;
    connection
        .close()
        .await
        .map_err(database("disconnect from the server"))
}

/// A transaction on either engine.
#[derive(Debug)]
pub enum Transaction {
    /// On SQLite.
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Transaction {
    /// The transaction's connection, to run statements in it.
    pub fn connection(&mut self) -> Connection<'_> {
        match self {
            Transaction::Sqlite(tx) => Connection::Sqlite(&mut *tx),
            Transaction::Postgres(tx) => Connection::Postgres(&mut *tx),
        }
    }

    /// Commits it.
    pub(super) async fn commit(self, operation: &str) -> Result<(), StoreError> {
        per_backend!(self, Transaction, tx => tx.commit().await.map_err(database(operation)))
    }
}

/// A connection taken from the pool, on either engine; it goes back to
/// the pool when dropped.
#[derive(Debug)]
pub enum PooledConnection {
    /// On SQLite.
    Sqlite(PoolConnection<Sqlite>),
    /// On PostgreSQL.
    Postgres(PoolConnection<Postgres>),
}

impl PooledConnection {
    /// The connection, to run statements on it.
    pub fn connection(&mut self) -> Connection<'_> {
        match self {
            PooledConnection::Sqlite(connection) => Connection::Sqlite(&mut *connection),
            PooledConnection::Postgres(connection) => Connection::Postgres(&mut *connection),
        }
    }
}

/// A borrowed connection on either engine: what projectors write through.
#[derive(Debug)]
pub enum Connection<'c> {
    /// On SQLite.
    Sqlite(&'c mut SqliteConnection),
    /// On PostgreSQL.
    Postgres(&'c mut PgConnection),
}

impl Connection<'_> {
    /// The same connection for a shorter borrow, so it can be handed to
    /// several statements in turn.
    pub fn reborrow(&mut self) -> Connection<'_> {
        match self {
            Connection::Sqlite(connection) => Connection::Sqlite(connection),
            Connection::Postgres(connection) => Connection::Postgres(connection),
        }
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        match self {
            Connection::Sqlite(_) => Backend::Sqlite,
            Connection::Postgres(_) => Backend::Postgres,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_is_never_shown() {
        assert_eq!(
            redact("postgres://kiln:s3cret@db.internal:5432/kiln"),
            "postgres://kiln:***@db.internal:5432/kiln"
        );
        assert_eq!(
            redact("postgres://kiln@localhost/kiln"),
            "postgres://kiln@localhost/kiln"
        );
        assert_eq!(redact("sqlite://data/kiln.db"), "sqlite://data/kiln.db");
    }

    #[test]
    fn the_engine_is_read_from_the_url_scheme() {
        assert_eq!(
            Backend::of_url("sqlite://data/kiln.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::of_url("postgresql://localhost/kiln").ok(),
            Some(Backend::Postgres)
        );
        let error = Backend::of_url("mysql://root:pw@localhost/kiln").expect_err("refused");
        assert_eq!(
            error.to_string(),
            "cannot use database URL “mysql://root:***@localhost/kiln”: the URL must start with sqlite:// or postgres://"
        );
    }
}
