//! `kiln agents eval`: the agents graded on fixed business situations.
//!
//! Each situation starts from the demo business on a throwaway SQLite
//! database, is built through the same commands people and dealers use,
//! lets the agent network settle (every agent's rounds, with its rules
//! brain, until none has anything left to do), and grades what results:
//! which proposals exist, that their commands would pass their function's
//! rules if a person approved them now (checked against the stream, not
//! carried out), and which guards fired. A failed check names what was
//! found instead, so a change to an agent's rules that makes it worse
//! shows here in plain words.
//!
//! Not graded yet: the model's brain (the fake model server lives in the
//! app's tests), tickets (no agent triages them yet).

use anyhow::{Context, bail};
use app::agents::runtime::{Round, run_round};
use app::decision::{DecisionCard, DecisionStatus, Verdict};
use app::event::Actor;
use app::functions::BusinessFunction;
use app::store::EventStore;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;

/// One check of a situation's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What is expected, as a sentence.
    pub expected: String,
    /// Whether it held.
    pub passed: bool,
    /// What was found, when it did not.
    pub found: String,
}

impl Check {
    fn new(expected: impl Into<String>, passed: bool, found: impl Into<String>) -> Self {
        Check {
            expected: expected.into(),
            passed,
            found: found.into(),
        }
    }
}

/// A situation's grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graded {
    /// Its name, e.g. `margin-squeeze`.
    pub name: &'static str,
    /// What happens in it.
    pub story: &'static str,
    /// Its checks.
    pub checks: Vec<Check>,
}

impl Graded {
    /// Whether every check held.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|check| check.passed)
    }
}

/// Builds a situation on a store holding the demo business, which the
/// agents have not looked at yet, and grades it.
type Grader =
    for<'a> fn(&'a EventStore) -> Pin<Box<dyn Future<Output = anyhow::Result<Vec<Check>>> + 'a>>;

/// The situations, in the order they run.
const SITUATIONS: &[(&str, &str, Grader)] = &[
    (
        "margin-squeeze",
        "A product's unit cost rises until its margin is under the goal.",
        |store| Box::pin(margin_squeeze(store)),
    ),
    (
        "suspicious-dealer-applications",
        "A reseller of 'deals' applies from webmail with a link; another applies with an open dealer's name.",
        |store| Box::pin(suspicious_applications(store)),
    ),
    (
        "duplicate-change-requests",
        "Two people ask for the same change to Category Management in other words.",
        |store| Box::pin(duplicate_change_requests(store)),
    ),
    (
        "agents-disagree",
        "Category Management's agent wants to cut an overstocked product's price; Fulfillment's agent says its count is too old to price on.",
        |store| Box::pin(agents_disagree(store)),
    ),
    (
        "silent-peer",
        "Category Management's agent asks Fulfillment's, whose agent is stopped, and an hour goes by.",
        |store| Box::pin(silent_peer(store)),
    ),
];

/// Runs every situation and grades it.
pub async fn run_evals() -> anyhow::Result<Vec<Graded>> {
    let mut graded = Vec::new();
    for (name, story, grade) in SITUATIONS {
        let dir = tempfile::tempdir().context("creating a throwaway database directory")?;
        let url = format!("sqlite://{}", dir.path().join("eval.db").display());
        let store = crate::open_database(&url).await?;
        app::demo::load_demo_business(&store).await?;
        app::demo::load_demo_logins(&store).await?;
        app::demo::load_demo_history(&store, app::money::TaxRate { basis_points: 0 })
            .await
            .map_err(|error| anyhow::anyhow!("loading the demo history: {error}"))?;
        let checks = grade(&store)
            .await
            .with_context(|| format!("running the situation {name}"))?;
        store.close().await;
        graded.push(Graded {
            name,
            story,
            checks,
        });
    }
    Ok(graded)
}

/// Prints the grades; fails when any situation failed.
pub fn print_grades(graded: &[Graded]) -> anyhow::Result<()> {
    for situation in graded {
        let mark = if situation.passed() { "✓" } else { "✗" };
        println!("{mark} {}: {}", situation.name, situation.story);
        for check in &situation.checks {
            if check.passed {
                println!("    ✓ {}", check.expected);
            } else {
                println!("    ✗ {} (found: {})", check.expected, check.found);
            }
        }
    }
    let passed = graded.iter().filter(|situation| situation.passed()).count();
    println!("{passed} of {} situations passed", graded.len());
    if passed < graded.len() {
        bail!("{} situation(s) failed", graded.len() - passed);
    }
    Ok(())
}

/// Runs every built agent's rounds, with its rules brain, until a whole
/// pass finds nothing new for any of them (at most 10 passes: a network
/// that never settles is itself a failure).
async fn settle(store: &EventStore, now: DateTime<Utc>) -> anyhow::Result<()> {
    settle_agents(store, now, &[]).await
}

/// [`settle`], with the agents of `stopped` not running.
async fn settle_agents(
    store: &EventStore,
    now: DateTime<Utc>,
    stopped: &[BusinessFunction],
) -> anyhow::Result<()> {
    for _ in 0..10 {
        let mut busy = false;
        for descriptor in app::functions::BUILT {
            let Some(agent) = descriptor.agent else {
                continue;
            };
            if stopped.contains(&descriptor.function) {
                continue;
            }
            let round = run_round(store, descriptor.function, &agent, agent.think, now).await?;
            busy |= matches!(round, Round::Stepped(_) | Round::Resumed(_));
        }
        if !busy {
            return Ok(());
        }
    }
    bail!("the agents were still stepping after 10 passes")
}

/// The staff member the situations act as.
fn person() -> Actor {
    Actor::system("agents-eval")
}

/// The cards waiting for a person among `cards`.
fn waiting(cards: &[DecisionCard]) -> Vec<&DecisionCard> {
    cards
        .iter()
        .filter(|card| card.status == DecisionStatus::Pending)
        .collect()
}

/// The guard firings of `guard` (its slug).
async fn firings(store: &EventStore, guard: &str) -> anyhow::Result<usize> {
    Ok(
        app::functions::platform_manager::projection::guard_firings(store, 1_000)
            .await?
            .into_iter()
            .filter(|firing| firing.guard == guard)
            .count(),
    )
}

async fn margin_squeeze(store: &EventStore) -> anyhow::Result<Vec<Check>> {
    // What the agents make of the demo itself is not graded here.
    settle(store, Utc::now()).await?;
    use app::functions::category::decide::{CategoryCommand, ProductState, decide};
    use app::functions::category::events::{CategoryEvent, Sku};
    use app::functions::category::{projection, service};

    // A costed, listed product no proposal is about yet.
    let waiting_before = projection::price_proposals(store, 0).await?;
    let entry = projection::catalog(store)
        .await?
        .into_iter()
        .find(|entry| {
            entry.listed
                && entry.unit_cost.is_some()
                && !waiting_before
                    .iter()
                    .any(|card| card.stream == entry.product.sku.product_stream().to_string())
        })
        .context("the demo has a costed product without a proposal")?;
    let sku: Sku = entry.product.sku.clone();
    let price = entry.product.price;
    let history = store.load::<CategoryEvent>(&sku.product_stream()).await?;
    let mut details = ProductState::from_events(&history.events)
        .details
        .context("the product has details")?;
    // Its cost becomes 70 % of its price: a margin of 30 %.
    details.unit_cost = Some(app::money::Money::new(
        price.minor_units * 7 / 10,
        price.currency,
    ));
    service::handle(
        store,
        person(),
        CategoryCommand::ReviseProduct {
            sku: sku.clone(),
            details,
        },
    )
    .await?;
    settle(store, Utc::now()).await?;

    let cards = projection::price_proposals(store, 0).await?;
    let proposal = waiting(&cards)
        .into_iter()
        .find(|card| card.stream == sku.product_stream().to_string())
        .cloned();
    let mut checks = vec![Check::new(
        format!("a raise of {sku}'s base price ({price}) is proposed"),
        proposal
            .as_ref()
            .is_some_and(|card| card.change.contains(" to ")),
        format!(
            "{} proposals waiting, none about {sku}",
            waiting(&cards).len()
        ),
    )];
    if let Some(card) = proposal {
        let history = store.load::<CategoryEvent>(&sku.product_stream()).await?;
        let approved = decide(
            &ProductState::from_events(&history.events),
            CategoryCommand::DecideProposal {
                sku: sku.clone(),
                decision: card.decision.clone(),
                verdict: Verdict::Approve,
                comment: String::new(),
            },
        );
        let raised_within_bounds = approved.as_ref().is_ok_and(|events| {
            events.iter().any(|event| {
                matches!(event, CategoryEvent::BasePriceChanged(changed)
                    if changed.to.minor_units > changed.from.minor_units
                        && changed.to.minor_units * 100 <= changed.from.minor_units * 110)
            })
        });
        checks.push(Check::new(
            "approving it now passes Category Management's rules and raises the price by at most 10 %",
            raised_within_bounds,
            format!("{approved:?}"),
        ));
    }
    let fired = app::functions::platform_manager::projection::guard_firings(store, 1_000)
        .await?
        .len();
    checks.push(Check::new(
        "no guard fired",
        fired == 0,
        format!("{fired} guard firings"),
    ));
    Ok(checks)
}

async fn suspicious_applications(store: &EventStore) -> anyhow::Result<Vec<Check>> {
    // What the agents make of the demo itself is not graded here.
    settle(store, Utc::now()).await?;
    use app::functions::customers::decide::{ApplicationState, CustomerCommand, decide};
    use app::functions::customers::events::CustomerEvent;
    use app::functions::customers::{projection, service};

    let spam = service::submit_application(
        store,
        service::NewApplication {
            company_name: "Deals Deals Deals".into(),
            contact_name: "Max Profit".into(),
            email: app::access::Email::parse("maxprofit@gmail.com")?,
            message: "Best wholesale prices, click https://deals.example/now".into(),
        },
    )
    .await?;
    let lookalike = service::submit_application(
        store,
        service::NewApplication {
            company_name: "Hollow Oak Gifts Ltd".into(),
            contact_name: "Rita Reyes".into(),
            email: app::access::Email::parse("rita@elsewhere.example")?,
            message: "A gift shop; about 60 pieces a month.".into(),
        },
    )
    .await?;
    settle(store, Utc::now()).await?;

    let cards = projection::application_proposals(store, 0).await?;
    let about = |application: &app::functions::customers::events::ApplicationId| {
        let stream = format!("dealer-application-{application}");
        waiting(&cards)
            .into_iter()
            .find(|card| card.stream == stream)
            .cloned()
    };
    let spam_card = about(&spam);
    let mut checks = vec![Check::new(
        "the 'deals' application is proposed for decline",
        spam_card
            .as_ref()
            .is_some_and(|card| card.change.starts_with("Decline")),
        format!("{spam_card:?}"),
    )];
    if let Some(card) = &spam_card {
        let stream = app::event::StreamId::new(format!("dealer-application-{spam}"));
        let history = store.load::<CustomerEvent>(&stream).await?;
        let approved = decide(
            &ApplicationState::from_events(&history.events),
            false,
            CustomerCommand::DecideProposal {
                application: spam.clone(),
                decision: card.decision.clone(),
                verdict: Verdict::Approve,
                comment: String::new(),
                company: app::access::identity::CompanyId::generate(),
            },
        );
        checks.push(Check::new(
            "approving it now passes Customer Management's rules and declines the application",
            approved.as_ref().is_ok_and(|events| {
                events
                    .iter()
                    .any(|event| matches!(event, CustomerEvent::DealerApplicationDeclined(_)))
            }),
            format!("{approved:?}"),
        ));
    }
    let lookalike_card = about(&lookalike);
    checks.push(Check::new(
        "nothing is proposed on the application named like an open dealer",
        lookalike_card.is_none(),
        format!("{lookalike_card:?}"),
    ));
    let escalated = app::functions::platform_manager::projection::conversations(
        store,
        BusinessFunction::Customers,
        50,
    )
    .await?
    .into_iter()
    .any(|thread| {
        thread.messages.iter().any(|message| {
            message.intent == app::conversation::MessageIntent::Escalate
                && message.subject.as_deref()
                    == Some(format!("dealer-application-{lookalike}").as_str())
        })
    });
    checks.push(Check::new(
        "it is escalated to Customer Management's people instead",
        escalated,
        "no escalation about it",
    ));
    Ok(checks)
}

async fn duplicate_change_requests(store: &EventStore) -> anyhow::Result<Vec<Check>> {
    // What the agents make of the demo itself is not graded here.
    settle(store, Utc::now()).await?;
    use app::functions::platform_manager::decide::{
        ChangeRequestCommand, ChangeRequestState, decide_change_request,
    };
    use app::functions::platform_manager::events::{PlatformEvent, Urgency};
    use app::functions::platform_manager::{projection, service};

    let raise = |title: &str, impact: &str| service::NewChangeRequest {
        title: title.into(),
        function: BusinessFunction::Category,
        impact: impact.into(),
        urgency: Urgency::Normal,
    };
    let first = service::raise_change_request(
        store,
        person(),
        raise("Compare our prices with rivals", "Pricing by hand is slow."),
    )
    .await?;
    let second = service::raise_change_request(
        store,
        person(),
        raise("Rival price comparison", "We keep missing rivals' prices."),
    )
    .await?;
    settle(store, Utc::now()).await?;

    let cards = projection::triage_proposals(store, 0).await?;
    let stream_of = |request: &app::functions::platform_manager::events::ChangeRequestId| {
        request.stream().to_string()
    };
    let card_of = |request| {
        waiting(&cards)
            .into_iter()
            .find(|card| card.stream == stream_of(request))
            .cloned()
    };
    let second_card = card_of(&second);
    let first_card = card_of(&first);
    let mut checks = vec![
        Check::new(
            "the first request is proposed for acceptance at a priority",
            first_card
                .as_ref()
                .is_some_and(|card| card.change.contains("at priority")),
            format!("{first_card:?}"),
        ),
        Check::new(
            format!("the second is proposed as a duplicate of the first ({first})"),
            second_card
                .as_ref()
                .is_some_and(|card| card.change.contains(&format!("duplicate of {first}"))),
            format!("{second_card:?}"),
        ),
    ];
    if let Some(card) = second_card {
        let history = store.load::<PlatformEvent>(&second.stream()).await?;
        let approved = decide_change_request(
            ChangeRequestState::from_events(&history.events),
            ChangeRequestCommand::DecideProposal {
                request: second.clone(),
                decision: card.decision.clone(),
                verdict: Verdict::Approve,
                comment: String::new(),
            },
        );
        checks.push(Check::new(
            "approving it now passes the Platform Manager's rules and declines the request",
            approved.as_ref().is_ok_and(|events| {
                events.iter().any(|event| {
                    matches!(event, PlatformEvent::ChangeRequestTriaged(triaged)
                        if triaged.status == app::functions::platform_manager::events::TriageStatus::Declined)
                })
            }),
            format!("{approved:?}"),
        ));
    }
    Ok(checks)
}

async fn agents_disagree(store: &EventStore) -> anyhow::Result<Vec<Check>> {
    use app::functions::category::events::Sku;
    use app::functions::category::projection;

    // The pasta bowl's overstock is what Category Management's agent asks
    // about on the demo; its count is now four months old, before the
    // agents first look.
    let sku = Sku::parse("TBL-PASTA-8")?;
    let stream = sku.product_stream().to_string();
    let on_hand = app::functions::fulfillment::projection::stock_levels(store)
        .await?
        .into_iter()
        .find(|level| level.sku == sku)
        .map(|level| level.on_hand)
        .context("the demo counted the pasta bowl")?;
    app::functions::fulfillment::service::record_stock_count(
        store,
        person(),
        sku.clone(),
        on_hand,
        Some(Utc::now() - chrono::Duration::days(120)),
    )
    .await?;
    settle(store, Utc::now()).await?;

    let cards = projection::price_proposals(store, 100).await?;
    let cut = cards.iter().find(|card| card.stream == stream);
    let threads = app::functions::platform_manager::projection::conversations(
        store,
        BusinessFunction::Category,
        50,
    )
    .await?;
    let thread = threads.iter().find(|thread| {
        thread
            .messages
            .first()
            .and_then(|message| message.subject.as_deref())
            == Some(stream.as_str())
    });
    let intents: Vec<&str> = thread
        .map(|thread| {
            thread
                .messages
                .iter()
                .map(|message| message.intent.slug())
                .collect()
        })
        .unwrap_or_default();
    Ok(vec![
        Check::new(
            format!("Category Management's agent asks Fulfillment's about {sku}"),
            intents.first() == Some(&"ask"),
            format!("{intents:?}"),
        ),
        Check::new(
            "Fulfillment's agent disagrees",
            intents.contains(&"disagree"),
            format!("{intents:?}"),
        ),
        Check::new(
            "the conversation is escalated to people",
            intents.last() == Some(&"escalate"),
            format!("{intents:?}"),
        ),
        Check::new(
            format!("no cut of {sku} is proposed"),
            cut.is_none(),
            format!("{cut:?}"),
        ),
    ])
}

async fn silent_peer(store: &EventStore) -> anyhow::Result<Vec<Check>> {
    // What the agents make of the demo itself is not graded here.
    settle(store, Utc::now()).await?;
    use app::functions::platform_manager::{projection, service, view::AgentMessageForm};
    let asked = service::send_agent_message(
        store,
        Actor::agent(BusinessFunction::Category),
        BusinessFunction::Category,
        AgentMessageForm {
            to: "fulfillment".into(),
            text: "How many days of stock does PLN-FOOTED-8 have?".into(),
            conversation: String::new(),
            about: String::new(),
            intent: "ask".into(),
        },
    )
    .await?;
    // Fulfillment's agent is stopped; an hour and a minute go by.
    settle_agents(
        store,
        Utc::now() + chrono::Duration::minutes(61),
        &[BusinessFunction::Fulfillment],
    )
    .await?;
    let watchdog = firings(store, "watchdog").await?;
    let thread = projection::conversations(store, BusinessFunction::Category, 50)
        .await?
        .into_iter()
        .find(|thread| thread.conversation == asked.conversation);
    let escalated = thread.as_ref().is_some_and(|thread| {
        thread
            .messages
            .last()
            .is_some_and(|message| message.intent == app::conversation::MessageIntent::Escalate)
    });
    Ok(vec![
        Check::new(
            "the watchdog fires once",
            watchdog == 1,
            format!("{watchdog} watchdog firings"),
        ),
        Check::new(
            "the question's conversation is escalated to Category Management's people",
            escalated,
            format!("{thread:?}"),
        ),
    ])
}
