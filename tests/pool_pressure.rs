//! The buffer pool's filling-or-evicting verdict (`replica::PoolWatch`, which sizes probes)
//! against a real MariaDB replica restarted cold: random primary-key reads on a pool much
//! smaller than the tables are judged evicting even though InnoDB keeps a reserve of free pages,
//! and the same reads on a pool larger than the tables are judged filling.

mod daemon_support;

use std::time::{Duration, Instant};

use daemon_support as s;
use mysql::prelude::Queryable;
use relay_prefetch::replica::{PoolWatch, Pressure, fetch_pool};
use relay_prefetch::sandbox::Sandbox;

const ROWS: u64 = 60_000;

fn cold_sandbox(pool: u64) -> Option<Sandbox> {
    let mut sb = s::cold_restart_sandbox(pool)?;
    s::load(&sb, ROWS);
    s::restart_cold(&mut sb);
    Some(sb)
}

/// Read random rows of both tables for `secs` seconds while sampling the pool every 250 ms;
/// returns every verdict the watch gave (first to last) and the free-page share at the end.
fn verdicts_under_random_reads(sb: &Sandbox, secs: u64) -> (Vec<Pressure>, f64) {
    let mut reader = sb.replica.conn().unwrap();
    let mut status = sb.replica.conn().unwrap();
    let mut watch = PoolWatch::default();
    let mut seen = Vec::new();
    let mut last = None;
    let start = Instant::now();
    let mut next_sample = start;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while start.elapsed() < Duration::from_secs(secs) {
        if Instant::now() >= next_sample {
            let sample = fetch_pool(&mut status).unwrap();
            if let Some(v) = watch.observe(sample, Instant::now()) {
                seen.push(v);
            }
            last = Some(sample);
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
    let last = last.expect("sampled");
    (seen, last.free as f64 / last.total as f64)
}

#[test]
fn a_pool_smaller_than_the_data_is_judged_evicting_despite_its_free_reserve() {
    // 2 × 60,000 rows ≈ 30 MB of clustered index against an 8 MB pool.
    let Some(sb) = cold_sandbox(8 << 20) else {
        return;
    };
    let (seen, free_share) = verdicts_under_random_reads(&sb, 4);
    assert_eq!(
        seen.last(),
        Some(&Pressure::Evicting),
        "verdicts {seen:?}, free share at the end {free_share:.2}"
    );
}

#[test]
fn a_restarted_pool_larger_than_the_data_is_judged_filling() {
    let Some(sb) = cold_sandbox(256 << 20) else {
        return;
    };
    let (seen, free_share) = verdicts_under_random_reads(&sb, 3);
    assert!(
        !seen.is_empty() && seen.iter().all(|v| *v == Pressure::Filling),
        "verdicts {seen:?}, free share at the end {free_share:.2}"
    );
    assert!(free_share > 0.5, "the pool filled up: {free_share:.2}");
}
