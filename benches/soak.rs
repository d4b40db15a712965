//! Memory over a long run under load (issue 5: "memory stays bounded over a 10-minute run").
//!
//! A sandbox primary runs sysbench `oltp_write_only` (ROW, 4 tables × 50,000 rows) for the whole
//! run, rate-limited so the 2-core machine keeps up; the replica's relay logs rotate every 4 MB
//! and are purged as they are applied. Every minute the replica's SQL thread is stopped for 20 s,
//! so a backlog builds and then drains: the daemon's window fills to its limits and empties
//! again, over and over. The real `relay-prefetch run --always` binary (select mode, 8 workers)
//! runs throughout; its resident set size (`VmRSS` of /proc/PID/status) is sampled every 5 s.
//!
//! Prints RSS per 30 s with the daemon's counters, then the verdict: the largest RSS of the last
//! quarter of the run against the largest of the second quarter (after warm-up: schema, caches,
//! prepared statements, full windows). Bounded means the last quarter is not above the second by
//! more than 10% (and 2 MB of slack for allocator noise).
//!
//! `cargo bench --bench soak`; `SOAK_SECS=N` sets the length (default 600). `cargo test
//! --all-targets` also executes this binary, without `--bench`: it then does nothing.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use relay_prefetch::metrics;
use relay_prefetch::sandbox::{Sandbox, SandboxOptions};

const TABLES: u32 = 4;
const TABLE_SIZE: u32 = 50_000;
/// sysbench transactions per second (4 changed rows each).
const RATE: u32 = 400;
const SAMPLE: Duration = Duration::from_secs(5);

fn main() -> Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    let secs: u64 = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let sb = Sandbox::start(SandboxOptions {
        max_relay_log_size: Some(4 << 20),
        replica_buffer_pool_size: 64 << 20,
        ..SandboxOptions::default()
    })
    .context("sandbox (run scripts/setup.sh first)")?;
    sb.primary.exec(&["CREATE DATABASE sbtest"])?;
    sysbench(&sb, &["prepare".into()])?.wait()?;
    sb.wait_for_replica_catch_up(Duration::from_secs(300))?;

    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .to_string();
    let log = tempfile::NamedTempFile::new()?;
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_relay-prefetch"))
        .args(["run", "--always", "--mode", "select", "--workers", "8"])
        .arg("--replica")
        .arg(format!("mysql://root@127.0.0.1:{}", sb.replica.port()))
        .arg("--relay-log-index")
        .arg(sb.replica.relay_log_index())
        .arg("--metrics-addr")
        .arg(&metrics_addr)
        .stdin(Stdio::null())
        .stdout(log.reopen()?)
        .stderr(log.reopen()?)
        .spawn()
        .context("starting relay-prefetch")?;
    let mut load = sysbench(
        &sb,
        &[
            format!("--time={secs}"),
            format!("--rate={RATE}"),
            "--threads=2".into(),
            "run".into(),
        ],
    )?;

    println!(
        "soak: {secs} s, sysbench oltp_write_only at {RATE} tx/s, SQL thread stopped 20 s of every 60 s"
    );
    println!("| t (s) | RSS (MB) | transactions read | probes run | window (txns) |");
    println!("|---:|---:|---:|---:|---:|");
    let t0 = Instant::now();
    let mut samples: Vec<(u64, u64)> = Vec::new();
    let mut stopped = false;
    while t0.elapsed() < Duration::from_secs(secs) {
        std::thread::sleep(SAMPLE);
        let t = t0.elapsed().as_secs();
        let pause = t % 60 < 20;
        if pause != stopped {
            if pause {
                sb.stop_sql_thread()?;
            } else {
                sb.start_sql_thread()?;
            }
            stopped = pause;
        }
        if let Some(code) = daemon.try_wait()? {
            bail!(
                "relay-prefetch exited ({code}) at {t} s:\n{}",
                std::fs::read_to_string(log.path()).unwrap_or_default()
            );
        }
        let Some(rss) = rss_kb(daemon.id()) else {
            continue;
        };
        samples.push((t, rss));
        if t % 30 < SAMPLE.as_secs() {
            let m = metrics::scrape(&metrics_addr).unwrap_or_default();
            println!(
                "| {t} | {:.1} | {} | {} | {} |",
                rss as f64 / 1024.0,
                metrics::sample_value(&m, "relay_prefetch_transactions_read_total").unwrap_or(0.0),
                metrics::sample_value(&m, "relay_prefetch_probes_run_total{outcome=\"ok\"}")
                    .unwrap_or(0.0),
                metrics::sample_value(&m, "relay_prefetch_ahead_transactions").unwrap_or(0.0),
            );
        }
    }
    let _ = load.kill();
    let _ = load.wait();
    if stopped {
        sb.start_sql_thread()?;
    }
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(daemon.id() as i32).context("pid")?,
        rustix::process::Signal::TERM,
    )?;
    let status = daemon.wait()?;
    let n = samples.len();
    if n < 8 {
        bail!("only {n} samples: run longer (SOAK_SECS)");
    }
    let peak = |s: &[(u64, u64)]| s.iter().map(|x| x.1).max().unwrap_or(0);
    let second = peak(&samples[n / 4..n / 2]);
    let last = peak(&samples[3 * n / 4..]);
    let bounded = last <= second + second / 10 + 2048;
    println!(
        "soak: RSS peak {:.1} MB in the second quarter, {:.1} MB in the last quarter ({:+.1}%); \
         overall peak {:.1} MB; daemon exit {status}; memory {}",
        second as f64 / 1024.0,
        last as f64 / 1024.0,
        (last as f64 - second as f64) * 100.0 / second as f64,
        peak(&samples) as f64 / 1024.0,
        if bounded { "BOUNDED" } else { "GREW" }
    );
    if !status.success() {
        bail!("relay-prefetch did not stop cleanly: {status}");
    }
    if !bounded {
        bail!("relay-prefetch's memory grew over the run");
    }
    Ok(())
}

fn sysbench(sb: &Sandbox, extra: &[String]) -> Result<Child> {
    Command::new("sysbench")
        .arg("oltp_write_only")
        .args(sb.primary.sysbench_args())
        .arg("--mysql-db=sbtest")
        .arg(format!("--tables={TABLES}"))
        .arg(format!("--table-size={TABLE_SIZE}"))
        .arg("--rand-type=uniform")
        .args(extra)
        .stdout(Stdio::null())
        .spawn()
        .context("running sysbench (run scripts/setup.sh first)")
}

/// Resident set size in kB.
fn rss_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
