//! The daemon on a multi-source replica (MariaDB named connections, the counterpart of MySQL's
//! replication channels), against a real MariaDB primary + replica: with one named connection
//! it finds that connection's status and relay log without being told; with several it refuses
//! to guess and names them; `--channel` picks one (case-insensitively, as the server does) and
//! the daemon prefetches its backlog and writes nothing.

mod daemon_support;

use std::time::{Duration, Instant};

use daemon_support as s;
use mysql::prelude::Queryable;
use relay_prefetch::exec::Outcome;
use relay_prefetch::plan::Mode;
use relay_prefetch::sandbox::{REPL_PASSWORD, REPL_USER, Sandbox};

const ROWS: u64 = 3000;

/// Replace the replica's default connection by one named `name`, IO thread only.
fn rename_connection(sb: &Sandbox, name: &str) {
    sb.replica
        .exec(&[
            "STOP SLAVE",
            "RESET SLAVE ALL",
            &format!(
                "CHANGE MASTER '{name}' TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, \
                 MASTER_USER='{REPL_USER}', MASTER_PASSWORD='{REPL_PASSWORD}', \
                 MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                sb.primary.port()
            ),
            &format!("START SLAVE '{name}' IO_THREAD"),
        ])
        .unwrap();
}

/// Write `txns` updates on the primary (from the `first`-th) and wait until connection `name`
/// has received them all.
fn backlog_on(sb: &Sandbox, name: &str, txns: u64, first: u64) {
    s::write_updates(sb, ROWS, txns, first);
    let want = sb.primary.query_string("SELECT @@gtid_binlog_pos").unwrap();
    let mut r = sb.replica.conn().unwrap();
    let t = Instant::now();
    loop {
        let row: mysql::Row = r
            .query_first(format!("SHOW SLAVE '{name}' STATUS"))
            .unwrap()
            .expect("the named connection has a status row");
        let io: Option<String> = row.get("Gtid_IO_Pos");
        if io == want {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "connection {name} received {io:?}, want {want:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Start connection `name`'s applier and wait until the replica has applied all the primary has.
fn apply_all(sb: &Sandbox, name: &str) {
    sb.replica
        .exec(&[&format!("START SLAVE '{name}' SQL_THREAD")])
        .unwrap();
    let want = sb.primary.query_string("SELECT @@gtid_binlog_pos").unwrap();
    let t = Instant::now();
    while sb.replica.query_string("SELECT @@gtid_slave_pos").unwrap() != want {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "{name} did not apply"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_named_connection_is_followed_and_several_need_a_name() {
    let Some(sb) = s::sandbox_in("ROW") else {
        return;
    };
    s::load(&sb, ROWS);
    rename_connection(&sb, "Src1");
    backlog_on(&sb, "Src1", 300, 0);

    // One named connection, no --channel and no --relay-log-index: the daemon asks the server
    // for both, finds `relay-bin-src1.index` (MariaDB lower-cases the name in file names) and
    // prefetches the backlog.
    let mut config = s::config(&sb, Mode::Select);
    config.relay_log_index = None;
    let d = s::start(config);
    d.wait_for(
        "probes on the named connection's relay log",
        Duration::from_secs(20),
        |m| m.probe(Outcome::Ok).get() > 0,
    );
    apply_all(&sb, "Src1");
    std::thread::sleep(Duration::from_millis(200));
    let sum = d.stop();
    assert!(
        sum.transactions >= 300,
        "read {} transactions of the named connection's relay log",
        sum.transactions
    );
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));

    // A second connection (to a port nothing listens on; never started): the daemon must not
    // guess which stream lags.
    sb.replica
        .exec(&[
            "CHANGE MASTER 'other' TO MASTER_HOST='127.0.0.1', MASTER_PORT=1, \
             MASTER_USER='nobody', MASTER_CONNECT_RETRY=1",
        ])
        .unwrap();
    let mut config = s::config(&sb, Mode::Select);
    config.relay_log_index = None;
    let Err(err) = relay_prefetch::daemon::run(config, relay_prefetch::daemon::Shutdown::new())
    else {
        panic!("several connections and no --channel is refused")
    };
    let err = err.to_string();
    assert!(
        err.contains("--channel") && err.contains("'other'") && err.contains("'Src1'"),
        "{err}"
    );

    // An unknown name is refused with the names there are.
    let mut config = s::config(&sb, Mode::Select);
    config.channel = Some("nope".into());
    let Err(err) = relay_prefetch::daemon::run(config, relay_prefetch::daemon::Shutdown::new())
    else {
        panic!("an unknown --channel is refused")
    };
    let err = err.to_string();
    assert!(
        err.contains("no replication connection 'nope'") && err.contains("'Src1'"),
        "{err}"
    );

    // --channel in another case picks Src1: its backlog is prefetched, nothing is written.
    sb.replica.exec(&["STOP SLAVE 'Src1' SQL_THREAD"]).unwrap();
    backlog_on(&sb, "Src1", 300, 300);
    let mut config = s::config(&sb, Mode::Select);
    config.relay_log_index = None;
    config.channel = Some("SRC1".into());
    let d = s::start(config);
    d.wait_for("probes on --channel SRC1", Duration::from_secs(20), |m| {
        m.probe(Outcome::Ok).get() > 0
    });
    apply_all(&sb, "Src1");
    std::thread::sleep(Duration::from_millis(200));
    let sum = d.stop();
    assert!(sum.transactions >= 300, "read {}", sum.transactions);
    // The metrics say which stream this daemon follows, as the server spells it.
    let text = sum.metrics.render();
    assert!(
        text.contains("relay_prefetch_info{mode=\"select\",channel=\"Src1\","),
        "{}",
        text.lines()
            .find(|l| l.starts_with("relay_prefetch_info"))
            .unwrap_or("no info line")
    );
    assert!(
        sum.hit_rate.is_some_and(|h| h > 0.0),
        "the applier position of Src1 was tracked: hit rate {:?}",
        sum.hit_rate
    );
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}
