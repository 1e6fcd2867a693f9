-- The month each account was opened ('YYYY-MM', UTC), so the Business
-- Overview can draw the Platform Manager's headline (accounts) over time.
-- Written by platform_manager::projection::ACCOUNTS from the creating
-- event's date (when it happened, else when it was recorded).
ALTER TABLE accounts ADD COLUMN opened_month TEXT;

-- Rows made before this column existed: only the creating events write an
-- account's row, so the event at its last_position is the one that
-- opened it. A rebuild writes the same value.
-- The log's times are stored as RFC 3339 text in UTC
-- (2026-12-03T18:01:50.412271+00:00): the month is its first seven
-- characters, cut rather than parsed, since strftime rounds to the
-- millisecond and could move 23:59:59.9996 into the next month.
UPDATE accounts
SET opened_month = (
    SELECT substr(COALESCE(occurred_at, recorded_at), 1, 7)
    FROM events
    WHERE events.position = accounts.last_position
);

CREATE INDEX accounts_by_opened_month ON accounts (opened_month);
