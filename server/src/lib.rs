//! The `kiln` server: command line, HTTP, and (later) the background agent
//! workers. Business logic lives in the `app` crate; this crate wires it to
//! the outside world.

pub mod admin;
pub mod agents;
pub mod bench;
pub mod cli;
pub mod client_address;
pub mod connections;
pub mod content_security;
pub mod eval;
pub mod guard;
pub mod http;
pub mod refusals;
pub mod requests;
pub mod sessions;
pub mod telemetry;
pub mod workers;

use app::store::{EventStore, StoreError};
use leptos::config::LeptosOptions;
use std::{net::SocketAddr, path::Path};

/// Why Kiln could not open its database.
#[derive(Debug, thiserror::Error)]
pub enum OpenDatabaseError {
    /// The directory for the SQLite file could not be created.
    #[error("cannot create the database directory {directory}")]
    Directory {
        /// The directory Kiln tried to create.
        directory: String,
        /// The file system's error.
        source: std::io::Error,
    },
    /// Opening or migrating the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The functions' declarations do not fit together (a projector naming
    /// an event type its function lacks, a name declared twice): a mistake
    /// in the build, refused before anything is served.
    #[error("the business functions are declared inconsistently")]
    Registry(#[from] app::store::registry::RegistryError),
}

/// Opens the event store at `url`, creating a SQLite file and its
/// directory if missing (a PostgreSQL database must exist), and brings its
/// schema up to date. The store is handed every built function's events,
/// projectors and checks (`app::functions::registry`), checked against each
/// other first.
pub async fn open_database(url: &str) -> Result<EventStore, OpenDatabaseError> {
    let file = EventStore::database_file(url)?;
    if let Some(directory) = file
        .as_deref()
        .and_then(Path::parent)
        .filter(|dir| !dir.as_os_str().is_empty())
    {
        std::fs::create_dir_all(directory).map_err(|source| OpenDatabaseError::Directory {
            directory: directory.display().to_string(),
            source,
        })?;
    }
    let store = EventStore::open(url, app::functions::registry()?).await?;
    store.migrate().await?;
    Ok(store)
}

/// The Leptos settings for serving the site the browser bundle's build
/// (`kiln-bundle`, or `cargo leptos build` while developing) wrote into
/// `site_root` (its `pkg/` holds the `kiln` browser bundle).
pub fn leptos_options(site_root: &Path, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("kiln")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(leptos::config::Env::PROD)
        .build()
}
