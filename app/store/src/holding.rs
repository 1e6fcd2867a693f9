//! The gate in front of the projectors: events that an event check flags
//! are held back from the tables until a person decides on them in the
//! Database Manager's quarantine.
//!
//! The log is never edited: a flagged event is appended like any other
//! (nothing is lost, and its stream's history, which `decide` reads, has
//! it). What waits is its translation into the tables. Later events of the
//! same stream build on it, so they wait behind it, in order. A person's
//! verdict is an event of its own (`QuarantineReleased`,
//! `QuarantineRejected`): releasing applies the flagged event and those
//! behind it; rejecting drops the flagged event (its function's rules stop
//! counting it too: `EventStore::load` leaves it out) and applies those
//! behind it. Held events keep their own positions when they are applied at last,
//! which is safe because every later event of their stream waited too.
//!
//! A live append runs the checks and records each flag as an anomaly in
//! the append's own transaction. A rebuild runs the same gate over the
//! whole log, but takes the flags from those records instead of running
//! the checks again: the checks of today (a new check, a changed limit)
//! must not hold back events that were appended, and applied, before
//! them. So a rebuild holds back and lets through exactly what the live
//! appends did. Between appends the gate's state is kept in `held_events`.
//!
//! The integrity checks of [`super::integrity`] are different: they read
//! the tables after the fact, so the events they flag are already applied,
//! and a verdict on them records what a person found.

use super::backend::{Connection, PerBackend, per_backend};
pub use super::contribution::EventCheck;
use super::registry::Registry;
use super::{RecordedEvent, StoreError, database};
use chrono::{DateTime, Utc};
use kiln_core::event::quarantine::QuarantineEvent;
use kiln_core::function::BusinessFunction;
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};

/// Where a held event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldState {
    /// An event check flagged it; it waits for a person's verdict.
    Flagged,
    /// It waits behind an earlier flagged event of its stream.
    Behind,
    /// A person released it; it waits behind an earlier flagged event.
    Released,
    /// A person rejected it; it is dropped when the events before it are
    /// decided.
    Rejected,
}

impl HeldState {
    /// Its name in `held_events.state`.
    pub fn as_str(self) -> &'static str {
        match self {
            HeldState::Flagged => "flagged",
            HeldState::Behind => "behind",
            HeldState::Released => "released",
            HeldState::Rejected => "rejected",
        }
    }

    /// The state named `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        [
            HeldState::Flagged,
            HeldState::Behind,
            HeldState::Released,
            HeldState::Rejected,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

/// An event the gate holds back, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldEvent {
    /// The event.
    pub event: RecordedEvent,
    /// Where it stands.
    pub state: HeldState,
}

/// An event a check flagged as it came to the gate: the Database Manager
/// records it as an anomaly, which waits in the quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The check that flagged it.
    pub check: &'static str,
    /// What is wrong.
    pub message: String,
    /// The event's position.
    pub position: i64,
    /// When the event was recorded: when it was flagged.
    pub recorded_at: DateTime<Utc>,
}

/// What passed the gate: the events to apply to the tables, in the order
/// to apply them, and the events newly flagged.
#[derive(Debug, Default, PartialEq)]
pub struct Passage {
    /// The events the projectors apply now.
    pub applied: Vec<RecordedEvent>,
    /// The events checks flagged (held, not in `applied`).
    pub flags: Vec<Flag>,
    /// The held events a person rejected, dropped now: they never reach
    /// the tables, and their functions' rules stop counting them.
    pub rejected: Vec<RecordedEvent>,
}

/// The gate: the streams it holds back, each with its waiting events in
/// position order (the first one is always flagged or decided).
#[derive(Debug, Default)]
pub struct Gate {
    streams: HashMap<String, VecDeque<HeldEvent>>,
}

impl Gate {
    /// A gate holding `held` (in position order), as `held_events` keeps
    /// it between appends.
    pub fn holding(held: impl IntoIterator<Item = HeldEvent>) -> Self {
        let mut gate = Gate::default();
        for held in held {
            gate.streams
                .entry(held.event.stream_id.clone())
                .or_default()
                .push_back(held);
        }
        gate
    }

    /// Every event held, stream by stream, in position order.
    pub fn held(&self) -> impl Iterator<Item = &HeldEvent> {
        self.streams.values().flatten()
    }

    /// Whether `stream` has events waiting.
    pub fn holds(&self, stream: &str) -> bool {
        self.streams.contains_key(stream)
    }

    /// Lets freshly appended `events` (in position order) through the
    /// gate: each is held when a check flags it or its stream has events
    /// waiting, and a verdict lets through what it decided, just before
    /// itself.
    pub fn pass(
        &mut self,
        registry: &Registry,
        events: &[RecordedEvent],
    ) -> Result<Passage, StoreError> {
        self.pass_flagged_by(events, |event| flag_of(registry, event))
    }

    /// [`Gate::pass`], with the flags given by `flagged` instead of the
    /// checks: a rebuild passes the flags recorded when the events were
    /// appended (see [`recorded_flags`]).
    pub fn pass_flagged_by(
        &mut self,
        events: &[RecordedEvent],
        flagged: impl Fn(&RecordedEvent) -> Option<Flag>,
    ) -> Result<Passage, StoreError> {
        let mut passage = Passage::default();
        for event in events {
            if let Some((verdict, positions)) = verdict_of(event)? {
                self.decide(verdict, &positions, &mut passage);
                passage.applied.push(event.clone());
                continue;
            }
            let flag = flagged(event);
            let state = if flag.is_some() {
                HeldState::Flagged
            } else {
                HeldState::Behind
            };
            if let Some(flag) = flag {
                passage.flags.push(flag);
            }
            match self.streams.get_mut(&event.stream_id) {
                Some(waiting) => waiting.push_back(HeldEvent {
                    event: event.clone(),
                    state,
                }),
                None if state == HeldState::Flagged => {
                    self.streams.insert(
                        event.stream_id.clone(),
                        VecDeque::from([HeldEvent {
                            event: event.clone(),
                            state,
                        }]),
                    );
                }
                None => passage.applied.push(event.clone()),
            }
        }
        Ok(passage)
    }

    /// Marks the flagged events at `positions` with the verdict, then lets
    /// through each of their streams up to its next undecided flag.
    fn decide(&mut self, verdict: HeldState, positions: &[i64], passage: &mut Passage) {
        let mut decided_streams = Vec::new();
        for (stream, waiting) in &mut self.streams {
            for held in waiting.iter_mut() {
                if held.state == HeldState::Flagged && positions.contains(&held.event.position) {
                    held.state = verdict;
                    decided_streams.push(stream.clone());
                }
            }
        }
        // Several streams are let through in position order, as they were
        // appended.
        decided_streams.sort_by_key(|stream| {
            self.streams
                .get(stream)
                .and_then(|waiting| waiting.front())
                .map(|held| held.event.position)
        });
        decided_streams.dedup();
        for stream in decided_streams {
            let Some(waiting) = self.streams.get_mut(&stream) else {
                continue;
            };
            while let Some(front) = waiting.front() {
                match front.state {
                    HeldState::Flagged => break,
                    HeldState::Rejected => {
                        if let Some(held) = waiting.pop_front() {
                            passage.rejected.push(held.event);
                        }
                    }
                    HeldState::Behind | HeldState::Released => {
                        if let Some(held) = waiting.pop_front() {
                            passage.applied.push(held.event);
                        }
                    }
                }
            }
            if waiting.is_empty() {
                self.streams.remove(&stream);
            }
        }
    }
}

/// Whether any of the registry's checks flags `event`, and how.
pub fn flag_of(registry: &Registry, event: &RecordedEvent) -> Option<Flag> {
    registry
        .event_checks()
        .filter(|check| check.function == event.metadata.function)
        .find_map(|check| {
            (check.flags)(event).map(|message| Flag {
                check: check.name,
                message,
                position: event.position,
                recorded_at: event.recorded_at,
            })
        })
}

/// The verdict `event` gives and the positions it names, when it is one.
pub fn verdict_of(event: &RecordedEvent) -> Result<Option<(HeldState, Vec<i64>)>, StoreError> {
    if event.metadata.function != BusinessFunction::DatabaseManager {
        return Ok(None);
    }
    Ok(Some(match super::contribution::decode_one(event)? {
        QuarantineEvent::QuarantineReleased(verdict) => (HeldState::Released, verdict.positions),
        QuarantineEvent::QuarantineRejected(verdict) => (HeldState::Rejected, verdict.positions),
    }))
}

/// The held events of the streams named in the JSON array `$1` and of the
/// streams holding a position of the JSON array `$2`.
const HELD_ROWS: PerBackend<&str> = PerBackend {
    sqlite: "SELECT position, state FROM held_events
             WHERE stream_id IN (SELECT value FROM json_each($1))
                OR stream_id IN (SELECT stream_id FROM held_events
                                 WHERE position IN (SELECT value FROM json_each($2)))
             ORDER BY position",
    postgres: "SELECT position, state FROM held_events
               WHERE stream_id IN (SELECT value FROM json_array_elements_text($1::json))
                  OR stream_id IN (SELECT stream_id FROM held_events
                                   WHERE position IN (SELECT value::bigint
                                                      FROM json_array_elements_text($2::json)))
               ORDER BY position",
};

/// Forgets the held events of the streams named in the JSON array `$1`.
const FORGET_STREAMS: PerBackend<&str> = PerBackend {
    sqlite: "DELETE FROM held_events WHERE stream_id IN (SELECT value FROM json_each($1))",
    postgres: "DELETE FROM held_events
               WHERE stream_id IN (SELECT value FROM json_array_elements_text($1::json))",
};

/// What the gate let through of an append.
pub(super) struct Passed<'e> {
    /// The events the projectors apply now, in order: the appended ones
    /// that passed, and earlier held ones a verdict among them released.
    pub applied: Cow<'e, [RecordedEvent]>,
    /// How many of the appended events the gate holds back.
    pub held_back: usize,
}

/// Lets freshly appended `events` through the gate, in the append's
/// transaction: loads what the gate holds of their streams (and of the
/// streams their verdicts decide) from `held_events`, records each new
/// flag as an anomaly, and stores what it holds now. When nothing is held
/// or flagged, the projectors apply `events` itself, after a single
/// indexed read of `held_events`.
pub(super) async fn pass_inline<'e>(
    registry: &Registry,
    mut connection: Connection<'_>,
    events: &'e [RecordedEvent],
) -> Result<Passed<'e>, StoreError> {
    let mut streams: Vec<&str> = events
        .iter()
        .map(|event| event.stream_id.as_str())
        .collect();
    streams.sort_unstable();
    streams.dedup();
    let mut decided = Vec::new();
    for event in events {
        if let Some((_, positions)) = verdict_of(event)? {
            decided.extend(positions);
        }
    }
    let streams_json = json_array(&streams);
    let decided_json = json_array(&decided);
    let sql = HELD_ROWS.get(connection.backend());
    let rows: Vec<(i64, String)> = per_backend!(connection.reborrow(), Connection, c => {
        sqlx::query_as(sql).bind(&streams_json).bind(&decided_json).fetch_all(c).await
    })
    .map_err(database("read the held events"))?;
    // The checks run once per event: the fast path and the gate share
    // their flags.
    let flags: Vec<Flag> = events
        .iter()
        .filter_map(|event| flag_of(registry, event))
        .collect();
    if rows.is_empty() && flags.is_empty() {
        return Ok(Passed {
            applied: Cow::Borrowed(events),
            held_back: 0,
        });
    }

    let positions: Vec<i64> = rows.iter().map(|(position, _)| *position).collect();
    let held_events = super::read_positions(connection.reborrow(), &positions).await?;
    let mut held = Vec::with_capacity(rows.len());
    for ((position, state), event) in rows.into_iter().zip(held_events) {
        let state = HeldState::from_name(&state).ok_or_else(|| StoreError::Corrupt {
            what: "held event state",
            value: state.clone(),
        })?;
        if event.position != position {
            return Err(StoreError::Corrupt {
                what: "held event position",
                value: position.to_string(),
            });
        }
        held.push(HeldEvent { event, state });
    }
    let mut gate = Gate::holding(held);
    let mut involved: Vec<String> = streams.iter().map(|&stream| stream.to_owned()).collect();
    involved.extend(gate.streams.keys().cloned());
    let passage = gate.pass_flagged_by(events, |event| {
        flags
            .iter()
            .find(|flag| flag.position == event.position)
            .cloned()
    })?;
    record_flags(connection.reborrow(), &passage.flags).await?;
    record_rejections(connection.reborrow(), &passage.rejected).await?;

    involved.sort_unstable();
    involved.dedup();
    let involved_json = json_array(&involved);
    let forget = FORGET_STREAMS.get(connection.backend());
    per_backend!(connection.reborrow(), Connection, c => {
        sqlx::query(forget).bind(&involved_json).execute(c).await.map(|_| ())
    })
    .map_err(database("forget held events"))?;
    store_held(connection, &gate).await?;
    let applied: std::collections::HashSet<i64> =
        passage.applied.iter().map(|event| event.position).collect();
    let held_back = events
        .iter()
        .filter(|event| !applied.contains(&event.position))
        .count();
    Ok(Passed {
        applied: Cow::Owned(passage.applied),
        held_back,
    })
}

/// How many of the events at `positions` the gate holds back now: what
/// an append repeated under the same idempotency key answers.
pub(super) async fn held_among(
    mut connection: Connection<'_>,
    positions: &[i64],
) -> Result<usize, StoreError> {
    let listed = json_array(positions);
    let sql = COUNT_HELD.get(connection.backend());
    let held: i64 = per_backend!(connection.reborrow(), Connection, c => {
        sqlx::query_scalar(sql).bind(&listed).fetch_one(c).await
    })
    .map_err(database("count the held events of an append"))?;
    // A count of at most `positions.len()` rows.
    Ok(usize::try_from(held).unwrap_or(positions.len()))
}

/// How many positions of the JSON array `$1` are held.
const COUNT_HELD: PerBackend<&str> = PerBackend {
    sqlite: "SELECT COUNT(*) FROM held_events
             WHERE position IN (SELECT value FROM json_each($1))",
    postgres: "SELECT COUNT(*) FROM held_events
               WHERE position IN (SELECT value::bigint
                                  FROM json_array_elements_text($1::json))",
};

/// How many events the gate holds back from the tables now.
pub async fn held_count(store: &super::EventStore) -> Result<i64, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM held_events").fetch_one(pool).await
    })
    .map_err(database("count the held events"))
}

/// `items` as a JSON array, the way the queries above take a list.
fn json_array<T: Clone + Into<serde_json::Value>>(items: &[T]) -> String {
    serde_json::Value::Array(items.iter().cloned().map(Into::into).collect()).to_string()
}

/// Writes what `gate` holds into `held_events` (whose rows for its streams
/// are already gone).
pub(super) async fn store_held(connection: Connection<'_>, gate: &Gate) -> Result<(), StoreError> {
    let held: Vec<&HeldEvent> = gate.held().collect();
    if held.is_empty() {
        return Ok(());
    }
    per_backend!(connection, Connection, c => {
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO held_events (position, stream_id, state) ");
        insert.push_values(held.iter().copied(), |mut row, held| {
            row.push_bind(held.event.position)
                .push_bind(held.event.stream_id.as_str())
                .push_bind(held.state.as_str());
        });
        insert.build().execute(c).await.map(|_| ())
    })
    .map_err(database("store held events"))
}

/// Records the held events a person rejected in `rejected_events`, which
/// `EventStore::load` leaves out of the streams the rules read.
pub(super) async fn record_rejections(
    connection: Connection<'_>,
    rejected: &[RecordedEvent],
) -> Result<(), StoreError> {
    if rejected.is_empty() {
        return Ok(());
    }
    per_backend!(connection, Connection, c => {
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO rejected_events (position, stream_id) ");
        insert.push_values(rejected, |mut row, event| {
            row.push_bind(event.position).push_bind(event.stream_id.as_str());
        });
        insert.push(" ON CONFLICT (position) DO NOTHING");
        insert.build().execute(c).await.map(|_| ())
    })
    .map_err(database("record rejected events"))
}

/// The flags recorded when the log's events were appended: the anomalies
/// of today's event checks, by the position of the event each names.
pub(super) async fn recorded_flags(
    registry: &Registry,
    connection: Connection<'_>,
) -> Result<HashMap<i64, Flag>, StoreError> {
    let names: Vec<&'static str> = registry.event_checks().map(|check| check.name).collect();
    let sql = RECORDED_FLAGS.get(connection.backend());
    let rows: Vec<(String, String, String, DateTime<Utc>)> =
        per_backend!(connection, Connection, c => {
            sqlx::query_as(sql).bind(json_array(&names)).fetch_all(c).await
        })
        .map_err(database("read the recorded flags"))?;
    let mut flags = HashMap::with_capacity(rows.len());
    for (check_name, message, positions, recorded_at) in rows {
        let Some(check) = names.iter().copied().find(|name| *name == check_name) else {
            continue;
        };
        let positions: Vec<i64> =
            serde_json::from_str(&positions).map_err(|_| StoreError::Corrupt {
                what: "anomaly positions",
                value: positions.clone(),
            })?;
        for position in positions {
            flags.insert(
                position,
                Flag {
                    check,
                    message: message.clone(),
                    position,
                    recorded_at,
                },
            );
        }
    }
    Ok(flags)
}

/// The anomalies of the checks named in the JSON array `$1`.
const RECORDED_FLAGS: PerBackend<&str> = PerBackend {
    sqlite: "SELECT check_name, message, positions, detected_at FROM integrity_anomalies
             WHERE check_name IN (SELECT value FROM json_each($1))",
    postgres: "SELECT check_name, message, positions, detected_at FROM integrity_anomalies
               WHERE check_name IN (SELECT value FROM json_array_elements_text($1::json))",
};

/// Records each flag as an anomaly of its check (once: a rebuild flags
/// the same events again), found when its event was recorded.
pub(super) async fn record_flags(
    mut connection: Connection<'_>,
    flags: &[Flag],
) -> Result<(), StoreError> {
    for flag in flags {
        super::integrity::record_anomaly(
            connection.reborrow(),
            flag.check,
            &flag.message,
            &format!("[{}]", flag.position),
            flag.recorded_at,
        )
        .await?;
    }
    Ok(())
}
