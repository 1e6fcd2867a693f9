-- Base price changes agents proposed, and the verdict people gave on
-- each. A proposal without a verdict is waiting for a person. Owned by
-- app/src/functions/category/projection.rs (PRICE_PROPOSALS).
CREATE TABLE price_change_proposals (
    decision_id      TEXT    PRIMARY KEY,
    sku              TEXT    NOT NULL,
    summary          TEXT    NOT NULL,
    reasoning        TEXT    NOT NULL,
    -- JSON array of function slugs, the proposer's first.
    agents_involved  TEXT    NOT NULL,
    -- JSON array of {label, href}.
    data_considered  TEXT    NOT NULL,
    -- low, medium or high.
    risk             TEXT    NOT NULL,
    from_minor       BIGINT  NOT NULL,
    to_minor         BIGINT  NOT NULL,
    currency         TEXT    NOT NULL,
    -- The actor who proposed, e.g. agent:category or integration:tok-...
    proposed_by      TEXT    NOT NULL,
    -- UTC, RFC 3339.
    proposed_at      TEXT    NOT NULL,
    last_position    BIGINT  NOT NULL
);
CREATE INDEX price_change_proposals_by_sku ON price_change_proposals (sku);

CREATE TABLE price_change_verdicts (
    decision_id      TEXT    PRIMARY KEY,
    -- approved or rejected.
    status           TEXT    NOT NULL,
    comment          TEXT    NOT NULL,
    -- The actor who decided, e.g. user:acc-...
    decided_by       TEXT    NOT NULL,
    -- UTC, RFC 3339.
    decided_at       TEXT    NOT NULL,
    last_position    BIGINT  NOT NULL
);
