//! The Database Manager's services (server only): rebuilding projections
//! on request, one rebuild at a time, with its progress published to
//! whoever watches; searching the event log and reading one event in
//! full; and filling its page.

use super::decide::{
    DecideQuarantine, FlaggedEvents, QuarantineError, QuarantineState, Verdict,
    decide_quarantine as decide_quarantine_rule,
};
pub use super::rebuilds::{RebuildError, Rebuilds};
use super::view::{EventDetail, EventQuery, EventSearch};
use crate::functions::view::{
    ChartUnit, Choice, ChoiceList, FeedEntry, Metric, SeriesStyle, TrendChart, TrendSeries,
};
use crate::store::registry::Registry;
use crate::store::{EventFilter, EventStore, StoreError, catalog};
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

    let anomalies = super::projection::quarantine(store).await?;
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
        schema,
    ];
    Ok(())
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
fn verdict_text(entry: &super::projection::QuarantineEntry) -> String {
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

/// Why a verdict on quarantined events was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum QuarantineServiceError {
    /// No anomaly has that number.
    #[error("there is no anomaly {anomaly}")]
    NoSuchAnomaly {
        /// The number asked for.
        anomaly: i64,
    },
    /// The rules refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] QuarantineError),
    /// The store failed; nothing was recorded.
    #[error("the verdict was not recorded")]
    Store(#[from] StoreError),
}

/// Records a person's verdict on the events anomaly `anomaly` names:
/// `QuarantineReleased` or `QuarantineRejected` on the stream
/// `anomaly-<number>`, the anomaly's check and events copied into it so the
/// event says everything on its own.
pub async fn decide_quarantine(
    store: &EventStore,
    actor: kiln_core::event::Actor,
    anomaly: i64,
    verdict: Verdict,
    note: String,
) -> Result<(), QuarantineServiceError> {
    use crate::store::EventMetadata;
    use kiln_core::event::StreamId;
    use kiln_core::event::quarantine::QuarantineEvent;

    let found = crate::store::integrity::anomaly(store, anomaly)
        .await?
        .ok_or(QuarantineServiceError::NoSuchAnomaly { anomaly })?;
    let positions: Vec<i64> =
        serde_json::from_str(&found.positions).map_err(|_| StoreError::Corrupt {
            what: "anomaly positions",
            value: found.positions.clone(),
        })?;
    let command = DecideQuarantine {
        flagged: FlaggedEvents {
            anomaly,
            check: found.check_name,
            positions,
        },
        verdict,
        note,
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::DatabaseManager);
    // Someone giving a verdict between our read and our append makes the
    // store decide again, and the rule then says theirs stands.
    store
        .decide_and_append(
            &StreamId::anomaly(anomaly),
            &metadata,
            |history: &[QuarantineEvent]| {
                decide_quarantine_rule(QuarantineState::from_events(history), command.clone())
                    .map_err(QuarantineServiceError::from)
            },
        )
        .await?;
    Ok(())
}

/// How many events a page of the event search shows.
pub const EVENTS_PER_SEARCH_PAGE: i64 = 50;

/// The longest text a search field takes: longer than any stream id, type
/// or actor Kiln writes.
const LONGEST_SEARCH_TEXT: usize = 200;

/// Why an event search was refused; the message says which field and why.
#[derive(Debug, thiserror::Error)]
pub enum EventSearchError {
    /// The function filter names no business function.
    #[error("there is no business function called “{slug}”")]
    UnknownFunction {
        /// The slug as given.
        slug: String,
    },
    /// The type filter names no event type in the catalog.
    #[error("there is no event type called “{name}” in the event catalog")]
    UnknownEventType {
        /// The type as given.
        name: String,
    },
    /// A date filter is not a date (from 1970 to 9998).
    #[error("“{value}” in {field} is not a date written as YYYY-MM-DD, from 1970 to 9998")]
    NotADate {
        /// `from` or `until`.
        field: &'static str,
        /// The value as given.
        value: String,
    },
    /// The last day comes before the first.
    #[error("the last day ({until}) comes before the first ({from})")]
    DatesReversed {
        /// The first day.
        from: chrono::NaiveDate,
        /// The last day.
        until: chrono::NaiveDate,
    },
    /// A text filter is longer than anything the log holds.
    #[error(
        "{field} is {length} characters long; no {field} in the log is longer than {LONGEST_SEARCH_TEXT}"
    )]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its length in characters.
        length: usize,
    },
    /// The log could not be searched.
    #[error("the event search failed")]
    Store(#[from] StoreError),
}

/// The store's filter for `query`, or why it cannot be searched for.
pub fn event_filter(
    registry: &Registry,
    query: &EventQuery,
) -> Result<EventFilter, EventSearchError> {
    let text = |field: &'static str, value: &str| -> Result<Option<String>, EventSearchError> {
        let value = value.trim();
        let length = value.chars().count();
        if length > LONGEST_SEARCH_TEXT {
            return Err(EventSearchError::TooLong { field, length });
        }
        Ok((!value.is_empty()).then(|| value.to_owned()))
    };
    let day =
        |field: &'static str, value: &str| -> Result<Option<chrono::NaiveDate>, EventSearchError> {
            let Some(value) = text(field, value)? else {
                return Ok(None);
            };
            // Kiln has recorded nothing before 1970 or after 9998; dates out
            // there would reach the engines' limits (SQLite's julianday()
            // stops at 9999, PostgreSQL's timestamps at 294276).
            chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                .ok()
                .filter(|day| (1970..=9998).contains(&chrono::Datelike::year(day)))
                .map(Some)
                .ok_or(EventSearchError::NotADate { field, value })
        };

    let function = text("function", &query.function)?
        .map(|slug| {
            BusinessFunction::from_slug(&slug).ok_or(EventSearchError::UnknownFunction { slug })
        })
        .transpose()?;
    let event_type = text("event type", &query.event_type)?;
    if let Some(name) = &event_type
        && !catalog::event_catalog(registry)
            .event_types
            .iter()
            .any(|entry| &entry.name == name)
    {
        return Err(EventSearchError::UnknownEventType { name: name.clone() });
    }
    let from = day("from", &query.from)?;
    let until = day("until", &query.until)?;
    if let (Some(from), Some(until)) = (from, until)
        && until < from
    {
        return Err(EventSearchError::DatesReversed { from, until });
    }
    let start_of = |day: chrono::NaiveDate| day.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(EventFilter {
        function,
        event_type,
        actor: text("actor", &query.actor)?,
        stream: text("stream", &query.stream)?,
        recorded_from: from.map(start_of),
        // The last day is included: stop at the start of the next.
        recorded_before: until.and_then(|day| day.succ_opt()).map(start_of),
        before_position: query.before,
    })
}

/// One page of the events matching `query`, newest first.
pub async fn search_events(
    store: &EventStore,
    query: EventQuery,
) -> Result<EventSearch, EventSearchError> {
    search_page(store, query, EVENTS_PER_SEARCH_PAGE).await
}

/// A page of `page_size` events matching `query`, newest first.
async fn search_page(
    store: &EventStore,
    query: EventQuery,
    page_size: i64,
) -> Result<EventSearch, EventSearchError> {
    let filter = event_filter(store.registry(), &query)?;
    // One more than a page tells whether an older page exists.
    let mut found = store.search_events(&filter, page_size + 1).await?;
    let page_size = usize::try_from(page_size).unwrap_or(usize::MAX);
    let more = found.len() > page_size;
    found.truncate(page_size);
    let events: Vec<_> = found.iter().map(FeedEntry::of).collect();
    let older_than = more
        .then(|| events.last().map(|event| event.position))
        .flatten();
    Ok(EventSearch {
        query,
        events,
        older_than,
        choices: search_choices(store.registry()),
    })
}

/// What the search's filters accept: every function and every event type.
fn search_choices(registry: &Registry) -> Vec<ChoiceList> {
    let functions = BusinessFunction::ALL
        .into_iter()
        .map(|function| Choice {
            value: function.slug().to_owned(),
            label: function.title().to_owned(),
        })
        .collect();
    let mut event_types: Vec<Choice> = catalog::event_catalog(registry)
        .event_types
        .into_iter()
        .map(|entry| Choice {
            label: format!("{} ({})", entry.name, entry.function.title()),
            value: entry.name,
        })
        .collect();
    event_types.sort_by(|a, b| a.value.cmp(&b.value));
    vec![
        ChoiceList {
            key: "functions".to_owned(),
            options: functions,
        },
        ChoiceList {
            key: "event-types".to_owned(),
            options: event_types,
        },
    ]
}

/// The event at `position` in full, with what its type means; `None` when
/// the log has no event there.
pub async fn event_detail(
    store: &EventStore,
    position: i64,
) -> Result<Option<EventDetail>, StoreError> {
    let Some(event) = store.event_at(position).await? else {
        return Ok(None);
    };
    let entry = catalog::event_catalog(store.registry())
        .event_types
        .into_iter()
        .find(|entry| entry.name == event.event_type);
    Ok(Some(EventDetail {
        entry: FeedEntry::of(&event),
        stream_version: event.stream_version,
        schema_version: event.schema_version,
        occurred_at: event
            .occurred_at()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        decision_id: event.metadata.decision_id.clone(),
        causation_id: event.metadata.causation_id.clone(),
        correlation_id: event.metadata.correlation_id.clone(),
        meaning: entry
            .as_ref()
            .and_then(|entry| entry.description.clone())
            .unwrap_or_else(|| "This type is not in the event catalog.".to_owned()),
        tables: entry
            .map(|entry| {
                entry
                    .tables
                    .iter()
                    .map(|table| (*table).to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        payload: event.payload,
    }))
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
    use super::super::view::RebuildUpdate;
    use super::*;
    use crate::demo::load_demo_business;
    use crate::testing::store_tests;

    fn query() -> EventQuery {
        EventQuery::default()
    }

    #[test]
    fn an_empty_search_matches_every_event() {
        assert_eq!(
            event_filter(&crate::functions::registry().expect("registry"), &query())
                .expect("filter"),
            EventFilter::default()
        );
    }

    #[test]
    fn a_search_by_day_covers_the_whole_last_day() {
        let filter = event_filter(
            &crate::functions::registry().expect("registry"),
            &EventQuery {
                from: "2026-11-01".into(),
                until: " 2026-11-28 ".into(),
                ..query()
            },
        )
        .expect("filter");
        assert_eq!(
            filter.recorded_from.map(|at| at.to_rfc3339()),
            Some("2026-11-01T00:00:00+00:00".to_owned())
        );
        assert_eq!(
            filter.recorded_before.map(|at| at.to_rfc3339()),
            Some("2026-11-29T00:00:00+00:00".to_owned())
        );
    }

    #[test]
    fn a_search_names_known_functions_and_event_types_only() {
        let filter = event_filter(
            &crate::functions::registry().expect("registry"),
            &EventQuery {
                function: "customers".into(),
                event_type: "OrderPlaced".into(),
                actor: "system:demo".into(),
                stream: "order-ord-1".into(),
                before: Some(40),
                ..query()
            },
        )
        .expect("filter");
        assert_eq!(filter.function, Some(BusinessFunction::Customers));
        assert_eq!(filter.event_type.as_deref(), Some("OrderPlaced"));
        assert_eq!(filter.before_position, Some(40));

        let refusal = |query: EventQuery| {
            event_filter(&crate::functions::registry().expect("registry"), &query)
                .expect_err("refused")
                .to_string()
        };
        assert_eq!(
            refusal(EventQuery {
                function: "sales".into(),
                ..query()
            }),
            "there is no business function called “sales”"
        );
        assert_eq!(
            refusal(EventQuery {
                event_type: "OrderShipped".into(),
                ..query()
            }),
            "there is no event type called “OrderShipped” in the event catalog"
        );
    }

    #[test]
    fn a_search_with_bad_dates_or_huge_text_is_refused_with_the_field_named() {
        let refusal = |query: EventQuery| {
            event_filter(&crate::functions::registry().expect("registry"), &query)
                .expect_err("refused")
                .to_string()
        };
        assert_eq!(
            refusal(EventQuery {
                from: "28/11/2026".into(),
                ..query()
            }),
            "“28/11/2026” in from is not a date written as YYYY-MM-DD, from 1970 to 9998"
        );
        assert_eq!(
            refusal(EventQuery {
                until: "9999-12-31".into(),
                ..query()
            }),
            "“9999-12-31” in until is not a date written as YYYY-MM-DD, from 1970 to 9998"
        );
        assert_eq!(
            refusal(EventQuery {
                from: "2026-11-28".into(),
                until: "2026-11-01".into(),
                ..query()
            }),
            "the last day (2026-11-01) comes before the first (2026-11-28)"
        );
        assert_eq!(
            refusal(EventQuery {
                stream: "é".repeat(1_000_000),
                ..query()
            }),
            "stream is 1000000 characters long; no stream in the log is longer than 200"
        );
    }

    /// The demo business with one product's price broken in its table,
    /// checked: one anomaly, naming that product's introduction.
    async fn an_anomaly_found(store: &EventStore) -> (i64, Vec<i64>) {
        load_demo_business(store).await.expect("demo");
        store
            .database()
            .execute_for_test(
                "UPDATE catalog_products SET base_price_minor = 0 WHERE sku = 'PLN-HANG-5'",
            )
            .await;
        crate::store::integrity::run_checks(store, None)
            .await
            .expect("checks");
        let anomalies = crate::store::integrity::anomalies(store)
            .await
            .expect("anomalies");
        assert_eq!(anomalies.len(), 1, "{anomalies:?}");
        let positions = serde_json::from_str(&anomalies[0].positions).expect("positions");
        (anomalies[0].id, positions)
    }

    fn person() -> kiln_core::event::Actor {
        kiln_core::event::Actor::parse("user:acc-0000000000000001").expect("actor")
    }

    fn jug() -> crate::functions::category::events::Sku {
        crate::functions::category::events::Sku::parse("TBL-JUG-1L").expect("SKU")
    }

    /// The demo business after someone typed $4,400.00 for the pouring
    /// jug's new price ($44.00 before), then delisted it: the checks flag
    /// the price change, so both wait. Answers the anomaly.
    async fn a_price_slip_held(store: &EventStore) -> i64 {
        use crate::functions::category::{decide::CategoryCommand, service};
        load_demo_business(store).await.expect("demo");
        let changed =
            service::change_base_price(store, person(), jug(), "4400.00", "new season".into())
                .await
                .expect("the change is recorded");
        assert_eq!(changed.held_back, 1);
        let delisted = service::handle(
            store,
            person(),
            CategoryCommand::Delist {
                sku: jug(),
                reason: "glaze recall".into(),
            },
        )
        .await
        .expect("the delisting is recorded");
        // Not flagged itself, but it waits behind the flagged change.
        assert_eq!(delisted.held_back, 1);
        let anomalies = crate::store::integrity::anomalies(store)
            .await
            .expect("anomalies");
        assert_eq!(anomalies.len(), 1, "{anomalies:?}");
        assert_eq!(anomalies[0].check_name, "catalog-price-jumps");
        assert_eq!(
            anomalies[0].message,
            "the base price of TBL-JUG-1L went from $44.00 to $4,400.00, more than ten times what it was"
        );
        anomalies[0].id
    }

    /// The jug as the catalog table has it: its price and whether listed.
    async fn jug_in_catalog(store: &EventStore) -> (String, bool) {
        let catalog = crate::functions::category::service::catalog(store)
            .await
            .expect("catalog");
        let jug = catalog
            .iter()
            .find(|entry| entry.product.sku == jug())
            .expect("the jug");
        (jug.product.price.to_string(), jug.listed)
    }

    async fn a_rebuild_changes_nothing(store: &EventStore) {
        a_rebuild_changes_nothing_but(store, &[]).await;
    }

    /// Rebuilds every projection: only the tables named in `changed`
    /// differ from their live versions.
    async fn a_rebuild_changes_nothing_but(store: &EventStore, changed: &[&str]) {
        let report = crate::store::projections::rebuild(store, None, |_| {})
            .await
            .expect("rebuild");
        let differing: Vec<&str> = report
            .tables
            .iter()
            .filter(|(before, after)| before != after)
            .map(|(before, _)| before.table)
            .collect();
        assert_eq!(differing, changed, "{:?}", report.tables);
    }

    store_tests! {
        async fn a_price_slip_and_the_events_after_it_stay_out_of_the_tables_until_a_person_releases_them(store) {
            let anomaly = a_price_slip_held(&store).await;
            assert_eq!(jug_in_catalog(&store).await, ("$44.00".to_owned(), true));
            let waiting = crate::functions::database_manager::projection::quarantine(&store).await.expect("quarantine");
            assert_eq!(waiting[0].anomaly, anomaly);
            assert_eq!(waiting[0].verdict, None);
            assert_eq!(waiting[0].held_back, 2);
            a_rebuild_changes_nothing(&store).await;
            assert_eq!(jug_in_catalog(&store).await, ("$44.00".to_owned(), true));

            decide_quarantine(&store, person(), anomaly, Verdict::Release, "the new tables are that dear".into())
                .await
                .expect("released");

            assert_eq!(jug_in_catalog(&store).await, ("$4,400.00".to_owned(), false));
            let decided = crate::functions::database_manager::projection::quarantine(&store).await.expect("quarantine");
            assert_eq!(decided[0].verdict.as_deref(), Some("release"));
            assert_eq!(decided[0].held_back, 0);
            a_rebuild_changes_nothing(&store).await;
            assert_eq!(jug_in_catalog(&store).await, ("$4,400.00".to_owned(), false));
        }

        async fn an_append_repeated_under_its_key_answers_what_the_gate_still_holds_back_of_it(store) {
            use crate::functions::category::decide::{CategoryCommand, ProductState, decide};
            use crate::functions::category::events::CategoryEvent;
            use crate::store::EventMetadata;

            load_demo_business(&store).await.expect("demo");
            let stream = jug().product_stream();
            let history = store.load::<CategoryEvent>(&stream).await.expect("jug");
            let slip = decide(
                &ProductState::from_events(&history.events),
                CategoryCommand::ChangeBasePrice {
                    sku: jug(),
                    to: kiln_core::money::Money::parse_amount("4400.00", kiln_core::money::Currency::Usd).expect("amount"),
                    reason: "new season".into(),
                },
            )
            .expect("decided");
            let metadata = EventMetadata::new(person(), BusinessFunction::Category)
                .with_idempotency_key("price-slip-1");
            let append = || store.append(&stream, history.version, &slip, &metadata);

            let first = append().await.expect("appended");
            assert_eq!((first.repeated, first.held_back), (false, 1));
            let again = append().await.expect("repeated");
            assert_eq!((again.repeated, again.held_back), (true, 1));

            let anomaly = crate::store::integrity::anomalies(&store).await.expect("anomalies")[0].id;
            decide_quarantine(&store, person(), anomaly, Verdict::Release, "the new tables are that dear".into())
                .await
                .expect("released");
            let released = append().await.expect("repeated");
            assert_eq!((released.repeated, released.held_back), (true, 0));
        }

        async fn the_page_lists_every_integrity_check_with_the_anomalies_it_found(store) {
            a_price_slip_held(&store).await;
            let mut page = crate::functions::view::FunctionPage::of(BusinessFunction::DatabaseManager);
            fill_page(&store, &mut page).await.expect("filled");
            let checks = page.table("integrity-checks")
                .expect("the checks table");
            let names: Vec<&str> = checks.rows.iter().map(|row| row[0].as_str()).collect();
            let registered: Vec<&str> = store.registry().check_names().collect();
            assert_eq!(names, registered);
            let jumps = checks
                .rows
                .iter()
                .find(|row| row[0] == "catalog-price-jumps")
                .expect("the price jump check");
            assert!(jumps[2].starts_with("event check"), "{jumps:?}");
            assert_eq!(jumps[4], "1");
        }

        async fn a_rebuild_holds_back_only_what_was_flagged_when_it_was_appended(store) {
            a_price_slip_held(&store).await;
            // As on a log written before the check existed: the change was
            // never flagged, so it was applied when it was appended.
            store
                .database()
                .execute_for_test("DELETE FROM integrity_anomalies")
                .await;
            a_rebuild_changes_nothing_but(&store, &["catalog_products", "base_price_changes"]).await;
            assert_eq!(jug_in_catalog(&store).await, ("$4,400.00".to_owned(), false));
            assert_eq!(crate::store::holding::held_count(&store).await.expect("held"), 0);
        }

        async fn a_rejected_price_slip_never_reaches_the_tables_and_the_events_behind_it_do(store) {
            let anomaly = a_price_slip_held(&store).await;
            decide_quarantine(&store, person(), anomaly, Verdict::Reject, "typed two zeros too many".into())
                .await
                .expect("rejected");

            assert_eq!(jug_in_catalog(&store).await, ("$44.00".to_owned(), false));
            a_rebuild_changes_nothing(&store).await;
            assert_eq!(jug_in_catalog(&store).await, ("$44.00".to_owned(), false));

            // The product's rules stop counting the slip too: the next
            // change starts from $44.00, so it is no jump and goes through.
            let changed = crate::functions::category::service::change_base_price(
                &store,
                person(),
                jug(),
                "48.00",
                "new season".into(),
            )
            .await
            .expect("the change is recorded");
            assert_eq!(changed.held_back, 0);
            assert_eq!(jug_in_catalog(&store).await, ("$48.00".to_owned(), false));
            let changes = crate::functions::category::projection::price_changes(&store, 1)
                .await
                .expect("price history");
            assert_eq!(changes[0].from.to_string(), "$44.00");
            assert_eq!(
                crate::store::integrity::anomalies(&store).await.expect("anomalies").len(),
                1
            );
            a_rebuild_changes_nothing(&store).await;
        }

        async fn a_flagged_anomaly_waits_in_the_quarantine_until_someone_rejects_it(store) {
            let (anomaly, positions) = an_anomaly_found(&store).await;
            let waiting = crate::functions::database_manager::projection::quarantine(&store).await.expect("quarantine");
            assert_eq!(waiting.len(), 1);
            assert_eq!(waiting[0].verdict, None);

            decide_quarantine(&store, person(), anomaly, Verdict::Reject, " typed as zero ".into())
                .await
                .expect("rejected");

            let decided = crate::functions::database_manager::projection::quarantine(&store).await.expect("quarantine");
            assert_eq!(decided[0].verdict.as_deref(), Some("reject"));
            assert_eq!(decided[0].note.as_deref(), Some("typed as zero"));
            assert_eq!(decided[0].decided_by.as_deref(), Some("user:acc-0000000000000001"));
            let recorded = store
                .load::<kiln_core::event::quarantine::QuarantineEvent>(&kiln_core::event::StreamId::anomaly(anomaly))
                .await
                .expect("stream");
            assert_eq!(
                recorded.events,
                vec![kiln_core::event::quarantine::QuarantineEvent::QuarantineRejected(
                    kiln_core::event::quarantine::QuarantineVerdict {
                        anomaly,
                        check: "catalog-prices-positive".into(),
                        positions,
                        note: "typed as zero".into(),
                    }
                )]
            );
        }

        async fn a_verdict_is_given_once_and_only_on_an_anomaly_that_exists(store) {
            let (anomaly, _) = an_anomaly_found(&store).await;
            decide_quarantine(&store, person(), anomaly, Verdict::Release, String::new())
                .await
                .expect("released");
            let again = decide_quarantine(&store, person(), anomaly, Verdict::Reject, "wrong".into())
                .await
                .expect_err("decided already");
            assert_eq!(again.to_string(), format!("anomaly {anomaly} was already released"));
            let unknown = decide_quarantine(&store, person(), anomaly + 1, Verdict::Release, String::new())
                .await
                .expect_err("no such anomaly");
            assert_eq!(unknown.to_string(), format!("there is no anomaly {}", anomaly + 1));
            let events = store.event_count().await.expect("count");
            let unexplained = decide_quarantine(&store, person(), anomaly, Verdict::Reject, String::new())
                .await
                .expect_err("refused");
            assert!(matches!(unexplained, QuarantineServiceError::Refused(_)));
            assert_eq!(store.event_count().await.expect("count"), events, "a refusal records nothing");
        }

        async fn verdicts_survive_a_rebuild_with_equal_checksums(store) {
            let (anomaly, _) = an_anomaly_found(&store).await;
            decide_quarantine(&store, person(), anomaly, Verdict::Release, "repaired".into())
                .await
                .expect("released");
            let outcome = Rebuilds::default()
                .run(&store, Some("quarantine"))
                .await
                .expect("rebuild");
            assert!(outcome.tables.iter().all(|table| table.equal), "{outcome:?}");
            let after = crate::functions::database_manager::projection::quarantine(&store).await.expect("quarantine");
            assert_eq!(after[0].verdict.as_deref(), Some("release"));
        }

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

        async fn a_rebuild_publishes_progress_then_its_outcome(store) {
            load_demo_business(&store).await.expect("demo");
            let rebuilds = Rebuilds::default();
            let mut updates = rebuilds.subscribe();
            let outcome = rebuilds.run(&store, Some("catalog")).await.expect("rebuild");
            assert_eq!(outcome.projections, vec!["catalog".to_owned()]);
            // The rebuild replays the whole log: each SKU's introduction and count.
            assert_eq!(outcome.events, 2 * crate::demo::DEMO_CATALOG_SKUS as u64);
            assert!(outcome.tables.iter().all(|table| table.equal), "{outcome:?}");

            let mut published = Vec::new();
            while let Ok(update) = updates.try_recv() {
                published.push(update);
            }
            assert!(matches!(
                published.first(),
                Some(RebuildUpdate::Progress { replayed: 0, total, .. })
                    if *total == 2 * crate::demo::DEMO_CATALOG_SKUS as u64
            ));
            assert_eq!(published.last(), Some(&RebuildUpdate::Finished(outcome)));
        }

        async fn a_second_rebuild_while_one_runs_is_refused(store) {
            let rebuilds = Rebuilds::default();
            let _running = rebuilds.running.lock().await;
            let refused = rebuilds.run(&store, None).await.expect_err("refused");
            assert!(
                refused.to_string().starts_with("a rebuild is already running"),
                "{refused}"
            );
        }

        async fn an_event_search_pages_backwards_and_details_one_event(store) {
            load_demo_business(&store).await.expect("demo");
            let first = search_page(&store, EventQuery::default(), 10).await.expect("search");
            assert_eq!(first.events.len(), 10);
            let head = store.head_position().await.expect("head");
            assert_eq!(first.events[0].position, head);
            let older_than = first.older_than.expect("the demo has more than a page of events");
            let second = search_page(&store, first.query.older_than(older_than), 10)
                .await
                .expect("search");
            assert!(second.events.iter().all(|event| event.position < older_than));
            assert_eq!(second.events[0].position, older_than - 1);

            let introduced = search_events(
                &store,
                EventQuery { event_type: "ProductIntroduced".into(), ..EventQuery::default() },
            )
            .await
            .expect("search");
            assert!(!introduced.events.is_empty());
            assert!(introduced.events.iter().all(|event| event.event_type == "ProductIntroduced"));

            let detail = event_detail(&store, introduced.events[0].position)
                .await
                .expect("read")
                .expect("the event exists");
            assert_eq!(detail.entry, introduced.events[0]);
            assert!(detail.payload.get("sku").is_some(), "{:?}", detail.payload);
            assert!(detail.tables.contains(&"catalog_products".to_owned()), "{:?}", detail.tables);
            assert!(!detail.meaning.is_empty());
            assert_eq!(event_detail(&store, head + 1).await.expect("read"), None);
        }

        async fn rebuilding_an_unknown_projection_is_refused_and_published(store) {
            let rebuilds = Rebuilds::default();
            let mut updates = rebuilds.subscribe();
            let refused = rebuilds.run(&store, Some("inventory")).await.expect_err("refused");
            assert!(matches!(refused, RebuildError::Refused(_)));
            assert_eq!(
                updates.try_recv().ok(),
                Some(RebuildUpdate::Failed {
                    message: format!(
                        "there is no projection called “inventory”; known projections: {}",
                        store.registry().projector_names()
                    )
                })
            );
        }
    }
}
