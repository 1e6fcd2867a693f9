-- Orders as placed, one row per order, projected from Customer
-- Management's OrderPlaced events. Owned by
-- app/src/functions/customers/projection.rs (ORDERS). The lines and the
-- address are kept as the event's JSON: pages show them whole, and no
-- query looks inside them.
CREATE TABLE orders (
    order_id        TEXT    PRIMARY KEY,
    -- guest or consumer.
    buyer_kind      TEXT   NOT NULL,
    -- The consumer's account id; empty for guests.
    account_id      TEXT   NOT NULL,
    buyer_name      TEXT   NOT NULL,
    email           TEXT   NOT NULL,
    -- awaiting_payment (the only status until payments and fulfilment
    -- post events of their own).
    status          TEXT   NOT NULL,
    line_count      INTEGER NOT NULL,
    units           INTEGER NOT NULL,
    subtotal_minor  INTEGER NOT NULL,
    shipping_minor  INTEGER NOT NULL,
    tax_minor       INTEGER NOT NULL,
    -- The sales tax rate charged, in hundredths of a percent.
    tax_rate_basis_points INTEGER NOT NULL,
    total_minor     INTEGER NOT NULL,
    currency        TEXT   NOT NULL,
    shipping_option TEXT   NOT NULL,
    -- The OrderPlaced payload's lines and ship_to, as JSON text.
    lines_json      TEXT   NOT NULL,
    ship_to_json    TEXT   NOT NULL,
    -- UTC, RFC 3339.
    placed_at       TEXT   NOT NULL,
    last_position   INTEGER NOT NULL
);

CREATE INDEX orders_by_account ON orders (account_id);
CREATE INDEX orders_by_placed_at ON orders (placed_at);
