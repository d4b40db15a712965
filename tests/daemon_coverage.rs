//! The promise the daemon exists for, measured on a real MariaDB replica: once its probes have
//! run, the applier reads (almost) nothing from disk. A ROW-format replica restarted with an empty pool
//! larger than the data (nothing is evicted, so every page the applier reads itself is one the
//! probes did not cover) applies a backlog of ROW-format updates that move a secondary-index
//! entry (`k = k + 1`: the clustered row, the old and the new `k` entry) — once alone, for the
//! baseline, and once after the daemon has probed the backlog. The pool's disk reads during the
//! apply (`Innodb_buffer_pool_reads`) are compared.
//!
//! On a pool much smaller than the data the applier still reads some pages itself; this test
//! pins down that those are not pages the probes miss (benches/README.md, "The issue's scale on
//! a third VM").

mod daemon_support;

use std::time::Duration;

use daemon_support as s;
use mysql::prelude::Queryable;
use relay_prefetch::exec::Outcome;
use relay_prefetch::plan::Mode;
use relay_prefetch::sandbox::Sandbox;

const ROWS: u64 = 60_000;
const TXNS: u64 = 300;

fn pool_reads(sb: &Sandbox) -> u64 {
    let mut c = sb.replica.conn().unwrap();
    let r: Option<(String, u64)> = c
        .query_first("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'")
        .unwrap();
    r.unwrap().1
}

/// Restart the replica with an empty pool and queue `TXNS` updates starting at `first` in its
/// relay log (applier stopped).
fn cold_backlog(sb: &mut Sandbox, first: u64) {
    s::restart_cold(sb);
    s::backlog_from(sb, ROWS, TXNS, first);
}

/// Pool reads while the applier applies the queued backlog.
fn apply(sb: &Sandbox) -> u64 {
    let before = pool_reads(sb);
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    pool_reads(sb) - before
}

#[test]
fn after_the_probes_the_applier_reads_almost_nothing() {
    let Some(mut sb) = s::cold_restart_sandbox(64 << 20) else {
        return;
    };
    s::load(&sb, ROWS);

    cold_backlog(&mut sb, 0);
    let alone = apply(&sb);

    // Another stretch of rows, so that nothing the first apply read is reused.
    cold_backlog(&mut sb, 10 * TXNS);
    let mut config = s::config(&sb, Mode::Select);
    config.max_pages = Some(1 << 20);
    let d = s::start(config);
    d.wait_for("every transaction probed", Duration::from_secs(30), |m| {
        m.transactions_read.get() >= TXNS
            && m.probe(Outcome::Ok).get() > 0
            && m.probes_pending.get() == 0
    });
    let with_probes = apply(&sb);
    let sum = d.stop();
    eprintln!(
        "pool reads while applying {TXNS} updates: {alone} alone, {with_probes} after {} probes",
        sum.probes_run
    );
    assert!(
        alone >= TXNS / 2,
        "the baseline must read from disk (each update reads its row's page): {alone}"
    );
    assert!(
        with_probes * 20 <= alone,
        "the applier read {with_probes} pages itself after the probes (alone: {alone}): the \
         probes missed pages it needs"
    );
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}
