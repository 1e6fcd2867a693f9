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
    Serve(Box<ServeArgs>),
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
    /// Work with the functions' agents.
    #[command(subcommand)]
    Agents(AgentsCommand),
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

/// `kiln agents ...`
#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// Grade the agents, with their rules brains, on fixed business
    /// situations built on throwaway copies of the demo business; fails
    /// when any situation's outcome is not what it should be.
    Eval,
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

    /// The model the agents think with, where their function allows it:
    /// unset, every agent thinks with its rules.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Settings of the agents' model (`KILN_LLM_*`).
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// `anthropic` (the Messages API) or `openai` (any OpenAI-compatible
    /// chat-completions API: OpenAI, Ollama, llama.cpp, vLLM). Unset, the
    /// agents think with their rules and no model is asked.
    #[arg(long = "llm-provider", env = "KILN_LLM_PROVIDER")]
    pub provider: Option<String>,

    /// The API's base address; the provider's own when unset (for a local
    /// server, e.g. `http://127.0.0.1:11434/v1`).
    #[arg(long = "llm-base-url", env = "KILN_LLM_BASE_URL")]
    pub base_url: Option<String>,

    /// The model's name, e.g. `claude-sonnet-4-5` or `llama3.1`.
    #[arg(long = "llm-model", env = "KILN_LLM_MODEL")]
    pub model: Option<String>,

    /// The API key (none for a local server that needs none).
    #[arg(long = "llm-api-key", env = "KILN_LLM_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,

    /// How long one model call may take, in seconds.
    #[arg(
        long = "llm-timeout-seconds",
        env = "KILN_LLM_TIMEOUT_SECONDS",
        default_value_t = 60
    )]
    pub timeout_seconds: u64,

    /// The most tokens of one answer.
    #[arg(
        long = "llm-max-output-tokens",
        env = "KILN_LLM_MAX_OUTPUT_TOKENS",
        default_value_t = 2048
    )]
    pub max_output_tokens: u32,

    /// The tokens one agent may use in a UTC day.
    #[arg(
        long = "llm-daily-tokens",
        env = "KILN_LLM_DAILY_TOKENS",
        default_value_t = 2_000_000
    )]
    pub daily_tokens: u64,

    /// The US dollars one agent may spend in a UTC day, e.g. `5.00`.
    #[arg(long = "llm-daily-usd", env = "KILN_LLM_DAILY_USD", default_value = "5.00", value_parser = parse_micro_usd)]
    pub daily_micro_usd: u64,

    /// What a million tokens sent cost, in US dollars, e.g. `3.00`.
    #[arg(long = "llm-usd-per-million-input", env = "KILN_LLM_USD_PER_MILLION_INPUT", default_value = "3.00", value_parser = parse_micro_usd)]
    pub micro_usd_per_million_input: u64,

    /// What a million tokens answered cost, in US dollars, e.g. `15.00`.
    #[arg(long = "llm-usd-per-million-output", env = "KILN_LLM_USD_PER_MILLION_OUTPUT", default_value = "15.00", value_parser = parse_micro_usd)]
    pub micro_usd_per_million_output: u64,
}

impl ModelArgs {
    /// The model's configuration, `None` when no provider is set, or why
    /// the settings do not make one.
    pub fn config(&self) -> Result<Option<app::agents::model::ModelConfig>, String> {
        use app::agents::model::{DailyBudget, ModelConfig, Provider};
        let Some(provider) = self
            .provider
            .as_deref()
            .filter(|name| !name.trim().is_empty())
        else {
            return Ok(None);
        };
        let provider = Provider::parse(provider).ok_or_else(|| {
            format!("KILN_LLM_PROVIDER “{provider}” is neither anthropic nor openai")
        })?;
        let model = self
            .model
            .clone()
            .filter(|model| !model.trim().is_empty())
            .ok_or("KILN_LLM_MODEL names no model: set it with KILN_LLM_PROVIDER")?;
        Ok(Some(ModelConfig {
            provider,
            base_url: self
                .base_url
                .clone()
                .unwrap_or_else(|| provider.default_base_url().to_owned()),
            model,
            api_key: self.api_key.clone().filter(|key| !key.is_empty()),
            timeout: std::time::Duration::from_secs(self.timeout_seconds.max(1)),
            max_output_tokens: self.max_output_tokens,
            budget: DailyBudget {
                tokens: self.daily_tokens,
                cost_micro_usd: self.daily_micro_usd,
            },
            micro_usd_per_million: (
                self.micro_usd_per_million_input,
                self.micro_usd_per_million_output,
            ),
        }))
    }
}

/// Dollars as people write them (`5`, `5.00`, `0.15`) in millionths.
fn parse_micro_usd(text: &str) -> Result<u64, String> {
    let refused = || format!("“{text}” is not an amount of US dollars, e.g. 5.00");
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if whole.is_empty()
        || fraction.len() > 6
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(refused());
    }
    let whole: u64 = whole.parse().map_err(|_| refused())?;
    let fraction: u64 = format!("{fraction:0<6}").parse().map_err(|_| refused())?;
    whole
        .checked_mul(1_000_000)
        .and_then(|micro| micro.checked_add(fraction))
        .ok_or_else(refused)
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn serve(args: &[&str]) -> Box<ServeArgs> {
        let cli = Cli::try_parse_from([&["kiln", "serve"], args].concat()).expect("parsed");
        match cli.command {
            Command::Serve(args) => args,
            _ => panic!("serve"),
        }
    }

    #[test]
    fn no_provider_means_every_agent_thinks_with_its_rules() {
        assert!(serve(&[]).model.config().expect("valid").is_none());
    }

    #[test]
    fn a_provider_with_a_model_makes_a_configuration_with_its_budget_and_prices() {
        let args = serve(&[
            "--llm-provider",
            "openai",
            "--llm-model",
            "llama3.1",
            "--llm-base-url",
            "http://127.0.0.1:11434/v1",
            "--llm-daily-usd",
            "0.25",
            "--llm-usd-per-million-input",
            "0.15",
        ]);
        let config = args.model.config().expect("valid").expect("configured");
        assert_eq!(
            config.provider,
            app::agents::model::Provider::OpenAiCompatible
        );
        assert_eq!(config.base_url, "http://127.0.0.1:11434/v1");
        assert_eq!(config.budget.cost_micro_usd, 250_000);
        assert_eq!(config.micro_usd_per_million, (150_000, 15_000_000));
        assert_eq!(config.api_key, None);
    }

    #[test]
    fn an_unknown_provider_a_missing_model_or_a_bad_amount_is_refused_with_why() {
        let unknown = serve(&["--llm-provider", "gemini", "--llm-model", "x"])
            .model
            .config();
        assert_eq!(
            unknown.expect_err("refused"),
            "KILN_LLM_PROVIDER “gemini” is neither anthropic nor openai"
        );
        let no_model = serve(&["--llm-provider", "anthropic"]).model.config();
        assert_eq!(
            no_model.expect_err("refused"),
            "KILN_LLM_MODEL names no model: set it with KILN_LLM_PROVIDER"
        );
        for amount in ["five", "-1", "1.0000001", ""] {
            assert!(parse_micro_usd(amount).is_err(), "{amount}");
        }
        assert_eq!(parse_micro_usd("5"), Ok(5_000_000));
    }
}
