-- Dealer companies' promotional prices (customers::promotions::PROMOTIONS):
-- one row per company and product, the latest offer; active = 0 once
-- withdrawn.
CREATE TABLE dealer_promotions (
    -- company id, then ':' and the SKU.
    promotion_key   TEXT    PRIMARY KEY,
    company_id      TEXT    NOT NULL,
    company_name    TEXT    NOT NULL,
    sku             TEXT    NOT NULL,
    price_minor     INTEGER  NOT NULL,
    currency        TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    -- UTC, RFC 3339: when the price in force was offered.
    offered_at      TEXT    NOT NULL,
    active          INTEGER  NOT NULL,
    last_position   INTEGER  NOT NULL
);

CREATE INDEX dealer_promotions_by_company ON dealer_promotions (company_id, active);
