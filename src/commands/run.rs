//! `relay-prefetch run`: validate the arguments into a [`Config`], install SIGINT/SIGTERM
//! handlers that trigger the daemon's [`Shutdown`], run it, and print the summary.

use crate::cli::RunArgs;
use crate::config::Config;
use crate::daemon::{self, Shutdown};

/// Run `run`.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let config = Config::from_run_args(&args)?;
    let shutdown = Shutdown::new();
    let sd = shutdown.clone();
    ctrlc::set_handler(move || {
        tracing::info!("signal received; stopping");
        sd.trigger();
    })?;
    let summary = daemon::run(config, shutdown)?;
    let cpu = summary
        .cpu_ms_per_1000_events()
        .map_or("n/a".to_string(), |c| format!("{c:.1} ms"));
    let hit = summary
        .hit_rate
        .map_or("n/a".to_string(), |h| format!("{:.1}%", h * 100.0));
    println!(
        "events {} transactions {} probes {} hit rate {hit} cpu/1000 events {cpu} in {:.1}s",
        summary.events,
        summary.transactions,
        summary.probes_run,
        summary.elapsed.as_secs_f64()
    );
    Ok(0)
}
