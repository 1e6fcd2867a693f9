//! The `kiln` command line. Every setting is a flag with an environment
//! variable behind it, so the same binary runs from a terminal, the Makefile
//! and a service manager.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::{net::SocketAddr, path::PathBuf};

/// Kiln, the operating system of a maker business.
#[derive(Debug, Parser)]
#[command(name = "kiln", version, about)]
pub struct Cli {
    /// Where the event log lives: a sqlite: URL.
    #[arg(
        long,
        env = "KILN_DATABASE_URL",
        default_value = "sqlite://data/kiln.db",
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
}

/// Settings of `kiln serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, env = "KILN_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The directory `cargo leptos build` wrote the site to (pkg/, pictures).
    #[arg(long, env = "KILN_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
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
}
