//! What the Database Manager's rebuild endpoint takes and answers, and the
//! progress updates it publishes; the same structs serve the page and
//! agents.

use serde::{Deserialize, Serialize};

/// A request to rebuild projections from the log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebuildRequest {
    /// The projection to rebuild, e.g. `catalog`; every projection when absent.
    pub projection: Option<String>,
}

/// One projection table before and after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableComparison {
    /// The table.
    pub table: String,
    /// Rows in the live table before the rebuild.
    pub rows_before: u64,
    /// Rows in the rebuilt table.
    pub rows_after: u64,
    /// The live table's checksum (sum of row SHA-256 digests, hex).
    pub checksum_before: String,
    /// The rebuilt table's checksum.
    pub checksum_after: String,
    /// Whether the live table already equalled the rebuilt one. When not,
    /// the live table was out of date (or damaged) and is now repaired.
    pub equal: bool,
}

/// What a finished rebuild did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RebuildOutcome {
    /// The projections rebuilt.
    pub projections: Vec<String>,
    /// Events replayed.
    pub events: u64,
    /// Each rebuilt table, before and after.
    pub tables: Vec<TableComparison>,
    /// Seconds the rebuild took.
    pub seconds: f64,
}

/// A step of a running rebuild, published while it runs (server-sent
/// events at `GET /api/database-manager/rebuild/progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RebuildUpdate {
    /// Events replayed so far, out of the events in the log at the start.
    Progress {
        /// The projection being rebuilt, or `None` for all.
        projection: Option<String>,
        /// Events replayed so far.
        replayed: u64,
        /// Events to replay.
        total: u64,
    },
    /// The rebuild committed.
    Finished(RebuildOutcome),
    /// The rebuild failed and changed nothing.
    Failed {
        /// Why, as shown to the person who asked.
        message: String,
    },
}

/// What the Database Manager's event search asks for, as typed into its
/// form or written in a URL's query (`/staff/database-manager/events?…`,
/// `GET /api/database-manager/events?…`). An empty field matches every
/// event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventQuery {
    /// The posting function's slug, e.g. `customers`.
    pub function: String,
    /// The event type, e.g. `OrderPlaced`.
    pub event_type: String,
    /// The actor, e.g. `user:acc-…` or `system:demo`.
    pub actor: String,
    /// The stream, e.g. `order-ord-…`.
    pub stream: String,
    /// The first day recorded, `YYYY-MM-DD` (UTC).
    pub from: String,
    /// The last day recorded, `YYYY-MM-DD` (UTC), included.
    pub until: String,
    /// Only events older than this position (the next page).
    pub before: Option<i64>,
}

impl EventQuery {
    /// The query as a URL's query string, e.g. `?function=customers`
    /// (empty when nothing is asked for).
    pub fn to_query_string(&self) -> String {
        let before = self.before.map(|position| position.to_string());
        let fields = [
            ("function", Some(&self.function)),
            ("event_type", Some(&self.event_type)),
            ("actor", Some(&self.actor)),
            ("stream", Some(&self.stream)),
            ("from", Some(&self.from)),
            ("until", Some(&self.until)),
            ("before", before.as_ref()),
        ];
        let pairs: Vec<String> = fields
            .into_iter()
            .filter_map(|(name, value)| {
                let value = value.filter(|value| !value.is_empty())?;
                Some(format!(
                    "{name}={}",
                    leptos_router::location::Url::escape(value)
                ))
            })
            .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    /// The same search, one page further back.
    pub fn older_than(&self, position: i64) -> Self {
        EventQuery {
            before: Some(position),
            ..self.clone()
        }
    }
}

/// The answer to an event search: the matching events, newest first, a
/// page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSearch {
    /// The search as asked.
    pub query: EventQuery,
    /// The matching events of this page, newest first.
    pub events: Vec<crate::functions::view::FeedEntry>,
    /// Where the next page starts (`before`), when older events match.
    pub older_than: Option<i64>,
    /// The values the filters accept: `functions` (slugs) and
    /// `event-types` (every type in the catalog).
    pub choices: Vec<crate::functions::view::ChoiceList>,
}

/// One event in full, for the Database Manager's detail view
/// (`/staff/database-manager/events/<position>`,
/// `GET /api/database-manager/events/<position>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    /// Its position, type, function, actor, stream and recording time.
    pub entry: crate::functions::view::FeedEntry,
    /// Its version within its stream, from 1.
    pub stream_version: i64,
    /// The schema version its payload is written in.
    pub schema_version: i64,
    /// When the fact happened, UTC, RFC 3339 (when it was recorded, unless
    /// it was brought in as history).
    pub occurred_at: String,
    /// The approved decision it carries out, if any.
    pub decision_id: Option<String>,
    /// The message that caused it, if recorded.
    pub causation_id: Option<String>,
    /// The conversation or workflow it belongs to, if recorded.
    pub correlation_id: Option<String>,
    /// Its data, as stored.
    pub payload: serde_json::Value,
    /// What its type means, from the event catalog.
    pub meaning: String,
    /// The projection tables its type changes.
    pub tables: Vec<String>,
}

/// What a quarantine card's forms send: a verdict on the events one
/// anomaly names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineForm {
    /// The anomaly's number.
    pub anomaly: String,
    /// `release` or `reject`.
    pub verdict: String,
    /// Why (required to reject).
    #[serde(default)]
    pub note: String,
}
