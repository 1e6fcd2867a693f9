//! `kiln bench agents`: how fast Category Management's agent reacts with
//! its rules brain, how many steps it takes a second, and what running the
//! agents costs the appends people make. On a throwaway SQLite database
//! holding the demo business. Figures go to docs/benchmarks.md.

use super::progress_bar;
use crate::cli::BenchAgentsArgs;
use anyhow::{Context, bail};
use app::agents::runtime::{Round, run_round};
use app::event::{Actor, StreamId};
use app::functions::BusinessFunction;
use app::functions::category::agent::AGENT;
use app::functions::category::decide::{CategoryCommand, IntroduceProduct, ProductDetails};
use app::functions::category::events::{CategoryEvent, Collection, MarketPriceNoted, Sku};
use app::money::{Currency, Money};
use app::store::{EventMetadata, EventStore};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Events per append while measuring append throughput.
const BATCH: u64 = 100;

/// Every figure `kiln bench agents` measures; printed as the last line.
#[derive(Debug, Serialize)]
pub struct AgentFigures {
    /// Median time from appending a market note that calls for a price
    /// cut to the proposal recorded, in milliseconds: the append and the
    /// three rounds of the peer conversation (Category Management's agent
    /// asks, Fulfillment's agrees, Category Management's proposes), run at
    /// once in-process. (`kiln serve` adds each wake-up and its 0.5 s
    /// settling pause.)
    pub reaction_p50_ms: f64,
    /// 99th percentile of the same, in milliseconds.
    pub reaction_p99_ms: f64,
    /// Agent steps (each reading its function's facts and acting once)
    /// per second.
    pub steps_per_s: f64,
    /// Events per second appended in batches of 100 with the agents off.
    pub append_events_per_s_agents_off: f64,
    /// The same with the agents running beside the appends, as in `kiln serve`.
    pub append_events_per_s_agents_on: f64,
    /// How much slower appending is with the agents on, in percent.
    pub append_cost_percent: f64,
    /// Steps the agent took while the appends ran with it on.
    pub agent_steps_while_appending: u64,
}

/// Runs the agents benchmark.
pub async fn bench_agents(args: &BenchAgentsArgs) -> anyhow::Result<AgentFigures> {
    let dir = tempfile::tempdir().context("creating a throwaway database directory")?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = crate::open_database(&url).await?;
    app::demo::load_demo_business(&store).await?;
    app::demo::load_demo_history(&store, app::money::TaxRate { basis_points: 0 })
        .await
        .map_err(|error| anyhow::anyhow!("loading the demo history: {error}"))?;
    // The agents' first look at the demo, and their conversation about
    // it, are not what is measured.
    for agent in [
        BusinessFunction::Category,
        BusinessFunction::Fulfillment,
        BusinessFunction::Category,
    ] {
        round(&store, agent).await?;
    }

    let (reactions, thinking) = measure_reactions(&store, args.reactions).await?;
    let percentile = |p: f64| -> f64 {
        reactions
            .get(((reactions.len() as f64 - 1.0) * p).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    // Off and on twice each, alternating, so that neither gains from
    // running on the smaller database or a warmer cache.
    let (mut off, mut on) = (Throughput::default(), Throughput::default());
    for run in 0..2 {
        off.add(append_rate(&store, args.append_events / 2, false, run).await?);
        on.add(append_rate(&store, args.append_events / 2, true, run).await?);
    }
    let steps_while_appending = on.agent_steps;
    let (off, on) = (off.events_per_s(), on.events_per_s());
    store.close().await;
    Ok(AgentFigures {
        reaction_p50_ms: percentile(0.50),
        reaction_p99_ms: percentile(0.99),
        steps_per_s: (reactions.len() * 3) as f64 / thinking.as_secs_f64(),
        append_events_per_s_agents_off: off,
        append_events_per_s_agents_on: on,
        append_cost_percent: (off - on) / off * 100.0,
        agent_steps_while_appending: steps_while_appending,
    })
}

/// Events appended, the time it took, and the agent's steps meanwhile.
#[derive(Debug, Default, Clone, Copy)]
struct Throughput {
    events: u64,
    appending: Duration,
    agent_steps: u64,
}

impl Throughput {
    fn add(&mut self, other: Throughput) {
        self.events += other.events;
        self.appending += other.appending;
        self.agent_steps += other.agent_steps;
    }

    fn events_per_s(self) -> f64 {
        self.events as f64 / self.appending.as_secs_f64()
    }
}

/// How many steps Category Management's agent has recorded.
async fn agent_steps(store: &EventStore) -> anyhow::Result<u64> {
    use app::agents::step::AgentStep;
    use app::functions::platform_manager::events::PlatformEvent;
    let steps = store
        .load::<PlatformEvent>(&AgentStep::stream(BusinessFunction::Category))
        .await?;
    Ok(steps.events.len() as u64)
}

/// One round of `agent`'s, with its rules brain, without the hourly rate
/// limits (the benchmark proposes far more than an hour's worth).
async fn round(store: &EventStore, agent: BusinessFunction) -> anyhow::Result<Round> {
    let descriptor = match agent {
        BusinessFunction::Fulfillment => app::functions::fulfillment::agent::AGENT,
        _ => AGENT,
    };
    let descriptor = app::agents::runtime::AgentDescriptor {
        rate_limits: app::agents::runtime::RateLimits {
            messages_per_hour: i64::MAX,
            proposals_per_hour: i64::MAX,
        },
        ..descriptor
    };
    Ok(run_round(
        store,
        agent,
        &descriptor,
        descriptor.think,
        chrono::Utc::now(),
    )
    .await?)
}

/// `count` times: a new product with stock and no sales is introduced and
/// counted (the agent looks, and leaves it), then a rival's lower price is
/// noted, and the three rounds that lead to a proposed cut (Category
/// Management's agent asks Fulfillment's, which agrees, then it proposes)
/// are timed from the note's append. Answers the latencies, sorted, and
/// the time spent in the timed rounds.
async fn measure_reactions(
    store: &EventStore,
    count: u64,
) -> anyhow::Result<(Vec<Duration>, Duration)> {
    let person = Actor::system("bench");
    let bar = progress_bar(count, "reactions");
    let mut latencies = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut rounds = Duration::ZERO;
    for index in 0..count {
        let sku = Sku::parse(&format!("BENCH-{index}"))?;
        app::functions::category::service::handle(
            store,
            person.clone(),
            CategoryCommand::IntroduceProduct(IntroduceProduct {
                sku: sku.clone(),
                base_price: Money::new(4000, Currency::Usd),
                details: ProductDetails {
                    name: format!("Bench planter {index}"),
                    collection: Collection::Planters,
                    description: "A planter the benchmark introduced.".into(),
                    image: "/products/pln-terra-4.svg".into(),
                    variant: None,
                    unit_cost: Some(Money::new(1000, Currency::Usd)),
                },
            }),
        )
        .await?;
        app::functions::fulfillment::service::record_stock_count(
            store,
            person.clone(),
            sku.clone(),
            100,
            None,
        )
        .await?;
        round(store, BusinessFunction::Category).await?;

        let started = Instant::now();
        app::functions::category::service::note_market_price(
            store,
            person.clone(),
            app::functions::category::view::MarketNoteForm {
                sku: sku.to_string(),
                source: "Bench garden centre".into(),
                their_price: "30.00".into(),
                note: "A cheaper planter of the same size".into(),
            },
        )
        .await?;
        let thinking = Instant::now();
        let asked = round(store, BusinessFunction::Category).await?;
        let answered = round(store, BusinessFunction::Fulfillment).await?;
        let proposed = round(store, BusinessFunction::Category).await?;
        rounds += thinking.elapsed();
        latencies.push(started.elapsed());
        // The question, the agreement, then the proposal and its note.
        match (asked, answered, proposed) {
            (Round::Stepped(asked), Round::Stepped(answered), Round::Stepped(proposed))
                if asked.carried_out == 1
                    && answered.carried_out == 1
                    && proposed.carried_out == 2 => {}
            other => bail!(
                "the note on {sku} should have led to a question, an agreement and one proposal, not {other:?}"
            ),
        }
        bar.inc(1);
    }
    bar.finish();
    latencies.sort_unstable();
    Ok((latencies, rounds))
}

/// Events per second appended in batches of [`BATCH`] market notes on the
/// demo's products (events the agent follows), with the agents running
/// beside the appends (as `kiln serve` runs them) or not; `run` tells the
/// runs' streams apart.
async fn append_rate(
    store: &EventStore,
    events: u64,
    agents: bool,
    run: u32,
) -> anyhow::Result<Throughput> {
    let steps_before = agent_steps(store).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = if agents {
        crate::agents::start_agents(store, app::functions::BUILT, None, &stopped)
    } else {
        Vec::new()
    };
    let metadata = EventMetadata::new(Actor::system("bench"), BusinessFunction::Category);
    let skus: Vec<Sku> = app::functions::category::projection::catalog(store)
        .await?
        .into_iter()
        .map(|entry| entry.product.sku)
        .collect();
    let label = if agents {
        "appends, agents on"
    } else {
        "appends, agents off"
    };
    let batches = events.div_ceil(BATCH);
    let bar = progress_bar(batches * BATCH, label);
    let mut appending = Duration::ZERO;
    for batch in 0..batches {
        let Some(sku) = skus.get(usize::try_from(batch).unwrap_or(0) % skus.len().max(1)) else {
            bail!("the demo catalog is empty");
        };
        let notes: Vec<CategoryEvent> = (0..BATCH)
            .map(|i| {
                CategoryEvent::MarketPriceNoted(MarketPriceNoted {
                    sku: sku.clone(),
                    source: format!("Bench source {batch}-{i}"),
                    their_price: None,
                    note: "Seen while benchmarking".into(),
                })
            })
            .collect();
        // A stream per batch, so the appends never conflict.
        let stream = StreamId::new(format!("bench-notes-{agents}-{run}-{batch}"));
        let started = Instant::now();
        store.append(&stream, 0, &notes, &metadata).await?;
        appending += started.elapsed();
        bar.inc(BATCH);
    }
    bar.finish();
    let _ = stop.send(true);
    for agent in running {
        agent.await.context("an agent ended abnormally")?;
    }
    Ok(Throughput {
        events: batches * BATCH,
        appending,
        agent_steps: agent_steps(store).await? - steps_before,
    })
}

/// Prints the figures as a table, then as one JSON line.
pub fn print_agent_figures(figures: &AgentFigures) -> anyhow::Result<()> {
    println!();
    println!("{:<40} {:>12}", "figure", "value");
    println!(
        "{:<40} {:>12.2}",
        "note to proposal, one round p50 (ms)", figures.reaction_p50_ms
    );
    println!(
        "{:<40} {:>12.2}",
        "note to proposal, one round p99 (ms)", figures.reaction_p99_ms
    );
    println!(
        "{:<40} {:>12.1}",
        "agent steps per second", figures.steps_per_s
    );
    println!(
        "{:<40} {:>12.0}",
        "appends, agents off (events/s)", figures.append_events_per_s_agents_off
    );
    println!(
        "{:<40} {:>12.0}",
        "appends, agents on (events/s)", figures.append_events_per_s_agents_on
    );
    println!(
        "{:<40} {:>12.1}",
        "cost of the agents (%)", figures.append_cost_percent
    );
    println!(
        "{:<40} {:>12}",
        "agent steps while appending", figures.agent_steps_while_appending
    );
    println!("{}", serde_json::to_string(figures)?);
    Ok(())
}
