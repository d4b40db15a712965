//! The `mariadbd` child process: spawn it on a my.cnf, wait until it accepts connections (or
//! report why it died, from its error log), and stop it: SIGTERM, a grace period, then SIGKILL.
//! Also a watchdog that cleans up when this process dies without running destructors.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{Error, ErrorKind, Result};

/// How a start attempt failed.
#[derive(Debug)]
pub enum StartFailure {
    /// Another process took the port between our probe and the server's bind: retry elsewhere.
    PortInUse,
    /// Anything else.
    Other(Error),
}

/// Spawn `mariadbd --defaults-file=CNF` with its output going to its error log.
pub fn spawn(mariadbd: &Path, cnf: &Path) -> Result<Child> {
    Command::new(mariadbd)
        .arg(format!("--defaults-file={}", cnf.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            Error::new(ErrorKind::Io, format!("spawning {}", mariadbd.display())).with_source(e)
        })
}

/// The error log from byte `from` on, at most the last `max_lines` lines.
pub fn log_tail(log: &Path, from: u64, max_lines: usize) -> String {
    let bytes = fs::read(log).unwrap_or_default();
    let start = (from as usize).min(bytes.len());
    let text = String::from_utf8_lossy(&bytes[start..]);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(max_lines)..].join("\n")
}

/// Wait until `ready()` returns true, failing early when the child exits.
pub fn wait_ready(
    child: &mut Child,
    log: &Path,
    log_from: u64,
    timeout: Duration,
    mut ready: impl FnMut() -> bool,
) -> std::result::Result<(), StartFailure> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let tail = log_tail(log, log_from, 20);
            if tail.contains("Address already in use") || tail.contains("Bind on TCP/IP port") {
                return Err(StartFailure::PortInUse);
            }
            return Err(StartFailure::Other(Error::new(
                ErrorKind::Server,
                format!(
                    "mariadbd exited during start-up ({status}); error log {}:\n{tail}",
                    log.display()
                ),
            )));
        }
        if ready() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            terminate(child, Duration::from_secs(2));
            return Err(StartFailure::Other(Error::new(
                ErrorKind::Server,
                format!(
                    "mariadbd did not accept connections within {timeout:?}; error log {}:\n{}",
                    log.display(),
                    log_tail(log, log_from, 20)
                ),
            )));
        }
        thread::sleep(Duration::from_millis(25));
    }
}

/// Stop the child: SIGTERM (a clean shutdown), then SIGKILL if it has not exited within `grace`.
/// Returns true when it shut down cleanly.
pub fn terminate(child: &mut Child, grace: Duration) -> bool {
    if let Ok(Some(_)) = child.try_wait() {
        return true;
    }
    if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return true;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

/// Watches this process from a small shell: if it dies without dropping the server (SIGKILL, an
/// abort, a test runner's timeout), the watchdog SIGKILLs the server named by `pid_file` and,
/// unless `keep_dir`, removes `dir`. Dropping the server kills the watchdog first.
/// Best effort: None when no `sh` can be spawned.
pub fn spawn_watchdog(pid_file: &Path, dir: &Path, keep_dir: bool) -> Option<Child> {
    let script = r#"
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        pid=$(cat "$2" 2>/dev/null) && [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
        [ "$4" = keep ] || { sleep 1; rm -rf "$3"; }
    "#;
    Command::new("sh")
        // Its own process group: a runner that kills the test's whole group (timeout(1),
        // nextest) takes mariadbd down with it, but not the watchdog that removes the files.
        .process_group(0)
        .arg("-c")
        .arg(script)
        .arg("relay-prefetch-sandbox-watchdog")
        .arg(std::process::id().to_string())
        .arg(pid_file)
        .arg(dir)
        .arg(if keep_dir { "keep" } else { "remove" })
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}
