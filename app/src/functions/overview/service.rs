//! Gathers the Business Overview's figures from the functions that own
//! them.

use crate::functions::platform_manager::decide::AccountTier;
use crate::functions::{BusinessFunction, FunctionGroup};
use crate::functions::{category, customers, platform_manager};
use crate::staff::view::{
    Bar, BarChart, ChartUnit, DataTable, FunctionPage, Metric, SeriesStyle, TrendChart, TrendSeries,
};
use crate::store::{EventStore, StoreError, integrity};

/// The Database Manager's headline over time: the events each group of
/// functions recorded per month (by when their facts happened), stacked.
async fn events_by_month(
    store: &EventStore,
    months: &[category::service::performance::Month],
) -> Result<TrendChart, StoreError> {
    let first_month = months.first().map_or("", |month| month.key.as_str());
    let counted = store.events_per_month(first_month).await?;
    let series = FunctionGroup::ALL
        .into_iter()
        .map(|group| TrendSeries {
            name: group.title().to_owned(),
            style: SeriesStyle::Bars,
            values: months
                .iter()
                .map(|month| {
                    counted
                        .iter()
                        .filter(|(key, function, _)| *key == month.key && function.group() == group)
                        .map(|(_, _, events)| *events)
                        .sum()
                })
                .collect(),
        })
        // A group that recorded nothing in these months is left out of
        // the legend rather than drawn as nothing.
        .filter(|series| series.values.iter().any(|events| *events > 0))
        .collect();
    Ok(TrendChart {
        key: "events-by-month".into(),
        title: "Events recorded per month, by group of functions".into(),
        periods: months.iter().map(|month| month.label.clone()).collect(),
        series,
        unit: ChartUnit::Count,
        source: Some(BusinessFunction::DatabaseManager.page_url()),
    })
}

/// Fills the Business Overview's page: each built function's headline
/// figure, credited to the page it comes from, and every function's
/// status.
pub async fn fill_page(store: &EventStore, page: &mut FunctionPage) -> Result<(), StoreError> {
    let products = category::projection::storefront_products(store, Default::default()).await?;
    let companies = customers::projection::dealer_companies(store).await?;
    let pending = customers::projection::applications(store)
        .await?
        .into_iter()
        .filter(|application| application.status == "pending")
        .count();
    let accounts = platform_manager::projection::account_counts(store).await?;
    let shoppers = accounts
        .iter()
        .find(|(tier, _)| *tier == AccountTier::Consumer)
        .map_or(0, |(_, count)| *count);
    let anomalies = integrity::anomalies(store).await?;
    let orders = customers::projection::order_totals(store).await?;
    page.metrics = vec![
        Metric::count("orders", "Orders placed", orders.orders)
            .from_function(BusinessFunction::Customers),
        Metric::count("listed-products", "Listed products", products.len())
            .from_function(BusinessFunction::Category),
        Metric::count("dealer-companies", "Dealer companies", companies.len())
            .from_function(BusinessFunction::Customers),
        Metric::count(
            "pending-applications",
            "Dealer applications awaiting review",
            pending,
        )
        .from_function(BusinessFunction::Customers),
        Metric::count("shopper-accounts", "Shopper accounts", shoppers)
            .from_function(BusinessFunction::PlatformManager),
        Metric::count("events", "Events in the log", store.event_count().await?)
            .from_function(BusinessFunction::DatabaseManager),
        Metric::count("anomalies", "Integrity anomalies", anomalies.len())
            .from_function(BusinessFunction::DatabaseManager),
    ];
    // Revenue, the order pipeline and the stock, each from its owner.
    let months = category::service::performance::months_ending(chrono::Utc::now(), 6);
    let first_month = months.first().map_or("", |month| month.key.as_str());
    let catalog = category::projection::catalog(store).await?;
    let sales = customers::sales::monthly_sales(store, first_month).await?;
    let performance = category::service::performance::Performance::of(&catalog, &months, &sales);
    page.metrics.push(
        performance
            .revenue_metric()
            .from_function(BusinessFunction::Category),
    );
    page.metrics.push(
        performance
            .margin_metric()
            .from_function(BusinessFunction::Category),
    );
    for (status, orders, total) in customers::projection::orders_by_status(store).await? {
        page.metrics.push(Metric {
            key: format!(
                "orders-{}-{}",
                status.as_str().replace('_', "-"),
                total.currency.code().to_lowercase()
            ),
            label: format!("Orders {}", status.label().to_lowercase()),
            value: format!("{orders} ({total})"),
            source: Some(BusinessFunction::Customers.page_url()),
        });
    }
    let stock = {
        use crate::functions::fulfillment::projection::{StockSummary, stock_levels};
        StockSummary::of(&stock_levels(store).await?)
    };
    page.metrics.push(
        Metric::count("units-in-stock", "Units on the shelves", stock.available)
            .from_function(BusinessFunction::Fulfillment),
    );
    page.metrics.push(
        Metric::count(
            "products-low-or-out",
            "Products low or out of stock",
            stock.low + stock.out,
        )
        .from_function(BusinessFunction::Fulfillment),
    );
    let mut revenue = performance.charts();
    revenue.truncate(1);
    for chart in &mut revenue {
        chart.source = Some(BusinessFunction::Category.page_url());
    }
    let by_month = customers::sales::orders_by_month(store, first_month).await?;
    let channel = |name: &str| -> Vec<i64> {
        months
            .iter()
            .map(|month| {
                by_month
                    .iter()
                    .filter(|(key, channel, _)| *key == month.key && channel == name)
                    .map(|(_, _, orders)| *orders)
                    .sum()
            })
            .collect()
    };
    revenue.push(TrendChart {
        key: "orders-by-month".into(),
        title: "Orders by month, shoppers and dealers".into(),
        periods: months.iter().map(|month| month.label.clone()).collect(),
        series: vec![
            TrendSeries {
                name: "Shoppers".into(),
                style: SeriesStyle::Bars,
                values: channel("consumer"),
            },
            TrendSeries {
                name: "Dealers".into(),
                style: SeriesStyle::Bars,
                values: channel("dealer"),
            },
        ],
        unit: ChartUnit::Count,
        source: Some(BusinessFunction::Customers.page_url()),
    });
    // Fulfillment's headline, the units on the shelves, has no history
    // (a count replaces the one before), so its trend is the work that
    // comes to it: the units ordered each month, to pick and ship.
    revenue.push(TrendChart {
        key: "units-ordered-by-month".into(),
        title: "Units ordered per month, to pick and ship".into(),
        periods: months.iter().map(|month| month.label.clone()).collect(),
        series: vec![TrendSeries {
            name: "Units ordered".into(),
            style: SeriesStyle::Line,
            values: months
                .iter()
                .map(|month| {
                    sales
                        .iter()
                        .filter(|sold| sold.month == month.key)
                        .map(|sold| sold.units)
                        .sum()
                })
                .collect(),
        }],
        unit: ChartUnit::Count,
        source: Some(BusinessFunction::Fulfillment.page_url()),
    });
    revenue.push(platform_manager::service::accounts_opened_chart(store, &months).await?);
    revenue.push(events_by_month(store, &months).await?);
    page.trends = revenue;
    let mut collections = std::collections::BTreeMap::new();
    for product in &products {
        *collections
            .entry(product.collection.label())
            .or_insert(0_i64) += 1;
    }
    page.charts = vec![
        BarChart {
            key: "products-per-collection".to_owned(),
            title: "Listed products per collection".to_owned(),
            bars: collections
                .into_iter()
                .map(|(label, value)| Bar {
                    label: label.to_owned(),
                    value,
                })
                .collect(),
            source: Some(BusinessFunction::Category.page_url()),
        },
        crate::functions::database_manager::service::events_per_function(store).await?,
    ];
    let mut functions = DataTable::new(
        "functions",
        "Every function",
        &["Function", "Group", "Phase", "Status"],
        "",
    );
    for function in BusinessFunction::ALL {
        let status = if function.page_built() {
            "live"
        } else {
            "not built yet"
        };
        functions.row(vec![
            function.title().to_owned(),
            function.group().title().to_owned(),
            function.phase().to_string(),
            status.to_owned(),
        ]);
    }
    page.tables = vec![functions];
    page.not_built_yet.push(
        "Cash received and owed as Accounts Receivable will keep it (today: orders by payment status), production status, and a trend for the headline figure of every function: not built yet, because Accounts Receivable, Production and most functions are not built. Of the built ones, the units on the shelves have no trend (a stock count replaces the one before); Fulfillment's trend is the units ordered."
            .to_owned(),
    );
    Ok(())
}
