//! The README's main-job command, end to end at a small size: `relay-prefetch demo` builds its
//! own primary and replica, loads data, builds a backlog, times both default cases (a restarted
//! replica whose pool holds the data, and a small pool) without and with the prefetcher, and
//! prints a speed-up and hit rate for each; it exits 0. The figures themselves are measured by
//! the catch-up benchmark, not asserted here.

use std::process::Command;

#[test]
fn demo_runs_both_cases_and_reports_them() {
    if let Err(e) = relay_prefetch::sandbox::server_binaries() {
        eprintln!("skipped: MariaDB server binaries absent ({e}); run scripts/setup.sh");
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_relay-prefetch"))
        .args(["demo", "--tables", "2", "--rows", "3000", "--events", "400"])
        .output()
        .expect("running relay-prefetch demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "demo failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    for want in [
        "case 1/2: a replica just restarted",
        "case 2/2: a small pool",
        "summary:",
    ] {
        assert!(stdout.contains(want), "no {want:?} in:\n{stdout}");
    }
    assert_eq!(
        stdout.matches("speed-up: ").count(),
        2,
        "one speed-up per case:\n{stdout}"
    );
    let hit_rates = stdout
        .lines()
        .filter(|l| l.contains("with relay-prefetch:") && l.contains("hit rate"))
        .count();
    assert_eq!(hit_rates, 2, "a hit rate per case:\n{stdout}");
}
