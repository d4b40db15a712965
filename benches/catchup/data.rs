//! Building what every measured run starts from: the loaded sysbench data set (built once per
//! size and cached under target/, because loading is the slowest step) and, per workload and
//! binlog format, a stopped snapshot replica holding that data plus an unapplied relay-log backlog.
//!
//! The snapshot replica uses file/position replication (MASTER_USE_GTID=no) and skip-slave-start:
//! with MASTER_USE_GTID=slave_pos MariaDB discards relay logs at every restart, and the backlog
//! must survive being copied and restarted. Does not measure anything (see `apply`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use relay_prefetch::sandbox::{Server, ServerOptions};

use crate::spec::{self, Sizes, Workload};
use crate::sql;

const CACHE_MARKER: &str = "catchup-data-complete";

/// Run sysbench against `port` with the common connection and table options.
pub fn sysbench(port: u16, sizes: &Sizes, test: &str, args: &[&str], verb: &str) -> Result<String> {
    let out = Command::new("sysbench")
        .arg(test)
        .arg("--db-driver=mysql")
        .arg("--mysql-host=127.0.0.1")
        .arg(format!("--mysql-port={port}"))
        .arg("--mysql-user=root")
        .arg("--mysql-db=sbtest")
        .arg(format!("--tables={}", sizes.tables))
        .arg(format!("--table-size={}", sizes.table_size))
        .args(args)
        .arg(verb)
        .output()
        .context("running sysbench (is it installed? scripts/setup.sh)")?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!(
            "sysbench {test} {verb} failed ({}):\n{text}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(text)
}

fn big_server(name: &str, log_bin: bool, format: &str, from: Option<PathBuf>) -> ServerOptions {
    ServerOptions {
        name: name.into(),
        server_id: 1,
        log_bin,
        binlog_format: format.into(),
        buffer_pool_size: 1 << 30,
        extra_cnf: vec![spec::REDO_LOG.into()],
        datadir_from: from,
        ..ServerOptions::default()
    }
}

/// The loaded data set's datadir (a stopped server's), built on first use.
pub fn loaded_data(sizes: &Sizes, cache_root: &Path) -> Result<PathBuf> {
    let dir = cache_root.join(format!("data-{}x{}", sizes.tables, sizes.table_size));
    if dir.join(CACHE_MARKER).is_file() {
        eprintln!("catchup: reusing loaded data {}", dir.display());
        return Ok(dir);
    }
    let t = Instant::now();
    eprintln!(
        "catchup: loading {} x {} rows (cached in {})",
        sizes.tables,
        sizes.table_size,
        dir.display()
    );
    let mut loader = Server::start(big_server("loader", false, "ROW", None))?;
    loader.exec(&["CREATE DATABASE sbtest"])?;
    let threads = format!("--threads={}", sizes.tables.min(2));
    sysbench(loader.port(), sizes, "oltp_common", &[&threads], "prepare")?;
    loader.stop()?;
    std::fs::create_dir_all(cache_root)?;
    let _ = std::fs::remove_dir_all(&dir);
    // Same filesystem (the temp dir and target/ usually are): a rename, else a copy.
    if std::fs::rename(loader.datadir(), &dir).is_err() {
        let ok = Command::new("cp")
            .arg("-a")
            .arg(loader.datadir())
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            bail!(
                "could not copy {} to {}",
                loader.datadir().display(),
                dir.display()
            );
        }
    }
    std::fs::write(dir.join(CACHE_MARKER), b"")?;
    eprintln!("catchup: loaded in {:.0} s", t.elapsed().as_secs_f64());
    Ok(dir)
}

/// A stopped replica holding the data plus an unapplied backlog in its relay logs.
pub struct Backlog {
    /// Transactions (sysbench events) in the backlog.
    pub events: u64,
    /// Rows the primary changed producing it (updates + inserts + deletes).
    pub rows: u64,
    /// The stopped snapshot replica; its datadir is copied for every run. Dropping it deletes it.
    pub snapshot: Server,
}

fn snapshot_replica(data: &Path, sizes: &Sizes) -> Result<Server> {
    let mut cnf = spec::replica_tuning();
    cnf.push("slave_parallel_threads=0".into());
    Ok(Server::start(ServerOptions {
        name: "snapshot".into(),
        server_id: 2,
        log_bin: false,
        buffer_pool_size: sizes.small_pool,
        read_only: true,
        extra_cnf: cnf,
        datadir_from: Some(data.to_path_buf()),
        ..ServerOptions::default()
    })?)
}

fn attach(primary: &Server, replica: &Server) -> Result<()> {
    let file = sql::first_binlog(&mut primary.conn()?)?;
    primary.exec(&[
        "SET SESSION sql_log_bin = 0",
        "CREATE USER 'repl'@'%' IDENTIFIED BY 'repl'",
        "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'",
    ])?;
    let change = format!(
        "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='repl', \
         MASTER_PASSWORD='repl', MASTER_LOG_FILE='{file}', MASTER_LOG_POS=4, \
         MASTER_USE_GTID=no, MASTER_CONNECT_RETRY=1",
        primary.port()
    );
    replica.exec(&[&change, "START SLAVE IO_THREAD"])?;
    Ok(())
}

fn wait_fetched(primary: &Server, replica: &Server, timeout: Duration) -> Result<()> {
    let end = sql::master_end(&mut primary.conn()?)?;
    let mut conn = replica.conn()?;
    let deadline = Instant::now() + timeout;
    loop {
        let st = sql::slave_status(&mut conn)?;
        if st.read == end {
            return Ok(());
        }
        if !st.error.is_empty() || Instant::now() > deadline {
            bail!(
                "replica did not fetch up to {end:?} (at {:?}): {}",
                st.read,
                st.error
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Generate `w`'s backlog in `format` on a primary restored from `data`, fetched (not applied)
/// into the relay log of a snapshot replica restored from the same data.
pub fn build_backlog(
    data: &Path,
    sizes: &Sizes,
    w: &Workload,
    format: &'static str,
) -> Result<Backlog> {
    let t = Instant::now();
    let mut primary = Server::start(big_server("primary", true, format, Some(data.into())))?;
    let mut replica = snapshot_replica(data, sizes)?;
    attach(&primary, &replica)?;
    let events = ((w.events as f64) * sizes.events_scale).round().max(1.0) as u64;
    let before = sql::counters(&mut primary.conn()?)?;
    let mut args = vec![
        "--threads=4".to_string(),
        format!("--events={events}"),
        "--time=0".into(),
        "--rand-seed=42".into(),
    ];
    match &sizes.rand_type {
        Some(t) if w.extra.is_empty() => args.push(format!("--rand-type={t}")),
        _ => args.extend(w.extra.iter().map(|s| s.to_string())),
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sysbench(primary.port(), sizes, w.test, &args, "run")?;
    let rows = sql::rows_changed(&before, &sql::counters(&mut primary.conn()?)?);
    wait_fetched(&primary, &replica, Duration::from_secs(600))?;
    replica.exec(&["STOP SLAVE IO_THREAD"])?;
    replica.stop()?;
    primary.kill();
    eprintln!(
        "catchup: backlog {} {format}: {events} events, {rows} rows, built in {:.0} s",
        w.name,
        t.elapsed().as_secs_f64()
    );
    let expected = events * spec::rows_per_event(w.test);
    if rows.abs_diff(expected) * 50 > expected {
        eprintln!(
            "catchup: WARNING: expected about {expected} changed rows, the primary counted {rows}"
        );
    }
    Ok(Backlog {
        events,
        rows,
        snapshot: replica,
    })
}
