-- Proposals of a verdict on a dealer application (approve at a tier, or
-- decline with a reason), and the verdicts people gave them: one row
-- each. A proposal without a verdict is waiting for a person. Owned by
-- app/src/functions/customers/projection/application_proposals.rs
-- (APPLICATION_PROPOSALS).
CREATE TABLE dealer_application_proposals (
    decision_id      TEXT    PRIMARY KEY,
    application_id   TEXT    NOT NULL,
    company_name     TEXT    NOT NULL,
    -- approve or decline.
    outcome          TEXT    NOT NULL,
    -- The tier approving opens the company at; empty for a decline.
    tier             TEXT    NOT NULL,
    -- The reason a decline gives; empty for an approval.
    reason           TEXT    NOT NULL,
    summary          TEXT    NOT NULL,
    reasoning        TEXT    NOT NULL,
    -- JSON array of function slugs, the proposer's first.
    agents_involved  TEXT    NOT NULL,
    -- JSON array of {label, href}.
    data_considered  TEXT    NOT NULL,
    -- low, medium or high.
    risk             TEXT    NOT NULL,
    -- The actor who proposed, e.g. agent:customers.
    proposed_by      TEXT    NOT NULL,
    -- UTC, RFC 3339.
    proposed_at      TEXT    NOT NULL,
    last_position    BIGINT  NOT NULL
);
CREATE INDEX dealer_application_proposals_by_application
    ON dealer_application_proposals (application_id);

CREATE TABLE dealer_application_proposal_verdicts (
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
