-- Proposals of how to triage a new change request (accept at a priority,
-- or decline as a duplicate of an open one), and the verdicts people gave
-- them: one row each. A proposal without a verdict is waiting for a
-- person. Owned by app/src/functions/platform_manager/projection/
-- triage_proposals.rs (TRIAGE_PROPOSALS).
CREATE TABLE change_request_triage_proposals (
    decision_id      TEXT    PRIMARY KEY,
    request_id       TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    -- accept or duplicate.
    outcome          TEXT    NOT NULL,
    -- The priority accepting gives (low, normal, high, critical); empty
    -- for a duplicate.
    priority         TEXT    NOT NULL,
    -- The open request a duplicate repeats, and its title; empty for an
    -- acceptance.
    duplicate_of     TEXT    NOT NULL,
    duplicate_title  TEXT    NOT NULL,
    summary          TEXT    NOT NULL,
    reasoning        TEXT    NOT NULL,
    -- JSON array of function slugs, the proposer's first.
    agents_involved  TEXT    NOT NULL,
    -- JSON array of {label, href}.
    data_considered  TEXT    NOT NULL,
    -- low, medium or high.
    risk             TEXT    NOT NULL,
    -- The actor who proposed, e.g. agent:platform-manager.
    proposed_by      TEXT    NOT NULL,
    -- UTC, RFC 3339.
    proposed_at      TEXT    NOT NULL,
    last_position    INTEGER  NOT NULL
);
CREATE INDEX change_request_triage_proposals_by_request
    ON change_request_triage_proposals (request_id);

CREATE TABLE change_request_triage_verdicts (
    decision_id      TEXT    PRIMARY KEY,
    -- approved or rejected.
    status           TEXT    NOT NULL,
    comment          TEXT    NOT NULL,
    -- The actor who decided, e.g. user:acc-...
    decided_by       TEXT    NOT NULL,
    -- UTC, RFC 3339.
    decided_at       TEXT    NOT NULL,
    last_position    INTEGER  NOT NULL
);
