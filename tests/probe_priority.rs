//! `--probe-nice` against a real MariaDB replica on this host: while the daemon prefetches, the
//! server threads of its probe connections run at the lower priority and the SQL thread does
//! not; when it stops, every one of them is back at its old priority (they wait in the server's
//! thread cache for the next client). A server that is not this replica is refused.

mod daemon_support;

use std::collections::HashMap;
use std::time::Duration;

use daemon_support as s;
use mysql::prelude::Queryable;
use relay_prefetch::exec::ProbePriority;
use relay_prefetch::plan::Mode;
use relay_prefetch::replica::Flavor;
use relay_prefetch::sandbox::SandboxOptions;

const ROWS: u64 = 20_000;

/// The nice value of thread `tid` (field 19 of /proc/TID/stat).
fn nice_of(tid: u64) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{tid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(16)?.parse().ok()
}

/// OS thread id → (connection id, command) of every connection on the replica but this one.
/// (An OS thread outlives its connection in the server's thread cache and serves the next one:
/// the connection id says which connection it is.)
fn threads(conn: &mut mysql::Conn) -> HashMap<u64, (u64, String)> {
    let rows: Vec<(u64, u64, String)> = conn
        .query(
            "SELECT TID, ID, COMMAND FROM information_schema.PROCESSLIST \
             WHERE ID <> CONNECTION_ID() AND TID IS NOT NULL",
        )
        .unwrap();
    rows.into_iter().map(|(t, id, c)| (t, (id, c))).collect()
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().nth(1).map(|e| e == "0"))
        .unwrap_or(false)
}

#[test]
fn probe_threads_run_niced_while_prefetching_and_are_restored_after() {
    let Some(sb) = s::sandbox(SandboxOptions::default()) else {
        return;
    };
    s::load(&sb, ROWS);
    s::backlog(&sb, ROWS, 3_000);
    let mut watch = sb.replica.conn().unwrap();
    let before: Vec<u64> = threads(&mut watch).values().map(|(id, _)| *id).collect();
    let mut config = s::config(&sb, Mode::Select);
    config.probe_nice = 10;
    let run = s::start(config);
    run.wait_for("probes", Duration::from_secs(30), |m| {
        m.probe(relay_prefetch::exec::Outcome::Ok).get() > 0
    });
    let during = threads(&mut watch);
    let niced: Vec<u64> = during
        .keys()
        .copied()
        .filter(|t| nice_of(*t) == Some(10))
        .collect();
    let repl_thread = during
        .iter()
        .find(|(_, (_, c))| c.as_str() == "Slave_SQL" || c.as_str() == "Slave_IO")
        .map(|(t, _)| *t);
    if is_root() {
        assert!(
            !niced.is_empty() && niced.len() <= 4,
            "expected 1-4 probe threads at nice 10 (4 workers), got {niced:?} of {during:?}"
        );
        for t in &niced {
            let (id, command) = &during[t];
            assert!(
                !before.contains(id),
                "connection {id} (thread {t}) existed before the daemon"
            );
            // A probe connection may be listed in any client command (Sleep, Prepare, Execute,
            // Query, ...); never a replication thread or a server daemon thread.
            assert!(
                !command.starts_with("Slave_")
                    && !matches!(command.as_str(), "Daemon" | "Binlog Dump"),
                "only probe connections are niced: thread {t} is {command}"
            );
        }
    } else {
        assert!(
            niced.is_empty(),
            "without CAP_SYS_NICE nothing may be niced (it could not be restored)"
        );
    }
    if let Some(t) = repl_thread {
        assert_eq!(
            nice_of(t),
            Some(0),
            "replication threads keep their priority"
        );
    }
    run.stop();
    // Disconnected server threads stay in the thread cache: all back at nice 0.
    for t in niced {
        if let Some(n) = nice_of(t) {
            assert_eq!(n, 0, "thread {t} not restored after the daemon stopped");
        }
    }
}

#[test]
fn another_servers_datadir_is_refused() {
    let Some(sb) = s::sandbox(SandboxOptions::default()) else {
        return;
    };
    let mut c = sb.replica.conn().unwrap();
    let version: String = c.query_first("SELECT VERSION()").unwrap().unwrap();
    let flavor = Flavor::parse(&version, "");
    // The primary is a different local server: its datadir is not the replica's.
    let other: String = sb
        .primary
        .conn()
        .unwrap()
        .query_first("SELECT @@datadir")
        .unwrap()
        .unwrap();
    let err = ProbePriority::detect(&mut c, &flavor, std::path::Path::new(&other), 10)
        .expect_err("a different server's datadir must be refused");
    if is_root() {
        assert!(err.contains("is not this replica"), "{err}");
    }
    let own: String = c.query_first("SELECT @@datadir").unwrap().unwrap();
    let off = ProbePriority::detect(&mut c, &flavor, std::path::Path::new(&own), 0);
    assert!(off.is_err(), "--probe-nice 0 is off");
    if is_root() {
        let p = ProbePriority::detect(&mut c, &flavor, std::path::Path::new(&own), 7)
            .expect("the replica on this host, as root");
        assert_eq!(p.nice(), 7);
    }
}
