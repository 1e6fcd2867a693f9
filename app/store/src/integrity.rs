//! Named integrity invariants, evaluated after projection (by the integrity
//! worker) and on demand (`kiln integrity check`). A violation is recorded as
//! an anomaly with the offending event positions, never silently fixed.

use super::backend::{Connection, PerBackend, per_backend};
use super::{EventStore, StoreError, database};
use chrono::{DateTime, Utc};
use kiln_core::function::BusinessFunction;
use serde::Serialize;

/// An invariant of the data, with the query that finds its violations.
pub struct IntegrityCheck {
    /// The check's stable name, e.g. `catalog-prices-positive`.
    pub name: &'static str,
    /// The function whose data it guards.
    pub function: BusinessFunction,
    /// The invariant in a sentence.
    pub invariant: &'static str,
    /// A query returning one row per violation: a message (text) and the
    /// offending event positions (a JSON array, as text), for each engine.
    pub violations_sql: PerBackend<&'static str>,
}

/// One violation found by a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// What is wrong, in a sentence.
    pub message: String,
    /// The events involved.
    pub positions: Vec<i64>,
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    /// The check's name.
    pub name: &'static str,
    /// The invariant.
    pub invariant: &'static str,
    /// Its violations now.
    pub violations: Vec<Violation>,
}

/// A recorded anomaly, as the Database Manager page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Anomaly {
    /// Its id.
    pub id: i64,
    /// The check that found it.
    pub check_name: String,
    /// What is wrong.
    pub message: String,
    /// The offending event positions, as a JSON array.
    pub positions: String,
    /// When it was first found.
    pub detected_at: DateTime<Utc>,
}

/// Runs the checks of `functions` (all checks when `None`), records every
/// violation not recorded before as an anomaly, and returns what each found.
pub async fn run_checks(
    store: &EventStore,
    functions: Option<&[BusinessFunction]>,
) -> Result<Vec<CheckOutcome>, StoreError> {
    let mut outcomes = Vec::new();
    let now = Utc::now();
    let backend = store.backend();
    for check in store
        .registry()
        .integrity_checks()
        .filter(|check| functions.is_none_or(|only| only.contains(&check.function)))
    {
        let sql = check.violations_sql.get(backend);
        let rows: Vec<(String, String)> = per_backend!(store.database(), Database, pool => {
            sqlx::query_as(sql).fetch_all(pool).await
        })
        .map_err(database(format!("run integrity check {}", check.name)))?;
        let mut violations = Vec::with_capacity(rows.len());
        for (message, positions) in rows {
            let mut connection = store.acquire().await?;
            record_anomaly(
                connection.connection(),
                check.name,
                &message,
                &positions,
                now,
            )
            .await?;
            let positions: Vec<i64> =
                serde_json::from_str(&positions).map_err(|_| StoreError::Corrupt {
                    what: "anomaly positions",
                    value: positions.clone(),
                })?;
            violations.push(Violation { message, positions });
        }
        outcomes.push(CheckOutcome {
            name: check.name,
            invariant: check.invariant,
            violations,
        });
    }
    Ok(outcomes)
}

/// Records a violation of `check` by the events at `positions` (a JSON
/// array) as an anomaly, unless the same one is recorded already.
pub(super) async fn record_anomaly(
    connection: Connection<'_>,
    check: &str,
    message: &str,
    positions: &str,
    detected_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    per_backend!(connection, Connection, c => {
        sqlx::query(
            "INSERT INTO integrity_anomalies (check_name, message, positions, detected_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (check_name, positions) DO NOTHING",
        )
        .bind(check)
        .bind(message)
        .bind(positions)
        .bind(detected_at)
        .execute(c)
        .await
        .map(|_| ())
    })
    .map_err(database(format!("record an anomaly of {check}")))
}

/// Every recorded anomaly, newest first.
pub async fn anomalies(store: &EventStore) -> Result<Vec<Anomaly>, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT id, check_name, message, positions, detected_at
             FROM integrity_anomalies ORDER BY id DESC",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("list anomalies"))
}

/// The anomaly numbered `id`, if the checks recorded one.
pub async fn anomaly(store: &EventStore, id: i64) -> Result<Option<Anomaly>, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT id, check_name, message, positions, detected_at
             FROM integrity_anomalies WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
    .map_err(database(format!("read anomaly {id}")))
}
