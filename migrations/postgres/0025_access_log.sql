-- Who came in and who was turned away (app/src/store/access_log.rs):
-- sign-ins that succeeded or failed, API tokens in use, and the guard's
-- refusals, with when and from where. Not a projection and not in the log:
-- these are records of the door, not facts of the business, and they are
-- kept for 90 days. Never a password or a secret.
CREATE TABLE access_log (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    -- sign-in, sign-in-refused, token-use or refused.
    kind        TEXT    NOT NULL,
    -- The account, the token, or the address typed at a failed sign-in.
    who         TEXT    NOT NULL,
    -- The client's address (behind a trusted proxy, the one it forwarded for).
    address     TEXT    NOT NULL,
    -- The path asked for, or why it was refused.
    detail      TEXT    NOT NULL
);
CREATE INDEX access_log_by_time ON access_log (at);
