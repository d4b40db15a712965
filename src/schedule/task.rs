//! A scheduled probe ([`Task`]) with its place in the per-key dependency graph, and the
//! per-transaction bookkeeping shared by its tasks ([`TxnShared`]).
//!
//! The graph is what enforces "never two probes on one key at once" and "a blocked head is never
//! skipped past within a key": at registration a task depends on the previous unfinished task of
//! each of its keys, so tasks on one key form a chain in registration (= transaction) order and a
//! task becomes runnable only when every predecessor has finished. Edges always point from an
//! older registration to a newer one, so the graph has no cycles and cannot deadlock.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::plan::{Probe, Session};

/// Per-transaction state shared by its tasks and its window slot.
#[derive(Debug, Default)]
pub struct TxnShared {
    /// Transaction sequence number.
    pub seq: u64,
    /// Tasks registered and not yet finished (run or dropped). Invariant: incremented before a
    /// task is made visible to workers, decremented exactly once when it finishes.
    pub outstanding: AtomicU32,
    /// Tasks ever registered for this transaction.
    pub registered: AtomicU32,
    /// Probes deduplicated away (their pages are covered by an earlier probe).
    pub deduped: AtomicU32,
    /// Set when any task did not finish successfully (dropped, timed out, failed).
    pub incomplete: AtomicBool,
    /// First-touch hashes this transaction inserted (removed from the map when it retires).
    /// Invariant: hashes are inserted into the map only while holding this lock and only while
    /// `retired` is false, so retirement (which sets `retired` under the lock and takes the
    /// list) sees every one of them — nothing leaks. Lock order: this lock, then dashmap shards
    /// or the ready-queue lock; never the window lock inside it.
    pub seen: Mutex<Vec<u64>>,
    /// Set once, under `seen`, when the applier has passed the transaction.
    pub retired: AtomicBool,
}

impl TxnShared {
    /// Fresh state for `seq`.
    pub fn new(seq: u64) -> Arc<TxnShared> {
        Arc::new(TxnShared {
            seq,
            ..Default::default()
        })
    }

    /// Mark retired and take the first-touch hashes to forget.
    pub fn retire(&self) -> Vec<u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        self.retired
            .store(true, std::sync::atomic::Ordering::Release);
        std::mem::take(&mut *seen)
    }
}

/// Dependency-node state, guarded by [`Task::node`].
#[derive(Default)]
pub struct NodeState {
    /// Set once when the task finishes; no dependents are added after.
    pub done: bool,
    /// Tasks waiting for this one.
    pub dependents: Vec<Arc<Task>>,
}

/// One probe in the scheduler.
pub struct Task {
    /// Its transaction.
    pub seq: u64,
    /// The probe.
    pub probe: Probe,
    /// Session of its transaction.
    pub session: Arc<Session>,
    /// Its transaction's shared state.
    pub txn: Arc<TxnShared>,
    /// Unfinished predecessors + 1 while registration is in progress. The task is pushed to the
    /// run queue by whoever brings this to zero, exactly once.
    pub pending: AtomicUsize,
    /// Dependency edges out of this task.
    pub node: Mutex<NodeState>,
}

impl Task {
    /// A task not yet registered (pending = 1: the registration guard).
    pub fn new(seq: u64, probe: Probe, session: Arc<Session>, txn: Arc<TxnShared>) -> Arc<Task> {
        Arc::new(Task {
            seq,
            probe,
            session,
            txn,
            pending: AtomicUsize::new(1),
            node: Mutex::new(NodeState::default()),
        })
    }

    /// Make `next` wait for `self` unless `self` already finished. Returns whether an edge was
    /// added (and `next.pending` incremented).
    pub fn add_dependent(self: &Arc<Self>, next: &Arc<Task>) -> bool {
        if Arc::ptr_eq(self, next) {
            return false;
        }
        let mut node = self.node.lock().unwrap_or_else(|p| p.into_inner());
        if node.done || node.dependents.iter().any(|d| Arc::ptr_eq(d, next)) {
            return false;
        }
        next.pending.fetch_add(1, Ordering::AcqRel);
        node.dependents.push(next.clone());
        true
    }

    /// Drop one pending count; true when the task just became runnable.
    pub fn release_one(&self) -> bool {
        self.pending.fetch_sub(1, Ordering::AcqRel) == 1
    }

    /// Mark finished and return the dependents that just became runnable.
    pub fn complete(&self) -> Vec<Arc<Task>> {
        let deps = {
            let mut node = self.node.lock().unwrap_or_else(|p| p.into_inner());
            node.done = true;
            std::mem::take(&mut node.dependents)
        };
        deps.into_iter().filter(|d| d.release_one()).collect()
    }
}
