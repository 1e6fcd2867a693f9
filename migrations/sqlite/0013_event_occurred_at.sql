-- When an event's facts happened, if before they were recorded: history
-- brought over from before Kiln (the demo's months of orders). NULL means
-- they happened when recorded; readers use COALESCE(occurred_at, recorded_at).
ALTER TABLE events ADD COLUMN occurred_at TEXT;
