//! `kiln`: serve the application, migrate the database, load data.

use anyhow::Context;
use app::{demo, state::AppState};
use clap::Parser;
use kiln::cli::{Cli, Command, SeedArgs, ServeArgs};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    kiln::telemetry::init(&cli.log, cli.log_format)?;
    match cli.command {
        Command::Serve(args) => serve(&cli.database_url, args).await,
        Command::Migrate => migrate(&cli.database_url).await,
        Command::Seed(args) => seed(&cli.database_url, args).await,
    }
}

async fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let store = kiln::open_database(database_url)
        .await
        .with_context(|| format!("opening {database_url}"))?;
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
    let state = AppState::new(store.clone(), kiln::leptos_options(&args.site_root, addr));
    tracing::info!(database = database_url, "listening on http://{addr}");
    kiln::http::serve(state, listener, kiln::http::shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn migrate(database_url: &str) -> anyhow::Result<()> {
    let store = kiln::open_database(database_url)
        .await
        .with_context(|| format!("migrating {database_url}"))?;
    store.close().await;
    tracing::info!(database = database_url, "schema is up to date");
    Ok(())
}

async fn seed(database_url: &str, args: SeedArgs) -> anyhow::Result<()> {
    let store = kiln::open_database(database_url)
        .await
        .with_context(|| format!("opening {database_url}"))?;
    debug_assert!(args.demo, "clap requires --demo");
    let outcome = match demo::load_demo_business(&store).await {
        Ok(report) => {
            tracing::info!(events = report.events, "loaded the demo business");
            Ok(())
        }
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
