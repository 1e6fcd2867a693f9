//! Gathers the Business Overview's figures from the functions that own
//! them.

use crate::functions::BusinessFunction;
use crate::functions::platform_manager::decide::AccountTier;
use crate::functions::{category, customers, platform_manager};
use crate::staff::view::{DataTable, FunctionPage, Metric};
use crate::store::{EventStore, StoreError, integrity};

/// Fills the Business Overview's page: each built function's headline
/// figure, credited to the page it comes from, and every function's
/// status.
pub async fn fill_page(store: &EventStore, page: &mut FunctionPage) -> Result<(), StoreError> {
    let count = |items: usize| i64::try_from(items).unwrap_or(i64::MAX);
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
    page.metrics = vec![
        Metric::count("listed-products", "Listed products", count(products.len()))
            .from_function(BusinessFunction::Category),
        Metric::count(
            "dealer-companies",
            "Dealer companies",
            count(companies.len()),
        )
        .from_function(BusinessFunction::Customers),
        Metric::count(
            "pending-applications",
            "Dealer applications awaiting review",
            count(pending),
        )
        .from_function(BusinessFunction::Customers),
        Metric::count("shopper-accounts", "Shopper accounts", shoppers)
            .from_function(BusinessFunction::PlatformManager),
        Metric::count("events", "Events in the log", store.event_count().await?)
            .from_function(BusinessFunction::DatabaseManager),
        Metric::count("anomalies", "Integrity anomalies", count(anomalies.len()))
            .from_function(BusinessFunction::DatabaseManager),
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
        "Revenue and cash, inventory levels, the order pipeline, production status and trend charts: not built yet, because Accounts Receivable, Fulfillment and Production, which own those figures, are not built."
            .to_owned(),
    );
    Ok(())
}
