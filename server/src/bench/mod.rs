//! `kiln bench store`: the event store's throughput, latency and rebuild
//! cost on a throwaway database; `kiln bench agents` ([`agents`]). Figures
//! go to docs/benchmarks.md.

pub mod agents;

use crate::cli::{BenchBackend, BenchStoreArgs};
use anyhow::{Context, bail};
use app::event::{Actor, StreamId};
use app::functions::BusinessFunction;
use app::functions::category::events::{CategoryEvent, Collection, ProductIntroduced, Sku};
use app::money::{Currency, Money};
use app::store::backend::{create_postgres_database, drop_postgres_database};
use app::store::{EventMetadata, projections};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Events per batched append.
const BATCH: u64 = 100;

/// Every figure `kiln bench store` measures; printed as the last line.
#[derive(Debug, Serialize)]
pub struct StoreFigures {
    /// Events per second appended (with inline projection) in batches of 100.
    pub batched_events_per_s: f64,
    /// Median latency of a one-event append, in milliseconds.
    pub single_append_p50_ms: f64,
    /// 99th percentile latency of a one-event append, in milliseconds.
    pub single_append_p99_ms: f64,
    /// Events replayed by the rebuild.
    pub rebuild_events: u64,
    /// Seconds the rebuild of every projection took.
    pub rebuild_s: f64,
    /// Peak resident memory during the rebuild, in MB (the process's
    /// high-water mark, reset just before the rebuild where Linux allows).
    pub rebuild_peak_rss_mb: f64,
}

fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:>18} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// A typed event, appended the way application services append.
fn product_event(sku: &str) -> anyhow::Result<CategoryEvent> {
    Ok(CategoryEvent::ProductIntroduced(ProductIntroduced {
        sku: Sku::parse(sku)?,
        name: format!("Bench product {sku}"),
        collection: Collection::Mugs,
        description: "A product written by the benchmark.".into(),
        base_price: Money::new(2800, Currency::Usd),
        image: "/products/mug-speckle-12.svg".into(),
        variant: None,
        unit_cost: Some(Money::new(900, Currency::Usd)),
    }))
}

/// Runs the store benchmark on a throwaway database of the chosen engine
/// (a temporary SQLite file, or a database created for the run on the
/// PostgreSQL server and dropped afterwards).
pub async fn bench_store(args: &BenchStoreArgs) -> anyhow::Result<StoreFigures> {
    match args.backend {
        BenchBackend::Sqlite => {
            let dir = tempfile::tempdir().context("creating a throwaway database directory")?;
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            measure(&url, args).await
        }
        BenchBackend::Postgres => {
            let Some(server) = args.postgres_server.as_deref() else {
                bail!(
                    "--backend postgres needs a server to measure: pass --postgres-server \
                     postgres://user@host:port (or set KILN_BENCH_POSTGRES_URL); the benchmark \
                     creates a throwaway database there"
                );
            };
            let name = format!("kiln_bench_{}", std::process::id());
            let url = create_postgres_database(server, &name)
                .await
                .context("creating the throwaway benchmark database")?;
            let figures = measure(&url, args).await;
            drop_postgres_database(server, &name)
                .await
                .context("dropping the throwaway benchmark database")?;
            figures
        }
    }
}

async fn measure(url: &str, args: &BenchStoreArgs) -> anyhow::Result<StoreFigures> {
    let store = crate::open_database(url).await?;
    let metadata = EventMetadata::new(Actor::system("bench"), BusinessFunction::Category);

    // Batched appends: each append is one transaction of 100 events on its
    // own stream, with the catalog projection applied inline.
    let batches = args.events.div_ceil(BATCH);
    let bar = progress_bar(batches * BATCH, "batched appends");
    let mut appending = Duration::ZERO;
    for batch in 0..batches {
        let events = (0..BATCH)
            .map(|i| product_event(&format!("B{batch}-{i}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let stream = StreamId::new(format!("bench-batch-{batch}"));
        let started = Instant::now();
        store.append(&stream, 0, &events, &metadata).await?;
        appending += started.elapsed();
        bar.inc(BATCH);
    }
    bar.finish();
    let batched_events = batches * BATCH;

    // Single appends: one event, one transaction, one new stream each.
    let bar = progress_bar(args.single_appends, "single appends");
    let mut latencies = Vec::with_capacity(args.single_appends as usize);
    for i in 0..args.single_appends {
        let event = product_event(&format!("S-{i}"))?;
        let stream = StreamId::new(format!("bench-single-{i}"));
        let started = Instant::now();
        store.append(&stream, 0, &[event], &metadata).await?;
        latencies.push(started.elapsed());
        bar.inc(1);
    }
    bar.finish();
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };

    // Rebuild every projection from the whole log.
    reset_peak_rss();
    let total = store.event_count().await? as u64;
    let bar = progress_bar(total, "rebuild");
    let started = Instant::now();
    let report =
        projections::rebuild(&store, None, |progress| bar.set_position(progress.replayed)).await?;
    let rebuild_s = started.elapsed().as_secs_f64();
    bar.finish();
    if !report.all_equal() {
        bail!("the rebuilt projections differ from the live ones: {report:?}");
    }
    store.close().await;

    Ok(StoreFigures {
        batched_events_per_s: batched_events as f64 / appending.as_secs_f64(),
        single_append_p50_ms: percentile(0.50),
        single_append_p99_ms: percentile(0.99),
        rebuild_events: report.events,
        rebuild_s,
        rebuild_peak_rss_mb: peak_rss_mb().unwrap_or(f64::NAN),
    })
}

/// Prints the figures as a table, then as one JSON line.
pub fn print_store_figures(figures: &StoreFigures) -> anyhow::Result<()> {
    println!();
    println!("{:<34} {:>14}", "figure", "value");
    println!(
        "{:<34} {:>14.0}",
        "batched appends (events/s)", figures.batched_events_per_s
    );
    println!(
        "{:<34} {:>14.3}",
        "single append p50 (ms)", figures.single_append_p50_ms
    );
    println!(
        "{:<34} {:>14.3}",
        "single append p99 (ms)", figures.single_append_p99_ms
    );
    println!("{:<34} {:>14}", "rebuild (events)", figures.rebuild_events);
    println!("{:<34} {:>14.2}", "rebuild (s)", figures.rebuild_s);
    println!(
        "{:<34} {:>14.1}",
        "rebuild peak RSS (MB)", figures.rebuild_peak_rss_mb
    );
    println!("{}", serde_json::to_string(figures)?);
    Ok(())
}

/// Resets the kernel's peak-RSS mark for this process (Linux only; where it
/// is refused the figure includes the append phases).
fn reset_peak_rss() {
    if let Err(error) = std::fs::write("/proc/self/clear_refs", "5") {
        tracing::warn!(%error, "cannot reset the peak RSS mark; the rebuild figure includes earlier phases");
    }
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
