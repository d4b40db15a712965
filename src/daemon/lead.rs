//! How many pages of probes the window may hold ahead of the applier (its page budget), from
//! how fast the replica's buffer pool evicts. A page a probe reads enters the LRU at the head of
//! the old sublist (`innodb_old_blocks_pct`, 37% of the pool) and is evicted once that many
//! other pages have been read after it; on a pool that evicts, every page read — by the
//! applier, the probes, purge — pushes it one place on. So a prefetched page survives about
//! `old pages / pool reads per second` seconds, and the lead worth keeping is a share of that
//! time at the rate the applier consumes pages: a lead longer than that reads pages twice, a
//! shorter one lets the applier pass the reader.
//!
//! Measured before this existed (benches/README.md, "The hit rate left out transactions the
//! applier reached first" and the evening of 2026-12-04): a fixed budget of a sixteenth of the
//! pool (256 pages on 64 MB) let the applier pass a third of the `update_non_index`
//! transactions unplanned with sysbench's default distribution, where 1,024 pages planned all of
//! them; with the uniform distribution 1,024 pages read pages twice and 256–512 was best. The
//! formula gives about 2,000 and 350 pages for those two. While the pool fills (or nothing is
//! known yet) the fixed budget stands: nothing is evicted, and a longer lead gains nothing
//! measurable (`--max-pages 32768` after a restart: within the noise).
//!
//! It only ever lengthens the lead: never below the default (a sixteenth of the pool), which the
//! probe pipeline needs to get probes out before the applier arrives — on the demo's 16 MiB pool,
//! twelve times smaller than its data, the formula gave 33 pages and most probes were dropped as
//! too late (hit rate 17%).
//!
//! Nor below what the applier-position polling needs. The window makes room only when the poller
//! sees the applier move (every `--poll-ms`); if the applier uses up the whole budget between two
//! polls, the reader waits for room while the applier runs past it, and the transactions it
//! passes are applied unplanned. Measured at the issue's own scale (2 × 5M rows, 128 MB pool,
//! sysbench's default distribution, about 26,000 transactions per second): the start-up budget
//! of 512 pages lasted about one 20 ms poll, and for the first second — until the eviction rate
//! was measured — the applier passed the waiting reader every poll, 15,000 of 200,000
//! transactions (7.5%). So when the applier passes the reader while it waits for room, the
//! budget doubles (up to the largest budget) and stays at least that for the rest of the run:
//! 31–217 transactions passed since.
//!
//! The largest budget is an eighth of the pool. A page read by a probe lives shorter than the
//! formula says (why is not known: not the pages made young, not the LRU flush's scan depth —
//! measured). At the scale with the default distribution the formula reached its cap;
//! with the cap at an eighth (1,024 pages on 128 MB) instead of a quarter the applier read a
//! fifth fewer pages itself (0.024–0.030 per row against 0.030–0.042) and the disk fewer in
//! all, at the same catch-up rate; 4,096 pages was worse on every count. On 64 MB an eighth and
//! a quarter were within the noise (benches/README.md, "What the remaining applier reads are").
//!
//! `--max-pages` fixes the budget and switches this off.

use crate::replica::Pressure;

/// The share of a prefetched page's expected life in the pool that the lead may use.
const LIFE_SHARE: f64 = 0.5;
/// Fewest pages read per second for the eviction rate to mean anything (fewer: the pool is
/// nearly cached, and the throttle idles on that).
const MIN_READ_RATE: f64 = 256.0;
/// A new budget within this share of the current one is not applied (no churn on noise).
const HYSTERESIS: f64 = 0.2;

/// The page-budget policy and its current choice.
#[derive(Debug, Clone)]
pub struct LeadBudget {
    /// `--max-pages` was given: never change.
    fixed: bool,
    /// The budget while the pool fills or nothing is known: the start-up value, raised when the
    /// applier passed the reader while it waited for room.
    default: u64,
    /// Pages in the LRU's old sublist.
    old_pages: u64,
    /// Largest budget: an eighth of the pool.
    max: u64,
    current: u64,
}

impl LeadBudget {
    /// `fixed`: the `--max-pages` value, if given. `default`: the budget while the pool fills.
    pub fn new(fixed: Option<u64>, default: u64, pool_pages: u64, old_pages: u64) -> LeadBudget {
        let current = fixed.unwrap_or(default).max(1);
        LeadBudget {
            fixed: fixed.is_some(),
            default: current,
            old_pages,
            max: (pool_pages / 8).max(current),
            current,
        }
    }

    /// The budget now.
    pub fn pages(&self) -> u64 {
        self.current
    }

    /// The applier passed the reader while the reader waited for room in the window: the lead
    /// does not outlast one applier-position poll. Doubles the budget and its floor (up to the
    /// largest budget); returns the new budget when it changed.
    pub fn passed_while_full(&mut self) -> Option<u64> {
        if self.fixed {
            return None;
        }
        let raised = self.current.saturating_mul(2).min(self.max);
        self.default = self.default.max(raised);
        (raised > self.current).then(|| {
            self.current = raised;
            raised
        })
    }

    /// What the budget should be: `read_rate` is the pool's disk reads per second,
    /// `page_rate` the pages per second the applier's transactions were estimated to touch.
    fn want(&self, pool: Option<Pressure>, read_rate: Option<f64>, page_rate: Option<f64>) -> u64 {
        match (pool, read_rate, page_rate) {
            (Some(Pressure::Evicting), Some(r), Some(p)) if r >= MIN_READ_RATE && p > 0.0 => {
                let life_secs = self.old_pages as f64 / r;
                let pages = (LIFE_SHARE * life_secs * p).round() as u64;
                // Never shorter than the default: a lead the probe pipeline cannot fill only
                // turns probes into drops (the demo's 16 MiB pool, 12× smaller than its data:
                // 33 pages, hit rate 17%).
                pages.clamp(self.default, self.max)
            }
            _ => self.default,
        }
    }

    /// Follow the pool; returns the new budget when it changed.
    pub fn follow(
        &mut self,
        pool: Option<Pressure>,
        read_rate: Option<f64>,
        page_rate: Option<f64>,
    ) -> Option<u64> {
        if self.fixed {
            return None;
        }
        let want = self.want(pool, read_rate, page_rate);
        let moved = (want as f64 - self.current as f64).abs() > HYSTERESIS * self.current as f64;
        let back_to_default = want == self.default && want != self.current;
        (moved || back_to_default).then(|| {
            self.current = want;
            want
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVICTING: Option<Pressure> = Some(Pressure::Evicting);
    const FILLING: Option<Pressure> = Some(Pressure::Filling);

    /// The 64 MB benchmark pool: 4,096 pages, 1,515 of them old.
    fn small_pool() -> LeadBudget {
        LeadBudget::new(None, 256, 4096, 1515)
    }

    #[test]
    fn an_evicting_pool_gets_half_a_pages_life_of_lead() {
        let mut b = small_pool();
        // Uniform updates: 11,500 reads/s, 5,400 pages/s applied → 1515 / 11500 s × 0.5 × 5400.
        assert_eq!(b.follow(EVICTING, Some(11_500.0), Some(5_400.0)), Some(356));
        // Skewed updates: most pages cached, reads far fewer than pages applied → capped at an
        // eighth of the pool.
        assert_eq!(b.follow(EVICTING, Some(5_300.0), Some(14_000.0)), Some(512));
        assert_eq!(b.pages(), 512);
    }

    #[test]
    fn being_passed_while_waiting_for_room_doubles_the_budget_and_its_floor() {
        let mut b = small_pool();
        assert_eq!(b.passed_while_full(), Some(512));
        // Never past an eighth of the pool.
        assert_eq!(b.passed_while_full(), None);
        assert_eq!(b.pages(), 512);
        // The eviction rate (356 pages here) no longer lowers it below the raised floor…
        assert_eq!(b.follow(EVICTING, Some(11_500.0), Some(5_400.0)), None);
        assert_eq!(b.pages(), 512);
        // …nor does a filling pool.
        assert_eq!(b.follow(FILLING, None, None), None);
        assert_eq!(b.pages(), 512);
    }

    #[test]
    fn a_raised_floor_still_lets_the_eviction_rate_lengthen_the_lead() {
        let mut b = LeadBudget::new(None, 256, 16_384, 6_062);
        assert_eq!(b.passed_while_full(), Some(512));
        // Skewed updates on a larger pool: the formula asks for more than the floor.
        assert_eq!(
            b.follow(EVICTING, Some(5_000.0), Some(10_000.0)),
            Some(2048)
        );
        // Back on a filling pool: the raised floor, not the start-up value.
        assert_eq!(b.follow(FILLING, None, None), Some(512));
    }

    #[test]
    fn a_fixed_budget_is_not_raised() {
        let mut b = LeadBudget::new(Some(300), 256, 4096, 1515);
        assert_eq!(b.passed_while_full(), None);
        assert_eq!(b.pages(), 300);
    }

    #[test]
    fn a_filling_or_unknown_pool_keeps_the_default() {
        let mut b = small_pool();
        assert_eq!(b.follow(FILLING, Some(20_000.0), Some(5_000.0)), None);
        assert_eq!(b.follow(None, Some(20_000.0), Some(5_000.0)), None);
        // No page rate measured yet, or too few reads to judge.
        assert_eq!(b.follow(EVICTING, Some(20_000.0), None), None);
        assert_eq!(b.follow(EVICTING, Some(100.0), Some(5_000.0)), None);
        assert_eq!(b.pages(), 256);
        // Back to the default when the pool fills again.
        assert_eq!(b.follow(EVICTING, Some(11_500.0), Some(5_400.0)), Some(356));
        assert_eq!(b.follow(FILLING, Some(11_500.0), Some(5_400.0)), Some(256));
    }

    #[test]
    fn small_moves_are_ignored_and_the_budget_stays_in_bounds() {
        let mut b = small_pool();
        assert_eq!(b.follow(EVICTING, Some(11_500.0), Some(5_400.0)), Some(356));
        // 10% more reads: within the hysteresis.
        assert_eq!(b.follow(EVICTING, Some(12_650.0), Some(5_400.0)), None);
        // A storm of reads: never below the default (back to it, exactly).
        assert_eq!(b.follow(EVICTING, Some(1e9), Some(5_400.0)), Some(256));
        assert_eq!(b.follow(EVICTING, Some(2e9), Some(5_400.0)), None);
    }

    #[test]
    fn a_fixed_budget_never_moves() {
        let mut b = LeadBudget::new(Some(512), 256, 4096, 1515);
        assert_eq!(b.pages(), 512);
        assert_eq!(b.follow(EVICTING, Some(11_500.0), Some(5_400.0)), None);
        assert_eq!(b.follow(FILLING, None, None), None);
        assert_eq!(b.pages(), 512);
    }
}
