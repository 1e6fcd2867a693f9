use crate::demo::load_demo_business;
use crate::store::integrity::*;
use crate::testing::store_tests;
use kiln_core::function::BusinessFunction;

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
