//! Scheduler throughput without a server: 200,000 single-probe transactions pushed through the
//! real pool with a no-op executor while a simulated applier trails the reader, under spread
//! keys (1M distinct rows) and hot keys (10 rows). Prints transactions/s and the scheduler's CPU
//! per 1,000 probes — the overhead the prefetcher adds on top of running the probes themselves.
//! `cargo bench --bench scheduler`.

use std::sync::Arc;
use std::time::Instant;

use relay_prefetch::event::{Position, Value};
use relay_prefetch::exec::{Executor, Job, Outcome, ProbeResult};
use relay_prefetch::metrics::{Metrics, process_cpu_seconds};
use relay_prefetch::plan::{Mode, Plan, Probe, ProbeSql, RowKey, Session};
use relay_prefetch::replica::RelayCoord;
use relay_prefetch::schedule::{Scheduler, SchedulerOptions, TxnMeta};
use relay_prefetch::throttle::Limits;

const TXNS: u64 = 200_000;
const WORKERS: usize = 4;

struct Noop;

impl Executor for Noop {
    fn run(&mut self, _job: &Job<'_>) -> ProbeResult {
        ProbeResult::of(Outcome::Ok)
    }
}

fn coord(seq: u64) -> RelayCoord {
    RelayCoord {
        file_no: 1,
        offset: 4 + seq * 100,
    }
}

/// One single-row transaction; in the locking modes its probe is the DML to replay (as the
/// statement rewriter emits it), elsewhere a prepared key lookup.
fn plan(seq: u64, key: u64, sql: &Arc<str>, mode: Mode) -> Plan {
    let pk = key.to_be_bytes().to_vec().into_boxed_slice();
    let row_key = RowKey {
        table: Arc::from("sbtest.sbtest1"),
        pk: Some(pk),
    };
    let pos = Position {
        file: Arc::from("relay-bin.000001"),
        offset: coord(seq).offset,
    };
    Plan {
        seq,
        start: pos.clone(),
        end: pos,
        session: Session::default(),
        probes: vec![Probe {
            table: "sbtest.sbtest1".into(),
            index: "PRIMARY".into(),
            phase: 1,
            sql: if mode.takes_locks() {
                ProbeSql::Dml(vec![format!(
                    "UPDATE sbtest.sbtest1 SET c = 'x' WHERE id = {key}"
                )])
            } else {
                ProbeSql::Prepared {
                    sql: sql.clone(),
                    params: vec![Value::Int(key as i64)],
                }
            },
            keys: vec![vec![Value::Int(key as i64)]],
            row_keys: vec![row_key.clone()],
            follow_up: None,
        }],
        applier_keys: vec![row_key],
        skips: Vec::new(),
        ddl_tables: Vec::new(),
        batched: false,
    }
}

fn run(name: &str, distinct: u64, mode: Mode) {
    let metrics = Metrics::new();
    let execs: Vec<Box<dyn Executor>> = (0..WORKERS)
        .map(|_| Box::new(Noop) as Box<dyn Executor>)
        .collect();
    let opts = SchedulerOptions {
        mode,
        min_ahead: 2,
        applier_guard: 4,
        unmeasured_guard: 0,
        conflict_map: true,
        max_probes: 4096,
    };
    let window = 2000;
    let sched = Scheduler::start(
        opts,
        Arc::new(Limits::new(window, 3600, 1 << 30)),
        execs,
        metrics.clone(),
    );
    let sql: Arc<str> = Arc::from("SELECT c FROM sbtest.sbtest1 WHERE id = ?");
    let cpu0 = process_cpu_seconds().unwrap_or(0.0);
    let t = Instant::now();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for seq in 0..TXNS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let meta = TxnMeta {
            end: coord(seq),
            timestamp: 1_700_000_000 + (seq / 5000) as u32,
            events: 3,
        };
        sched
            .submit(plan(seq, x % distinct, &sql, mode), meta)
            .expect("submit");
        // The applier trails the reader by half a window.
        if seq >= window / 2 && seq % 16 == 0 {
            sched.applier_at(coord(seq - window / 2));
        }
    }
    sched.applier_at(coord(TXNS));
    let secs = t.elapsed().as_secs_f64();
    sched.stop().expect("stop");
    let cpu = process_cpu_seconds().unwrap_or(cpu0) - cpu0;
    println!(
        "{name:<28} {:>9.0} txns/s  run {:>7}  deduped {:>7}  dropped {:>6}  CPU {:>6.1} ms per 1,000 probes",
        TXNS as f64 / secs,
        metrics.probes_run(),
        metrics.probes_deduplicated.get(),
        metrics.probes_dropped(),
        cpu * 1e6 / TXNS as f64,
    );
}

fn main() {
    println!("scheduler: {TXNS} single-probe transactions, {WORKERS} no-op workers");
    run("spread keys, select", 1_000_000, Mode::Select);
    run("hot keys (10), select", 10, Mode::Select);
    run("spread keys, rollback", 1_000_000, Mode::Rollback);
    run("hot keys (10), rollback", 10, Mode::Rollback);
}
