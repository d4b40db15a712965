//! The daemon: `run(config, shutdown)` wires the stages together and stops them cleanly.
//!
//! ```text
//!  relay log ──TransactionStream──▶ reader loop ──PlanStage──▶ Scheduler ──▶ N workers (exec)
//!                                      ▲                          ▲
//!  replica ──Poller (own connection)───┴── throttle ──────────────┘  applier position
//! ```
//! Start-up checks (flavor, mode support, relay-log index, session set-up on one worker) fail
//! fast with a clear error; after that nothing in the input stops the daemon: bad relay data,
//! unplannable SQL and a vanished server are logged once and counted.

mod lead;
mod logonce;
mod planning;
mod probe_size;
mod reader;
mod remember;
mod shutdown;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use planning::{PlanStage, SchemaSource};
pub use shutdown::Shutdown;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::exec::{DryRunExecutor, ExecOptions, Executor, MysqlExecutor, ProbePriority};
use crate::metrics::{Metrics, MetricsServer, process_cpu_seconds};
use crate::relay::RelaySource;
use crate::replica::{self, Channel, Poller, ReplicaStatus, ServerInfo};
use crate::rewrite::rows::RowProbeConfig;
use crate::schedule::{Scheduler, SchedulerOptions};
use crate::throttle::{Limits, Throttle, page_budget};

/// What a run did (also logged at the end).
#[derive(Debug, Clone)]
pub struct Summary {
    /// Wall time.
    pub elapsed: Duration,
    /// Events read.
    pub events: u64,
    /// Transactions read.
    pub transactions: u64,
    /// Probes run (all outcomes).
    pub probes_run: u64,
    /// Hit rate, when any transaction with probes was applied.
    pub hit_rate: Option<f64>,
    /// CPU seconds this process used during the run.
    pub cpu_seconds: f64,
    /// The registry, for callers that want more.
    pub metrics: Arc<Metrics>,
}

impl Summary {
    /// CPU milliseconds per 1,000 events read.
    pub fn cpu_ms_per_1000_events(&self) -> Option<f64> {
        (self.events > 0).then(|| self.cpu_seconds * 1e6 / self.events as f64)
    }
}

/// Run the daemon until `shutdown` (or `config.duration`).
pub fn run(config: Config, shutdown: Shutdown) -> Result<Summary> {
    run_with_metrics(config, shutdown, Metrics::new())
}

/// [`run`] with a caller-supplied registry (tests read it while the daemon runs).
pub fn run_with_metrics(
    config: Config,
    shutdown: Shutdown,
    metrics: Arc<Metrics>,
) -> Result<Summary> {
    let started = Instant::now();
    let cpu0 = process_cpu_seconds().unwrap_or(0.0);
    let (info, channel, status) = detect(&config)?;
    metrics.set_info(crate::metrics::RunInfo {
        mode: config.mode.as_str().to_string(),
        channel: channel.name().unwrap_or_default().to_string(),
        server: info.flavor.raw.clone(),
    });
    let index = relay_index(&config, &info, &channel)?;
    let source = match &config.schema_file {
        Some(f) => SchemaSource::File(f.clone()),
        None => SchemaSource::Server(config.replica.clone()),
    };
    let rows = RowProbeConfig {
        max_keys_per_probe: config.probe_keys,
        ..RowProbeConfig::default()
    };
    let stage = PlanStage::new(config.mode, info.flavor.clone(), source, rows)?;
    let relay = RelaySource::Index(index);
    let stream = reader::open_at_applier(&relay, &status.relay_log_file, status.relay_log_pos)?;
    let lead = lead::LeadBudget::new(
        config.max_pages,
        page_budget(info.buffer_pool_pages()),
        info.buffer_pool_pages(),
        info.old_sublist_pages(),
    );
    let sched = Arc::new(start_scheduler(&config, &info, lead.pages(), &metrics)?);
    if let Some(c) = status.relay_coord() {
        sched.applier_at(c);
    }
    let relay_reset = Arc::new(AtomicBool::new(false));
    let poller = {
        let (s, reset) = (sched.clone(), relay_reset.clone());
        let mut last = status.relay_coord();
        Poller::spawn(
            config.replica.clone(),
            channel.clone(),
            config.poll_interval,
            shutdown.clone(),
            Box::new(move |snap| {
                let Some(c) = snap.coord else { return };
                if last.is_some_and(|l| c < l) {
                    // Positions never go backwards unless the relay log was reset. Void the
                    // window now (a reader blocked on a full window wakes up); the reader
                    // re-opens the relay log and voids what it submitted meanwhile.
                    s.reset(c, 0);
                    reset.store(true, Ordering::Release);
                } else {
                    s.applier_at(c);
                }
                last = Some(c);
            }),
        )
    };
    let server = match &config.metrics_addr {
        Some(a) => Some(MetricsServer::start(a, metrics.clone(), shutdown.clone())?),
        None => None,
    };
    let mut sweeper = crate::sweep::Sweeper::start(
        config.replica.clone(),
        info.flavor.clone(),
        crate::sweep::SweepOptions {
            // --dry-run reads nothing from the tables.
            workers: if config.dry_run {
                0
            } else {
                config.sweep.workers
            },
            ..config.sweep.clone()
        },
        metrics.clone(),
        shutdown.clone(),
    );
    let probe_size = probe_size::ProbeSize::new(config.probe_keys, config.probe_keys_filling);
    metrics.probe_keys.set(probe_size.keys() as i64);
    let watcher = spawn_watcher(&config, &shutdown, &sched, &metrics, cpu0);
    tracing::info!(flavor = %info.flavor, mode = config.mode.as_str(), workers = metrics.probe_workers.get(),
        start = %format!("{}:{}", status.relay_log_file, status.relay_log_pos), "relay-prefetch running");
    let result = reader::ReaderLoop {
        source: relay,
        stream,
        stage,
        sched: &sched,
        poller: &poller,
        sweeper: &mut sweeper,
        metrics: &metrics,
        throttle: Throttle::new(config.always),
        shutdown: &shutdown,
        next_seq: 0,
        last_end: None,
        relay_reset,
        log: Default::default(),
        txn_bytes: (0, 0),
        backlog_at: None,
        probe_size,
        remember: remember::RememberPolicy::new(config.remember_mb << 20),
        lead,
        passed_run: 0,
        full_waits_seen: 0,
        delayed_at_start: (status.sql_delay > 0).then(|| status.clone()),
    }
    .run();
    shutdown.trigger();
    sched.halt();
    poller.join();
    sweeper.join();
    let _ = watcher.join();
    if let Some(s) = server {
        s.join();
    }
    let stopped = match Arc::try_unwrap(sched) {
        Ok(s) => s.stop(),
        Err(_) => Err(Error::new(
            ErrorKind::Unsupported,
            "scheduler still shared at shutdown",
        )),
    };
    result?;
    stopped?;
    let summary = Summary {
        elapsed: started.elapsed(),
        events: metrics.events_read.get(),
        transactions: metrics.transactions_read.get(),
        probes_run: metrics.probes_run(),
        hit_rate: metrics.hit_rate(),
        cpu_seconds: process_cpu_seconds().unwrap_or(cpu0) - cpu0,
        metrics,
    };
    tracing::info!(events = summary.events, transactions = summary.transactions, probes = summary.probes_run,
        hit_rate = ?summary.hit_rate, cpu_s = summary.cpu_seconds, "relay-prefetch stopped");
    Ok(summary)
}

/// The server's features, the replication channel to follow and where its applier stands (the
/// reader starts there), all on one connection.
fn detect(config: &Config) -> Result<(ServerInfo, Channel, ReplicaStatus)> {
    let mut conn = config.replica.connect(Some(Duration::from_secs(10)), 0)?;
    let info = replica::detect(&mut conn)?;
    info.check_mode(config.mode)?;
    info.check_relay_logs_readable()?;
    let channel = Channel::resolve(&mut conn, &info.flavor, config.channel.as_deref())?;
    if let Some(name) = channel.name() {
        tracing::info!(channel = name, "following replication channel");
    }
    let status = replica::fetch_status(&mut conn, &channel)?
        .ok_or_else(|| Error::new(ErrorKind::Config, "the server is not a replica"))?;
    if info.parallel_workers > 0 {
        let probe_workers = config.probe_workers(info.parallel_workers);
        tracing::info!(
            workers = info.parallel_workers,
            checkpoint_lag = info.checkpoint_lag,
            probe_workers,
            "parallel applier: its reported position is the low-water mark, so probes keep its thread count of transactions further ahead; its threads already overlap their reads and probes take CPU from them, so {} probe workers are the default here (benches/README.md, \"Fewer probe workers next to a parallel applier\")",
            Config::DEFAULT_WORKERS_PARALLEL
        );
        if probe_workers > Config::DEFAULT_WORKERS_PARALLEL {
            tracing::info!(
                probe_workers,
                "--workers {} measured better next to a parallel applier on a host with few cores",
                Config::DEFAULT_WORKERS_PARALLEL
            );
        }
    }
    Ok((info, channel, status))
}

fn relay_index(config: &Config, info: &ServerInfo, channel: &Channel) -> Result<PathBuf> {
    let index = config
        .relay_log_index
        .clone()
        .or_else(|| {
            info.relay_log_index
                .as_deref()
                .map(|i| channel.relay_log_index(i))
        })
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                "the server reports no relay_log_index; pass --relay-log-index",
            )
        })?;
    std::fs::metadata(&index).map_err(|e| {
        let guessed = if config.relay_log_index.is_none() && !channel.name_is_plain() {
            " (the server encodes a channel name with characters other than letters, digits and _ in its file names: pass the index's path)"
        } else {
            ""
        };
        Error::new(ErrorKind::Config, format!(
            "relay-log index {} is not readable here: run relay-prefetch on the replica's host as a user that can read its datadir, or pass --relay-log-index{guessed}",
            index.display()
        ))
        .with_source(e)
    })?;
    Ok(index)
}

/// Whether probe threads on the server get a lower priority (`--probe-nice`); logs the answer.
fn probe_priority(config: &Config, info: &ServerInfo) -> Option<ProbePriority> {
    if config.dry_run || config.probe_nice == 0 {
        return None;
    }
    let decided = config
        .replica
        .connect(Some(Duration::from_secs(10)), 0)
        .map_err(|e| e.to_string())
        .and_then(|mut c| {
            ProbePriority::detect(&mut c, &info.flavor, &info.datadir, config.probe_nice)
        });
    match decided {
        Ok(p) => {
            tracing::info!(
                nice = p.nice(),
                "probe threads on the server run at a lower priority: the SQL thread comes first"
            );
            Some(p)
        }
        Err(why) => {
            tracing::info!(reason = %why, "probe threads keep the server's normal priority");
            None
        }
    }
}

fn start_scheduler(
    config: &Config,
    info: &ServerInfo,
    pages: u64,
    metrics: &Arc<Metrics>,
) -> Result<Scheduler> {
    let opts = Arc::new(ExecOptions {
        mode: config.mode,
        flavor: info.flavor.clone(),
        probe_timeout_ms: config.probe_timeout_ms,
        priority: probe_priority(config, info),
    });
    let workers = config.probe_workers(info.parallel_workers);
    metrics.probe_workers.set(workers as i64);
    let mut executors: Vec<Box<dyn Executor>> = Vec::with_capacity(workers);
    for i in 0..workers {
        if config.dry_run {
            executors.push(Box::new(DryRunExecutor));
            continue;
        }
        let mut e = MysqlExecutor::new(config.replica.clone(), opts.clone(), metrics.clone());
        if i == 0 {
            // Fail at start-up, with the reason, when the mode's session cannot be set up.
            e.connect_now()?;
        }
        executors.push(Box::new(e));
    }
    let limits = Limits::new(
        config.max_ahead.unwrap_or(10_000),
        config.max_ahead_secs,
        pages,
    );
    metrics.window_pages.set(pages as i64);
    tracing::info!(
        max_pages = pages,
        follows_eviction = config.max_pages.is_none(),
        buffer_pool_mb = info.buffer_pool_bytes >> 20,
        "window limits"
    );
    let (min_ahead, applier_guard) =
        applier_distances(config.min_ahead, info.parallel_workers, info.checkpoint_lag);
    let sopts = SchedulerOptions {
        mode: config.mode,
        min_ahead,
        applier_guard,
        unmeasured_guard: crate::schedule::unmeasured_guard(),
        conflict_map: config.conflict_map,
        max_probes: 4096,
    };
    Ok(Scheduler::start(
        sopts,
        Arc::new(limits),
        executors,
        metrics.clone(),
    ))
}

/// How far past the applier's reported position probes must be: `(min_ahead, applier_guard)`.
/// A parallel applier reports a low-water mark, and each of its `applier_threads` may be
/// executing one transaction beyond it, holding that transaction's row locks until its turn to
/// commit. MariaDB moves the mark at every in-order commit; MySQL's multithreaded applier only
/// at checkpoints, so up to `checkpoint_lag` more transactions past it may be applied already.
/// A select probe within the threads' reach is late (its read races the applier's): it is
/// dropped. A DML probe in the locking modes keeps clear of everything the applier may be
/// holding or have done, checkpoint lag included, so it can never wait on, or hold, the
/// applier's row locks. (A select probe is not held back by the checkpoint lag: past the
/// threads it is at worst late, and dropping a whole checkpoint group would lose that much
/// prefetching at every checkpoint.)
fn applier_distances(min_ahead: u64, applier_threads: u64, checkpoint_lag: u64) -> (u64, u64) {
    (
        min_ahead + applier_threads,
        min_ahead.max(4) + applier_threads + checkpoint_lag,
    )
}

/// The status line every `status_interval`, and the `duration` stop.
fn spawn_watcher(
    config: &Config,
    shutdown: &Shutdown,
    sched: &Arc<Scheduler>,
    metrics: &Arc<Metrics>,
    cpu0: f64,
) -> JoinHandle<()> {
    let (sd, s, m) = (shutdown.clone(), sched.clone(), metrics.clone());
    let every = config.status_interval;
    let deadline = config.duration.map(|d| Instant::now() + d);
    std::thread::Builder::new()
        .name("status".into())
        .spawn(move || {
            loop {
                let wait = deadline.map_or(every, |d| {
                    every.min(d.saturating_duration_since(Instant::now()))
                });
                if sd.wait_timeout(wait) {
                    break;
                }
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    tracing::info!("--duration reached; stopping");
                    sd.trigger();
                    break;
                }
                let cpu = process_cpu_seconds().unwrap_or(cpu0) - cpu0;
                tracing::info!(
                    events = m.events_read.get(), txns = m.transactions_read.get(),
                    probes = m.probes_run(), dropped = m.probes_dropped(),
                    deduped = m.probes_deduplicated.get(), hit_rate = ?m.hit_rate(),
                    ahead_txns = m.ahead_txns.get(), ahead_secs = m.ahead_secs.get(),
                    apply_tps = m.apply_tps.get() as u64, window = s.window_len(),
                    probe_keys = m.probe_keys.get(), max_pages = m.window_pages.get(),
                    active = m.active.get(), swept_rows = m.sweep_rows.get(), cpu_s = cpu, "status"
                );
            }
            s.halt();
        })
        .expect("spawning the status thread")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_parallel_applier_moves_both_distances_past_its_threads() {
        assert_eq!(super::applier_distances(2, 0, 0), (2, 4));
        assert_eq!(super::applier_distances(2, 8, 0), (10, 12));
        assert_eq!(super::applier_distances(6, 4, 0), (10, 10));
    }

    #[test]
    fn a_mysql_checkpoint_lag_keeps_dml_probes_clear_but_not_selects() {
        assert_eq!(super::applier_distances(2, 4, 512), (6, 520));
    }
}
