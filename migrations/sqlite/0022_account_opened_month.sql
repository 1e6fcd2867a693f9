-- The month each account was opened ('YYYY-MM', UTC), so the Business
-- Overview can draw the Platform Manager's headline (accounts) over time.
-- Written by platform_manager::projection::ACCOUNTS from the creating
-- event's date (when it happened, else when it was recorded).
ALTER TABLE accounts ADD COLUMN opened_month TEXT;

-- Rows made before this column existed: only the creating events write an
-- account's row, so the event at its last_position is the one that
-- opened it. A rebuild writes the same value.
UPDATE accounts
SET opened_month = (
    SELECT strftime('%Y-%m', COALESCE(occurred_at, recorded_at))
    FROM events
    WHERE events.position = accounts.last_position
);

CREATE INDEX accounts_by_opened_month ON accounts (opened_month);
