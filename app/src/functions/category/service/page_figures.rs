//! The figures Category Management's page and the Business Overview show.

use crate::functions::category::projection;
use crate::store::{EventStore, StoreError};

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

    use crate::functions::category::events::{Collection, Sku};
    use crate::functions::category::view::CatalogEntry;
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
