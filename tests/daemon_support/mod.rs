//! Shared helpers of the daemon tests (tests/daemon_*.rs): a sandbox with a small data set, a
//! write backlog the stopped applier has not applied, the daemon run in-process on a thread, and
//! table checksums.
#![allow(dead_code)]

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use relay_prefetch::config::Config;
use relay_prefetch::daemon::{self, Shutdown, Summary};
use relay_prefetch::metrics::Metrics;
use relay_prefetch::plan::Mode;
use relay_prefetch::replica::ConnSpec;
use relay_prefetch::sandbox::{Sandbox, SandboxOptions, Server};

/// Tables in the test data set.
pub const TABLES: usize = 2;

/// Start a ROW-format sandbox (None, with a note, when the server binaries are missing).
pub fn sandbox(opts: SandboxOptions) -> Option<Sandbox> {
    match Sandbox::start(opts) {
        Ok(sb) => Some(sb),
        Err(e) if e.to_string().contains("not found") => {
            eprintln!("skipped: MariaDB server binaries absent ({e})");
            None
        }
        Err(e) => panic!("sandbox: {e}"),
    }
}

/// [`sandbox`] with the primary logging in `format` (ROW, STATEMENT, MIXED).
pub fn sandbox_in(format: &str) -> Option<Sandbox> {
    sandbox(SandboxOptions {
        binlog_format: format.into(),
        ..SandboxOptions::default()
    })
}

/// A sandbox whose replica restarts cold (no pool dump/load) and without its threads.
pub fn cold_restart_sandbox(pool: u64) -> Option<Sandbox> {
    sandbox(SandboxOptions {
        replica_buffer_pool_size: pool,
        replica_extra_cnf: vec![
            "innodb_buffer_pool_load_at_startup=OFF".into(),
            "innodb_buffer_pool_dump_at_shutdown=OFF".into(),
            "skip-slave-start".into(),
        ],
        ..SandboxOptions::default()
    })
}

/// Restart the replica with an empty pool, then start its IO thread (the applier stays stopped).
pub fn restart_cold(sb: &mut Sandbox) {
    // A slow shutdown (purge and merges done, everything flushed): nothing for recovery or purge
    // to read at start-up, so the pool really starts empty.
    sb.replica
        .exec(&["SET GLOBAL innodb_fast_shutdown = 0"])
        .unwrap();
    sb.replica.restart().unwrap();
    sb.replica.exec(&["START SLAVE IO_THREAD"]).unwrap();
}

/// Root over TCP on the replica.
pub fn spec(server: &Server) -> ConnSpec {
    ConnSpec {
        host: "127.0.0.1".into(),
        port: server.port(),
        socket: None,
        user: Some("root".into()),
        password: None,
    }
}

/// A daemon config for the sandbox's replica.
pub fn config(sb: &Sandbox, mode: Mode) -> Config {
    let mut c = Config::new(spec(&sb.replica));
    c.mode = mode;
    c.workers = Some(4);
    c.relay_log_index = Some(sb.replica.relay_log_index());
    c.poll_interval = Duration::from_millis(10);
    c.status_interval = Duration::from_secs(2);
    c
}

/// Create `pf.t1..` with `rows` rows each and wait until the replica has them.
pub fn load(sb: &Sandbox, rows: u64) {
    let mut c = sb.primary.conn().unwrap();
    c.query_drop("CREATE DATABASE IF NOT EXISTS pf").unwrap();
    for t in 1..=TABLES {
        c.query_drop(format!(
            "CREATE TABLE pf.t{t} (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(60) NOT NULL, \
             pad CHAR(60) NOT NULL, KEY k_idx (k)) ENGINE=InnoDB"
        ))
        .unwrap();
        let mut id = 1;
        while id <= rows {
            let vals: Vec<String> = (id..(id + 500).min(rows + 1))
                .map(|i| format!("({i}, {}, 'c{i}', 'pad')", i * 7 % 1000))
                .collect();
            c.query_drop(format!("INSERT INTO pf.t{t} VALUES {}", vals.join(",")))
                .unwrap();
            id += 500;
        }
    }
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
}

/// Stop the applier and write `txns` single-row update transactions (spread over the tables
/// and ids, `k = k + 1` so secondary entries move); wait until they are in the relay log.
pub fn backlog(sb: &Sandbox, rows: u64, txns: u64) {
    backlog_from(sb, rows, txns, 0);
}

/// [`backlog`] numbered from `first`: the `i`-th update touches row `1 + (i × 7919) mod rows`,
/// so backlogs from different `first`s touch different rows while they cover fewer than `rows`
/// updates together.
pub fn backlog_from(sb: &Sandbox, rows: u64, txns: u64, first: u64) {
    sb.stop_sql_thread().unwrap();
    write_updates(sb, rows, txns, first);
    sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
        .unwrap();
}

/// The updates of [`backlog_from`], written on the primary (the caller stops the applier and
/// waits for the relay log).
pub fn write_updates(sb: &Sandbox, rows: u64, txns: u64, first: u64) {
    let mut c = sb.primary.conn().unwrap();
    for i in first..first + txns {
        let t = 1 + (i as usize % TABLES);
        let id = 1 + (i * 7919) % rows;
        c.query_drop(format!(
            "UPDATE pf.t{t} SET k = k + 1, c = 'u{i}' WHERE id = {id}"
        ))
        .unwrap();
    }
}

/// The daemon on its own thread.
pub struct Running {
    pub shutdown: Shutdown,
    pub metrics: Arc<Metrics>,
    pub handle: JoinHandle<relay_prefetch::Result<Summary>>,
}

/// Start the daemon in-process.
pub fn start(config: Config) -> Running {
    relay_prefetch::logging::init(relay_prefetch::cli::LogFormat::Human, 0);
    let shutdown = Shutdown::new();
    let metrics = Metrics::new();
    let (sd, m) = (shutdown.clone(), metrics.clone());
    let handle = std::thread::spawn(move || daemon::run_with_metrics(config, sd, m));
    Running {
        shutdown,
        metrics,
        handle,
    }
}

impl Running {
    /// Stop and return the summary.
    pub fn stop(self) -> Summary {
        self.shutdown.trigger();
        self.handle
            .join()
            .expect("daemon thread")
            .expect("daemon run")
    }

    /// Wait until `f(metrics)` holds (panics after `timeout`).
    pub fn wait_for(&self, what: &str, timeout: Duration, f: impl Fn(&Metrics) -> bool) {
        let t = Instant::now();
        while !f(&self.metrics) {
            assert!(
                !self.handle.is_finished(),
                "daemon exited while waiting for {what}"
            );
            assert!(
                t.elapsed() < timeout,
                "timed out waiting for {what}: {}",
                self.metrics
                    .render()
                    .lines()
                    .filter(|l| !l.starts_with('#') && !l.ends_with(" 0"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// CHECKSUM TABLE of every test table.
pub fn checksums(server: &Server) -> Vec<String> {
    (1..=TABLES)
        .map(|t| {
            let mut c = server.conn().unwrap();
            let row: Option<(String, Option<u64>)> =
                c.query_first(format!("CHECKSUM TABLE pf.t{t}")).unwrap();
            format!("{:?}", row.unwrap().1)
        })
        .collect()
}
