//! When a sweep pays for itself: the cost model that decides, per table, whether reading the
//! whole clustered index in key order is cheaper for the server than the point probes the rest
//! of the backlog will need, and whether it can finish while there is backlog left to serve.
//!
//! Costs measured on MariaDB 10.11 (benches/README.md, "Sweeps"): a page fetched by a random
//! point read costs the server about 51 µs of CPU, a page fetched by a key-order scan (linear
//! read-ahead) about 17 µs — a third. A sweep reads all `P` pages of the table; the probes read
//! each page the backlog touches once. With keys spread at random over the pages, `k` distinct
//! keys touch `P·(1 − e^(−k/P))` pages. So, with `k` distinct keys probed so far, `m` new
//! distinct keys per transaction lately, and `R` transactions still to read:
//!
//! * pages the probes already brought in: `c = P·(1 − e^(−k/P))`;
//! * pages the rest of the backlog would fetch: `f = P·(e^(−k/P) − e^(−(k + m·R)/P))`;
//! * a sweep is cheaper when `(P − c)·1 < f·3`.
//!
//! A hot spot repeats keys, so its `m` falls and the gate stays shut (measured: with sysbench's
//! default distribution a sweep read 4.5× the pages the backlog needed and lost 31%).
//!
//! But new keys are not always new pages: a hot spot's keys are neighbours, and for a long while
//! its new keys land on pages already read (sysbench's default distribution sends 75% of
//! accesses to 1% of the rows, 15,000 adjacent keys per 1.5M-row table). So the key model is
//! checked against what the pool really reads: `Innodb_buffer_pool_reads` per transaction over
//! the last span, shared among the tables by their new keys, times `R`, is a second estimate of
//! `f`, and the smaller one counts. (Measured, 2026-12-07: STATEMENT-format `write_only` with the
//! default distribution was admitted on the key model alone and ran at 0.73× of point probes;
//! its whole backlog read 0.77 pages per transaction for two tables of 22,400 pages each.) The
//! read rate stops moving once a table is admitted: a sweep's own reads are not the backlog's.
//! Without pool readings the key model decides alone. And a sweep
//! only helps if it ends well before the catch-up does: measured, two 350 MB primary keys swept
//! next to the applier and the probes took 2.3 s (about 20,000 pages/s together), longer than a
//! 60,000-transaction backlog lasted, and lost 24%. So the sweep must also fit in half the
//! remaining catch-up time, `R / apply rate`, at [`SCAN_PAGES_PER_SEC`].
//!
//! Owns the per-table distinct-key counts, the pool's read rate and the decision; not the
//! sweeping (`runner`) nor where the backlog size comes from (the reader).

use crate::fxhash::{FxHashMap, FxHashSet};

/// CPU cost of a page read at random, relative to a page read by a sweep (51 µs / 17 µs).
pub const RANDOM_PAGE_COST: f64 = 3.0;
/// Pages per second one sweep reads while the applier and the probes run (measured: two sweeps
/// together read about 20,000 pages/s on a 2-core replica).
pub const SCAN_PAGES_PER_SEC: f64 = 10_000.0;
/// Distinct keys remembered per table; beyond this the table counts as widely touched.
const MAX_KEYS: usize = 1 << 20;
/// Distinct keys remembered over all tables (about 64 MB at most); beyond it no table's count
/// grows, which only keeps gates shut.
const MAX_TOTAL_KEYS: usize = 1 << 22;
/// Transactions to see before judging the rate of new keys.
pub const MIN_TXNS: u64 = 1_000;
/// The rate of new keys is measured over at least this many transactions.
const RATE_SPAN: u64 = 2_000;

/// What the reader knows about the backlog.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Backlog {
    /// Transactions read so far.
    pub read: u64,
    /// Transactions still in the relay log ahead of the reader (an estimate).
    pub remaining: Option<u64>,
}

/// Distinct primary keys probed on one table, and the recent rate of new ones.
#[derive(Debug)]
struct Keys {
    seen: FxHashSet<u64>,
    /// Transactions read when the table was first probed.
    first_txn: u64,
    /// (transactions read, distinct keys) at the start of the current rate span, and the rate
    /// measured over the last complete span.
    span: (u64, u64),
    rate: Option<f64>,
}

impl Keys {
    fn distinct(&self) -> u64 {
        self.seen.len() as u64
    }

    /// New distinct keys per transaction lately (since first seen until a span completes).
    fn rate(&self, read: u64) -> f64 {
        self.rate.unwrap_or_else(|| {
            let txns = read.saturating_sub(self.first_txn).max(1);
            self.distinct() as f64 / txns as f64
        })
    }

    fn roll(&mut self, read: u64) {
        let (t0, k0) = self.span;
        if read >= t0 + RATE_SPAN {
            self.rate = Some(self.distinct().saturating_sub(k0) as f64 / (read - t0) as f64);
            self.span = (read, self.distinct());
        }
    }
}

/// Why a table is not swept yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Too few transactions seen, or no apply rate or backlog size yet.
    Evidence,
    /// Point probes are cheaper for what the rest of the backlog touches.
    Cheaper,
    /// The sweep would not end in the first half of the remaining catch-up.
    TooSlow,
}

impl Wait {
    /// For the log.
    pub fn why(self) -> &'static str {
        match self {
            Wait::Evidence => "too early to judge the backlog",
            Wait::Cheaper => "point probes cost less for what the rest of the backlog touches",
            Wait::TooSlow => "the sweep would not end in the first half of the remaining catch-up",
        }
    }
}

/// The gate's verdict for one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Sweep it.
    Sweep,
    /// Not now; ask again later (evidence grows, the backlog shrinks).
    Wait(Wait),
}

/// Pages the pool reads per transaction, from `Innodb_buffer_pool_reads` sampled by the sweep
/// workers against the transactions read.
#[derive(Debug, Default)]
struct ReadRate {
    /// (transactions read, pool reads) at the start of the current span.
    anchor: Option<(u64, u64)>,
    /// The first [`MIN_TXNS`] transactions after the first sample are behind: an empty pool
    /// misses on every page at first, hot ones included, so its start says little about the
    /// rest (measured: 1.9–2.05 reads per transaction in the first second of a hot-spot
    /// `write_only` catch-up that read 0.77 over all of it).
    warmed: bool,
    /// Pool reads per transaction over the last complete span of [`RATE_SPAN`] transactions.
    rate: Option<f64>,
    /// A table was admitted: sweeps read pages too, so the rate stays as it was.
    frozen: bool,
}

/// Per-table key counts, fed by the reader, consulted by the sweep workers.
#[derive(Debug, Default)]
pub struct Gate {
    tables: FxHashMap<String, Keys>,
    reads: ReadRate,
    backlog: Backlog,
    /// Tables admitted (their secondary indexes follow the primary key); their key sets are
    /// dropped.
    admitted: FxHashSet<String>,
    /// Keys held over all tables.
    total: usize,
}

impl Gate {
    /// The reader's latest view of the backlog.
    pub fn set_backlog(&mut self, b: Backlog) {
        self.backlog = b;
        for k in self.tables.values_mut() {
            k.roll(b.read);
        }
    }

    /// A probe on `table` reads the rows with these key hashes.
    pub fn observe(&mut self, table: &str, key_hashes: impl IntoIterator<Item = u64>) {
        if self.admitted.contains(table) {
            return;
        }
        let read = self.backlog.read;
        let k = match self.tables.get_mut(table) {
            Some(k) => k,
            None => self.tables.entry(table.to_string()).or_insert(Keys {
                seen: FxHashSet::default(),
                first_txn: read,
                span: (read, 0),
                rate: None,
            }),
        };
        for h in key_hashes {
            if k.seen.len() >= MAX_KEYS || self.total >= MAX_TOTAL_KEYS {
                break;
            }
            if k.seen.insert(h) {
                self.total += 1;
            }
        }
    }

    /// The pool's `Innodb_buffer_pool_reads` now. A counter that went back (the server
    /// restarted) starts the measurement over.
    pub fn set_pool_reads(&mut self, reads: u64) {
        let r = &mut self.reads;
        if r.frozen {
            return;
        }
        let read = self.backlog.read;
        let Some((t0, r0)) = r.anchor.filter(|a| reads >= a.1 && read >= a.0) else {
            *r = ReadRate {
                anchor: Some((read, reads)),
                ..ReadRate::default()
            };
            return;
        };
        let txns = read - t0;
        if !r.warmed {
            if txns >= MIN_TXNS {
                r.warmed = true;
                r.anchor = Some((read, reads));
            }
        } else if txns >= RATE_SPAN {
            r.rate = Some((reads - r0) as f64 / txns as f64);
            r.anchor = Some((read, reads));
        }
    }

    /// Pool reads per transaction lately, for the log.
    pub fn read_rate(&self) -> Option<f64> {
        self.reads.rate
    }

    /// Pages the pool would read for `table` over `remaining` transactions at the measured
    /// rate: its share (by new keys) of the reads per transaction. None before a rate is
    /// measured.
    fn measured_future(&self, table: &str, remaining: f64) -> Option<f64> {
        let reads = self.reads.rate?;
        let read = self.backlog.read;
        let mine = self.tables.get(table)?.rate(read);
        // Every table's new keys, by the same per-table measure.
        let all: f64 = self.tables.values().map(|k| k.rate(read)).sum();
        let share = if all > 0.0 { mine / all } else { 0.0 };
        Some(reads * share * remaining)
    }

    /// Whether `table` was admitted already.
    pub fn admitted(&self, table: &str) -> bool {
        self.admitted.contains(table)
    }

    /// Decide for `table`, whose clustered index has `pages` pages, at `apply_tps` transactions
    /// per second (None or 0: not measured yet). An admitted table stays admitted.
    pub fn decide(&mut self, table: &str, pages: u64, apply_tps: Option<f64>) -> Verdict {
        if self.admitted.contains(table) {
            return Verdict::Sweep;
        }
        let read = self.backlog.read;
        let (Some(keys), Some(remaining), Some(tps)) = (
            self.tables.get(table),
            self.backlog.remaining,
            apply_tps.filter(|t| *t > 0.0),
        ) else {
            return Verdict::Wait(Wait::Evidence);
        };
        let full = keys.seen.len() >= MAX_KEYS;
        if !full && read.saturating_sub(keys.first_txn) < MIN_TXNS {
            return Verdict::Wait(Wait::Evidence);
        }
        // The pool's reads are sampled but not yet measured over a span past the start.
        if self.reads.anchor.is_some() && self.reads.rate.is_none() {
            return Verdict::Wait(Wait::Evidence);
        }
        let v = verdict(
            pages as f64,
            keys.distinct() as f64,
            keys.rate(read),
            remaining as f64,
            tps,
            self.measured_future(table, remaining as f64),
        );
        if v == Verdict::Sweep {
            self.admitted.insert(table.to_string());
            self.drop_keys(table);
            self.reads.frozen = true;
        }
        v
    }

    /// Forget a table (its definition changed).
    pub fn forget(&mut self, table: &str) {
        self.drop_keys(table);
        self.admitted.remove(table);
    }

    fn drop_keys(&mut self, table: &str) {
        if let Some(k) = self.tables.remove(table) {
            self.total -= k.seen.len();
        }
    }
}

/// The cost model (see the module doc): `p` pages, `k` distinct keys probed, `m` new keys per
/// transaction, `r` transactions remaining, `tps` applied per second, `measured` the pages the
/// pool's read rate says the rest of the backlog would read (None: not measured).
pub fn verdict(p: f64, k: f64, m: f64, r: f64, tps: f64, measured: Option<f64>) -> Verdict {
    if p <= 0.0 {
        return Verdict::Sweep;
    }
    let remaining_secs = r / tps;
    if p / SCAN_PAGES_PER_SEC > remaining_secs / 2.0 {
        return Verdict::Wait(Wait::TooSlow);
    }
    let cached = p * (1.0 - (-k / p).exp());
    let modelled = p * ((-k / p).exp() - (-(k + m * r) / p).exp());
    let future = measured.map_or(modelled, |f| f.min(modelled));
    if p - cached < future * RANDOM_PAGE_COST {
        Verdict::Sweep
    } else {
        Verdict::Wait(Wait::Cheaper)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 350 MB: the benchmark's 1.5M-row sysbench table.
    const P: f64 = 22_400.0;

    #[test]
    fn the_benchmark_cases_come_out_as_measured() {
        // Uniform, 60,000 transactions over two tables at ~32,000/s: the sweep (2.2 s) outlasts
        // the catch-up (1.9 s): measured 0.76× of probes alone.
        assert_eq!(
            verdict(P, 500.0, 0.5, 59_000.0, 32_000.0, None),
            Verdict::Wait(Wait::TooSlow)
        );
        // Uniform, 200,400 transactions at ~40,000/s: measured 1.10× of probes alone.
        assert_eq!(
            verdict(P, 500.0, 0.5, 199_000.0, 40_000.0, None),
            Verdict::Sweep
        );
        // Default distribution (75% of accesses to 1% of rows): a quarter of the keys are new
        // (0.125 per transaction per table), so 60,000 transactions touch under a third of the
        // pages: probes are cheaper even where the sweep would be quick enough (slow applier).
        assert_eq!(
            verdict(P, 500.0, 0.125, 59_000.0, 42_000.0, None),
            Verdict::Wait(Wait::TooSlow)
        );
        assert_eq!(
            verdict(P, 500.0, 0.125, 59_000.0, 5_000.0, None),
            Verdict::Wait(Wait::Cheaper)
        );
        // ... but a backlog three times as long touches two thirds of them: sweep.
        assert_eq!(
            verdict(P, 500.0, 0.125, 199_000.0, 5_000.0, None),
            Verdict::Sweep
        );
    }

    #[test]
    fn late_in_a_backlog_with_most_pages_in_probes_are_cheaper() {
        // 40,000 distinct keys already probed: 83% of the pages are in; the rest of the backlog
        // adds 2,500 keys.
        assert_eq!(
            verdict(P, 40_000.0, 0.05, 50_000.0, 10_000.0, None),
            Verdict::Wait(Wait::Cheaper)
        );
        // The same remainder on a cold table with keys that keep coming: sweep.
        assert_eq!(
            verdict(P, 1_000.0, 0.5, 50_000.0, 10_000.0, None),
            Verdict::Sweep
        );
    }

    #[test]
    fn the_pool_reads_overrule_a_key_model_that_expects_more() {
        // Uniform, 200,400 transactions: the key model sweeps ...
        assert_eq!(
            verdict(P, 500.0, 0.5, 199_000.0, 40_000.0, None),
            Verdict::Sweep
        );
        // ... and so it does when the pool reads as many pages as there are new keys.
        assert_eq!(
            verdict(P, 500.0, 0.5, 199_000.0, 40_000.0, Some(0.5 * 199_000.0)),
            Verdict::Sweep
        );
        // New keys that land on pages already read (a hot spot's neighbours): the 2026-12-07
        // `write_only` STATEMENT case, 0.77 reads per transaction for two tables, 12,000
        // transactions left at 2,500/s. The key model alone would sweep.
        assert_eq!(
            verdict(P, 3_000.0, 1.0, 12_000.0, 2_500.0, None),
            Verdict::Sweep
        );
        assert_eq!(
            verdict(P, 3_000.0, 1.0, 12_000.0, 2_500.0, Some(0.385 * 12_000.0)),
            Verdict::Wait(Wait::Cheaper)
        );
    }

    /// Feed `txns` of 300,000 transactions to two tables, `new` new keys per transaction each,
    /// with the pool reading `reads_per_txn` pages per transaction (sampled every 100).
    fn feed_two(
        g: &mut Gate,
        state: &mut (u64, u64, u64),
        txns: u64,
        new: u64,
        reads_per_txn: u64,
    ) {
        for _ in 0..txns {
            let (read, next, reads) = state;
            *read += 1;
            *reads += reads_per_txn;
            g.set_backlog(Backlog {
                read: *read,
                remaining: Some(300_000u64.saturating_sub(*read)),
            });
            for t in ["db.a", "db.b"] {
                let keys: Vec<u64> = (0..new)
                    .map(|_| {
                        *next += 1;
                        *next
                    })
                    .collect();
                g.observe(t, keys);
            }
            if *read % 100 == 0 {
                g.set_pool_reads(*reads);
            }
        }
    }

    #[test]
    fn a_hot_spot_whose_new_keys_read_few_pages_is_not_swept() {
        // Two tables, one new key each per transaction, 300,000 transactions at 20,000/s.
        let run = |reads_per_txn: u64| {
            let mut g = Gate::default();
            let mut st = (0, 0, 0);
            feed_two(&mut g, &mut st, 3_000, 1, reads_per_txn);
            // The first 1,000 transactions sampled are the pool's start; a span of 2,000 after
            // them is not complete yet.
            assert_eq!(
                g.decide("db.a", P as u64, Some(20_000.0)),
                Verdict::Wait(Wait::Evidence)
            );
            feed_two(&mut g, &mut st, 1_000, 1, reads_per_txn);
            g.decide("db.a", P as u64, Some(20_000.0))
        };
        // Each new key a page read: the keys say what the pool says; sweep.
        assert_eq!(run(2), Verdict::Sweep);
        // The pool reads almost nothing: the new keys fall on cached pages; probes are cheaper.
        assert_eq!(run(0), Verdict::Wait(Wait::Cheaper));
    }

    #[test]
    fn the_read_rate_restarts_with_the_counter_and_stops_at_the_first_admission() {
        let mut g = Gate::default();
        let mut st = (0, 0, 0);
        // The pool's start (read at 10 pages per transaction) does not count.
        feed_two(&mut g, &mut st, 1_000, 1, 10);
        feed_two(&mut g, &mut st, 3_000, 1, 2);
        assert_eq!(g.reads.rate, Some(2.0));
        // The server restarted: the counter went back; no rate until a new span is measured.
        g.set_pool_reads(5);
        assert_eq!(g.reads.rate, None);
        st.2 = 5;
        feed_two(&mut g, &mut st, 2_900, 1, 3);
        assert_eq!(
            g.decide("db.a", P as u64, Some(20_000.0)),
            Verdict::Wait(Wait::Evidence)
        );
        feed_two(&mut g, &mut st, 100, 1, 3);
        assert_eq!(g.reads.rate, Some(3.0));
        assert_eq!(g.decide("db.a", P as u64, Some(20_000.0)), Verdict::Sweep);
        // A sweep's own reads do not move the rate the other table is judged by.
        feed_two(&mut g, &mut st, 3_000, 1, 40);
        assert_eq!(g.reads.rate, Some(3.0));
    }

    #[test]
    fn the_gate_waits_for_evidence_then_judges_the_recent_rate() {
        let mut g = Gate::default();
        g.set_backlog(Backlog {
            read: 0,
            remaining: Some(400_000),
        });
        let mut next = 0u64;
        let mut feed = |g: &mut Gate, txns: u64, new_per_txn: bool, read: &mut u64| {
            for _ in 0..txns {
                *read += 1;
                g.set_backlog(Backlog {
                    read: *read,
                    remaining: Some(400_000 - *read),
                });
                // Hot spot: keys cycle through 50; spread: always new.
                let h = if new_per_txn {
                    next += 1;
                    1_000_000 + next
                } else {
                    *read % 50
                };
                g.observe("db.t", [h]);
            }
        };
        let mut read = 0;
        assert_eq!(
            g.decide("db.t", P as u64, Some(40_000.0)),
            Verdict::Wait(Wait::Evidence),
            "never probed"
        );
        feed(&mut g, 500, true, &mut read);
        assert_eq!(
            g.decide("db.t", P as u64, Some(40_000.0)),
            Verdict::Wait(Wait::Evidence),
            "500 transactions are too few"
        );
        assert_eq!(
            g.decide("db.t", P as u64, None),
            Verdict::Wait(Wait::Evidence),
            "no apply rate yet"
        );
        // A hot spot after a spread start: the recent rate decides, and it is low.
        feed(&mut g, 4_500, false, &mut read);
        assert_eq!(
            g.decide("db.t", P as u64, Some(40_000.0)),
            Verdict::Wait(Wait::Cheaper)
        );
        // Spread again: admitted, and it stays admitted.
        feed(&mut g, 4_000, true, &mut read);
        assert_eq!(g.decide("db.t", P as u64, Some(40_000.0)), Verdict::Sweep);
        assert!(g.admitted("db.t"));
        assert_eq!(g.total, 0, "an admitted table's keys are dropped");
        feed(&mut g, 10, true, &mut read);
        assert_eq!(g.total, 0, "and not collected again");
        assert_eq!(g.decide("db.t", P as u64, Some(1.0)), Verdict::Sweep);
        g.forget("db.t");
        assert!(!g.admitted("db.t"));
        feed(&mut g, 10, true, &mut read);
        assert_eq!(g.total, 10, "a redefined table starts over");
    }
}
