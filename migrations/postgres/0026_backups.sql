-- The backups `kiln backup` took (app/src/store/export.rs), for the
-- Database Manager's page: when, where to, how large. A record of an
-- operation, not a fact of the business: not in the log, not exported.
CREATE TABLE backups (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taken_at    TIMESTAMPTZ NOT NULL,
    file        TEXT    NOT NULL,
    bytes       BIGINT  NOT NULL
);
