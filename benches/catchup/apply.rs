//! One measured catch-up: restore a fresh copy of a backlog's snapshot replica under one
//! condition (pool size, pre-warm, parallel applier, prefetcher), start the SQL thread, and time
//! it until it has executed everything the IO thread had fetched. Also collects the replica's
//! counter deltas, the CPU the server and the prefetcher used, the host's busy share and the
//! prefetcher's metrics. Does not aggregate runs (see `report`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use relay_prefetch::sandbox::{Server, ServerOptions};

use crate::data::Backlog;
use crate::spec::{self, Condition, Sizes};
use crate::sql;

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// Wall time from starting the applier (or the prefetcher) to caught up, seconds.
    pub secs: f64,
    /// Handler_update + Handler_write + Handler_delete on the replica (includes gtid_slave_pos).
    pub replica_rows: u64,
    /// Innodb_row_lock_waits delta.
    pub lock_waits: u64,
    /// Innodb_row_lock_time delta, ms.
    pub lock_time_ms: u64,
    /// Innodb_buffer_pool_reads delta (pages read from disk, by anyone).
    pub pool_reads: u64,
    /// Innodb_data_reads delta (every read request, read-ahead included).
    pub data_reads: u64,
    /// Innodb_data_writes delta.
    pub data_writes: u64,
    /// Innodb_buffer_pool_wait_free delta (waits for a free page: the LRU had only dirty ones).
    pub wait_free: u64,
    /// mariadbd CPU seconds during the catch-up.
    pub server_cpu: f64,
    /// relay-prefetch CPU seconds during the catch-up (None without a prefetcher).
    pub prefetch_cpu: Option<f64>,
    /// Share of the host's CPU time that was busy (not idle, not iowait).
    pub host_busy: f64,
    /// The prefetcher's `relay_prefetch_hit_rate` at the end, when it serves metrics.
    pub hit_rate: Option<f64>,
    /// What the applier's own threads did (None when /proc could not tell).
    pub applier: Option<ApplierThreads>,
}

/// The applier's threads (the SQL thread and any parallel workers), read from
/// `/proc/PID/task/TID/{io,schedstat}` at the end of the catch-up. They are created by
/// `START SLAVE SQL_THREAD`, so their counters cover exactly this catch-up. This is the ground
/// truth the prefetcher's hit rate estimates: pages the applier still had to read itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplierThreads {
    /// Bytes the applier's threads read from the block device (`read_bytes`: O_DIRECT page
    /// reads they waited for, and read-ahead they submitted).
    pub read_bytes: u64,
    /// Seconds on CPU (schedstat run time), summed over the threads.
    pub cpu_secs: f64,
    /// Seconds runnable but waiting for a CPU (schedstat run-queue time), summed.
    pub runqueue_secs: f64,
}

/// Paths and constants every run needs.
pub struct Tools {
    /// target/release/relay-prefetch.
    pub relay_prefetch: PathBuf,
    /// Where prefetcher logs and metrics go.
    pub log_dir: PathBuf,
    /// Clock ticks per second for /proc/PID/stat.
    pub clk_tck: f64,
}

fn proc_cpu(pid: u32, clk_tck: f64) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / clk_tck)
}

/// (busy, total) jiffies of the whole host; iowait counts as idle.
fn host_jiffies() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

fn start_replica(b: &Backlog, c: &Condition, sizes: &Sizes) -> Result<Server> {
    let server = Server::start(ServerOptions {
        name: "bench-replica".into(),
        server_id: 2,
        log_bin: false,
        buffer_pool_size: if c.big_pool {
            sizes.big_pool
        } else {
            sizes.small_pool
        },
        read_only: true,
        extra_cnf: spec::condition_cnf(c),
        datadir_from: Some(b.snapshot.datadir()),
        ..ServerOptions::default()
    })?;
    // The copy left ~the whole data set dirty in the page cache: write it back now, not while
    // the applier is being timed.
    Command::new("sync").status().context("sync")?;
    Ok(server)
}

fn prewarm(server: &Server, tables: u32) -> Result<()> {
    let mut stmts = Vec::new();
    for t in 1..=tables {
        stmts.push(format!(
            "SELECT COUNT(*) FROM sbtest.sbtest{t} FORCE INDEX (PRIMARY)"
        ));
        stmts.push(format!(
            "SELECT COUNT(k) FROM sbtest.sbtest{t} FORCE INDEX (k_{t})"
        ));
    }
    let refs: Vec<&str> = stmts.iter().map(String::as_str).collect();
    server.exec(&refs)?;
    Ok(())
}

fn spawn_prefetcher(
    tools: &Tools,
    server: &Server,
    args: &[&str],
    tag: &str,
) -> Result<(Child, String)> {
    let metrics = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .to_string();
    let log = std::fs::File::create(tools.log_dir.join(format!("{tag}.log")))?;
    // Experiment knob: CATCHUP_PREFETCH_NICE=N starts the prefetcher under `nice -n N`, so every
    // one of its threads runs at that priority.
    let mut cmd = match std::env::var("CATCHUP_PREFETCH_NICE") {
        Ok(n) if !n.trim().is_empty() => {
            let mut c = Command::new("nice");
            c.arg("-n").arg(n.trim()).arg(&tools.relay_prefetch);
            c
        }
        _ => Command::new(&tools.relay_prefetch),
    };
    let child = cmd
        .arg("run")
        .arg("--replica")
        .arg(format!("mysql://root@127.0.0.1:{}", server.port()))
        .arg("--relay-log-index")
        .arg(server.relay_log_index())
        .arg("--metrics-addr")
        .arg(&metrics)
        .args(args)
        // Extra prefetcher options for experiments, e.g. CATCHUP_PREFETCH_ARGS="--probe-keys 4".
        .args(
            std::env::var("CATCHUP_PREFETCH_ARGS")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", tools.relay_prefetch.display()))?;
    Ok((child, metrics))
}

/// The hit rate from the daemon's closing summary ("... hit rate 93.8% ..."), when the metrics
/// endpoint could not be scraped.
fn logged_hit_rate(log: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(log).ok()?;
    let line = text.lines().rev().find(|l| l.contains("hit rate "))?;
    let pct = line.split("hit rate ").nth(1)?.split('%').next()?;
    Some(pct.trim().parse::<f64>().ok()? / 100.0)
}

fn stop_child(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Wait until the applier has executed everything fetched; `progress` gets one line per poll,
/// "milliseconds since start, binlog file, executed position" (the catch-up curve, for the logs).
fn wait_applied(conn: &mut mysql::Conn, timeout: Duration, progress: &mut String) -> Result<()> {
    let t0 = Instant::now();
    let deadline = t0 + timeout;
    loop {
        let st = sql::slave_status(conn)?;
        progress.push_str(&format!(
            "{} {} {}\n",
            t0.elapsed().as_millis(),
            st.exec.0,
            st.exec.1
        ));
        if !st.error.is_empty() {
            bail!("replica error: {}", st.error);
        }
        // `>=`, not `==`: after a STATEMENT backlog the saved Read_Master_Log_Pos can lag the
        // end of the last relayed event, so the applier finishes past it.
        if st.exec >= st.read && st.sql_running {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "not caught up within {timeout:?}: at {:?} of {:?}",
                st.exec,
                st.read
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Apply `b` once under `c`.
pub fn run_one(
    b: &Backlog,
    c: &Condition,
    sizes: &Sizes,
    tools: &Tools,
    tag: &str,
) -> Result<RunResult> {
    let t_setup = Instant::now();
    let mut server = start_replica(b, c, sizes)?;
    let started = t_setup.elapsed().as_secs_f64();
    if c.prewarm {
        prewarm(&server, sizes.tables)?;
    }
    eprintln!(
        "catchup: {tag}: replica restored and started in {started:.1} s, ready in {:.1} s",
        t_setup.elapsed().as_secs_f64()
    );
    let mut conn = server.conn()?;
    let before = sql::counters(&mut conn)?;
    let server_pid = server.pid().context("replica not running")?;
    let cpu0 = proc_cpu(server_pid, tools.clk_tck).unwrap_or(0.0);
    // A prefetcher runs all the time next to its replica: it is started and ready (connected,
    // schema loaded, relay log opened at the applier's position) before the clock starts, and
    // the applier starts right after — the prefetcher's head start is the few milliseconds in
    // between.
    let mut prefetcher = match c.prefetch {
        Some(args) => Some(start_prefetcher(tools, &server, args, tag)?),
        None => None,
    };
    let host0 = host_jiffies();
    let t0 = Instant::now();
    server.exec(&["START SLAVE SQL_THREAD"])?;
    let mut progress = String::new();
    let applied = wait_applied(&mut conn, Duration::from_secs(1800), &mut progress);
    let secs = t0.elapsed().as_secs_f64();
    let _ = std::fs::write(tools.log_dir.join(format!("{tag}.progress")), progress);
    let applier = applier_threads(&mut conn, server_pid);
    let waits = sql::wait_profile(&mut conn);
    if !waits.is_empty() {
        let _ = std::fs::write(tools.log_dir.join(format!("{tag}.waits")), waits);
    }
    let host1 = host_jiffies();
    let server_cpu = proc_cpu(server_pid, tools.clk_tck).unwrap_or(0.0) - cpu0;
    let (prefetch_cpu, hit_rate) = match prefetcher.as_mut() {
        Some((child, addr)) => finish_prefetcher(tools, child, addr, tag),
        None => (None, None),
    };
    applied?;
    let after = sql::counters(&mut conn)?;
    server.kill();
    drop(server);
    Ok(RunResult {
        secs,
        replica_rows: sql::rows_changed(&before, &after),
        lock_waits: sql::delta(&before, &after, "Innodb_row_lock_waits"),
        lock_time_ms: sql::delta(&before, &after, "Innodb_row_lock_time"),
        pool_reads: sql::delta(&before, &after, "Innodb_buffer_pool_reads"),
        data_reads: sql::delta(&before, &after, "Innodb_data_reads"),
        data_writes: sql::delta(&before, &after, "Innodb_data_writes"),
        wait_free: sql::delta(&before, &after, "Innodb_buffer_pool_wait_free"),
        server_cpu,
        prefetch_cpu,
        host_busy: (host1.0 - host0.0) as f64 / ((host1.1 - host0.1).max(1)) as f64,
        hit_rate,
        applier,
    })
}

/// Sum the applier threads' I/O and scheduling counters (see `ApplierThreads`). MariaDB shows
/// each connection's OS thread id in `information_schema.PROCESSLIST.TID`.
fn applier_threads(conn: &mut mysql::Conn, server_pid: u32) -> Option<ApplierThreads> {
    use mysql::prelude::Queryable;
    let tids: Vec<u64> = conn
        .query(
            "SELECT TID FROM information_schema.PROCESSLIST \
             WHERE COMMAND IN ('Slave_SQL', 'Slave_worker')",
        )
        .ok()?;
    if tids.is_empty() {
        return None;
    }
    let mut out = ApplierThreads::default();
    for tid in tids {
        let task = format!("/proc/{server_pid}/task/{tid}");
        let io = std::fs::read_to_string(format!("{task}/io")).ok()?;
        out.read_bytes += io
            .lines()
            .find_map(|l| l.strip_prefix("read_bytes:"))
            .and_then(|v| v.trim().parse::<u64>().ok())?;
        let sched = std::fs::read_to_string(format!("{task}/schedstat")).ok()?;
        let mut f = sched.split_whitespace().map(|v| v.parse::<u64>().ok());
        out.cpu_secs += f.next()?? as f64 / 1e9;
        out.runqueue_secs += f.next()?? as f64 / 1e9;
    }
    Some(out)
}

/// Spawn the prefetcher and wait until it logs that it is running; fail if it exits first.
fn start_prefetcher(
    tools: &Tools,
    server: &Server,
    args: &[&str],
    tag: &str,
) -> Result<(Child, String)> {
    let (mut child, addr) = spawn_prefetcher(tools, server, args, tag)?;
    let log = tools.log_dir.join(format!("{tag}.log"));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("relay-prefetch running") {
            return Ok((child, addr));
        }
        if let Ok(Some(status)) = child.try_wait() {
            let tail: Vec<&str> = text.lines().rev().take(5).collect();
            bail!(
                "relay-prefetch exited at start ({status}): {}",
                tail.join(" | ")
            );
        }
        if Instant::now() > deadline {
            bail!(
                "relay-prefetch not running after 30 s; see {}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn finish_prefetcher(
    tools: &Tools,
    child: &mut Child,
    addr: &str,
    tag: &str,
) -> (Option<f64>, Option<f64>) {
    let cpu = proc_cpu(child.id(), tools.clk_tck);
    let text = relay_prefetch::metrics::scrape(addr);
    if let Some(t) = &text {
        let _ = std::fs::write(tools.log_dir.join(format!("{tag}.metrics")), t);
    }
    stop_child(child);
    let hit = text
        .as_deref()
        .and_then(|t| relay_prefetch::metrics::sample_value(t, "relay_prefetch_hit_rate"))
        .or_else(|| logged_hit_rate(&tools.log_dir.join(format!("{tag}.log"))));
    (cpu, hit)
}

/// The prefetcher binary: $CATCHUP_RELAY_PREFETCH (run.sh sets it to a private copy), else
/// target/release/relay-prefetch.
pub fn default_binary(root: &Path) -> PathBuf {
    std::env::var_os("CATCHUP_RELAY_PREFETCH")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/relay-prefetch"))
}
