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
-- row's last_position is the one that made it. A rebuild writes the same:
-- the log's RFC 3339 text (2026-12-03T18:01:50.412271+00:00) cut to the
-- second, as the projector writes it (strftime would round to the
-- millisecond, and could give the next second).
UPDATE api_tokens
SET issued_by = (SELECT actor FROM events WHERE events.position = api_tokens.last_position),
    issued_at = (SELECT substr(recorded_at, 1, 19) || 'Z'
                 FROM events WHERE events.position = api_tokens.last_position);
UPDATE api_token_revocations
SET revoked_by = (SELECT actor FROM events
                  WHERE events.position = api_token_revocations.last_position),
    revoked_at = (SELECT substr(recorded_at, 1, 19) || 'Z'
                  FROM events WHERE events.position = api_token_revocations.last_position);
