-- Category Management's base price changes and listing status. Owned by
-- app/src/functions/category/projection.rs (CATALOG).

-- 1 while the product is on sale, 0 once delisted. Rows projected before
-- this migration are all listed (there was no delisting then).
ALTER TABLE catalog_products ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;

-- One row per BasePriceChanged event, keyed by the event's position.
CREATE TABLE base_price_changes (
    event_position  INTEGER  PRIMARY KEY,
    sku             TEXT    NOT NULL,
    from_minor      INTEGER  NOT NULL,
    to_minor        INTEGER  NOT NULL,
    currency        TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    -- UTC, RFC 3339.
    changed_at      TEXT    NOT NULL,
    last_position   INTEGER  NOT NULL
);

CREATE INDEX base_price_changes_by_sku ON base_price_changes (sku, event_position);
