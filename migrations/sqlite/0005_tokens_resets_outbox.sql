-- Projection of the Platform Manager's ApiTokenIssued events: every API
-- token ever issued. Owned by
-- app/src/functions/platform_manager/projection.rs.
CREATE TABLE api_tokens (
    token_id        TEXT    PRIMARY KEY,
    -- agent:<function> or <function>:<read|propose>
    holder          TEXT    NOT NULL,
    label           TEXT    NOT NULL,
    last_position   INTEGER NOT NULL
);

-- Projection of ApiTokenRevoked: a token with a row here no longer works.
-- A separate table rather than a flag, so that replaying the older
-- ApiTokenIssued can never bring a revoked token back.
CREATE TABLE api_token_revocations (
    token_id        TEXT    PRIMARY KEY,
    last_position   INTEGER NOT NULL
);

-- The SHA-256 of each token's secret. Not a projection and not in the
-- log, like the password hashes (docs/decisions/0005). The secrets are 256
-- random bits, so a fast hash is enough and lets the guard look a token up
-- on every request. Written only by app/src/store/credentials.rs.
CREATE TABLE api_token_secrets (
    secret_sha256   TEXT    PRIMARY KEY,
    token_id        TEXT    NOT NULL UNIQUE,
    created_at      TEXT    NOT NULL
);

-- Password reset tokens (SHA-256 of the secret sent by mail), single use
-- and short-lived. Outside the log for the same reason.
CREATE TABLE password_resets (
    token_sha256    TEXT    PRIMARY KEY,
    account_id      TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    used_at         TEXT
);

CREATE INDEX password_resets_by_account ON password_resets (account_id);

-- Mail waiting to be sent. Until an email integration exists nothing sends
-- it: an operator reads it with `kiln outbox`.
CREATE TABLE outbox (
    message_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
);
