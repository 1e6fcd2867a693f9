-- Variants, unit costs and market notes (Category Management), order lines
-- for product performance (Customer Management), and stock counts
-- (Fulfillment). Owned by the projections named beside each table.

-- category::projection::CATALOG. A product in a family is one option of a
-- product shoppers see once (family and variant_option both set, or both
-- NULL). unit_cost_minor is NULL until someone costs the product.
ALTER TABLE catalog_products ADD COLUMN family          TEXT;
ALTER TABLE catalog_products ADD COLUMN variant_option  TEXT;
ALTER TABLE catalog_products ADD COLUMN unit_cost_minor INTEGER;

CREATE INDEX catalog_products_by_family ON catalog_products (family);

-- category::projection::CATALOG: one row per MarketPriceNoted event.
CREATE TABLE market_price_notes (
    event_position    INTEGER  PRIMARY KEY,
    sku               TEXT    NOT NULL,
    source            TEXT    NOT NULL,
    -- NULL when the note names no price.
    their_price_minor INTEGER,
    currency          TEXT,
    note              TEXT    NOT NULL,
    -- UTC, RFC 3339.
    noted_at          TEXT    NOT NULL,
    last_position     INTEGER  NOT NULL
);

CREATE INDEX market_price_notes_by_sku ON market_price_notes (sku, event_position);

-- customers::projection::ORDER_LINES: every line of every order, as sold.
CREATE TABLE order_lines (
    -- order id, then ':' and the line's number from 1.
    line_id          TEXT    PRIMARY KEY,
    order_id         TEXT    NOT NULL,
    sku              TEXT    NOT NULL,
    quantity         INTEGER  NOT NULL,
    -- The line total before tax.
    revenue_minor    INTEGER  NOT NULL,
    -- Quantity times the unit cost when sold; NULL if the product had none.
    cost_minor       INTEGER,
    currency         TEXT    NOT NULL,
    -- 'consumer' (guests and signed-in shoppers) or 'dealer'.
    channel          TEXT    NOT NULL,
    -- When the order was placed: UTC, RFC 3339, and its month (YYYY-MM).
    placed_at        TEXT    NOT NULL,
    placed_month     TEXT    NOT NULL,
    -- Position of the OrderPlaced event: stock counted before it is reduced
    -- by the line.
    placed_position  INTEGER  NOT NULL,
    last_position    INTEGER  NOT NULL
);

CREATE INDEX order_lines_by_month ON order_lines (placed_month, sku);
CREATE INDEX order_lines_by_sku ON order_lines (sku, placed_position);

-- fulfillment::projection::STOCK: the latest count of each product.
CREATE TABLE stock_counts (
    sku              TEXT    PRIMARY KEY,
    on_hand          INTEGER  NOT NULL,
    -- UTC, RFC 3339, and the count's event position: orders placed after
    -- it are taken from what was counted.
    counted_at       TEXT    NOT NULL,
    counted_position INTEGER  NOT NULL,
    last_position    INTEGER  NOT NULL
);
