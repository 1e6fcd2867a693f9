//! The quarantine: a person's verdict on events an integrity check held back.

use crate::functions::database_manager::decide::{
    DecideQuarantine, FlaggedEvents, QuarantineError, QuarantineState, Verdict,
    decide_quarantine as decide_quarantine_rule,
};
use crate::store::{EventStore, StoreError};
use kiln_core::function::BusinessFunction;

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

#[cfg(test)]
mod tests {
    use super::super::{Rebuilds, fill_page};
    use super::*;
    use crate::demo::load_demo_business;
    use crate::testing::store_tests;

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

    }
}
