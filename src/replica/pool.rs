//! The replica's buffer pool seen from outside: is it still filling (pages read stay cached, as
//! after a restart) or evicting (every page read pushes another out, as on a pool smaller than
//! the data)? Read from SHOW GLOBAL STATUS, which every user may read and which MySQL and MariaDB
//! both have: `Innodb_buffer_pool_pages_free` and `Innodb_buffer_pool_reads` (pages read from
//! disk). Read-ahead is not added: MariaDB 10.11 counts read-ahead pages in
//! `Innodb_buffer_pool_reads` already (measured: 1,623 reads and 1,024 read-ahead for 1,536 pages
//! cached, nothing evicted), MySQL does not; reads undercounted only make a filling pool look
//! more so, and an evicting pool keeps its free count level either way.
//!
//! The free-page count alone cannot tell: InnoDB's page cleaner keeps a reserve of free pages
//! (`innodb_lru_scan_depth`, 1536 per instance by default) by evicting, so an evicting 64 MB
//! pool still shows about 30% free. What tells is where the pages read came from: a pool that
//! fills takes them off the free list (free drops by as much as was read), an evicting one frees
//! as many as it reads (free stays level). The share of reads not paid for by the free list is
//! the eviction share; [`PoolWatch`] judges it over intervals of at least 200 ms, with
//! hysteresis, and ignores intervals with too few reads to judge. A pool that fills but whose
//! free pages would run out within two seconds at the current read rate counts as evicting
//! already: a cold 64 MB pool under a catch-up fills in a fraction of a second, and probes cut
//! large meanwhile were measured to cost hit rate.
//!
//! It also says when the pool reads next to nothing from disk (fewer than 128 pages a second
//! over half a second or more, [`PoolWatch::cached`]): whatever the applier needs is in memory,
//! and the throttle idles.
//!
//! And it counts the pool's *epochs*: a new one begins whenever pages may have left the pool
//! other than by the eviction the verdict tracks — the server restarted (counters went back,
//! or the poller lost its connection), the pool was resized, or the free list grew by more than
//! a sixty-fourth of the pool (a table dropped). Whoever remembers which keys were read into a
//! filling pool forgets them at a new epoch.
//!
//! Owns no connection of its own: the applier poller samples it on its connection.

use std::time::{Duration, Instant};

use mysql::Conn;
use mysql::prelude::Queryable;

/// One reading of the pool counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSample {
    /// `Innodb_buffer_pool_pages_free`.
    pub free: u64,
    /// `Innodb_buffer_pool_pages_total`.
    pub total: u64,
    /// `Innodb_buffer_pool_reads`: pages read from disk.
    pub reads: u64,
}

/// What the pool is doing with the pages read into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pressure {
    /// Pages read stay: the free list pays for them (a restarted replica, a pool larger than
    /// the data).
    Filling,
    /// Pages read push others out.
    Evicting,
}

impl Pressure {
    /// For logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Pressure::Filling => "filling",
            Pressure::Evicting => "evicting",
        }
    }
}

/// Read the counters.
pub fn fetch_pool(conn: &mut Conn) -> std::result::Result<PoolSample, mysql::Error> {
    let rows: Vec<(String, u64)> = conn.query(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_free', \
         'Innodb_buffer_pool_pages_total', 'Innodb_buffer_pool_reads')",
    )?;
    let get = |n: &str| {
        rows.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map_or(0, |r| r.1)
    };
    Ok(PoolSample {
        free: get("Innodb_buffer_pool_pages_free"),
        total: get("Innodb_buffer_pool_pages_total"),
        reads: get("Innodb_buffer_pool_reads"),
    })
}

/// Shortest interval judged.
const JUDGE_EVERY: Duration = Duration::from_millis(200);
/// A filling pool whose free pages would last less than this at the current read rate is
/// judged evicting already: by the time the next verdict lands it will be.
const HEADROOM: Duration = Duration::from_secs(2);
/// Fewest pages read in an interval for it to be judged (fewer: the verdict stands).
const MIN_READS: u64 = 256;
/// Evicted share below which the pool counts as filling, and above which as evicting.
const FILLING_BELOW: f64 = 0.25;
const EVICTING_ABOVE: f64 = 0.5;

/// A pool that read fewer than [`MIN_READS`] pages for this long is judged by its free share.
const QUIET: Duration = Duration::from_secs(2);
/// A pool reading fewer pages a second than this, over at least [`CACHED_AFTER`], serves the
/// applier from memory: there is nothing worth prefetching.
const CACHED_RATE: f64 = 128.0;
const CACHED_AFTER: Duration = Duration::from_millis(500);

/// The verdict before anything was read, or after a quiet spell: a pool mostly free fills;
/// otherwise assume the worst (the verdict then follows the reads).
fn guess(s: &PoolSample) -> Pressure {
    if s.total > 0 && s.free * 2 >= s.total {
        Pressure::Filling
    } else {
        Pressure::Evicting
    }
}

/// Turns samples into a [`Pressure`] verdict.
#[derive(Debug, Default)]
pub struct PoolWatch {
    /// The sample that opens the interval being measured, and when it was taken.
    base: Option<(PoolSample, Instant)>,
    verdict: Option<Pressure>,
    cached: bool,
    /// Counts the pool's epochs (see the module doc).
    epoch: u64,
    /// Fewest free pages seen in this epoch.
    low_free: Option<u64>,
    /// The last sample (whatever the interval).
    last: Option<PoolSample>,
    /// Pages read from disk per second, smoothed over the judged intervals.
    read_rate: Option<f64>,
}

impl PoolWatch {
    /// The current verdict (none before the first sample).
    pub fn verdict(&self) -> Option<Pressure> {
        self.verdict
    }

    /// Whether the pool reads (almost) nothing from disk: fewer than 128 pages a second over
    /// the last half second or more. Whoever reads, the pages asked for are in memory.
    pub fn cached(&self) -> bool {
        self.cached
    }

    /// Pages the pool reads from disk per second (whoever reads them), smoothed over the
    /// intervals judged; none before the first. On an evicting pool, every page read pushes
    /// another through the LRU's old sublist at this rate.
    pub fn read_rate(&self) -> Option<f64> {
        self.read_rate
    }

    /// The pool's epoch: changes whenever pages may have left it other than by eviction.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Start over after the counters could not be read (the connection was lost; the server
    /// may have restarted): no verdict until the next samples, and a new epoch.
    pub fn restart(&mut self) {
        *self = PoolWatch {
            epoch: self.epoch + 1,
            ..PoolWatch::default()
        };
    }

    /// Begin a new epoch when pages may have left the pool since the last sample.
    fn follow_epoch(&mut self, s: &PoolSample) {
        let reset = self.last.is_some_and(|l| s.reads < l.reads);
        let resized = self.last.is_some_and(|l| s.total != l.total);
        let slack = (s.total / 64).max(32);
        let freed = self.low_free.is_some_and(|low| s.free > low + slack);
        if reset || resized || freed {
            self.epoch += 1;
            self.low_free = Some(s.free);
        } else {
            self.low_free = Some(self.low_free.map_or(s.free, |low| low.min(s.free)));
        }
        self.last = Some(*s);
    }

    /// Take a sample read at `at`; returns the verdict when it changed.
    pub fn observe(&mut self, s: PoolSample, at: Instant) -> Option<Pressure> {
        self.follow_epoch(&s);
        let before = self.verdict;
        match self.base {
            None => {
                self.verdict = Some(guess(&s));
                self.base = Some((s, at));
            }
            Some((b, t0)) => {
                let elapsed = at.saturating_duration_since(t0);
                if elapsed < JUDGE_EVERY {
                    return None;
                }
                let read = s.reads.saturating_sub(b.reads);
                if s.reads < b.reads {
                    // Counters reset (server restarted): start over from here.
                    self.base = Some((s, at));
                    return None;
                }
                if read < MIN_READS {
                    if elapsed >= CACHED_AFTER {
                        let rate = read as f64 / elapsed.as_secs_f64();
                        self.cached = rate < CACHED_RATE;
                        self.read_rate = Some(rate);
                    }
                    // Too little read to judge; keep measuring from the same base unless it is
                    // stale: a pool that reads next to nothing evicts nothing, so it is judged
                    // afresh by its free share, as at the start.
                    if elapsed > QUIET {
                        self.verdict = Some(guess(&s));
                        self.base = Some((s, at));
                    }
                    return (self.verdict != before).then_some(self.verdict).flatten();
                }
                self.cached = false;
                let from_free = b.free.saturating_sub(s.free).min(read);
                let evicted = (read - from_free) as f64 / read as f64;
                let rate = read as f64 / elapsed.as_secs_f64();
                self.read_rate = Some(self.read_rate.map_or(rate, |r| 0.5 * r + 0.5 * rate));
                let runs_out = (s.free as f64) < rate * HEADROOM.as_secs_f64();
                if evicted > EVICTING_ABOVE || runs_out {
                    self.verdict = Some(Pressure::Evicting);
                } else if evicted < FILLING_BELOW {
                    self.verdict = Some(Pressure::Filling);
                }
                self.base = Some((s, at));
            }
        }
        (self.verdict != before).then_some(self.verdict).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(free: u64, reads: u64) -> PoolSample {
        PoolSample {
            free,
            total: 4096,
            reads,
        }
    }

    #[test]
    fn first_sample_guesses_from_the_free_share() {
        let t = Instant::now();
        let mut w = PoolWatch::default();
        assert_eq!(w.observe(s(4000, 0), t), Some(Pressure::Filling));
        let mut w = PoolWatch::default();
        assert_eq!(w.observe(s(1200, 0), t), Some(Pressure::Evicting));
    }

    #[test]
    fn a_pool_whose_free_pages_pay_for_the_reads_is_filling() {
        let t = Instant::now();
        let mut w = PoolWatch::default();
        // Under half the pool free: assumed evicting until reads show otherwise.
        assert_eq!(w.observe(s(1900, 0), t), Some(Pressure::Evicting));
        // 400 pages read, free dropped by 360: 10% evicted, and 1,540 free pages last more
        // than two seconds at 400 a second.
        assert_eq!(
            w.observe(s(1540, 400), t + Duration::from_secs(1)),
            Some(Pressure::Filling)
        );
    }

    #[test]
    fn a_filling_pool_about_to_run_out_of_free_pages_counts_as_evicting() {
        let t = Instant::now();
        let mut w = PoolWatch::default();
        w.observe(s(4000, 0), t);
        // Every page read came off the free list, but 2,000 free pages last one more second.
        assert_eq!(
            w.observe(s(2000, 2000), t + Duration::from_secs(1)),
            Some(Pressure::Evicting)
        );
    }

    #[test]
    fn a_pool_that_keeps_its_free_reserve_while_reading_is_evicting() {
        // As measured on MariaDB 10.11 with a 64 MB pool under sysbench: free hovers around
        // 1,100-1,400 of 4,056 pages while 5,000 pages a second are read.
        let t = Instant::now();
        let mut w = PoolWatch::default();
        assert_eq!(w.observe(s(3755, 0), t), Some(Pressure::Filling));
        assert_eq!(
            w.observe(s(1205, 22_601), t + Duration::from_secs(2)),
            Some(Pressure::Evicting)
        );
        assert_eq!(w.observe(s(1114, 35_311), t + Duration::from_secs(4)), None);
        assert_eq!(w.verdict(), Some(Pressure::Evicting));
    }

    #[test]
    fn short_intervals_or_few_reads_keep_the_verdict() {
        let t = Instant::now();
        let mut w = PoolWatch::default();
        w.observe(s(4000, 0), t);
        // Under 200 ms: not judged even though it looks like eviction.
        assert_eq!(
            w.observe(s(4000, 5000), t + Duration::from_millis(100)),
            None
        );
        // A second with 100 reads, none from the free list: too few to judge.
        let mut w = PoolWatch::default();
        w.observe(s(4000, 0), t);
        assert_eq!(w.observe(s(4000, 100), t + Duration::from_secs(1)), None);
        assert_eq!(w.verdict(), Some(Pressure::Filling));
        // Reads accumulate from the same base until they can be judged.
        assert_eq!(
            w.observe(s(4000, 400), t + Duration::from_secs(2)),
            Some(Pressure::Evicting)
        );
    }

    #[test]
    fn a_quiet_pool_is_judged_by_its_free_share_again() {
        let t = Instant::now();
        let mut w = PoolWatch::default();
        w.observe(s(4000, 0), t);
        // A burst that would exhaust the free pages within two seconds...
        assert_eq!(
            w.observe(s(3000, 1000), t + Duration::from_millis(200)),
            Some(Pressure::Evicting)
        );
        // ...then nothing read: still three quarters free, nothing evicted.
        assert_eq!(w.observe(s(3000, 1010), t + Duration::from_secs(1)), None);
        assert_eq!(
            w.observe(s(3000, 1020), t + Duration::from_millis(2300)),
            Some(Pressure::Filling)
        );
        // A quiet pool short of free pages stays evicting.
        let mut w = PoolWatch::default();
        w.observe(s(1000, 0), t);
        assert_eq!(w.observe(s(1000, 10), t + Duration::from_secs(3)), None);
        assert_eq!(w.verdict(), Some(Pressure::Evicting));
    }

    #[test]
    fn a_pool_reading_next_to_nothing_is_cached_until_reads_return() {
        let t = Instant::now();
        let mut w = PoolWatch::default();
        w.observe(s(1000, 0), t);
        assert!(!w.cached());
        // 30 reads in 300 ms: too short to say.
        w.observe(s(1000, 30), t + Duration::from_millis(300));
        assert!(!w.cached());
        // 40 reads in 600 ms: 67 a second.
        w.observe(s(1000, 40), t + Duration::from_millis(600));
        assert!(w.cached());
        // 200 reads in a second (not yet enough to judge eviction): 200 a second, not cached.
        w.observe(s(1000, 200), t + Duration::from_secs(1));
        assert!(!w.cached());
        // Back to thousands a second.
        let mut w = PoolWatch::default();
        w.observe(s(1000, 0), t);
        w.observe(s(1000, 10), t + Duration::from_secs(1));
        assert!(w.cached());
        w.observe(s(1000, 3000), t + Duration::from_millis(1300));
        assert!(!w.cached());
    }

    #[test]
    fn between_the_thresholds_the_verdict_stands() {
        let t = Instant::now();
        let mut w = PoolWatch::default();
        w.observe(s(4000, 0), t);
        // 40% evicted: neither filling nor evicting clearly.
        assert_eq!(w.observe(s(3400, 1000), t + Duration::from_secs(1)), None);
        assert_eq!(w.verdict(), Some(Pressure::Filling));
    }

    #[test]
    fn a_new_epoch_when_pages_may_have_left_the_pool() {
        let t = Instant::now();
        let ms = |n| t + Duration::from_millis(n);
        let mut w = PoolWatch::default();
        w.observe(s(4000, 0), t);
        let e0 = w.epoch();
        // Filling: free falls as pages are read; a small wobble (32 pages) is not an epoch.
        w.observe(s(3000, 1000), ms(100));
        w.observe(s(2500, 1500), ms(300));
        w.observe(s(2530, 1500), ms(400));
        assert_eq!(w.epoch(), e0);
        // A table dropped: 1,000 pages back on the free list.
        w.observe(s(3530, 1500), ms(500));
        assert_eq!(w.epoch(), e0 + 1);
        w.observe(s(3400, 1630), ms(600));
        assert_eq!(w.epoch(), e0 + 1);
        // The server restarted: the read counter went back.
        w.observe(s(3300, 100), ms(700));
        assert_eq!(w.epoch(), e0 + 2);
        // The pool was resized.
        w.observe(
            PoolSample {
                free: 3300,
                total: 8192,
                reads: 100,
            },
            ms(750),
        );
        assert_eq!(w.epoch(), e0 + 3);
        w.observe(s(3300, 100), ms(760));
        assert_eq!(w.epoch(), e0 + 4);
        // The connection was lost: a new epoch, and no verdict until the next sample.
        w.restart();
        assert_eq!(w.epoch(), e0 + 5);
        assert_eq!(w.verdict(), None);
        assert_eq!(w.observe(s(3300, 100), ms(800)), Some(Pressure::Filling));
        assert_eq!(w.epoch(), e0 + 5);
    }

    #[test]
    fn a_counter_reset_starts_a_new_interval() {
        let t = Instant::now();
        let mut w = PoolWatch::default();
        w.observe(s(1000, 50_000), t);
        assert_eq!(w.observe(s(4000, 10), t + Duration::from_secs(1)), None);
        // Next interval judged from the post-restart base: free pays for the reads.
        assert_eq!(
            w.observe(s(3000, 1010), t + Duration::from_secs(2)),
            Some(Pressure::Filling)
        );
    }
}
