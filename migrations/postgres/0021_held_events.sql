-- The events the gate in front of the projectors holds back from the
-- tables (app/src/store/holding.rs): flagged by an event check and waiting
-- for a person's verdict in the Database Manager's quarantine, or waiting
-- behind such an event of their stream. Derived from the log like a
-- projection (the checks are pure and verdicts are events), and rewritten
-- by every rebuild.
CREATE TABLE held_events (
    -- The held event's position in the log.
    position    BIGINT PRIMARY KEY,
    stream_id   TEXT    NOT NULL,
    -- flagged, behind, released or rejected (the last two: decided, but
    -- waiting behind an earlier flagged event of the stream).
    state       TEXT    NOT NULL
);
CREATE INDEX held_events_by_stream ON held_events (stream_id);

-- The held events a person rejected: they never reached the tables, and
-- EventStore::load leaves them out of the streams a function's rules read.
-- The log keeps them. Derived from the log like held_events.
CREATE TABLE rejected_events (
    position    BIGINT PRIMARY KEY,
    stream_id   TEXT    NOT NULL
);
