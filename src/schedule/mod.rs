//! Probes → conflict-free work on a work-stealing pool (DESIGN §5). The reader hands each planned
//! transaction to [`Scheduler::submit`] (blocking while the window is full, so memory does not
//! grow with the backlog); the replica poller reports the applier's position to
//! [`Scheduler::applier_at`]; N workers run probes through their [`crate::exec::Executor`].
//!
//! Rules, and where they live:
//! 1. too late — a probe within `min_ahead` transactions of the applier is dropped (`pool`);
//! 2. first touch wins — a probe whose key tuples were all probed earlier in the window is not
//!    run (`conflict`, at admission);
//! 3. never two probes on one key at once — per-key dependency chains (`task`, `conflict`); in
//!    the locking modes a DML probe runs only `applier_guard` or more transactions (and 100 ms
//!    at the fastest apply rate seen; 1,000 transactions until a rate is measured) ahead of the
//!    applier, and is dropped when a transaction the applier applies before it touches one of
//!    its rows (`window`, checked at dispatch);
//! 4. oldest first — FIFO injector and FIFO worker queues; per-key chains keep a blocked head
//!    from being overtaken on its key;
//! 5. window — transactions, source seconds, pages and probes ahead of the applier
//!    ([`crate::throttle::Limits`]); when the applier passes the reader, submitted work behind it
//!    is dropped on sight.
//!
//! Not here: deciding to idle (`throttle`), reading or planning (`daemon`), SQL (`exec`).

mod conflict;
mod pool;
mod task;
mod window;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Instant;

use crate::error::{Error, ErrorKind, Result};
use crate::exec::Executor;
use crate::metrics::{DropReason, Metrics};
use crate::plan::{Mode, Plan};
use crate::replica::RelayCoord;
use crate::throttle::Limits;

pub use pool::RATE_GUARD;
pub use window::Retired;

/// Scheduler settings (from `config`).
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Prefetch mode (locking modes add the applier-key rule).
    pub mode: Mode,
    /// Drop probes closer than this many transactions to the applier.
    pub min_ahead: u64,
    /// Locking modes: DML probes need this many transactions of distance from the applier (at
    /// least; more at high apply rates), and keys the applier touches before that probe's
    /// transaction are off limits.
    pub applier_guard: u64,
    /// Locking modes: the distance DML probes keep until the applier's rate has been measured
    /// (its first second of movement: it may already be applying at full speed). After that
    /// they keep [`RATE_GUARD`] at the fastest rate seen. The daemon uses
    /// [`unmeasured_guard`].
    pub unmeasured_guard: u64,
    /// The conflict map (dedupe, per-key serialization, applier guard). Off only for
    /// benchmarks that measure what it is worth.
    pub conflict_map: bool,
    /// Probes queued or running, at most (a transaction bigger than this still enters an
    /// empty window).
    pub max_probes: u64,
}

/// The apply rate assumed before one is measured, for [`unmeasured_guard`]: a fast replica.
pub const ASSUMED_TPS: f64 = 10_000.0;

/// [`RATE_GUARD`] at [`ASSUMED_TPS`]: 1,000 transactions.
pub fn unmeasured_guard() -> u64 {
    (ASSUMED_TPS * RATE_GUARD.as_secs_f64()).ceil() as u64
}

/// What the reader knows about a transaction besides its plan.
#[derive(Debug, Clone, Copy)]
pub struct TxnMeta {
    /// Relay position just past it.
    pub end: RelayCoord,
    /// Source timestamp of its first event.
    pub timestamp: u32,
    /// Number of events in it.
    pub events: u64,
}

/// What `submit` did with a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// In the window; its probes are queued.
    Queued,
    /// The applier had already passed it; its probes were dropped.
    BehindApplier,
}

/// The scheduler and its worker pool.
pub struct Scheduler {
    shared: Arc<pool::Shared>,
    handles: Vec<JoinHandle<()>>,
}

impl Scheduler {
    /// Start one worker per executor.
    pub fn start(
        opts: SchedulerOptions,
        limits: Arc<Limits>,
        executors: Vec<Box<dyn Executor>>,
        metrics: Arc<Metrics>,
    ) -> Scheduler {
        let (shared, handles) = pool::start(opts, limits, executors, metrics);
        Scheduler { shared, handles }
    }

    /// Hand over one planned transaction (in sequence order). Blocks while the window is full.
    /// Fails when the pool stopped (shutdown or a worker panic).
    pub fn submit(&self, plan: Plan, meta: TxnMeta) -> Result<Submitted> {
        let s = &self.shared;
        self.check_running()?;
        if self.passed_locked(&s.window(), meta.end) {
            s.applier_seq.fetch_max(plan.seq + 1, Ordering::AcqRel);
            let n = plan.probes.len() as u64;
            s.metrics.probes_submitted.add(n);
            s.metrics.dropped(DropReason::BehindApplier).add(n);
            return Ok(Submitted::BehindApplier);
        }
        let txn = task::TxnShared::new(plan.seq);
        let pages: u64 = plan.probes.iter().map(|p| p.keys.len().max(1) as u64).sum();
        {
            let mut w = s.window();
            let mut waited = false;
            loop {
                if s.stop.load(Ordering::Acquire) {
                    drop(w);
                    return self.check_running().map(|_| Submitted::BehindApplier);
                }
                let applier = s.applier_seq.load(Ordering::Acquire);
                let probes_ok =
                    (s.pending.load(Ordering::Acquire).max(0) as u64) < s.opts.max_probes;
                if w.slots.is_empty()
                    || (probes_ok
                        && w.has_room(plan.seq, applier, meta.timestamp, pages, s.limits.get()))
                {
                    break;
                }
                if !waited {
                    waited = true;
                    s.metrics.window_full_waits.inc();
                }
                w = s.space.wait(w).unwrap_or_else(|p| p.into_inner());
            }
            w.pages += pages;
            w.slots.push_back(window::Slot {
                seq: plan.seq,
                end: meta.end,
                timestamp: meta.timestamp,
                events: meta.events,
                pages,
                applier_keys: plan.applier_keys,
                batched: plan.batched,
                txn: txn.clone(),
            });
            self.publish_gauges_locked(&w);
        }
        let session = Arc::new(plan.session);
        s.admit_all(plan.probes, &session, &txn);
        Ok(Submitted::Queued)
    }

    /// The applier reached `coord`: retire what it passed, drop what is now too late.
    pub fn applier_at(&self, coord: RelayCoord) {
        let s = &self.shared;
        let (tally, gone) = {
            let mut w = s.window();
            let (next, tally, gone) = w.retire_until(coord, Instant::now());
            if let Some(n) = next {
                s.applier_seq.fetch_max(n, Ordering::AcqRel);
            }
            if let Some((tps, eps)) = w.rate.rate() {
                s.metrics.apply_tps.set(tps);
                s.metrics.apply_eps.set(eps);
                let guard = (tps * pool::RATE_GUARD.as_secs_f64()).ceil() as u64;
                // The fastest rate seen: an applier that pauses and resumes is back at full
                // speed long before the meter's next reading.
                if s.rate_measured.swap(true, Ordering::AcqRel) {
                    s.rate_guard.fetch_max(guard, Ordering::AcqRel);
                } else {
                    s.rate_guard.store(guard, Ordering::Release);
                }
            }
            self.publish_gauges_locked(&w);
            (tally, gone)
        };
        s.space.notify_all();
        for txn in gone {
            s.conflicts.forget(&txn.retire(), txn.seq);
        }
        s.metrics.txns_hit.add(tally.hits);
        s.metrics.txns_missed.add(tally.misses);
        s.metrics.txns_without_probes.add(tally.empty);
    }

    /// The replica's relay log was reset (MariaDB discards relay logs at restart under GTID
    /// positioning, and numbering starts again): positions went backwards, so every
    /// transaction in the window is void. Clear it, drop queued work (every seq below
    /// `next_seq` counts as applied) and take `coord` as the applier's new position.
    pub fn reset(&self, coord: RelayCoord, next_seq: u64) {
        let s = &self.shared;
        let gone: Vec<_> = {
            let mut w = s.window();
            w.pages = 0;
            w.applier = Some(coord);
            s.applier_seq.fetch_max(next_seq, Ordering::AcqRel);
            self.publish_gauges_locked(&w);
            w.slots.drain(..).map(|slot| slot.txn).collect()
        };
        s.space.notify_all();
        for txn in gone {
            s.conflicts.forget(&txn.retire(), txn.seq);
        }
    }

    /// Whether the applier has already passed `end` (the reader may skip planning it).
    pub fn applier_passed(&self, end: RelayCoord) -> bool {
        self.passed_locked(&self.shared.window(), end)
    }

    fn passed_locked(&self, w: &window::Window, end: RelayCoord) -> bool {
        w.applier.is_some_and(|a| a >= end)
    }

    fn publish_gauges_locked(&self, w: &window::Window) {
        let m = &self.shared.metrics;
        match (w.slots.front(), w.slots.back()) {
            (Some(f), Some(b)) => {
                m.ahead_txns.set((b.seq + 1 - f.seq) as i64);
                m.ahead_secs
                    .set(i64::from(b.timestamp.saturating_sub(f.timestamp)));
            }
            _ => {
                m.ahead_txns.set(0);
                m.ahead_secs.set(0);
            }
        }
    }

    /// Estimated pages per second of the transactions the applier retired (smoothed), once
    /// measured.
    pub fn applied_page_rate(&self) -> Option<f64> {
        self.shared.window().rate.page_rate()
    }

    /// Change the window's page budget (takes effect at the next admission check) and its
    /// gauge.
    pub fn set_max_pages(&self, pages: u64) {
        let s = &self.shared;
        let pages = pages.max(1);
        s.limits.max_pages.store(pages, Ordering::Release);
        s.metrics.window_pages.set(pages as i64);
        s.space.notify_all();
    }

    /// The oldest transaction the applier has not applied.
    pub fn applier_seq(&self) -> u64 {
        self.shared.applier_seq.load(Ordering::Acquire)
    }

    /// Transactions in the window.
    pub fn window_len(&self) -> usize {
        self.shared.window().slots.len()
    }

    /// Probes registered and not finished.
    pub fn pending(&self) -> i64 {
        self.shared.pending.load(Ordering::Acquire)
    }

    /// Conflict-map entries (row tails, first-touch hashes): bounded by the window.
    pub fn conflict_map_sizes(&self) -> (usize, usize) {
        self.shared.conflicts.sizes()
    }

    fn check_running(&self) -> Result<()> {
        if self.shared.panicked.load(Ordering::Acquire) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "a prefetch worker panicked; the pool stopped",
            ));
        }
        if self.shared.stop.load(Ordering::Acquire) {
            return Err(Error::new(ErrorKind::Io, "the scheduler is stopping"));
        }
        Ok(())
    }

    /// Ask the pool to stop without waiting (wakes a reader blocked in `submit`, which then
    /// fails). Use [`Scheduler::stop`] to join.
    pub fn halt(&self) {
        self.shared.shutdown();
    }

    /// Stop the workers (queued probes are dropped and counted), join them, and report a panic.
    pub fn stop(mut self) -> Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<()> {
        self.shared.shutdown();
        let mut panicked = false;
        for h in self.handles.drain(..) {
            panicked |= h.join().is_err();
        }
        pool::drain(&self.shared);
        if panicked || self.shared.panicked.load(Ordering::Acquire) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "a prefetch worker panicked",
            ));
        }
        Ok(())
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        if !self.handles.is_empty() {
            let _ = self.stop_and_join();
        }
    }
}
