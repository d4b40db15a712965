//! The row-key conflict map (DESIGN §5 rules 2 and 3), on dashmap so the reader registering new
//! work and the workers finishing old work touch only the shard of the table involved.
//!
//! * `tails`: per table, the newest unfinished task on each row key and the newest unfinished
//!   whole-table (coarse) task. A new task depends on the tails it overlaps (see `task`), so two
//!   tasks sharing a key never run at once and run in order.
//! * `seen`: first touch wins — a hash of (table, index, key tuple) → the transaction that first
//!   probed it inside the window. A later probe whose key tuples were all seen is not run.
//!
//! Every map hashes with the Fx hasher (`crate::fxhash`), not SipHash: the keys come from the
//! replica's own relay log and only the scheduler consults these maps, so flooding could at
//! worst slow scheduling, and a 64-bit collision in `seen` at worst skips one probe (a page the
//! applier then reads itself), never runs one that must not run. SipHash's resistance bought
//! nothing and was 2% of the daemon's CPU in a catch-up profile, most of it where workers
//! release their tasks.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use dashmap::DashMap;

use super::task::Task;
use crate::event::Value;
use crate::fxhash::{FxBuildHasher, FxHashMap, FxHasher};
use crate::plan::{Probe, ProbeSql};

/// Newest unfinished tasks of one table.
#[derive(Default)]
struct TableTails {
    /// Invariant: a registered, unfinished task holding a whole-table key, or None.
    coarse: Option<Arc<Task>>,
    /// Invariant: row key bytes → a registered, unfinished task holding that key. Entries are
    /// removed when their task finishes, so the map never outgrows the work in flight.
    rows: FxHashMap<Box<[u8]>, Arc<Task>>,
}

/// What first-touch found for a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touch {
    /// Every key tuple was probed earlier in the window: do not run.
    Covered(usize),
    /// Run it; `usize` of its tuples were already covered.
    Fresh(usize),
}

/// The conflict map.
#[derive(Default)]
pub struct ConflictMap {
    tails: DashMap<Arc<str>, TableTails, FxBuildHasher>,
    /// Invariant: hash → seq of a transaction still in the window; removed when it retires.
    seen: DashMap<u64, u64, FxBuildHasher>,
}

impl ConflictMap {
    /// An empty map.
    pub fn new() -> ConflictMap {
        ConflictMap::default()
    }

    /// Link `task` behind the unfinished tasks it shares a key with. Returns how many it waits
    /// for. Locks one table shard at a time and only ever locks a node mutex inside it (never the
    /// reverse), so it cannot deadlock with [`ConflictMap::release`].
    pub fn register(&self, task: &Arc<Task>) -> usize {
        let mut waits = 0;
        for key in &task.probe.row_keys {
            let mut tails = self.tails.entry(key.table.clone()).or_default();
            match &key.pk {
                None => {
                    if let Some(c) = &tails.coarse {
                        waits += usize::from(c.add_dependent(task));
                    }
                    for t in tails.rows.values() {
                        waits += usize::from(t.add_dependent(task));
                    }
                    // Later tasks on any row of the table now wait for this one (and through it
                    // for everything before): the row tails are subsumed.
                    tails.rows.clear();
                    tails.coarse = Some(task.clone());
                }
                Some(pk) => {
                    if let Some(c) = &tails.coarse {
                        waits += usize::from(c.add_dependent(task));
                    }
                    if let Some(t) = tails.rows.insert(pk.clone(), task.clone()) {
                        waits += usize::from(t.add_dependent(task));
                    }
                }
            }
        }
        waits
    }

    /// Remove `task` from the tails it still heads (call once, when it finishes).
    pub fn release(&self, task: &Arc<Task>) {
        for key in &task.probe.row_keys {
            if let Some(mut tails) = self.tails.get_mut(&key.table) {
                match &key.pk {
                    None => {
                        if tails.coarse.as_ref().is_some_and(|c| Arc::ptr_eq(c, task)) {
                            tails.coarse = None;
                        }
                    }
                    Some(pk) => {
                        if tails.rows.get(pk).is_some_and(|t| Arc::ptr_eq(t, task)) {
                            tails.rows.remove(pk);
                        }
                    }
                }
            }
        }
    }

    /// First touch wins: record the probe's read keys for `seq`; report whether they were all
    /// covered already. Hashes newly inserted are appended to `inserted` (forgotten at
    /// retirement).
    pub fn first_touch(&self, probe: &Probe, seq: u64, inserted: &mut Vec<u64>) -> Touch {
        let hashes = read_key_hashes(probe);
        let mut covered = 0;
        for h in &hashes {
            match self.seen.entry(*h) {
                dashmap::Entry::Occupied(_) => covered += 1,
                dashmap::Entry::Vacant(v) => {
                    v.insert(seq);
                    inserted.push(*h);
                }
            }
        }
        if covered == hashes.len() && covered > 0 {
            Touch::Covered(covered)
        } else {
            Touch::Fresh(covered)
        }
    }

    /// Forget the first-touch entries transaction `seq` inserted.
    pub fn forget(&self, hashes: &[u64], seq: u64) {
        for h in hashes {
            self.seen.remove_if(h, |_, s| *s == seq);
        }
    }

    /// Entries held (tests and gauges: must stay bounded by the window).
    pub fn sizes(&self) -> (usize, usize) {
        let rows = self
            .tails
            .iter()
            .map(|t| t.rows.len() + usize::from(t.coarse.is_some()))
            .sum();
        (rows, self.seen.len())
    }
}

/// One hash per key tuple the probe reads: (table, index, tuple). Probes without key tuples
/// (statement rewrites) hash their whole SQL and parameters instead, so an identical statement
/// repeated in the window is probed once.
fn read_key_hashes(probe: &Probe) -> Vec<u64> {
    let base = |h: &mut FxHasher| {
        probe.table.hash(h);
        probe.index.hash(h);
        probe.phase.hash(h);
    };
    if !probe.keys.is_empty() {
        return probe
            .keys
            .iter()
            .map(|tuple| {
                let mut h = FxHasher::default();
                base(&mut h);
                tuple.iter().for_each(|v| hash_value(v, &mut h));
                h.finish()
            })
            .collect();
    }
    let mut h = FxHasher::default();
    base(&mut h);
    match &probe.sql {
        ProbeSql::Text(s) => s.hash(&mut h),
        ProbeSql::Prepared { sql, params } => {
            sql.hash(&mut h);
            params.iter().for_each(|v| hash_value(v, &mut h));
        }
        // DML is not a read: repeated DML is not "the same pages", never dedupe it.
        ProbeSql::Dml(_) => return Vec::new(),
    }
    vec![h.finish()]
}

fn hash_value(v: &Value, h: &mut FxHasher) {
    std::mem::discriminant(v).hash(h);
    match v {
        Value::Null => {}
        Value::Int(i) => i.hash(h),
        Value::UInt(u) => u.hash(h),
        Value::Float(f) => f.to_bits().hash(h),
        Value::Double(d) => d.to_bits().hash(h),
        Value::Decimal(s) => s.hash(h),
        Value::Bytes(b) => b.hash(h),
        Value::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        } => (year, month, day, hour, minute, second, micros).hash(h),
        Value::Time {
            negative,
            hours,
            minutes,
            seconds,
            micros,
        } => (negative, hours, minutes, seconds, micros).hash(h),
    }
}
