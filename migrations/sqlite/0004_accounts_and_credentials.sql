-- Projection of the Platform Manager's events (and later Customer
-- Management's): every account that can sign in. Owned by
-- app/src/functions/platform_manager/projection.rs.
CREATE TABLE accounts (
    account_id      TEXT    PRIMARY KEY,
    -- Lower-case; one address is one login, whatever the tier.
    email           TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    -- staff, consumer or dealer.
    tier            TEXT    NOT NULL,
    last_position   INTEGER NOT NULL
);

-- Roles of staff accounts: admin, or <function>:<view|operate|approve>.
-- A revoked role keeps its row with active = 0, so that replaying the
-- older grant changes nothing.
CREATE TABLE staff_roles (
    -- "<account_id> <role>"
    grant_key       TEXT    PRIMARY KEY,
    account_id      TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    active          INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_position   INTEGER NOT NULL
);

CREATE INDEX staff_roles_by_account ON staff_roles (account_id);

-- Password hashes (argon2id, PHC strings). Not a projection and not in the
-- event log: the log is kept forever and a secret must be replaceable and
-- erasable (docs/decisions/0005-accounts-and-credentials.md). Written only
-- by app/src/store/credentials.rs.
CREATE TABLE credentials (
    account_id      TEXT    PRIMARY KEY,
    password_hash   TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
