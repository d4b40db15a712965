//! Sweeps (whole-index warm-up) against a real MariaDB replica just restarted with an empty pool:
//! with room in the pool, every index the backlog reads ends up cached (pages in the pool
//! ≥ the index's leaf pages) and an index it never reads is left alone, later probes on swept
//! indexes are dropped as unnecessary, the whole
//! thing works for a SELECT-only user and writes nothing; with a pool too small for the tables,
//! nothing is swept; and the cost gate holds sweeps back until it can judge the backlog.

mod daemon_support;

use std::time::Duration;

use daemon_support as s;
use mysql::prelude::Queryable;
use relay_prefetch::plan::Mode;
use relay_prefetch::replica::ConnSpec;
use relay_prefetch::sandbox::Sandbox;

/// Pages of `pf.t{t}`'s `index` in the replica's pool, and the index's leaf pages.
fn cached_and_leaf_pages(sb: &Sandbox, t: usize, index: &str) -> (u64, u64) {
    let mut c = sb.replica.conn().unwrap();
    let cached: Option<u64> = c
        .exec_first(
            "SELECT COUNT(*) FROM information_schema.INNODB_BUFFER_PAGE \
             WHERE TABLE_NAME = ? AND INDEX_NAME = ? AND PAGE_TYPE = 'INDEX'",
            (format!("`pf`.`t{t}`"), index),
        )
        .unwrap();
    let leaf: Option<u64> = c
        .exec_first(
            "SELECT stat_value FROM mysql.innodb_index_stats WHERE database_name = 'pf' \
             AND table_name = ? AND index_name = ? AND stat_name = 'n_leaf_pages'",
            (format!("t{t}"), index),
        )
        .unwrap();
    (cached.unwrap_or(0), leaf.unwrap_or(0))
}

/// A sandbox whose replica holds `rows` rows per table with fresh statistics and was just
/// restarted with an empty pool of `pool` bytes. None (test skipped) when no sandbox can start.
fn restarted_cold(pool: u64, rows: u64) -> Option<Sandbox> {
    let mut sb = s::cold_restart_sandbox(pool)?;
    s::load(&sb, rows);
    sb.replica.exec(&["ANALYZE TABLE pf.t1, pf.t2"]).unwrap();
    s::restart_cold(&mut sb);
    Some(sb)
}

fn select_only(
    sb: &Sandbox,
    mut config: relay_prefetch::config::Config,
) -> relay_prefetch::config::Config {
    sb.replica
        .create_select_user("pf_sweep", "sw-pass")
        .unwrap();
    config.replica = ConnSpec {
        user: Some("pf_sweep".into()),
        password: Some("sw-pass".into()),
        ..config.replica
    };
    config
}

#[test]
fn sweeps_warm_every_index_of_touched_tables_when_the_pool_has_room() {
    const ROWS: u64 = 20_000;
    let Some(sb) = restarted_cold(128 << 20, ROWS) else {
        return;
    };
    s::backlog(&sb, ROWS, 200);
    let before = cached_and_leaf_pages(&sb, 1, "PRIMARY");
    let mut config = select_only(&sb, s::config(&sb, Mode::Select));
    // The applier stays stopped until the end: let the window hold both backlogs.
    config.max_pages = Some(100_000);
    config.sweep.workers = 2;
    // 200 transactions would never pass the cost gate (and the applier is stopped): this test
    // is about the sweeping itself.
    config.sweep.always = true;
    let d = s::start(config);
    d.wait_for("every index swept", Duration::from_secs(60), |m| {
        m.sweeps_done.get() >= 2 * s::TABLES as u64
    });
    // A restarted pool with room for every table is filling: probes take the larger size.
    d.wait_for(
        "probes sized for a filling pool",
        Duration::from_secs(10),
        |m| m.probe_keys.get() == relay_prefetch::config::DEFAULT_PROBE_KEYS_FILLING as i64,
    );
    for t in 1..=s::TABLES {
        for index in ["PRIMARY", "k_idx"] {
            let (cached, leaf) = cached_and_leaf_pages(&sb, t, index);
            assert!(leaf > 0, "no statistics for pf.t{t} {index}");
            assert!(
                cached >= leaf,
                "pf.t{t} {index}: {cached} pages cached of {leaf} leaf pages (before: {before:?})"
            );
        }
    }
    assert!(
        before.0 < before.1 / 2,
        "the restarted pool was not cold: {before:?}"
    );
    // New transactions on swept tables need no probe.
    s::backlog(&sb, ROWS, 100);
    d.wait_for("probes dropped as cached", Duration::from_secs(30), |m| {
        m.probes_cached.get() > 0
    });
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    let sum = d.stop();
    assert_eq!(sum.metrics.sweeps_failed.get(), 0);
    assert!(sum.metrics.sweep_rows.get() >= 2 * ROWS);
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}

#[test]
fn an_index_the_backlog_never_reads_is_not_swept() {
    const ROWS: u64 = 20_000;
    let Some(sb) = restarted_cold(128 << 20, ROWS) else {
        return;
    };
    // Updates of a column no index holds: the applier reads the primary keys only.
    sb.stop_sql_thread().unwrap();
    {
        let mut c = sb.primary.conn().unwrap();
        for i in 0..200u64 {
            let t = 1 + (i as usize % s::TABLES);
            let id = 1 + (i * 7919) % ROWS;
            c.query_drop(format!("UPDATE pf.t{t} SET c = 'n{i}' WHERE id = {id}"))
                .unwrap();
        }
    }
    sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
        .unwrap();
    let mut config = s::config(&sb, Mode::Select);
    config.max_pages = Some(100_000);
    config.sweep.workers = 2;
    config.sweep.always = true;
    let d = s::start(config);
    d.wait_for("primary keys swept", Duration::from_secs(60), |m| {
        m.sweeps_done.get() >= s::TABLES as u64
    });
    // Give a wrongly queued secondary index time to be swept too.
    std::thread::sleep(Duration::from_secs(2));
    let m = d.metrics.clone();
    for t in 1..=s::TABLES {
        let (cached, leaf) = cached_and_leaf_pages(&sb, t, "PRIMARY");
        assert!(cached >= leaf, "pf.t{t} PRIMARY: {cached} of {leaf} pages");
        let (cached, leaf) = cached_and_leaf_pages(&sb, t, "k_idx");
        assert!(
            cached * 2 <= leaf,
            "pf.t{t} k_idx swept though nothing reads it: {cached} of {leaf} pages"
        );
    }
    assert_eq!(
        m.sweeps_done.get(),
        s::TABLES as u64,
        "only the primary keys are swept"
    );
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    d.stop();
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}

#[test]
fn nothing_is_swept_when_the_tables_do_not_fit_in_the_free_pool() {
    const ROWS: u64 = 40_000;
    let Some(sb) = restarted_cold(8 << 20, ROWS) else {
        return;
    };
    s::backlog(&sb, ROWS, 200);
    let mut config = s::config(&sb, Mode::Select);
    config.sweep.workers = 2;
    config.sweep.always = true;
    let d = s::start(config);
    d.wait_for("primary keys refused", Duration::from_secs(60), |m| {
        m.sweeps_skipped.get() >= s::TABLES as u64
    });
    let m = d.metrics.clone();
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    d.stop();
    // The small secondary indexes fit and may be swept; no table is ever taken as cached.
    assert!(
        m.sweeps_done.get() < 2 * s::TABLES as u64,
        "every index swept on a small pool"
    );
    assert_eq!(
        m.probes_cached.get(),
        0,
        "probes dropped on a pool smaller than the tables"
    );
    assert!(m.probes_run() > 0, "the point probes still ran");
}

#[test]
fn the_cost_gate_holds_sweeps_back_until_it_can_judge_the_backlog() {
    // With the applier stopped there is no apply rate, and 200 transactions are too few to judge
    // how much of the tables the backlog touches: both tables wait at the gate, nothing is swept,
    // the point probes run, and the replica catches up with nothing written.
    let Some(mut sb) = s::cold_restart_sandbox(128 << 20) else {
        return;
    };
    const ROWS: u64 = 20_000;
    s::load(&sb, ROWS);
    s::restart_cold(&mut sb);
    s::backlog(&sb, ROWS, 200);
    let mut config = s::config(&sb, Mode::Select);
    config.max_pages = Some(100_000);
    config.sweep.workers = 2;
    let d = s::start(config);
    d.wait_for(
        "both tables waiting at the gate",
        Duration::from_secs(60),
        |m| m.sweeps_waiting.get() >= s::TABLES as i64,
    );
    d.wait_for("probes run", Duration::from_secs(30), |m| {
        m.probes_run() > 0
    });
    std::thread::sleep(Duration::from_millis(1500));
    let m = d.metrics.clone();
    assert_eq!(m.sweeps_done.get(), 0, "a table was swept past the gate");
    assert_eq!(m.sweep_rows.get(), 0);
    assert_eq!(m.probes_cached.get(), 0);
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    d.stop();
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}
