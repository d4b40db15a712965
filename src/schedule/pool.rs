//! The worker pool: N threads, each owning one [`Executor`] and a FIFO `crossbeam_deque::Worker`,
//! fed from a global `Injector` and stealing from each other (oldest first everywhere). Holds the
//! state every thread shares ([`Shared`]); the public face is [`super::Scheduler`].
//!
//! A worker that panics trips [`PanicGuard`], which stops the whole pool: the reader's next
//! `submit` fails and `Scheduler::stop` reports the panic. Running on with fewer workers would
//! hide a bug and leave its keys locked in the conflict map forever.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};

use super::SchedulerOptions;
use super::conflict::{ConflictMap, Touch};
use super::task::{Task, TxnShared};
use super::window::Window;
use crate::exec::{Executor, Job};
use crate::metrics::{DropReason, Metrics};
use crate::plan::{Probe, ProbeSql, Session};
use crate::throttle::Limits;

/// State shared by the reader (submit), the poller (applier updates) and the workers.
pub struct Shared {
    pub(super) opts: SchedulerOptions,
    pub(super) limits: Arc<Limits>,
    pub(super) metrics: Arc<Metrics>,
    /// Runnable tasks (all dependencies finished), oldest first.
    pub(super) injector: Injector<Arc<Task>>,
    /// Set once before any worker starts; one per worker.
    pub(super) stealers: Vec<Stealer<Arc<Task>>>,
    pub(super) conflicts: ConflictMap,
    /// Invariant: only increases; every transaction with a smaller seq has been applied.
    pub(super) applier_seq: AtomicU64,
    /// Lock order: window before a `TxnShared::seen` lock is never taken; window alone.
    pub(super) window: Mutex<Window>,
    /// Signalled when the window gains room or the pool stops (paired with `window`).
    pub(super) space: Condvar,
    /// Work generation: bumped under the lock whenever a task is pushed, so a worker that saw
    /// generation g and found nothing sleeps only while it is still g (no lost wake-ups).
    pub(super) ready: Mutex<u64>,
    pub(super) ready_cv: Condvar,
    /// Invariant: false → true only; checked by every loop.
    pub(super) stop: AtomicBool,
    /// Set when a worker panicked.
    pub(super) panicked: AtomicBool,
    /// Tasks registered and not finished.
    pub(super) pending: AtomicI64,
    /// Locking modes: transactions the applier gets through in [`RATE_GUARD`] at the fastest
    /// rate measured (before any measurement, `SchedulerOptions::unmeasured_guard`); the
    /// applier guard is at least this (the position we know is up to a poll old).
    pub(super) rate_guard: AtomicU64,
    /// Whether `rate_guard` holds a measurement yet (until then it holds
    /// `SchedulerOptions::unmeasured_guard`).
    pub(super) rate_measured: AtomicBool,
}

/// How far ahead of the applier's *reported* position a DML probe must stay, in time: one poll
/// interval of staleness plus a probe's run time, with margin.
pub const RATE_GUARD: std::time::Duration = std::time::Duration::from_millis(100);

impl Shared {
    /// Lock the window (poison-tolerant: a panicking worker already stops the pool).
    pub(super) fn window(&self) -> MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stop everything and wake every waiter.
    pub(super) fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        drop(self.ready.lock().unwrap_or_else(|p| p.into_inner()));
        self.ready_cv.notify_all();
        drop(self.window());
        self.space.notify_all();
    }

    /// Make a runnable task visible to the workers.
    pub(super) fn push_ready(&self, task: Arc<Task>) {
        self.injector.push(task);
        *self.ready.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.ready_cv.notify_one();
    }

    /// Dedupe, count and link one probe of transaction `txn`; runnable at once when it waits for
    /// nothing. `seen` collects the first-touch hashes the transaction inserts.
    fn admit(
        &self,
        probe: Probe,
        session: &Arc<Session>,
        txn: &Arc<TxnShared>,
        seen: &mut Vec<u64>,
    ) {
        self.metrics.probes_submitted.inc();
        if self.opts.conflict_map {
            match self.conflicts.first_touch(&probe, txn.seq, seen) {
                Touch::Covered(n) => {
                    self.metrics.probes_deduplicated.inc();
                    self.metrics.keys_deduplicated.add(n as u64);
                    txn.deduped.fetch_add(1, Ordering::AcqRel);
                    return;
                }
                Touch::Fresh(n) => self.metrics.keys_deduplicated.add(n as u64),
            }
        }
        let task = Task::new(txn.seq, probe, session.clone(), txn.clone());
        txn.registered.fetch_add(1, Ordering::AcqRel);
        txn.outstanding.fetch_add(1, Ordering::AcqRel);
        self.pending.fetch_add(1, Ordering::AcqRel);
        if self.opts.conflict_map && self.conflicts.register(&task) > 0 {
            self.metrics.conflicts_waited.inc();
        }
        if task.release_one() {
            self.push_ready(task);
        }
    }

    /// Admit the probes of one transaction (its plan, or phase-2 follow-ups) while holding its
    /// first-touch list, so retirement cannot miss a hash; a retired transaction's probes are
    /// dropped on sight.
    pub(super) fn admit_all(
        &self,
        probes: Vec<Probe>,
        session: &Arc<Session>,
        txn: &Arc<TxnShared>,
    ) {
        let mut seen = txn.seen.lock().unwrap_or_else(|p| p.into_inner());
        if txn.retired.load(Ordering::Acquire) {
            let n = probes.len() as u64;
            self.metrics.probes_submitted.add(n);
            self.metrics.dropped(DropReason::BehindApplier).add(n);
            return;
        }
        for probe in probes {
            self.admit(probe, session, txn, &mut seen);
        }
    }

    /// A task is done (run or dropped): unblock its dependents, settle its transaction.
    fn finish(&self, task: &Arc<Task>, ok: bool) {
        if !ok {
            task.txn.incomplete.store(true, Ordering::Release);
        }
        if self.opts.conflict_map {
            self.conflicts.release(task);
        }
        for next in task.complete() {
            self.push_ready(next);
        }
        task.txn.outstanding.fetch_sub(1, Ordering::AcqRel);
        let left = self.pending.fetch_sub(1, Ordering::AcqRel) - 1;
        self.metrics.probes_pending.set(left);
        if left >= 0 && left as u64 + 1 == self.opts.max_probes {
            // The reader may be waiting for the probe count to drop below the cap: wake it
            // (taking the window lock so the wake-up cannot fall between its check and wait).
            drop(self.window());
            self.space.notify_all();
        }
    }

    /// Why `task` must not run now, if it must not (DESIGN §5 rules 1 and 3).
    fn drop_reason(&self, task: &Task, applier: u64) -> Option<DropReason> {
        if task.seq < applier {
            return Some(DropReason::BehindApplier);
        }
        if task.seq < applier + self.opts.min_ahead {
            return Some(DropReason::TooLate);
        }
        // Only DML probes lock rows; a key-lookup SELECT (row events, in every mode) is a
        // consistent read that never blocks the applier. A DML probe keeps `applier_guard`
        // transactions of distance and off every row the applier touches before it gets there.
        if self.opts.mode.takes_locks()
            && matches!(task.probe.sql, ProbeSql::Dml(_))
            && self.opts.conflict_map
        {
            let guard = self
                .opts
                .applier_guard
                .max(self.rate_guard.load(Ordering::Acquire));
            if task.seq < applier + guard
                || self
                    .window()
                    .near_applier_keys(&task.probe.row_keys, applier, task.seq)
            {
                return Some(DropReason::ApplierConflict);
            }
        }
        None
    }

    /// Run (or drop) one task on `exec`.
    fn process(&self, task: Arc<Task>, exec: &mut dyn Executor) {
        if self.stop.load(Ordering::Acquire) {
            self.metrics.dropped(DropReason::Shutdown).inc();
            return self.finish(&task, false);
        }
        let applier = self.applier_seq.load(Ordering::Acquire);
        if let Some(reason) = self.drop_reason(&task, applier) {
            self.metrics.dropped(reason).inc();
            return self.finish(&task, false);
        }
        let job = Job {
            seq: task.seq,
            probe: &task.probe,
            session: &task.session,
            want_rows: task.probe.follow_up.is_some(),
            applier_seq: applier,
        };
        let res = exec.run(&job);
        self.metrics.probe(res.outcome).inc();
        if res.outcome.finished()
            && let Some(follow) = &task.probe.follow_up
        {
            self.admit_all(follow.probes(&res.rows), &task.session, &task.txn);
        }
        self.finish(&task, res.outcome.finished());
    }
}

/// Stops the pool when its worker thread unwinds.
struct PanicGuard<'a>(&'a Shared);

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            tracing::error!("a prefetch worker panicked; stopping the pool");
            self.0.panicked.store(true, Ordering::SeqCst);
            self.0.shutdown();
        }
    }
}

/// Next task: own queue, then a small batch from the injector (small, to stay close to global
/// oldest-first order), then other workers.
fn find_task(local: &Worker<Arc<Task>>, shared: &Shared) -> Option<Arc<Task>> {
    local.pop().or_else(|| {
        std::iter::repeat_with(|| {
            shared
                .injector
                .steal_batch_with_limit_and_pop(local, 4)
                .or_else(|| {
                    shared
                        .stealers
                        .iter()
                        .map(Stealer::steal)
                        .collect::<Steal<_>>()
                })
        })
        .find(|s| !s.is_retry())
        .and_then(Steal::success)
    })
}

/// One worker thread's loop.
fn worker_loop(shared: &Shared, local: Worker<Arc<Task>>, mut exec: Box<dyn Executor>) {
    let _guard = PanicGuard(shared);
    loop {
        let generation = *shared.ready.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(task) = find_task(&local, shared) {
            shared.process(task, exec.as_mut());
            continue;
        }
        if shared.stop.load(Ordering::Acquire) {
            break;
        }
        let mut g = shared.ready.lock().unwrap_or_else(|p| p.into_inner());
        while *g == generation && !shared.stop.load(Ordering::Acquire) {
            g = shared.ready_cv.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }
    while let Some(task) = local.pop() {
        shared.metrics.dropped(DropReason::Shutdown).inc();
        shared.finish(&task, false);
    }
}

/// Build the shared state and start one thread per executor.
pub fn start(
    opts: SchedulerOptions,
    limits: Arc<Limits>,
    executors: Vec<Box<dyn Executor>>,
    metrics: Arc<Metrics>,
) -> (Arc<Shared>, Vec<JoinHandle<()>>) {
    let locals: Vec<Worker<Arc<Task>>> = executors.iter().map(|_| Worker::new_fifo()).collect();
    let unmeasured_guard = opts.unmeasured_guard;
    let shared = Arc::new(Shared {
        opts,
        limits,
        metrics,
        injector: Injector::new(),
        stealers: locals.iter().map(Worker::stealer).collect(),
        conflicts: ConflictMap::new(),
        applier_seq: AtomicU64::new(0),
        window: Mutex::new(Window::default()),
        space: Condvar::new(),
        ready: Mutex::new(0),
        ready_cv: Condvar::new(),
        stop: AtomicBool::new(false),
        panicked: AtomicBool::new(false),
        pending: AtomicI64::new(0),
        rate_guard: AtomicU64::new(unmeasured_guard),
        rate_measured: AtomicBool::new(false),
    });
    let handles = locals
        .into_iter()
        .zip(executors)
        .enumerate()
        .map(|(i, (local, exec))| {
            let s = shared.clone();
            std::thread::Builder::new()
                .name(format!("prefetch-{i}"))
                .spawn(move || worker_loop(&s, local, exec))
                .expect("spawning a worker thread")
        })
        .collect();
    (shared, handles)
}

/// Drop whatever is still queued in the injector (after the workers stopped).
pub fn drain(shared: &Shared) {
    loop {
        match shared.injector.steal() {
            Steal::Success(task) => {
                shared.metrics.dropped(DropReason::Shutdown).inc();
                shared.finish(&task, false);
            }
            Steal::Retry => continue,
            Steal::Empty => break,
        }
    }
}
