//! The `kiln` command line. Every setting is a flag with an environment
//! variable behind it, so the same binary runs from a terminal, the Makefile
//! and a service manager.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::{net::SocketAddr, path::PathBuf};

/// Kiln, the operating system of a maker business.
#[derive(Debug, Parser)]
#[command(name = "kiln", version, about)]
pub struct Cli {
    /// Where the event log lives: sqlite://path/to/kiln.db (embedded, the
    /// default) or postgres://user:password@host:port/database (the database
    /// must exist).
    #[arg(
        long,
        env = "KILN_DATABASE_URL",
        default_value = "sqlite://data/kiln.db",
        // The URL may hold a password: never print it in --help.
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    /// Which log lines to print, as a tracing filter, e.g. `info` or `kiln=debug,info`.
    #[arg(long, env = "KILN_LOG", default_value = "info", global = true)]
    pub log: String,

    /// How to print log lines.
    #[arg(long, env = "KILN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The form of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event, with key=value fields.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The `kiln` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application until SIGINT or SIGTERM.
    Serve(ServeArgs),
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// Load a data set into the database.
    Seed(SeedArgs),
    /// Work with the projection tables derived from the event log.
    #[command(subcommand)]
    Projections(ProjectionsCommand),
    /// Work with the integrity invariants.
    #[command(subcommand)]
    Integrity(IntegrityCommand),
    /// Measure performance on a throwaway database.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the API tokens agents use.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print the mail waiting to be sent (password reset links), until an
    /// email integration sends it.
    Outbox,
    /// Copy the SQLite database to FILE while Kiln keeps serving: a
    /// consistent copy to restore by putting it in the database's place.
    Backup {
        /// Where the copy goes; it must not exist yet.
        file: PathBuf,
    },
    /// Write the event log to FILE as NDJSON ending in a checksum line (no
    /// projections, credentials or sessions: see docs/restore.md).
    Export {
        /// Where the export goes; it must not exist yet.
        file: PathBuf,
    },
    /// Load an export into a database without events (SQLite or
    /// PostgreSQL) and rebuild every projection.
    Import {
        /// The export to load.
        file: PathBuf,
    },
}

/// `kiln token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token; its secret is printed once.
    Issue {
        /// Whom it lets in: `agent:<function>` for a function's own agent
        /// (reads every function, acts as its own), or
        /// `<function>:<read|propose>` for an external agent kept inside
        /// one function.
        #[arg(long)]
        holder: String,
        /// What it is for, e.g. "pricing bot".
        #[arg(long)]
        label: String,
    },
    /// Revoke a token for good.
    Revoke {
        /// The token's id, e.g. `tok-5d02c4e9a17f3b80`.
        token: String,
    },
    /// List every token issued, live and revoked.
    List,
}

/// `kiln user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account (the way to make the first administrator).
    /// Consumers sign up themselves and dealers are onboarded in Customer
    /// Management, so only staff accounts are created here.
    Add(UserAddArgs),
}

/// Settings of `kiln user add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Create a staff account (required: the only kind made here).
    #[arg(long, required = true)]
    pub staff: bool,

    /// The address they sign in with.
    #[arg(long)]
    pub email: String,

    /// Their name, as colleagues know it.
    #[arg(long)]
    pub name: String,

    /// A role: `admin` or `<function>:<view|operate|approve>`, e.g.
    /// `category:operate`. Repeat for several.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,

    /// Read the password from the first line of standard input instead of
    /// generating one (a generated password is printed once).
    #[arg(long)]
    pub password_stdin: bool,
}

/// `kiln projections ...`
#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Empty and replay one projection (or all) from the start of the log,
    /// and compare each table's checksum before and after.
    Rebuild {
        /// The projection to rebuild, e.g. `catalog`; all when omitted.
        name: Option<String>,
    },
}

/// `kiln integrity ...`
#[derive(Debug, Subcommand)]
pub enum IntegrityCommand {
    /// Evaluate every invariant now and record violations as anomalies.
    Check,
}

/// `kiln bench ...`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The event store: batched and single appends, and a rebuild.
    Store(BenchStoreArgs),
    /// The agents (SQLite, demo business): reaction latency, steps per
    /// second, and their cost on appends.
    Agents(BenchAgentsArgs),
}

/// Settings of `kiln bench agents`.
#[derive(Debug, Args)]
pub struct BenchAgentsArgs {
    /// How many event-to-proposal reactions to time.
    #[arg(long, default_value_t = 200)]
    pub reactions: u64,

    /// How many events to append with the agents off, and again with them on.
    #[arg(long, default_value_t = 20_000)]
    pub append_events: u64,
}

/// Settings of `kiln bench store`.
#[derive(Debug, Args)]
pub struct BenchStoreArgs {
    /// The database engine to measure.
    #[arg(long, value_enum, default_value_t = BenchBackend::Sqlite)]
    pub backend: BenchBackend,

    /// How many events to append in batches (and then rebuild from).
    #[arg(long, default_value_t = 100_000)]
    pub events: u64,

    /// How many single-event appends to time.
    #[arg(long, default_value_t = 2_000)]
    pub single_appends: u64,

    /// For `--backend postgres`: the server to measure, as a URL naming no
    /// database (e.g. postgres://postgres@127.0.0.1:5432). The benchmark
    /// creates a throwaway database there and drops it afterwards.
    #[arg(long, env = "KILN_BENCH_POSTGRES_URL")]
    pub postgres_server: Option<String>,
}

/// Database engines `kiln bench store` can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchBackend {
    /// The embedded default.
    Sqlite,
    /// A PostgreSQL server (see `--postgres-server`).
    Postgres,
}

/// Settings of `kiln serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, env = "KILN_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The directory the browser bundle's build wrote the site to (pkg/,
    /// pictures): `make build`, or `cargo leptos build` while developing.
    #[arg(long, env = "KILN_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Mark cookies `Secure`: set when Kiln is reached over HTTPS (usually
    /// through a proxy that terminates TLS).
    #[arg(long, env = "KILN_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// The sales tax charged on every order line, in percent (e.g. 8.25);
    /// recorded on each order, so changing it never changes past orders.
    #[arg(long, env = "KILN_SALES_TAX_PERCENT", default_value = "0", value_parser = parse_tax_rate)]
    pub sales_tax_percent: app::money::TaxRate,

    /// A Stripe secret key (`sk_live_…` or `sk_test_…`): buyers may then pay
    /// bank-transfer orders by card. Without it Kiln takes no cards. Read it
    /// from the environment rather than the command line, which others on
    /// the machine can see.
    #[arg(long, env = "KILN_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,

    /// Where Stripe's API is (a test server's address in tests).
    #[arg(long, env = "KILN_STRIPE_API_BASE", default_value = app::payments::StripeCards::API_BASE)]
    pub stripe_api_base: String,

    /// The largest request body Kiln reads, in bytes; a larger one is
    /// refused with 413 before it is read.
    #[arg(long, env = "KILN_MAX_REQUEST_BYTES", default_value_t = crate::requests::RequestLimits::DEFAULT_LARGEST_BODY)]
    pub max_request_bytes: usize,

    /// The reverse proxies in front of Kiln, comma-separated addresses or
    /// ranges (`10.0.0.0/8,::1`): only their `X-Forwarded-For` is believed
    /// when Kiln works out a client's address for the sign-in limits.
    #[arg(long, env = "KILN_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: crate::client_address::TrustedProxies,

    /// Run the functions' agents (`true` or `false`): they read the log,
    /// propose decisions for people and record every step they take.
    /// Switched off, nothing acts on its own and proposals come only
    /// through the API.
    #[arg(long, env = "KILN_AGENTS", default_value_t = true, action = clap::ArgAction::Set)]
    pub agents: bool,
}

fn parse_tax_rate(text: &str) -> Result<app::money::TaxRate, app::money::InvalidTaxRate> {
    app::money::TaxRate::parse_percent(text)
}

/// Settings of `kiln seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Load the demo business (the only data set so far).
    #[arg(long, required = true)]
    pub demo: bool,

    /// Do nothing, successfully, when the database already holds events.
    #[arg(long)]
    pub if_empty: bool,

    /// The sales tax charged on the demo's orders, in percent (the same
    /// setting `kiln serve` reads).
    #[arg(long, env = "KILN_SALES_TAX_PERCENT", default_value = "0", value_parser = parse_tax_rate)]
    pub sales_tax_percent: app::money::TaxRate,
}
