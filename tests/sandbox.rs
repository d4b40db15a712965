//! The sandbox harness itself: a real MariaDB primary + replica start on free loopback ports,
//! replicate a write, keep relay logs, and vanish completely on drop — also on panic and when two
//! sandboxes run side by side.

use std::path::PathBuf;
use std::time::Duration;

use mysql::prelude::Queryable;
use relay_prefetch::sandbox::{Sandbox, SandboxOptions, Server, ServerOptions};

const WAIT: Duration = Duration::from_secs(60);

fn write_and_replicate(sb: &Sandbox, tag: &str) {
    sb.primary
        .exec(&[
            "CREATE DATABASE IF NOT EXISTS t",
            "CREATE TABLE t.kv (k INT PRIMARY KEY, v VARCHAR(20))",
            &format!("INSERT INTO t.kv VALUES (1, '{tag}'), (2, NULL)"),
        ])
        .unwrap();
    sb.wait_for_replica_catch_up(WAIT).unwrap();
    let mut conn = sb.replica.conn().unwrap();
    let rows: Vec<(i32, Option<String>)> = conn.query("SELECT k, v FROM t.kv ORDER BY k").unwrap();
    assert_eq!(rows, vec![(1, Some(tag.to_string())), (2, None)]);
}

#[test]
fn primary_write_reaches_replica_and_relay_log() {
    let sb = Sandbox::start(SandboxOptions::default()).unwrap();
    assert_ne!(sb.primary.port(), sb.replica.port());
    assert!(sb.replica.url().starts_with("mysql://root@127.0.0.1:"));
    write_and_replicate(&sb, "hello");

    let files = sb.replica.relay_log_files().unwrap();
    assert!(!files.is_empty(), "no relay-log files listed");
    for f in &files {
        assert!(
            f.is_file(),
            "{} listed in the index but missing",
            f.display()
        );
        let head = std::fs::read(f).unwrap();
        assert_eq!(
            &head[..4],
            b"\xfebin",
            "{} is not a binlog-format file",
            f.display()
        );
    }
    assert!(sb.replica.relay_log_index().is_file());
    let st = sb.replica_status().unwrap();
    assert!(st.io_running && st.sql_running, "{st:?}");
    assert_eq!(
        sb.replica
            .query_string("SELECT @@read_only")
            .unwrap()
            .as_deref(),
        Some("1")
    );

    let dirs: Vec<PathBuf> = vec![sb.primary.dir().into(), sb.replica.dir().into()];
    drop(sb);
    for d in dirs {
        assert!(!d.exists(), "{} survived teardown", d.display());
    }
}

#[test]
fn two_sandboxes_in_parallel() {
    let handles: Vec<_> = (0..2)
        .map(|i| {
            std::thread::spawn(move || {
                let sb = Sandbox::start(SandboxOptions::default()).unwrap();
                write_and_replicate(&sb, &format!("sandbox{i}"));
                (sb.primary.port(), sb.replica.port())
            })
        })
        .collect();
    let ports: Vec<(u16, u16)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut all = vec![ports[0].0, ports[0].1, ports[1].0, ports[1].1];
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 4, "ports reused: {ports:?}");
}

#[test]
fn io_thread_only_builds_a_relay_backlog() {
    let sb = Sandbox::start(SandboxOptions {
        start_sql_thread: false,
        ..Default::default()
    })
    .unwrap();
    sb.primary
        .exec(&[
            "CREATE DATABASE b",
            "CREATE TABLE b.t (id INT PRIMARY KEY)",
            "INSERT INTO b.t VALUES (1),(2),(3)",
        ])
        .unwrap();
    sb.wait_for_relay_log_catch_up(WAIT).unwrap();
    let st = sb.replica_status().unwrap();
    assert!(st.io_running && !st.sql_running, "{st:?}");
    assert!(
        sb.wait_for_replica_catch_up(Duration::from_millis(300))
            .is_err(),
        "applier ran although the SQL thread was not started"
    );
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(WAIT).unwrap();
    assert_eq!(
        sb.replica
            .query_string("SELECT COUNT(*) FROM b.t")
            .unwrap()
            .as_deref(),
        Some("3")
    );
}

#[test]
fn replica_restart_keeps_replicating() {
    let mut sb = Sandbox::start(SandboxOptions::default()).unwrap();
    write_and_replicate(&sb, "before");
    sb.replica.restart().unwrap();
    sb.primary
        .exec(&["UPDATE t.kv SET v = 'after' WHERE k = 1"])
        .unwrap();
    sb.wait_for_replica_catch_up(WAIT).unwrap();
    assert_eq!(
        sb.replica
            .query_string("SELECT v FROM t.kv WHERE k = 1")
            .unwrap()
            .as_deref(),
        Some("after")
    );
}

#[test]
fn select_user_can_read_but_not_write() {
    let sb = Sandbox::start(SandboxOptions::default()).unwrap();
    write_and_replicate(&sb, "x");
    sb.replica.create_select_user("probe", "pw").unwrap();
    let mut c = sb.replica.conn_as("probe", Some("pw")).unwrap();
    let n: Option<i64> = c.query_first("SELECT COUNT(*) FROM t.kv").unwrap();
    assert_eq!(n, Some(2));
    let st: Vec<mysql::Row> = c.query("SHOW SLAVE STATUS").unwrap();
    assert_eq!(st.len(), 1);
    assert!(c.query_drop("DELETE FROM t.kv").is_err());
    assert!(c.query_drop("CREATE TABLE t.nope (a INT)").is_err());
}

#[test]
fn standalone_server_and_teardown_on_panic() {
    let dir = std::panic::catch_unwind(|| {
        let server = Server::start(ServerOptions::default()).unwrap();
        server.exec(&["CREATE DATABASE p"]).unwrap();
        let dir = server.dir().to_path_buf();
        std::panic::panic_any(dir);
    })
    .unwrap_err();
    let dir = dir.downcast::<PathBuf>().unwrap();
    assert!(!dir.exists(), "{} survived a panic", dir.display());
}

#[test]
fn stop_and_start_again_on_the_same_port() {
    let mut server = Server::start(ServerOptions::default()).unwrap();
    let port = server.port();
    server.exec(&["CREATE DATABASE s"]).unwrap();
    server.stop().unwrap();
    assert!(!server.is_running());
    assert!(server.conn().is_err());
    server.start_again().unwrap();
    assert_eq!(server.port(), port);
    assert!(
        server
            .query_string("SHOW DATABASES LIKE 's'")
            .unwrap()
            .is_some()
    );
}

/// Re-runs this test binary as a child that starts a server and then is SIGKILLed (no
/// destructors run): the watchdog must kill the orphaned mariadbd and remove its directory.
#[test]
fn watchdog_cleans_up_after_a_killed_test_process() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    const NAME: &str = "watchdog_cleans_up_after_a_killed_test_process";
    if std::env::var_os("SANDBOX_WATCHDOG_CHILD").is_some() {
        let server = Server::start(ServerOptions::default()).unwrap();
        println!("DIR={}", server.dir().display());
        println!("PID={}", server.pid().unwrap());
        std::io::stdout().flush().unwrap();
        std::thread::sleep(Duration::from_secs(120));
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
        .env("SANDBOX_WATCHDOG_CHILD", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (mut dir, mut pid) = (None, None);
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        // libtest prints "test NAME ... " on the same line before the first output.
        if let Some(i) = line.find("DIR=") {
            dir = Some(PathBuf::from(&line[i + 4..]));
        } else if let Some(i) = line.find("PID=") {
            pid = Some(line[i + 4..].to_string());
            break;
        }
    }
    let (dir, pid) = (dir.expect("child printed no DIR"), pid.expect("no PID"));
    assert!(dir.exists());
    child.kill().unwrap();
    child.wait().unwrap();
    let alive =
        || std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "));
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while (alive() || dir.exists()) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!alive(), "mariadbd {pid} outlived its killed test process");
    assert!(
        !dir.exists(),
        "{} outlived its killed test process",
        dir.display()
    );
}

#[test]
fn client_and_sysbench_args_reach_the_server() {
    let server = Server::start(ServerOptions::default()).unwrap();
    let out = std::process::Command::new("mariadb")
        .args(server.client_args())
        .args(["-N", "-e", "SELECT @@port"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        server.port().to_string()
    );
    let port_arg = format!("--mysql-port={}", server.port());
    assert!(server.sysbench_args().contains(&port_arg));
}

/// While the primary restarts the replica's IO thread only reconnects (`Connecting`, with a
/// Last_IO_Error): waiting for catch-up waits through it instead of failing.
#[test]
fn primary_restart_then_replica_reconnects() {
    let mut sb = Sandbox::start(SandboxOptions::default()).unwrap();
    write_and_replicate(&sb, "before");
    sb.primary.restart().unwrap();
    sb.primary
        .exec(&["UPDATE t.kv SET v = 'after' WHERE k = 1"])
        .unwrap();
    sb.wait_for_replica_catch_up(WAIT).unwrap();
    assert_eq!(
        sb.replica
            .query_string("SELECT v FROM t.kv WHERE k = 1")
            .unwrap()
            .as_deref(),
        Some("after")
    );
}

/// A replication error stops the wait at once with the replica's message.
#[test]
fn replication_error_fails_the_wait_fast() {
    let sb = Sandbox::start(SandboxOptions::default()).unwrap();
    write_and_replicate(&sb, "x");
    // A row only the replica has: the primary's insert of the same key then fails on the replica.
    sb.replica
        .exec(&[
            "SET SESSION sql_log_bin = 0",
            "INSERT INTO t.kv VALUES (3, 'replica only')",
        ])
        .unwrap();
    sb.primary
        .exec(&["INSERT INTO t.kv VALUES (3, 'primary')"])
        .unwrap();
    let started = std::time::Instant::now();
    let err = sb.wait_for_replica_catch_up(WAIT).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(20), "{err}");
    assert!(err.to_string().contains("Duplicate entry"), "{err}");
}
