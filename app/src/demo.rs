//! The demo business, Fenwick Clayworks: a ceramics workshop that makes and
//! sells mugs, planters and tableware. Loaded through the same commands a
//! person would send, so every projection is derived exactly as in real use.

use crate::event::Actor;
use crate::functions::category::{
    decide::{CategoryCommand, IntroduceProduct},
    events::{Collection, Sku},
    service::{self, CatalogServiceError},
};
use crate::money::{Currency, Money};
use crate::store::{EventStore, StoreError};

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
}

/// (SKU, name, collection, description, price in cents)
const CATALOG: &[(&str, &str, Collection, &str, i64)] = &[
    (
        "MUG-SPECKLE-12",
        "Speckled Morning Mug",
        Collection::Mugs,
        "Twelve ounces of oatmeal stoneware flecked with iron, thrown on the wheel.",
        2800,
    ),
    (
        "MUG-TIDE-10",
        "Tide Glaze Mug",
        Collection::Mugs,
        "A sea-green glaze that pools darker in every throwing line.",
        3000,
    ),
    (
        "MUG-ESPRESSO-4",
        "Espresso Cup",
        Collection::Mugs,
        "A four-ounce cup with a thumb rest, for the first coffee of the day.",
        1800,
    ),
    (
        "MUG-TALL-16",
        "Tall Latte Mug",
        Collection::Mugs,
        "Sixteen ounces, a wide handle and a satin white interior.",
        3400,
    ),
    (
        "PLN-TERRA-6",
        "Terracotta Planter, 6 in",
        Collection::Planters,
        "Unglazed red clay that breathes, with a drainage hole and saucer.",
        3600,
    ),
    (
        "PLN-HANG-5",
        "Hanging Planter",
        Collection::Planters,
        "A five-inch bowl on waxed cotton cord, for trailing plants.",
        4200,
    ),
    (
        "PLN-FOOTED-8",
        "Footed Planter, 8 in",
        Collection::Planters,
        "A carved foot and a charcoal glaze for a statement fern.",
        5400,
    ),
    (
        "PLN-BUD-3",
        "Bud Vase Trio",
        Collection::Planters,
        "Three small vases in ash, moss and clay glazes.",
        3900,
    ),
    (
        "TBL-PLATE-10",
        "Dinner Plate",
        Collection::Tableware,
        "Ten and a half inches, rimmed, dishwasher safe.",
        3200,
    ),
    (
        "TBL-BOWL-SERVE",
        "Serving Bowl",
        Collection::Tableware,
        "A wide, shallow bowl for salads and shared plates.",
        4800,
    ),
    (
        "TBL-JUG-1L",
        "Pouring Jug",
        Collection::Tableware,
        "A litre jug with a sharp spout that never drips.",
        4400,
    ),
    (
        "TBL-PASTA-8",
        "Pasta Bowl",
        Collection::Tableware,
        "Eight inches, low walls, a glossy speckled glaze.",
        2600,
    ),
];

/// Loads the demo business into an empty event log.
pub async fn load_demo_business(store: &EventStore) -> Result<DemoReport, DemoError> {
    let events = store.event_count().await?;
    if events > 0 {
        return Err(DemoError::NotEmpty { events });
    }
    let actor = Actor::system("demo-seed");
    let mut appended = 0;
    for &(sku, name, collection, description, cents) in CATALOG {
        let command = CategoryCommand::IntroduceProduct(IntroduceProduct {
            sku: Sku::parse(sku)?,
            name: name.into(),
            collection,
            description: description.into(),
            base_price: Money::new(cents, Currency::Usd),
            image: format!("/products/{}.svg", sku.to_ascii_lowercase()),
        });
        appended += service::handle(store, actor.clone(), command)
            .await
            .map_err(|source| DemoError::Command {
                sku: sku.to_owned(),
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
    use crate::access::{Email, password::Password};
    use crate::functions::platform_manager::{events::Role, service};

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
    use crate::access::{Email, password::Password};
    use crate::functions::customers::{events::DealerTier, service as dealers};
    use crate::functions::platform_manager::service;

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
/// Every order is placed now: the event log stamps each event with the
/// time it is appended, and there is no way yet to load history with
/// earlier dates.
pub async fn load_demo_history(
    store: &EventStore,
    tax_rate: crate::money::TaxRate,
) -> Result<DemoHistory, Box<dyn std::error::Error + Send + Sync>> {
    use crate::access::Email;
    use crate::functions::customers::decide::{PlaceOrder, PriceList};
    use crate::functions::customers::events::{
        Buyer, DealerTier, OrderId, PaymentMethod, ShippingAddress, ShippingOption,
    };
    use crate::functions::customers::service as customers;
    let order_id = OrderId::generate;
    // A fixed walk through the catalog, so every load tells the same story.
    let product = |step: usize| CATALOG[(step * 7 + 3) % CATALOG.len()].0;
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
            customers::place_order(store, Actor::system("demo-seed"), command).await?;
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
            customers::place_order(store, Actor::system("demo-seed"), command).await?;
            orders += 1;
        }
    }
    Ok(DemoHistory {
        dealers: DEMO_MORE_DEALERS.len(),
        orders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store_tests;

    store_tests! {
        async fn every_demo_login_signs_in_with_its_documented_password(store) {
            use crate::access::{Email, password::Password};
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
