-- Every grant and revocation of a staff role, as the Platform Manager page
-- lists them (staff_roles holds only where each role stands now). Owned by
-- app/src/functions/platform_manager/projection.rs.
CREATE TABLE role_changes (
    -- The position of the RoleGranted or RoleRevoked event: one row each.
    event_position  INTEGER PRIMARY KEY,
    account_id      TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    -- granted or revoked.
    change          TEXT    NOT NULL CHECK (change IN ('granted', 'revoked')),
    -- The event's actor, e.g. user:acc-... or system:cli.
    changed_by      TEXT    NOT NULL,
    -- UTC, RFC 3339.
    changed_at      TEXT    NOT NULL,
    last_position   INTEGER NOT NULL
);
