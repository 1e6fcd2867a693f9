//! Portable copies of the log (`kiln export`, `kiln import`) and online
//! copies of a SQLite database (`kiln backup`).
//!
//! An export is NDJSON, one JSON object per line, each with a `kind`:
//! - `format`: the first line, naming the format's version;
//! - `event`: every event of the log in position order, with everything the
//!   log holds about it (position, stream and version, type, schema
//!   version, payload, actor, function, decision, causation and
//!   correlation ids, when it happened and when it was recorded);
//! - `idempotency_key`: which events a key's first sending appended, so a
//!   request repeated after a move is still answered from its first
//!   sending instead of being done twice;
//! - `anomaly`: what the checks recorded, with its id. The quarantine's
//!   verdicts name anomalies by id, and a rebuild takes the event checks'
//!   flags from these records (`holding`), so without them a rebuild would
//!   let through events people held back;
//! - `end`: the counts, and the SHA-256 of every line before it, each with
//!   its newline. A file cut short or changed is refused whole.
//!
//! What an export leaves out, on purpose: every projection (an import
//! rebuilds them from the log); the credentials (password hashes, API
//! token digests, reset links: secrets never leave the database they were
//! set in, so after an import people set their passwords again through
//! "forgot password" and administrators issue new tokens); sessions; the
//! outbox; the subscribers' checkpoints (a new database's subscribers start
//! from the beginning).
//!
//! An import loads an export into a database with no events, keeping every
//! position and anomaly id, then rebuilds every projection. It checks the
//! whole file before writing anything, writes in one transaction, and every
//! event must be one this build's catalog has.

use super::backend::{Backend, per_backend};
use super::catalog::{self, PayloadCheck};
use super::{EventStore, NewEvent, StoreError, StoredEvent, database, read_stored_after};
use chrono::{DateTime, Utc};
use kiln_core::function::BusinessFunction;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};

/// The version of the export format this build writes and reads.
pub const FORMAT: u32 = 1;

/// Events read from the log per query while exporting.
const PAGE: i64 = 1_000;

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    /// The first line.
    Format {
        /// [`FORMAT`] when written.
        format: u32,
    },
    /// One event.
    Event(StoredEvent),
    /// One idempotency key.
    IdempotencyKey(IdempotencyKeyLine),
    /// One recorded anomaly.
    Anomaly(AnomalyLine),
    /// The last line.
    End(EndLine),
}

/// An idempotency key and the events its first sending appended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
struct IdempotencyKeyLine {
    idempotency_key: String,
    stream_id: String,
    first_position: i64,
    last_position: i64,
}

/// An anomaly a check recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
struct AnomalyLine {
    id: i64,
    check_name: String,
    message: String,
    positions: String,
    detected_at: DateTime<Utc>,
}

/// What an export holds, and the checksum of its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndLine {
    /// Events written.
    pub events: u64,
    /// Idempotency keys written.
    pub idempotency_keys: u64,
    /// Anomalies written.
    pub anomalies: u64,
    /// The SHA-256 (hex) of every line before this one, newlines included.
    pub sha256: String,
}

/// Why an export could not be written or read, or an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file could not be written or read.
    #[error("the export file could not be {action}")]
    File {
        /// "written" or "read".
        action: &'static str,
        /// The file system's error.
        source: std::io::Error,
    },
    /// A line of the file is not what an export holds.
    #[error("line {line} of the export is not valid: {reason}")]
    InvalidLine {
        /// The line's number, from 1.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The file ends without its end line, or with the wrong counts or
    /// checksum: cut short or changed.
    #[error("the export is incomplete or was changed: {reason}")]
    Damaged {
        /// What did not match.
        reason: String,
    },
    /// The database already has events: an import would mix two logs.
    #[error(
        "the database already holds {events} events; an export is imported into an empty database only"
    )]
    NotEmpty {
        /// How many.
        events: i64,
    },
}

/// Adds `line` (as JSON and a newline) to `out` and to the running digest.
fn write_line(out: &mut impl Write, digest: &mut Sha256, line: &Line) -> Result<(), ExportError> {
    let mut text = serde_json::to_string(line).map_err(|source| ExportError::InvalidLine {
        line: 0,
        reason: source.to_string(),
    })?;
    text.push('\n');
    digest.update(text.as_bytes());
    out.write_all(text.as_bytes())
        .map_err(|source| ExportError::File {
            action: "written",
            source,
        })
}

/// Writes the whole log of `store` to `out` as an export, and returns its
/// end line. Appends may continue meanwhile: the export holds the events
/// up to the newest one when it began.
pub async fn export(store: &EventStore, out: &mut impl Write) -> Result<EndLine, ExportError> {
    let mut digest = Sha256::new();
    let head = store.head_position().await?;
    write_line(out, &mut digest, &Line::Format { format: FORMAT })?;

    let mut events = 0_u64;
    let mut after = 0_i64;
    while after < head {
        let page = {
            let mut connection = store.acquire().await?;
            read_stored_after(connection.connection(), after, PAGE).await?
        };
        let Some(last) = page.last() else { break };
        after = last.position;
        for event in page.into_iter().filter(|event| event.position <= head) {
            write_line(out, &mut digest, &Line::Event(event))?;
            events += 1;
        }
    }

    let keys: Vec<IdempotencyKeyLine> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT idempotency_key, stream_id, first_position, last_position
             FROM idempotency_keys WHERE last_position <= $1 ORDER BY first_position, idempotency_key",
        )
        .bind(head)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the idempotency keys"))?;
    for key in &keys {
        write_line(out, &mut digest, &Line::IdempotencyKey(key.clone()))?;
    }
    let anomalies: Vec<AnomalyLine> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT id, check_name, message, positions, detected_at
             FROM integrity_anomalies ORDER BY id",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the anomalies"))?;
    for anomaly in &anomalies {
        write_line(out, &mut digest, &Line::Anomaly(anomaly.clone()))?;
    }

    let end = EndLine {
        events,
        idempotency_keys: keys.len() as u64,
        anomalies: anomalies.len() as u64,
        sha256: format!("{:x}", digest.finalize()),
    };
    let mut text = serde_json::to_string(&Line::End(end.clone())).map_err(|source| {
        ExportError::InvalidLine {
            line: 0,
            reason: source.to_string(),
        }
    })?;
    text.push('\n');
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| ExportError::File {
            action: "written",
            source,
        })?;
    Ok(end)
}

/// An export's contents, read and checked whole.
struct Contents {
    events: Vec<StoredEvent>,
    keys: Vec<IdempotencyKeyLine>,
    anomalies: Vec<AnomalyLine>,
    end: EndLine,
}

/// Reads an export and checks it whole: the format line first, the end
/// line last with matching counts and checksum, events in strictly
/// increasing positions with each stream's versions counting from 1, and
/// every event one `store`'s catalog takes.
fn read_export(store: &EventStore, input: impl BufRead) -> Result<Contents, ExportError> {
    let mut digest = Sha256::new();
    let mut contents = Contents {
        events: Vec::new(),
        keys: Vec::new(),
        anomalies: Vec::new(),
        end: EndLine {
            events: 0,
            idempotency_keys: 0,
            anomalies: 0,
            sha256: String::new(),
        },
    };
    let mut ended = false;
    let mut stream_versions = std::collections::HashMap::<String, i64>::new();
    let mut last_position = 0_i64;
    for (index, text) in input.lines().enumerate() {
        let number = index as u64 + 1;
        let invalid = |reason: String| ExportError::InvalidLine {
            line: number,
            reason,
        };
        let text = text.map_err(|source| ExportError::File {
            action: "read",
            source,
        })?;
        if ended {
            return Err(invalid("a line follows the end line".into()));
        }
        let line: Line = serde_json::from_str(&text).map_err(|error| invalid(error.to_string()))?;
        match (number, line) {
            (1, Line::Format { format }) if format == FORMAT => {}
            (1, Line::Format { format }) => {
                return Err(invalid(format!(
                    "format {format}; this build reads format {FORMAT}"
                )));
            }
            (1, _) => return Err(invalid("the first line must name the format".into())),
            (_, Line::Format { .. }) => return Err(invalid("a second format line".into())),
            (_, Line::Event(event)) => {
                if event.position <= last_position {
                    return Err(invalid(format!(
                        "position {} does not follow {last_position}",
                        event.position
                    )));
                }
                last_position = event.position;
                let version = stream_versions.entry(event.stream_id.clone()).or_default();
                if event.stream_version != *version + 1 {
                    return Err(invalid(format!(
                        "{} version {} does not follow {version}",
                        event.stream_id, event.stream_version
                    )));
                }
                *version = event.stream_version;
                let function = BusinessFunction::from_slug(&event.function)
                    .ok_or_else(|| invalid(format!("no function {}", event.function)))?;
                kiln_core::event::Actor::parse(&event.actor)
                    .map_err(|error| invalid(error.to_string()))?;
                let offered = NewEvent {
                    event_type: event.event_type.clone(),
                    schema_version: event.schema_version,
                    payload: event.payload.clone(),
                };
                catalog::validate(store.registry(), function, &offered, PayloadCheck::Decode)
                    .map_err(|error| invalid(error.to_string()))?;
                contents.events.push(event);
            }
            (_, Line::IdempotencyKey(key)) => contents.keys.push(key),
            (_, Line::Anomaly(anomaly)) => contents.anomalies.push(anomaly),
            (_, Line::End(end)) => {
                contents.end = end;
                ended = true;
                continue;
            }
        }
        digest.update(text.as_bytes());
        digest.update(b"\n");
    }
    let damaged = |reason: String| ExportError::Damaged { reason };
    if !ended {
        return Err(damaged("it has no end line".into()));
    }
    let end = &contents.end;
    let counted = (
        contents.events.len() as u64,
        contents.keys.len() as u64,
        contents.anomalies.len() as u64,
    );
    if counted != (end.events, end.idempotency_keys, end.anomalies) {
        return Err(damaged(format!(
            "it holds {} events, {} idempotency keys and {} anomalies; its end line counts {}, {} and {}",
            counted.0, counted.1, counted.2, end.events, end.idempotency_keys, end.anomalies
        )));
    }
    let sha256 = format!("{:x}", digest.finalize());
    if sha256 != end.sha256 {
        return Err(damaged(format!(
            "its lines' SHA-256 is {sha256}; its end line says {}",
            end.sha256
        )));
    }
    Ok(contents)
}

/// Loads the export `input` into `store`, which must hold no events, and
/// rebuilds every projection. Nothing is written unless the whole file is
/// a valid export.
pub async fn import(store: &EventStore, input: impl BufRead) -> Result<EndLine, ExportError> {
    let events = store.event_count().await?;
    if events > 0 {
        return Err(ExportError::NotEmpty { events });
    }
    let contents = read_export(store, input)?;
    let operation = "import an export";
    let mut tx = store.database().begin_writing(operation).await?;
    let backend = store.backend();
    // PostgreSQL numbers both tables itself unless told otherwise.
    let overriding = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => "OVERRIDING SYSTEM VALUE",
    };
    let payload_cast = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => "::jsonb",
    };
    let insert_event = format!(
        "INSERT INTO events (position, stream_id, stream_version, event_type, schema_version, payload, \
         actor, function, decision_id, causation_id, correlation_id, occurred_at, recorded_at) \
         {overriding} VALUES ($1, $2, $3, $4, $5, $6{payload_cast}, $7, $8, $9, $10, $11, $12, $13)"
    );
    for event in &contents.events {
        let payload = event.payload.to_string();
        per_backend!(tx.connection(), Connection, c => {
            sqlx::query(&insert_event)
                .bind(event.position)
                .bind(&event.stream_id)
                .bind(event.stream_version)
                .bind(&event.event_type)
                .bind(event.schema_version)
                .bind(&payload)
                .bind(&event.actor)
                .bind(&event.function)
                .bind(event.decision_id.as_deref())
                .bind(event.causation_id.as_deref())
                .bind(event.correlation_id.as_deref())
                .bind(event.occurred_at)
                .bind(event.recorded_at)
                .execute(c)
                .await
                .map(|_| ())
        })
        .map_err(database(format!("import event {}", event.position)))?;
    }
    for key in &contents.keys {
        per_backend!(tx.connection(), Connection, c => {
            sqlx::query(
                "INSERT INTO idempotency_keys (idempotency_key, stream_id, first_position, last_position)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&key.idempotency_key)
            .bind(&key.stream_id)
            .bind(key.first_position)
            .bind(key.last_position)
            .execute(c)
            .await
            .map(|_| ())
        })
        .map_err(database("import an idempotency key"))?;
    }
    let insert_anomaly = format!(
        "INSERT INTO integrity_anomalies (id, check_name, message, positions, detected_at) \
         {overriding} VALUES ($1, $2, $3, $4, $5)"
    );
    for anomaly in &contents.anomalies {
        per_backend!(tx.connection(), Connection, c => {
            sqlx::query(&insert_anomaly)
                .bind(anomaly.id)
                .bind(&anomaly.check_name)
                .bind(&anomaly.message)
                .bind(&anomaly.positions)
                .bind(anomaly.detected_at)
                .execute(c)
                .await
                .map(|_| ())
        })
        .map_err(database(format!("import anomaly {}", anomaly.id)))?;
    }
    if backend == Backend::Postgres {
        // The next position and anomaly id continue after the imported ones.
        for table in ["events", "integrity_anomalies"] {
            let column = if table == "events" { "position" } else { "id" };
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
                 GREATEST((SELECT MAX({column}) FROM {table}), 1), \
                 (SELECT MAX({column}) FROM {table}) IS NOT NULL)"
            );
            per_backend!(tx.connection(), Connection, c => {
                sqlx::query(&sql).execute(c).await.map(|_| ())
            })
            .map_err(database(format!("continue the numbering of {table}")))?;
        }
    }
    tx.commit(operation).await?;
    super::projections::rebuild(store, None, |_| {}).await?;
    Ok(contents.end)
}

/// Writes a consistent copy of the SQLite database behind `store` to
/// `file` while Kiln keeps serving (`VACUUM INTO`: one read transaction,
/// so the copy holds every committed append up to a moment and none after
/// it). PostgreSQL has its own tools for this (`pg_dump`, base backups):
/// refused there with a message saying so.
pub async fn backup(store: &EventStore, file: &std::path::Path) -> Result<(), StoreError> {
    if file.exists() {
        return Err(StoreError::Configuration {
            url: file.display().to_string(),
            reason: "a file is already there; a backup never overwrites one".into(),
        });
    }
    let path = file.to_str().ok_or_else(|| StoreError::Configuration {
        url: file.display().to_string(),
        reason: "the path is not valid UTF-8".into(),
    })?;
    let super::backend::Database::Sqlite(pool) = store.database() else {
        return Err(StoreError::Configuration {
            url: path.to_owned(),
            reason: "kiln backup copies SQLite databases; back PostgreSQL up with pg_dump or \
                     its base backups, or move the log with kiln export"
                .into(),
        });
    };
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await
        .map_err(database(format!("copy the database to {path}")))?;
    // Recorded in the live database (so not in the copy itself), for the
    // Database Manager's page.
    let bytes = std::fs::metadata(file).map_or(0, |metadata| metadata.len());
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
    sqlx::query("INSERT INTO backups (taken_at, file, bytes) VALUES ($1, $2, $3)")
        .bind(Utc::now())
        .bind(absolute.display().to_string())
        .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(database("record the backup"))
}

/// A backup `kiln backup` took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// When.
    pub taken_at: DateTime<Utc>,
    /// The copy's path, as it was when taken.
    pub file: String,
    /// Its size.
    pub bytes: i64,
}

/// The newest `limit` backups, newest first.
pub async fn backups(store: &EventStore, limit: i64) -> Result<Vec<Backup>, StoreError> {
    let rows: Vec<(DateTime<Utc>, String, i64)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as("SELECT taken_at, file, bytes FROM backups ORDER BY id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(pool)
                .await
        })
        .map_err(database("read the backups"))?;
    Ok(rows
        .into_iter()
        .map(|(taken_at, file, bytes)| Backup {
            taken_at,
            file,
            bytes,
        })
        .collect())
}
