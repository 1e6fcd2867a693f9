-- Customer feedback flagged to the function it concerns
-- (customers::projection::TICKETS): one row per SupportTicketFlagged.
CREATE TABLE ticket_flags (
    event_position  INTEGER  PRIMARY KEY,
    ticket_id       TEXT    NOT NULL,
    -- The function's slug, e.g. quality.
    function        TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    -- UTC, RFC 3339.
    flagged_at      TEXT    NOT NULL,
    last_position   INTEGER  NOT NULL
);

CREATE INDEX ticket_flags_by_function ON ticket_flags (function, event_position);
