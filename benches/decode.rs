//! Decode throughput on a ≥ 100 MB binlog of sysbench OLTP row events, side by side with
//! `mysqlbinlog --base64-output=decode-rows -vv > /dev/null` on the same file.
//!
//! `cargo bench --bench decode` makes the file on first use (a throwaway MariaDB from the
//! project's sandbox, `sysbench oltp_write_only` + `oltp_update_non_index`, ROW format) and
//! caches it under `target/bench-data/`; set `DECODE_BENCH_FILE=/path/to/relay-or-binlog` to
//! measure another file. Prints MB/s, events/s and rows/s for: framing + CRC32 only, full
//! decode (every column), key-columns-only decode (a column mask, as the prefetcher uses it),
//! and whole transactions; then mysqlbinlog's time and the ratio. Single thread throughout.

/// The allocator the `relay-prefetch` binary uses (src/main.rs), so the figures are its.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use relay_prefetch::event::{
    ColumnSelector, EventBody, EventOutcome, EventStream, StreamOutcome, TransactionStream,
};
use relay_prefetch::relay::{ReadOutcome, Reader, RelaySource};
use relay_prefetch::sandbox::{Server, ServerOptions};

/// Smallest file worth measuring.
const MIN_BYTES: u64 = 100 << 20;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes benches; nothing to list.
    }
    let file = match std::env::var_os("DECODE_BENCH_FILE") {
        Some(p) => PathBuf::from(p),
        None => match cached_or_generated() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("decode bench skipped: cannot make the sysbench binlog: {e}");
                return;
            }
        },
    };
    let bytes = std::fs::metadata(&file).expect("bench file").len();
    let mb = bytes as f64 / 1e6;
    println!("file: {} ({mb:.1} MB)", file.display());
    let frame = best_of(3, || framing(&file));
    report("framing + CRC32", mb, frame);
    let full = best_of(3, || decode(&file, None));
    report("decode, all columns", mb, full);
    let keys = best_of(3, || decode(&file, Some(key_columns())));
    report("decode, key columns", mb, keys);
    let tx = best_of(3, || transactions(&file));
    println!(
        "{:<24} {:>7.2} s cpu ({:>6.2} s wall)  {:>7.1} MB/s  {:>9.0} tx/s",
        "transactions (grouped)",
        tx.secs,
        tx.wall,
        mb / tx.secs,
        tx.events as f64 / tx.secs
    );
    match mysqlbinlog_secs(&file) {
        Some((s, wall)) => {
            println!(
                "{:<24} {s:>7.2} s cpu ({wall:>6.2} s wall)  {:>7.1} MB/s",
                "mysqlbinlog -vv",
                mb / s
            );
            println!(
                "ratio of CPU time, mysqlbinlog / ours: {:.1}x (all columns), {:.1}x (key columns)",
                s / full.secs,
                s / keys.secs
            );
        }
        None => println!("mysqlbinlog not available: no comparison"),
    }
}

#[derive(Clone, Copy)]
struct Run {
    /// Wall-clock seconds.
    wall: f64,
    /// CPU seconds of this process (user + system): the per-core figure on a busy machine.
    secs: f64,
    events: u64,
    rows: u64,
}

fn best_of(n: usize, mut f: impl FnMut() -> Run) -> Run {
    (0..n)
        .map(|_| f())
        .min_by(|a, b| a.secs.total_cmp(&b.secs))
        .expect("n > 0")
}

/// (own, children's) CPU seconds from /proc/self/stat (utime+stime, cutime+cstime; 100 Hz).
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let get = |i: usize| f.get(i).copied().unwrap_or(0.0) / 100.0;
    // Fields after the command: state=0 … utime=11 stime=12 cutime=13 cstime=14.
    (get(11) + get(12), get(13) + get(14))
}

fn timed(f: impl FnOnce() -> (u64, u64)) -> Run {
    let (c0, t0) = (cpu().0, Instant::now());
    let (events, rows) = f();
    Run {
        wall: t0.elapsed().as_secs_f64(),
        secs: (cpu().0 - c0).max(0.01),
        events,
        rows,
    }
}

fn report(what: &str, mb: f64, r: Run) {
    println!(
        "{what:<24} {:>7.2} s cpu ({:>6.2} s wall)  {:>7.1} MB/s  {:>9.0} events/s  {:>9.0} rows/s",
        r.secs,
        r.wall,
        mb / r.secs,
        r.events as f64 / r.secs,
        r.rows as f64 / r.secs
    );
}

fn source(file: &Path) -> RelaySource {
    RelaySource::Files(vec![file.to_path_buf()])
}

fn framing(file: &Path) -> Run {
    timed(|| {
        let mut r = Reader::open(source(file), None, false).expect("open");
        let mut events = 0;
        loop {
            match r.next() {
                ReadOutcome::Event(_) => events += 1,
                ReadOutcome::End => break,
                ReadOutcome::Pending => unreachable!("no follow"),
                ReadOutcome::Error(e) => panic!("{e}"),
            }
        }
        (events, 0)
    })
}

fn decode(file: &Path, selector: Option<ColumnSelector>) -> Run {
    timed(|| {
        let mut s = EventStream::open(source(file), None, false).expect("open");
        s.set_column_selector(selector);
        let (mut events, mut rows) = (0u64, 0u64);
        loop {
            match s.next() {
                EventOutcome::Event(ev) => {
                    events += 1;
                    if let EventBody::Rows(r) = &ev.body {
                        rows += r.row_count() as u64;
                    }
                }
                EventOutcome::End => break,
                EventOutcome::Pending => unreachable!("no follow"),
                EventOutcome::Error(e) => panic!("{e}"),
            }
        }
        (events, rows)
    })
}

fn transactions(file: &Path) -> Run {
    timed(|| {
        let mut s = TransactionStream::open(source(file), None, false).expect("open");
        let mut n = 0;
        loop {
            match s.next() {
                StreamOutcome::Transaction(_) => n += 1,
                StreamOutcome::End => break,
                StreamOutcome::Pending => unreachable!("no follow"),
                StreamOutcome::Error(e) => panic!("{e}"),
            }
        }
        (n, 0)
    })
}

/// sysbench's primary key `id` and secondary key `k`: what the prefetcher looks up.
fn key_columns() -> ColumnSelector {
    Arc::new(|t| Some((0..t.columns.len()).map(|i| i < 2).collect()))
}

/// CPU seconds (user + system) mysqlbinlog spent, and its wall time.
fn mysqlbinlog_secs(file: &Path) -> Option<(f64, f64)> {
    let (c0, t) = (cpu().1, Instant::now());
    let status = Command::new("mysqlbinlog")
        .args(["--base64-output=decode-rows", "-vv"])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status
        .success()
        .then(|| ((cpu().1 - c0).max(0.01), t.elapsed().as_secs_f64()))
}

/// `target/bench-data/sysbench-oltp.binlog`, generated when missing.
fn cached_or_generated() -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-data");
    let file = dir.join("sysbench-oltp.binlog");
    if std::fs::metadata(&file).is_ok_and(|m| m.len() >= MIN_BYTES) {
        return Ok(file);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    eprintln!(
        "generating {} with sysbench (a few minutes) ...",
        file.display()
    );
    generate(&file).map_err(|e| e.to_string())?;
    Ok(file)
}

fn generate(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::start(ServerOptions {
        name: "decode-bench".into(),
        buffer_pool_size: 512 << 20,
        max_binlog_size: Some(1 << 30),
        extra_cnf: vec![
            "sync_binlog=0".into(),
            "innodb_flush_log_at_trx_commit=0".into(),
        ],
        ..ServerOptions::default()
    })?;
    server.exec(&["CREATE DATABASE sbtest"])?;
    let common = [
        "--tables=4",
        "--table-size=20000",
        "--threads=4",
        "--rand-type=uniform",
    ];
    sysbench(&server, "oltp_write_only", "prepare", &common, None)?;
    // Alternate workloads until the binlog is big enough.
    let binlog = || -> Result<u64, Box<dyn std::error::Error>> {
        Ok(server
            .binlog_files()?
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum())
    };
    let mut round = 0;
    while binlog()? < MIN_BYTES + (8 << 20) {
        let test = if round % 2 == 0 {
            "oltp_write_only"
        } else {
            "oltp_update_non_index"
        };
        sysbench(&server, test, "run", &common, Some(Duration::from_secs(20)))?;
        round += 1;
        eprintln!("  binlog so far: {:.1} MB", binlog()? as f64 / 1e6);
    }
    server.exec(&["FLUSH BINARY LOGS"])?;
    let files = server.binlog_files()?;
    let first = files.first().ok_or("no binlog")?;
    std::fs::copy(first, out)?;
    Ok(())
}

fn sysbench(
    server: &Server,
    test: &str,
    cmd: &str,
    common: &[&str],
    time: Option<Duration>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut c = Command::new("sysbench");
    c.arg(test).args(server.sysbench_args()).args(common);
    if let Some(t) = time {
        c.arg(format!("--time={}", t.as_secs()));
    }
    let status = c.arg(cmd).stdout(Stdio::null()).status()?;
    if !status.success() {
        return Err(format!("sysbench {test} {cmd} failed: {status}").into());
    }
    Ok(())
}
