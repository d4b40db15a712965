//! How far ahead of the applier to run, when to idle, and the applier's measured rate:
//! collectors (a [`RateMeter`] fed from retired transactions, the replica status) → a decider
//! ([`Throttle::decide`]) → consumers (the scheduler's window limits, the daemon's reader).
//! Policy only: nothing here touches a connection or a queue.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::replica::ReplicaStatus;

/// Applier rate from counts observed over time: an exponentially weighted moving average over
/// intervals of at least `min_interval`, so 20 ms polls do not make a jumpy rate.
#[derive(Debug, Clone)]
pub struct RateMeter {
    min_interval: Duration,
    start: Option<Instant>,
    txns: u64,
    events: u64,
    pages: u64,
    /// Smoothed (transactions/s, events/s).
    rate: Option<(f64, f64)>,
    /// Smoothed estimated pages/s of the transactions applied (what their probes touch).
    page_rate: Option<f64>,
}

impl RateMeter {
    /// A meter averaging over at least `min_interval`.
    pub fn new(min_interval: Duration) -> RateMeter {
        RateMeter {
            min_interval,
            start: None,
            txns: 0,
            events: 0,
            pages: 0,
            rate: None,
            page_rate: None,
        }
    }

    /// Record `txns` transactions / `events` events / `pages` estimated pages applied,
    /// observed at `now`.
    pub fn record(&mut self, txns: u64, events: u64, pages: u64, now: Instant) {
        let start = *self.start.get_or_insert(now);
        self.txns += txns;
        self.events += events;
        self.pages += pages;
        let dt = now.duration_since(start);
        if dt >= self.min_interval {
            let secs = dt.as_secs_f64();
            let sample = (self.txns as f64 / secs, self.events as f64 / secs);
            self.rate = Some(match self.rate {
                None => sample,
                Some((t, e)) => (0.5 * t + 0.5 * sample.0, 0.5 * e + 0.5 * sample.1),
            });
            let pages = self.pages as f64 / secs;
            self.page_rate = Some(self.page_rate.map_or(pages, |p| 0.5 * p + 0.5 * pages));
            self.start = Some(now);
            self.txns = 0;
            self.events = 0;
            self.pages = 0;
        }
    }

    /// Smoothed (transactions/s, events/s), once one interval has passed.
    pub fn rate(&self) -> Option<(f64, f64)> {
        self.rate
    }

    /// Smoothed estimated pages/s applied, once one interval has passed.
    pub fn page_rate(&self) -> Option<f64> {
        self.page_rate
    }
}

/// The window limits the scheduler enforces, adjustable at run time (atomics: the throttle
/// writes, the reader thread reads).
#[derive(Debug)]
pub struct Limits {
    /// Transactions ahead of the applier.
    pub max_ahead_txns: AtomicU64,
    /// Source-time seconds ahead of the applier.
    pub max_ahead_secs: AtomicU64,
    /// Estimated pages touched by queued and running probes.
    pub max_pages: AtomicU64,
}

impl Limits {
    /// Fixed limits.
    pub fn new(txns: u64, secs: u64, pages: u64) -> Limits {
        Limits {
            max_ahead_txns: AtomicU64::new(txns.max(1)),
            max_ahead_secs: AtomicU64::new(secs.max(1)),
            max_pages: AtomicU64::new(pages.max(1)),
        }
    }

    /// Current (txns, secs, pages).
    pub fn get(&self) -> (u64, u64, u64) {
        (
            self.max_ahead_txns.load(Relaxed),
            self.max_ahead_secs.load(Relaxed),
            self.max_pages.load(Relaxed),
        )
    }
}

/// Page budget of the window at start-up and while the pool fills: a sixteenth of the buffer
/// pool, at least 32 pages (on an evicting pool the daemon follows the eviction rate instead,
/// `daemon::lead`). InnoDB puts a newly read page at the head of the "old" sublist
/// (innodb_old_blocks_pct, 37% of the pool), which the applier's own reads, undo pages and the
/// prefetcher's reads all push through; a prefetched page must be used before it falls off that
/// end. Measured on a 16 MiB pool with sysbench updates: 256 pages ahead, most prefetched pages
/// were evicted unused (reads grew by the number of probes); 16-64 pages ahead they were used.
pub fn page_budget(buffer_pool_pages: u64) -> u64 {
    (buffer_pool_pages / 16).max(32)
}

/// What the daemon should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Read, plan and probe.
    Prefetch,
    /// The applier is not lagging (or not running): read without planning.
    Idle,
}

/// Once lagging, prefetch at least this long before idling again: at the end of a catch-up the
/// applier hovers around the idle threshold, and without a dwell time the daemon would switch
/// (and log) every poll.
pub const MIN_PREFETCH_DWELL: Duration = Duration::from_secs(2);

/// The decider: lag → prefetch or idle, with hysteresis (in lag and in time) so it does not
/// flap every poll.
#[derive(Debug, Clone)]
pub struct Throttle {
    always: bool,
    /// The buffer pool reads next to nothing: the applier's pages are in memory already.
    cached: bool,
    state: Decision,
    /// When the current prefetch period began (None for the initial state: nothing is known).
    since: Option<Instant>,
}

impl Throttle {
    /// `always`: prefetch even when the replica is not lagging (benchmarks).
    pub fn new(always: bool) -> Throttle {
        Throttle {
            always,
            cached: false,
            state: Decision::Prefetch,
            since: None,
        }
    }

    /// The last decision.
    pub fn state(&self) -> Decision {
        self.state
    }

    /// Whether the buffer pool reads (almost) nothing from disk ([`crate::replica::PoolWatch::cached`]).
    /// A lagging applier whose pages are all in memory is not waiting on reads (it is bound by
    /// CPU, commits or one large transaction): probes would only take server CPU from it, so
    /// the daemon idles until reads return.
    pub fn set_cached(&mut self, cached: bool) {
        self.cached = cached;
    }

    /// Decide from the latest status and how many read-but-unapplied transactions the reader
    /// knows of. Lagging = the SQL thread runs and is ≥ 1 s or ≥ 16 transactions behind;
    /// back to idle only when it is < 4 transactions and 0 s behind, and has been prefetching
    /// for at least [`MIN_PREFETCH_DWELL`].
    pub fn decide(&mut self, status: Option<&ReplicaStatus>, txns_behind: u64) -> Decision {
        self.decide_at(status, txns_behind, Instant::now())
    }

    /// [`Throttle::decide`] at time `now`.
    pub fn decide_at(
        &mut self,
        status: Option<&ReplicaStatus>,
        txns_behind: u64,
        now: Instant,
    ) -> Decision {
        if self.always {
            return Decision::Prefetch;
        }
        let Some(s) = status else {
            return self.state;
        };
        // A delayed replica (MASTER_DELAY) keeps its delay's worth of relay log unapplied on
        // purpose: only the lag beyond the delay counts, and the read-ahead backlog does not.
        let secs = s.lag_beyond_delay().unwrap_or(0);
        let txns_behind = if s.sql_delay > 0 { 0 } else { txns_behind };
        let next = if !s.sql_running {
            // A stopped applier needs nothing now, but its backlog will: keep the window full so
            // the first transactions after START SLAVE are already warm.
            Decision::Prefetch
        } else if self.cached || s.sql_remaining_delay.is_some() {
            // Served from memory, or waiting for the next event's delay to expire (on schedule:
            // what lies ahead is applied only as its delay expires).
            Decision::Idle
        } else if secs >= 1 || txns_behind >= 16 {
            Decision::Prefetch
        } else if secs == 0
            && txns_behind < 4
            && self
                .since
                .is_none_or(|t| now.duration_since(t) >= MIN_PREFETCH_DWELL)
        {
            Decision::Idle
        } else {
            self.state
        };
        if next != self.state {
            tracing::info!(from = ?self.state, to = ?next, seconds_behind = secs, txns_behind,
                pool_cached = self.cached, sql_delay = s.sql_delay,
                waiting_for_delay = s.sql_remaining_delay.is_some(), "throttle");
            self.state = next;
            self.since = (next == Decision::Prefetch).then_some(now);
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(sql_running: bool, secs: Option<u64>) -> ReplicaStatus {
        ReplicaStatus {
            relay_log_file: "r.000001".into(),
            relay_log_pos: 4,
            exec_source_file: String::new(),
            exec_source_pos: 0,
            io_running: true,
            sql_running,
            seconds_behind: secs,
            last_sql_errno: None,
            executed_gtids: None,
            sql_delay: 0,
            sql_remaining_delay: None,
        }
    }

    #[test]
    fn a_delayed_replica_on_schedule_gets_no_probes_and_one_late_does() {
        let mut t = Throttle::new(false);
        let t0 = Instant::now();
        // MASTER_DELAY=3600: an hour of relay log ahead of the applier, which waits on the next
        // event's delay.
        let waiting = ReplicaStatus {
            seconds_behind: Some(3599),
            sql_delay: 3600,
            sql_remaining_delay: Some(1),
            ..status(true, None)
        };
        assert_eq!(t.decide_at(Some(&waiting), 200_000, t0), Decision::Idle);
        // Applying, on schedule (Seconds_Behind equals the delay): still nothing to catch up.
        let applying = ReplicaStatus {
            seconds_behind: Some(3600),
            sql_remaining_delay: None,
            ..waiting.clone()
        };
        assert_eq!(t.decide_at(Some(&applying), 200_000, t0), Decision::Idle);
        // Two minutes behind its schedule: lagging, prefetch.
        let late = ReplicaStatus {
            seconds_behind: Some(3720),
            ..applying.clone()
        };
        assert_eq!(t.decide_at(Some(&late), 200_000, t0), Decision::Prefetch);
        // Caught up with the schedule and waiting again: idle as soon as it waits.
        assert_eq!(
            t.decide_at(Some(&waiting), 200_000, t0 + Duration::from_millis(50)),
            Decision::Idle
        );
    }

    #[test]
    fn rate_meter_smooths() {
        let mut m = RateMeter::new(Duration::from_secs(1));
        let t0 = Instant::now();
        m.record(0, 0, 0, t0);
        m.record(500, 1500, 100, t0 + Duration::from_millis(500));
        assert!(m.rate().is_none() && m.page_rate().is_none());
        m.record(500, 1500, 300, t0 + Duration::from_secs(1));
        let (t, e) = m.rate().unwrap();
        assert!((t - 1000.0).abs() < 1e-6 && (e - 3000.0).abs() < 1e-6);
        assert!((m.page_rate().unwrap() - 400.0).abs() < 1e-6);
        m.record(2000, 0, 0, t0 + Duration::from_secs(2));
        assert!((m.rate().unwrap().0 - 1500.0).abs() < 1e-6);
        assert!((m.page_rate().unwrap() - 200.0).abs() < 1e-6);
    }

    #[test]
    fn a_lagging_applier_served_from_memory_gets_no_probes() {
        let mut t = Throttle::new(false);
        let lagging = status(true, Some(30));
        assert_eq!(t.decide(Some(&lagging), 5000), Decision::Prefetch);
        t.set_cached(true);
        assert_eq!(t.decide(Some(&lagging), 5000), Decision::Idle);
        // A stopped applier still gets its window filled for when it starts.
        assert_eq!(
            t.decide(Some(&status(false, None)), 5000),
            Decision::Prefetch
        );
        // Reads return: prefetch again.
        t.set_cached(false);
        assert_eq!(t.decide(Some(&lagging), 5000), Decision::Prefetch);
        // --always ignores it.
        let mut a = Throttle::new(true);
        a.set_cached(true);
        assert_eq!(a.decide(Some(&lagging), 5000), Decision::Prefetch);
    }

    #[test]
    fn idles_only_when_caught_up() {
        let mut t = Throttle::new(false);
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        assert_eq!(
            t.decide_at(Some(&status(true, Some(0))), 0, at(0)),
            Decision::Idle
        );
        assert_eq!(
            t.decide_at(Some(&status(true, Some(0))), 8, at(10)),
            Decision::Idle
        );
        assert_eq!(
            t.decide_at(Some(&status(true, Some(3))), 8, at(20)),
            Decision::Prefetch
        );
        assert_eq!(
            t.decide_at(Some(&status(true, Some(0))), 8, at(30)),
            Decision::Prefetch
        );
        // Caught up, but it started prefetching only just now: it stays (no flapping).
        assert_eq!(
            t.decide_at(Some(&status(true, Some(0))), 2, at(500)),
            Decision::Prefetch
        );
        assert_eq!(
            t.decide_at(Some(&status(true, Some(0))), 2, at(2020)),
            Decision::Idle
        );
        assert_eq!(t.decide(Some(&status(false, None)), 0), Decision::Prefetch);
        let mut a = Throttle::new(true);
        assert_eq!(
            a.decide(Some(&status(true, Some(0))), 0),
            Decision::Prefetch
        );
        assert_eq!(page_budget(1024), 64);
    }
}
