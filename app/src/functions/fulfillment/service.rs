//! Fulfillment's application service.

use super::decide::{FulfillmentCommand, FulfillmentError, decide};
use super::events::FulfillmentEvent;
use crate::functions::category::events::{CategoryEvent, Sku};
use crate::store::{Appended, EventMetadata, EventStore, StoreError};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;

/// Why a Fulfillment command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum FulfillmentServiceError {
    /// A Fulfillment rule refused it.
    #[error(transparent)]
    Refused(#[from] FulfillmentError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records a count of `sku`'s finished units, made at `counted_at` when
/// that was earlier than now (a count brought in as history).
pub async fn record_stock_count(
    store: &EventStore,
    actor: Actor,
    sku: Sku,
    on_hand: i64,
    counted_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Appended, FulfillmentServiceError> {
    // Only the catalog knows which products exist.
    let product = store.load::<CategoryEvent>(&sku.product_stream()).await?;
    if product.events.is_empty() {
        return Err(FulfillmentError::NoSuchProduct { sku }.into());
    }
    let stream = sku.stock_stream();
    let command = FulfillmentCommand::RecordStockCount { sku, on_hand };
    let mut metadata = EventMetadata::new(actor, BusinessFunction::Fulfillment);
    if let Some(at) = counted_at {
        metadata = metadata.occurred_at(at);
    }
    // A count stands on its own: the stream's history does not change it.
    store
        .decide_and_append(&stream, &metadata, |_: &[FulfillmentEvent]| {
            decide(command.clone()).map_err(FulfillmentServiceError::from)
        })
        .await
}

/// Fills Fulfillment's page: the stock of every product (its last count,
/// the units ordered since, what is available), the figures that sum it,
/// and the products the count form offers.
pub async fn fill_page(
    store: &EventStore,
    page: &mut crate::functions::view::FunctionPage,
) -> Result<(), StoreError> {
    use super::projection;
    use crate::functions::category::{service as catalog, view::StorefrontQuery};
    use crate::functions::view::{Choice, ChoiceList, DataTable, Metric};

    let levels = projection::stock_levels(store).await?;
    let summary = projection::StockSummary::of(&levels);
    let products = catalog::catalog(store).await?;
    page.metrics = vec![
        Metric::count("units-in-stock", "Units on the shelves", summary.available),
        Metric::count("products-counted", "Products counted", summary.counted),
        Metric::count("products-low", "Products low on stock", summary.low),
        Metric::count("products-out", "Products out of stock", summary.out),
    ];
    let mut table = DataTable::new(
        "stock",
        "Stock on the shelves",
        &[
            "SKU",
            "Product",
            "Counted",
            "Counted at (UTC)",
            "Ordered since",
            "Available",
            "Status",
        ],
        "Nobody has counted the stock yet.",
    );
    for level in &levels {
        let title = products
            .iter()
            .find(|entry| entry.product.sku == level.sku)
            .map_or_else(String::new, |entry| entry.product.title());
        let availability = level.availability();
        table.row(vec![
            level.sku.to_string(),
            title,
            level.on_hand.to_string(),
            level
                .counted_at
                .get(..16)
                .unwrap_or(&level.counted_at)
                .replace('T', " "),
            level.ordered_since.to_string(),
            level.available().to_string(),
            availability.key().replace('-', " "),
        ]);
    }
    page.tables = vec![table];
    page.choices = vec![ChoiceList {
        key: "products".into(),
        options: catalog::storefront_products(store, StorefrontQuery::default())
            .await?
            .into_iter()
            .map(|product| Choice {
                value: product.sku.to_string(),
                label: format!("{} ({})", product.title(), product.sku),
            })
            .collect(),
    }];
    page.not_built_yet.push(
        "Picking, packing and shipping orders, returns, inventory locations, and the Fulfillment agent: not built yet."
            .to_owned(),
    );
    Ok(())
}

/// Fulfillment's figures on the Business Overview: the units on the
/// shelves, the products low or out, and the units ordered per month.
pub async fn headline(
    store: &EventStore,
    months: &crate::functions::descriptor::Months,
) -> Result<crate::functions::descriptor::Headline, StoreError> {
    use super::projection::{StockSummary, stock_levels};
    use crate::functions::view::{ChartUnit, Metric, SeriesStyle, TrendChart, TrendSeries};
    let stock = StockSummary::of(&stock_levels(store).await?);
    let first_month = months.first().map_or("", |month| month.key.as_str());
    let units = crate::functions::customers::sales::units_by_month(store, first_month).await?;
    Ok(crate::functions::descriptor::Headline {
        metrics: vec![
            Metric::count("units-in-stock", "Units on the shelves", stock.available),
            Metric::count(
                "products-low-or-out",
                "Products low or out of stock",
                stock.low + stock.out,
            ),
        ],
        // The units on the shelves have no history (a count replaces the
        // one before), so the trend is the work that comes to Fulfillment:
        // the units ordered each month, to pick and ship.
        trends: vec![TrendChart {
            key: "units-ordered-by-month".into(),
            title: "Units ordered per month, to pick and ship".into(),
            periods: months.iter().map(|month| month.label.clone()).collect(),
            series: vec![TrendSeries {
                name: "Units ordered".into(),
                style: SeriesStyle::Line,
                values: months
                    .iter()
                    .map(|month| {
                        units
                            .iter()
                            .find(|(key, _)| *key == month.key)
                            .map_or(0, |(_, units)| *units)
                    })
                    .collect(),
            }],
            unit: ChartUnit::Count,
            source: None,
        }],
        charts: Vec::new(),
    })
}
