-- Projection of the Platform Manager's DealerUserCreated events: which
-- dealer company each dealer login belongs to (its row in accounts has
-- tier 'dealer'). Owned by app/src/functions/platform_manager/projection.rs.
CREATE TABLE dealer_users (
    account_id      TEXT    PRIMARY KEY,
    company_id      TEXT    NOT NULL,
    last_position   BIGINT  NOT NULL
);

CREATE INDEX dealer_users_by_company ON dealer_users (company_id);

-- Projections of Customer Management's dealer onboarding, owned by
-- app/src/functions/customers/projection.rs. Applications as submitted:
CREATE TABLE dealer_applications (
    application_id  TEXT    PRIMARY KEY,
    company_name    TEXT    NOT NULL,
    contact_name    TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    last_position   BIGINT  NOT NULL
);

-- The decision on each decided application; an application without a row
-- here is pending. A table of its own so that replaying the submission
-- never makes a decided application pending again.
CREATE TABLE dealer_application_decisions (
    application_id  TEXT    PRIMARY KEY,
    -- approved or declined
    outcome         TEXT    NOT NULL,
    -- The company opened, or the reason for declining.
    detail          TEXT    NOT NULL,
    last_position   BIGINT  NOT NULL
);

-- Dealer companies, opened by approved applications.
CREATE TABLE dealer_companies (
    company_id      TEXT    PRIMARY KEY,
    name            TEXT    NOT NULL,
    -- trade, volume or partner
    tier            TEXT    NOT NULL,
    application_id  TEXT    NOT NULL,
    last_position   BIGINT  NOT NULL
);
