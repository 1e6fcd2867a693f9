-- Who issued and who revoked each API token, and when (UTC, RFC 3339 to
-- the second), so the Platform Manager's change log lists token changes
-- beside role changes. Written by platform_manager::projection::ACCOUNTS
-- from the events' metadata.
ALTER TABLE api_tokens ADD COLUMN issued_by TEXT;
ALTER TABLE api_tokens ADD COLUMN issued_at TEXT;
ALTER TABLE api_token_revocations ADD COLUMN revoked_by TEXT;
ALTER TABLE api_token_revocations ADD COLUMN revoked_at TEXT;

-- Rows made before these columns existed: only ApiTokenIssued writes a
-- token's row and only ApiTokenRevoked a revocation's, so the event at a
-- row's last_position is the one that made it. A rebuild writes the same.
UPDATE api_tokens
SET issued_by = events.actor,
    issued_at = to_char(events.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM events
WHERE events.position = api_tokens.last_position;
UPDATE api_token_revocations
SET revoked_by = events.actor,
    revoked_at = to_char(events.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM events
WHERE events.position = api_token_revocations.last_position;
