-- Reversals of price decisions carried out automatically. Owned by
-- app/src/functions/category/projection.rs (PRICE_PROPOSALS).
CREATE TABLE price_change_reversals (
    decision_id    TEXT    PRIMARY KEY,
    comment        TEXT    NOT NULL,
    -- The person who reversed it, e.g. user:acc-...
    reversed_by    TEXT    NOT NULL,
    -- UTC, RFC 3339.
    reversed_at    TEXT    NOT NULL,
    last_position  INTEGER NOT NULL
);

-- How far each kind of decision may be carried out without a person.
-- Owned by app/src/functions/platform_manager/projection/autonomy.rs
-- (AUTONOMY_POLICIES). A kind without a row is always asked.
CREATE TABLE autonomy_policies (
    -- A decision kind's slug, e.g. base-price.
    decision_kind  TEXT    PRIMARY KEY,
    -- The function slug it belongs to.
    function       TEXT    NOT NULL,
    -- always_ask, carry_out_below or carry_out.
    policy         TEXT    NOT NULL,
    -- For carry_out_below: the limit in basis points.
    limit_bp       INTEGER,
    set_by         TEXT    NOT NULL,
    -- UTC, RFC 3339.
    set_at         TEXT    NOT NULL,
    last_position  INTEGER NOT NULL
);
