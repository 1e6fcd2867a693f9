-- Quality's non-conformances (quality::projection::NON_CONFORMANCES): one
-- row per non-conformance raised.
CREATE TABLE non_conformances (
    non_conformance TEXT    PRIMARY KEY,
    -- supplier, process, product or customer.
    source          TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    -- The actor reference of whoever raised it.
    raised_by       TEXT    NOT NULL,
    -- UTC, RFC 3339.
    raised_at       TEXT    NOT NULL,
    last_position   BIGINT  NOT NULL
);
