-- The event log: the only table any write goes to. Every other table is a
-- projection derived from it and can be rebuilt from it. The same schema as
-- migrations/sqlite/, in PostgreSQL's types.
CREATE TABLE events (
    -- Global order every reader sees; strictly increasing, never reused.
    -- Appends hold a transaction-scoped advisory lock (see
    -- app/src/store/backend.rs), so positions commit in order. A rolled-back
    -- append leaves a gap: positions are increasing, not always contiguous.
    position        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- e.g. product-MUG-SPECKLE-12; stream_version counts from 1 per stream.
    stream_id       TEXT    NOT NULL,
    stream_version  BIGINT  NOT NULL CHECK (stream_version >= 1),
    -- Stable type name, e.g. ProductIntroduced, and its payload schema version.
    event_type      TEXT    NOT NULL,
    schema_version  BIGINT  NOT NULL CHECK (schema_version >= 1),
    payload         JSONB   NOT NULL,
    -- user:<id>, agent:<function>, system:<name> or integration:<name>.
    actor           TEXT    NOT NULL,
    -- The business function that posted the event (its slug).
    function        TEXT    NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_by_function ON events (function, position);
