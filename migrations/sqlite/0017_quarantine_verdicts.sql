-- The verdict a person gave on the events an integrity anomaly names
-- (released or rejected); an anomaly without a row here is waiting in the
-- quarantine. Owned by app/src/functions/database_manager/projection.rs
-- (QUARANTINE).
CREATE TABLE quarantine_verdicts (
    -- The anomaly's id in integrity_anomalies.
    anomaly_id      INTEGER PRIMARY KEY,
    check_name      TEXT    NOT NULL,
    -- JSON array of the flagged event positions.
    positions       TEXT    NOT NULL,
    -- release or reject.
    verdict         TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    -- The actor who decided, e.g. user:acc-...
    decided_by      TEXT    NOT NULL,
    -- UTC, RFC 3339.
    decided_at      TEXT    NOT NULL,
    last_position   INTEGER  NOT NULL
);
