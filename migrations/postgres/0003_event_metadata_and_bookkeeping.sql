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
    first_position  BIGINT  NOT NULL,
    last_position   BIGINT  NOT NULL
);

-- Where each asynchronous subscriber (agents, analytics, integrity checks)
-- has read up to: it resumes after this position.
CREATE TABLE subscriber_checkpoints (
    subscriber  TEXT    PRIMARY KEY,
    position    BIGINT  NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Violations of the named integrity invariants. Never fixed silently: a
-- person looks at each one on the Database Manager page.
CREATE TABLE integrity_anomalies (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    check_name      TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    -- JSON array of the offending event positions (text, as on SQLite, so
    -- the same array is recognised as the same anomaly).
    positions       TEXT    NOT NULL CHECK (positions::jsonb IS NOT NULL),
    detected_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (check_name, positions)
);
