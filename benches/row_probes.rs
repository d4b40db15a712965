//! Row-probe generation benchmark (issue 4): sysbench `oltp_write_only` in ROW format on a
//! sandbox primary, relayed to a replica whose SQL thread is stopped; then, single-threaded on
//! the replica's relay log:
//! - decode only (the event stream with the row-probe column selector);
//! - decode + plan (`Planner::plan_batch` over chunks of transactions, as the daemon does);
//! - plan only (transactions already decoded in memory);
//!
//! reported as changed rows per second of this thread's CPU time (one core; the machine may be
//! busy with other work, which wall time would count), and round trips (probes) per 1,000 changed
//! rows with cross-transaction batching (the default) and per transaction. Two workloads: one
//! table and eight tables. Prints a markdown table.
//!
//! `cargo bench --bench row_probes` runs it; `cargo test --all-targets` also executes this
//! binary without `--bench`, and it then does nothing. `ROW_PROBES_EVENTS=N` sets the sysbench
//! events per workload (default 10,000 transactions ≈ 40,000 changed rows).

/// The allocator the `relay-prefetch` binary uses (src/main.rs), so the figures are its.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use relay_prefetch::event::{EventBody, Position, StreamOutcome, Transaction, TransactionStream};
use relay_prefetch::plan::{Mode, Plan};
use relay_prefetch::relay::RelaySource;
use relay_prefetch::rewrite::planner::Planner;
use relay_prefetch::rewrite::rows::{RowProbeConfig, column_selector};
use relay_prefetch::sandbox::{Sandbox, SandboxOptions};
use relay_prefetch::schema::{self, Schema};

/// Transactions handed to `plan_batch` at a time (the daemon plans what the reader has).
const CHUNK: usize = 256;
/// Timed passes per measurement; the best is reported.
const PASSES: usize = 5;

struct Workload {
    db: &'static str,
    tables: u32,
}

const WORKLOADS: &[Workload] = &[
    Workload {
        db: "sb1",
        tables: 1,
    },
    Workload {
        db: "sb8",
        tables: 8,
    },
];
const TABLE_SIZE: u32 = 10_000;

fn main() -> Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    synthetic()?;
    if std::env::var_os("ROW_PROBES_SYNTHETIC_ONLY").is_some() {
        return Ok(());
    }
    let events: u32 = std::env::var("ROW_PROBES_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let sb = Sandbox::start(SandboxOptions {
        binlog_format: "ROW".into(),
        start_sql_thread: false,
        ..SandboxOptions::default()
    })
    .context("starting the sandbox")?;
    println!(
        "| workload | changed rows | decode only rows/s | decode+plan rows/s | plan only rows/s | round trips / 1000 rows (batched) | (per transaction) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for w in WORKLOADS {
        let start = generate(&sb, w, events)?;
        let end = relay_end(&sb)?;
        let schema = schema::load_from_server(&sb.primary.url(), Some(&[w.db.to_string()]))?;
        report(&sb, w, &schema, &start, &end)?;
    }
    Ok(())
}

/// Plan-only throughput on synthetic sysbench-shaped transactions (no server, no decode): the
/// planner's own cost, for profiling.
fn synthetic() -> Result<()> {
    let sql = "CREATE TABLE sbtest1 (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0, \
               c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', \
               PRIMARY KEY (id), KEY k_1 (k)) ENGINE=InnoDB";
    let schema = schema::parse_create_tables(sql, "sbtest")?;
    let txns = synthetic_txns(50_000);
    let rows: usize = txns.iter().map(rows_of).sum();
    let d = best(|| {
        let t0 = Clock::start();
        let mut planner = Planner::new(Mode::Select, RowProbeConfig::default());
        std::hint::black_box(plan_all(&mut planner, &txns, &schema));
        Ok(t0.elapsed())
    })?;
    println!(
        "synthetic oltp_write_only, 1 table: {rows} rows, plan only {:.0} rows/s",
        rows as f64 / d.as_secs_f64()
    );
    Ok(())
}

/// Four rows events per transaction, as oltp_write_only writes them: UPDATE k, UPDATE c,
/// DELETE, INSERT (the key columns decoded; c and pad left out, as the column selector does).
fn synthetic_txns(n: u64) -> Vec<Transaction> {
    use relay_prefetch::event::{Event, MapColumn, Row, RowsEvent, RowsKind, TableMap, Value};
    let col = |t| MapColumn {
        type_code: t,
        meta: 0,
        nullable: false,
        unsigned: None,
        name: None,
    };
    let map = Arc::new(TableMap {
        table_id: 1,
        db: "sbtest".into(),
        table: "sbtest1".into(),
        columns: vec![col(3), col(3), col(254), col(254)],
    });
    let file: Arc<str> = Arc::from("relay-bin.000001");
    let row = |id: u64, k: u64| Row {
        values: vec![
            Some(Value::Int(id as i64)),
            Some(Value::Int(k as i64)),
            None,
            None,
        ],
    };
    let ev = |off: u64, kind, before: Vec<Row>, after: Vec<Row>| Event {
        pos: Position {
            file: file.clone(),
            offset: off,
        },
        len: 100,
        type_code: 30,
        timestamp: 0,
        server_id: 1,
        log_pos: 0,
        body: EventBody::Rows(RowsEvent {
            kind,
            table: map.clone(),
            before,
            after,
            stmt_end: true,
        }),
    };
    (0..n)
        .map(|i| {
            let off = i * 1000;
            let (a, b, c) = (
                (i * 7919) % 10_000,
                (i * 104_729) % 10_000,
                (i * 31) % 10_000,
            );
            Transaction {
                seq: i,
                gtid: None,
                start: Position {
                    file: file.clone(),
                    offset: off,
                },
                end: Position {
                    file: file.clone(),
                    offset: off + 999,
                },
                events: vec![
                    ev(
                        off + 100,
                        RowsKind::Update,
                        vec![row(a, a % 97)],
                        vec![row(a, a % 97 + 1)],
                    ),
                    ev(
                        off + 200,
                        RowsKind::Update,
                        vec![row(b, b % 97)],
                        vec![row(b, b % 97)],
                    ),
                    ev(off + 300, RowsKind::Delete, vec![row(c, c % 97)], vec![]),
                    ev(off + 400, RowsKind::Write, vec![], vec![row(c, i % 97)]),
                ],
            }
        })
        .collect()
}

/// Prepare the tables (not measured), then run the workload; returns where its run starts in the
/// relay log.
fn generate(sb: &Sandbox, w: &Workload, events: u32) -> Result<Position> {
    sb.primary
        .exec(&[&format!("CREATE DATABASE {}", w.db)])
        .context("create database")?;
    sysbench(sb, w, &["prepare".into()])?;
    sb.wait_for_relay_log_catch_up(Duration::from_secs(300))?;
    let start = relay_end(sb)?;
    sysbench(
        sb,
        w,
        &[
            format!("--events={events}"),
            "--time=0".into(),
            "--threads=2".into(),
            "run".into(),
        ],
    )?;
    sb.wait_for_relay_log_catch_up(Duration::from_secs(300))?;
    Ok(start)
}

fn sysbench(sb: &Sandbox, w: &Workload, extra: &[String]) -> Result<()> {
    let status = Command::new("sysbench")
        .arg("oltp_write_only")
        .args(sb.primary.sysbench_args())
        .arg(format!("--mysql-db={}", w.db))
        .arg(format!("--tables={}", w.tables))
        .arg(format!("--table-size={TABLE_SIZE}"))
        .args(extra)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running sysbench")?;
    if !status.success() {
        bail!("sysbench {extra:?} failed: {status}");
    }
    Ok(())
}

/// The end of the replica's last relay-log file.
fn relay_end(sb: &Sandbox) -> Result<Position> {
    let files = sb.replica.relay_log_files()?;
    let last: PathBuf = files.last().context("no relay log")?.clone();
    let len = std::fs::metadata(&last)?.len();
    Ok(Position {
        file: Arc::from(last.to_string_lossy().as_ref()),
        offset: len,
    })
}

/// A stream positioned at `start`, decoding with the row-probe column selector. Opening walks
/// the event headers from the file's format description to `start` (to check it is an event
/// boundary); that one-time cost is not per-row work, so callers open before starting the clock.
fn open(sb: &Sandbox, schema: &Arc<Schema>, start: &Position) -> Result<TransactionStream> {
    let source = RelaySource::from_paths(&[sb.replica.relay_log_index()]);
    let mut stream = TransactionStream::open(source, Some(start.clone()), false)?;
    stream.set_column_selector(Some(column_selector(schema.clone())));
    stream.set_keep_annotations(false);
    Ok(stream)
}

/// Hand every transaction of `stream` before `end` to `each`, as it is read.
fn drain(
    mut stream: TransactionStream,
    end: &Position,
    mut each: impl FnMut(Transaction),
) -> Result<()> {
    loop {
        match stream.next() {
            StreamOutcome::Transaction(t) => {
                if (t.start.file.as_ref(), t.start.offset) >= (end.file.as_ref(), end.offset) {
                    return Ok(());
                }
                each(t);
            }
            StreamOutcome::End | StreamOutcome::Pending => return Ok(()),
            StreamOutcome::Error(e) => return Err(e.into()),
        }
    }
}

fn rows_of(t: &Transaction) -> usize {
    t.events
        .iter()
        .map(|e| match &e.body {
            EventBody::Rows(r) => r.row_count(),
            _ => 0,
        })
        .sum()
}

fn probes_of(plans: &[Plan]) -> usize {
    plans.iter().map(|p| p.probes.len()).sum()
}

/// Plan `txns` in chunks the way the daemon does (each chunk's plans are consumed, here
/// counted, and dropped); the number of probes.
fn plan_all(planner: &mut Planner, txns: &[Transaction], schema: &Schema) -> usize {
    let mut probes = 0;
    let mut rest = txns;
    while !rest.is_empty() {
        let n = rest.len().min(CHUNK);
        let got = planner.plan_batch(&rest[..n], schema);
        let done = got.len().max(1);
        probes += probes_of(&got);
        rest = &rest[done..];
    }
    probes
}

fn best(mut f: impl FnMut() -> Result<Duration>) -> Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..PASSES {
        best = best.min(f()?);
    }
    Ok(best)
}

/// A stopwatch of this thread's CPU time (`/proc/thread-self/schedstat`, nanoseconds on CPU),
/// so "rows per second per core" holds on a loaded machine; wall time where that file is absent.
struct Clock {
    cpu: Option<u64>,
    wall: Instant,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            cpu: thread_cpu_ns(),
            wall: Instant::now(),
        }
    }

    fn elapsed(&self) -> Duration {
        match (self.cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a)),
            _ => self.wall.elapsed(),
        }
    }
}

fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn report(
    sb: &Sandbox,
    w: &Workload,
    schema: &Schema,
    start: &Position,
    end: &Position,
) -> Result<()> {
    let shared = Arc::new(schema.clone());
    let mut txns = Vec::new();
    drain(open(sb, &shared, start)?, end, |t| txns.push(t))?;
    let rows: usize = txns.iter().map(rows_of).sum();
    let decode = best(|| {
        let stream = open(sb, &shared, start)?;
        let t0 = Clock::start();
        let mut n = 0;
        drain(stream, end, |t| n += rows_of(&t))?;
        assert_eq!(n, rows);
        Ok(t0.elapsed())
    })?;
    let decode_plan = best(|| {
        let stream = open(sb, &shared, start)?;
        let t0 = Clock::start();
        let mut planner = Planner::new(Mode::Select, RowProbeConfig::default());
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut probes = 0;
        drain(stream, end, |t| {
            chunk.push(t);
            if chunk.len() == CHUNK {
                probes += plan_all(&mut planner, &chunk, schema);
                chunk.clear();
            }
        })?;
        probes += plan_all(&mut planner, &chunk, schema);
        std::hint::black_box(probes);
        Ok(t0.elapsed())
    })?;
    let plan_only = best(|| {
        let t0 = Clock::start();
        let mut planner = Planner::new(Mode::Select, RowProbeConfig::default());
        std::hint::black_box(plan_all(&mut planner, &txns, schema));
        Ok(t0.elapsed())
    })?;
    let mut batched = Planner::new(Mode::Select, RowProbeConfig::default());
    let batched = plan_all(&mut batched, &txns, schema);
    let mut single = Planner::new(Mode::Select, RowProbeConfig::default());
    let single: usize = txns
        .iter()
        .map(|t| single.plan(t, schema).probes.len())
        .sum();
    let per_s = |d: Duration| rows as f64 / d.as_secs_f64();
    let per_k = |p: usize| p as f64 * 1000.0 / rows as f64;
    println!(
        "| oltp_write_only, {} table(s) x {TABLE_SIZE} | {rows} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} |",
        w.tables,
        per_s(decode),
        per_s(decode_plan),
        per_s(plan_only),
        per_k(batched),
        per_k(single)
    );
    Ok(())
}
