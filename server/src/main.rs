//! `kiln`: serve the application, migrate the database, load data, rebuild
//! projections, check integrity, measure.

use anyhow::Context;
use app::store::backend::redact;
use app::store::{integrity, projections};
use app::{demo, state::AppState};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use kiln::cli::{
    AgentsCommand, BenchCommand, Cli, Command, IntegrityCommand, ProjectionsCommand, SeedArgs,
    ServeArgs, UserCommand,
};
use std::time::Instant;

/// Rendering pages allocates and frees many small strings per request;
/// mimalloc does it for less CPU than the system allocator
/// (docs/benchmarks.md, "Storefront pages").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    kiln::telemetry::init(&cli.log, cli.log_format)?;
    match cli.command {
        Command::Serve(args) => serve(&cli.database_url, *args).await,
        Command::Migrate => migrate(&cli.database_url).await,
        Command::Seed(args) => {
            let sales_tax = args.sales_tax_percent;
            seed(&cli.database_url, args, sales_tax).await
        }
        Command::Projections(ProjectionsCommand::Rebuild { name }) => {
            rebuild(&cli.database_url, name.as_deref()).await
        }
        Command::Integrity(IntegrityCommand::Check) => check_integrity(&cli.database_url).await,
        Command::Bench(BenchCommand::Store(args)) => {
            let figures = kiln::bench::bench_store(&args).await?;
            kiln::bench::print_store_figures(&figures)
        }
        Command::Agents(AgentsCommand::Eval) => {
            let graded = kiln::eval::run_evals().await?;
            kiln::eval::print_grades(&graded)
        }
        Command::Bench(BenchCommand::Agents(args)) => {
            let figures = kiln::bench::agents::bench_agents(&args).await?;
            kiln::bench::agents::print_agent_figures(&figures)
        }
        Command::User(UserCommand::Add(args)) => {
            kiln::admin::add_user(&cli.database_url, args).await
        }
        Command::Token(command) => kiln::admin::token(&cli.database_url, command).await,
        Command::Outbox => kiln::admin::outbox(&cli.database_url).await,
        Command::Backup { file } => kiln::admin::backup(&cli.database_url, &file).await,
        Command::Export { file } => kiln::admin::export(&cli.database_url, &file).await,
        Command::Import { file } => kiln::admin::import(&cli.database_url, &file).await,
    }
}

use kiln::admin::open;

async fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    let bundle = args.site_root.join("pkg").join("kiln.js");
    if !bundle.exists() {
        tracing::warn!(
            missing = %bundle.display(),
            "the browser bundle is missing: pages render but stay static; build it with `make build`"
        );
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let payments: std::sync::Arc<dyn app::payments::PaymentGateway> = match &args.stripe_secret_key
    {
        Some(key) => {
            tracing::info!(api = %args.stripe_api_base, "card payments through Stripe are open");
            std::sync::Arc::new(
                app::payments::StripeCards::new(&args.stripe_api_base, key)
                    .context("preparing the Stripe client")?,
            )
        }
        None => std::sync::Arc::new(app::payments::BankTransfer),
    };
    let state = AppState::new(
        store.clone(),
        kiln::leptos_options(&args.site_root, addr),
        args.secure_cookies,
        args.sales_tax_percent,
        payments,
        app::functions::BUILT,
    );

    let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
    let model = match args.model.config().map_err(anyhow::Error::msg)? {
        Some(config) => {
            tracing::info!(
                model = config.model,
                base_url = config.base_url,
                "agents think with a model where their function allows it"
            );
            Some(std::sync::Arc::new(app::agents::model::ModelBrain::new(
                config,
            )?))
        }
        None => None,
    };
    let agents = if args.agents {
        kiln::agents::start_agents(&store, app::functions::BUILT, model, &workers_stopped)
    } else {
        tracing::info!("agents are switched off: nothing acts on its own");
        Vec::new()
    };
    let integrity = tokio::spawn(kiln::workers::integrity_worker(
        store.clone(),
        workers_stopped,
    ));

    tracing::info!(
        database = redact(database_url),
        "listening on http://{addr}"
    );
    let sessions = kiln::sessions::KilnSessionStore::open(&store)
        .await
        .context("preparing the session store")?;
    let settings = kiln::http::HttpSettings {
        limits: kiln::requests::RequestLimits {
            largest_body: args.max_request_bytes,
            ..Default::default()
        },
        trusted_proxies: args.trusted_proxies,
    };
    kiln::http::serve(
        state,
        sessions,
        listener,
        settings,
        kiln::http::shutdown_signal(),
    )
    .await?;
    // The receiver may already be gone if the worker ended; nothing to stop then.
    let _ = stop_workers.send(true);
    if let Err(error) = integrity.await {
        tracing::error!(%error, "the integrity worker ended abnormally");
    }
    for agent in agents {
        if let Err(error) = agent.await {
            tracing::error!(%error, "an agent ended abnormally");
        }
    }
    store.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn migrate(database_url: &str) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    store.close().await;
    tracing::info!(database = redact(database_url), "schema is up to date");
    Ok(())
}

async fn seed(
    database_url: &str,
    args: SeedArgs,
    sales_tax: app::money::TaxRate,
) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    debug_assert!(args.demo, "clap requires --demo");
    let outcome = match demo::load_demo_business(&store).await {
        Ok(report) => match demo::load_demo_logins(&store).await {
            Ok(logins) => match demo::load_demo_history(&store, sales_tax).await {
                Ok(history) => {
                    tracing::info!(
                        skus = demo::DEMO_CATALOG_SKUS,
                        catalog_events = report.events,
                        logins,
                        dealers = history.dealers,
                        orders = history.orders,
                        "loaded the demo business, its logins and its order history (see the README)"
                    );
                    Ok(())
                }
                Err(error) => {
                    Err(anyhow::anyhow!(error).context("loading the demo's order history"))
                }
            },
            Err(error) => Err(anyhow::Error::new(error).context("creating the demo logins")),
        },
        Err(demo::DemoError::NotEmpty { events }) if args.if_empty => {
            tracing::info!(
                events,
                "database already holds events; demo business not loaded"
            );
            Ok(())
        }
        Err(error) => Err(anyhow::Error::new(error).context("loading the demo business")),
    };
    store.close().await;
    outcome
}

async fn rebuild(database_url: &str, name: Option<&str>) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("rebuilding [{bar:40}] {pos}/{len} events ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let report = projections::rebuild(&store, name, |progress| {
        bar.set_length(progress.total);
        bar.set_position(progress.replayed);
    })
    .await;
    bar.finish_and_clear();
    store.close().await;
    let report = report?;

    println!(
        "rebuilt {} from {} events in {:.2} s",
        report.projections.join(", "),
        report.events,
        started.elapsed().as_secs_f64()
    );
    println!(
        "{:<24} {:>8} {:>8}  {:<64}  equal to live",
        "table", "rows", "before", "checksum (sum of row SHA-256, rebuilt)"
    );
    for (live, rebuilt) in &report.tables {
        println!(
            "{:<24} {:>8} {:>8}  {:<64}  {}",
            rebuilt.table,
            rebuilt.rows,
            live.rows,
            rebuilt.checksum,
            if live == rebuilt {
                "yes".to_owned()
            } else {
                format!("NO (live was {})", live.checksum)
            }
        );
    }
    if !report.all_equal() {
        anyhow::bail!(
            "the rebuilt tables differ from the live ones: the live projection was out of date or a projector is not deterministic"
        );
    }
    Ok(())
}

async fn check_integrity(database_url: &str) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    let outcomes = integrity::run_checks(&store, None).await;
    store.close().await;
    let outcomes = outcomes?;
    let mut violations = 0;
    for outcome in &outcomes {
        let verdict = if outcome.violations.is_empty() {
            "holds".to_owned()
        } else {
            format!("{} violation(s)", outcome.violations.len())
        };
        println!("{:<32} {:<16} {}", outcome.name, verdict, outcome.invariant);
        for violation in &outcome.violations {
            println!(
                "    {} (events {:?})",
                violation.message, violation.positions
            );
        }
        violations += outcome.violations.len();
    }
    if violations > 0 {
        anyhow::bail!("{violations} violation(s) found and recorded as anomalies");
    }
    Ok(())
}
