//! The daemon survives what a live replica does to it, each logged once and counted: the
//! replica restarted mid-run; its worker connections killed; the SQL thread stopped and
//! started; relay logs rotated and purged under the reader; DDL in the stream; a probe that
//! would run long (the statement time limit stops it). Each test drives a sandbox replica while
//! the daemon runs in-process, then checks the daemon is still making progress and that the
//! replica's data equals the primary's.

mod daemon_support;

use std::time::Duration;

use daemon_support as s;
use mysql::prelude::Queryable;
use relay_prefetch::exec::Outcome;
use relay_prefetch::metrics::Metrics;
use relay_prefetch::plan::{Mode, SkipReason};
use relay_prefetch::sandbox::{Sandbox, SandboxOptions};

const ROWS: u64 = 2000;
const WAIT: Duration = Duration::from_secs(30);

/// More writes after a fault, on rows the first backlog did not touch (a row probed before may
/// rightly be skipped while the replica's pool fills and keeps its pages); the daemon must read
/// and probe them.
fn writes_are_probed_again(sb: &Sandbox, d: &s::Running, txns: u64) {
    writes_after_fault(sb, d, txns, FRESH);
}

/// First update number of backlogs on fresh rows (`s::backlog_from`): the first backlogs use
/// 0..200, and ids repeat only after `ROWS` updates.
const FRESH: u64 = 1000;

/// More writes after a fault, numbered from `first`; the daemon must read and probe them.
fn writes_after_fault(sb: &Sandbox, d: &s::Running, txns: u64, first: u64) {
    let (read0, ok0) = (
        d.metrics.transactions_read.get(),
        d.metrics.probe(Outcome::Ok).get(),
    );
    s::backlog_from(sb, ROWS, txns, first);
    d.wait_for("transactions after the fault", WAIT, |m: &Metrics| {
        m.transactions_read.get() >= read0 + txns
    });
    d.wait_for("probes after the fault", WAIT, |m: &Metrics| {
        m.probe(Outcome::Ok).get() > ok0
    });
}

fn finish(sb: &Sandbox, d: s::Running) {
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    let sum = d.stop();
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
    eprintln!(
        "events {} probes {} gone {} reconnects {} bad_input {}",
        sum.events,
        sum.probes_run,
        sum.metrics.probe(Outcome::ServerGone).get(),
        sum.metrics.reconnects.get(),
        sum.metrics.bad_input.get()
    );
}

/// A sandbox whose replica pool (512 MiB) gives the daemon a window of ~2,000 pages: with the
/// applier stopped, every transaction of these tests fits in it, so the reader never has to wait
/// for the applier to make room (which it would do by design, bounding memory).
fn setup(opts: SandboxOptions) -> Option<Sandbox> {
    let sb = s::sandbox(SandboxOptions {
        replica_buffer_pool_size: 512 << 20,
        ..opts
    })?;
    s::load(&sb, ROWS);
    Some(sb)
}

#[test]
fn replica_restarted_mid_run() {
    let Some(mut sb) = setup(SandboxOptions::default()) else {
        return;
    };
    s::backlog(&sb, ROWS, 100);
    let d = s::start(s::config(&sb, Mode::Select));
    d.wait_for("first probes", WAIT, |m| m.probe(Outcome::Ok).get() > 0);
    // With GTID positioning MariaDB discards the relay logs at restart and fetches again: the
    // reader's file vanishes under it, and every connection of the daemon dies.
    sb.replica.restart().unwrap();
    sb.replica.exec(&["STOP SLAVE SQL_THREAD"]).ok();
    // The same rows as before the restart: the restart emptied the pool, so the daemon must
    // forget that it probed them.
    writes_after_fault(&sb, &d, 100, 0);
    finish(&sb, d);
}

/// While the replica's pool fills (512 MiB, mostly free), rows probed once are not probed
/// again by later transactions — their pages stay — but not across a replica restart, which
/// empties the pool.
#[test]
fn rows_probed_while_the_pool_fills_are_skipped_until_the_replica_restarts() {
    let Some(mut sb) = setup(SandboxOptions::default()) else {
        return;
    };
    let d = s::start(s::config(&sb, Mode::Select));
    // The pool's verdict (filling: probes of --probe-keys-filling keys) before any backlog.
    d.wait_for("the pool judged filling", WAIT, |m| {
        m.probe_keys.get() == relay_prefetch::config::DEFAULT_PROBE_KEYS_FILLING as i64
    });
    s::backlog(&sb, ROWS, 100);
    d.wait_for("the backlog planned", WAIT, |m| {
        m.transactions_read.get() >= 100 && m.probe(Outcome::Ok).get() > 0
    });
    assert_eq!(d.metrics.keys_remembered.get(), 0, "100 different rows");
    // The restart empties the pool. The same rows again after it: the first time each is read
    // after the restart it must be probed, not skipped. With GTID positioning the replica may
    // also fetch the relay log again (the reader then reads the first backlog a second time,
    // probed as well), so of the `n` transactions read after the restart only the `n - 100`
    // beyond the first pass over the rows may be remembered (two keys each: PRIMARY and k).
    // Without forgetting, all `n` would be.
    sb.replica.restart().unwrap();
    sb.replica.exec(&["STOP SLAVE SQL_THREAD"]).ok();
    s::backlog(&sb, ROWS, 100);
    d.wait_for("the same rows read after the restart", WAIT, |m| {
        m.transactions_read.get() >= 200
    });
    let after = d.metrics.transactions_read.get() - 100;
    let remembered = d.metrics.keys_remembered.get();
    assert!(
        remembered <= 2 * (after - 100),
        "{remembered} keys remembered across the restart ({after} transactions read since)"
    );
    // The same rows twice more, into the refilling pool, once the poller has its verdict again
    // (until then nothing is remembered): by the second time their keys were probed in an
    // earlier batch (a few transactions may go unplanned while the throttle finds the lag: not
    // all 200).
    d.wait_for("the pool judged filling again", WAIT, |m| {
        m.probe_keys.get() == relay_prefetch::config::DEFAULT_PROBE_KEYS_FILLING as i64
    });
    let (read0, keys0) = (
        d.metrics.transactions_read.get(),
        d.metrics.keys_remembered.get(),
    );
    s::backlog(&sb, ROWS, 100);
    s::backlog(&sb, ROWS, 100);
    d.wait_for("the same rows remembered", WAIT, |m| {
        m.transactions_read.get() >= read0 + 200 && m.keys_remembered.get() >= keys0 + 150
    });
    writes_are_probed_again(&sb, &d, 100);
    finish(&sb, d);
}

#[test]
fn worker_connections_killed() {
    let Some(sb) = setup(SandboxOptions::default()) else {
        return;
    };
    s::backlog(&sb, ROWS, 100);
    let d = s::start(s::config(&sb, Mode::Select));
    d.wait_for("first probes", WAIT, |m| m.probe(Outcome::Ok).get() > 0);
    let mut c = sb.replica.conn().unwrap();
    let ids: Vec<u64> = c
        .query(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'root' \
             AND ID <> CONNECTION_ID()",
        )
        .unwrap();
    assert!(!ids.is_empty(), "the daemon's connections are visible");
    for id in ids {
        let _ = c.query_drop(format!("KILL {id}"));
    }
    writes_are_probed_again(&sb, &d, 100);
    assert!(d.metrics.reconnects.get() > 0, "workers reconnected");
    finish(&sb, d);
}

#[test]
fn sql_thread_stopped_and_started() {
    let Some(sb) = setup(SandboxOptions::default()) else {
        return;
    };
    s::backlog(&sb, ROWS, 100);
    let d = s::start(s::config(&sb, Mode::Select));
    d.wait_for("first probes", WAIT, |m| m.probe(Outcome::Ok).get() > 0);
    for _ in 0..3 {
        sb.start_sql_thread().unwrap();
        std::thread::sleep(Duration::from_millis(150));
        sb.stop_sql_thread().unwrap();
    }
    writes_are_probed_again(&sb, &d, 100);
    finish(&sb, d);
}

#[test]
fn relay_logs_rotated_and_purged_under_the_reader() {
    let opts = SandboxOptions {
        max_relay_log_size: Some(8192),
        ..SandboxOptions::default()
    };
    let Some(sb) = setup(opts) else { return };
    s::backlog(&sb, ROWS, 200);
    let d = s::start(s::config(&sb, Mode::Select));
    d.wait_for("first probes", WAIT, |m| m.probe(Outcome::Ok).get() > 0);
    sb.replica.exec(&["FLUSH RELAY LOGS"]).unwrap();
    // The applier purges each relay file it finishes (relay_log_purge=ON) while the reader may
    // still be in it.
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(WAIT).unwrap();
    sb.replica.exec(&["FLUSH RELAY LOGS"]).unwrap();
    writes_are_probed_again(&sb, &d, 200);
    assert!(
        sb.replica.relay_log_files().unwrap().len() > 1 || d.metrics.transactions_read.get() >= 400
    );
    finish(&sb, d);
}

#[test]
fn ddl_in_the_stream() {
    let Some(sb) = setup(SandboxOptions::default()) else {
        return;
    };
    sb.stop_sql_thread().unwrap();
    sb.primary
        .exec(&["ALTER TABLE pf.t1 ADD COLUMN extra INT NOT NULL DEFAULT 7"])
        .unwrap();
    s::backlog(&sb, ROWS, 100);
    let d = s::start(s::config(&sb, Mode::Select));
    // Updates of t1 after the ALTER are planned against a table the daemon has forgotten: no
    // probes on it until the applier has applied the DDL.
    d.wait_for("t1 skipped across the DDL", WAIT, |m| {
        m.skipped(SkipReason::UnknownTable).get() > 0
    });
    let ok_before = d.metrics.probe(Outcome::Ok).get();
    assert_eq!(
        d.metrics.probe(Outcome::Error).get(),
        0,
        "no probe hit the changed table"
    );
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(WAIT).unwrap();
    sb.stop_sql_thread().unwrap();
    writes_are_probed_again(&sb, &d, 100);
    assert!(d.metrics.probe(Outcome::Ok).get() > ok_before);
    finish(&sb, d);
}

#[test]
fn long_probe_is_stopped_by_the_time_limit() {
    let Some(sb) = setup(SandboxOptions::default()) else {
        return;
    };
    // Hold a write lock on both tables on the replica: every probe waits on its metadata lock
    // until the statement time limit (200 ms, below lock_wait_timeout's 1 s) stops it.
    let mut locker = sb.replica.conn().unwrap();
    locker
        .query_drop("LOCK TABLES pf.t1 WRITE, pf.t2 WRITE")
        .unwrap();
    s::backlog(&sb, ROWS, 50);
    let mut config = s::config(&sb, Mode::Select);
    config.probe_timeout_ms = 200;
    let d = s::start(config);
    d.wait_for("a probe stopped by the time limit", WAIT, |m| {
        m.probe(Outcome::Timeout).get() > 0
    });
    locker.query_drop("UNLOCK TABLES").unwrap();
    writes_are_probed_again(&sb, &d, 50);
    finish(&sb, d);
}
