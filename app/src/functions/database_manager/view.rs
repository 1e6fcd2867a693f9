//! What the Database Manager's rebuild endpoint takes and answers, and the
//! progress updates it publishes; the same structs serve the page and
//! agents.

use serde::{Deserialize, Serialize};

/// A request to rebuild projections from the log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebuildRequest {
    /// The projection to rebuild, e.g. `catalog`; every projection when absent.
    pub projection: Option<String>,
}

/// One projection table before and after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableComparison {
    /// The table.
    pub table: String,
    /// Rows in the live table before the rebuild.
    pub rows_before: u64,
    /// Rows in the rebuilt table.
    pub rows_after: u64,
    /// The live table's checksum (sum of row SHA-256 digests, hex).
    pub checksum_before: String,
    /// The rebuilt table's checksum.
    pub checksum_after: String,
    /// Whether the live table already equalled the rebuilt one. When not,
    /// the live table was out of date (or damaged) and is now repaired.
    pub equal: bool,
}

/// What a finished rebuild did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RebuildOutcome {
    /// The projections rebuilt.
    pub projections: Vec<String>,
    /// Events replayed.
    pub events: u64,
    /// Each rebuilt table, before and after.
    pub tables: Vec<TableComparison>,
    /// Seconds the rebuild took.
    pub seconds: f64,
}

/// A step of a running rebuild, published while it runs (server-sent
/// events at `GET /api/database-manager/rebuild/progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RebuildUpdate {
    /// Events replayed so far, out of the events in the log at the start.
    Progress {
        /// The projection being rebuilt, or `None` for all.
        projection: Option<String>,
        /// Events replayed so far.
        replayed: u64,
        /// Events to replay.
        total: u64,
    },
    /// The rebuild committed.
    Finished(RebuildOutcome),
    /// The rebuild failed and changed nothing.
    Failed {
        /// Why, as shown to the person who asked.
        message: String,
    },
}
