//! The `catalog_products` table, derived from Category Management's events.

use super::events::{
    CategoryEvent, Collection, FamilyKey, PriceChangeProposed, ProductDelisted, ProductIntroduced,
    ProductRelisted, ProductRevised, Sku, Variant,
};
use super::view::{CatalogEntry, MarketNote, PriceChange, ProductCard, StorefrontQuery};
use crate::store::backend::{Connection, PerBackend, per_backend};
use crate::store::holding::EventCheck;
use crate::store::integrity::IntegrityCheck;
use crate::store::projections::{self, Projector, Row, Value, decode, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::decision::{
    DecisionCard, DecisionCounts, DecisionId, DecisionStatus, DecisionVerdict, Risk,
};
use kiln_core::function::BusinessFunction;
use kiln_core::money::{Currency, Money};

/// The catalog projection: `catalog_products` (every product, listed or
/// not, at its current base price, with its family and unit cost),
/// `base_price_changes` (each change with its reason) and
/// `market_price_notes`.
pub const CATALOG: Projector = Projector {
    name: "catalog",
    function: BusinessFunction::Category,
    handles: &[
        "ProductIntroduced",
        "BasePriceChanged",
        "ProductDelisted",
        "ProductRelisted",
        "ProductRevised",
        "MarketPriceNoted",
    ],
    tables: &[
        "catalog_products",
        "base_price_changes",
        "market_price_notes",
    ],
    apply: |connection, events| Box::pin(apply(connection, events)),
};

/// The columns of `catalog_products` an introduction writes, key first.
const PRODUCT_COLUMNS: [&str; 11] = [
    "sku",
    "name",
    "collection",
    "description",
    "base_price_minor",
    "currency",
    "image",
    "listed",
    "family",
    "variant_option",
    "unit_cost_minor",
];

/// The columns of `market_price_notes`, key first.
const NOTE_COLUMNS: [&str; 7] = [
    "event_position",
    "sku",
    "source",
    "their_price_minor",
    "currency",
    "note",
    "noted_at",
];

/// The columns of `base_price_changes`, key first.
const PRICE_CHANGE_COLUMNS: [&str; 7] = [
    "event_position",
    "sku",
    "from_minor",
    "to_minor",
    "currency",
    "reason",
    "changed_at",
];

/// Applies Category Management events, in position order, to
/// `catalog_products` and `base_price_changes`. A row remembers the
/// position of the last event it applied, so replaying an event changes
/// nothing. Introductions are written in batches; a price change or a
/// listing change updates its product's row in place, after the
/// introductions before it.
pub async fn apply(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let decoded = decode::<CategoryEvent>(events)?;
    let mut introduced: Vec<(i64, &ProductIntroduced)> = Vec::new();
    for (event, payload) in &decoded {
        match payload {
            CategoryEvent::ProductIntroduced(product) => {
                introduced.push((event.position, product));
                continue;
            }
            CategoryEvent::BasePriceChanged(change) => {
                write_introductions(connection.reborrow(), &introduced).await?;
                introduced.clear();
                let changed_at = event.occurred_at().to_rfc3339();
                let row = Row {
                    values: vec![
                        Value::Integer(event.position),
                        Value::Text(change.sku.as_str()),
                        Value::Integer(change.from.minor_units),
                        Value::Integer(change.to.minor_units),
                        Value::Text(change.to.currency.code()),
                        Value::Text(&change.reason),
                        Value::Text(&changed_at),
                    ],
                    position: event.position,
                };
                upsert_rows(
                    connection.reborrow(),
                    "base_price_changes",
                    "event_position",
                    &PRICE_CHANGE_COLUMNS,
                    &[row],
                )
                .await?;
                update_product(
                    connection.reborrow(),
                    "base_price_minor",
                    change.to.minor_units,
                    &change.sku,
                    event.position,
                )
                .await?;
            }
            CategoryEvent::ProductRevised(revised) => {
                write_introductions(connection.reborrow(), &introduced).await?;
                introduced.clear();
                revise_product(connection.reborrow(), revised, event.position).await?;
            }
            CategoryEvent::MarketPriceNoted(noted) => {
                let noted_at = event.occurred_at().to_rfc3339();
                let row = Row {
                    values: vec![
                        Value::Integer(event.position),
                        Value::Text(noted.sku.as_str()),
                        Value::Text(&noted.source),
                        Value::OptionalInteger(noted.their_price.map(|price| price.minor_units)),
                        Value::OptionalText(noted.their_price.map(|price| price.currency.code())),
                        Value::Text(&noted.note),
                        Value::Text(&noted_at),
                    ],
                    position: event.position,
                };
                upsert_rows(
                    connection.reborrow(),
                    "market_price_notes",
                    "event_position",
                    &NOTE_COLUMNS,
                    &[row],
                )
                .await?;
            }
            CategoryEvent::ProductDelisted(ProductDelisted { sku, .. })
            | CategoryEvent::ProductRelisted(ProductRelisted { sku }) => {
                write_introductions(connection.reborrow(), &introduced).await?;
                introduced.clear();
                let listed = matches!(payload, CategoryEvent::ProductRelisted(_));
                update_product(
                    connection.reborrow(),
                    "listed",
                    i64::from(listed),
                    sku,
                    event.position,
                )
                .await?;
            }
            // The price proposals projection keeps decisions.
            CategoryEvent::PriceChangeProposed(_)
            | CategoryEvent::DecisionApproved(_)
            | CategoryEvent::DecisionRejected(_)
            | CategoryEvent::DecisionCarriedOutAutomatically(_)
            | CategoryEvent::DecisionReversed(_) => {}
        }
    }
    write_introductions(connection, &introduced).await
}

/// Writes the introduced products' rows, listed, in one batch.
async fn write_introductions(
    connection: Connection<'_>,
    introduced: &[(i64, &ProductIntroduced)],
) -> Result<(), StoreError> {
    if introduced.is_empty() {
        return Ok(());
    }
    let rows: Vec<Row<'_>> = introduced
        .iter()
        .map(|(position, product)| Row {
            values: vec![
                Value::Text(product.sku.as_str()),
                Value::Text(&product.name),
                Value::Text(product.collection.slug()),
                Value::Text(&product.description),
                Value::Integer(product.base_price.minor_units),
                Value::Text(product.base_price.currency.code()),
                Value::Text(&product.image),
                Value::Integer(1),
                Value::OptionalText(product.variant.as_ref().map(|v| v.family.as_str())),
                Value::OptionalText(product.variant.as_ref().map(|v| v.option.as_str())),
                Value::OptionalInteger(product.unit_cost.map(|cost| cost.minor_units)),
            ],
            position: *position,
        })
        .collect();
    upsert_rows(
        connection,
        "catalog_products",
        "sku",
        &PRODUCT_COLUMNS,
        &rows,
    )
    .await
}

/// Replaces a product's details with a revision's, unless the row has
/// already applied this event or a later one.
async fn revise_product(
    mut connection: Connection<'_>,
    revised: &ProductRevised,
    position: i64,
) -> Result<(), StoreError> {
    per_backend!(connection.reborrow(), Connection, c => {
        sqlx::query(
            "UPDATE catalog_products SET name = $1, collection = $2, description = $3, image = $4,
                    family = $5, variant_option = $6, unit_cost_minor = $7, last_position = $8
             WHERE sku = $9 AND last_position < $8",
        )
        .bind(&revised.name)
        .bind(revised.collection.slug())
        .bind(&revised.description)
        .bind(&revised.image)
        .bind(revised.variant.as_ref().map(|v| v.family.as_str()))
        .bind(revised.variant.as_ref().map(|v| v.option.as_str()))
        .bind(revised.unit_cost.map(|cost| cost.minor_units))
        .bind(position)
        .bind(revised.sku.as_str())
        .execute(c)
        .await
        .map(|_| ())
    })
    .map_err(database(format!("revise product {}", revised.sku)))
}

/// Sets one integer column of `sku`'s row, unless the row has already
/// applied this event or a later one.
async fn update_product(
    mut connection: Connection<'_>,
    column: &'static str,
    value: i64,
    sku: &Sku,
    position: i64,
) -> Result<(), StoreError> {
    // The column name comes from this module's code, never from input.
    let statement = format!(
        "UPDATE catalog_products SET {column} = $1, last_position = $2 \
         WHERE sku = $3 AND last_position < $2"
    );
    per_backend!(connection.reborrow(), Connection, c => {
        sqlx::query(&statement)
            .bind(value)
            .bind(position)
            .bind(sku.as_str())
            .execute(c)
            .await
            .map(|_| ())
    })
    .map_err(database(format!("update {column} of product {sku}")))
}

#[derive(sqlx::FromRow)]
struct CatalogRow {
    sku: String,
    name: String,
    collection: String,
    description: String,
    base_price_minor: i64,
    currency: String,
    image: String,
    family: Option<String>,
    variant_option: Option<String>,
}

/// The columns a [`CatalogRow`] reads.
const CARD_COLUMNS: &str =
    "sku, name, collection, description, base_price_minor, currency, image, family, variant_option";

impl TryFrom<CatalogRow> for ProductCard {
    type Error = StoreError;

    fn try_from(row: CatalogRow) -> Result<Self, Self::Error> {
        let corrupt = |what, value: &str| StoreError::Corrupt {
            what,
            value: value.to_owned(),
        };
        Ok(ProductCard {
            sku: Sku::parse(&row.sku).map_err(|_| corrupt("SKU", &row.sku))?,
            collection: row
                .collection
                .parse::<Collection>()
                .map_err(|_| corrupt("collection", &row.collection))?,
            price: Money::new(
                row.base_price_minor,
                Currency::from_code(&row.currency)
                    .ok_or_else(|| corrupt("currency", &row.currency))?,
            ),
            variant: match (row.family, row.variant_option) {
                (Some(family), Some(option)) => Some(Variant {
                    family: FamilyKey::parse(&family).map_err(|_| corrupt("family", &family))?,
                    option,
                }),
                _ => None,
            },
            name: row.name,
            description: row.description,
            image: row.image,
        })
    }
}

/// The listed products of `query`: its collection, those matching its
/// search (name or description, ignoring case), in its order.
pub async fn storefront_products(
    store: &EventStore,
    query: StorefrontQuery,
) -> Result<Vec<ProductCard>, StoreError> {
    let collection = query.collection.map(Collection::slug);
    // The search is matched literally: LIKE's wildcards in it are escaped.
    let pattern = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|search| !search.is_empty())
        .map(|search| {
            let cut: String = search
                .chars()
                .take(super::view::MAX_SEARCH_CHARS)
                .collect::<String>()
                .to_lowercase();
            format!(
                "%{}%",
                cut.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
    // Every ORDER BY is one of these fixed texts, never built from input.
    let order = match query.sort.unwrap_or(super::view::ProductSort::Featured) {
        super::view::ProductSort::Featured => {
            // Within a name (a family's options), the cheapest first: it
            // stands for the family on its card.
            "CASE collection WHEN 'mugs' THEN 0 WHEN 'planters' THEN 1 ELSE 2 END, name, base_price_minor"
        }
        super::view::ProductSort::PriceLowToHigh => "base_price_minor, name",
        super::view::ProductSort::PriceHighToLow => "base_price_minor DESC, name",
        super::view::ProductSort::Name => "name",
    };
    let statement = format!(
        "SELECT {CARD_COLUMNS}
         FROM catalog_products
         WHERE listed = 1 AND (CAST($1 AS TEXT) IS NULL OR collection = $1)
           AND (CAST($2 AS TEXT) IS NULL
                OR LOWER(name) LIKE $2 ESCAPE '\\' OR LOWER(description) LIKE $2 ESCAPE '\\')
         ORDER BY {order}, sku"
    );
    let rows: Vec<CatalogRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&statement)
            .bind(collection)
            .bind(pattern.as_deref())
            .fetch_all(pool)
            .await
    })
    .map_err(|source| StoreError::Database {
        operation: "read catalog_products".into(),
        source,
    })?;
    rows.into_iter().map(ProductCard::try_from).collect()
}

/// The listed product `sku`, if there is one.
pub async fn product(store: &EventStore, sku: &Sku) -> Result<Option<ProductCard>, StoreError> {
    let statement =
        format!("SELECT {CARD_COLUMNS} FROM catalog_products WHERE sku = $1 AND listed = 1");
    let row: Option<CatalogRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&statement)
        .bind(sku.as_str())
        .fetch_optional(pool)
        .await
    })
    .map_err(|source| StoreError::Database {
        operation: format!("read product {sku}"),
        source,
    })?;
    row.map(ProductCard::try_from).transpose()
}

/// The listed options of `family`, cheapest first.
pub async fn family(
    store: &EventStore,
    family: &FamilyKey,
) -> Result<Vec<ProductCard>, StoreError> {
    let statement = format!(
        "SELECT {CARD_COLUMNS} FROM catalog_products
         WHERE family = $1 AND listed = 1 ORDER BY base_price_minor, variant_option, sku"
    );
    let rows: Vec<CatalogRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(&statement)
            .bind(family.as_str())
            .fetch_all(pool)
            .await
    })
    .map_err(database(format!("read the options of family {family}")))?;
    rows.into_iter().map(ProductCard::try_from).collect()
}

/// Every product in the catalog, listed or not, with its listing status
/// and unit cost, in collection order then by name (Category Management's
/// page, and the price book orders are checked against).
pub async fn catalog(store: &EventStore) -> Result<Vec<CatalogEntry>, StoreError> {
    let statement = format!(
        "SELECT {CARD_COLUMNS}, listed, unit_cost_minor
         FROM catalog_products
         ORDER BY CASE collection WHEN 'mugs' THEN 0 WHEN 'planters' THEN 1 ELSE 2 END, name, sku"
    );
    let rows: Vec<ListedRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as::<_, ListedRow>(&statement)
            .fetch_all(pool)
            .await
    })
    .map_err(database("read the whole catalog"))?;
    rows.into_iter()
        .map(|row| {
            let product = ProductCard::try_from(row.product)?;
            Ok(CatalogEntry {
                unit_cost: row
                    .unit_cost_minor
                    .map(|minor_units| Money::new(minor_units, product.price.currency)),
                listed: row.listed == 1,
                product,
            })
        })
        .collect()
}

/// A `catalog_products` row with its listing status and unit cost.
#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    product: CatalogRow,
    listed: i64,
    unit_cost_minor: Option<i64>,
}

/// A `market_price_notes` row.
#[derive(sqlx::FromRow)]
struct MarketNoteRow {
    sku: String,
    source: String,
    their_price_minor: Option<i64>,
    currency: Option<String>,
    note: String,
    noted_at: String,
}

/// The newest `limit` market price notes, newest first.
pub async fn market_notes(store: &EventStore, limit: i64) -> Result<Vec<MarketNote>, StoreError> {
    let rows: Vec<MarketNoteRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT sku, source, their_price_minor, currency, note, noted_at
             FROM market_price_notes ORDER BY event_position DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read market price notes"))?;
    rows.into_iter()
        .map(|row| {
            let MarketNoteRow {
                sku,
                source,
                their_price_minor: price,
                currency,
                note,
                noted_at,
            } = row;
            let corrupt = |what, value: &str| StoreError::Corrupt {
                what,
                value: value.to_owned(),
            };
            let their_price = match (price, currency) {
                (Some(minor_units), Some(code)) => Some(Money::new(
                    minor_units,
                    Currency::from_code(&code).ok_or_else(|| corrupt("currency", &code))?,
                )),
                _ => None,
            };
            Ok(MarketNote {
                sku: Sku::parse(&sku).map_err(|_| corrupt("SKU", &sku))?,
                source,
                their_price,
                note,
                noted_at,
            })
        })
        .collect()
}

/// The newest `limit` base price changes, newest first.
pub async fn price_changes(store: &EventStore, limit: i64) -> Result<Vec<PriceChange>, StoreError> {
    let rows: Vec<(String, i64, i64, String, String, String)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT sku, from_minor, to_minor, currency, reason, changed_at
                 FROM base_price_changes ORDER BY event_position DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(database("read base price changes"))?;
    rows.into_iter()
        .map(|(sku, from, to, currency, reason, changed_at)| {
            let corrupt = |what, value: &str| StoreError::Corrupt {
                what,
                value: value.to_owned(),
            };
            let currency =
                Currency::from_code(&currency).ok_or_else(|| corrupt("currency", &currency))?;
            Ok(PriceChange {
                sku: Sku::parse(&sku).map_err(|_| corrupt("SKU", &sku))?,
                from: Money::new(from, currency),
                to: Money::new(to, currency),
                reason,
                changed_at,
            })
        })
        .collect()
}

/// The price proposals projection: `price_change_proposals` (each
/// proposal, as its agent made it) and `price_change_verdicts` (the
/// verdict on it, once given).
pub const PRICE_PROPOSALS: Projector = Projector {
    name: "price-proposals",
    function: BusinessFunction::Category,
    handles: &[
        "PriceChangeProposed",
        "DecisionApproved",
        "DecisionRejected",
        "DecisionCarriedOutAutomatically",
        "DecisionReversed",
    ],
    tables: &[
        "price_change_proposals",
        "price_change_verdicts",
        "price_change_reversals",
    ],
    apply: |connection, events| Box::pin(apply_proposals(connection, events)),
};

/// Applies proposals and verdicts, in position order: a row per proposal
/// and per verdict, each remembering the position of its event, so
/// replaying changes nothing.
pub async fn apply_proposals(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    // The texts the rows borrow.
    struct Proposed {
        position: i64,
        proposed: PriceChangeProposed,
        agents: String,
        data: String,
        by: String,
        at: String,
    }
    struct Decided {
        position: i64,
        status: &'static str,
        verdict: DecisionVerdict,
        by: String,
        at: String,
    }
    let mut proposals = Vec::new();
    let mut verdicts = Vec::new();
    let mut reversals = Vec::new();
    for (event, payload) in projections::decode::<CategoryEvent>(events)? {
        let by = event.metadata.actor.to_string();
        let at = event
            .recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (status, verdict) = match payload {
            CategoryEvent::PriceChangeProposed(proposed) => {
                let json = |value: serde_json::Result<String>| {
                    value.map_err(|source| StoreError::Payload {
                        event_type: event.event_type.clone(),
                        source,
                    })
                };
                proposals.push(Proposed {
                    position: event.position,
                    agents: json(serde_json::to_string(&proposed.proposal.agents_involved))?,
                    data: json(serde_json::to_string(&proposed.proposal.data_considered))?,
                    proposed,
                    by,
                    at,
                });
                continue;
            }
            CategoryEvent::DecisionApproved(verdict) => (DecisionStatus::Approved, verdict),
            CategoryEvent::DecisionRejected(verdict) => (DecisionStatus::Rejected, verdict),
            // The card says which policy allowed it, and how large it was.
            CategoryEvent::DecisionCarriedOutAutomatically(automatic) => (
                DecisionStatus::CarriedOutAutomatically,
                DecisionVerdict {
                    comment: format!(
                        "Carried out under the autonomy policy “{}”: a {} change.",
                        automatic.policy.describe(),
                        kiln_core::decision::percent_text(automatic.size_bp)
                    ),
                    decision: automatic.decision,
                },
            ),
            CategoryEvent::DecisionReversed(verdict) => {
                reversals.push(Decided {
                    position: event.position,
                    status: "reversed",
                    verdict,
                    by,
                    at,
                });
                continue;
            }
            _ => continue,
        };
        verdicts.push(Decided {
            position: event.position,
            status: status.as_str(),
            verdict,
            by,
            at,
        });
    }
    let proposal_rows: Vec<Row<'_>> = proposals
        .iter()
        .map(|row| {
            let proposed = &row.proposed;
            Row {
                values: vec![
                    Value::Text(proposed.proposal.decision.as_str()),
                    Value::Text(proposed.sku.as_str()),
                    Value::Text(&proposed.proposal.summary),
                    Value::Text(&proposed.proposal.reasoning),
                    Value::Text(&row.agents),
                    Value::Text(&row.data),
                    Value::Text(proposed.proposal.risk.as_str()),
                    Value::Integer(proposed.from.minor_units),
                    Value::Integer(proposed.to.minor_units),
                    Value::Text(proposed.to.currency.code()),
                    Value::Text(&row.by),
                    Value::Text(&row.at),
                ],
                position: row.position,
            }
        })
        .collect();
    upsert_rows(
        connection.reborrow(),
        "price_change_proposals",
        "decision_id",
        &[
            "decision_id",
            "sku",
            "summary",
            "reasoning",
            "agents_involved",
            "data_considered",
            "risk",
            "from_minor",
            "to_minor",
            "currency",
            "proposed_by",
            "proposed_at",
        ],
        &proposal_rows,
    )
    .await?;
    let verdict_rows: Vec<Row<'_>> = verdicts
        .iter()
        .map(|row| Row {
            values: vec![
                Value::Text(row.verdict.decision.as_str()),
                Value::Text(row.status),
                Value::Text(&row.verdict.comment),
                Value::Text(&row.by),
                Value::Text(&row.at),
            ],
            position: row.position,
        })
        .collect();
    upsert_rows(
        connection.reborrow(),
        "price_change_verdicts",
        "decision_id",
        &[
            "decision_id",
            "status",
            "comment",
            "decided_by",
            "decided_at",
        ],
        &verdict_rows,
    )
    .await?;
    let reversal_rows: Vec<Row<'_>> = reversals
        .iter()
        .map(|row| Row {
            values: vec![
                Value::Text(row.verdict.decision.as_str()),
                Value::Text(&row.verdict.comment),
                Value::Text(&row.by),
                Value::Text(&row.at),
            ],
            position: row.position,
        })
        .collect();
    upsert_rows(
        connection,
        "price_change_reversals",
        "decision_id",
        &["decision_id", "comment", "reversed_by", "reversed_at"],
        &reversal_rows,
    )
    .await
}

/// A row of `price_change_proposals` with its verdict, if any.
#[derive(sqlx::FromRow)]
struct ProposalRow {
    decision_id: String,
    sku: String,
    summary: String,
    reasoning: String,
    agents_involved: String,
    data_considered: String,
    risk: String,
    from_minor: i64,
    to_minor: i64,
    currency: String,
    proposed_by: String,
    proposed_at: String,
    status: Option<String>,
    comment: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<String>,
    reversal_comment: Option<String>,
    reversed_by: Option<String>,
    reversed_at: Option<String>,
}

/// The price proposals as decision cards: every one waiting, then the
/// newest `decided_limit` decided, newest first.
pub async fn price_proposals(
    store: &EventStore,
    decided_limit: i64,
) -> Result<Vec<DecisionCard>, StoreError> {
    let rows: Vec<ProposalRow> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT p.decision_id, p.sku, p.summary, p.reasoning, p.agents_involved,
                    p.data_considered, p.risk, p.from_minor, p.to_minor, p.currency,
                    p.proposed_by, p.proposed_at, v.status, v.comment, v.decided_by,
                    v.decided_at, r.comment AS reversal_comment, r.reversed_by, r.reversed_at
             FROM price_change_proposals p
             LEFT JOIN price_change_verdicts v ON v.decision_id = p.decision_id
             LEFT JOIN price_change_reversals r ON r.decision_id = p.decision_id
             WHERE v.decision_id IS NULL
                OR p.decision_id IN (SELECT decision_id FROM price_change_verdicts
                                     ORDER BY last_position DESC LIMIT $1)
             ORDER BY (v.decision_id IS NULL) DESC, COALESCE(v.last_position, p.last_position) DESC",
        )
        .bind(decided_limit)
        .fetch_all(pool)
        .await
    })
    .map_err(database("read the price proposals"))?;
    rows.into_iter().map(decision_card).collect()
}

/// A proposal's row as the card a page shows.
fn decision_card(row: ProposalRow) -> Result<DecisionCard, StoreError> {
    let corrupt = |what, value: &str| StoreError::Corrupt {
        what,
        value: value.to_owned(),
    };
    let currency =
        Currency::from_code(&row.currency).ok_or_else(|| corrupt("currency", &row.currency))?;
    let sku = Sku::parse(&row.sku).map_err(|_| corrupt("SKU", &row.sku))?;
    let status = match &row.status {
        None => DecisionStatus::Pending,
        Some(status) => {
            DecisionStatus::from_name(status).ok_or_else(|| corrupt("decision status", status))?
        }
    };
    Ok(DecisionCard {
        decision: DecisionId::parse(&row.decision_id)
            .map_err(|_| corrupt("decision id", &row.decision_id))?,
        function: BusinessFunction::Category,
        change: format!(
            "Base price of {sku} from {} to {}",
            Money::new(row.from_minor, currency),
            Money::new(row.to_minor, currency)
        ),
        stream: sku.product_stream().to_string(),
        summary: row.summary,
        reasoning: row.reasoning,
        agents_involved: serde_json::from_str(&row.agents_involved)
            .map_err(|_| corrupt("agents involved", &row.agents_involved))?,
        data_considered: serde_json::from_str(&row.data_considered)
            .map_err(|_| corrupt("data considered", &row.data_considered))?,
        risk: Risk::from_name(&row.risk).ok_or_else(|| corrupt("risk", &row.risk))?,
        proposed_by: row.proposed_by,
        proposed_at: row.proposed_at,
        status,
        decided_by: row.decided_by,
        decided_at: row.decided_at,
        comment: row.comment.unwrap_or_default(),
        reversal: match (row.reversed_by, row.reversed_at) {
            (Some(by), Some(at)) => Some(kiln_core::decision::Reversal {
                by,
                at,
                comment: row.reversal_comment.unwrap_or_default(),
            }),
            _ => None,
        },
    })
}

/// The product a price proposal is about, if there is such a proposal.
pub async fn proposal_sku(
    store: &EventStore,
    decision: &DecisionId,
) -> Result<Option<Sku>, StoreError> {
    let sku: Option<String> = per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar("SELECT sku FROM price_change_proposals WHERE decision_id = $1")
            .bind(decision.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database("find a price proposal"))?;
    sku.map(|sku| {
        Sku::parse(&sku).map_err(|_| StoreError::Corrupt {
            what: "SKU",
            value: sku.clone(),
        })
    })
    .transpose()
}

/// How many times larger (or smaller) a new base price may be than the
/// one before it without a person's look: a change beyond it is more
/// often a slip of the keyboard ($4,400.00 for $44.00) than a decision.
pub const PRICE_JUMP_FACTOR: i64 = 10;

/// The rules a Category event keeps to reach the tables without a
/// person's look (see `store::holding`): a flagged event waits in the
/// Database Manager's quarantine, so the shop keeps the old price until a
/// person releases the change.
pub const EVENT_CHECKS: &[EventCheck] = &[EventCheck {
    name: "catalog-price-jumps",
    function: BusinessFunction::Category,
    invariant: "A base price change keeps the new price between a tenth of and ten times the price before it.",
    flags: price_jump,
}];

/// What is wrong with a base price change beyond [`PRICE_JUMP_FACTOR`].
fn price_jump(event: &RecordedEvent) -> Option<String> {
    if event.event_type != "BasePriceChanged" {
        return None;
    }
    let Ok(CategoryEvent::BasePriceChanged(change)) = projections::decode_one(event) else {
        // A payload that does not decode fails the projector, which
        // refuses the append; it is not this check's to judge.
        return None;
    };
    let (from, to) = (
        i128::from(change.from.minor_units),
        i128::from(change.to.minor_units),
    );
    let factor = i128::from(PRICE_JUMP_FACTOR);
    let how = if to > from * factor {
        "more than ten times what it was"
    } else if to * factor < from {
        "less than a tenth of what it was"
    } else {
        return None;
    };
    Some(format!(
        "the base price of {} went from {} to {}, {how}",
        change.sku, change.from, change.to
    ))
}

/// The invariants of the catalog (see `store::integrity`).
pub const INTEGRITY_CHECKS: &[IntegrityCheck] = &[
    IntegrityCheck {
        name: "catalog-prices-positive",
        function: BusinessFunction::Category,
        invariant: "Every product in the catalog has a base price above zero.",
        violations_sql: PerBackend {
            sqlite: "SELECT 'product ' || sku || ' is listed at ' || base_price_minor || ' minor units', \
                     json_array(last_position) \
                     FROM catalog_products WHERE base_price_minor <= 0 ORDER BY sku",
            postgres: "SELECT 'product ' || sku || ' is listed at ' || base_price_minor || ' minor units', \
                       json_build_array(last_position)::text \
                       FROM catalog_products WHERE base_price_minor <= 0 ORDER BY sku",
        },
    },
    IntegrityCheck {
        name: "catalog-matches-introductions",
        function: BusinessFunction::Category,
        invariant: "Every ProductIntroduced event has its row in catalog_products.",
        violations_sql: PerBackend {
            sqlite: "SELECT 'product ' || json_extract(e.payload, '$.sku') || \
                     ' was introduced but is missing from catalog_products', json_array(e.position) \
                     FROM events e \
                     WHERE e.function = 'category' AND e.event_type = 'ProductIntroduced' \
                       AND NOT EXISTS (SELECT 1 FROM catalog_products c \
                                       WHERE c.sku = json_extract(e.payload, '$.sku')) \
                     ORDER BY e.position",
            postgres: "SELECT 'product ' || (e.payload->>'sku') || \
                       ' was introduced but is missing from catalog_products', \
                       json_build_array(e.position)::text \
                       FROM events e \
                       WHERE e.function = 'category' AND e.event_type = 'ProductIntroduced' \
                         AND NOT EXISTS (SELECT 1 FROM catalog_products c \
                                         WHERE c.sku = e.payload->>'sku') \
                       ORDER BY e.position",
        },
    },
];

/// How the price proposals made by `proposed_by` (e.g. `agent:category`) fared.
pub async fn decision_counts(
    store: &EventStore,
    proposed_by: &str,
) -> Result<DecisionCounts, StoreError> {
    let (proposed, approved, rejected, automatic, reversed): (i64, i64, i64, i64, i64) =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT CAST(COUNT(*) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN v.status = 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN v.status = 'rejected' THEN 1 ELSE 0 END), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN v.status = 'carried_out_automatically' THEN 1 ELSE 0 END), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN r.decision_id IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT)
                 FROM price_change_proposals p
                 LEFT JOIN price_change_verdicts v ON v.decision_id = p.decision_id
                 LEFT JOIN price_change_reversals r ON r.decision_id = p.decision_id
                 WHERE p.proposed_by = $1",
            )
            .bind(proposed_by)
            .fetch_one(pool)
            .await
        })
        .map_err(database("count the proposals' verdicts"))?;
    Ok(DecisionCounts {
        proposed,
        approved,
        rejected,
        carried_out_automatically: automatic,
        reversed,
    })
}

/// How many price proposals `proposed_by` (e.g. `agent:category`) made at
/// or after `since` (UTC, RFC 3339): what its hourly rate limit counts.
pub async fn proposals_made_since(
    store: &EventStore,
    proposed_by: &str,
    since: &str,
) -> Result<i64, StoreError> {
    per_backend!(store.database(), Database, pool => {
        sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM price_change_proposals
             WHERE proposed_by = $1 AND proposed_at >= $2",
        )
        .bind(proposed_by)
        .bind(since)
        .fetch_one(pool)
        .await
    })
    .map_err(database(format!("count the proposals {proposed_by} made")))
}
