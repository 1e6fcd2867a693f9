-- The event log: the only table any write goes to. Every other table is a
-- projection derived from it and can be rebuilt from it.
CREATE TABLE events (
    -- Global order every reader sees; strictly increasing, never reused.
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    -- e.g. product-MUG-SPECKLE-12; stream_version counts from 1 per stream.
    stream_id       TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL CHECK (stream_version >= 1),
    -- Stable type name, e.g. ProductIntroduced, and its payload schema version.
    event_type      TEXT    NOT NULL,
    schema_version  INTEGER NOT NULL CHECK (schema_version >= 1),
    payload         TEXT    NOT NULL CHECK (json_valid(payload)),
    -- user:<id>, agent:<function>, system:<name> or integration:<name>.
    actor           TEXT    NOT NULL,
    -- The business function that posted the event (its slug).
    function        TEXT    NOT NULL,
    -- UTC, RFC 3339.
    recorded_at     TEXT    NOT NULL,
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_by_function ON events (function, position);
