//! Category Management's application service: the one way its commands
//! reach the event log and its projections reach the pages.

use super::decide::{
    CategoryCommand, CategoryError, IntroduceProduct, ProductDetails, ProductState, decide,
};
use super::events::{
    CategoryEvent, Collection, FamilyKey, InvalidFamilyKey, InvalidSku, Sku, UnknownCollection,
    Variant,
};
use super::projection;
use super::view::{
    CatalogEntry, DecisionVerdictForm, MarketNoteForm, PriceProposalForm, ProductCard, ProductForm,
    ShopCard, StorefrontQuery,
};
use crate::store::{Appended, EventMetadata, EventStore, StoreError};
use kiln_core::decision::{DecisionError, DecisionId, Proposal, Risk, Verdict};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;
use kiln_core::money::{Currency, Money};

/// Why a catalog command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum CatalogServiceError {
    /// A catalog rule refused it.
    #[error(transparent)]
    Rejected(#[from] CategoryError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A SKU typed in a form is malformed.
    #[error(transparent)]
    Sku(#[from] InvalidSku),
    /// A collection chosen in a form does not exist.
    #[error(transparent)]
    Collection(#[from] UnknownCollection),
    /// A family key typed in a form is malformed.
    #[error(transparent)]
    Family(#[from] InvalidFamilyKey),
    /// A decision id that is not one.
    #[error(transparent)]
    DecisionId(#[from] kiln_core::decision::InvalidDecisionId),
    /// A risk other than low, medium or high.
    #[error("“{text}” is not a risk: use low, medium or high")]
    UnknownRisk {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// A verdict other than approve or reject.
    #[error("“{text}” is not a verdict: use approve or reject")]
    UnknownVerdict {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// A function slug among the agents involved that names no function.
    #[error("“{text}” is not a business function")]
    UnknownFunction {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// An option was typed without the family it is an option of.
    #[error("an option (“{option}”) needs the family it belongs to, e.g. speckled-mug")]
    OptionWithoutFamily {
        /// The option typed (its first 40 characters).
        option: String,
    },
}

/// The currency a first product is priced in. The shop sells in one
/// currency, the catalog's; Kiln has no setting for it yet.
const FIRST_PRODUCT_CURRENCY: Currency = Currency::Usd;

/// The text's first 40 characters, for quoting typed input in a refusal.
fn quoted(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A product's details as typed in `form`, with amounts in `currency`.
fn details_from_form(
    form: &ProductForm,
    currency: Currency,
) -> Result<ProductDetails, CatalogServiceError> {
    let collection: Collection = form
        .collection
        .trim()
        .parse()
        .map_err(|_| UnknownCollection {
            text: quoted(&form.collection),
        })?;
    let family = form.family.trim();
    let option = form.option.trim();
    let variant = match (family.is_empty(), option.is_empty()) {
        (true, true) => None,
        (true, false) => {
            return Err(CatalogServiceError::OptionWithoutFamily {
                option: quoted(option),
            });
        }
        (false, _) => Some(Variant {
            family: FamilyKey::parse(family)?,
            option: form.option.clone(),
        }),
    };
    let cost = form.unit_cost.trim();
    let unit_cost = if cost.is_empty() {
        None
    } else {
        Some(
            Money::parse_amount(cost, currency)
                .map_err(|invalid| CategoryError::InvalidCost { text: invalid.text })?,
        )
    };
    Ok(ProductDetails {
        name: form.name.clone(),
        collection,
        description: form.description.clone(),
        image: form.image.clone(),
        variant,
        unit_cost,
    })
}

/// The SKU typed in a form.
fn sku_from_form(text: &str) -> Result<Sku, InvalidSku> {
    Sku::parse(text.trim()).map_err(|_| InvalidSku { text: quoted(text) })
}

/// Introduces the product typed in the "introduce a product" form, priced
/// in the catalog's currency.
pub async fn introduce_from_form(
    store: &EventStore,
    actor: Actor,
    form: ProductForm,
) -> Result<Appended, CatalogServiceError> {
    let sku = sku_from_form(&form.sku)?;
    let currency = projection::catalog(store)
        .await?
        .first()
        .map_or(FIRST_PRODUCT_CURRENCY, |entry| entry.product.price.currency);
    let base_price = Money::parse_amount(&form.price, currency)
        .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?;
    let details = details_from_form(&form, currency)?;
    handle(
        store,
        actor,
        CategoryCommand::IntroduceProduct(IntroduceProduct {
            sku,
            base_price,
            details,
        }),
    )
    .await
}

/// The currency of `sku`'s prices, which amounts typed in its forms are
/// read in (refused when there is no such product).
async fn product_currency(store: &EventStore, sku: &Sku) -> Result<Currency, CatalogServiceError> {
    let history = store.load::<CategoryEvent>(&sku.product_stream()).await?;
    Ok(ProductState::from_events(&history.events)
        .base_price
        .ok_or_else(|| CategoryError::NoSuchProduct { sku: sku.clone() })?
        .currency)
}

/// Revises the product edited in the "edit a product" form.
pub async fn revise_from_form(
    store: &EventStore,
    actor: Actor,
    form: ProductForm,
) -> Result<Appended, CatalogServiceError> {
    let sku = sku_from_form(&form.sku)?;
    let currency = product_currency(store, &sku).await?;
    let details = details_from_form(&form, currency)?;
    let command = CategoryCommand::ReviseProduct { sku, details };
    handle(store, actor, command).await
}

/// Records the note typed in the "note a market price" form.
pub async fn note_market_price(
    store: &EventStore,
    actor: Actor,
    form: MarketNoteForm,
) -> Result<Appended, CatalogServiceError> {
    let sku = sku_from_form(&form.sku)?;
    let currency = product_currency(store, &sku).await?;
    let typed = form.their_price.trim();
    let their_price = if typed.is_empty() {
        None
    } else {
        Some(
            Money::parse_amount(typed, currency)
                .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?,
        )
    };
    let command = CategoryCommand::NoteMarketPrice {
        sku,
        source: form.source,
        their_price,
        note: form.note,
    };
    handle(store, actor, command).await
}

/// Decides `command` against the product's stream and appends the result
/// (see [`handle_with`]).
pub async fn handle(
    store: &EventStore,
    actor: Actor,
    command: CategoryCommand,
) -> Result<Appended, CatalogServiceError> {
    handle_with(
        store,
        command,
        &EventMetadata::new(actor, BusinessFunction::Category),
    )
    .await
}

/// Changes `sku`'s base price to the amount typed in `price` (in the
/// product's own currency), saying why. The typed amount is read here, at
/// the edge, because its currency is the product's. A change the event
/// checks flag (a new price more than ten times, or under a tenth of, the
/// old one), or one behind an earlier held change of the product, is
/// recorded but held back: `held_back` in the answer says so.
pub async fn change_base_price(
    store: &EventStore,
    actor: Actor,
    sku: super::events::Sku,
    price: &str,
    reason: String,
) -> Result<Appended, CatalogServiceError> {
    let currency = product_currency(store, &sku).await?;
    let to = kiln_core::money::Money::parse_amount(price, currency)
        .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?;
    handle(
        store,
        actor,
        CategoryCommand::ChangeBasePrice { sku, to, reason },
    )
    .await
}

/// Decides `command` against the product's stream and appends the result
/// with `metadata` (the store's one command path, which decides again when
/// another append to the product got in between).
async fn handle_with(
    store: &EventStore,
    command: CategoryCommand,
    metadata: &EventMetadata,
) -> Result<Appended, CatalogServiceError> {
    store
        .decide_and_append(&command.sku().product_stream(), metadata, |history| {
            decide(&ProductState::from_events(history), command.clone())
                .map_err(CatalogServiceError::from)
        })
        .await
}

/// Records an agent's proposal to change a product's base price, for a
/// person to approve or reject; answers the decision's id.
pub async fn propose_price_change(
    store: &EventStore,
    actor: Actor,
    form: PriceProposalForm,
) -> Result<DecisionId, CatalogServiceError> {
    let sku = sku_from_form(&form.sku)?;
    let currency = product_currency(store, &sku).await?;
    let to = Money::parse_amount(form.price.trim(), currency)
        .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?;
    let risk =
        Risk::from_name(form.risk.trim()).ok_or_else(|| CatalogServiceError::UnknownRisk {
            text: quoted(&form.risk),
        })?;
    let agents_involved = form
        .agents_involved
        .iter()
        .map(|slug| {
            BusinessFunction::from_slug(slug.trim())
                .ok_or_else(|| CatalogServiceError::UnknownFunction { text: quoted(slug) })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let decision = DecisionId::generate();
    let command = CategoryCommand::ProposePriceChange {
        sku,
        to,
        proposal: Proposal {
            decision: decision.clone(),
            summary: form.summary,
            reasoning: form.reasoning,
            agents_involved,
            data_considered: form.data_considered,
            risk,
        },
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Category).with_decision(&decision);
    handle_with(store, command, &metadata).await?;
    Ok(decision)
}

/// A person's verdict on a price proposal: approving it changes the price
/// in the same append. Answers the verdict given and the append (whose
/// `held_back` says whether the quarantine holds some of it back).
pub async fn decide_price_proposal(
    store: &EventStore,
    actor: Actor,
    form: DecisionVerdictForm,
) -> Result<(Verdict, Appended), CatalogServiceError> {
    let decision = DecisionId::parse(form.decision.trim()).map_err(|invalid| {
        kiln_core::decision::InvalidDecisionId {
            text: quoted(&invalid.text),
        }
    })?;
    let verdict = Verdict::from_name(form.verdict.trim()).ok_or_else(|| {
        CatalogServiceError::UnknownVerdict {
            text: quoted(&form.verdict),
        }
    })?;
    let sku = projection::proposal_sku(store, &decision)
        .await?
        .ok_or_else(|| {
            CategoryError::from(DecisionError::NoSuchDecision {
                decision: decision.clone(),
            })
        })?;
    let metadata = EventMetadata::new(actor, BusinessFunction::Category).with_decision(&decision);
    let command = CategoryCommand::DecideProposal {
        sku,
        decision,
        verdict,
        comment: form.comment,
    };
    let appended = handle_with(store, command, &metadata).await?;
    Ok((verdict, appended))
}

/// Every listed product for `query`, one per SKU (each option of a
/// family on its own).
pub async fn storefront_products(
    store: &EventStore,
    query: StorefrontQuery,
) -> Result<Vec<ProductCard>, StoreError> {
    projection::storefront_products(store, query).await
}

/// The storefront's cards for `query`: one per product, a family's
/// options behind one card.
pub async fn storefront_cards(
    store: &EventStore,
    query: StorefrontQuery,
) -> Result<Vec<ShopCard>, StoreError> {
    Ok(ShopCard::group(
        projection::storefront_products(store, query).await?,
    ))
}

/// Every product, listed or not, with its unit cost (staff only).
pub async fn catalog(store: &EventStore) -> Result<Vec<CatalogEntry>, StoreError> {
    projection::catalog(store).await
}

/// The listed options of `family`, cheapest first.
pub async fn family_options(
    store: &EventStore,
    family: &FamilyKey,
) -> Result<Vec<ProductCard>, StoreError> {
    projection::family(store, family).await
}

/// The listed product `sku`, as its storefront page shows it.
pub async fn storefront_product(
    store: &EventStore,
    sku: &super::events::Sku,
) -> Result<Option<ProductCard>, StoreError> {
    projection::product(store, sku).await
}

/// How many months of sales the page charts, the current one included.
const PERFORMANCE_MONTHS: u32 = 6;

/// How many decided proposals the page shows, under those waiting.
const DECIDED_SHOWN: i64 = 10;

/// How many base price changes and market notes the page shows, newest
/// first (its tables' JSON endpoints page within them).
const HISTORY_SHOWN: i64 = 50;

/// Fills Category Management's page: the catalog with listing status,
/// options, base prices and unit costs; product performance (units,
/// revenue and margin per month, charted); base price changes and market
/// price notes; the price proposals waiting and recently decided.
pub async fn fill_page(
    store: &EventStore,
    page: &mut crate::functions::view::FunctionPage,
) -> Result<(), StoreError> {
    use crate::functions::view::{DataTable, Metric};

    let catalog = projection::catalog(store).await?;
    let listed = catalog.iter().filter(|entry| entry.listed).count();
    let families: std::collections::HashSet<_> = catalog
        .iter()
        .filter_map(|entry| entry.product.variant.as_ref().map(|v| v.family.clone()))
        .collect();
    let changes = projection::price_changes(store, HISTORY_SHOWN).await?;
    let notes = projection::market_notes(store, HISTORY_SHOWN).await?;
    let months =
        crate::functions::descriptor::months_ending(chrono::Utc::now(), PERFORMANCE_MONTHS);
    let sales = crate::functions::customers::sales::monthly_sales(
        store,
        months.first().map_or("", |month| month.key.as_str()),
    )
    .await?;
    let performance = performance::Performance::of(&catalog, &months, &sales);
    page.decisions = projection::price_proposals(store, DECIDED_SHOWN).await?;
    let waiting = page
        .decisions
        .iter()
        .filter(|card| card.status == kiln_core::decision::DecisionStatus::Pending)
        .count();
    page.metrics = vec![
        Metric::count("listed-products", "Listed products", listed),
        Metric::count(
            "delisted-products",
            "Delisted products",
            catalog.len() - listed,
        ),
        Metric::count("product-families", "Products with options", families.len()),
        performance.revenue_metric(),
        performance.margin_metric(),
        Metric::count(
            "price-changes",
            &format!("Base price changes (the newest {HISTORY_SHOWN})"),
            changes.len(),
        ),
        Metric::count(
            "decisions-waiting",
            "Proposals waiting for a person",
            waiting,
        ),
    ];
    page.trends = performance.charts();
    let mut table = DataTable::new(
        "catalog",
        "Catalog and base prices",
        &[
            "SKU",
            "Product",
            "Option",
            "Collection",
            "Base price",
            "Unit cost",
            "Margin",
            "Status",
        ],
        "No product has been introduced yet.",
    );
    for entry in &catalog {
        let product = &entry.product;
        table.row(vec![
            product.sku.to_string(),
            product.name.clone(),
            product
                .variant
                .as_ref()
                .map_or(String::new(), |variant| variant.option.clone()),
            product.collection.label().to_owned(),
            product.price.to_string(),
            entry
                .unit_cost
                .map_or("not costed".to_owned(), |cost| cost.to_string()),
            entry
                .unit_cost
                .and_then(|cost| performance::margin_percent(product.price, cost))
                .unwrap_or_else(|| "–".to_owned()),
            if entry.listed { "listed" } else { "delisted" }.to_owned(),
        ]);
    }
    let mut history = DataTable::new(
        "base-price-changes",
        &format!("Base price changes (the newest {HISTORY_SHOWN})"),
        &["When (UTC)", "SKU", "From", "To", "Reason"],
        "No base price has changed yet.",
    );
    for change in changes {
        history.row(vec![
            short_time(&change.changed_at),
            change.sku.to_string(),
            change.from.to_string(),
            change.to.to_string(),
            change.reason,
        ]);
    }
    let mut market = DataTable::new(
        "market-price-notes",
        &format!("Market pricing notes (the newest {HISTORY_SHOWN})"),
        &["When (UTC)", "SKU", "Source", "Their price", "Note"],
        "Nobody has noted a market price yet.",
    );
    for note in notes {
        market.row(vec![
            short_time(&note.noted_at),
            note.sku.to_string(),
            note.source,
            note.their_price
                .map_or(String::new(), |price| price.to_string()),
            note.note,
        ]);
    }
    page.tables = vec![table, performance.table(), history, market];
    page.catalog = catalog;
    Ok(())
}

/// An RFC 3339 time as tables show it: `2026-11-28 14:05`.
fn short_time(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

pub mod performance {
    //! Product performance: units, revenue and margin per month, worked
    //! out from the order lines' monthly sums. Pure, so it is tested
    //! without a database.

    use super::super::events::{Collection, Sku};
    use super::super::view::CatalogEntry;
    use crate::functions::customers::sales::MonthlySales;
    use crate::functions::descriptor::Month;
    use crate::functions::view::{
        ChartUnit, DataTable, Metric, SeriesStyle, TrendChart, TrendSeries,
    };
    use kiln_core::money::{Currency, Money};
    use std::collections::HashMap;

    /// The margin of selling at `price` what costs `cost` to make, as a
    /// percentage of the price, e.g. "68%".
    pub fn margin_percent(price: Money, cost: Money) -> Option<String> {
        (price.minor_units > 0 && price.currency == cost.currency).then(|| {
            let margin = (price.minor_units - cost.minor_units) * 100 / price.minor_units;
            format!("{margin}%")
        })
    }

    /// One product's sums over the charted months.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    struct ProductSums {
        units: i64,
        revenue: i64,
        cost: i64,
        costed_revenue: i64,
    }

    /// Sales over the charted months, by month and by product.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Performance {
        months: Vec<Month>,
        currency: Currency,
        /// Per month: revenue, margin (on costed revenue).
        revenue: Vec<i64>,
        margin: Vec<i64>,
        /// Per collection, units per month.
        units: Vec<(Collection, Vec<i64>)>,
        /// Per product, in catalog order: SKU, title, sums.
        products: Vec<(Sku, String, ProductSums)>,
    }

    impl Performance {
        /// Sums `sales` over `months` for the products of `catalog`.
        pub fn of(catalog: &[CatalogEntry], months: &[Month], sales: &[MonthlySales]) -> Self {
            let slot: HashMap<&str, usize> = months
                .iter()
                .enumerate()
                .map(|(index, month)| (month.key.as_str(), index))
                .collect();
            let collection_of: HashMap<&Sku, Collection> = catalog
                .iter()
                .map(|entry| (&entry.product.sku, entry.product.collection))
                .collect();
            let mut revenue = vec![0; months.len()];
            let mut margin = vec![0; months.len()];
            let mut units: Vec<(Collection, Vec<i64>)> = Collection::ALL
                .into_iter()
                .map(|collection| (collection, vec![0; months.len()]))
                .collect();
            let mut sums: HashMap<&Sku, ProductSums> = HashMap::new();
            let currency = catalog
                .first()
                .map_or(Currency::Usd, |entry| entry.product.price.currency);
            for sale in sales {
                let Some(&index) = slot.get(sale.month.as_str()) else {
                    continue;
                };
                if sale.revenue.currency != currency {
                    continue;
                }
                revenue[index] += sale.revenue.minor_units;
                margin[index] += sale.costed_revenue.minor_units - sale.cost.minor_units;
                if let Some(collection) = collection_of.get(&sale.sku)
                    && let Some((_, series)) = units.iter_mut().find(|(c, _)| c == collection)
                {
                    series[index] += sale.units;
                }
                let product = sums.entry(&sale.sku).or_default();
                product.units += sale.units;
                product.revenue += sale.revenue.minor_units;
                product.cost += sale.cost.minor_units;
                product.costed_revenue += sale.costed_revenue.minor_units;
            }
            let products = catalog
                .iter()
                .map(|entry| {
                    (
                        entry.product.sku.clone(),
                        entry.product.title(),
                        sums.get(&entry.product.sku).cloned().unwrap_or_default(),
                    )
                })
                .collect();
            Performance {
                months: months.to_vec(),
                currency,
                revenue,
                margin,
                units,
                products,
            }
        }

        fn period(&self) -> String {
            format!("last {} months", self.months.len())
        }

        /// Revenue over the charted months.
        pub fn revenue_metric(&self) -> Metric {
            Metric {
                key: "revenue-6-months".into(),
                label: format!("Revenue, {}", self.period()),
                value: Money::new(self.revenue.iter().sum(), self.currency).to_string(),
                source: None,
            }
        }

        /// Gross margin over the charted months, on the costed sales.
        pub fn margin_metric(&self) -> Metric {
            let margin: i64 = self.margin.iter().sum();
            let costed: i64 = self
                .products
                .iter()
                .map(|(_, _, sums)| sums.costed_revenue)
                .sum();
            Metric {
                key: "margin-6-months".into(),
                label: format!("Gross margin, {}", self.period()),
                value: if costed > 0 {
                    format!(
                        "{} ({}%)",
                        Money::new(margin, self.currency),
                        margin * 100 / costed
                    )
                } else {
                    "no costed sales".into()
                },
                source: None,
            }
        }

        /// Revenue and margin per month; units per month by collection.
        pub fn charts(&self) -> Vec<TrendChart> {
            let periods: Vec<String> = self.months.iter().map(|m| m.label.clone()).collect();
            vec![
                TrendChart {
                    key: "revenue-by-month".into(),
                    title: "Revenue and gross margin by month (before tax)".into(),
                    periods: periods.clone(),
                    series: vec![
                        TrendSeries {
                            name: "Revenue".into(),
                            style: SeriesStyle::Bars,
                            values: self.revenue.clone(),
                        },
                        TrendSeries {
                            name: "Gross margin".into(),
                            style: SeriesStyle::Line,
                            values: self.margin.clone(),
                        },
                    ],
                    unit: ChartUnit::Money(self.currency),
                    source: None,
                },
                TrendChart {
                    key: "units-by-month".into(),
                    title: "Units sold by month, by collection".into(),
                    periods,
                    series: self
                        .units
                        .iter()
                        .map(|(collection, values)| TrendSeries {
                            name: collection.label().into(),
                            style: SeriesStyle::Bars,
                            values: values.clone(),
                        })
                        .collect(),
                    unit: ChartUnit::Count,
                    source: None,
                },
            ]
        }

        /// Each product's units, revenue and margin over the months,
        /// best sellers by revenue first.
        pub fn table(&self) -> DataTable {
            let mut table = DataTable::new(
                "product-performance",
                &format!("Product performance, {}", self.period()),
                &[
                    "SKU",
                    "Product",
                    "Units",
                    "Revenue",
                    "Gross margin",
                    "Margin %",
                ],
                "Nothing has been sold in these months.",
            );
            let mut products: Vec<&(Sku, String, ProductSums)> = self.products.iter().collect();
            products.sort_by(|a, b| b.2.revenue.cmp(&a.2.revenue).then(a.0.cmp(&b.0)));
            for (sku, title, sums) in products {
                let margin = sums.costed_revenue - sums.cost;
                table.row(vec![
                    sku.to_string(),
                    title.clone(),
                    sums.units.to_string(),
                    Money::new(sums.revenue, self.currency).to_string(),
                    if sums.costed_revenue > 0 {
                        Money::new(margin, self.currency).to_string()
                    } else {
                        "–".into()
                    },
                    if sums.costed_revenue > 0 {
                        format!("{}%", margin * 100 / sums.costed_revenue)
                    } else {
                        "–".into()
                    },
                ]);
            }
            table
        }
    }
    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::functions::category::view::ProductCard;
        use crate::functions::descriptor::months_ending;
        use chrono::{DateTime, Utc};

        fn at(text: &str) -> DateTime<Utc> {
            text.parse().expect("date")
        }

        #[test]
        fn six_months_end_with_the_current_one_across_a_new_year() {
            let months = months_ending(at("2026-02-10T00:00:00Z"), 6);
            let keys: Vec<&str> = months.iter().map(|m| m.key.as_str()).collect();
            assert_eq!(
                keys,
                [
                    "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"
                ]
            );
            assert_eq!(months[3].label, "Dec 2025");
        }

        fn usd(minor: i64) -> Money {
            Money::new(minor, Currency::Usd)
        }

        fn entry(sku: &str, collection: Collection) -> CatalogEntry {
            CatalogEntry {
                product: ProductCard {
                    sku: Sku::parse(sku).expect("SKU"),
                    name: sku.into(),
                    collection,
                    description: String::new(),
                    price: usd(2800),
                    image: "/x.svg".into(),
                    variant: None,
                },
                listed: true,
                unit_cost: Some(usd(900)),
            }
        }

        fn sale(month: &str, sku: &str, units: i64, revenue: i64, cost: i64) -> MonthlySales {
            MonthlySales {
                month: month.into(),
                sku: Sku::parse(sku).expect("SKU"),
                units,
                revenue: usd(revenue),
                cost: usd(cost),
                costed_revenue: usd(revenue),
            }
        }

        #[test]
        fn sales_are_summed_per_month_per_collection_and_per_product() {
            let months = months_ending(at("2026-11-28T00:00:00Z"), 2);
            let catalog = [
                entry("MUG-1", Collection::Mugs),
                entry("BOWL-1", Collection::Tableware),
            ];
            let performance = Performance::of(
                &catalog,
                &months,
                &[
                    sale("2026-10", "MUG-1", 2, 5600, 1800),
                    sale("2026-11", "MUG-1", 1, 2800, 900),
                    sale("2026-11", "BOWL-1", 3, 9000, 3000),
                    // Older than the charted months: left out.
                    sale("2026-01", "BOWL-1", 9, 27000, 9000),
                ],
            );
            let charts = performance.charts();
            assert_eq!(charts[0].series[0].values, vec![5600, 11800]);
            assert_eq!(charts[0].series[1].values, vec![3800, 7900]);
            let mugs = &charts[1].series[0];
            assert_eq!(
                (mugs.name.as_str(), mugs.values.clone()),
                ("Mugs", vec![2, 1])
            );
            assert_eq!(charts[1].series[2].values, vec![0, 3]);
            assert_eq!(performance.revenue_metric().value, "$174.00");
            assert_eq!(performance.margin_metric().value, "$117.00 (67%)");
            let table = performance.table();
            assert_eq!(table.rows[0][..4], ["BOWL-1", "BOWL-1", "3", "$90.00"]);
            assert_eq!(table.rows[1][4..], ["$57.00", "67%"]);
        }

        #[test]
        fn a_margin_is_a_share_of_the_price() {
            assert_eq!(margin_percent(usd(2800), usd(900)), Some("67%".into()));
            assert_eq!(margin_percent(usd(0), usd(900)), None);
        }
    }
}

/// Category Management's figures on the Business Overview: the listed
/// products, revenue and margin this month, the revenue trend, and the
/// listed products per collection.
pub async fn headline(
    store: &EventStore,
    months: &crate::functions::descriptor::Months,
) -> Result<crate::functions::descriptor::Headline, StoreError> {
    use crate::functions::view::{Bar, BarChart, Metric};
    let products = projection::storefront_products(store, Default::default()).await?;
    let first_month = months.first().map_or("", |month| month.key.as_str());
    let catalog = projection::catalog(store).await?;
    let sales = crate::functions::customers::sales::monthly_sales(store, first_month).await?;
    let performance = performance::Performance::of(&catalog, months, &sales);
    let mut trends = performance.charts();
    trends.truncate(1);
    let mut collections = std::collections::BTreeMap::new();
    for product in &products {
        *collections
            .entry(product.collection.label())
            .or_insert(0_i64) += 1;
    }
    Ok(crate::functions::descriptor::Headline {
        metrics: vec![
            Metric::count("listed-products", "Listed products", products.len()),
            performance.revenue_metric(),
            performance.margin_metric(),
        ],
        trends,
        charts: vec![BarChart {
            key: "products-per-collection".to_owned(),
            title: "Listed products per collection".to_owned(),
            bars: collections
                .into_iter()
                .map(|(label, value)| Bar {
                    label: label.to_owned(),
                    value,
                })
                .collect(),
            source: None,
        }],
    })
}

#[cfg(test)]
mod proposal_tests {
    use super::*;
    use crate::demo::load_demo_business;
    use crate::testing::store_tests;
    use kiln_core::decision::{DataReference, DecisionStatus};

    fn agent() -> Actor {
        Actor::parse("agent:category").expect("actor")
    }

    fn person() -> Actor {
        Actor::parse("user:acc-0000000000000001").expect("actor")
    }

    /// The demo's speckled mug ($28.00) proposed at `price`.
    fn proposal(price: &str) -> PriceProposalForm {
        PriceProposalForm {
            sku: "MUG-SPECKLE-12".into(),
            price: price.into(),
            summary: "Raise the speckled mug to $30: rivals charge $32".into(),
            reasoning: "Three market notes this month.".into(),
            risk: "low".into(),
            agents_involved: vec!["promotions".into()],
            data_considered: vec![DataReference {
                label: "Market notes".into(),
                href: "/api/functions/category/tables/market-notes".into(),
            }],
        }
    }

    fn verdict(decision: &DecisionId, verdict: &str, comment: &str) -> DecisionVerdictForm {
        DecisionVerdictForm {
            decision: decision.to_string(),
            verdict: verdict.into(),
            comment: comment.into(),
        }
    }

    store_tests! {
        async fn an_approved_proposal_changes_the_price_with_the_decision_in_the_metadata(store) {
            load_demo_business(&store).await.expect("demo");
            let decision = propose_price_change(&store, agent(), proposal("30.00"))
                .await
                .expect("proposed");

            let cards = crate::functions::category::projection::price_proposals(&store, 10)
                .await
                .expect("cards");
            assert_eq!(cards.len(), 1);
            assert_eq!(cards[0].status, DecisionStatus::Pending);
            assert_eq!(cards[0].change, "Base price of MUG-SPECKLE-12 from $28.00 to $30.00");
            assert_eq!(cards[0].proposed_by, "agent:category");
            assert_eq!(
                cards[0].agents_involved,
                vec![BusinessFunction::Category, BusinessFunction::Promotions]
            );

            let (given, appended) = decide_price_proposal(&store, person(), verdict(&decision, "approve", "Agreed"))
                .await
                .expect("approved");
            assert_eq!(given, Verdict::Approve);
            assert_eq!(appended.held_back, 0);

            let sku = Sku::parse("MUG-SPECKLE-12").expect("SKU");
            let stream = sku.product_stream();
            let head = store.head_position().await.expect("head");
            // Positions may have gaps on PostgreSQL: read a few, keep the last two.
            let read = store.read_after(head - 10, 10).await.expect("events");
            let newest = &read[read.len() - 2..];
            let types: Vec<&str> = newest.iter().map(|event| event.event_type.as_str()).collect();
            assert_eq!(types, ["DecisionApproved", "BasePriceChanged"]);
            for event in newest {
                assert_eq!(event.stream_id, stream.as_str());
                assert_eq!(event.metadata.decision_id.as_deref(), Some(decision.as_str()));
                assert_eq!(event.metadata.actor, person());
            }
            let card = projection::product(&store, &sku).await.expect("read").expect("product");
            assert_eq!(card.price, Money::new(3000, Currency::Usd));
            let cards = crate::functions::category::projection::price_proposals(&store, 10)
                .await
                .expect("cards");
            assert_eq!(cards[0].status, DecisionStatus::Approved);
            assert_eq!(cards[0].comment, "Agreed");
            assert_eq!(cards[0].decided_by.as_deref(), Some("user:acc-0000000000000001"));

            // The projection is the log's: rebuilt, it is the same.
            let report = crate::store::projections::rebuild(&store, Some("price-proposals"), |_| {})
                .await
                .expect("rebuilt");
            assert!(report.all_equal(), "{:?}", report.tables);
        }

        async fn a_proposal_or_verdict_with_bad_input_records_nothing(store) {
            load_demo_business(&store).await.expect("demo");
            let head = store.head_position().await.expect("head");
            for (form, refusal) in [
                (PriceProposalForm { risk: "tiny".into(), ..proposal("30") }, "“tiny” is not a risk: use low, medium or high"),
                (PriceProposalForm { price: "thirty".into(), ..proposal("30") }, "“thirty” is not a price: give it like 28 or 28.50"),
                (PriceProposalForm { summary: " ".into(), ..proposal("30") }, "write the proposal's summary: what should be done and why"),
                (PriceProposalForm { agents_involved: vec!["sales".into()], ..proposal("30") }, "“sales” is not a business function"),
                (PriceProposalForm { sku: "NOPE-1".into(), ..proposal("30") }, "there is no product NOPE-1 in the catalog"),
            ] {
                let refused = propose_price_change(&store, agent(), form).await.expect_err("refused");
                assert_eq!(refused.to_string(), refusal);
            }
            let unknown = DecisionId::from_random([7; 8]);
            for (form, refusal) in [
                (verdict(&unknown, "approve", ""), format!("there is no decision {unknown}")),
                (verdict(&unknown, "maybe", ""), "“maybe” is not a verdict: use approve or reject".to_owned()),
                (DecisionVerdictForm { decision: "dec-1".into(), verdict: "approve".into(), comment: String::new() }, "“dec-1” is not a decision id (dec- and 16 hex digits)".to_owned()),
            ] {
                let refused = decide_price_proposal(&store, person(), form).await.expect_err("refused");
                assert_eq!(refused.to_string(), refusal);
            }
            assert_eq!(store.head_position().await.expect("head"), head);
        }

        async fn a_rejected_proposal_keeps_the_price_and_frees_the_product_for_another(store) {
            load_demo_business(&store).await.expect("demo");
            let first = propose_price_change(&store, agent(), proposal("30")).await.expect("proposed");
            let second = propose_price_change(&store, agent(), proposal("31")).await.expect_err("one waits");
            assert_eq!(
                second.to_string(),
                format!("product MUG-SPECKLE-12 already has a price change waiting for a decision ({first})")
            );
            decide_price_proposal(&store, person(), verdict(&first, "reject", "Not before the fair"))
                .await
                .expect("rejected");
            let sku = Sku::parse("MUG-SPECKLE-12").expect("SKU");
            let card = projection::product(&store, &sku).await.expect("read").expect("product");
            assert_eq!(card.price, Money::new(2800, Currency::Usd));
            let again = decide_price_proposal(&store, person(), verdict(&first, "approve", ""))
                .await
                .expect_err("decided");
            assert_eq!(again.to_string(), format!("decision {first} was rejected already"));
            propose_price_change(&store, agent(), proposal("31")).await.expect("a new one may wait");
        }
    }
}
