//! The engine's own tests: appends, loads, refusals, concurrency and
//! reads, with the shelf family of `testing` and no business function.

use super::*;
use crate::store_tests;
use crate::testing::ShelfEvent;
use chrono::{DateTime, Utc};
use kiln_core::event::Actor;
use serde_json::json;

fn counted(shelf: &str) -> ShelfEvent {
    ShelfEvent::counted(shelf, 12)
}

fn shelf_metadata() -> EventMetadata {
    EventMetadata::new(Actor::system("test"), BusinessFunction::Fulfillment)
}

fn shelf_stream(shelf: &str) -> StreamId {
    StreamId::new(format!("shelf-{shelf}"))
}

fn a1_stream() -> StreamId {
    shelf_stream("A-1")
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
        .append_new(&a1_stream(), 0, vec![event], &shelf_metadata())
        .await;
    match result {
        Err(error @ StoreError::InvalidEvent { .. }) => assert!(
            error.to_string().contains(expected_reason),
            "“{error}” does not say “{expected_reason}”"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(store.event_count().await.expect("count"), 0);
}

fn valid_payload() -> serde_json::Value {
    kiln_core::event::encode_tagged(&counted("A-1")).expect("encode")
}

store_tests! {
    async fn the_newest_events_of_a_function_come_newest_first_and_are_counted_per_function(store) {
        for (index, shelf) in ["A-1", "A-2", "A-3"].into_iter().enumerate() {
            store
                .append(
                    &shelf_stream(shelf),
                    0,
                    &[counted(shelf)],
                    &shelf_metadata(),
                )
                .await
                .unwrap_or_else(|error| panic!("append {index}: {error}"));
        }
        let newest = store
            .newest_events(Some(BusinessFunction::Fulfillment), 2)
            .await
            .expect("read");
        let positions: Vec<i64> = newest.iter().map(|event| event.position).collect();
        let all = store.read_after(0, 10).await.expect("read all");
        assert_eq!(positions, vec![all[2].position, all[1].position]);
        assert_eq!(newest[0].stream_id, "shelf-A-3");
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
            vec![(BusinessFunction::Fulfillment, 3)]
        );
    }

    async fn events_are_counted_per_month_by_when_their_facts_happened(store) {
        store
            .append(
                &a1_stream(),
                0,
                &[counted("A-1")],
                &shelf_metadata(),
            )
            .await
            .expect("append now");
        let earlier = EventMetadata {
            occurred_at: Some("2026-03-15T12:00:00Z".parse().expect("a time")),
            ..shelf_metadata()
        };
        for shelf in ["A-2", "A-3"] {
            store
                .append(
                    &shelf_stream(shelf),
                    0,
                    &[counted(shelf)],
                    &earlier,
                )
                .await
                .expect("append history");
        }
        let this_month = Utc::now().format("%Y-%m").to_string();
        assert_eq!(
            store.events_per_month("2026-01").await.expect("count"),
            vec![
                ("2026-03".to_owned(), BusinessFunction::Fulfillment, 2),
                (this_month.clone(), BusinessFunction::Fulfillment, 1),
            ]
        );
        assert_eq!(
            store.events_per_month(&this_month).await.expect("count"),
            vec![(this_month, BusinessFunction::Fulfillment, 1)]
        );
    }

    async fn an_event_search_matches_every_filter_given_and_pages_backwards(store) {
        for shelf in ["A-1", "A-2", "A-3"] {
            store
                .append(
                    &shelf_stream(shelf),
                    0,
                    &[counted(shelf)],
                    &shelf_metadata(),
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
            stream: Some("shelf-A-2".into()),
            ..EventFilter::default()
        };
        assert_eq!(positions(search(one_stream).await), vec![all[1].position]);

        let matching_all = EventFilter {
            function: Some(BusinessFunction::Fulfillment),
            event_type: Some("ShelfCounted".into()),
            actor: Some("system:test".into()),
            recorded_from: Some(all[0].recorded_at - chrono::Duration::minutes(1)),
            recorded_before: Some(all[2].recorded_at + chrono::Duration::minutes(1)),
            ..EventFilter::default()
        };
        assert_eq!(search(matching_all.clone()).await.len(), 3);

        for not_matching in [
            EventFilter { function: Some(BusinessFunction::Customers), ..matching_all.clone() },
            EventFilter { event_type: Some("ShelfRecounted".into()), ..matching_all.clone() },
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
                &a1_stream(),
                0,
                &[counted("A-1")],
                &shelf_metadata(),
            )
            .await
            .expect("append to a new stream");
        assert_eq!(appended.events[0].stream_version, 1);
        assert!(!appended.repeated);
        let read = store.read_after(0, 10).await.expect("read");
        assert_eq!(read, appended.events, "recorded and stored events differ");

        let loaded: LoadedStream<ShelfEvent> = store.load(&a1_stream()).await.expect("load");
        assert_eq!(
            loaded,
            LoadedStream {
                events: vec![counted("A-1")],
                version: 1
            }
        );
    }

    async fn an_append_expecting_a_stale_version_is_a_conflict_and_writes_nothing(store) {
        store
            .append(
                &a1_stream(),
                0,
                &[counted("A-1")],
                &shelf_metadata(),
            )
            .await
            .expect("first append");

        let second = store
            .append(
                &a1_stream(),
                0,
                &[counted("A-1")],
                &shelf_metadata(),
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
        let metadata = shelf_metadata().with_idempotency_key("count-a-1");
        let first = store
            .append(&a1_stream(), 0, &[counted("A-1")], &metadata)
            .await
            .expect("first append");
        // The retry still believes the stream is new: without the key this
        // would be a conflict.
        let retry = store
            .append(&a1_stream(), 0, &[counted("A-1")], &metadata)
            .await
            .expect("retry");
        assert!(retry.repeated);
        assert_eq!(retry.events, first.events);
        assert_eq!(store.event_count().await.expect("count"), 1);
    }

    async fn a_command_repeated_with_its_idempotency_key_answers_the_first_append_without_deciding_again(store) {
        // The rule refuses a second count of the same shelf, as a function's
        // `decide` refuses a proposal already made.
        let decide = |history: &[ShelfEvent]| -> Result<Vec<ShelfEvent>, StoreError> {
            if history.is_empty() {
                Ok(vec![counted("A-1")])
            } else {
                Err(StoreError::Corrupt { what: "test refusal", value: "counted twice".into() })
            }
        };
        let metadata = shelf_metadata().with_idempotency_key("count-a-1");
        let first = store.decide_and_append(&a1_stream(), &metadata, decide).await.expect("first");
        let retry = store.decide_and_append(&a1_stream(), &metadata, decide).await.expect("retry");
        assert!(retry.repeated);
        assert_eq!(retry.events, first.events);
        let refused = store
            .decide_and_append(&a1_stream(), &shelf_metadata(), decide)
            .await
            .expect_err("without the key the rule is asked again");
        assert!(matches!(refused, StoreError::Corrupt { .. }), "{refused:?}");
        assert_eq!(store.event_count().await.expect("count"), 1);
    }

    async fn events_of_given_types_by_others_are_counted_and_listed_without_their_payloads(store) {
        for shelf in ["A-1", "A-2", "A-3"] {
            store
                .append(&shelf_stream(shelf), 0, &[counted(shelf)], &shelf_metadata())
                .await
                .expect("append");
        }
        let by_agent = EventMetadata::new(Actor::agent(BusinessFunction::Fulfillment), BusinessFunction::Fulfillment);
        store.append(&shelf_stream("B-1"), 0, &[counted("B-1")], &by_agent).await.expect("append");
        let agent = Actor::agent(BusinessFunction::Fulfillment);
        let (count, first) = store
            .count_of_types_between(0, 4, &["ShelfCounted"], &agent, 2)
            .await
            .expect("counted");
        assert_eq!(count, 3, "the agent's own event is not counted");
        assert_eq!(
            first,
            vec![
                (1, "ShelfCounted".to_owned(), "shelf-A-1".to_owned()),
                (2, "ShelfCounted".to_owned(), "shelf-A-2".to_owned()),
            ]
        );
        let (none, listed) = store
            .count_of_types_between(1, 4, &["SomethingElse"], &agent, 2)
            .await
            .expect("counted");
        assert_eq!((none, listed.len()), (0, 0));
        let (after_first, _) = store
            .count_of_types_between(1, 2, &["ShelfCounted"], &agent, 2)
            .await
            .expect("counted");
        assert_eq!(after_first, 1, "only positions after 1 and up to 2");
    }

    async fn metadata_is_recorded_and_read_back(store) {
        let metadata = EventMetadata {
            decision_id: Some("decision-7".into()),
            causation_id: Some("command-12".into()),
            correlation_id: Some("launch-autumn".into()),
            ..shelf_metadata()
        };
        store
            .append(&a1_stream(), 0, &[counted("A-1")], &metadata)
            .await
            .expect("append");
        let read = store.read_after(0, 10).await.expect("read");
        assert_eq!(read[0].metadata, metadata);
    }

    async fn history_keeps_the_date_it_happened_beside_the_date_it_was_recorded(store) {
        let happened = "2026-03-14T09:30:00Z".parse::<DateTime<Utc>>().expect("date");
        let metadata = shelf_metadata().occurred_at(happened);
        store
            .append(&a1_stream(), 0, &[counted("A-1")], &metadata)
            .await
            .expect("append");
        let read = store.read_after(0, 10).await.expect("read");
        assert_eq!(read[0].occurred_at(), happened);
        assert!(read[0].recorded_at > happened);
    }

    async fn an_event_without_a_history_date_happened_when_recorded(store) {
        store
            .append(&a1_stream(), 0, &[counted("A-1")], &shelf_metadata())
            .await
            .expect("append");
        let read = store.read_after(0, 10).await.expect("read");
        assert_eq!(read[0].occurred_at(), read[0].recorded_at);
    }

    async fn nothing_is_recorded_as_happening_in_the_future(store) {
        let tomorrow = Utc::now() + chrono::Duration::days(1);
        let refused = store
            .append(
                &a1_stream(),
                0,
                &[counted("A-1")],
                &shelf_metadata().occurred_at(tomorrow),
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
            raw("ShelfTeleported", 1, valid_payload()),
            "fulfillment has no event type ShelfTeleported",
        )
        .await;
    }

    async fn a_malformed_payload_is_refused(store) {
        assert_refused_and_nothing_written(
            &store,
            raw("ShelfCounted", 1, json!({ "shelf": "A-1" })),
            "the payload does not fit ShelfCounted version 1: missing field `units`",
        )
        .await;
    }

    async fn a_payload_with_a_value_that_does_not_parse_is_refused(store) {
        let mut payload = valid_payload();
        payload["counted_by"] = json!("not an address");
        assert_refused_and_nothing_written(
            &store,
            raw("ShelfCounted", 1, payload),
            "is not an email address",
        )
        .await;
    }

    async fn an_oversized_payload_is_refused(store) {
        let mut payload = valid_payload();
        payload["note"] = json!("x".repeat(MAX_PAYLOAD_BYTES));
        assert_refused_and_nothing_written(
            &store,
            raw("ShelfCounted", 1, payload),
            "larger than the 65536 bytes",
        )
        .await;
    }

    async fn a_schema_version_newer_than_this_build_knows_is_refused(store) {
        assert_refused_and_nothing_written(
            &store,
            raw("ShelfCounted", 2, valid_payload()),
            "schema version 2 is not one of 1..=1",
        )
        .await;
    }

    async fn an_event_offered_by_a_function_that_does_not_own_it_is_refused(store) {
        let result = store
            .append_new(
                &a1_stream(),
                0,
                vec![raw("ShelfCounted", 1, valid_payload())],
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
        let stream = shelf_stream("RACE-1");
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
                        .load::<ShelfEvent>(&stream)
                        .await
                        .expect("load")
                        .version;
                    let event = NewEvent {
                        event_type: "ShelfCounted".into(),
                        schema_version: 1,
                        payload: kiln_core::event::encode_tagged(&counted(&format!(
                            "RACE-{task}-{attempt}"
                        )))
                        .expect("encode"),
                    };
                    match store
                        .append_new(&stream, current, vec![event], &shelf_metadata())
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
                &a1_stream(),
                0,
                &[counted("A-1")],
                &shelf_metadata(),
            )
            .await
            .expect("append");
        let head = store.head_position().await.expect("head");
        assert_eq!(
            store
                .functions_posting_between(0, head)
                .await
                .expect("list"),
            vec![BusinessFunction::Fulfillment]
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
                        let shelf = format!("R-{task}-{version}");
                        store
                            .append(&stream, version, &[counted(&shelf)], &shelf_metadata())
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
