//! Named integrity invariants, evaluated after projection (by the integrity
//! worker) and on demand (`kiln integrity check`). A violation is recorded as
//! an anomaly with the offending event positions, never silently fixed.

use super::backend::{Connection, PerBackend, per_backend};
use super::{EventStore, StoreError, database};
use crate::functions::BusinessFunction;
use chrono::{DateTime, Utc};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::load_demo_business;
    use crate::store::testing::store_tests;

    store_tests! {
        async fn the_demo_business_violates_no_invariant(store) {
            load_demo_business(&store).await.expect("demo");
            let outcomes = run_checks(&store, None).await.expect("checks");
            assert!(!outcomes.is_empty());
            assert!(
                outcomes.iter().all(|outcome| outcome.violations.is_empty()),
                "{outcomes:?}"
            );
            assert!(anomalies(&store).await.expect("anomalies").is_empty());
        }

        async fn a_catalog_row_lost_from_the_projection_is_an_anomaly_naming_its_event_once(store) {
            load_demo_business(&store).await.expect("demo");
            let position = store
                .read_after(0, 100)
                .await
                .expect("read")
                .into_iter()
                .find(|event| event.payload["sku"] == "PLN-HANG-5")
                .expect("the event introducing PLN-HANG-5")
                .position;
            store
                .database()
                .execute_for_test("DELETE FROM catalog_products WHERE sku = 'PLN-HANG-5'")
                .await;

            for _ in 0..2 {
                let outcomes = run_checks(&store, Some(&[BusinessFunction::Category]))
                    .await
                    .expect("checks");
                let missing = outcomes
                    .iter()
                    .find(|outcome| outcome.name == "catalog-matches-introductions")
                    .expect("check ran");
                assert_eq!(
                    missing.violations,
                    vec![Violation {
                        message:
                            "product PLN-HANG-5 was introduced but is missing from catalog_products"
                                .into(),
                        positions: vec![position],
                    }]
                );
            }
            let recorded = anomalies(&store).await.expect("anomalies");
            assert_eq!(recorded.len(), 1, "a known anomaly is recorded once");
            assert_eq!(recorded[0].positions, format!("[{position}]"));
        }

        async fn a_price_of_zero_is_an_anomaly(store) {
            load_demo_business(&store).await.expect("demo");
            store
                .database()
                .execute_for_test("UPDATE catalog_products SET base_price_minor = 0 WHERE sku = 'PLN-HANG-5'")
                .await;
            let outcomes = run_checks(&store, None).await.expect("checks");
            let prices = outcomes
                .iter()
                .find(|outcome| outcome.name == "catalog-prices-positive")
                .expect("check ran");
            assert_eq!(prices.violations.len(), 1);
            assert_eq!(
                prices.violations[0].message,
                "product PLN-HANG-5 is listed at 0 minor units"
            );
        }
    }
}
