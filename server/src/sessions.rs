//! Server-side sessions (tower-sessions), kept in the same database as the
//! event log. A session holds only the signed-in account's id; everything
//! else is read fresh from the projections on each request, so a revoked
//! role takes effect at once.
//!
//! The session tables are tower-sessions' own (it creates them on start):
//! sessions are security bookkeeping, not business data, so they are not
//! events.

use app::store::EventStore;
use app::store::backend::Database;
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// How long a session lasts without a request.
const IDLE_DAYS: i64 = 7;

/// The session store on whichever engine the log is on.
#[derive(Debug, Clone)]
pub enum KilnSessionStore {
    /// Sessions in the SQLite database.
    Sqlite(SqliteStore),
    /// Sessions in the PostgreSQL database.
    Postgres(PostgresStore),
}

impl KilnSessionStore {
    /// The store in `store`'s database, with its table created if missing.
    pub async fn open(store: &EventStore) -> Result<Self, sqlx::Error> {
        Ok(match store.database() {
            Database::Sqlite(pool) => {
                let sessions = SqliteStore::new(pool.clone());
                sessions.migrate().await?;
                KilnSessionStore::Sqlite(sessions)
            }
            Database::Postgres(pool) => {
                let sessions = PostgresStore::new(pool.clone());
                sessions.migrate().await?;
                KilnSessionStore::Postgres(sessions)
            }
        })
    }

    /// The layer that reads and writes the session cookie: HttpOnly,
    /// SameSite=Lax, Secure when Kiln is served over TLS (`secure`), and
    /// expiring after a week without requests.
    pub fn layer(self, secure: bool) -> SessionManagerLayer<Self> {
        SessionManagerLayer::new(self)
            .with_name("kiln_session")
            .with_http_only(true)
            .with_same_site(tower_sessions::cookie::SameSite::Lax)
            .with_secure(secure)
            .with_expiry(Expiry::OnInactivity(time::Duration::days(IDLE_DAYS)))
    }

    /// Deletes expired sessions once.
    pub async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            KilnSessionStore::Sqlite(store) => store.delete_expired().await,
            KilnSessionStore::Postgres(store) => store.delete_expired().await,
        }
    }
}

#[async_trait]
impl SessionStore for KilnSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            KilnSessionStore::Sqlite(store) => store.create(record).await,
            KilnSessionStore::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            KilnSessionStore::Sqlite(store) => store.save(record).await,
            KilnSessionStore::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            KilnSessionStore::Sqlite(store) => store.load(id).await,
            KilnSessionStore::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            KilnSessionStore::Sqlite(store) => store.delete(id).await,
            KilnSessionStore::Postgres(store) => store.delete(id).await,
        }
    }
}
