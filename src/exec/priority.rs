//! The CPU priority of the server threads that run this daemon's probes. On a busy replica host
//! the probes' server threads and the SQL thread share the same cores; at equal priority the
//! SQL thread waits in the run queue behind them (measured on a 2-core host after a restart:
//! 16–26% of the catch-up), which costs more than the probes save. Giving each probe
//! connection's server thread the highest nice value (`--probe-nice`, default 19) lets the
//! scheduler run the SQL thread first and the probes on the CPU left over (measured: 19 beat
//! 10, and SCHED_IDLE gained nothing over 19; benches/README.md, "Probe threads yield the CPU").
//!
//! Owns: finding a connection's OS thread (MariaDB `information_schema.PROCESSLIST.TID`, MySQL
//! `performance_schema.threads.THREAD_OS_ID`), proving that thread belongs to *this* replica's
//! server process on this host (its process's working directory is the replica's `@@datadir`,
//! and its name is `mariadbd` or `mysqld`), and lowering and restoring its priority. Applies
//! only when it can be undone: one thread per connection (with a thread pool a connection has
//! no thread of its own), and permission to restore the old priority (root or CAP_SYS_NICE),
//! because a disconnected server thread waits in the thread cache to serve the next client at
//! whatever priority it has. Restored when the connection is closed or lost; after a `kill -9`
//! of the daemon the server's cached threads keep the lower priority, serving whichever client
//! they are handed to, until the server restarts (documented in the README).
//!
//! No crate offers this; the system calls come from `rustix`.

use std::path::{Path, PathBuf};

use mysql::Conn;
use mysql::prelude::Queryable;
use rustix::process::{Pid, getpriority_process, setpriority_process};

use crate::replica::Flavor;

/// Default nice value for probe threads.
pub const DEFAULT_PROBE_NICE: i32 = 19;

/// CAP_SYS_NICE's bit in /proc/self/status CapEff.
const CAP_SYS_NICE: u32 = 23;

/// The decision made once at start-up: probe threads of this server get `nice`.
#[derive(Debug, Clone)]
pub struct ProbePriority {
    nice: i32,
    server_pid: i32,
    flavor: Flavor,
}

/// One server thread whose priority was lowered; restores it when dropped.
#[derive(Debug)]
pub struct Lowered {
    tid: i32,
    server_pid: i32,
    prev: i32,
}

impl ProbePriority {
    /// Check on `conn` (a probe connection to the replica) that probe threads can be lowered
    /// and restored here. `Err` says why not (logged by the caller; the daemon runs on).
    pub fn detect(
        conn: &mut Conn,
        flavor: &Flavor,
        datadir: &Path,
        nice: i32,
    ) -> Result<ProbePriority, String> {
        if nice <= 0 {
            return Err("--probe-nice 0".into());
        }
        let handling: Option<String> = conn
            .query_first("SELECT @@thread_handling")
            .map_err(|e| format!("cannot read @@thread_handling: {e}"))?;
        let handling = handling.unwrap_or_default();
        if handling != "one-thread-per-connection" {
            return Err(format!(
                "thread_handling is {handling}: connections have no thread of their own"
            ));
        }
        let tid = connection_tid(conn, flavor)?;
        let server_pid = tgid_of(tid)
            .ok_or("the server is not on this host (its thread is not in /proc here)")?;
        let comm = std::fs::read_to_string(format!("/proc/{server_pid}/comm")).unwrap_or_default();
        if !matches!(comm.trim(), "mariadbd" | "mysqld") {
            return Err(format!(
                "the server is not on this host (thread {tid} here belongs to {:?})",
                comm.trim()
            ));
        }
        let cwd = std::fs::read_link(format!("/proc/{server_pid}/cwd")).map_err(|e| {
            format!("cannot see the server process {server_pid} ({e}): run as its user or root")
        })?;
        if !same_dir(&cwd, datadir) {
            return Err(format!(
                "the local {} (pid {server_pid}, in {}) is not this replica (datadir {})",
                comm.trim(),
                cwd.display(),
                datadir.display()
            ));
        }
        let prev = get_nice(tid).ok_or("cannot read the thread's priority")?;
        if !can_raise_to(prev) {
            return Err(
                "relay-prefetch could not restore a thread's priority (needs root or \
                 CAP_SYS_NICE); leaving probe threads at normal priority"
                    .into(),
            );
        }
        Ok(ProbePriority {
            nice,
            server_pid,
            flavor: flavor.clone(),
        })
    }

    /// The nice value probe threads get.
    pub fn nice(&self) -> i32 {
        self.nice
    }

    /// Lower the priority of `conn`'s server thread (a connection just opened).
    pub fn lower(&self, conn: &mut Conn) -> Result<Lowered, String> {
        let tid = connection_tid(conn, &self.flavor)?;
        if tgid_of(tid) != Some(self.server_pid) {
            return Err(format!(
                "thread {tid} is not in server process {}",
                self.server_pid
            ));
        }
        let prev = get_nice(tid).ok_or("cannot read the thread's priority")?;
        set_nice(tid, self.nice.max(prev))
            .map_err(|e| format!("setpriority({tid}, {}): {e}", self.nice))?;
        Ok(Lowered {
            tid,
            server_pid: self.server_pid,
            prev,
        })
    }
}

impl Drop for Lowered {
    fn drop(&mut self) {
        // The thread may have ended, and its id been reused by another process: only a thread
        // still in the server's process is touched.
        if tgid_of(self.tid) == Some(self.server_pid)
            && let Err(e) = set_nice(self.tid, self.prev)
        {
            tracing::debug!(tid = self.tid, error = %e, "could not restore a probe thread's priority");
        }
    }
}

fn connection_tid(conn: &mut Conn, flavor: &Flavor) -> Result<i32, String> {
    let sql = if flavor.is_mariadb() {
        "SELECT TID FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()"
    } else {
        "SELECT THREAD_OS_ID FROM performance_schema.threads WHERE PROCESSLIST_ID = CONNECTION_ID()"
    };
    let tid: Option<Option<i64>> = conn
        .query_first(sql)
        .map_err(|e| format!("cannot read the connection's OS thread id: {e}"))?;
    match tid.flatten() {
        Some(t) if t > 0 && t <= i32::MAX as i64 => Ok(t as i32),
        _ => Err("the server does not say which OS thread runs the connection".into()),
    }
}

/// The process (thread group) of thread `tid` on this host.
fn tgid_of(tid: i32) -> Option<i32> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    parse_status_field(&status, "Tgid:")?.parse().ok()
}

fn parse_status_field<'a>(status: &'a str, field: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .map(str::trim)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| PathBuf::from(p));
    canon(a) == canon(b)
}

fn get_nice(tid: i32) -> Option<i32> {
    getpriority_process(Some(Pid::from_raw(tid)?)).ok()
}

fn set_nice(tid: i32, nice: i32) -> Result<(), String> {
    let pid = Pid::from_raw(tid).ok_or("bad thread id")?;
    setpriority_process(Some(pid), nice).map_err(|e| e.to_string())
}

/// Whether this process may set a thread's nice value back down to `prev` (Linux: root or
/// CAP_SYS_NICE, or an RLIMIT_NICE allowing it).
fn can_raise_to(prev: i32) -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let cap = parse_status_field(&status, "CapEff:")
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0);
    if has_cap(cap, CAP_SYS_NICE) {
        return true;
    }
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nice)
        .current
        .unwrap_or(u64::MAX);
    rlimit_allows(limit, prev)
}

fn has_cap(cap_eff: u64, bit: u32) -> bool {
    cap_eff & (1u64 << bit) != 0
}

/// RLIMIT_NICE is `20 - lowest nice allowed` (see setrlimit(2)).
fn rlimit_allows(limit: u64, nice: i32) -> bool {
    limit >= (20 - nice as i64).max(0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields() {
        let s = "Name:\tmariadbd\nTgid:\t4242\nPid:\t4250\nCapEff:\t000001ffffffffff\n";
        assert_eq!(parse_status_field(s, "Tgid:"), Some("4242"));
        assert_eq!(parse_status_field(s, "Pid:"), Some("4250"));
        assert_eq!(parse_status_field(s, "Uid:"), None);
        let cap = u64::from_str_radix(parse_status_field(s, "CapEff:").unwrap(), 16).unwrap();
        assert!(has_cap(cap, CAP_SYS_NICE));
        assert!(!has_cap(0x0000_0000_a80c_25fb & !(1 << 23), CAP_SYS_NICE));
    }

    #[test]
    fn rlimit_nice_rule() {
        // Default RLIMIT_NICE 0: may only raise nice values, never go back to 0.
        assert!(!rlimit_allows(0, 0));
        assert!(rlimit_allows(20, 0));
        assert!(!rlimit_allows(19, 0));
        assert!(rlimit_allows(10, 10));
        assert!(rlimit_allows(40, -20));
    }

    #[test]
    fn own_thread_is_found_and_restored() {
        // This process's own thread stands in for a server thread: lowering needs no privilege.
        let link = std::fs::read_link("/proc/thread-self").unwrap();
        let tid: i32 = link.file_name().unwrap().to_str().unwrap().parse().unwrap();
        let me = std::process::id() as i32;
        assert_eq!(tgid_of(tid), Some(me));
        let prev = get_nice(tid).unwrap();
        let lowered = Lowered {
            tid,
            server_pid: me,
            prev,
        };
        set_nice(tid, (prev + 1).min(19)).unwrap();
        assert_eq!(get_nice(tid), Some((prev + 1).min(19)));
        let can = can_raise_to(prev);
        drop(lowered);
        if can {
            assert_eq!(get_nice(tid), Some(prev), "restored on drop");
        }
    }
}
