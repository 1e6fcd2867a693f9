-- What an event carries beyond its payload, and the store's own bookkeeping.

-- The decision an event carries out, and the causation/correlation chain
-- (which message caused it; which conversation or workflow it belongs to).
ALTER TABLE events ADD COLUMN decision_id    TEXT;
ALTER TABLE events ADD COLUMN causation_id   TEXT;
ALTER TABLE events ADD COLUMN correlation_id TEXT;

-- An append repeated with the same key returns the original events and
-- writes nothing new. The key covers the whole append (all its events).
CREATE TABLE idempotency_keys (
    idempotency_key TEXT    PRIMARY KEY,
    stream_id       TEXT    NOT NULL,
    first_position  INTEGER NOT NULL,
    last_position   INTEGER NOT NULL
);

-- Where each asynchronous subscriber (agents, analytics, integrity checks)
-- has read up to: it resumes after this position.
CREATE TABLE subscriber_checkpoints (
    subscriber  TEXT    PRIMARY KEY,
    position    INTEGER NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Violations of the named integrity invariants. Never fixed silently: a
-- person looks at each one on the Database Manager page.
CREATE TABLE integrity_anomalies (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    check_name      TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    -- JSON array of the offending event positions.
    positions       TEXT    NOT NULL CHECK (json_valid(positions)),
    detected_at     TEXT    NOT NULL,
    UNIQUE (check_name, positions)
);
