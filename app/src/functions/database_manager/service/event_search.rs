//! Searching the event log, a page at a time, and reading one event in full.

use crate::functions::database_manager::view::{EventDetail, EventQuery, EventSearch};
use crate::functions::view::{Choice, ChoiceList, FeedEntry};
use crate::store::registry::Registry;
use crate::store::{EventFilter, EventStore, StoreError, catalog};
use kiln_core::function::BusinessFunction;

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

#[cfg(test)]
mod tests {
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

    store_tests! {
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

    }
}
