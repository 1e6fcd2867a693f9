//! Gathers the Business Overview's figures from the functions that own
//! them.

use crate::functions::BusinessFunction;
use crate::functions::platform_manager::decide::AccountTier;
use crate::functions::{category, customers, platform_manager};
use crate::staff::view::{Bar, BarChart, DataTable, FunctionPage, Metric};
use crate::store::{EventStore, StoreError, integrity};

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
        "Revenue and cash, inventory levels, the order pipeline, production status and trend charts over time: not built yet, because Accounts Receivable, Fulfillment and Production, which own those figures, are not built."
            .to_owned(),
    );
    Ok(())
}
