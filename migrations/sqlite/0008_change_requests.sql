-- Change requests about Kiln itself, raised from any function's page, and
-- where each stands in its triage. Owned by
-- app/src/functions/platform_manager/projection.rs (CHANGE_REQUESTS).
CREATE TABLE change_requests (
    request_id      TEXT    PRIMARY KEY,
    title           TEXT    NOT NULL,
    -- The slug of the function it was raised from.
    function        TEXT    NOT NULL,
    impact          TEXT    NOT NULL,
    -- low, normal, high or critical.
    urgency         TEXT    NOT NULL,
    -- The actor who raised it, e.g. user:acc-...
    raised_by       TEXT    NOT NULL,
    -- UTC, RFC 3339.
    raised_at       TEXT    NOT NULL,
    last_position   INTEGER NOT NULL
);

CREATE INDEX change_requests_by_function ON change_requests (function);

-- The latest triage of each change request; a request without a row here
-- is new.
CREATE TABLE change_request_triage (
    request_id      TEXT    PRIMARY KEY,
    -- accepted, scheduled, done or declined.
    status          TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    triaged_by      TEXT    NOT NULL,
    triaged_at      TEXT    NOT NULL,
    last_position   INTEGER NOT NULL
);
