//! What Customer Management's page and the Business Overview show,
//! read from its projections.

use super::tickets::{average_first_response, readable};
use crate::store::{EventStore, StoreError};
use chrono::Utc;

/// How many orders and support tickets the page shows, newest first (its
/// tables' JSON endpoints page within them).
const ORDERS_SHOWN: i64 = 25;
const TICKETS_SHOWN: i64 = 200;
/// How many decided proposals the page shows beside those waiting.
const DECIDED_SHOWN: i64 = 10;

/// Fills Customer Management's page: the dealer onboarding pipeline and
/// the dealer companies with their tiers.
pub async fn fill_page(
    store: &EventStore,
    page: &mut crate::functions::view::FunctionPage,
) -> Result<(), StoreError> {
    use crate::functions::customers::projection;
    use crate::functions::customers::segments::{self, ConsumerSegment, DealerHealth};
    use crate::functions::view::{Choice, ChoiceList, DataTable, Metric};

    let applications = projection::applications(store).await?;
    let companies = projection::dealer_companies(store).await?;
    let totals = projection::order_totals(store).await?;
    let recent =
        projection::recent_orders(store, projection::OrderOwner::Everyone, ORDERS_SHOWN).await?;
    let tickets =
        projection::tickets(store, projection::TicketOwner::Everyone, TICKETS_SHOWN).await?;
    let promotions = crate::functions::customers::promotions::active(store).await?;
    let products = crate::functions::category::service::storefront_products(
        store,
        crate::functions::category::view::StorefrontQuery::default(),
    )
    .await?;
    let open_tickets = tickets
        .iter()
        .filter(|ticket| ticket.status == "open")
        .count();
    let pending = applications
        .iter()
        .filter(|application| application.status == "pending")
        .count();
    page.decisions = projection::application_proposals(store, DECIDED_SHOWN).await?;
    let waiting = page
        .decisions
        .iter()
        .filter(|card| card.status == kiln_core::decision::DecisionStatus::Pending)
        .count();
    page.metrics = vec![
        Metric::count("dealer-companies", "Dealer companies", companies.len()),
        Metric::count(
            "pending-applications",
            "Applications awaiting review",
            pending,
        ),
        Metric::count(
            "decisions-waiting",
            "Proposals waiting for a person",
            waiting,
        ),
        Metric::count("orders", "Orders placed", totals.orders),
        Metric::count("units-ordered", "Units ordered", totals.units),
        Metric::count(
            "open-tickets",
            "Support tickets waiting for staff",
            open_tickets,
        ),
        Metric {
            key: "first-response".to_owned(),
            label: "Average first response (latest 200 tickets)".to_owned(),
            value: average_first_response(&tickets)
                .map_or_else(|| "no answer yet".to_owned(), readable),
            source: None,
        },
    ];
    for value in &totals.value {
        page.metrics.push(Metric {
            key: format!("order-value-{}", value.currency.code().to_lowercase()),
            label: format!("Order value ({})", value.currency.code()),
            value: value.to_string(),
            source: None,
        });
    }
    let mut orders = DataTable::new(
        "orders",
        &format!("The {ORDERS_SHOWN} newest orders"),
        &["Order", "Placed (UTC)", "Buyer", "Units", "Total", "Status"],
        "No order has been placed yet.",
    );
    for order in recent {
        orders.row(vec![
            order.order.to_string(),
            order
                .placed_at
                .get(..16)
                .unwrap_or(&order.placed_at)
                .replace('T', " "),
            order.buyer_name,
            order.units.to_string(),
            order.total.to_string(),
            order.status.label().to_owned(),
        ]);
    }
    let mut pipeline = DataTable::new(
        "dealer-applications",
        "Dealer onboarding pipeline",
        &["Application", "Business", "Contact", "Email", "Status"],
        "No business has applied for a trade account yet.",
    );
    for application in applications {
        pipeline.row(vec![
            application.application.to_string(),
            application.company_name,
            application.contact_name,
            application.email,
            application.status,
        ]);
    }
    page.choices = vec![
        ChoiceList {
            key: "dealer-companies".into(),
            options: companies
                .iter()
                .map(|summary| Choice {
                    value: summary.company.company.to_string(),
                    label: format!("{} ({})", summary.company.name, summary.company.tier),
                })
                .collect(),
        },
        ChoiceList {
            key: "listed-products".into(),
            options: products
                .iter()
                .map(|product| Choice {
                    value: product.sku.to_string(),
                    label: format!("{} ({}), {}", product.title(), product.sku, product.price),
                })
                .collect(),
        },
        ChoiceList {
            key: "support-tickets".into(),
            options: tickets
                .iter()
                .map(|ticket| Choice {
                    value: ticket.ticket.to_string(),
                    label: format!(
                        "{} ({}, {})",
                        ticket.subject, ticket.customer_name, ticket.status
                    ),
                })
                .collect(),
        },
        ChoiceList {
            key: "feedback-functions".into(),
            options: kiln_core::function::BusinessFunction::ALL
                .into_iter()
                .filter(|function| {
                    !matches!(
                        function,
                        kiln_core::function::BusinessFunction::Customers
                            | kiln_core::function::BusinessFunction::Overview
                            | kiln_core::function::BusinessFunction::DatabaseManager
                    )
                })
                .map(|function| Choice {
                    value: function.slug().to_owned(),
                    label: function.title().to_owned(),
                })
                .collect(),
        },
        ChoiceList {
            key: "dealer-promotions".into(),
            options: promotions
                .iter()
                .map(|promotion| Choice {
                    value: format!("{}:{}", promotion.company, promotion.sku),
                    label: format!(
                        "{}: {} at {}",
                        promotion.company_name, promotion.sku, promotion.price
                    ),
                })
                .collect(),
        },
    ];
    let mut flagged = DataTable::new(
        "flagged-feedback",
        &format!(
            "Customer feedback flagged to other functions (the newest {})",
            projection::FLAGS_SHOWN
        ),
        &[
            "Flagged (UTC)",
            "To",
            "Ticket",
            "Subject",
            "Customer",
            "Note",
        ],
        "No feedback has been flagged to another function.",
    );
    for flag in projection::flagged_feedback(store, None, projection::FLAGS_SHOWN).await? {
        flagged.row(vec![
            flag.flagged_at
                .get(..16)
                .unwrap_or(&flag.flagged_at)
                .replace('T', " "),
            flag.function.title().to_owned(),
            flag.ticket.to_string(),
            flag.subject,
            flag.customer_name,
            flag.note,
        ]);
    }
    let mut offers = DataTable::new(
        "dealer-promotions",
        "Dealer promotional prices in force",
        &["Company", "SKU", "Price", "Note", "Since (UTC)"],
        "No dealer has a promotional price.",
    );
    for promotion in promotions {
        offers.row(vec![
            promotion.company_name,
            promotion.sku.to_string(),
            promotion.price.to_string(),
            promotion.note,
            promotion
                .offered_at
                .get(..16)
                .unwrap_or(&promotion.offered_at)
                .replace('T', " "),
        ]);
    }
    // Segments: consumers by recency, frequency and value; dealers by
    // how lately they ordered.
    let now = Utc::now();
    let (dealer_orders, consumer_orders): (Vec<_>, Vec<_>) = projection::orders_for_segments(store)
        .await?
        .into_iter()
        .partition(|order| order.by_dealer);
    let consumers = segments::summarise(&consumer_orders, now);
    let dealer_sums = segments::summarise(&dealer_orders, now);
    let mut segment_table = DataTable::new(
        "consumer-segments",
        "Consumer segments (recency, frequency, value)",
        &["Segment", "Rule", "Consumers", "Orders", "Spent"],
        "No consumer has ordered yet.",
    );
    if !consumers.is_empty() {
        for segment in ConsumerSegment::ALL {
            let members: Vec<&segments::CustomerSummary> = consumers
                .iter()
                .filter(|consumer| {
                    ConsumerSegment::of(consumer.orders, consumer.days_since_last) == segment
                })
                .collect();
            let currency = consumers[0].spent.currency;
            segment_table.row(vec![
                segment.label().to_owned(),
                segment.rule().to_owned(),
                members.len().to_string(),
                members
                    .iter()
                    .map(|member| member.orders)
                    .sum::<usize>()
                    .to_string(),
                kiln_core::money::Money::new(
                    members
                        .iter()
                        .filter(|member| member.spent.currency == currency)
                        .map(|member| member.spent.minor_units)
                        .sum(),
                    currency,
                )
                .to_string(),
            ]);
        }
    }
    let mut consumer_table = DataTable::new(
        "consumers",
        "Consumers by value (top 50)",
        &[
            "Customer",
            "Email",
            "Orders",
            "Spent",
            "Last order (UTC)",
            "Segment",
        ],
        "No consumer has ordered yet.",
    );
    for consumer in consumers.iter().take(50) {
        consumer_table.row(vec![
            consumer.name.clone(),
            consumer.customer.clone(),
            consumer.orders.to_string(),
            consumer.spent.to_string(),
            consumer.last_order.format("%Y-%m-%d").to_string(),
            ConsumerSegment::of(consumer.orders, consumer.days_since_last)
                .label()
                .to_owned(),
        ]);
    }
    let mut dealers = DataTable::new(
        "dealer-companies",
        "Dealer companies and their health",
        &[
            "Company",
            "Tier",
            "Discount",
            "Users",
            "Orders",
            "Spent",
            "Last order (UTC)",
            "Health",
        ],
        "No dealer company yet.",
    );
    let mut dealers_at_risk = 0;
    for summary in &companies {
        let tier = summary.company.tier;
        let sums = dealer_sums
            .iter()
            .find(|sums| sums.customer == summary.company.company.as_str());
        let health = DealerHealth::of(sums.map(|sums| sums.days_since_last));
        if health == DealerHealth::AtRisk {
            dealers_at_risk += 1;
        }
        dealers.row(vec![
            summary.company.name.clone(),
            tier.as_str().to_owned(),
            format!("{}%", tier.discount_percent()),
            summary.users.to_string(),
            sums.map_or(0, |sums| sums.orders).to_string(),
            sums.map_or("–".to_owned(), |sums| sums.spent.to_string()),
            sums.map_or("never".to_owned(), |sums| {
                sums.last_order.format("%Y-%m-%d").to_string()
            }),
            health.label().to_owned(),
        ]);
    }
    page.metrics.push(Metric::count(
        "consumers",
        "Consumers who have ordered",
        consumers.len(),
    ));
    page.metrics.push(Metric::count(
        "dealers-at-risk",
        "Dealers at risk (no order in 90 days)",
        dealers_at_risk,
    ));
    let mut support = DataTable::new(
        "support-tickets",
        &format!("Support tickets (the newest {TICKETS_SHOWN})"),
        &[
            "Ticket",
            "Subject",
            "Customer",
            "Status",
            "Opened (UTC)",
            "Latest message",
        ],
        "No customer has opened a ticket yet.",
    );
    for ticket in tickets {
        support.row(vec![
            ticket.ticket.to_string(),
            ticket.subject,
            ticket.customer_name,
            ticket.status,
            ticket
                .opened_at
                .get(..16)
                .unwrap_or(&ticket.opened_at)
                .replace('T', " "),
            ticket.last_message,
        ]);
    }
    page.tables = vec![
        orders,
        support,
        pipeline,
        dealers,
        segment_table,
        consumer_table,
        flagged,
        offers,
    ];
    page.not_built_yet.push(
        "Orders beyond being placed and paid (packing, shipping), and email to customers when staff answer: not built yet."
            .to_owned(),
    );
    page.not_built_yet.push(
        "The agent proposes verdicts on dealer applications only: drafted replies to support tickets and promotional prices are not built yet."
            .to_owned(),
    );
    Ok(())
}

/// Customer Management's figures on the Business Overview: orders, dealer
/// companies and applications, the order pipeline by payment stage, and
/// orders by month from shoppers and dealers.
pub async fn headline(
    store: &EventStore,
    months: &crate::functions::descriptor::Months,
) -> Result<crate::functions::descriptor::Headline, StoreError> {
    use crate::functions::view::{ChartUnit, Metric, SeriesStyle, TrendChart, TrendSeries};
    let orders = crate::functions::customers::projection::order_totals(store).await?;
    let companies = crate::functions::customers::projection::dealer_companies(store).await?;
    let pending = crate::functions::customers::projection::applications(store)
        .await?
        .into_iter()
        .filter(|application| application.status == "pending")
        .count();
    let mut metrics = vec![
        Metric::count("orders", "Orders placed", orders.orders),
        Metric::count("dealer-companies", "Dealer companies", companies.len()),
        Metric::count(
            "pending-applications",
            "Dealer applications awaiting review",
            pending,
        ),
    ];
    for (status, orders, total) in
        crate::functions::customers::projection::orders_by_status(store).await?
    {
        metrics.push(Metric {
            key: format!(
                "orders-{}-{}",
                status.as_str().replace('_', "-"),
                total.currency.code().to_lowercase()
            ),
            label: format!("Orders {}", status.label().to_lowercase()),
            value: format!("{orders} ({total})"),
            source: None,
        });
    }
    let first_month = months.first().map_or("", |month| month.key.as_str());
    let by_month = crate::functions::customers::sales::orders_by_month(store, first_month).await?;
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
    Ok(crate::functions::descriptor::Headline {
        metrics,
        trends: vec![TrendChart {
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
            source: None,
        }],
        charts: Vec::new(),
    })
}
