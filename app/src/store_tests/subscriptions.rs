use crate::demo::load_demo_business;
use crate::store::subscriptions::*;
use crate::testing::store_tests;

store_tests! {
    async fn a_restarted_subscriber_resumes_after_its_last_acknowledged_event(store) {
        load_demo_business(&store).await.expect("demo");

        let first_run = Subscriber::new("analytics", store.clone());
        let batch = first_run.next_batch(5).await.expect("batch");
        assert_eq!(
            batch.iter().map(|e| e.position).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5]
        );
        first_run.acknowledge(5).await.expect("acknowledge");
        // Handed out but never acknowledged: must come again after a restart.
        let _unacknowledged = first_run.next_batch(3).await.expect("batch");
        drop(first_run);

        let after_restart = Subscriber::new("analytics", store.clone());
        let rest = after_restart.next_batch(100).await.expect("batch");
        assert_eq!(
            rest.iter().map(|e| e.position).collect::<Vec<_>>(),
            (6..=2 * crate::demo::DEMO_CATALOG_SKUS as i64).collect::<Vec<_>>()
        );
    }

    async fn a_failed_round_is_recorded_with_its_time_and_keeps_the_checkpoint(store) {
        let worker = Subscriber::new("integrity-checks", store.clone());
        worker.record_failure("the database was locked").await.expect("record");
        worker.acknowledge(3).await.expect("acknowledge");
        worker.record_failure("the disk is full").await.expect("record again");

        let statuses = statuses(&store).await.expect("statuses");
        assert_eq!(statuses.len(), 1);
        assert_eq!(statuses[0].subscriber, "integrity-checks");
        assert_eq!(statuses[0].position, 3, "a failure does not move the checkpoint");
        assert_eq!(statuses[0].last_error.as_deref(), Some("the disk is full"));
        assert!(statuses[0].last_error_at.is_some());
    }

    async fn a_checkpoint_never_moves_backwards_and_subscribers_are_independent(store) {
        let agent = Subscriber::new("agent:category", store.clone());
        agent.acknowledge(9).await.expect("acknowledge");
        agent
            .acknowledge(4)
            .await
            .expect("acknowledge an older position");
        assert_eq!(agent.checkpoint().await.expect("checkpoint"), 9);
        assert_eq!(
            Subscriber::new("other", store)
                .checkpoint()
                .await
                .expect("checkpoint"),
            0
        );
    }
}
