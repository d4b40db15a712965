//! The buffer pool's filling-or-evicting verdict (`replica::PoolWatch`, which sizes probes)
//! against a real MariaDB replica restarted cold: random primary-key reads on a pool much
//! smaller than the tables are judged evicting even though InnoDB keeps a reserve of free pages,
//! and the same reads on a pool larger than the tables are judged filling. The watch's read rate
//! (which sets the window's page budget on an evicting pool) matches the server's own count, and
//! the daemon's page budget leaves its start-up default once the applier runs on an evicting
//! pool.

mod daemon_support;

use std::time::{Duration, Instant};

use daemon_support as s;
use mysql::prelude::Queryable;
use relay_prefetch::plan::Mode;
use relay_prefetch::replica::{PoolWatch, Pressure, fetch_pool};
use relay_prefetch::sandbox::Sandbox;

const ROWS: u64 = 60_000;

fn cold_sandbox(pool: u64) -> Option<Sandbox> {
    let mut sb = s::cold_restart_sandbox(pool)?;
    s::load(&sb, ROWS);
    s::restart_cold(&mut sb);
    Some(sb)
}

/// What the watch made of the reads, and the server's own count.
struct Watched {
    /// Every verdict the watch gave (first to last).
    seen: Vec<Pressure>,
    /// The free-page share at the end.
    free_share: f64,
    /// The watch's smoothed read rate at the end.
    read_rate: Option<f64>,
    /// `Innodb_buffer_pool_reads` per second over the second half of the run.
    server_rate: f64,
}

/// Read random rows of both tables for `secs` seconds while sampling the pool every 250 ms.
fn verdicts_under_random_reads(sb: &Sandbox, secs: u64) -> Watched {
    let mut reader = sb.replica.conn().unwrap();
    let mut status = sb.replica.conn().unwrap();
    let mut watch = PoolWatch::default();
    let mut seen = Vec::new();
    let mut last = None;
    let mut half: Option<(u64, Instant)> = None;
    let start = Instant::now();
    let mut next_sample = start;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while start.elapsed() < Duration::from_secs(secs) {
        if Instant::now() >= next_sample {
            let sample = fetch_pool(&mut status).unwrap();
            if let Some(v) = watch.observe(sample, Instant::now()) {
                seen.push(v);
            }
            if half.is_none() && start.elapsed() >= Duration::from_millis(secs * 500) {
                half = Some((sample.reads, Instant::now()));
            }
            last = Some((sample, Instant::now()));
            next_sample += Duration::from_millis(250);
        }
        let ids: Vec<String> = (0..16)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (1 + x % ROWS).to_string()
            })
            .collect();
        let t = 1 + (x % s::TABLES as u64);
        reader
            .query_drop(format!(
                "SELECT c FROM pf.t{t} WHERE id IN ({})",
                ids.join(",")
            ))
            .unwrap();
    }
    let (last, at) = last.expect("sampled");
    let (reads0, t0) = half.expect("sampled at half time");
    Watched {
        seen,
        free_share: last.free as f64 / last.total as f64,
        read_rate: watch.read_rate(),
        server_rate: (last.reads - reads0) as f64 / at.duration_since(t0).as_secs_f64(),
    }
}

/// The watch's read rate is the server's, give or take what smoothing and timing leave (or
/// both are next to nothing: a large pool may hold every page before the run's second half).
fn assert_read_rate(w: &Watched) {
    let rate = w.read_rate.expect("a read rate after seconds of reads");
    let quiet = rate < 256.0 && w.server_rate < 256.0;
    assert!(
        quiet || (rate > 0.5 * w.server_rate && rate < 2.0 * w.server_rate),
        "watch {rate:.0} pages/s, server {:.0} pages/s",
        w.server_rate
    );
}

#[test]
fn a_pool_smaller_than_the_data_is_judged_evicting_despite_its_free_reserve() {
    // 2 × 60,000 rows ≈ 30 MB of clustered index against an 8 MB pool.
    let Some(sb) = cold_sandbox(8 << 20) else {
        return;
    };
    let w = verdicts_under_random_reads(&sb, 4);
    assert_eq!(
        w.seen.last(),
        Some(&Pressure::Evicting),
        "verdicts {:?}, free share at the end {:.2}",
        w.seen,
        w.free_share
    );
    assert_read_rate(&w);
}

#[test]
fn a_restarted_pool_larger_than_the_data_is_judged_filling() {
    let Some(sb) = cold_sandbox(256 << 20) else {
        return;
    };
    let w = verdicts_under_random_reads(&sb, 3);
    assert!(
        !w.seen.is_empty() && w.seen.iter().all(|v| *v == Pressure::Filling),
        "verdicts {:?}, free share at the end {:.2}",
        w.seen,
        w.free_share
    );
    assert!(
        w.free_share > 0.5,
        "the pool filled up: {:.2}",
        w.free_share
    );
    assert_read_rate(&w);
}

#[test]
fn the_window_page_budget_follows_an_evicting_pool() {
    // 16 MiB = 1,024 pages: a start-up budget of 64 (a sixteenth), 378 old-sublist pages, a
    // ceiling of 128 (an eighth). The data (≈ 30 MB) is twice the pool.
    let Some(mut sb) = cold_sandbox(16 << 20) else {
        return;
    };
    let default = relay_prefetch::throttle::page_budget(1024) as i64;
    s::backlog(&sb, ROWS, 30_000);
    s::restart_cold(&mut sb);
    let d = s::start(s::config(&sb, Mode::Select));
    d.wait_for("the window's limits", Duration::from_secs(30), |m| {
        m.window_pages.get() == default && m.transactions_read.get() > 0
    });
    sb.start_sql_thread().unwrap();
    // Every page read pushes a prefetched one towards eviction: the budget becomes half of a
    // page's life in the old sublist at the rate the applier uses pages. With the data only
    // twice the pool most pages the applier needs are cached, so a page lives long against the
    // applier's page rate: longer than the start-up sixteenth, within the eighth.
    d.wait_for(
        "the page budget following the eviction rate",
        Duration::from_secs(60),
        |m| m.window_pages.get() != default,
    );
    let pages = d.metrics.window_pages.get();
    assert!(
        (default..=128).contains(&pages),
        "page budget {pages} (it never shortens the default's lead)"
    );
    sb.wait_for_replica_catch_up(Duration::from_secs(120))
        .unwrap();
    let sum = d.stop();
    assert!(sum.metrics.probes_run() > 0);
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}
