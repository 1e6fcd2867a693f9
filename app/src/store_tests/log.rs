use crate::event::{Actor, StreamId};
use crate::functions::BusinessFunction;
use crate::functions::category::events::{CategoryEvent, Collection, ProductIntroduced, Sku};
use crate::money::{Currency, Money};
use crate::store::*;
use crate::testing::store_tests;
use chrono::{DateTime, Utc};
use serde_json::json;

fn introduced(sku: &str) -> CategoryEvent {
    CategoryEvent::ProductIntroduced(ProductIntroduced {
        sku: Sku::parse(sku).expect("valid SKU"),
        name: "Jug".into(),
        collection: Collection::Tableware,
        description: String::new(),
        base_price: Money::new(3900, Currency::Usd),
        image: "/products/jug.svg".into(),
        variant: None,
        unit_cost: None,
    })
}

fn category_metadata() -> EventMetadata {
    EventMetadata::new(Actor::system("test"), BusinessFunction::Category)
}

fn jug_stream() -> StreamId {
    Sku::parse("JUG-1").expect("valid SKU").product_stream()
}

fn raw(event_type: &str, schema_version: i64, payload: serde_json::Value) -> NewEvent {
    NewEvent {
        event_type: event_type.into(),
        schema_version,
        payload,
    }
}

async fn assert_refused_and_nothing_written(
    store: &EventStore,
    event: NewEvent,
    expected_reason: &str,
) {
    let result = store
        .append_new(&jug_stream(), 0, vec![event], &category_metadata())
        .await;
    match result {
        Err(error @ StoreError::InvalidEvent { .. }) => assert!(
            error.to_string().contains(expected_reason),
            "“{error}” does not say “{expected_reason}”"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(store.event_count().await.expect("count"), 0);
    let catalog = crate::store::projections::checksum_now(store, "catalog_products")
        .await
        .expect("checksum the catalog");
    assert_eq!(catalog.rows, 0);
}

fn valid_payload() -> serde_json::Value {
    crate::event::encode_tagged(&introduced("JUG-1")).expect("encode")
}

store_tests! {
    async fn the_newest_events_of_a_function_come_newest_first_and_are_counted_per_function(store) {
        for (index, sku) in ["JUG-1", "JUG-2", "JUG-3"].into_iter().enumerate() {
            store
                .append(
                    &Sku::parse(sku).expect("valid SKU").product_stream(),
                    0,
                    &[introduced(sku)],
                    &category_metadata(),
                )
                .await
                .unwrap_or_else(|error| panic!("append {index}: {error}"));
        }
        let newest = store
            .newest_events(Some(BusinessFunction::Category), 2)
            .await
            .expect("read");
        let positions: Vec<i64> = newest.iter().map(|event| event.position).collect();
        let all = store.read_after(0, 10).await.expect("read all");
        assert_eq!(positions, vec![all[2].position, all[1].position]);
        assert_eq!(newest[0].stream_id, "product-JUG-3");
        assert!(
            store
                .newest_events(Some(BusinessFunction::Customers), 10)
                .await
                .expect("read")
                .is_empty()
        );
        assert_eq!(store.newest_events(None, 10).await.expect("read").len(), 3);
        assert_eq!(
            store.events_per_function().await.expect("count"),
            vec![(BusinessFunction::Category, 3)]
        );
    }

    async fn events_are_counted_per_month_by_when_their_facts_happened(store) {
        store
            .append(
                &Sku::parse("JUG-1").expect("valid SKU").product_stream(),
                0,
                &[introduced("JUG-1")],
                &category_metadata(),
            )
            .await
            .expect("append now");
        let earlier = EventMetadata {
            occurred_at: Some("2026-03-15T12:00:00Z".parse().expect("a time")),
            ..category_metadata()
        };
        for sku in ["JUG-2", "JUG-3"] {
            store
                .append(
                    &Sku::parse(sku).expect("valid SKU").product_stream(),
                    0,
                    &[introduced(sku)],
                    &earlier,
                )
                .await
                .expect("append history");
        }
        let this_month = Utc::now().format("%Y-%m").to_string();
        assert_eq!(
            store.events_per_month("2026-01").await.expect("count"),
            vec![
                ("2026-03".to_owned(), BusinessFunction::Category, 2),
                (this_month.clone(), BusinessFunction::Category, 1),
            ]
        );
        assert_eq!(
            store.events_per_month(&this_month).await.expect("count"),
            vec![(this_month, BusinessFunction::Category, 1)]
        );
    }

    async fn an_event_search_matches_every_filter_given_and_pages_backwards(store) {
        for sku in ["JUG-1", "JUG-2", "JUG-3"] {
            store
                .append(
                    &Sku::parse(sku).expect("valid SKU").product_stream(),
                    0,
                    &[introduced(sku)],
                    &category_metadata(),
                )
                .await
                .expect("append");
        }
        let all = store.read_after(0, 10).await.expect("read all");
        let positions = |events: Vec<RecordedEvent>| -> Vec<i64> {
            events.iter().map(|event| event.position).collect()
        };
        let search = |filter: EventFilter| {
            let store = store.clone();
            async move { store.search_events(&filter, 10).await.expect("search") }
        };

        let everything = search(EventFilter::default()).await;
        assert_eq!(positions(everything), vec![all[2].position, all[1].position, all[0].position]);

        let one_stream = EventFilter {
            stream: Some("product-JUG-2".into()),
            ..EventFilter::default()
        };
        assert_eq!(positions(search(one_stream).await), vec![all[1].position]);

        let matching_all = EventFilter {
            function: Some(BusinessFunction::Category),
            event_type: Some("ProductIntroduced".into()),
            actor: Some("system:test".into()),
            recorded_from: Some(all[0].recorded_at - chrono::Duration::minutes(1)),
            recorded_before: Some(all[2].recorded_at + chrono::Duration::minutes(1)),
            ..EventFilter::default()
        };
        assert_eq!(search(matching_all.clone()).await.len(), 3);

        for not_matching in [
            EventFilter { function: Some(BusinessFunction::Customers), ..matching_all.clone() },
            EventFilter { event_type: Some("ProductRevised".into()), ..matching_all.clone() },
            EventFilter { actor: Some("system:demo".into()), ..matching_all.clone() },
            EventFilter { recorded_from: Some(all[2].recorded_at + chrono::Duration::minutes(1)), ..matching_all.clone() },
            EventFilter { recorded_before: Some(all[0].recorded_at - chrono::Duration::minutes(1)), ..matching_all.clone() },
        ] {
            assert!(search(not_matching.clone()).await.is_empty(), "{not_matching:?}");
        }

        let first_page = store.search_events(&EventFilter::default(), 2).await.expect("search");
        assert_eq!(positions(first_page.clone()), vec![all[2].position, all[1].position]);
        let older = EventFilter {
            before_position: first_page.last().map(|event| event.position),
            ..EventFilter::default()
        };
        assert_eq!(positions(search(older).await), vec![all[0].position]);

        assert_eq!(store.event_at(all[1].position).await.expect("read"), Some(all[1].clone()));
        assert_eq!(store.event_at(all[2].position + 1).await.expect("read"), None);
    }

    async fn appended_events_load_back_with_the_stream_version(store) {
        let appended = store
            .append(
                &jug_stream(),
                0,
                &[introduced("JUG-1")],
                &category_metadata(),
            )
            .await
            .expect("append to a new stream");
        assert_eq!(appended.events[0].stream_version, 1);
        assert!(!appended.repeated);
        let read = store.read_after(0, 10).await.expect("read");
        assert_eq!(read, appended.events, "recorded and stored events differ");

        let loaded: LoadedStream<CategoryEvent> = store.load(&jug_stream()).await.expect("load");
        assert_eq!(
            loaded,
            LoadedStream {
                events: vec![introduced("JUG-1")],
                version: 1
            }
        );
    }

    async fn an_append_expecting_a_stale_version_is_a_conflict_and_writes_nothing(store) {
        store
            .append(
                &jug_stream(),
                0,
                &[introduced("JUG-1")],
                &category_metadata(),
            )
            .await
            .expect("first append");

        let second = store
            .append(
                &jug_stream(),
                0,
                &[introduced("JUG-1")],
                &category_metadata(),
            )
            .await;
        assert!(
            matches!(
                second,
                Err(StoreError::Conflict {
                    expected: 0,
                    actual: 1,
                    ..
                })
            ),
            "{second:?}"
        );
        assert_eq!(store.event_count().await.expect("count"), 1);
    }

    async fn an_append_repeated_with_its_idempotency_key_returns_the_original_and_writes_nothing(store) {
        let metadata = category_metadata().with_idempotency_key("introduce-jug-1");
        let first = store
            .append(&jug_stream(), 0, &[introduced("JUG-1")], &metadata)
            .await
            .expect("first append");
        // The retry still believes the stream is new: without the key this
        // would be a conflict.
        let retry = store
            .append(&jug_stream(), 0, &[introduced("JUG-1")], &metadata)
            .await
            .expect("retry");
        assert!(retry.repeated);
        assert_eq!(retry.events, first.events);
        assert_eq!(store.event_count().await.expect("count"), 1);
    }

    async fn metadata_is_recorded_and_read_back(store) {
        let metadata = EventMetadata {
            decision_id: Some("decision-7".into()),
            causation_id: Some("command-12".into()),
            correlation_id: Some("launch-autumn".into()),
            ..category_metadata()
        };
        store
            .append(&jug_stream(), 0, &[introduced("JUG-1")], &metadata)
            .await
            .expect("append");
        let read = store.read_after(0, 10).await.expect("read");
        assert_eq!(read[0].metadata, metadata);
    }

    async fn history_keeps_the_date_it_happened_beside_the_date_it_was_recorded(store) {
        let happened = "2026-03-14T09:30:00Z".parse::<DateTime<Utc>>().expect("date");
        let metadata = category_metadata().occurred_at(happened);
        store
            .append(&jug_stream(), 0, &[introduced("JUG-1")], &metadata)
            .await
            .expect("append");
        let read = store.read_after(0, 10).await.expect("read");
        assert_eq!(read[0].occurred_at(), happened);
        assert!(read[0].recorded_at > happened);
    }

    async fn an_event_without_a_history_date_happened_when_recorded(store) {
        store
            .append(&jug_stream(), 0, &[introduced("JUG-1")], &category_metadata())
            .await
            .expect("append");
        let read = store.read_after(0, 10).await.expect("read");
        assert_eq!(read[0].occurred_at(), read[0].recorded_at);
    }

    async fn nothing_is_recorded_as_happening_in_the_future(store) {
        let tomorrow = Utc::now() + chrono::Duration::days(1);
        let refused = store
            .append(
                &jug_stream(),
                0,
                &[introduced("JUG-1")],
                &category_metadata().occurred_at(tomorrow),
            )
            .await;
        assert!(
            matches!(refused, Err(StoreError::OccurredInFuture { .. })),
            "{refused:?}"
        );
        assert_eq!(store.event_count().await.expect("count"), 0);
    }

    async fn an_unknown_event_type_is_refused(store) {
        assert_refused_and_nothing_written(
            &store,
            raw("ProductTeleported", 1, valid_payload()),
            "category has no event type ProductTeleported",
        )
        .await;
    }

    async fn a_malformed_payload_is_refused(store) {
        assert_refused_and_nothing_written(
            &store,
            raw("ProductIntroduced", 1, json!({ "sku": "JUG-1" })),
            "the payload does not fit ProductIntroduced version 1: missing field `name`",
        )
        .await;
    }

    async fn a_payload_with_an_invalid_sku_is_refused(store) {
        let mut payload = valid_payload();
        payload["sku"] = json!("not a sku");
        assert_refused_and_nothing_written(
            &store,
            raw("ProductIntroduced", 1, payload),
            "is not a SKU",
        )
        .await;
    }

    async fn an_oversized_payload_is_refused(store) {
        let mut payload = valid_payload();
        payload["description"] = json!("x".repeat(MAX_PAYLOAD_BYTES));
        assert_refused_and_nothing_written(
            &store,
            raw("ProductIntroduced", 1, payload),
            "larger than the 65536 bytes",
        )
        .await;
    }

    async fn a_schema_version_newer_than_this_build_knows_is_refused(store) {
        assert_refused_and_nothing_written(
            &store,
            raw("ProductIntroduced", 2, valid_payload()),
            "schema version 2 is not one of 1..=1",
        )
        .await;
    }

    async fn an_event_offered_by_a_function_that_does_not_own_it_is_refused(store) {
        let result = store
            .append_new(
                &jug_stream(),
                0,
                vec![raw("ProductIntroduced", 1, valid_payload())],
                &EventMetadata::new(Actor::system("test"), BusinessFunction::Hr),
            )
            .await;
        assert!(
            matches!(
                &result,
                Err(StoreError::InvalidEvent { function: "hr", .. })
            ),
            "{result:?}"
        );
        assert_eq!(store.event_count().await.expect("count"), 0);
    }

    async fn eight_concurrent_appenders_get_exactly_one_winner_per_version(store) {
        let stream = Sku::parse("RACE-1").expect("valid SKU").product_stream();
        // Each task tries to append to version 1, 2, 3... in turn, always
        // expecting the version it last saw; losers see a conflict and retry
        // from the new version.
        let mut tasks = Vec::new();
        for task in 0..8 {
            let store = store.clone();
            let stream = stream.clone();
            tasks.push(tokio::spawn(async move {
                let mut wins = Vec::new();
                let mut conflicts = 0;
                for attempt in 0..10 {
                    let current = store
                        .load::<CategoryEvent>(&stream)
                        .await
                        .expect("load")
                        .version;
                    let event = NewEvent {
                        event_type: "ProductIntroduced".into(),
                        schema_version: 1,
                        payload: crate::event::encode_tagged(&introduced(&format!(
                            "RACE-{task}-{attempt}"
                        )))
                        .expect("encode"),
                    };
                    match store
                        .append_new(&stream, current, vec![event], &category_metadata())
                        .await
                    {
                        Ok(appended) => wins.push(appended.events[0].stream_version),
                        Err(StoreError::Conflict { .. }) => conflicts += 1,
                        Err(other) => panic!("unexpected error: {other}"),
                    }
                }
                (wins, conflicts)
            }));
        }
        let mut versions = Vec::new();
        let mut conflicts = 0;
        for task in tasks {
            let (wins, lost) = task.await.expect("task ran");
            versions.extend(wins);
            conflicts += lost;
        }
        versions.sort_unstable();
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expected, "versions have gaps or duplicates");
        assert_eq!(versions.len() + conflicts, 80);

        let positions: Vec<i64> = store
            .read_after(0, 1000)
            .await
            .expect("read")
            .iter()
            .map(|event| event.position)
            .collect();
        assert_eq!(positions, (1..=versions.len() as i64).collect::<Vec<_>>());
    }

    async fn the_functions_posting_in_a_range_are_listed_without_reading_events(store) {
        store
            .append(
                &jug_stream(),
                0,
                &[introduced("JUG-1")],
                &category_metadata(),
            )
            .await
            .expect("append");
        let head = store.head_position().await.expect("head");
        assert_eq!(
            store
                .functions_posting_between(0, head)
                .await
                .expect("list"),
            vec![BusinessFunction::Category]
        );
        assert!(
            store
                .functions_posting_between(head, head)
                .await
                .expect("list")
                .is_empty()
        );
    }

    async fn a_reader_following_positions_never_skips_an_event_committed_concurrently(store) {
        // Eight appenders commit concurrently while a reader follows the
        // log the way a subscriber does: from the last position it saw.
        // If positions could commit out of order, the reader would move
        // past one that was still uncommitted and never see it.
        let appenders: Vec<_> = (0..8)
            .map(|task| {
                let store = store.clone();
                tokio::spawn(async move {
                    let stream = StreamId::new(format!("race-{task}"));
                    for version in 0..25 {
                        let sku = format!("R-{task}-{version}");
                        store
                            .append(&stream, version, &[introduced(&sku)], &category_metadata())
                            .await
                            .expect("append");
                    }
                })
            })
            .collect();
        let appenders_done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let store = store.clone();
            let appenders_done = appenders_done.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut after = 0;
                loop {
                    // Read the flag first: a page read after it was set
                    // is the last word, since every append has committed.
                    let finished = appenders_done.load(std::sync::atomic::Ordering::SeqCst);
                    let page = store.read_after(after, 50).await.expect("read");
                    if page.is_empty() && finished {
                        return seen;
                    }
                    for event in page {
                        seen.push(event.position);
                        after = event.position;
                    }
                    tokio::task::yield_now().await;
                }
            })
        };
        for appender in appenders {
            appender.await.expect("appender finished");
        }
        appenders_done.store(true, std::sync::atomic::Ordering::SeqCst);
        let seen = reader.await.expect("reader finished");
        let logged: Vec<i64> = store
            .read_after(0, 1000)
            .await
            .expect("read the whole log")
            .iter()
            .map(|event| event.position)
            .collect();
        assert_eq!(logged.len(), 200);
        assert_eq!(seen, logged, "the reader skipped or repeated events");
    }
}
