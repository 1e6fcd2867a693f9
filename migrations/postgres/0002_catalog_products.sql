-- Projection of Category Management's events: the catalog as the storefront
-- reads it. Owned by app/src/functions/category/projection.rs.
CREATE TABLE catalog_products (
    sku                 TEXT    PRIMARY KEY,
    name                TEXT    NOT NULL,
    collection          TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    base_price_minor    BIGINT  NOT NULL,
    currency            TEXT    NOT NULL,
    image               TEXT    NOT NULL,
    -- Position of the last event applied to this row: replaying an event at
    -- or below it changes nothing.
    last_position       BIGINT  NOT NULL
);

CREATE INDEX catalog_products_by_collection ON catalog_products (collection, name);
