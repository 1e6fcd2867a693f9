//! Orders and their card payments: price the lines from the catalog,
//! decide, append once however often the checkout is sent; charge a card
//! through the payment gateway and record how it ended.

use crate::functions::customers::events::CustomerEvent;
use crate::store::{EventMetadata, EventStore, StoreError};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;
use kiln_core::identity::CompanyId;

/// Why an order was not placed.
#[derive(Debug, thiserror::Error)]
pub enum OrderServiceError {
    /// An ordering rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] crate::functions::customers::decide::OrderError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What placing an order did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    /// The order.
    pub order: crate::functions::customers::events::OrderId,
    /// Whether it had already been placed by an earlier sending of the
    /// same checkout, so nothing new was written.
    pub repeated: bool,
}

/// Places an order on behalf of `actor`: prices its lines from the
/// catalog, decides, and appends `OrderPlaced` to the order's stream. The
/// order id comes from the checkout page, so a checkout sent twice (a
/// double click, a retried request) places one order and answers it both
/// times.
pub async fn place_order(
    store: &EventStore,
    actor: Actor,
    command: crate::functions::customers::decide::PlaceOrder,
) -> Result<PlacedOrder, OrderServiceError> {
    place_order_at(store, actor, command, None).await
}

/// Places an order as [`place_order`] does; with `placed_at`, the order is
/// history brought in with the date it was placed (the demo's months of
/// trading), priced at today's catalog.
pub async fn place_order_at(
    store: &EventStore,
    actor: Actor,
    command: crate::functions::customers::decide::PlaceOrder,
    placed_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<PlacedOrder, OrderServiceError> {
    use crate::functions::customers::decide::{OrderState, decide_order};

    let order = command.order.clone();
    let stream = order.stream();
    let history = store.load::<CustomerEvent>(&stream).await?;
    if OrderState::from_events(&history.events).placed {
        return Ok(PlacedOrder {
            order,
            repeated: true,
        });
    }
    let prices = price_book(store, command.buyer.company()).await?;
    let events = decide_order(&OrderState::from_events(&history.events), &prices, command)?;
    let mut metadata = EventMetadata::new(actor, BusinessFunction::Customers)
        .with_idempotency_key(format!("checkout-{order}"));
    if let Some(at) = placed_at {
        metadata = metadata.occurred_at(at);
    }
    match store
        .append(&stream, history.version, &events, &metadata)
        .await
    {
        Ok(appended) => Ok(PlacedOrder {
            order,
            repeated: appended.repeated,
        }),
        // The same checkout, sent twice at once: the other sending placed it.
        Err(StoreError::Conflict { .. }) => Ok(PlacedOrder {
            order,
            repeated: true,
        }),
        Err(error) => Err(error.into()),
    }
}

/// Why a card payment was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum PaymentServiceError {
    /// A payment rule refused it (unknown order, already paid, on account).
    #[error(transparent)]
    Refused(#[from] crate::functions::customers::decide::PaymentError),
    /// The charge's outcome is unknown or it could not be tried; the order
    /// is unchanged and the same attempt may be sent again safely.
    #[error(transparent)]
    Gateway(#[from] crate::payments::GatewayError),
    /// The event store failed. If this follows a captured charge, the
    /// charge is recorded by sending the payment again: the same attempt's
    /// idempotency key answers the same charge.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What paying an order by card did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardPayment {
    /// The order is paid.
    Paid,
    /// The card was refused, for this reason; the order still waits.
    Declined(String),
}

/// Charges the order's total to the card `payment_method` through
/// `gateway`, and records the outcome on the order's stream. The order was
/// recorded when it was placed, so no failure here loses it; each attempt
/// has its own idempotency key (`kiln-<order>-<attempt>`), the attempt
/// moving on only after a recorded decline, so an attempt sent again
/// after a network failure or a crash is charged at most once.
pub async fn pay_order_by_card(
    store: &EventStore,
    gateway: &dyn crate::payments::PaymentGateway,
    actor: Actor,
    order: &crate::functions::customers::events::OrderId,
    payment_method: &str,
) -> Result<CardPayment, PaymentServiceError> {
    use crate::functions::customers::decide::{
        CardResult, OrderState, next_card_attempt, record_card_result,
    };
    use crate::payments::{CardCharge, ChargeOutcome};

    let stream = order.stream();
    let history = store.load::<CustomerEvent>(&stream).await?;
    let state = OrderState::from_events(&history.events);
    let (attempt, amount) = next_card_attempt(&state, order)?;
    let outcome = gateway
        .charge(CardCharge {
            order: order.to_string(),
            amount,
            payment_method: payment_method.to_owned(),
            idempotency_key: format!("kiln-{order}-{attempt}"),
        })
        .await?;
    let (result, answer) = match outcome {
        ChargeOutcome::Captured { reference } => {
            (CardResult::Captured { reference }, CardPayment::Paid)
        }
        ChargeOutcome::Declined { reason } => (
            CardResult::Declined {
                reason: reason.clone(),
            },
            CardPayment::Declined(reason),
        ),
    };
    let events = record_card_result(&state, order, attempt, gateway.name(), result)?;
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers)
        .with_idempotency_key(format!("payment-{order}-{attempt}"));
    match store
        .append(&stream, history.version, &events, &metadata)
        .await
    {
        Ok(_) => Ok(answer),
        // Another sending of the same attempt recorded it first.
        Err(StoreError::Conflict { .. }) => {
            let now = OrderState::from_events(&store.load::<CustomerEvent>(&stream).await?.events);
            if now.paid {
                Ok(CardPayment::Paid)
            } else {
                Ok(answer)
            }
        }
        Err(error) => Err(error.into()),
    }
}

/// The listed products, their base prices and unit costs, as the order
/// rules need them; with `company`, that dealer company's promotional
/// prices beside them.
pub async fn price_book(
    store: &EventStore,
    company: Option<&CompanyId>,
) -> Result<crate::functions::customers::decide::PriceBook, StoreError> {
    use crate::functions::category::service as catalog;
    use crate::functions::customers::decide::CatalogPrice;

    let products = catalog::catalog(store).await?;
    let promotions = match company {
        Some(company) => {
            crate::functions::customers::promotions::of_company(store, company).await?
        }
        None => std::collections::HashMap::new(),
    };
    Ok(products
        .into_iter()
        .filter(|entry| entry.listed)
        .map(|entry| {
            (
                entry.product.sku.clone(),
                CatalogPrice {
                    name: entry.product.title(),
                    base_price: entry.product.price,
                    unit_cost: entry.unit_cost,
                    promotion: promotions.get(&entry.product.sku).copied(),
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod payment_tests {
    use super::*;
    use crate::functions::customers::decide::{PlaceOrder, PriceList};
    use crate::functions::customers::events::{
        Buyer, OrderId, PaymentMethod, ShippingAddress, ShippingOption,
    };
    use crate::functions::customers::projection;
    use crate::functions::customers::view::OrderStatus;
    use crate::payments::{StripeCards, fake_stripe};
    use crate::testing::store_tests;
    use kiln_core::identity::Email;

    /// The demo catalog and one guest order of two mugs, by bank transfer.
    async fn placed_order(store: &EventStore) -> OrderId {
        crate::demo::load_demo_business(store)
            .await
            .expect("demo catalog");
        let order = OrderId::from_random([5; 8]);
        let command = PlaceOrder {
            order: order.clone(),
            buyer: Buyer::Guest {
                name: "Ada Byron".into(),
                email: Email::parse("ada@example.com").expect("valid"),
            },
            lines: vec![(
                crate::functions::category::events::Sku::parse("MUG-SPECKLE-12").expect("valid"),
                2,
            )],
            ship_to: ShippingAddress {
                name: "Ada Byron".into(),
                line1: "12 Kiln Lane".into(),
                line2: String::new(),
                city: "Stoke".into(),
                postcode: "ST1 4AB".into(),
                country: "United Kingdom".into(),
            },
            shipping_option: ShippingOption::Standard,
            payment: PaymentMethod::BankTransfer,
            tax_rate: kiln_core::money::TaxRate { basis_points: 0 },
            price_list: PriceList::Storefront,
        };
        place_order(store, Actor::system("test"), command)
            .await
            .expect("placed");
        order
    }

    async fn status(store: &EventStore, order: &OrderId) -> OrderStatus {
        projection::order(store, order)
            .await
            .expect("read")
            .expect("the order is never lost")
            .summary
            .status
    }

    store_tests! {
        async fn a_lost_answer_is_sent_again_under_the_same_key_and_charged_once(store) {
            let order = placed_order(&store).await;
            let (base, ledger) = fake_stripe::start().await;
            ledger.lock().expect("ledger").lose_answers = 1;
            let gateway = StripeCards::new(&base, "sk_test_kiln").expect("client");
            let lost = pay_order_by_card(&store, &gateway, Actor::system("test"), &order, "pm_card_visa").await;
            assert!(matches!(lost, Err(PaymentServiceError::Gateway(_))), "{lost:?}");
            assert_eq!(status(&store, &order).await, OrderStatus::AwaitingPayment);

            let paid = pay_order_by_card(&store, &gateway, Actor::system("test"), &order, "pm_card_visa")
                .await
                .expect("answered");
            assert_eq!(paid, CardPayment::Paid);
            assert_eq!(status(&store, &order).await, OrderStatus::Paid);
            let ledger = ledger.lock().expect("ledger");
            assert_eq!(ledger.charges.len(), 1, "charged twice");
            let keys: Vec<&str> = ledger.requests.iter().map(|(key, _)| key.as_str()).collect();
            assert_eq!(keys, [format!("kiln-{order}-1"), format!("kiln-{order}-1")]);
            // The whole total: two $28.00 mugs and $6.00 shipping.
            assert!(ledger.requests[0].1.contains("amount=6200"), "{}", ledger.requests[0].1);
        }

        async fn a_declined_card_is_recorded_and_the_next_card_is_a_new_attempt(store) {
            let order = placed_order(&store).await;
            let (base, ledger) = fake_stripe::start().await;
            let gateway = StripeCards::new(&base, "sk_test_kiln").expect("client");
            let declined = pay_order_by_card(&store, &gateway, Actor::system("test"), &order, "pm_card_chargeDeclined")
                .await
                .expect("answered");
            assert_eq!(declined, CardPayment::Declined("Your card was declined.".into()));
            assert_eq!(status(&store, &order).await, OrderStatus::AwaitingPayment);
            let paid = pay_order_by_card(&store, &gateway, Actor::system("test"), &order, "pm_card_visa")
                .await
                .expect("answered");
            assert_eq!(paid, CardPayment::Paid);
            let keys: Vec<String> = ledger.lock().expect("ledger").requests.iter().map(|(key, _)| key.clone()).collect();
            assert_eq!(keys, [format!("kiln-{order}-1"), format!("kiln-{order}-2")]);
        }

        async fn a_paid_order_is_never_charged_again_and_an_unreachable_provider_changes_nothing(store) {
            let order = placed_order(&store).await;
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let nowhere = format!("http://{}", listener.local_addr().expect("address"));
            drop(listener);
            let unreachable = StripeCards::new(&nowhere, "sk_test_kiln").expect("client");
            let events = store.event_count().await.expect("count");
            assert!(matches!(
                pay_order_by_card(&store, &unreachable, Actor::system("test"), &order, "pm_card_visa").await,
                Err(PaymentServiceError::Gateway(_))
            ));
            assert_eq!(store.event_count().await.expect("count"), events);

            let (base, ledger) = fake_stripe::start().await;
            let gateway = StripeCards::new(&base, "sk_test_kiln").expect("client");
            pay_order_by_card(&store, &gateway, Actor::system("test"), &order, "pm_card_visa")
                .await
                .expect("paid");
            let again = pay_order_by_card(&store, &gateway, Actor::system("test"), &order, "pm_card_visa").await;
            assert!(matches!(again, Err(PaymentServiceError::Refused(_))), "{again:?}");
            assert_eq!(ledger.lock().expect("ledger").requests.len(), 1, "the paid order reached the provider again");
            // Bank transfer takes no cards; the order stays as it is.
            let other = OrderId::from_random([6; 8]);
            assert!(matches!(
                pay_order_by_card(&store, &crate::payments::BankTransfer, Actor::system("test"), &other, "pm_card_visa").await,
                Err(PaymentServiceError::Refused(_))
            ));
        }
    }
}
