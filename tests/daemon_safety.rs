//! Safety of the daemon against a real MariaDB primary + replica (sandbox): after runs in select
//! and rollback mode the replica's data equals the primary's (the prefetcher wrote nothing);
//! select mode works for a user with only SELECT plus the right to read replica status;
//! fake-changes mode is refused on MariaDB with a clear message; a rollback-mode probe that
//! meets a row lock gives up at once instead of waiting (so the applier is never queued behind a
//! prefetch that is itself queued); statement-format key lookups run batched, without errors;
//! a multi-statement transaction in statement format is one transaction, replayed whole; in
//! MIXED format the row events that follow a statement in one transaction are planned.

mod daemon_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use daemon_support as s;
use mysql::prelude::Queryable;
use relay_prefetch::exec::{ExecOptions, Executor, Job, MysqlExecutor, Outcome};
use relay_prefetch::metrics::{DropReason, Metrics};
use relay_prefetch::plan::{Mode, Probe, ProbeSql, Session};
use relay_prefetch::replica::{ConnSpec, Flavor};
use relay_prefetch::sandbox::SandboxOptions;

const ROWS: u64 = 4000;

fn catch_up_with_daemon(
    sb: &relay_prefetch::sandbox::Sandbox,
    config: relay_prefetch::config::Config,
) -> relay_prefetch::daemon::Summary {
    let d = s::start(config);
    // Let it fill the window while the applier is stopped, then release the applier.
    d.wait_for("first probes", Duration::from_secs(20), |m| {
        m.probe(Outcome::Ok).get() > 0
    });
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    d.stop()
}

/// Probes ran in `mode`, and the replica's tables equal the primary's.
fn assert_probed_and_wrote_nothing(sb: &relay_prefetch::sandbox::Sandbox, m: &Metrics, mode: Mode) {
    assert!(
        m.probe(Outcome::Ok).get() > 0,
        "{} ran no probe",
        mode.as_str()
    );
    assert_eq!(
        s::checksums(&sb.primary),
        s::checksums(&sb.replica),
        "{} mode changed data",
        mode.as_str()
    );
}

#[test]
fn select_and_rollback_modes_write_nothing() {
    let Some(sb) = s::sandbox(SandboxOptions::default()) else {
        return;
    };
    s::load(&sb, ROWS);
    for mode in [Mode::Select, Mode::Rollback] {
        s::backlog(&sb, ROWS, 400);
        let sum = catch_up_with_daemon(&sb, s::config(&sb, mode));
        let m = &sum.metrics;
        eprintln!(
            "{}: events {} txns {} ok {} dropped {} deduped {} hit {:?} cpu {:.3}s",
            mode.as_str(),
            sum.events,
            sum.transactions,
            m.probe(Outcome::Ok).get(),
            m.probes_dropped(),
            m.probes_deduplicated.get(),
            sum.hit_rate,
            sum.cpu_seconds
        );
        assert!(
            sum.transactions >= 400,
            "{} read {} transactions",
            mode.as_str(),
            sum.transactions
        );
        assert_probed_and_wrote_nothing(&sb, m, mode);
        let gtid_p = sb.primary.query_string("SELECT @@gtid_binlog_pos").unwrap();
        let gtid_r = sb.replica.query_string("SELECT @@gtid_slave_pos").unwrap();
        assert_eq!(
            gtid_p, gtid_r,
            "replica applied exactly the primary's transactions"
        );
    }
}

#[test]
fn select_mode_with_select_only_user() {
    let Some(sb) = s::sandbox(SandboxOptions::default()) else {
        return;
    };
    s::load(&sb, 2000);
    sb.replica.create_select_user("pf_ro", "ro-pass").unwrap();
    s::backlog(&sb, 2000, 200);
    let mut config = s::config(&sb, Mode::Select);
    config.replica = ConnSpec {
        user: Some("pf_ro".into()),
        password: Some("ro-pass".into()),
        ..config.replica
    };
    let sum = catch_up_with_daemon(&sb, config);
    assert!(sum.metrics.probe(Outcome::Ok).get() > 0);
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}

#[test]
fn fake_changes_refused_on_mariadb() {
    let Some(sb) = s::sandbox(SandboxOptions::default()) else {
        return;
    };
    let config = s::config(&sb, Mode::FakeChanges);
    let err = relay_prefetch::daemon::run(config, relay_prefetch::daemon::Shutdown::new())
        .expect_err("fake-changes must be refused on MariaDB");
    let msg = err.to_string();
    assert!(
        msg.contains("innodb_fake_changes is not available on this server (MariaDB 10."),
        "{msg}"
    );
    assert!(
        msg.contains("fake-changes mode needs Percona Server 5.5/5.6; use --mode select"),
        "{msg}"
    );
}

fn row_lock_waits(server: &relay_prefetch::sandbox::Server) -> u64 {
    let mut c = server.conn().unwrap();
    let v: Option<(String, u64)> = c
        .query_first("SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_waits'")
        .unwrap();
    v.unwrap().1
}

#[test]
fn rollback_probe_gives_up_at_once_on_a_row_lock() {
    let Some(sb) = s::sandbox(SandboxOptions::default()) else {
        return;
    };
    s::load(&sb, 100);
    let version = sb
        .replica
        .query_string("SELECT VERSION()")
        .unwrap()
        .unwrap();
    let opts = Arc::new(ExecOptions {
        mode: Mode::Rollback,
        flavor: Flavor::parse(&version, ""),
        priority: None,
        probe_timeout_ms: 2000,
    });
    let mut exec = MysqlExecutor::new(s::spec(&sb.replica), opts, Metrics::new());
    exec.connect_now().unwrap();
    let probe = Probe {
        table: "pf.t1".into(),
        index: "PRIMARY".into(),
        phase: 1,
        sql: ProbeSql::Dml(vec!["UPDATE pf.t1 SET c = 'probe' WHERE id = 5".into()]),
        keys: Vec::new(),
        row_keys: Vec::new(),
        follow_up: None,
    };
    let session = Session::default();
    let job = Job {
        seq: 1,
        probe: &probe,
        session: &session,
        want_rows: false,
        applier_seq: 0,
    };

    // Another session (standing in for the applier) holds the row.
    let mut holder = sb.replica.conn().unwrap();
    holder.query_drop("SET SESSION sql_log_bin = 0").unwrap();
    holder.query_drop("BEGIN").unwrap();
    holder
        .query_drop("UPDATE pf.t1 SET c = 'held' WHERE id = 5")
        .unwrap();
    let waits = row_lock_waits(&sb.replica);
    let t = Instant::now();
    let r = exec.run(&job);
    let took = t.elapsed();
    assert_eq!(r.outcome, Outcome::LockWait, "{r:?}");
    assert!(
        took < Duration::from_millis(500),
        "the probe waited {took:?} on the row lock"
    );
    assert_eq!(
        row_lock_waits(&sb.replica),
        waits,
        "a probe that gives up at once is not a lock wait"
    );
    holder.query_drop("ROLLBACK").unwrap();

    // Released: the probe runs, and is rolled back.
    assert_eq!(exec.run(&job).outcome, Outcome::Ok);
    let c = sb
        .replica
        .query_string("SELECT c FROM pf.t1 WHERE id = 5")
        .unwrap();
    assert_eq!(c.as_deref(), Some("c5"));
}

#[test]
fn statement_format_key_lookups_are_batched_and_run_clean() {
    // STATEMENT format: updates and deletes by primary key (INT and composite VARCHAR+INT) are
    // rewritten into key lookups that the planner merges into prepared IN-list batches; against
    // a real replica they must run without errors, in far fewer round trips than statements,
    // and change nothing.
    let Some(sb) = s::sandbox_in("STATEMENT") else {
        return;
    };
    let mut c = sb.primary.conn().unwrap();
    c.query_drop("CREATE DATABASE pf2").unwrap();
    c.query_drop("CREATE TABLE pf2.s (id INT PRIMARY KEY, c CHAR(20) NOT NULL) ENGINE=InnoDB")
        .unwrap();
    c.query_drop(
        "CREATE TABLE pf2.v (a VARCHAR(20) NOT NULL, b INT NOT NULL, c INT NOT NULL, \
         PRIMARY KEY (a, b)) ENGINE=InnoDB",
    )
    .unwrap();
    let rows: Vec<String> = (1..=2000).map(|i| format!("({i}, 'c{i}')")).collect();
    c.query_drop(format!("INSERT INTO pf2.s VALUES {}", rows.join(",")))
        .unwrap();
    let rows: Vec<String> = (1..=2000)
        .map(|i| format!("('k{}', {}, {i})", i % 50, i))
        .collect();
    c.query_drop(format!("INSERT INTO pf2.v VALUES {}", rows.join(",")))
        .unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    sb.stop_sql_thread().unwrap();
    let mut statements = 0u64;
    for i in 0..300u64 {
        let id = 1 + (i * 7919) % 2000;
        c.query_drop(format!("UPDATE pf2.s SET c = 'u{i}' WHERE id = {id}"))
            .unwrap();
        c.query_drop(format!(
            "UPDATE pf2.v SET c = c + 1 WHERE a = 'k{}' AND b = {id}",
            id % 50
        ))
        .unwrap();
        statements += 2;
        if i % 10 == 0 {
            c.query_drop(format!(
                "DELETE FROM pf2.s WHERE id IN ({}, {})",
                2001 + i,
                id
            ))
            .unwrap();
            statements += 1;
        }
    }
    sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
        .unwrap();

    let sum = catch_up_with_daemon(&sb, s::config(&sb, Mode::Select));
    let m = &sum.metrics;
    let ok = m.probe(Outcome::Ok).get();
    eprintln!(
        "statements {statements}: probes submitted {} ok {ok} errors {} hit {:?}",
        m.probes_submitted.get(),
        m.probe(Outcome::Error).get(),
        sum.hit_rate
    );
    assert!(ok > 0, "no probe ran");
    assert_eq!(m.probe(Outcome::Error).get(), 0, "a batched probe failed");
    assert!(
        m.probes_submitted.get() * 4 < statements,
        "{} probes for {statements} statements: not batched",
        m.probes_submitted.get()
    );
    let sums = |srv: &relay_prefetch::sandbox::Server| {
        let mut c = srv.conn().unwrap();
        let v: Vec<(String, Option<u64>)> = c.query("CHECKSUM TABLE pf2.s, pf2.v").unwrap();
        v
    };
    assert_eq!(sums(&sb.primary), sums(&sb.replica));
}

#[test]
fn statement_format_multi_statement_transactions_run_whole() {
    // sysbench `write_only`'s shape in STATEMENT format: one transaction moves a secondary entry,
    // updates a column, deletes a row and inserts it back. MariaDB writes no BEGIN after the
    // GTID; the daemon must still see one transaction per group (not one per statement), and in
    // rollback mode replay the DELETE and the INSERT together (the INSERT alone would hit a
    // duplicate key), so every probe runs clean and nothing is written. Rollback mode runs DML
    // only 1,000 transactions or more ahead of an applier whose rate is unmeasured, so the
    // backlog is longer than that and the window holds all of it.
    let Some(sb) = s::sandbox_in("STATEMENT") else {
        return;
    };
    s::load(&sb, ROWS);
    const TXNS: u64 = 1_200;
    for (round, mode) in [Mode::Select, Mode::Rollback].into_iter().enumerate() {
        sb.stop_sql_thread().unwrap();
        let mut c = sb.primary.conn().unwrap();
        for i in 0..TXNS {
            let n = round as u64 * TXNS + i;
            let (a, b) = (1 + (n * 7919) % ROWS, 1 + (n * 104_729) % ROWS);
            c.query_drop("BEGIN").unwrap();
            c.query_drop(format!("UPDATE pf.t1 SET k = k + 1 WHERE id = {a}"))
                .unwrap();
            c.query_drop(format!("UPDATE pf.t1 SET c = 'w{n}' WHERE id = {b}"))
                .unwrap();
            c.query_drop(format!("DELETE FROM pf.t1 WHERE id = {b}"))
                .unwrap();
            c.query_drop(format!(
                "INSERT INTO pf.t1 (id, k, c, pad) VALUES ({b}, {n}, 'i{n}', 'pad')"
            ))
            .unwrap();
            c.query_drop("COMMIT").unwrap();
        }
        sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
            .unwrap();
        let mut config = s::config(&sb, mode);
        config.max_ahead = Some(2 * TXNS);
        config.max_pages = Some(1 << 20);
        let sum = catch_up_with_daemon(&sb, config);
        let m = &sum.metrics;
        eprintln!(
            "{}: txns {} ok {} errors {} dropped late/behind/conflict {}/{}/{} hit {:?}",
            mode.as_str(),
            sum.transactions,
            m.probe(Outcome::Ok).get(),
            m.probe(Outcome::Error).get(),
            m.dropped(DropReason::TooLate).get(),
            m.dropped(DropReason::BehindApplier).get(),
            m.dropped(DropReason::ApplierConflict).get(),
            sum.hit_rate
        );
        assert_eq!(
            sum.transactions,
            TXNS,
            "{}: one transaction per BEGIN … COMMIT",
            mode.as_str()
        );
        assert_eq!(
            m.probe(Outcome::Error).get(),
            0,
            "{}: a probe failed",
            mode.as_str()
        );
        assert_probed_and_wrote_nothing(&sb, m, mode);
    }
}

#[test]
fn mixed_format_row_events_after_a_statement_are_planned() {
    // MariaDB's default format: a transaction whose safe statement is logged as a statement and
    // whose unsafe one (UUID()) as row events, in one GTID group. The statement here has nothing
    // to prefetch (an auto-increment insert at the hot right edge), so every probe comes from
    // the row events: before e3584b4 they were dropped and no transaction had a probe.
    let Some(sb) = s::sandbox_in("MIXED") else {
        return;
    };
    s::load(&sb, ROWS);
    sb.primary
        .exec(&[
            "CREATE TABLE pf.log (id INT AUTO_INCREMENT PRIMARY KEY, msg CHAR(20)) ENGINE=InnoDB",
        ])
        .unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    sb.stop_sql_thread().unwrap();
    const TXNS: u64 = 300;
    let mut c = sb.primary.conn().unwrap();
    for i in 0..TXNS {
        let id = 1 + (i * 7919) % ROWS;
        c.query_drop("BEGIN").unwrap();
        c.query_drop(format!("INSERT INTO pf.log (msg) VALUES ('m{i}')"))
            .unwrap();
        c.query_drop(format!("UPDATE pf.t1 SET c = UUID() WHERE id = {id}"))
            .unwrap();
        c.query_drop("COMMIT").unwrap();
    }
    sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
        .unwrap();
    let sum = catch_up_with_daemon(&sb, s::config(&sb, Mode::Select));
    let m = &sum.metrics;
    eprintln!(
        "txns {} ok {} without probes {} hit {:?}",
        sum.transactions,
        m.probe(Outcome::Ok).get(),
        m.txns_without_probes.get(),
        sum.hit_rate
    );
    assert_eq!(sum.transactions, TXNS);
    assert_eq!(
        m.txns_without_probes.get(),
        0,
        "a transaction's row events went unplanned"
    );
    assert_eq!(m.probe(Outcome::Error).get(), 0, "a probe failed");
    assert_probed_and_wrote_nothing(&sb, m, Mode::Select);
}
