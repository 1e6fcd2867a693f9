//! Customer Management's application service. Dealer onboarding: look up
//! what the rules need, decide, append; on approval, create the company's
//! first login and send it a link to choose a password. Orders: price the
//! lines from the catalog, decide, append once however often the checkout
//! is sent.

use super::decide::{ApplicationState, CustomerCommand, CustomerError, decide};
use super::events::{ApplicationId, CustomerEvent, DealerTier};
use crate::access::secret::Secret;
use crate::access::{AccountId, CompanyId, Email};
use crate::event::{Actor, StreamId};
use crate::functions::BusinessFunction;
use crate::functions::platform_manager::{projection as accounts, service as account_service};
use crate::store::{EventMetadata, EventStore, StoreError};
use chrono::Utc;

/// Why a dealer onboarding command did not go through.
#[derive(Debug, thiserror::Error)]
pub enum DealerServiceError {
    /// A rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] CustomerError),
    /// The company's first login could not be created or sent its link.
    #[error("the application was approved, but its first login could not be created")]
    FirstLogin(#[source] account_service::AccountServiceError),
    /// A user was to be added to a company that does not exist.
    #[error("there is no dealer company {company}")]
    NoSuchCompany {
        /// The id asked for.
        company: CompanyId,
    },
    /// The new user's login was refused (the address is taken, the name is
    /// blank) or could not be made.
    #[error(transparent)]
    Login(account_service::AccountServiceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An application as the public form sends it.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// The business.
    pub company_name: String,
    /// The person.
    pub contact_name: String,
    /// Their address.
    pub email: Email,
    /// What they wrote.
    pub message: String,
}

/// What approving an application made.
#[derive(Debug)]
pub struct ApprovedDealer {
    /// The dealer company.
    pub company: CompanyId,
    /// Its first user's login.
    pub account: AccountId,
    /// The token of the link the user chooses a password with. Sent through
    /// the outbox; returned only for the demo data, which sets the password
    /// itself. Never show it to the approver.
    pub welcome_token: Secret,
}

fn stream(application: &ApplicationId) -> StreamId {
    StreamId::new(format!("dealer-application-{application}"))
}

/// Records an application from the public site and returns its id.
pub async fn submit_application(
    store: &EventStore,
    new: NewApplication,
) -> Result<ApplicationId, DealerServiceError> {
    let application = ApplicationId::generate();
    let email_taken = accounts::account_by_email(store, &new.email)
        .await?
        .is_some();
    let command = CustomerCommand::SubmitApplication {
        application: application.clone(),
        company_name: new.company_name,
        contact_name: new.contact_name,
        email: new.email,
        message: new.message,
    };
    let metadata = EventMetadata::new(
        Actor::system("dealer-application-form"),
        BusinessFunction::Customers,
    );
    store
        .decide_and_append(&stream(&application), &metadata, |history| {
            decide(
                &ApplicationState::from_events(history),
                email_taken,
                command.clone(),
            )
            .map_err(DealerServiceError::from)
        })
        .await?;
    Ok(application)
}

/// Approves a pending application on behalf of `actor`: opens the dealer
/// company at `tier`, creates its first user's login and queues a link for
/// them to choose a password.
pub async fn approve_application(
    store: &EventStore,
    actor: Actor,
    application: ApplicationId,
    tier: DealerTier,
) -> Result<ApprovedDealer, DealerServiceError> {
    let company = CompanyId::generate();
    let command = CustomerCommand::Approve {
        application: application.clone(),
        company: company.clone(),
        tier,
    };
    let metadata = EventMetadata::new(actor.clone(), BusinessFunction::Customers);
    let mut submitted = None;
    store
        .decide_and_append(&stream(&application), &metadata, |history| {
            submitted = history.iter().find_map(|event| match event {
                CustomerEvent::DealerApplicationSubmitted(submitted) => Some(submitted.clone()),
                _ => None,
            });
            decide(
                &ApplicationState::from_events(history),
                false,
                command.clone(),
            )
            .map_err(DealerServiceError::from)
        })
        .await?;
    // `decide` accepted, so the application was submitted.
    let Some(submitted) = submitted else {
        return Err(CustomerError::NoSuchApplication { application }.into());
    };
    // The company is open from here on. Should its first login fail (the
    // address was taken meanwhile, the store failed), the approval stands
    // and the error says so; the application keeps the contact's details.
    let account = account_service::create_dealer_user(
        store,
        actor,
        submitted.email.clone(),
        submitted.contact_name.clone(),
        company.clone(),
    )
    .await
    .map_err(DealerServiceError::FirstLogin)?;
    let welcome = format!(
        "Welcome, {}: the trade account of {} is open at Fenwick Clayworks.",
        submitted.contact_name, submitted.company_name
    );
    let welcome_token =
        account_service::send_welcome_link(store, &account, &submitted.email, &welcome, Utc::now())
            .await
            .map_err(DealerServiceError::FirstLogin)?;
    Ok(ApprovedDealer {
        company,
        account,
        welcome_token,
    })
}

/// Adds another user to an existing dealer company, on behalf of `actor`:
/// a login without a password, and a link to choose one.
pub async fn add_dealer_user(
    store: &EventStore,
    actor: Actor,
    company: CompanyId,
    name: String,
    email: Email,
) -> Result<AccountId, DealerServiceError> {
    let Some(dealer) = super::projection::dealer_company(store, &company).await? else {
        return Err(DealerServiceError::NoSuchCompany { company });
    };
    let account =
        account_service::create_dealer_user(store, actor, email.clone(), name.clone(), company)
            .await
            .map_err(DealerServiceError::Login)?;
    let welcome = format!(
        "Welcome, {name}: you have been given a login to the trade account of {} at Fenwick Clayworks.",
        dealer.name
    );
    account_service::send_welcome_link(store, &account, &email, &welcome, Utc::now())
        .await
        .map_err(DealerServiceError::Login)?;
    Ok(account)
}

impl DealerServiceError {
    /// Whether the message is about the request (safe and useful to show)
    /// rather than a fault of the server.
    pub fn is_refusal(&self) -> bool {
        match self {
            DealerServiceError::Refused(_) | DealerServiceError::NoSuchCompany { .. } => true,
            DealerServiceError::Login(error) => error.is_refusal(),
            DealerServiceError::FirstLogin(_) | DealerServiceError::Store(_) => false,
        }
    }
}

/// Declines a pending application on behalf of `actor`.
pub async fn decline_application(
    store: &EventStore,
    actor: Actor,
    application: ApplicationId,
    reason: String,
) -> Result<(), DealerServiceError> {
    let stream = stream(&application);
    let command = CustomerCommand::Decline {
        application,
        reason,
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide(
                &ApplicationState::from_events(history),
                false,
                command.clone(),
            )
            .map_err(DealerServiceError::from)
        })
        .await?;
    Ok(())
}

/// Why an order was not placed.
#[derive(Debug, thiserror::Error)]
pub enum OrderServiceError {
    /// An ordering rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] super::decide::OrderError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What placing an order did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    /// The order.
    pub order: super::events::OrderId,
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
    command: super::decide::PlaceOrder,
) -> Result<PlacedOrder, OrderServiceError> {
    place_order_at(store, actor, command, None).await
}

/// Places an order as [`place_order`] does; with `placed_at`, the order is
/// history brought in with the date it was placed (the demo's months of
/// trading), priced at today's catalog.
pub async fn place_order_at(
    store: &EventStore,
    actor: Actor,
    command: super::decide::PlaceOrder,
    placed_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<PlacedOrder, OrderServiceError> {
    use super::decide::{OrderState, decide_order};

    let order = command.order.clone();
    let stream = StreamId::order(&order);
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
    Refused(#[from] super::decide::PaymentError),
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
    order: &super::events::OrderId,
    payment_method: &str,
) -> Result<CardPayment, PaymentServiceError> {
    use super::decide::{CardResult, OrderState, next_card_attempt, record_card_result};
    use crate::payments::{CardCharge, ChargeOutcome};

    let stream = StreamId::order(order);
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
) -> Result<super::decide::PriceBook, StoreError> {
    use super::decide::CatalogPrice;
    use crate::functions::category::service as catalog;

    let products = catalog::catalog(store).await?;
    let promotions = match company {
        Some(company) => super::promotions::of_company(store, company).await?,
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

/// Why a promotional price was not offered or withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum PromotionServiceError {
    /// A promotion rule refused it.
    #[error(transparent)]
    Refused(#[from] super::decide::PromotionError),
    /// The form names a company that does not exist (or is malformed).
    #[error("there is no dealer company “{company}”")]
    NoSuchCompany {
        /// The company as sent (its first 40 characters).
        company: String,
    },
    /// The form names a product that is not on sale (or is malformed).
    #[error("there is no listed product “{sku}”")]
    NoSuchProduct {
        /// The SKU as sent (its first 40 characters).
        sku: String,
    },
    /// The price as typed is not an amount of money.
    #[error("“{text}” is not a price: give it like 15 or 14.50")]
    InvalidPrice {
        /// What was typed (its first 40 characters).
        text: String,
    },
    /// The promotion to withdraw is not `<company>:<SKU>`.
    #[error("choose a promotional price to withdraw")]
    NoPromotionChosen,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Offers the company in `form` the promotional price typed for the
/// product in `form`.
pub async fn offer_promotion(
    store: &EventStore,
    actor: Actor,
    form: super::view::PromotionForm,
) -> Result<(), PromotionServiceError> {
    use super::decide::{PromotionCommand, PromotionState, decide_promotion};
    use crate::functions::category::{events::Sku, service as catalog};

    let quoted = |text: &str| text.chars().take(40).collect::<String>();
    let company_typed = form.company.trim();
    let company =
        CompanyId::parse(company_typed).map_err(|_| PromotionServiceError::NoSuchCompany {
            company: quoted(company_typed),
        })?;
    let dealer = super::projection::dealer_company(store, &company)
        .await?
        .ok_or_else(|| PromotionServiceError::NoSuchCompany {
            company: quoted(company_typed),
        })?;
    let no_product = || PromotionServiceError::NoSuchProduct {
        sku: quoted(form.sku.trim()),
    };
    let sku = Sku::parse(form.sku.trim()).map_err(|_| no_product())?;
    let product = catalog::storefront_product(store, &sku)
        .await?
        .ok_or_else(no_product)?;
    let price = crate::money::Money::parse_amount(&form.price, product.price.currency)
        .map_err(|invalid| PromotionServiceError::InvalidPrice { text: invalid.text })?;
    let stream = StreamId::dealer_promotions(&company);
    let command = PromotionCommand::Offer {
        company,
        company_name: dealer.name,
        sku,
        base_price: product.price,
        price,
        note: form.note,
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide_promotion(&PromotionState::from_events(history), command.clone())
                .map_err(PromotionServiceError::from)
        })
        .await?;
    Ok(())
}

/// Withdraws the promotional price named `<company>:<SKU>`.
pub async fn withdraw_promotion(
    store: &EventStore,
    actor: Actor,
    promotion: &str,
) -> Result<(), PromotionServiceError> {
    use super::decide::{PromotionCommand, PromotionState, decide_promotion};
    use crate::functions::category::events::Sku;

    let (company, sku) = promotion
        .trim()
        .split_once(':')
        .and_then(|(company, sku)| Some((CompanyId::parse(company).ok()?, Sku::parse(sku).ok()?)))
        .ok_or(PromotionServiceError::NoPromotionChosen)?;
    let stream = StreamId::dealer_promotions(&company);
    let command = PromotionCommand::Withdraw { company, sku };
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide_promotion(&PromotionState::from_events(history), command.clone())
                .map_err(PromotionServiceError::from)
        })
        .await?;
    Ok(())
}

/// Why a ticket request was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum TicketServiceError {
    /// A ticket rule refused it.
    #[error(transparent)]
    Refused(#[from] super::decide::TicketError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Carries out a ticket request on behalf of `actor`: loads the ticket's
/// stream, decides, appends.
pub async fn handle_ticket(
    store: &EventStore,
    actor: Actor,
    command: super::decide::TicketCommand,
) -> Result<(), TicketServiceError> {
    use super::decide::{TicketCommand, TicketState, decide_ticket};

    let ticket = match &command {
        TicketCommand::Open { ticket, .. }
        | TicketCommand::Reply { ticket, .. }
        | TicketCommand::Close { ticket }
        | TicketCommand::Flag { ticket, .. } => ticket.clone(),
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers);
    store
        .decide_and_append(&StreamId::ticket(&ticket), &metadata, |history| {
            decide_ticket(&TicketState::from_events(history), command.clone())
                .map_err(TicketServiceError::from)
        })
        .await?;
    Ok(())
}

/// The average time staff took to first answer a ticket, over the tickets
/// they have answered; `None` before the first answer.
pub fn average_first_response(tickets: &[super::view::TicketSummary]) -> Option<chrono::Duration> {
    let waits: Vec<chrono::Duration> = tickets
        .iter()
        .filter_map(|ticket| {
            let opened = chrono::DateTime::parse_from_rfc3339(&ticket.opened_at).ok()?;
            let answered =
                chrono::DateTime::parse_from_rfc3339(ticket.first_response_at.as_deref()?).ok()?;
            Some(answered - opened)
        })
        .collect();
    let count = i32::try_from(waits.len()).ok().filter(|count| *count > 0)?;
    let total = waits
        .into_iter()
        .fold(chrono::Duration::zero(), |total, wait| total + wait);
    Some(total / count)
}

/// A duration as staff read it: `45 s`, `12 min`, `3.5 h`.
fn readable(duration: chrono::Duration) -> String {
    let seconds = duration.num_seconds();
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds < 3600 {
        format!("{} min", seconds / 60)
    } else {
        format!("{:.1} h", seconds as f64 / 3600.0)
    }
}

/// How many orders and support tickets the page shows, newest first (its
/// tables' JSON endpoints page within them).
const ORDERS_SHOWN: i64 = 25;
const TICKETS_SHOWN: i64 = 200;

/// Fills Customer Management's page: the dealer onboarding pipeline and
/// the dealer companies with their tiers.
pub async fn fill_page(
    store: &EventStore,
    page: &mut crate::staff::view::FunctionPage,
) -> Result<(), StoreError> {
    use super::projection;
    use super::segments::{self, ConsumerSegment, DealerHealth};
    use crate::staff::view::{Choice, ChoiceList, DataTable, Metric};

    let applications = projection::applications(store).await?;
    let companies = projection::dealer_companies(store).await?;
    let totals = projection::order_totals(store).await?;
    let recent =
        projection::recent_orders(store, projection::OrderOwner::Everyone, ORDERS_SHOWN).await?;
    let tickets =
        projection::tickets(store, projection::TicketOwner::Everyone, TICKETS_SHOWN).await?;
    let promotions = super::promotions::active(store).await?;
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
    page.metrics = vec![
        Metric::count("dealer-companies", "Dealer companies", companies.len()),
        Metric::count(
            "pending-applications",
            "Applications awaiting review",
            pending,
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
            options: crate::functions::BusinessFunction::ALL
                .into_iter()
                .filter(|function| {
                    !matches!(
                        function,
                        crate::functions::BusinessFunction::Customers
                            | crate::functions::BusinessFunction::Overview
                            | crate::functions::BusinessFunction::DatabaseManager
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
                crate::money::Money::new(
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
    Ok(())
}

/// Customer Management's figures on the Business Overview: orders, dealer
/// companies and applications, the order pipeline by payment stage, and
/// orders by month from shoppers and dealers.
pub async fn headline(
    store: &EventStore,
    months: &crate::functions::descriptor::Months,
) -> Result<crate::functions::descriptor::Headline, StoreError> {
    use crate::staff::view::{ChartUnit, Metric, SeriesStyle, TrendChart, TrendSeries};
    let orders = super::projection::order_totals(store).await?;
    let companies = super::projection::dealer_companies(store).await?;
    let pending = super::projection::applications(store)
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
    for (status, orders, total) in super::projection::orders_by_status(store).await? {
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
    let by_month = super::sales::orders_by_month(store, first_month).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Principal;
    use crate::access::password::Password;
    use crate::functions::customers::projection;
    use crate::store::testing::store_tests;

    fn clay_and_cup() -> NewApplication {
        NewApplication {
            company_name: "Clay & Cup Café".into(),
            contact_name: "Priya Shah".into(),
            email: Email::parse("orders@clayandcup.example").expect("valid"),
            message: "Two cafés in Leeds.".into(),
        }
    }

    store_tests! {
        async fn an_approved_application_opens_the_company_and_its_user_signs_in_after_choosing_a_password(store) {
            let application = submit_application(&store, clay_and_cup()).await.expect("submitted");
            let listed = projection::applications(&store).await.expect("list");
            assert_eq!(listed[0].status, "pending");

            let approved = approve_application(&store, Actor::system("test"), application.clone(), DealerTier::Volume)
                .await
                .expect("approved");
            let company = projection::dealer_company(&store, &approved.company)
                .await
                .expect("read")
                .expect("exists");
            assert_eq!(company.name, "Clay & Cup Café");
            assert_eq!(company.tier, DealerTier::Volume);
            assert_eq!(projection::applications(&store).await.expect("list")[0].status, "approved");

            let email = Email::parse("orders@clayandcup.example").expect("valid");
            let password = || Password::parse("trade-account-pw").expect("valid");
            // No password until the link is used.
            assert_eq!(
                account_service::check_sign_in(&store, &email, password()).await.expect("checked"),
                None
            );
            let messages = crate::store::outbox::unsent(&store).await.expect("outbox");
            assert!(messages[0].body.contains(approved.welcome_token.reveal()));
            account_service::reset_password(&store, approved.welcome_token.reveal(), password(), Utc::now())
                .await
                .expect("password chosen");
            let account = account_service::check_sign_in(&store, &email, password())
                .await
                .expect("checked")
                .expect("signs in");
            let login = accounts::account(&store, &account).await.expect("read").expect("exists");
            assert_eq!(
                login.principal(),
                Principal::Dealer { account, company: approved.company }
            );

            let again = approve_application(&store, Actor::system("test"), application, DealerTier::Trade)
                .await
                .expect_err("refused");
            assert!(again.to_string().contains("was already decided"), "{again}");
        }

        async fn a_second_user_joins_an_existing_company_and_sees_it(store) {
            let application = submit_application(&store, clay_and_cup()).await.expect("submitted");
            let approved = approve_application(&store, Actor::system("test"), application, DealerTier::Trade)
                .await
                .expect("approved");
            let second = add_dealer_user(
                &store,
                Actor::system("test"),
                approved.company.clone(),
                "Ben Shah".into(),
                Email::parse("ben@clayandcup.example").expect("valid"),
            )
            .await
            .expect("added");
            let login = accounts::account(&store, &second).await.expect("read").expect("exists");
            assert_eq!(login.company, Some(approved.company.clone()));
            let taken = add_dealer_user(
                &store,
                Actor::system("test"),
                approved.company,
                "Ben again".into(),
                Email::parse("ben@clayandcup.example").expect("valid"),
            )
            .await
            .expect_err("refused");
            assert!(taken.is_refusal());
            assert_eq!(taken.to_string(), "ben@clayandcup.example already has an account");
            let nowhere = add_dealer_user(
                &store,
                Actor::system("test"),
                CompanyId::from_random([9; 8]),
                "Nobody".into(),
                Email::parse("nobody@example.com").expect("valid"),
            )
            .await
            .expect_err("refused");
            assert!(matches!(nowhere, DealerServiceError::NoSuchCompany { .. }));
        }

        async fn a_declined_application_opens_nothing(store) {
            let application = submit_application(&store, clay_and_cup()).await.expect("submitted");
            decline_application(&store, Actor::system("test"), application.clone(), "Outside our area".into())
                .await
                .expect("declined");
            assert_eq!(projection::applications(&store).await.expect("list")[0].status, "declined");
            let refused = approve_application(&store, Actor::system("test"), application, DealerTier::Trade)
                .await
                .expect_err("refused");
            assert!(refused.to_string().contains("was already decided"), "{refused}");
            let email = Email::parse("orders@clayandcup.example").expect("valid");
            assert_eq!(accounts::account_by_email(&store, &email).await.expect("read"), None);
        }
    }
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
    use crate::store::testing::store_tests;

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
            tax_rate: crate::money::TaxRate { basis_points: 0 },
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
