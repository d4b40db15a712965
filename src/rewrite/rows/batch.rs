//! Groups row-probe keys by (table, index) and turns each group into few prepared SELECTs:
//! `SELECT … FROM db.t FORCE INDEX (ix) WHERE (a,b) IN ((?,?),…)` (`a IN (?,…)` for one column),
//! at most `max_keys` keys per query. Values are bound parameters, never SQL text. IN lists are
//! padded to a power-of-two length by repeating the last key, so one index needs at most
//! log2(max_keys)+1 distinct statements in the executor's prepared-statement cache.
//!
//! A tuple containing NULL cannot go in an IN list (`NULL IN (NULL)` is not true), so those go to
//! separate queries of `(a IS NULL AND b = ?) OR …` — still a range on the index.
//! Keys equal under the columns' collations are probed once per group; while the buffer pool
//! fills, the caller can have probed keys remembered across groups too (`set_remember`), and
//! then a key of a one-integer clustered key close enough to one already probed to share its
//! leaf page is skipped as well (`TableInfo::page_span`). This module does not decide which
//! keys are needed (`needs.rs`) nor when a group ends (the caller flushes).

use std::sync::Arc;

use crate::event::{Position, Value};
use crate::plan::{Probe, ProbeSql, RowKey};
use crate::rewrite::rowkey::encode_value;

use super::hash::{FxHashMap, KeySet};
use super::table::{IndexPlan, TableInfo};

/// Keys waiting for one (table, index).
struct Group {
    info: Arc<TableInfo>,
    index: usize,
    /// Position of the first event whose keys are waiting.
    first: Option<Position>,
    keys: Vec<Vec<Value>>,
    key_rows: Vec<RowKey>,
    null_keys: Vec<Vec<Value>>,
    null_rows: Vec<RowKey>,
    /// Canonical encodings of every key taken since the last `flush` (de-duplication), and of
    /// the keys remembered from earlier windows (the first `kept_from`).
    seen: KeySet,
    /// `seen`'s mark when the group opened: keys below it were remembered from earlier
    /// windows.
    kept_from: usize,
}

/// First byte of a page-span entry in a group's key set; no key encoding starts with it
/// (`rowkey`'s type tags are 0–6).
const T_PAGE_SPAN: u8 = 0xB0;

/// Which page span of the clustered index a one-integer key falls in (None: not such a key, or
/// spans unknown).
fn page_span_key(info: &TableInfo, tuple: &[Value]) -> Option<i128> {
    let span = i128::from(info.page_span?.max(1));
    match tuple {
        [Value::Int(i)] => Some(i128::from(*i).div_euclid(span)),
        [Value::UInt(u)] => Some(i128::from(*u).div_euclid(span)),
        _ => None,
    }
}

/// Accumulates needs into probes.
pub(crate) struct Batcher {
    max_keys: usize,
    groups: Vec<Group>,
    /// (TableInfo address, index) → position in `groups`. The group holds the Arc, so the
    /// address cannot be reused while the entry exists.
    slots: FxHashMap<(usize, usize), usize>,
    ready: Vec<(Position, Probe)>,
    scratch: Vec<u8>,
    /// De-duplication sets of ended windows, cleared, reused so their tables need not grow
    /// again.
    spare: Vec<KeySet>,
    /// Keep the groups' keys across flushes, up to this many bytes in all (0: off). For a
    /// buffer pool that is still filling: a page read once stays, so a key probed in an earlier
    /// window needs no second probe. When a set would pass the bound, all start over.
    remember: usize,
    /// Sets kept across flushes, by the same slot key as `slots`; the Arc pins the address.
    memory: FxHashMap<(usize, usize), (Arc<TableInfo>, KeySet)>,
    /// Keys skipped because a set kept across flushes held them (taken by the caller).
    remembered: u64,
}

impl Batcher {
    /// A batcher emitting at most `max_keys` keys per probe.
    pub fn new(max_keys: usize) -> Batcher {
        Batcher {
            max_keys: max_keys.max(1),
            groups: Vec::new(),
            slots: FxHashMap::default(),
            ready: Vec::new(),
            scratch: Vec::new(),
            spare: Vec::new(),
            remember: 0,
            memory: FxHashMap::default(),
            remembered: 0,
        }
    }

    /// Remember probed keys across flushes in up to `bytes` of sets in all (0: forget at each
    /// flush, the default). `forget` (implied by 0) first drops what was remembered: the pages
    /// may be gone (the buffer pool was emptied or started evicting). Keys of the window still
    /// open stay: they are not probed yet.
    pub fn set_remember(&mut self, bytes: usize, forget: bool) {
        self.remember = bytes;
        if forget || bytes == 0 {
            self.forget();
        }
    }

    /// Drop every key remembered across flushes.
    fn forget(&mut self) {
        for (_, (_, mut set)) in self.memory.drain() {
            set.clear();
            self.spare.push(set);
        }
    }

    /// Keys skipped since the last call because a set kept across flushes held them.
    pub fn take_remembered(&mut self) -> u64 {
        std::mem::take(&mut self.remembered)
    }

    /// Change the most keys per probe. A group already holding more keys than the new bound
    /// is emitted whole at its next key (one probe of the old size at most).
    pub fn set_max_keys(&mut self, max_keys: usize) {
        self.max_keys = max_keys.max(1);
    }

    /// Number of distinct keys waiting (not yet in a probe).
    pub fn pending(&self) -> usize {
        self.groups
            .iter()
            .map(|g| g.keys.len() + g.null_keys.len())
            .sum()
    }

    /// Add one needed entry of index `index` (position in `info.indexes`) for the row `row_key`,
    /// read by the event at `pos`.
    pub fn add(
        &mut self,
        info: &Arc<TableInfo>,
        index: usize,
        tuple: Vec<Value>,
        row_key: &RowKey,
        pos: &Position,
    ) {
        let slot_key = (Arc::as_ptr(info) as usize, index);
        let spare = &mut self.spare;
        let memory = &mut self.memory;
        let gi = *self.slots.entry(slot_key).or_insert_with(|| {
            let kept = memory.remove(&slot_key).map(|(_, set)| set);
            self.groups.push(Group {
                info: info.clone(),
                index,
                first: None,
                keys: Vec::new(),
                key_rows: Vec::new(),
                null_keys: Vec::new(),
                null_rows: Vec::new(),
                kept_from: kept.as_ref().map_or(0, KeySet::mark),
                seen: kept.or_else(|| spare.pop()).unwrap_or_default(),
            });
            self.groups.len() - 1
        });
        let g = &mut self.groups[gi];
        let ix = &info.indexes[index];
        self.scratch.clear();
        for (v, (fold, (_, prefix))) in tuple.iter().zip(ix.folds.iter().zip(&ix.key_cols)) {
            encode_value(&mut self.scratch, v, *fold, *prefix);
        }
        if let Some(at) = g.seen.find_or_insert(&self.scratch) {
            if at < g.kept_from {
                self.remembered += 1;
            }
            return;
        }
        // While the pool fills, a key whose leaf page a probed key shares needs no probe of its
        // own: the page stays (see `TableInfo::page_span`).
        if self.remember > 0
            && index == 0
            && !info.unkeyed
            && let Some(span) = page_span_key(info, &tuple)
        {
            self.scratch.clear();
            self.scratch.push(T_PAGE_SPAN);
            self.scratch.extend_from_slice(&span.to_be_bytes());
            if g.seen.find_or_insert(&self.scratch).is_some() {
                self.remembered += 1;
                return;
            }
        }
        if g.first.is_none() {
            g.first = Some(pos.clone());
        }
        let has_null = tuple.contains(&Value::Null);
        let (keys, rows) = if has_null {
            (&mut g.null_keys, &mut g.null_rows)
        } else {
            (&mut g.keys, &mut g.key_rows)
        };
        keys.push(tuple);
        if rows.last() != Some(row_key) {
            rows.push(row_key.clone());
        }
        if keys.len() >= self.max_keys {
            let probe = emit(g, has_null, self.max_keys);
            self.ready.extend(probe);
        }
    }

    /// Probes completed so far (full batches), in emission order, with the position of the
    /// first event that contributed to each.
    pub fn take_ready(&mut self) -> Vec<(Position, Probe)> {
        std::mem::take(&mut self.ready)
    }

    /// Emit every waiting key and forget the de-duplication state (the group window ends),
    /// unless keys are remembered (`set_remember`).
    pub fn flush(&mut self) -> Vec<(Position, Probe)> {
        for g in &mut self.groups {
            let a = emit(g, false, self.max_keys);
            self.ready.extend(a);
            let b = emit(g, true, self.max_keys);
            self.ready.extend(b);
        }
        let mut held: usize = self.memory.values().map(|(_, set)| set.bytes()).sum();
        let mut groups = std::mem::take(&mut self.groups);
        for mut g in groups.drain(..) {
            let bytes = g.seen.bytes();
            if self.remember > 0 && held + bytes > self.remember {
                // Full: start over (this also drops the sets of tables reloaded since, which
                // no group will open again).
                self.forget();
                held = 0;
            }
            if self.remember > 0 && bytes <= self.remember {
                held += bytes;
                let slot = (Arc::as_ptr(&g.info) as usize, g.index);
                self.memory.insert(slot, (g.info, g.seen));
            } else {
                g.seen.clear();
                self.spare.push(g.seen);
            }
        }
        self.groups = groups;
        self.slots.clear();
        self.take_ready()
    }
}

/// Turn the waiting keys of one kind (with or without NULLs) into a probe.
fn emit(g: &mut Group, nulls: bool, max_keys: usize) -> Option<(Position, Probe)> {
    let (keys, rows) = if nulls {
        (
            std::mem::take(&mut g.null_keys),
            std::mem::take(&mut g.null_rows),
        )
    } else {
        (std::mem::take(&mut g.keys), std::mem::take(&mut g.key_rows))
    };
    if keys.is_empty() {
        return None;
    }
    let pos = if g.keys.is_empty() && g.null_keys.is_empty() {
        g.first.take()
    } else {
        g.first.clone()
    }?;
    let ix = &g.info.indexes[g.index];
    let sql = if nulls {
        null_sql(ix, &keys)
    } else {
        in_sql(ix, &keys, max_keys)
    };
    let probe = Probe {
        table: g.info.name.clone(),
        index: ix.name.clone(),
        phase: 1,
        sql,
        keys,
        row_keys: rows,
        follow_up: None,
    };
    Some((pos, probe))
}

/// IN-list size for `n` keys: the next power of two, capped at `max_keys`.
pub(crate) fn bucket(n: usize, max_keys: usize) -> usize {
    n.next_power_of_two().min(max_keys.max(n))
}

fn in_sql(ix: &IndexPlan, keys: &[Vec<Value>], max_keys: usize) -> ProbeSql {
    let n = bucket(keys.len(), max_keys);
    let sql = ix
        .in_sql
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(n)
        .or_insert_with(|| Arc::from(in_text(ix, n)))
        .clone();
    let width = ix.key_cols.len();
    let mut params = Vec::with_capacity(n * width);
    for k in keys {
        params.extend(k.iter().cloned());
    }
    if let Some(last) = keys.last() {
        for _ in keys.len()..n {
            params.extend(last.iter().cloned());
        }
    }
    ProbeSql::Prepared { sql, params }
}

/// `head (a,b) IN ((?,?),…)` with `n` tuples.
fn in_text(ix: &IndexPlan, n: usize) -> String {
    let width = ix.col_sql.len();
    let mut s = String::with_capacity(ix.head.len() + 32 + n * (width * 2 + 3));
    s.push_str(&ix.head);
    if width == 1 {
        s.push_str(&ix.col_sql[0]);
        s.push_str(" IN (");
        push_joined(&mut s, n, "?");
        s.push(')');
    } else {
        s.push('(');
        s.push_str(&ix.col_sql.join(","));
        s.push_str(") IN (");
        let tuple = format!("({})", vec!["?"; width].join(","));
        push_joined(&mut s, n, &tuple);
        s.push(')');
    }
    s
}

fn push_joined(s: &mut String, n: usize, item: &str) {
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(item);
    }
}

/// `head (a IS NULL AND b = ?) OR …`; only the non-NULL values are parameters.
fn null_sql(ix: &IndexPlan, keys: &[Vec<Value>]) -> ProbeSql {
    let mut s = ix.head.clone();
    let mut params = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            s.push_str(" OR ");
        }
        s.push('(');
        for (j, (v, col)) in k.iter().zip(&ix.col_sql).enumerate() {
            if j > 0 {
                s.push_str(" AND ");
            }
            s.push_str(col);
            if *v == Value::Null {
                s.push_str(" IS NULL");
            } else {
                s.push_str(" = ?");
                params.push(v.clone());
            }
        }
        s.push(')');
    }
    ProbeSql::Prepared {
        sql: Arc::from(s),
        params,
    }
}
