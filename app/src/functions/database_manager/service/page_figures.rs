//! The figures the Database Manager's page and the Business Overview show:
//! events per function and per month, the projections' status, the
//! integrity checks and their anomalies, the quarantine, the backups.

use crate::functions::database_manager::decide::Verdict;
use crate::functions::view::{ChartUnit, Metric, SeriesStyle, TrendChart, TrendSeries};
use crate::store::{EventStore, StoreError, catalog};
use kiln_core::function::BusinessFunction;
use kiln_core::function::FunctionGroup;

/// The chart of how many events each function has posted.
pub async fn events_per_function(
    store: &EventStore,
) -> Result<crate::functions::view::BarChart, StoreError> {
    use crate::functions::view::{Bar, BarChart};
    Ok(BarChart {
        key: "events-per-function".to_owned(),
        title: "Events posted per function".to_owned(),
        bars: store
            .events_per_function()
            .await?
            .into_iter()
            .map(|(function, value)| Bar {
                label: function.title().to_owned(),
                value,
            })
            .collect(),
        source: Some(BusinessFunction::DatabaseManager.page_url()),
    })
}

/// Fills the Database Manager's page: the size of the log, the
/// projections and the events they apply (the event-to-table mapping),
/// the integrity anomalies, and the event catalog (the schema
/// documentation).
pub async fn fill_page(
    store: &EventStore,
    page: &mut crate::functions::view::FunctionPage,
) -> Result<(), StoreError> {
    use crate::functions::view::DataTable;

    let anomalies = crate::functions::database_manager::projection::quarantine(store).await?;
    let waiting = anomalies
        .iter()
        .filter(|entry| entry.verdict.is_none())
        .count();
    let head = store.head_position().await?;
    let catalog = catalog::event_catalog(store.registry());
    page.metrics = vec![
        Metric::count("events", "Events in the log", store.event_count().await?),
        Metric::count("head-position", "Newest position", head),
        Metric::count(
            "projections",
            "Projections",
            store.registry().projectors().len(),
        ),
        Metric::count("anomalies", "Integrity anomalies", anomalies.len()),
        Metric::count("quarantined", "Anomalies awaiting a verdict", waiting),
        Metric::count(
            "held-back",
            "Events held back from the tables",
            crate::store::holding::held_count(store).await?,
        ),
        Metric::count("event-types", "Event types", catalog.event_types.len()),
    ];

    page.charts = vec![events_per_function(store).await?];

    let mut mapping = DataTable::new(
        "projections",
        "Projections: which events change which tables",
        &["Projection", "Function", "Events applied", "Tables written"],
        "No projection is registered.",
    );
    for projector in store.registry().projectors() {
        mapping.row(vec![
            projector.name.to_owned(),
            projector.function.slug().to_owned(),
            projector.handles.join(", "),
            projector.tables.join(", "),
        ]);
    }

    let mut quarantine = DataTable::new(
        "quarantine",
        "Quarantine: events the integrity checks flagged",
        &[
            "Anomaly",
            "Found (UTC)",
            "Check",
            "What is wrong",
            "Event positions",
            "Held back",
            "Verdict",
        ],
        "No anomaly: every integrity check holds.",
    );
    for entry in &anomalies {
        quarantine.row(vec![
            entry.anomaly.to_string(),
            entry
                .detected_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            entry.check_name.clone(),
            entry.message.clone(),
            entry.positions.clone(),
            held_back_text(entry.held_back),
            verdict_text(entry),
        ]);
    }

    let mut schema = DataTable::new(
        "event-catalog",
        "Event catalog (schema documentation)",
        &[
            "Event type",
            "Function",
            "Schema version",
            "Payload fields",
            "Tables changed",
            "Meaning",
        ],
        "The catalog is empty.",
    );
    for entry in catalog.event_types {
        schema.row(vec![
            entry.name.clone(),
            entry.function.slug().to_owned(),
            entry.schema_version.to_string(),
            entry.payload_fields().join(", "),
            entry.tables.join(", "),
            entry.description.unwrap_or_default(),
        ]);
    }

    let mut checks = DataTable::new(
        "integrity-checks",
        "Integrity checks",
        &["Check", "Function", "Kind", "Rule", "Anomalies"],
        "No integrity check is registered.",
    );
    let found = |name: &str| {
        anomalies
            .iter()
            .filter(|entry| entry.check_name == name)
            .count()
            .to_string()
    };
    let table_checks = store.registry().integrity_checks().map(|check| {
        (
            check.name,
            check.function,
            "table check: reads the tables after events are applied",
            check.invariant,
        )
    });
    let event_checks = store.registry().event_checks().map(|check| {
        (
            check.name,
            check.function,
            "event check: holds a flagged event back from the tables",
            check.invariant,
        )
    });
    for (name, function, kind, rule) in table_checks.chain(event_checks) {
        checks.row(vec![
            name.to_owned(),
            function.slug().to_owned(),
            kind.to_owned(),
            rule.to_owned(),
            found(name),
        ]);
    }
    page.tables = vec![
        mapping,
        projection_status(store, head).await?,
        backups(store).await?,
        checks,
        quarantine,
        guard_firings(store).await?,
        schema,
    ];
    Ok(())
}

/// The newest times a guard of the agent runtime held an agent back.
async fn guard_firings(
    store: &EventStore,
) -> Result<crate::functions::view::DataTable, StoreError> {
    use kiln_core::conversation::Guard;
    let mut table = crate::functions::view::DataTable::new(
        "guard-firings",
        "Agent guards fired: what the runtime refused an agent whatever its brain said (a hop-limit or repeat firing also sent its conversation to people)",
        &[
            "Fired (UTC)",
            "Agent",
            "Guard",
            "Conversation",
            "What was refused",
        ],
        "No guard has fired: no agent looped or repeated itself.",
    );
    for firing in crate::functions::platform_manager::projection::guard_firings(store, 100).await? {
        table.row(vec![
            firing.fired_at,
            format!("agent:{}", firing.agent),
            Guard::from_slug(&firing.guard)
                .map_or(firing.guard.clone(), |guard| guard.title().to_owned()),
            firing.conversation_id.unwrap_or_default(),
            firing.refused,
        ]);
    }
    Ok(table)
}

/// The backups taken, newest first, with how to take and restore one
/// (docs/restore.md has the drill).
async fn backups(store: &EventStore) -> Result<crate::functions::view::DataTable, StoreError> {
    let empty = match store.backend() {
        crate::store::backend::Backend::Sqlite => {
            "No backup has been taken. The command kiln backup FILE copies the database while Kiln serves."
        }
        crate::store::backend::Backend::Postgres => {
            "On PostgreSQL, back up with pg_dump or base backups; kiln export FILE writes the log in a form any Kiln database can import."
        }
    };
    let mut table = crate::functions::view::DataTable::new(
        "backups",
        "Backups (to restore one, stop Kiln, put the copy in the database file's place and run kiln integrity check; docs/restore.md has the drill)",
        &["Taken (UTC)", "File", "Size"],
        empty,
    );
    for backup in crate::store::export::backups(store, 10).await? {
        table.row(vec![
            backup.taken_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            backup.file,
            format!("{:.1} MB", backup.bytes as f64 / 1_000_000.0),
        ]);
    }
    Ok(table)
}

/// How many events the gate holds back for an anomaly, as the quarantine
/// table says it: `none` once they are decided (or when a table check
/// found the anomaly after the events were applied).
fn held_back_text(held_back: i64) -> String {
    match held_back {
        0 => "none".to_owned(),
        1 => "1 event".to_owned(),
        many => format!("{many} events"),
    }
}

/// How an anomaly's verdict reads in the quarantine table: `waiting`, or
/// who released or rejected its events, when, and why.
fn verdict_text(entry: &crate::functions::database_manager::projection::QuarantineEntry) -> String {
    let Some(verdict) = entry.verdict.as_deref().and_then(Verdict::from_name) else {
        return "waiting".to_owned();
    };
    let mut text = format!(
        "{} by {} at {}",
        verdict.past_tense(),
        entry.decided_by.as_deref().unwrap_or("?"),
        entry.decided_at.as_deref().unwrap_or("?"),
    );
    if let Some(note) = entry.note.as_deref().filter(|note| !note.is_empty()) {
        text.push_str(": ");
        text.push_str(note);
    }
    text
}

/// The projection status table: for every projection and every
/// asynchronous subscriber of the log, the position it has applied up
/// to, how many events it is behind the newest, and its last error.
///
/// Projections are applied in the transaction of the append itself, so
/// they are at the newest position by construction, and a projection that
/// fails refuses the append (the writer sees the error) rather than
/// falling behind. Subscribers (the integrity worker) read the log after
/// it is written, keep their own checkpoint, and can lag or fail.
pub async fn projection_status(
    store: &EventStore,
    head: i64,
) -> Result<crate::functions::view::DataTable, StoreError> {
    use crate::functions::view::DataTable;
    let mut status = DataTable::new(
        "projection-status",
        "Projection status",
        &[
            "Projection or subscriber",
            "Applied",
            "Checkpoint",
            "Lag (events)",
            "Last error",
        ],
        "Nothing reads the log yet.",
    );
    for projector in store.registry().projectors() {
        status.row(vec![
            projector.name.to_owned(),
            "in each append's transaction".to_owned(),
            head.to_string(),
            "0".to_owned(),
            "none: a failure refuses the append".to_owned(),
        ]);
    }
    for subscriber in crate::store::subscriptions::statuses(store).await? {
        let last_error = match (subscriber.last_error, subscriber.last_error_at) {
            // A round acknowledged after the failure: it has recovered.
            (Some(error), Some(at)) if at < subscriber.updated_at => format!(
                "{}: {error} (it has succeeded since)",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            (Some(error), Some(at)) => format!(
                "{}: {error}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            (Some(error), None) => error,
            (None, _) => "none".to_owned(),
        };
        status.row(vec![
            subscriber.subscriber,
            "after the append, by a worker".to_owned(),
            subscriber.position.to_string(),
            (head - subscriber.position).max(0).to_string(),
            last_error,
        ]);
    }
    Ok(status)
}

/// The Database Manager's headline over time: the events each group of
/// functions recorded per month (by when their facts happened), stacked.
async fn events_by_month(
    store: &EventStore,
    months: &[crate::functions::descriptor::Month],
) -> Result<TrendChart, StoreError> {
    let first_month = months.first().map_or("", |month| month.key.as_str());
    let counted = store.events_per_month(first_month).await?;
    let series = FunctionGroup::ALL
        .into_iter()
        .map(|group| TrendSeries {
            name: group.title().to_owned(),
            style: SeriesStyle::Bars,
            values: months
                .iter()
                .map(|month| {
                    counted
                        .iter()
                        .filter(|(key, function, _)| *key == month.key && function.group() == group)
                        .map(|(_, _, events)| *events)
                        .sum()
                })
                .collect(),
        })
        // A group that recorded nothing in these months is left out of
        // the legend rather than drawn as nothing.
        .filter(|series| series.values.iter().any(|events| *events > 0))
        .collect();
    Ok(TrendChart {
        key: "events-by-month".into(),
        title: "Events recorded per month, by group of functions".into(),
        periods: months.iter().map(|month| month.label.clone()).collect(),
        series,
        unit: ChartUnit::Count,
        source: Some(BusinessFunction::DatabaseManager.page_url()),
    })
}

/// The Database Manager's figures on the Business Overview: the events in
/// the log and the integrity anomalies, the events recorded per month by
/// group of functions, and the events per function.
pub async fn headline(
    store: &EventStore,
    months: &crate::functions::descriptor::Months,
) -> Result<crate::functions::descriptor::Headline, StoreError> {
    let anomalies = crate::store::integrity::anomalies(store).await?;
    Ok(crate::functions::descriptor::Headline {
        metrics: vec![
            Metric::count("events", "Events in the log", store.event_count().await?),
            Metric::count("anomalies", "Integrity anomalies", anomalies.len()),
        ],
        trends: vec![events_by_month(store, months).await?],
        charts: vec![events_per_function(store).await?],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::load_demo_business;
    use crate::testing::store_tests;

    store_tests! {
        async fn the_projection_status_shows_each_subscriber_behind_the_newest_event(store) {
            load_demo_business(&store).await.expect("demo");
            let head = store.head_position().await.expect("head");
            let worker = crate::store::subscriptions::Subscriber::new("integrity-checks", store.clone());
            worker.acknowledge(head - 3).await.expect("acknowledge");
            worker.record_failure("the database was locked").await.expect("failure");
            let status = projection_status(&store, head).await.expect("status");
            let row = status
                .rows
                .iter()
                .find(|row| row[0] == "integrity-checks")
                .expect("the worker's row");
            assert_eq!(row[2], (head - 3).to_string());
            assert_eq!(row[3], "3");
            assert!(row[4].ends_with(": the database was locked"), "{row:?}");
            worker.acknowledge(head).await.expect("a later round succeeds");
            let status = projection_status(&store, head).await.expect("status");
            let row = status
                .rows
                .iter()
                .find(|row| row[0] == "integrity-checks")
                .expect("the worker's row");
            assert_eq!(row[3], "0");
            assert!(
                row[4].ends_with(": the database was locked (it has succeeded since)"),
                "{row:?}"
            );
            let catalog = status.rows.iter().find(|row| row[0] == "catalog").expect("catalog");
            assert_eq!(catalog[3], "0");
        }
    }
}
