//! Projectors: which tables each function derives from which event types,
//! applied inline on append and replayed on rebuild. The store is handed
//! the projectors in its [`Registry`]; it lists none itself.

use super::backend::{Backend, Connection, PerBackend, per_backend};
pub use super::contribution::{Projector, ProjectorFuture, decode, decode_one};
use super::holding::{self, Gate};
use super::registry::Registry;
use super::{EventStore, RecordedEvent, StoreError, database, read_after};
use sha2::{Digest, Sha256};

/// Applies freshly appended events to every projector that handles them.
/// (Public so that the application's tests can replay events a second time
/// and see that no projection changes: rows remember their last position.)
pub async fn apply_inline(
    registry: &Registry,
    connection: Connection<'_>,
    events: &[RecordedEvent],
) -> Result<(), StoreError> {
    apply_to(registry.projectors().iter().copied(), connection, events).await
}

/// Hands each projector the events of `events` it handles, as one batch.
async fn apply_to<'p>(
    projectors: impl Iterator<Item = &'p Projector>,
    mut connection: Connection<'_>,
    events: &[RecordedEvent],
) -> Result<(), StoreError> {
    for projector in projectors {
        let handled: Vec<&RecordedEvent> = events
            .iter()
            .filter(|event| projector.handles(event))
            .collect();
        if !handled.is_empty() {
            (projector.apply)(connection.reborrow(), &handled).await?;
        }
    }
    Ok(())
}

/// A column value in a projection row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Value<'a> {
    /// An integer (amounts in minor units, counts, positions).
    Integer(i64),
    /// Text.
    Text(&'a str),
    /// An integer or NULL, e.g. the cost of a product nobody costed. (A
    /// NULL keeps its column's type: PostgreSQL refuses an untyped one.)
    OptionalInteger(Option<i64>),
    /// A text or NULL.
    OptionalText(Option<&'a str>),
}

/// One row for [`upsert_rows`]: its column values, and the position of the
/// event it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'a> {
    /// The values, in the order of the `columns` given to [`upsert_rows`].
    pub values: Vec<Value<'a>>,
    /// The event's position; stored as the row's `last_position`.
    pub position: i64,
}

/// Parameters per statement: below SQLite's limit of 32,766 (PostgreSQL
/// allows 65,535).
const MAX_PARAMETERS: usize = 30_000;

/// Inserts `rows` into `table`, or updates the row with the same `key`
/// column, with multi-row statements. An update only happens when the new
/// row comes from a later event than the stored one (`last_position`), so
/// replaying an event changes nothing. `table` must have a `last_position`
/// column and a unique `key`; `columns` are the others, `key` first among
/// them. When several rows of `rows` (in position order) share a key, the
/// last one wins: one statement may not touch a row twice (PostgreSQL
/// refuses it).
pub async fn upsert_rows(
    mut connection: Connection<'_>,
    table: &'static str,
    key: &'static str,
    columns: &'static [&'static str],
    rows: &[Row<'_>],
) -> Result<(), StoreError> {
    let chunk_size = (MAX_PARAMETERS / (columns.len() + 1)).max(1);
    let updates = columns
        .iter()
        .filter(|column| **column != key)
        .map(|column| format!("{column} = excluded.{column}"))
        .chain(std::iter::once(
            "last_position = excluded.last_position".into(),
        ))
        .collect::<Vec<_>>()
        .join(", ");
    // Table and column names come from the projectors' static code, never
    // from input.
    let head = format!(
        "INSERT INTO {table} ({}, last_position) ",
        columns.join(", ")
    );
    let tail = format!(
        " ON CONFLICT ({key}) DO UPDATE SET {updates} \
         WHERE excluded.last_position > {table}.last_position"
    );
    let mut latest: std::collections::HashMap<Value<'_>, usize> =
        std::collections::HashMap::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        if let Some(key_value) = row.values.first() {
            latest.insert(*key_value, index);
        }
    }
    let rows: Vec<&Row<'_>> = rows
        .iter()
        .enumerate()
        .filter(|(index, row)| {
            row.values
                .first()
                .is_none_or(|key_value| latest.get(key_value) == Some(index))
        })
        .map(|(_, row)| row)
        .collect();
    for chunk in rows.chunks(chunk_size) {
        per_backend!(connection.reborrow(), Connection, c => {
            let mut upsert = sqlx::QueryBuilder::new(&head);
            upsert.push_values(chunk.iter().copied(), |mut row, values| {
                for value in &values.values {
                    match *value {
                        Value::Integer(number) => row.push_bind(number),
                        Value::Text(text) => row.push_bind(text),
                        Value::OptionalInteger(number) => row.push_bind(number),
                        Value::OptionalText(text) => row.push_bind(text),
                    };
                }
                row.push_bind(values.position);
            });
            upsert.push(&tail);
            upsert.build().execute(c).await.map(|_| ())
        })
        .map_err(database(format!("write projection rows into {table}")))?;
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
/// replays the whole log into them in one transaction that holds the
/// writer lock, so readers see the old tables until the new ones are
/// complete and no append slips in between. Reports each table's checksum
/// before (live) and after (rebuilt), both taken inside that transaction.
pub async fn rebuild(
    store: &EventStore,
    only: Option<&str>,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<RebuildReport, StoreError> {
    let projectors = store.registry().projectors();
    let selected: Vec<&Projector> = match only {
        None => projectors.to_vec(),
        Some(name) => {
            let projector = projectors
                .iter()
                .find(|projector| projector.name == name)
                .ok_or_else(|| StoreError::UnknownProjection {
                    name: name.to_owned(),
                    known: store.registry().projector_names(),
                })?;
            vec![projector]
        }
    };
    let tables: Vec<&'static str> = selected
        .iter()
        .flat_map(|projector| projector.tables.iter().copied())
        .collect();

    let mut tx = store.database().begin_writing("start a rebuild").await?;
    let mut before = Vec::new();
    for table in &tables {
        before.push(checksum(tx.connection(), table).await?);
    }
    let total: i64 = per_backend!(tx.connection(), Connection, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(c).await
    })
    .map_err(database("count events for a rebuild"))?;
    let total = u64::try_from(total).unwrap_or_default();
    for table in &tables {
        // Table names come from the static registry, never from input.
        let delete = format!("DELETE FROM \"{table}\"");
        per_backend!(tx.connection(), Connection, c => sqlx::query(&delete).execute(c).await.map(|_| ()))
            .map_err(database(format!("empty {table}")))?;
    }

    let mut replayed = 0_u64;
    let mut after_position = 0;
    // The log passes the same gate as live appends did, with the flags
    // they recorded, so what waits in the quarantine stays out of the
    // rebuilt tables too, and nothing appended before a check existed is
    // held back now.
    let mut gate = Gate::default();
    let flags = holding::recorded_flags(store.registry(), tx.connection()).await?;
    per_backend!(tx.connection(), Connection, c => {
        sqlx::query("DELETE FROM rejected_events").execute(c).await.map(|_| ())
    })
    .map_err(database("empty rejected_events"))?;
    progress(RebuildProgress { replayed, total });
    loop {
        let batch = read_after(tx.connection(), after_position, REBUILD_BATCH).await?;
        let Some(last) = batch.last() else { break };
        after_position = last.position;
        let passage = gate.pass_flagged_by(&batch, |event| flags.get(&event.position).cloned())?;
        holding::record_rejections(tx.connection(), &passage.rejected).await?;
        apply_to(selected.iter().copied(), tx.connection(), &passage.applied).await?;
        replayed += batch.len() as u64;
        progress(RebuildProgress { replayed, total });
    }
    // The gate's own state is derived from the log as well: rewriting it
    // (and `rejected_events`, above) repairs it like any table.
    per_backend!(tx.connection(), Connection, c => {
        sqlx::query("DELETE FROM held_events").execute(c).await.map(|_| ())
    })
    .map_err(database("empty held_events"))?;
    holding::store_held(tx.connection(), &gate).await?;

    let mut pairs = Vec::new();
    for live in before {
        let rebuilt = checksum(tx.connection(), live.table).await?;
        pairs.push((live, rebuilt));
    }
    tx.commit("commit a rebuild").await?;
    Ok(RebuildReport {
        projections: selected.iter().map(|projector| projector.name).collect(),
        events: replayed,
        tables: pairs,
    })
}

/// Rows hashed per read while checksumming.
const CHECKSUM_PAGE: i64 = 5_000;

/// How to list a table's columns, in order.
const COLUMNS_SQL: PerBackend<&str> = PerBackend {
    sqlite: "SELECT name FROM pragma_table_info($1) ORDER BY cid",
    postgres: "SELECT column_name::text FROM information_schema.columns \
               WHERE table_schema = current_schema() AND table_name = $1 \
               ORDER BY ordinal_position",
};

/// The checksum of `table` as it is now, outside any transaction.
pub async fn checksum_now(
    store: &EventStore,
    table: &'static str,
) -> Result<TableChecksum, StoreError> {
    let mut connection = store.acquire().await?;
    checksum(connection.connection(), table).await
}

/// The checksum of one projection table: the sum (as four wrapping 64-bit
/// lanes) of the SHA-256 of every row, each row written as a JSON array of
/// its columns. A sum does not depend on row order, so the table is read in
/// pages in its physical order (SQLite's rowid, PostgreSQL's ctid), one JSON
/// row per page. The JSON text of a row differs between the engines, so
/// checksums compare a table with itself on one engine, not across engines.
pub async fn checksum(
    mut connection: Connection<'_>,
    table: &'static str,
) -> Result<TableChecksum, StoreError> {
    let backend = connection.backend();
    let columns: Vec<String> = per_backend!(connection.reborrow(), Connection, c => {
        sqlx::query_scalar(COLUMNS_SQL.get(backend)).bind(table).fetch_all(c).await
    })
    .map_err(database(format!("read the columns of {table}")))?;
    let row_json = columns
        .iter()
        .map(|name| format!("\"{}\"", name.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ");
    // Table names come from the static registry, never from input. Pages
    // are keyed by the last row's physical address, read back as text.
    let query = match backend {
        Backend::Sqlite => format!(
            "SELECT json_group_array(json_array({row_json}) ORDER BY rowid), CAST(MAX(rowid) AS TEXT) \
             FROM (SELECT rowid, * FROM \"{table}\" WHERE rowid > CAST($1 AS INTEGER) ORDER BY rowid LIMIT $2)"
        ),
        Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({row_json}) ORDER BY ctid), '[]')::text, MAX(ctid)::text \
             FROM (SELECT ctid, * FROM \"{table}\" WHERE ctid > $1::tid ORDER BY ctid LIMIT $2) page"
        ),
    };
    let mut after = match backend {
        Backend::Sqlite => i64::MIN.to_string(),
        Backend::Postgres => "(0,0)".to_owned(),
    };
    let mut sum = [0_u64; 4];
    let mut rows = 0_u64;
    loop {
        let (page, last): (String, Option<String>) =
            per_backend!(connection.reborrow(), Connection, c => {
                sqlx::query_as(&query).bind(&after).bind(CHECKSUM_PAGE).fetch_one(c).await
            })
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
