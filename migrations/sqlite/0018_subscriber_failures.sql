-- The last failure of each asynchronous subscriber (e.g. the integrity
-- worker), for the Database Manager's projection status: what went wrong
-- and when. A later success does not clear it; the time says whether it is
-- older than the checkpoint's.
ALTER TABLE subscriber_checkpoints ADD COLUMN last_error TEXT;
ALTER TABLE subscriber_checkpoints ADD COLUMN last_error_at TEXT;
