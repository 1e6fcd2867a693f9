//! The demo business, Fenwick Clayworks: a ceramics workshop that makes and
//! sells mugs, planters and tableware. Loaded through the same commands a
//! person would send, so every projection is derived exactly as in real use.

use crate::functions::category::{
    decide::{CategoryCommand, IntroduceProduct},
    events::{Collection, Sku},
    service::{self, CatalogServiceError},
};
use crate::store::{EventStore, StoreError};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;
use kiln_core::money::{Currency, Money};

/// What loading the demo business did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    /// Events appended.
    pub events: usize,
}

/// Why the demo business was not loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The demo is only ever loaded into an empty event log, so it can never
    /// mix with (or duplicate) real data.
    #[error(
        "the database already holds {events} events; the demo business is only loaded into an empty one"
    )]
    NotEmpty {
        /// How many events are there.
        events: i64,
    },
    /// One of the demo's own commands was refused: a bug in this file.
    #[error("demo command for {sku} failed")]
    Command {
        /// The product being introduced.
        sku: String,
        /// The refusal.
        source: CatalogServiceError,
    },
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A SKU in the demo catalog is malformed: a bug in this file.
    #[error(transparent)]
    Sku(#[from] crate::functions::category::events::InvalidSku),
    /// A family key in the demo catalog is malformed: a bug in this file.
    #[error(transparent)]
    Family(#[from] crate::functions::category::events::InvalidFamilyKey),
    /// The demo's stock count of a product was refused: a bug in this file.
    #[error("demo stock count of {sku} failed")]
    StockCount {
        /// The product counted.
        sku: String,
        /// The refusal.
        source: crate::functions::fulfillment::service::FulfillmentServiceError,
    },
}

/// How many SKUs the demo catalog has. [`load_demo_business`] appends two
/// events for each: its introduction and its stock count.
pub const DEMO_CATALOG_SKUS: usize = CATALOG.len();

/// One product of the demo catalog.
struct DemoProduct {
    sku: &'static str,
    name: &'static str,
    collection: Collection,
    description: &'static str,
    /// Base price in cents.
    price: i64,
    /// What one costs to make, in cents.
    cost: i64,
    /// (family, option) for a product with options.
    variant: Option<(&'static str, &'static str)>,
    /// Units on the shelf when the demo's stock was counted.
    on_hand: i64,
}

/// The demo catalog: twelve products, four of them with options (seventeen
/// SKUs). Each picture is `/products/<sku in lower case>.svg`.
const CATALOG: &[DemoProduct] = &[
    DemoProduct {
        sku: "MUG-SPECKLE-12",
        name: "Speckled Morning Mug",
        collection: Collection::Mugs,
        description: "Twelve ounces of oatmeal stoneware flecked with iron, thrown on the wheel.",
        price: 2800,
        cost: 910,
        variant: Some(("speckled-mug", "Oat glaze")),
        on_hand: 40,
    },
    DemoProduct {
        sku: "MUG-SPECKLE-12-SLT",
        name: "Speckled Morning Mug",
        collection: Collection::Mugs,
        description: "Twelve ounces of stoneware flecked with iron under a deep slate glaze.",
        price: 2800,
        cost: 950,
        variant: Some(("speckled-mug", "Slate glaze")),
        on_hand: 4,
    },
    DemoProduct {
        sku: "MUG-TIDE-10",
        name: "Tide Glaze Mug",
        collection: Collection::Mugs,
        description: "A sea-green glaze that pools darker in every throwing line.",
        price: 3000,
        cost: 1020,
        variant: Some(("tide-mug", "Sea green")),
        on_hand: 30,
    },
    DemoProduct {
        sku: "MUG-TIDE-10-IND",
        name: "Tide Glaze Mug",
        collection: Collection::Mugs,
        description: "An indigo glaze that pools darker in every throwing line.",
        price: 3200,
        cost: 1150,
        variant: Some(("tide-mug", "Indigo")),
        on_hand: 0,
    },
    DemoProduct {
        sku: "MUG-ESPRESSO-4",
        name: "Espresso Cup",
        collection: Collection::Mugs,
        description: "A four-ounce cup with a thumb rest, for the first coffee of the day.",
        price: 1800,
        cost: 560,
        variant: None,
        on_hand: 60,
    },
    DemoProduct {
        sku: "MUG-TALL-16",
        name: "Tall Latte Mug",
        collection: Collection::Mugs,
        description: "Sixteen ounces, a wide handle and a satin white interior.",
        price: 3400,
        cost: 1240,
        variant: None,
        on_hand: 25,
    },
    DemoProduct {
        sku: "PLN-TERRA-4",
        name: "Terracotta Planter",
        collection: Collection::Planters,
        description: "Unglazed red clay that breathes, with a drainage hole and saucer. Four inches, for herbs.",
        price: 2800,
        cost: 700,
        variant: Some(("terracotta-planter", "4 in")),
        on_hand: 35,
    },
    DemoProduct {
        sku: "PLN-TERRA-6",
        name: "Terracotta Planter",
        collection: Collection::Planters,
        description: "Unglazed red clay that breathes, with a drainage hole and saucer.",
        price: 3600,
        cost: 980,
        variant: Some(("terracotta-planter", "6 in")),
        on_hand: 28,
    },
    DemoProduct {
        sku: "PLN-TERRA-10",
        name: "Terracotta Planter",
        collection: Collection::Planters,
        description: "Unglazed red clay that breathes, with a drainage hole and saucer. Ten inches, for a fig.",
        price: 5600,
        cost: 1650,
        variant: Some(("terracotta-planter", "10 in")),
        on_hand: 9,
    },
    DemoProduct {
        sku: "PLN-HANG-5",
        name: "Hanging Planter",
        collection: Collection::Planters,
        description: "A five-inch bowl on waxed cotton cord, for trailing plants.",
        price: 4200,
        cost: 1380,
        variant: None,
        on_hand: 14,
    },
    DemoProduct {
        sku: "PLN-FOOTED-8",
        name: "Footed Planter, 8 in",
        collection: Collection::Planters,
        description: "A carved foot and a charcoal glaze for a statement fern.",
        price: 5400,
        cost: 2100,
        variant: None,
        on_hand: 6,
    },
    DemoProduct {
        sku: "PLN-BUD-3",
        name: "Bud Vase Trio",
        collection: Collection::Planters,
        description: "Three small vases in ash, moss and clay glazes.",
        price: 3900,
        cost: 1300,
        variant: None,
        on_hand: 20,
    },
    DemoProduct {
        sku: "TBL-PLATE-10",
        name: "Stoneware Plate",
        collection: Collection::Tableware,
        description: "Ten and a half inches, rimmed, dishwasher safe.",
        price: 3200,
        cost: 1050,
        variant: Some(("stoneware-plate", "Dinner, 10½ in")),
        on_hand: 48,
    },
    DemoProduct {
        sku: "TBL-PLATE-8",
        name: "Stoneware Plate",
        collection: Collection::Tableware,
        description: "Eight inches, rimmed, for bread, cake and small plates.",
        price: 2400,
        cost: 800,
        variant: Some(("stoneware-plate", "Side, 8 in")),
        on_hand: 36,
    },
    DemoProduct {
        sku: "TBL-BOWL-SERVE",
        name: "Serving Bowl",
        collection: Collection::Tableware,
        description: "A wide, shallow bowl for salads and shared plates.",
        price: 4800,
        cost: 1700,
        variant: None,
        on_hand: 11,
    },
    DemoProduct {
        sku: "TBL-JUG-1L",
        name: "Pouring Jug",
        collection: Collection::Tableware,
        description: "A litre jug with a sharp spout that never drips.",
        price: 4400,
        cost: 1500,
        variant: None,
        on_hand: 3,
    },
    DemoProduct {
        sku: "TBL-PASTA-8",
        name: "Pasta Bowl",
        collection: Collection::Tableware,
        description: "Eight inches, low walls, a glossy speckled glaze.",
        price: 2600,
        cost: 820,
        variant: None,
        on_hand: 50,
    },
];

/// Rivals' prices the demo's staff noted: (SKU, where, their price, note).
const DEMO_MARKET_NOTES: &[(&str, &str, &str, &str)] = &[
    (
        "MUG-SPECKLE-12-SLT",
        "Hearth & Kiln online shop",
        "32.00",
        "Their slate-glazed speckled mug, same size, thrown by hand",
    ),
    (
        "MUG-SPECKLE-12-SLT",
        "Saltmarsh Pottery, York market stall",
        "33.00",
        "A slate speckled mug with a wider handle",
    ),
    (
        "PLN-FOOTED-8",
        "Garden centre on the ring road",
        "56.00",
        "A footed eight-inch planter, machine pressed",
    ),
    (
        "TBL-PASTA-8",
        "Homeware chain's autumn range",
        "22.00",
        "A glazed pasta bowl of the same size, factory made",
    ),
];

/// Loads the demo business into an empty event log: the catalog, and a
/// stock count of every product.
pub async fn load_demo_business(store: &EventStore) -> Result<DemoReport, DemoError> {
    use crate::functions::category::{
        decide::ProductDetails,
        events::{FamilyKey, Variant},
    };
    use crate::functions::fulfillment::service::record_stock_count;

    let events = store.event_count().await?;
    if events > 0 {
        return Err(DemoError::NotEmpty { events });
    }
    let actor = Actor::system("demo-seed");
    let mut appended = 0;
    for product in CATALOG {
        let variant = match product.variant {
            Some((family, option)) => Some(Variant {
                family: FamilyKey::parse(family)?,
                option: option.into(),
            }),
            None => None,
        };
        let command = CategoryCommand::IntroduceProduct(IntroduceProduct {
            sku: Sku::parse(product.sku)?,
            base_price: Money::new(product.price, Currency::Usd),
            details: ProductDetails {
                name: product.name.into(),
                collection: product.collection,
                description: product.description.into(),
                image: format!("/products/{}.svg", product.sku.to_ascii_lowercase()),
                variant,
                unit_cost: Some(Money::new(product.cost, Currency::Usd)),
            },
        });
        appended += service::handle(store, actor.clone(), command)
            .await
            .map_err(|source| DemoError::Command {
                sku: product.sku.to_owned(),
                source,
            })?
            .events
            .len();
    }
    for product in CATALOG {
        appended += record_stock_count(
            store,
            actor.clone(),
            Sku::parse(product.sku)?,
            product.on_hand,
            None,
        )
        .await
        .map_err(|source| DemoError::StockCount {
            sku: product.sku.to_owned(),
            source,
        })?
        .events
        .len();
    }
    Ok(DemoReport { events: appended })
}

/// The demo's staff logins: (email, name, roles, password). Documented in
/// the README; they exist only in demo databases.
pub const DEMO_STAFF: &[(&str, &str, &[&str], &str)] = &[
    (
        "owner@fenwick.example",
        "Mara Fenwick",
        &["admin"],
        "fenwick-demo-owner",
    ),
    (
        "potter@fenwick.example",
        "Jo Potter",
        &["category:operate", "procurement:view"],
        "fenwick-demo-potter",
    ),
];

/// The demo's shopper login: (email, name, password). Documented in the
/// README beside the staff logins.
pub const DEMO_SHOPPERS: &[(&str, &str, &str)] = &[(
    "shopper@fenwick.example",
    "Ada Lovell",
    "fenwick-demo-shopper",
)];

/// The demo's dealer companies and their first users: (company, contact,
/// email, tier, password). Dealer A buys at the trade tier, dealer B at the
/// partner tier, so their price lists differ. Documented in the README.
pub const DEMO_DEALERS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Clay & Cup Café",
        "Priya Shah",
        "orders@clayandcup.example",
        "trade",
        "fenwick-demo-dealer-a",
    ),
    (
        "Hollow Oak Gifts",
        "Tom Reyes",
        "buyer@hollowoak.example",
        "partner",
        "fenwick-demo-dealer-b",
    ),
];

/// Why the demo logins were not created.
#[derive(Debug, thiserror::Error)]
#[error("demo login {email} could not be created")]
pub struct DemoLoginError {
    /// The login concerned.
    pub email: &'static str,
    /// What went wrong (in this file's constants, or in the store).
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// Creates the demo's logins: staff the way `kiln user add` does, shoppers
/// the way the sign-up page does. Loaded after [`load_demo_business`],
/// into the same fresh database. Returns how many logins it made.
pub async fn load_demo_logins(store: &EventStore) -> Result<usize, DemoLoginError> {
    use crate::access::password::Password;
    use crate::functions::platform_manager::{events::Role, service};
    use kiln_core::identity::Email;

    for &(email, name, roles, password) in DEMO_STAFF {
        let failed =
            |source: Box<dyn std::error::Error + Send + Sync>| DemoLoginError { email, source };
        let new = service::NewStaffAccount {
            email: Email::parse(email).map_err(|error| failed(error.into()))?,
            name: name.into(),
            roles: roles
                .iter()
                .map(|role| Role::parse(role))
                .collect::<Result<_, _>>()
                .map_err(|error| failed(error.into()))?,
            password: Password::parse(password).map_err(|error| failed(error.into()))?,
        };
        service::create_staff_account(store, Actor::system("demo-seed"), new)
            .await
            .map_err(|error| failed(error.into()))?;
    }
    for &(email, name, password) in DEMO_SHOPPERS {
        let failed =
            |source: Box<dyn std::error::Error + Send + Sync>| DemoLoginError { email, source };
        let new = service::NewConsumer {
            email: Email::parse(email).map_err(|error| failed(error.into()))?,
            name: name.into(),
            password: Password::parse(password).map_err(|error| failed(error.into()))?,
        };
        service::sign_up_consumer(store, new)
            .await
            .map_err(|error| failed(error.into()))?;
    }
    for &(company_name, contact_name, email, tier, password) in DEMO_DEALERS {
        load_demo_dealer(store, company_name, contact_name, email, tier, password)
            .await
            .map_err(|source| DemoLoginError { email, source })?;
    }
    Ok(DEMO_STAFF.len() + DEMO_SHOPPERS.len() + DEMO_DEALERS.len())
}

/// One demo dealer, through the real onboarding: the application, its
/// approval, and the first user choosing a password with the welcome link.
async fn load_demo_dealer(
    store: &EventStore,
    company_name: &str,
    contact_name: &str,
    email: &str,
    tier: &str,
    password: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use crate::access::password::Password;
    use crate::functions::customers::{events::DealerTier, service as dealers};
    use crate::functions::platform_manager::service;
    use kiln_core::identity::Email;

    let application = dealers::submit_application(
        store,
        dealers::NewApplication {
            company_name: company_name.into(),
            contact_name: contact_name.into(),
            email: Email::parse(email)?,
            message: String::new(),
        },
    )
    .await?;
    let tier = DealerTier::from_name(tier).ok_or("unknown demo dealer tier")?;
    let approved =
        dealers::approve_application(store, Actor::system("demo-seed"), application, tier).await?;
    service::reset_password(
        store,
        approved.welcome_token.reveal(),
        Password::parse(password)?,
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

/// The demo's change requests, raised by staff from their pages:
/// (function, title, impact, urgency). The second repeats the first.
pub const DEMO_CHANGE_REQUESTS: &[(BusinessFunction, &str, &str, &str)] = &[
    (
        BusinessFunction::Category,
        "Bulk edit of base prices",
        "Repricing a collection takes an afternoon of one product at a time.",
        "normal",
    ),
    (
        BusinessFunction::Category,
        "Edit base prices in bulk",
        "Spring repricing is coming.",
        "high",
    ),
    (
        BusinessFunction::Fulfillment,
        "Print packing slips",
        "We cannot ship dealer orders without a slip in the box; orders wait.",
        "high",
    ),
];

/// The demo's dealer applications waiting for a verdict: (company,
/// contact, email, message). One reads like a restaurant ordering in
/// volume, one like a small shop, one like spam, and one like a second
/// account for a dealer already open.
pub const DEMO_APPLICANTS: &[(&str, &str, &str, &str)] = &[
    (
        "Saltmarsh Kitchen",
        "Rosa Lind",
        "orders@saltmarshkitchen.example",
        "A seafood restaurant in Whitby with two sites; we would order around 320 pieces a month.",
    ),
    (
        "Hedgerow Homewares",
        "Sam Okafor",
        "sam@hedgerow.example",
        "A small homeware shop in Hebden Bridge; perhaps 40 pieces a month to start.",
    ),
    (
        "Best Deals 4 U",
        "J Smith",
        "bestdeals4u@gmail.com",
        "Great prices for resellers, see www.best-deals.example",
    ),
    (
        "Kiln and Crumb Bakery Ltd",
        "Tom Duarte",
        "tom@kilnandcrumb.example",
        "Our second bakery opens in March and needs its own account.",
    ),
];

/// The demo's other dealer companies, beyond the two with logins:
/// (company, contact, email, tier). They are approved through the real
/// onboarding; their first users' welcome links wait in the outbox.
pub const DEMO_MORE_DEALERS: &[(&str, &str, &str, &str)] = &[
    (
        "Kiln & Crumb Bakery",
        "Ines Duarte",
        "ines@kilnandcrumb.example",
        "volume",
    ),
    (
        "The Potting Shed",
        "Harry Webb",
        "harry@pottingshed.example",
        "trade",
    ),
    (
        "Harbour Lights Gallery",
        "Mei Chen",
        "mei@harbourlights.example",
        "partner",
    ),
    (
        "Mossgrove Café",
        "Olu Adeyemi",
        "olu@mossgrove.example",
        "volume",
    ),
];

const FIRST_NAMES: [&str; 10] = [
    "Amara", "Ben", "Chloé", "Dev", "Elif", "Finn", "Grace", "Hugo", "Isla", "Jonas",
];
const LAST_NAMES: [&str; 3] = ["Okafor", "Lindqvist", "Moreau"];

/// How many guest shoppers the demo's order history has (with the demo
/// shopper's login, 30 consumers).
pub const DEMO_GUEST_SHOPPERS: usize = 29;

/// What loading the demo's order history made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoHistory {
    /// Dealer companies opened.
    pub dealers: usize,
    /// Orders placed.
    pub orders: usize,
}

/// The demo's trading history, through the real commands: four more dealer
/// companies (six with the two that have logins, across the three tiers),
/// orders from 29 guest shoppers, and trade orders from the four new
/// dealers at their tiers and volume breaks. Loaded by `kiln seed --demo`
/// after [`load_demo_logins`]; the tests' servers do without it, so their
/// figures start from nothing.
///
/// The shoppers' orders are history spread over the last six months (each
/// event keeps the date it happened beside the date it was recorded); the
/// dealers, approved today, ordered in the last three weeks. A fresh stock
/// count of every product closes the load, so what the storefront shows
/// as available is the catalog's `on_hand`.
pub async fn load_demo_history(
    store: &EventStore,
    tax_rate: kiln_core::money::TaxRate,
) -> Result<DemoHistory, Box<dyn std::error::Error + Send + Sync>> {
    use crate::functions::customers::decide::{PlaceOrder, PriceList};
    use crate::functions::customers::events::{
        Buyer, DealerTier, OrderId, PaymentMethod, ShippingAddress, ShippingOption,
    };
    use crate::functions::customers::service as customers;
    use kiln_core::identity::Email;
    let order_id = OrderId::generate;
    // A fixed walk through the catalog, so every load tells the same story.
    let product = |step: usize| CATALOG[(step * 7 + 3) % CATALOG.len()].sku;
    let now = chrono::Utc::now();
    // Shopper k of `total` orders ordered about 178 - 178k/total days ago,
    // in shop hours; never later than now.
    let total: usize = (0..DEMO_GUEST_SHOPPERS)
        .map(|shopper| shopper % 3 + 1)
        .sum();
    let days_ago = |order: usize, span: i64| {
        let k = i64::try_from(order).unwrap_or(0);
        let n = i64::try_from(total).unwrap_or(1).max(1);
        let day = span - k * span / n;
        (now - chrono::Duration::days(day) - chrono::Duration::hours((k * 7) % 10)).min(now)
    };
    let address = |name: &str, city: &str| ShippingAddress {
        name: name.to_owned(),
        line1: format!("{} Market Street", 3 + name.len()),
        line2: String::new(),
        city: city.to_owned(),
        postcode: "YO1 7HH".to_owned(),
        country: "United Kingdom".to_owned(),
    };
    let mut orders = 0;
    for shopper in 0..DEMO_GUEST_SHOPPERS {
        let first = FIRST_NAMES[shopper % FIRST_NAMES.len()];
        let last = LAST_NAMES[shopper / FIRST_NAMES.len() % LAST_NAMES.len()];
        let name = format!("{first} {last}");
        let email = Email::parse(&format!(
            "{}.{}@example.com",
            first.to_lowercase().replace('é', "e"),
            last.to_lowercase()
        ))?;
        // Some shoppers come back: one to three orders each.
        for visit in 0..=(shopper % 3) {
            let step = shopper * 3 + visit;
            let lines = (0..=(step % 2))
                .map(|line| {
                    Ok((
                        Sku::parse(product(step + line))?,
                        1 + ((step + line) % 3) as u32,
                    ))
                })
                .collect::<Result<Vec<_>, crate::functions::category::events::InvalidSku>>()?;
            let command = PlaceOrder {
                order: order_id(),
                buyer: Buyer::Guest {
                    name: name.clone(),
                    email: email.clone(),
                },
                lines,
                ship_to: address(&name, "York"),
                shipping_option: if step % 4 == 0 {
                    ShippingOption::Express
                } else {
                    ShippingOption::Standard
                },
                payment: PaymentMethod::BankTransfer,
                tax_rate,
                price_list: PriceList::Storefront,
            };
            customers::place_order_at(
                store,
                Actor::system("demo-seed"),
                command,
                Some(days_ago(orders, 178)),
            )
            .await?;
            orders += 1;
        }
    }
    for (index, &(company_name, contact, email, tier)) in DEMO_MORE_DEALERS.iter().enumerate() {
        let email = Email::parse(email)?;
        let application = customers::submit_application(
            store,
            customers::NewApplication {
                company_name: company_name.into(),
                contact_name: contact.into(),
                email: email.clone(),
                message: String::new(),
            },
        )
        .await?;
        let tier = DealerTier::from_name(tier).ok_or("unknown demo dealer tier")?;
        let approved =
            customers::approve_application(store, Actor::system("demo-seed"), application, tier)
                .await?;
        let account = approved.account.clone();
        // Two trade orders each: one below the first volume break, one
        // reaching a break (12 or 48 units).
        for (visit, quantity) in [(0, 6_u32), (1, if index % 2 == 0 { 48 } else { 12 })] {
            let command = PlaceOrder {
                order: order_id(),
                buyer: Buyer::Dealer {
                    company: approved.company.clone(),
                    company_name: company_name.into(),
                    account: account.clone(),
                    email: email.clone(),
                },
                lines: vec![(Sku::parse(product(index * 2 + visit))?, quantity)],
                ship_to: address(company_name, "Leeds"),
                shipping_option: ShippingOption::Standard,
                payment: PaymentMethod::Invoice,
                tax_rate,
                price_list: PriceList::Dealer(tier),
            };
            let days = 20_usize.saturating_sub(index * 4 + visit * 2);
            let placed = now - chrono::Duration::days(i64::try_from(days).unwrap_or(0));
            customers::place_order_at(store, Actor::system("demo-seed"), command, Some(placed))
                .await?;
            orders += 1;
        }
    }
    // Clay & Cup Café launches the slate glaze in its café: a promotional
    // price below its trade tier's.
    let companies = crate::functions::customers::projection::dealer_companies(store).await?;
    if let Some(clay_and_cup) = companies
        .iter()
        .find(|summary| summary.company.name == DEMO_DEALERS[0].0)
    {
        customers::offer_promotion(
            store,
            Actor::system("demo-seed"),
            crate::functions::customers::view::PromotionForm {
                company: clay_and_cup.company.company.to_string(),
                sku: "MUG-SPECKLE-12-SLT".into(),
                price: "14.00".into(),
                note: "Launch of the slate glaze in their café".into(),
            },
        )
        .await?;
    }
    for product in CATALOG {
        crate::functions::fulfillment::service::record_stock_count(
            store,
            Actor::system("demo-seed"),
            Sku::parse(product.sku)?,
            product.on_hand,
            None,
        )
        .await?;
    }
    // What the staff noticed of rivals' prices this season: enough for
    // Category Management's agent to have something to weigh.
    for (sku, source, price, note) in DEMO_MARKET_NOTES {
        crate::functions::category::service::note_market_price(
            store,
            Actor::system("demo-seed"),
            crate::functions::category::view::MarketNoteForm {
                sku: (*sku).into(),
                source: (*source).into(),
                their_price: (*price).into(),
                note: (*note).into(),
            },
        )
        .await?;
    }
    // Businesses that applied for a trade account and wait for a verdict:
    // Customer Management's agent reviews them when the server runs.
    for &(company_name, contact_name, email, message) in DEMO_APPLICANTS {
        customers::submit_application(
            store,
            customers::NewApplication {
                company_name: company_name.into(),
                contact_name: contact_name.into(),
                email: Email::parse(email)?,
                message: message.into(),
            },
        )
        .await?;
    }
    // What staff asked Kiln itself to change: the Platform Manager's agent
    // triages them when the server runs.
    for &(function, title, impact, urgency) in DEMO_CHANGE_REQUESTS {
        crate::functions::platform_manager::service::raise_change_request(
            store,
            Actor::system("demo-seed"),
            crate::functions::platform_manager::service::NewChangeRequest {
                title: title.into(),
                function,
                impact: impact.into(),
                urgency: crate::functions::platform_manager::events::Urgency::from_name(urgency)
                    .ok_or("unknown demo urgency")?,
            },
        )
        .await?;
    }
    Ok(DemoHistory {
        dealers: DEMO_MORE_DEALERS.len(),
        orders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::store_tests;

    store_tests! {
        async fn every_demo_login_signs_in_with_its_documented_password(store) {
            use kiln_core::identity::Email;
            use crate::access::password::Password;
            use crate::functions::platform_manager::service::check_sign_in;

            load_demo_business(&store).await.expect("demo business");
            assert_eq!(
                load_demo_logins(&store).await.expect("demo logins"),
                DEMO_STAFF.len() + DEMO_SHOPPERS.len() + DEMO_DEALERS.len()
            );
            let staff = DEMO_STAFF.iter().map(|&(email, _, _, password)| (email, password));
            let shoppers = DEMO_SHOPPERS.iter().map(|&(email, _, password)| (email, password));
            let dealers = DEMO_DEALERS.iter().map(|&(_, _, email, _, password)| (email, password));
            for (email, password) in staff.chain(shoppers).chain(dealers) {
                let email = Email::parse(email).expect("valid");
                let password = Password::parse(password).expect("valid");
                assert!(
                    check_sign_in(&store, &email, password).await.expect("checked").is_some(),
                    "{email} does not sign in"
                );
            }
        }
    }
}
