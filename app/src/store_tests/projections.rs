use crate::demo::load_demo_business;
use crate::store::projections::*;
use crate::testing::store_tests;

store_tests! {
    async fn rebuilding_every_projection_reproduces_the_live_tables(store) {
        load_demo_business(&store).await.expect("demo");
        let mut seen = Vec::new();
        let report = rebuild(&store, None, |progress| seen.push(progress))
            .await
            .expect("rebuild");
        let skus = crate::demo::DEMO_CATALOG_SKUS as u64;
        // Each SKU's introduction and stock count.
        assert_eq!(report.events, 2 * skus);
        assert!(report.all_equal(), "{report:?}");
        assert_eq!(report.tables[0].1.rows, skus);
        assert_eq!(seen.first().map(|p| p.replayed), Some(0));
        assert_eq!(
            seen.last().copied(),
            Some(RebuildProgress {
                replayed: 2 * skus,
                total: 2 * skus
            })
        );
    }

    async fn a_rebuild_repairs_a_damaged_table_and_reports_the_difference(store) {
        load_demo_business(&store).await.expect("demo");
        store
            .database()
            .execute_for_test("DELETE FROM catalog_products WHERE sku = 'MUG-TIDE-10'")
            .await;
        let report = rebuild(&store, Some("catalog"), |_| {})
            .await
            .expect("rebuild");
        assert!(!report.all_equal());
        let skus = crate::demo::DEMO_CATALOG_SKUS as u64;
        assert_eq!(report.tables[0].0.rows, skus - 1);
        assert_eq!(report.tables[0].1.rows, skus);
        let repaired = checksum_now(&store, "catalog_products").await.expect("checksum");
        assert_eq!(repaired, report.tables[0].1);
    }

    async fn a_checksum_sees_a_changed_value(store) {
        load_demo_business(&store).await.expect("demo");
        let before = checksum_now(&store, "catalog_products").await.expect("checksum");
        store
            .database()
            .execute_for_test("UPDATE catalog_products SET base_price_minor = base_price_minor + 1 WHERE sku = 'MUG-TIDE-10'")
            .await;
        let after = checksum_now(&store, "catalog_products").await.expect("checksum");
        assert_eq!(before.rows, after.rows);
        assert_ne!(before.checksum, after.checksum);
    }

    async fn replaying_an_event_twice_changes_nothing(store) {
        load_demo_business(&store).await.expect("demo");
        let before = checksum_now(&store, "catalog_products").await.expect("checksum");
        let events = store.read_after(0, 100).await.expect("read");
        let mut connection = store.acquire().await.expect("connection");
        apply_inline(store.registry(), connection.connection(), &events)
            .await
            .expect("replay");
        drop(connection);
        let after = checksum_now(&store, "catalog_products").await.expect("checksum");
        assert_eq!(before, after);
    }

    async fn rebuilding_an_unknown_projection_names_the_known_ones(store) {
        let error = rebuild(&store, Some("inventory"), |_| {})
            .await
            .expect_err("unknown projection");
        assert_eq!(
            error.to_string(),
            format!(
                "there is no projection called “inventory”; known projections: {}",
                store.registry().projector_names()
            )
        );
    }
}
