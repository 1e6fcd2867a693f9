//! Structured logging through `tracing`.

use crate::cli::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Why logging could not start.
#[derive(Debug, thiserror::Error)]
#[error("KILN_LOG “{filter}” is not a valid log filter")]
pub struct InvalidLogFilter {
    /// The filter as given.
    pub filter: String,
    /// The parser's complaint.
    source: tracing_subscriber::filter::ParseError,
}

/// Installs the global log subscriber, writing to standard error.
pub fn init(filter: &str, format: LogFormat) -> Result<(), InvalidLogFilter> {
    let env_filter = EnvFilter::try_new(filter).map_err(|source| InvalidLogFilter {
        filter: filter.to_owned(),
        source,
    })?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}
