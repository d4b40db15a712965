//! `relay-prefetch demo`: the product's claim, measured on a throwaway sandbox. A primary and a
//! replica are built; a data set is loaded (sysbench when installed, else a built-in loader);
//! the replica's SQL thread is stopped and a write backlog is generated (sysbench
//! oltp_update_non_index, else a built-in generator), all in ROW format. The replica is then
//! shut down cleanly and its datadir is the snapshot every timed run starts from, so all see the
//! same backlog with a cold buffer pool (O_DIRECT, no pool dump/load): once without
//! prefetching, once with the daemon running in-process. Prints rows/s both ways, the ratio, the
//! hit rate and the prefetcher's CPU. Everything is deleted afterwards unless `--keep`.
//!
//! Two cases by default, because they are the two a lagging replica is in and the prefetcher
//! does very different things for them (benches/README.md, Catch-up): a replica just restarted
//! with a pool that holds all the data but starts empty (every page the applier needs is a
//! random read: where reading ahead pays most), and a pool much smaller than the data (the
//! replica is bound by writing pages back as much as by reading them, and the gain is small).
//! `--pool-mb N` runs one case with that pool instead.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use mysql::prelude::Queryable;

use crate::cli::DemoArgs;
use crate::config::Config;
use crate::daemon::{self, Shutdown, Summary};
use crate::exec::Outcome;
use crate::metrics::Metrics;
use crate::replica::ConnSpec;
use crate::sandbox::{Sandbox, SandboxOptions, Server};

/// One timed catch-up.
struct Timing {
    secs: f64,
    prefetch: Option<Summary>,
    /// Buffer-pool counters over the catch-up: pages read from disk, waits for a free page.
    reads: u64,
    wait_free: u64,
}

/// Run `demo`.
pub fn run(args: DemoArgs) -> anyhow::Result<i32> {
    if args.tables == 0 || args.rows == 0 || args.events == 0 {
        bail!("--tables, --rows and --events must be positive");
    }
    let sysbench = which("sysbench");
    println!(
        "demo: {} tables x {} rows, {} update transactions, loader: {}",
        args.tables,
        args.rows,
        args.events,
        if sysbench { "sysbench" } else { "built-in" }
    );
    let t = Instant::now();
    let mut sb = Sandbox::start(SandboxOptions {
        // A big pool while loading (fast set-up); the timed runs use each case's pool.
        replica_buffer_pool_size: 512 << 20,
        primary_buffer_pool_size: 256 << 20,
        start_sql_thread: true,
        keep_dirs: args.keep,
        ..SandboxOptions::default()
    })
    .context("starting the sandbox (is mariadb-server installed?)")?;
    load(&sb, &args, sysbench)?;
    sb.wait_for_replica_catch_up(Duration::from_secs(900))?;
    sb.stop_sql_thread()?;
    backlog(&sb, &args, sysbench)?;
    sb.wait_for_relay_log_catch_up(Duration::from_secs(300))?;
    let target = sb
        .primary
        .query_string("SELECT @@GLOBAL.gtid_binlog_pos")?
        .unwrap_or_default();
    let rows = args.events;
    freeze_relay_log(&sb)?;
    sb.replica.stop()?;
    let data_mb = data_mib(&sb.primary)?;
    println!(
        "set-up done in {:.0}s; {data_mb} MiB of data; backlog up to GTID {target}",
        t.elapsed().as_secs_f64()
    );
    let cases = match args.pool_mb {
        Some(mb) => vec![Case {
            pool_mb: mb,
            what: format!("replica pool {mb} MiB, empty at start"),
            short: "",
        }],
        None => {
            let big = restart_pool_mib(data_mb);
            vec![
                Case {
                    pool_mb: big,
                    what: format!(
                        "a replica just restarted: a {big} MiB pool for {data_mb} MiB of data, \
                         empty at start"
                    ),
                    short: "after a restart",
                },
                Case {
                    pool_mb: SMALL_POOL_MIB,
                    what: format!("a small pool: {SMALL_POOL_MIB} MiB for {data_mb} MiB of data"),
                    short: "on the small pool",
                },
            ]
        }
    };
    let mut summary = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        println!("\ncase {}/{}: {}", i + 1, cases.len(), case.what);
        let cold = catch_up(&sb, &args, case.pool_mb, &target, false)?;
        report("without prefetch", rows, &cold);
        let fetched = catch_up(&sb, &args, case.pool_mb, &target, true)?;
        report("with relay-prefetch", rows, &fetched);
        let speedup = cold.secs / fetched.secs;
        println!(
            "speed-up: {speedup:.2}x (catch-up {:.1}s -> {:.1}s)",
            cold.secs, fetched.secs
        );
        summary.push(format!("{speedup:.2}x {}", case.short));
    }
    if cases.len() > 1 {
        println!(
            "\nsummary: {}. Reading ahead pays where the applier waits for reads; on a pool much \
             smaller than the data it also waits for pages to be written back, which no \
             read-only prefetch removes (benches/README.md).",
            summary.join(", ")
        );
    }
    if args.keep {
        println!(
            "kept: {} and {}",
            sb.primary.dir().display(),
            sb.replica.dir().display()
        );
    }
    Ok(0)
}

/// One timed comparison: the replica's pool, what the case stands for, and its name in the
/// summary line.
struct Case {
    pool_mb: u64,
    what: String,
    short: &'static str,
}

/// The small pool of the default cases (the default data set is about six times this). Not
/// smaller: InnoDB keeps up to `innodb_lru_scan_depth` pages free, so a 16 MiB pool (1,014
/// pages, 850 of them kept free) caches almost nothing and measures the page cleaner instead.
const SMALL_POOL_MIB: u64 = 32;

/// The replica's data and indexes in the demo schema, MiB (rounded up).
fn data_mib(server: &Server) -> anyhow::Result<u64> {
    let mut c = server.conn()?;
    let bytes: Option<u64> = c.query_first(
        "SELECT CAST(SUM(DATA_LENGTH + INDEX_LENGTH) AS UNSIGNED) \
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'sbtest'",
    )?;
    Ok(bytes.unwrap_or(0).div_ceil(1 << 20))
}

/// A pool that holds `data_mib` with room to spare: twice the data, rounded up to a power of
/// two, at least 64 MiB and at most 4 GiB (a demo should not take a host's memory).
fn restart_pool_mib(data_mib: u64) -> u64 {
    (data_mib * 2).next_power_of_two().clamp(64, 4096)
}

fn report(what: &str, rows: u64, t: &Timing) {
    let mut line = format!(
        "{what:>20}: {:>8.0} rows/s ({:.1}s; {} page reads, {} free-page waits)",
        rows as f64 / t.secs,
        t.secs,
        t.reads,
        t.wait_free
    );
    if let Some(s) = &t.prefetch {
        let hit = s
            .hit_rate
            .map_or("n/a".into(), |h| format!("{:.0}%", h * 100.0));
        let cpu = s
            .cpu_ms_per_1000_events()
            .map_or("n/a".into(), |c| format!("{c:.1} ms"));
        let ok = s.metrics.probe(Outcome::Ok).get();
        line += &format!(", hit rate {hit}, {ok} probes, prefetcher CPU {cpu} per 1,000 events");
    }
    println!("{line}");
}

fn which(prog: &str) -> bool {
    Command::new(prog)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn sysbench(
    sb: &Sandbox,
    args: &DemoArgs,
    test: &str,
    extra: &[String],
    cmd: &str,
) -> anyhow::Result<()> {
    let out = Command::new("sysbench")
        .arg(test)
        .args([
            "--db-driver=mysql".to_string(),
            "--mysql-host=127.0.0.1".into(),
            format!("--mysql-port={}", sb.primary.port()),
            "--mysql-user=root".into(),
            "--mysql-db=sbtest".into(),
            format!("--tables={}", args.tables),
            format!("--table-size={}", args.rows),
        ])
        .args(extra)
        .arg(cmd)
        .output()
        .context("running sysbench")?;
    if !out.status.success() {
        bail!(
            "sysbench {test} {cmd} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

fn load(sb: &Sandbox, args: &DemoArgs, use_sysbench: bool) -> anyhow::Result<()> {
    sb.primary.exec(&["CREATE DATABASE sbtest"])?;
    if use_sysbench {
        return sysbench(
            sb,
            args,
            "oltp_update_non_index",
            &["--threads=2".into()],
            "prepare",
        );
    }
    let mut c = sb.primary.conn()?;
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    for t in 1..=args.tables {
        c.query_drop(format!(
            "CREATE TABLE sbtest.sbtest{t} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, \
             k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '', \
             pad CHAR(60) NOT NULL DEFAULT '', KEY k_{t} (k)) ENGINE=InnoDB"
        ))?;
        let mut id = 1;
        while id <= args.rows {
            let end = (id + 1000).min(args.rows + 1);
            let vals: Vec<String> = (id..end)
                .map(|i| {
                    rng = rng
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    format!(
                        "({i},{},'{:0>119}','{:0>59}')",
                        (rng >> 33) % args.rows.max(1),
                        rng,
                        i
                    )
                })
                .collect();
            c.query_drop(format!(
                "INSERT INTO sbtest.sbtest{t} VALUES {}",
                vals.join(",")
            ))?;
            id = end;
        }
    }
    Ok(())
}

fn backlog(sb: &Sandbox, args: &DemoArgs, use_sysbench: bool) -> anyhow::Result<()> {
    if use_sysbench {
        let extra = [
            format!("--events={}", args.events),
            "--time=0".into(),
            "--threads=4".into(),
            "--rand-type=uniform".into(),
        ];
        return sysbench(sb, args, "oltp_update_non_index", &extra, "run");
    }
    let threads = 4u64;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                s.spawn(move || -> anyhow::Result<()> {
                    let mut c = sb.primary.conn()?;
                    let mut rng = 0x2545_F491_4F6C_DD1Du64 ^ w;
                    for i in (w..args.events).step_by(threads as usize) {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        let t = 1 + rng % u64::from(args.tables);
                        let id = 1 + (rng >> 20) % args.rows;
                        c.exec_drop(
                            format!("UPDATE sbtest.sbtest{t} SET c = ? WHERE id = ?"),
                            (format!("{i:0>119}"), id),
                        )?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().expect("generator thread"))
    })
}

/// Make the relay log survive a restart: MariaDB discards relay logs at start-up when the
/// replica uses GTID positioning (they are re-fetched from the primary), so switch to relay-log
/// positioning at the applier's current position. Naming RELAY_LOG_FILE/POS keeps the files.
fn freeze_relay_log(sb: &Sandbox) -> anyhow::Result<()> {
    let st = sb.replica_status()?;
    let file = st
        .relay_log_file
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    sb.replica.exec(&[
        "STOP SLAVE",
        &format!(
            "CHANGE MASTER TO MASTER_USE_GTID=no, RELAY_LOG_FILE='{file}', RELAY_LOG_POS={}",
            st.relay_log_pos
        ),
    ])?;
    Ok(())
}

/// Start a replica from the snapshot (cold pool), optionally with the daemon, and time the
/// applier from START SLAVE SQL_THREAD until it has applied `target`.
fn catch_up(
    sb: &Sandbox,
    args: &DemoArgs,
    pool_mb: u64,
    target: &str,
    prefetch: bool,
) -> anyhow::Result<Timing> {
    let mut opts = sb.replica.options().clone();
    opts.name = if prefetch {
        "replica-prefetch"
    } else {
        "replica-cold"
    }
    .into();
    opts.datadir_from = Some(sb.replica.datadir());
    opts.buffer_pool_size = pool_mb << 20;
    opts.keep_dir = args.keep;
    opts.extra_cnf.extend(
        [
            "skip_slave_start",
            "innodb_flush_method=O_DIRECT",
            "innodb_buffer_pool_dump_at_shutdown=OFF",
            "innodb_buffer_pool_load_at_startup=OFF",
            // Tuned as a replica on SSD: the page cleaner keeps free pages ready, so neither the
            // applier nor a probe has to flush a dirty page before it can read one.
            "innodb_io_capacity=4000",
            "innodb_io_capacity_max=8000",
            "innodb_flush_neighbors=0",
            "innodb_max_dirty_pages_pct=20",
            "innodb_max_dirty_pages_pct_lwm=5",
        ]
        .map(String::from),
    );
    let server = Server::start(opts)?;
    let shutdown = Shutdown::new();
    let metrics = Metrics::new();
    let daemon = prefetch.then(|| {
        let mut config = Config::new(ConnSpec {
            host: "127.0.0.1".into(),
            port: server.port(),
            socket: None,
            user: Some("root".into()),
            password: None,
        });
        config.relay_log_index = Some(server.relay_log_index());
        config.workers = Some(args.workers);
        config.max_ahead = args.max_ahead;
        let (sd, m) = (shutdown.clone(), metrics.clone());
        std::thread::spawn(move || daemon::run_with_metrics(config, sd, m))
    });
    if daemon.is_some() {
        // Let the prefetcher open its connections and fill its window (bounded by the pool).
        let t = Instant::now();
        while metrics.probes_run() == 0 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let before = pool_counters(&server)?;
    let start = Instant::now();
    server.exec(&["START SLAVE SQL_THREAD"])?;
    wait_applied(&server, target, start)?;
    let secs = start.elapsed().as_secs_f64();
    let after = pool_counters(&server)?;
    shutdown.trigger();
    let prefetch = match daemon {
        Some(h) => Some(h.join().expect("daemon thread")?),
        None => None,
    };
    Ok(Timing {
        secs,
        prefetch,
        reads: after.0 - before.0,
        wait_free: after.1 - before.1,
    })
}

/// (Innodb_buffer_pool_reads, Innodb_buffer_pool_wait_free).
fn pool_counters(server: &Server) -> anyhow::Result<(u64, u64)> {
    let mut c = server.conn()?;
    let rows: Vec<(String, u64)> = c.query(
        "SHOW GLOBAL STATUS WHERE Variable_name IN \
         ('Innodb_buffer_pool_reads', 'Innodb_buffer_pool_wait_free')",
    )?;
    let get = |n: &str| rows.iter().find(|(k, _)| k == n).map_or(0, |(_, v)| *v);
    Ok((
        get("Innodb_buffer_pool_reads"),
        get("Innodb_buffer_pool_wait_free"),
    ))
}

/// Poll until the replica has applied `target`; fail fast when its SQL thread stops.
fn wait_applied(server: &Server, target: &str, start: Instant) -> anyhow::Result<()> {
    let mut conn = server.conn()?;
    let channel =
        crate::replica::Channel::default_of(&crate::replica::Flavor::parse("10.0.0-MariaDB", ""));
    let mut checked = Instant::now();
    loop {
        let pos: Option<String> = conn.query_first("SELECT @@GLOBAL.gtid_slave_pos")?;
        if pos.as_deref() == Some(target) {
            return Ok(());
        }
        if checked.elapsed() > Duration::from_secs(1) {
            checked = Instant::now();
            let st = crate::replica::fetch_status(&mut conn, &channel)?;
            if !st.as_ref().is_some_and(|s| s.sql_running) {
                bail!("the replica's SQL thread stopped at {pos:?} (want {target}): {st:?}");
            }
        }
        if start.elapsed() > Duration::from_secs(1800) {
            bail!("the replica did not catch up within 30 minutes ({pos:?}, want {target})");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::restart_pool_mib;

    #[test]
    fn the_restart_pool_holds_the_data_twice() {
        assert_eq!(restart_pool_mib(0), 64);
        assert_eq!(restart_pool_mib(20), 64);
        assert_eq!(restart_pool_mib(230), 512);
        assert_eq!(restart_pool_mib(256), 512);
        assert_eq!(restart_pool_mib(257), 1024);
        assert_eq!(restart_pool_mib(100_000), 4096);
    }
}
