use crate::store::EventMetadata;
use crate::store::RecordedEvent;
use crate::store::holding::*;
use crate::store::registry::Registry;
use chrono::{DateTime, Utc};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;
use serde_json::json;
use std::sync::Arc;

fn registry() -> Arc<Registry> {
    crate::functions::registry().expect("the functions' registry")
}

/// An event at `position` on `stream`: a tenfold price change when
/// `flagged`, a note on a market price otherwise.
fn event(position: i64, stream: &str, flagged: bool) -> RecordedEvent {
    let sku = stream.trim_start_matches("product-");
    let (event_type, payload) = if flagged {
        (
            "BasePriceChanged",
            json!({"sku": sku, "from": {"minor_units": 4400, "currency": "USD"},
                   "to": {"minor_units": 440000, "currency": "USD"}, "reason": "typo"}),
        )
    } else {
        (
            "MarketPriceNoted",
            json!({"sku": sku, "source": "a fair", "their_price": null, "note": ""}),
        )
    };
    RecordedEvent {
        position,
        stream_id: stream.to_owned(),
        stream_version: position,
        event_type: event_type.to_owned(),
        schema_version: 1,
        payload,
        metadata: EventMetadata::new(Actor::system("test"), BusinessFunction::Category),
        recorded_at: DateTime::<Utc>::UNIX_EPOCH,
    }
}

fn verdict(position: i64, release: bool, positions: &[i64]) -> RecordedEvent {
    RecordedEvent {
        position,
        stream_id: "anomaly-1".into(),
        stream_version: 1,
        event_type: if release {
            "QuarantineReleased"
        } else {
            "QuarantineRejected"
        }
        .into(),
        schema_version: 1,
        payload: json!({"anomaly": 1, "check": "catalog-price-jumps",
                        "positions": positions, "note": "checked"}),
        metadata: EventMetadata::new(Actor::system("test"), BusinessFunction::DatabaseManager),
        recorded_at: DateTime::<Utc>::UNIX_EPOCH,
    }
}

fn positions(events: &[RecordedEvent]) -> Vec<i64> {
    events.iter().map(|event| event.position).collect()
}

#[test]
fn events_no_check_flags_pass_straight_through() {
    let mut gate = Gate::default();
    let passage = gate
        .pass(
            &registry(),
            &[
                event(1, "product-JUG", false),
                event(2, "product-MUG", false),
            ],
        )
        .expect("pass");
    assert_eq!(positions(&passage.applied), [1, 2]);
    assert!(passage.flags.is_empty());
    assert_eq!(gate.held().count(), 0);
}

#[test]
fn a_flagged_event_is_held_with_the_later_events_of_its_stream_only() {
    let mut gate = Gate::default();
    let passage = gate
        .pass(
            &registry(),
            &[
                event(1, "product-JUG", true),
                event(2, "product-MUG", false),
                event(3, "product-JUG", false),
            ],
        )
        .expect("pass");
    assert_eq!(positions(&passage.applied), [2]);
    assert_eq!(passage.flags.len(), 1);
    assert_eq!(passage.flags[0].check, "catalog-price-jumps");
    assert_eq!(passage.flags[0].position, 1);
    let held: Vec<(i64, HeldState)> = gate
        .held()
        .map(|held| (held.event.position, held.state))
        .collect();
    assert_eq!(held, [(1, HeldState::Flagged), (3, HeldState::Behind)]);
}

#[test]
fn releasing_applies_the_flagged_event_and_those_behind_it_before_the_verdict() {
    let mut gate = Gate::default();
    gate.pass(
        &registry(),
        &[
            event(1, "product-JUG", true),
            event(2, "product-JUG", false),
        ],
    )
    .expect("pass");
    let passage = gate
        .pass(&registry(), &[verdict(3, true, &[1])])
        .expect("pass");
    assert_eq!(positions(&passage.applied), [1, 2, 3]);
    assert!(!gate.holds("product-JUG"));
}

#[test]
fn rejecting_drops_the_flagged_event_and_applies_those_behind_it() {
    let mut gate = Gate::default();
    gate.pass(
        &registry(),
        &[
            event(1, "product-JUG", true),
            event(2, "product-JUG", false),
        ],
    )
    .expect("pass");
    let passage = gate
        .pass(&registry(), &[verdict(3, false, &[1])])
        .expect("pass");
    assert_eq!(positions(&passage.applied), [2, 3]);
    assert_eq!(positions(&passage.rejected), [1]);
    assert!(!gate.holds("product-JUG"));
}

#[test]
fn a_decided_event_waits_until_the_flagged_events_before_it_are_decided() {
    let mut gate = Gate::default();
    gate.pass(
        &registry(),
        &[
            event(1, "product-JUG", true),
            event(2, "product-JUG", true),
            event(3, "product-JUG", false),
        ],
    )
    .expect("pass");
    let passage = gate
        .pass(&registry(), &[verdict(4, true, &[2])])
        .expect("pass");
    assert_eq!(positions(&passage.applied), [4]);
    assert!(gate.holds("product-JUG"));
    let passage = gate
        .pass(&registry(), &[verdict(5, false, &[1])])
        .expect("pass");
    assert_eq!(positions(&passage.applied), [2, 3, 5]);
    assert!(!gate.holds("product-JUG"));
}

#[test]
fn a_verdict_on_events_the_gate_never_held_lets_nothing_else_through() {
    let mut gate = Gate::default();
    gate.pass(&registry(), &[event(1, "product-JUG", true)])
        .expect("pass");
    let passage = gate
        .pass(&registry(), &[verdict(2, true, &[7])])
        .expect("pass");
    assert_eq!(positions(&passage.applied), [2]);
    assert!(gate.holds("product-JUG"));
}

#[test]
fn a_gate_restored_from_its_held_events_goes_on_as_before() {
    let mut gate = Gate::default();
    gate.pass(
        &registry(),
        &[
            event(1, "product-JUG", true),
            event(2, "product-JUG", false),
        ],
    )
    .expect("pass");
    let mut restored = Gate::holding(gate.held().cloned().collect::<Vec<_>>());
    let passage = restored
        .pass(&registry(), &[verdict(3, true, &[1])])
        .expect("pass");
    assert_eq!(positions(&passage.applied), [1, 2, 3]);
}
