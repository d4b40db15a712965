//! Safety of the daemon against a real MariaDB primary + replica (sandbox): after runs in select
//! and rollback mode the replica's data equals the primary's (the prefetcher wrote nothing);
//! select mode works for a user with only SELECT plus the right to read replica status;
//! fake-changes mode is refused on MariaDB with a clear message.

mod daemon_support;

use std::time::Duration;

use daemon_support as s;
use relay_prefetch::exec::Outcome;
use relay_prefetch::plan::Mode;
use relay_prefetch::replica::ConnSpec;
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
