//! Appending to the log: the one command path (decide, append, decide
//! again on a conflict) and the checked append every write goes through.

use super::*;

impl EventStore {
    /// The one command path every function's service takes: loads
    /// `stream`, hands its events to `decide` (a function's pure rules,
    /// folding the events into the state they read), and appends what it
    /// decided with `metadata` if the stream is still where it was. When
    /// another append got in between, it decides again against what that
    /// recorded, up to [`ATTEMPTS_ON_CONFLICT`] times in all; a refusal
    /// from `decide` appends nothing.
    ///
    /// A command repeated under the same idempotency key answers what its
    /// first sending appended without deciding again: once its events are
    /// in the stream, `decide` would refuse the repeat (a proposal already
    /// made, an order already placed), and the caller retrying after a
    /// crash needs the first answer, not that refusal.
    pub async fn decide_and_append<E, Refusal>(
        &self,
        stream: &StreamId,
        metadata: &EventMetadata,
        mut decide: impl FnMut(&[E]) -> Result<Vec<E>, Refusal>,
    ) -> Result<Appended, Refusal>
    where
        E: DomainEvent,
        Refusal: From<StoreError>,
    {
        if let Some(key) = &metadata.idempotency_key
            && let Some(earlier) = self.appended_under(key).await?
        {
            return Ok(earlier);
        }
        let mut attempt = 1;
        loop {
            let history = self.load::<E>(stream).await?;
            let events = decide(&history.events)?;
            match self
                .append(stream, history.version, &events, metadata)
                .await
            {
                Err(StoreError::Conflict { .. }) if attempt < ATTEMPTS_ON_CONFLICT => attempt += 1,
                appended => return Ok(appended?),
            }
        }
    }

    /// Appends typed events to `stream` if it is still at `expected_version`.
    pub async fn append<E: DomainEvent>(
        &self,
        stream: &StreamId,
        expected_version: i64,
        events: &[E],
        metadata: &EventMetadata,
    ) -> Result<Appended, StoreError> {
        let events = events
            .iter()
            .map(NewEvent::encode)
            .collect::<Result<Vec<_>, _>>()?;
        self.append_checked(
            stream,
            expected_version,
            events,
            metadata,
            catalog::PayloadCheck::EncodedFromType,
        )
        .await
    }

    /// Appends events given as type name, schema version and JSON payload
    /// (from an import or an integration) if `stream` is still at
    /// `expected_version`: each is checked against the event catalog, then
    /// all are written with their inline projections in one transaction, or
    /// none is.
    pub async fn append_new(
        &self,
        stream: &StreamId,
        expected_version: i64,
        events: Vec<NewEvent>,
        metadata: &EventMetadata,
    ) -> Result<Appended, StoreError> {
        self.append_checked(
            stream,
            expected_version,
            events,
            metadata,
            catalog::PayloadCheck::Decode,
        )
        .await
    }

    /// What was first appended under idempotency `key`, if anything was.
    pub async fn appended_under(&self, key: &str) -> Result<Option<Appended>, StoreError> {
        let operation = format!("read what idempotency key {key} appended");
        let mut connection = self.acquire().await?;
        repeated_append(connection.connection(), key, &operation).await
    }

    async fn append_checked(
        &self,
        stream: &StreamId,
        expected_version: i64,
        events: Vec<NewEvent>,
        metadata: &EventMetadata,
        check: catalog::PayloadCheck,
    ) -> Result<Appended, StoreError> {
        let payloads = events
            .iter()
            .map(|event| catalog::validate(&self.registry, metadata.function, event, check))
            .collect::<Result<Vec<String>, _>>()?;
        let operation = format!("append to {stream}");
        let mut tx = self.database.begin_writing(&operation).await?;

        if let Some(key) = &metadata.idempotency_key
            && let Some(earlier) = repeated_append(tx.connection(), key, &operation).await?
        {
            return Ok(earlier);
        }

        let actual: i64 = per_backend!(tx.connection(), Connection, c => {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = $1",
            )
            .bind(stream.as_str())
            .fetch_one(c)
            .await
        })
        .map_err(database(&operation))?;
        if actual != expected_version {
            return Err(StoreError::Conflict {
                stream: stream.to_string(),
                expected: expected_version,
                actual,
            });
        }

        // Microseconds: what both engines store, so the events returned here
        // equal the events read back later.
        let recorded_at = Utc::now().trunc_subsecs(6);
        let mut metadata = metadata.clone();
        if let Some(occurred_at) = metadata.occurred_at {
            if occurred_at > recorded_at {
                return Err(StoreError::OccurredInFuture {
                    stream: stream.to_string(),
                    occurred_at,
                });
            }
            metadata.occurred_at = Some(occurred_at.trunc_subsecs(6));
        }
        let metadata = &metadata;
        // One multi-row INSERT per chunk: statements, not rows, are what
        // database round trips cost (see docs/benchmarks.md).
        let mut positions = Vec::with_capacity(events.len());
        let numbered: Vec<(i64, &NewEvent, &String)> = (expected_version + 1..)
            .zip(events.iter().zip(&payloads))
            .map(|(version, (event, payload))| (version, event, payload))
            .collect();
        for chunk in numbered.chunks(INSERT_CHUNK) {
            let rows = EventRows {
                stream,
                rows: chunk,
                metadata,
                recorded_at,
            };
            match tx.connection() {
                Connection::Sqlite(c) => {
                    let inserted = rows
                        .insert::<sqlx::Sqlite>("")
                        .build()
                        .execute(c)
                        .await
                        .map_err(database(&operation))?;
                    // Under the write lock, AUTOINCREMENT gives the rows of one
                    // statement consecutive positions ending at the last rowid;
                    // RETURNING would hand back one result row per event.
                    let last = inserted.last_insert_rowid();
                    let count = chunk.len() as i64;
                    positions.extend(last - count + 1..=last);
                }
                Connection::Postgres(c) => {
                    let mut insert = rows.insert::<sqlx::Postgres>("::jsonb");
                    insert.push(" RETURNING position");
                    let returned: Vec<i64> = insert
                        .build_query_scalar()
                        .fetch_all(c)
                        .await
                        .map_err(database(&operation))?;
                    positions.extend(returned);
                }
            }
        }

        let recorded: Vec<RecordedEvent> = (expected_version + 1..)
            .zip(events.into_iter().zip(positions))
            .map(|(stream_version, (event, position))| RecordedEvent {
                position,
                stream_id: stream.to_string(),
                stream_version,
                event_type: event.event_type,
                schema_version: event.schema_version,
                payload: event.payload,
                metadata: metadata.clone(),
                recorded_at,
            })
            .collect();
        let passed = holding::pass_inline(&self.registry, tx.connection(), &recorded).await?;
        projections::apply_inline(&self.registry, tx.connection(), &passed.applied).await?;
        let held_back = passed.held_back;

        if let (Some(key), Some(first), Some(last)) =
            (&metadata.idempotency_key, recorded.first(), recorded.last())
        {
            per_backend!(tx.connection(), Connection, c => {
                sqlx::query(
                    "INSERT INTO idempotency_keys (idempotency_key, stream_id, first_position, last_position)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(key)
                .bind(stream.as_str())
                .bind(first.position)
                .bind(last.position)
                .execute(c)
                .await
                .map(|_| ())
            })
            .map_err(database(&operation))?;
        }

        tx.commit(&operation).await?;
        for event in &recorded {
            // No live subscriber is not an error: nobody is watching.
            let _ = self.live.send(event.clone());
        }
        Ok(Appended {
            events: recorded,
            repeated: false,
            held_back,
        })
    }
}

/// The rows of one multi-row INSERT into the log.
struct EventRows<'a> {
    stream: &'a StreamId,
    /// Each event with its stream version and its validated payload text.
    rows: &'a [(i64, &'a NewEvent, &'a String)],
    metadata: &'a EventMetadata,
    recorded_at: DateTime<Utc>,
}

impl<'a> EventRows<'a> {
    /// The INSERT statement for engine `DB`; `payload_cast` is appended to
    /// each payload parameter (PostgreSQL stores payloads as `jsonb`).
    fn insert<DB>(&self, payload_cast: &str) -> sqlx::QueryBuilder<'a, DB>
    where
        DB: sqlx::Database,
        for<'q> DB::Arguments<'q>: Default,
        &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        Option<&'a str>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        Option<DateTime<Utc>>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        let mut insert = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO events (stream_id, stream_version, event_type, schema_version, payload, \
             actor, function, decision_id, causation_id, correlation_id, occurred_at, recorded_at) ",
        );
        let metadata = self.metadata;
        let stream = self.stream.as_str();
        let recorded_at = self.recorded_at;
        insert.push_values(self.rows, |mut row, (version, event, payload)| {
            row.push_bind(stream)
                .push_bind(*version)
                .push_bind(event.event_type.as_str())
                .push_bind(event.schema_version)
                .push_bind(payload.as_str())
                .push_unseparated(payload_cast)
                .push_bind(metadata.actor.as_str())
                .push_bind(metadata.function.slug())
                .push_bind(metadata.decision_id.as_deref())
                .push_bind(metadata.causation_id.as_deref())
                .push_bind(metadata.correlation_id.as_deref())
                .push_bind(metadata.occurred_at)
                .push_bind(recorded_at);
        });
        insert
    }
}

/// What the first append under idempotency `key` recorded, as a repeat of
/// it answers, if there was one.
async fn repeated_append(
    mut connection: Connection<'_>,
    key: &str,
    operation: &str,
) -> Result<Option<Appended>, StoreError> {
    let earlier: Option<(i64, i64)> = per_backend!(connection.reborrow(), Connection, c => {
        sqlx::query_as(
            "SELECT first_position, last_position FROM idempotency_keys WHERE idempotency_key = $1",
        )
        .bind(key)
        .fetch_optional(c)
        .await
    })
    .map_err(database(operation))?;
    let Some((first, last)) = earlier else {
        return Ok(None);
    };
    let mut events = read_after(connection.reborrow(), first - 1, last - first + 1).await?;
    for event in &mut events {
        event.metadata.idempotency_key = Some(key.to_owned());
    }
    let positions: Vec<i64> = events.iter().map(|event| event.position).collect();
    let held_back = holding::held_among(connection, &positions).await?;
    Ok(Some(Appended {
        events,
        repeated: true,
        held_back,
    }))
}
