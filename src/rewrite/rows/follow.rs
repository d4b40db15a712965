//! Statements with a phase 2, batched across statements (select mode, statement-format streams).
//!
//! `UPDATE t SET k = k + 1 WHERE id = 5` needs the clustered row (phase 1) and then the old and
//! new entries of `k`, computed from that row (phase 2); `DELETE FROM t WHERE id = 7` needs the
//! row and its old entries. One statement at a time that is two round trips per statement, and
//! on a stream of such statements most of the prefetcher's and the server's CPU. Here the pinned
//! primary keys of many such statements on one table become one
//! `SELECT <columns> FROM t FORCE INDEX (PRIMARY) WHERE id IN (…)`, and its follow-up
//! ([`Merged`]) hands each returned row to the statements that pinned its key and reads the
//! entries they need in one IN list per index. The columns selected are the union of what the
//! statements' own phase-1 SELECTs name; each statement's builder sees its row in its own layout.
//! IN lists are padded to a power-of-two length (as in `batch.rs`), so few distinct statements
//! reach the executor's prepared-statement cache.
//!
//! This module does not decide which statements qualify (the planner does) nor which entries a
//! statement needs (`followup.rs`).

use std::sync::Arc;

use super::batch::bucket;
use super::hash::{FxHashMap, KeySet};
use super::table::TableInfo;
use crate::event::{Position, Value};
use crate::plan::{PhaseTwo, Probe, ProbeSql, RowKey};
use crate::rewrite::followup::{Bound, EntrySpec, FollowSpec, condition};
use crate::rewrite::rowkey::{Fold, encode_value};
use crate::schema::quote_ident;

/// Pinned keys of one table waiting for a batched phase 1.
struct Group {
    info: Arc<TableInfo>,
    /// Position of the first statement whose key is waiting.
    first: Option<Position>,
    /// Distinct primary-key tuples, and the row key of each.
    keys: Vec<Vec<Value>>,
    key_rows: Vec<RowKey>,
    /// Row-key bytes → position in `keys`.
    slot: FxHashMap<Box<[u8]>, usize>,
    /// Every statement waiting: the key it pinned and its phase-2 builder.
    follows: Vec<(usize, Arc<Bound>)>,
}

/// Accumulates phase-1 keys with their statements' phase-2 builders, per table.
pub(crate) struct FollowBatcher {
    max_keys: usize,
    groups: Vec<Group>,
    /// TableInfo address → position in `groups` (the group holds the Arc).
    slots: FxHashMap<usize, usize>,
    ready: Vec<(Position, Probe)>,
}

impl FollowBatcher {
    /// A batcher emitting at most `max_keys` keys per phase-1 probe.
    pub fn new(max_keys: usize) -> FollowBatcher {
        FollowBatcher {
            max_keys: max_keys.max(1),
            groups: Vec::new(),
            slots: FxHashMap::default(),
            ready: Vec::new(),
        }
    }

    /// Change the most keys per phase-1 probe (from the next probe cut on).
    pub fn set_max_keys(&mut self, max_keys: usize) {
        self.max_keys = max_keys.max(1);
    }

    /// Distinct keys waiting.
    pub fn pending(&self) -> usize {
        self.groups.iter().map(|g| g.keys.len()).sum()
    }

    /// Add one statement: the primary-key tuple it pins (`info.indexes[0]` is PRIMARY), its row
    /// key and its phase-2 builder.
    pub fn add(
        &mut self,
        info: &Arc<TableInfo>,
        tuple: Vec<Value>,
        row_key: &RowKey,
        follow: Arc<Bound>,
        pos: &Position,
    ) {
        let Some(pk) = row_key.pk.as_ref() else {
            return;
        };
        let gi = *self
            .slots
            .entry(Arc::as_ptr(info) as usize)
            .or_insert_with(|| {
                self.groups.push(Group {
                    info: info.clone(),
                    first: None,
                    keys: Vec::new(),
                    key_rows: Vec::new(),
                    slot: FxHashMap::default(),
                    follows: Vec::new(),
                });
                self.groups.len() - 1
            });
        let g = &mut self.groups[gi];
        if g.first.is_none() {
            g.first = Some(pos.clone());
        }
        let k = match g.slot.get(pk) {
            Some(&k) => k,
            None => {
                g.keys.push(tuple);
                g.key_rows.push(row_key.clone());
                g.slot.insert(pk.clone(), g.keys.len() - 1);
                g.keys.len() - 1
            }
        };
        g.follows.push((k, follow));
        if g.keys.len() >= self.max_keys {
            let p = emit(g, self.max_keys);
            self.ready.extend(p);
        }
    }

    /// Full batches so far.
    pub fn take_ready(&mut self) -> Vec<(Position, Probe)> {
        std::mem::take(&mut self.ready)
    }

    /// Emit everything waiting.
    pub fn flush(&mut self) -> Vec<(Position, Probe)> {
        for g in &mut self.groups {
            let p = emit(g, self.max_keys);
            self.ready.extend(p);
        }
        self.groups.clear();
        self.slots.clear();
        self.take_ready()
    }
}

/// The waiting keys of one table as a phase-1 probe whose follow-up is [`Merged`].
fn emit(g: &mut Group, max_keys: usize) -> Option<(Position, Probe)> {
    if g.keys.is_empty() {
        return None;
    }
    let pos = g.first.take()?;
    let keys = std::mem::take(&mut g.keys);
    let row_keys = std::mem::take(&mut g.key_rows);
    let follows = std::mem::take(&mut g.follows);
    g.slot.clear();
    let info = &g.info;
    let ix = &info.indexes[0];
    let pk_cols: Vec<usize> = ix.key_cols.iter().map(|&(c, _)| c).collect();
    // Only the columns some statement's phase 2 reads: FORCE INDEX (PRIMARY) already makes the
    // server read the clustered row, so the statements' extra columns would only cost bytes.
    let mut used: Vec<(Arc<FollowSpec>, Vec<usize>)> = Vec::new();
    let mut layout: Vec<usize> = pk_cols.clone();
    for (_, b) in &follows {
        if !used.iter().any(|(s, _)| Arc::ptr_eq(s, &b.spec)) {
            let u = b.spec.used_positions();
            layout.extend(u.iter().map(|&p| b.spec.layout[p]));
            used.push((b.spec.clone(), u));
        }
    }
    layout.sort_unstable();
    layout.dedup();
    let at = |ord: usize| layout.binary_search(&ord).ok();
    let merged = Merged {
        info: info.clone(),
        pk_pos: pk_cols.iter().map(|&c| at(c).unwrap_or(0)).collect(),
        follows: follows
            .into_iter()
            .map(|(k, b)| {
                let u = &used
                    .iter()
                    .find(|(s, _)| Arc::ptr_eq(s, &b.spec))
                    .expect("added")
                    .1;
                let remap = (0..b.spec.layout.len())
                    .map(|p| u.binary_search(&p).ok().and_then(|_| at(b.spec.layout[p])))
                    .collect();
                Statement {
                    pk: row_keys[k].pk.clone().unwrap_or_default(),
                    remap,
                    bound: b,
                }
            })
            .collect(),
        row_keys: row_keys.clone(),
        max_keys,
    };
    let t = &info.table;
    let select = layout
        .iter()
        .map(|&c| quote_ident(&t.columns[c].name))
        .collect::<Vec<_>>()
        .join(", ");
    let n = bucket(keys.len(), max_keys);
    let sql = format!(
        "SELECT {select} FROM {}.{} FORCE INDEX (PRIMARY) WHERE {}",
        quote_ident(&t.db),
        quote_ident(&t.name),
        condition(&ix.col_sql, n),
    );
    let params = padded(&keys, n);
    Some((
        pos,
        Probe {
            table: info.name.clone(),
            index: ix.name.clone(),
            phase: 1,
            sql: ProbeSql::Prepared {
                sql: sql.into(),
                params,
            },
            keys,
            row_keys,
            follow_up: Some(Arc::new(merged)),
        },
    ))
}

/// The parameters of `n` tuples: `keys`, then the last one repeated.
fn padded(keys: &[Vec<Value>], n: usize) -> Vec<Value> {
    let mut params: Vec<Value> = keys.iter().flatten().cloned().collect();
    if let Some(last) = keys.last() {
        for _ in keys.len()..n {
            params.extend(last.iter().cloned());
        }
    }
    params
}

/// Phase 2 of a batched phase 1: each returned row goes to the statements that pinned its key.
struct Merged {
    info: Arc<TableInfo>,
    /// Positions of the primary-key columns in a returned row.
    pk_pos: Vec<usize>,
    /// The statements, in stream order.
    follows: Vec<Statement>,
    row_keys: Vec<RowKey>,
    max_keys: usize,
}

/// One statement waiting for its row.
struct Statement {
    /// Its row key's bytes.
    pk: Box<[u8]>,
    /// The returned-row position of each of its own phase-1 positions (None: not fetched, as
    /// its phase 2 does not read it).
    remap: Vec<Option<usize>>,
    /// Its phase-2 builder.
    bound: Arc<Bound>,
}

/// Entries of one index gathered from every statement.
struct Entries<'a> {
    spec: &'a EntrySpec,
    tuples: Vec<Vec<Value>>,
    seen: KeySet,
}

impl PhaseTwo for Merged {
    fn probes(&self, rows: &[Vec<Value>]) -> Vec<Probe> {
        let mut by_key: FxHashMap<Box<[u8]>, usize> = FxHashMap::default();
        let mut buf = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let pk: Option<Vec<&Value>> = self.pk_pos.iter().map(|&p| r.get(p)).collect();
            if let Some(pk) = pk {
                let key = self.info.encoder.key_with(pk, &mut buf);
                if let Some(bytes) = key.pk {
                    by_key.insert(bytes, i);
                }
            }
        }
        let mut acc: Vec<Entries<'_>> = Vec::new();
        for Statement { pk, remap, bound } in &self.follows {
            let Some(&ri) = by_key.get(pk) else {
                continue;
            };
            let row: Vec<Value> = remap
                .iter()
                .map(|&p| {
                    p.and_then(|p| rows[ri].get(p).cloned())
                        .unwrap_or(Value::Null)
                })
                .collect();
            bound.tuples(&row, |ei, tuple| {
                let spec = &bound.spec.entries[ei];
                let slot = match acc.iter().position(|a| a.spec.index == spec.index) {
                    Some(s) => s,
                    None => {
                        acc.push(Entries {
                            spec,
                            tuples: Vec::new(),
                            seen: KeySet::default(),
                        });
                        acc.len() - 1
                    }
                };
                let a = &mut acc[slot];
                buf.clear();
                for v in &tuple {
                    encode_value(&mut buf, v, Fold::BINARY, None);
                }
                if a.seen.insert(&buf) {
                    a.tuples.push(tuple);
                }
            });
        }
        let mut out = Vec::new();
        for a in acc {
            for chunk in a.tuples.chunks(self.max_keys) {
                let n = bucket(chunk.len(), self.max_keys);
                out.push(Probe {
                    table: self.info.name.clone(),
                    index: a.spec.index.clone(),
                    phase: 2,
                    sql: ProbeSql::Prepared {
                        sql: format!("{}{}", a.spec.head, condition(&a.spec.cols, n)).into(),
                        params: padded(chunk, n),
                    },
                    keys: chunk.to_vec(),
                    row_keys: self.row_keys.clone(),
                    follow_up: None,
                });
            }
        }
        out
    }
}
