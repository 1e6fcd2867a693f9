//! Gathers the Business Overview's figures from the functions that own
//! them.

use crate::functions::descriptor::FunctionDescriptor;
use crate::functions::view::{BarChart, DataTable, FunctionPage, Metric, TrendChart};
use crate::store::{EventStore, StoreError};
use kiln_core::function::BusinessFunction;

/// Fills the Business Overview's page: each built function's headline
/// (its descriptor's), credited to the page it comes from, and every
/// function's status.
pub async fn fill_page(
    store: &EventStore,
    built: &[&FunctionDescriptor],
    page: &mut FunctionPage,
) -> Result<(), StoreError> {
    let months = crate::functions::descriptor::months_ending(chrono::Utc::now(), 6);
    for descriptor in built {
        let Some(headline) = descriptor.headline else {
            continue;
        };
        let headline = headline(store, &months).await?;
        let source = Some(descriptor.function.page_url());
        page.metrics
            .extend(headline.metrics.into_iter().map(|metric| Metric {
                source: source.clone(),
                ..metric
            }));
        page.trends
            .extend(headline.trends.into_iter().map(|chart| TrendChart {
                source: source.clone(),
                ..chart
            }));
        page.charts
            .extend(headline.charts.into_iter().map(|chart| BarChart {
                source: source.clone(),
                ..chart
            }));
    }
    let mut functions = DataTable::new(
        "functions",
        "Every function",
        &["Function", "Group", "Phase", "Status"],
        "",
    );
    for function in BusinessFunction::ALL {
        let status = if crate::functions::descriptor::is_built(built, function) {
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
