//! The projector registry: which tables each function derives from which
//! event types, applied inline on append and replayed on rebuild.

use super::{RecordedEvent, StoreError, database, read_after};
use crate::functions::{BusinessFunction, category};
use sha2::{Digest, Sha256};
use sqlx::{SqliteConnection, SqlitePool};
use std::{future::Future, pin::Pin};

/// What a projector's `apply` returns.
pub type ProjectorFuture<'a> = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// A projection: the tables one function derives from some of its events.
pub struct Projector {
    /// The projection's name, e.g. `catalog` (used by `kiln projections rebuild NAME`).
    pub name: &'static str,
    /// The function whose events it reads.
    pub function: BusinessFunction,
    /// The event types it applies.
    pub handles: &'static [&'static str],
    /// The tables it owns and alone writes.
    pub tables: &'static [&'static str],
    /// Applies events it handles, in position order, to its tables. Takes a
    /// batch because each statement costs a round trip to SQLite's thread:
    /// a projector should write a batch with few statements. Must ignore an
    /// event at or below a row's `last_position`, so replaying is harmless.
    pub apply: for<'a> fn(&'a mut SqliteConnection, &'a [&'a RecordedEvent]) -> ProjectorFuture<'a>,
}

impl Projector {
    fn handles(&self, event: &RecordedEvent) -> bool {
        self.handles_type(event.metadata.function, &event.event_type)
    }

    fn handles_type(&self, function: BusinessFunction, event_type: &str) -> bool {
        self.function == function && self.handles.contains(&event_type)
    }
}

/// Every projector. A new function's projector is added here.
pub const PROJECTORS: &[Projector] = &[category::projection::CATALOG];

/// The projection tables that events of this type change.
pub fn tables_touched_by(function: BusinessFunction, event_type: &str) -> Vec<&'static str> {
    PROJECTORS
        .iter()
        .filter(|projector| projector.handles_type(function, event_type))
        .flat_map(|projector| projector.tables.iter().copied())
        .collect()
}

/// Applies freshly appended events to every projector that handles them.
pub(super) async fn apply_inline(
    connection: &mut SqliteConnection,
    events: &[RecordedEvent],
) -> Result<(), StoreError> {
    apply_to(PROJECTORS.iter(), connection, events).await
}

/// Hands each projector the events of `events` it handles, as one batch.
async fn apply_to<'p>(
    projectors: impl Iterator<Item = &'p Projector>,
    connection: &mut SqliteConnection,
    events: &[RecordedEvent],
) -> Result<(), StoreError> {
    for projector in projectors {
        let handled: Vec<&RecordedEvent> = events
            .iter()
            .filter(|event| projector.handles(event))
            .collect();
        if !handled.is_empty() {
            (projector.apply)(connection, &handled).await?;
        }
    }
    Ok(())
}

/// How far a rebuild has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildProgress {
    /// Events replayed so far.
    pub replayed: u64,
    /// Events in the log when the rebuild started.
    pub total: u64,
}

/// A table's content fingerprint: its row count and an order-independent
/// checksum of its rows (see [`checksum`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableChecksum {
    /// The table.
    pub table: &'static str,
    /// How many rows it has.
    pub rows: u64,
    /// The sum of the rows' SHA-256 digests, in hex.
    pub checksum: String,
}

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    /// The projections rebuilt.
    pub projections: Vec<&'static str>,
    /// Events replayed.
    pub events: u64,
    /// Each table before (live) and after (rebuilt).
    pub tables: Vec<(TableChecksum, TableChecksum)>,
}

impl RebuildReport {
    /// Whether every rebuilt table equals its live version.
    pub fn all_equal(&self) -> bool {
        self.tables.iter().all(|(before, after)| before == after)
    }
}

/// Events replayed per read: bounds memory whatever the log's size.
const REBUILD_BATCH: i64 = 5_000;

/// Empties the tables of the named projection (or of every projection) and
/// replays the whole log into them in one transaction, so readers see the
/// old tables until the new ones are complete. Reports each table's
/// checksum before and after.
pub async fn rebuild(
    pool: &SqlitePool,
    only: Option<&str>,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<RebuildReport, StoreError> {
    let selected: Vec<&Projector> = match only {
        None => PROJECTORS.iter().collect(),
        Some(name) => {
            let projector = PROJECTORS
                .iter()
                .find(|projector| projector.name == name)
                .ok_or_else(|| StoreError::UnknownProjection {
                    name: name.to_owned(),
                    known: PROJECTORS
                        .iter()
                        .map(|projector| projector.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            vec![projector]
        }
    };
    let tables: Vec<&'static str> = selected
        .iter()
        .flat_map(|projector| projector.tables.iter().copied())
        .collect();

    let mut before = Vec::new();
    for table in &tables {
        before.push(checksum(pool, table).await?);
    }

    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(database("start a rebuild"))?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&mut *tx)
        .await
        .map_err(database("count events for a rebuild"))?;
    let total = u64::try_from(total).unwrap_or_default();
    for table in &tables {
        // Table names come from the static registry, never from input.
        sqlx::query(&format!("DELETE FROM \"{table}\""))
            .execute(&mut *tx)
            .await
            .map_err(database(format!("empty {table}")))?;
    }

    let mut replayed = 0_u64;
    let mut after_position = 0;
    progress(RebuildProgress { replayed, total });
    loop {
        let batch = read_after(&mut *tx, after_position, REBUILD_BATCH).await?;
        let Some(last) = batch.last() else { break };
        after_position = last.position;
        apply_to(selected.iter().copied(), &mut tx, &batch).await?;
        replayed += batch.len() as u64;
        progress(RebuildProgress { replayed, total });
    }
    tx.commit().await.map_err(database("commit a rebuild"))?;

    let mut pairs = Vec::new();
    for live in before {
        let rebuilt = checksum(pool, live.table).await?;
        pairs.push((live, rebuilt));
    }
    Ok(RebuildReport {
        projections: selected.iter().map(|projector| projector.name).collect(),
        events: replayed,
        tables: pairs,
    })
}

/// Rows hashed per read while checksumming.
const CHECKSUM_PAGE: i64 = 5_000;

/// The checksum of one projection table: the sum (as four wrapping 64-bit
/// lanes) of the SHA-256 of every row, each row written as a JSON array of
/// its columns. A sum does not depend on row order, so the table is read in
/// rowid pages, one JSON row per page (projection tables must have rowids).
pub async fn checksum(pool: &SqlitePool, table: &'static str) -> Result<TableChecksum, StoreError> {
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
            .bind(table)
            .fetch_all(pool)
            .await
            .map_err(database(format!("read the columns of {table}")))?;
    let row_json = columns
        .iter()
        .map(|name| format!("\"{}\"", name.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ");
    // Table names come from the static registry, never from input.
    let query = format!(
        "SELECT json_group_array(json_array({row_json}) ORDER BY rowid), MAX(rowid) \
         FROM (SELECT rowid, * FROM \"{table}\" WHERE rowid > ? ORDER BY rowid LIMIT ?)"
    );
    let mut sum = [0_u64; 4];
    let mut rows = 0_u64;
    let mut after = i64::MIN;
    loop {
        let (page, last): (String, Option<i64>) = sqlx::query_as(&query)
            .bind(after)
            .bind(CHECKSUM_PAGE)
            .fetch_one(pool)
            .await
            .map_err(database(format!("checksum {table}")))?;
        let Some(last) = last else { break };
        after = last;
        let page: Vec<Box<serde_json::value::RawValue>> =
            serde_json::from_str(&page).map_err(|source| StoreError::Payload {
                event_type: format!("(checksum page of {table})"),
                source,
            })?;
        for row in page {
            let digest = Sha256::digest(row.get().as_bytes());
            for (lane, bytes) in sum.iter_mut().zip(digest.chunks_exact(8)) {
                let mut word = [0_u8; 8];
                word.copy_from_slice(bytes);
                *lane = lane.wrapping_add(u64::from_le_bytes(word));
            }
            rows += 1;
        }
    }
    Ok(TableChecksum {
        table,
        rows,
        checksum: sum.iter().map(|lane| format!("{lane:016x}")).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::load_demo_business;
    use crate::store::tests::empty_store;

    #[tokio::test]
    async fn rebuilding_every_projection_reproduces_the_live_tables() {
        let (_dir, store) = empty_store().await;
        load_demo_business(&store).await.expect("demo");
        let mut seen = Vec::new();
        let report = rebuild(store.read_pool(), None, |progress| seen.push(progress))
            .await
            .expect("rebuild");
        assert_eq!(report.events, 12);
        assert!(report.all_equal(), "{report:?}");
        assert_eq!(report.tables[0].1.rows, 12);
        assert_eq!(seen.first().map(|p| p.replayed), Some(0));
        assert_eq!(
            seen.last().copied(),
            Some(RebuildProgress {
                replayed: 12,
                total: 12
            })
        );
    }

    #[tokio::test]
    async fn a_rebuild_repairs_a_damaged_table_and_reports_the_difference() {
        let (_dir, store) = empty_store().await;
        load_demo_business(&store).await.expect("demo");
        sqlx::query("DELETE FROM catalog_products WHERE sku = 'MUG-TIDE-10'")
            .execute(store.read_pool())
            .await
            .expect("damage the table");
        let report = rebuild(store.read_pool(), Some("catalog"), |_| {})
            .await
            .expect("rebuild");
        assert!(!report.all_equal());
        assert_eq!(report.tables[0].0.rows, 11);
        assert_eq!(report.tables[0].1.rows, 12);
    }

    #[tokio::test]
    async fn replaying_an_event_twice_changes_nothing() {
        let (_dir, store) = empty_store().await;
        load_demo_business(&store).await.expect("demo");
        let before = checksum(store.read_pool(), "catalog_products")
            .await
            .expect("checksum");
        let events = store.read_after(0, 100).await.expect("read");
        let mut connection = store.read_pool().acquire().await.expect("connection");
        apply_inline(&mut connection, &events)
            .await
            .expect("replay");
        drop(connection);
        let after = checksum(store.read_pool(), "catalog_products")
            .await
            .expect("checksum");
        assert_eq!(before, after);
    }

    #[tokio::test]
    async fn rebuilding_an_unknown_projection_names_the_known_ones() {
        let (_dir, store) = empty_store().await;
        let error = rebuild(store.read_pool(), Some("inventory"), |_| {})
            .await
            .expect_err("unknown projection");
        assert_eq!(
            error.to_string(),
            "there is no projection called “inventory”; known projections: catalog"
        );
    }
}
