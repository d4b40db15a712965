//! tracing subscriber set-up: human-readable by default, JSON lines with `--log-format json`.

use crate::cli::LogFormat;
use tracing_subscriber::EnvFilter;

/// Install the global subscriber. Logs go to stderr so stdout stays clean for command output.
pub fn init(format: LogFormat, verbose: u8) {
    let default = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter =
        EnvFilter::try_from_env("RELAY_PREFETCH_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
