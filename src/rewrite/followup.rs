//! Phase 2 of an UPDATE/DELETE rewrite: from the rows phase 1 returned (old values of the primary
//! key and of the affected secondary-index columns), probe the old entry of every affected
//! secondary index and, for UPDATE, the new entry computed from simple expressions
//! (`k = k + 1`, `c = 'x'`). Probes are prepared statements: values from the server are bound as
//! parameters, never spliced into SQL text. The SQL skeletons were built from schema identifiers
//! and guarded when the template was made.

use std::sync::Arc;

use super::rowkey;
use super::template::Literals;
use super::values::ValExpr;
use crate::event::Value;
use crate::plan::{FollowUp, PhaseTwo, Probe, ProbeSql};
use crate::schema::Table;

/// Most key tuples bound into one phase-2 probe.
pub const MAX_TUPLES: usize = 500;

/// One secondary index whose entries phase 2 probes.
#[derive(Debug, Clone)]
pub struct EntrySpec {
    /// Index name.
    pub index: String,
    /// "SELECT … FROM … FORCE INDEX (…) WHERE " (schema identifiers only).
    pub head: String,
    /// Quoted key column names: the index columns, plus the PK columns for a non-unique index.
    pub cols: Vec<String>,
    /// Positions of those columns in the phase-1 row.
    pub old: Vec<usize>,
    /// New key values (over phase-1 row positions); None = no new entry (DELETE) or unknown.
    pub new: Option<Vec<ValExpr>>,
}

/// Everything phase 2 needs.
#[derive(Debug, Clone)]
pub struct FollowSpec {
    /// The table.
    pub table: Arc<Table>,
    /// Column ordinal of every phase-1 row position (the phase-1 select list).
    pub layout: Vec<usize>,
    /// Positions of the PK columns in the phase-1 row.
    pub pk_pos: Vec<usize>,
    /// Affected indexes.
    pub entries: Vec<EntrySpec>,
}

impl FollowSpec {
    /// The phase-1 row positions phase 2 reads (primary key, old entry columns, columns the
    /// new values are computed from), sorted; the others (columns selected only so that the
    /// server reads the clustered row) need not be fetched when the read is forced onto the
    /// primary key.
    pub fn used_positions(&self) -> Vec<usize> {
        let mut out = self.pk_pos.clone();
        for e in &self.entries {
            out.extend(&e.old);
            for x in e.new.iter().flatten() {
                x.columns(&mut out);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Bind the statement's literals and return the phase-2 builder. The spec itself is shared
    /// (no per-statement copy); only the bound new-value expressions are per statement.
    pub fn bind(self: &Arc<Self>, lits: &Literals<'_>) -> Option<FollowUp> {
        let lit = |i| lits.value(i);
        let news: Vec<Option<Vec<ValExpr>>> = self
            .entries
            .iter()
            .map(|e| {
                e.new
                    .as_ref()
                    .and_then(|n| n.iter().map(|x| x.bind(&lit)).collect())
            })
            .collect();
        Some(Arc::new(Bound {
            spec: Arc::clone(self),
            news,
        }))
    }
}

/// One statement's phase-2 builder: the shared spec plus the statement's bound new-value
/// expressions. The row-probe builder recognises it (see `rows/follow.rs`) to merge the phase 1
/// and phase 2 of many statements into a few batched probes.
#[derive(Debug)]
pub struct Bound {
    /// The statement shape's spec.
    pub spec: Arc<FollowSpec>,
    /// Per entry: the new key values, bound (None = no new entry or unknown).
    news: Vec<Option<Vec<ValExpr>>>,
}

impl Bound {
    /// Every entry tuple (old and, for UPDATE, new) that phase 2 must read for one phase-1 row,
    /// as `(entry position in spec.entries, tuple)`. Tuples with NULL are left out (an IN list
    /// cannot find them).
    pub fn tuples(&self, row: &[Value], mut f: impl FnMut(usize, Vec<Value>)) {
        for (i, (e, new_exprs)) in self.spec.entries.iter().zip(&self.news).enumerate() {
            let old: Option<Vec<Value>> = e.old.iter().map(|&p| row.get(p).cloned()).collect();
            let new: Option<Vec<Value>> = new_exprs
                .as_ref()
                .and_then(|n| n.iter().map(|x| x.eval(row)).collect());
            let same = old.is_some() && old == new;
            let new = if same { None } else { new };
            for t in [old, new].into_iter().flatten() {
                if !t.iter().any(|v| matches!(v, Value::Null)) {
                    f(i, t);
                }
            }
        }
    }
}

impl PhaseTwo for Bound {
    fn probes(&self, rows: &[Vec<Value>]) -> Vec<Probe> {
        let spec = &self.spec;
        let qualified = spec.table.qualified_name();
        let row_keys: Vec<_> = rows
            .iter()
            .map(|r| {
                let pk: Option<Vec<Value>> =
                    spec.pk_pos.iter().map(|&i| r.get(i).cloned()).collect();
                pk.map_or_else(
                    || rowkey::table_key(&spec.table),
                    |v| rowkey::row_key(&spec.table, &v),
                )
            })
            .collect();
        let mut per_entry: Vec<Vec<Vec<Value>>> = vec![Vec::new(); spec.entries.len()];
        for r in rows {
            self.tuples(r, |i, t| {
                if !per_entry[i].contains(&t) {
                    per_entry[i].push(t);
                }
            });
        }
        let mut out = Vec::new();
        for (e, tuples) in spec.entries.iter().zip(&per_entry) {
            for chunk in tuples.chunks(MAX_TUPLES) {
                out.push(entry_probe(&qualified, e, chunk, row_keys.clone()));
            }
        }
        out
    }
}

/// One phase-2 probe reading `tuples` of entry `e`.
pub fn entry_probe(
    qualified: &str,
    e: &EntrySpec,
    tuples: &[Vec<Value>],
    row_keys: Vec<crate::plan::RowKey>,
) -> Probe {
    Probe {
        table: qualified.to_string(),
        index: e.index.clone(),
        phase: 2,
        sql: ProbeSql::Prepared {
            sql: format!("{}{}", e.head, condition(&e.cols, tuples.len())).into(),
            params: tuples.iter().flatten().cloned().collect(),
        },
        keys: tuples.to_vec(),
        row_keys,
        follow_up: None,
    }
}

/// `a = ? AND b = ?` for one tuple, `a IN (?, ?)` / `(a, b) IN ((?, ?), (?, ?))` for several.
pub fn condition(cols: &[String], n: usize) -> String {
    if n == 1 {
        return cols
            .iter()
            .map(|c| format!("{c} = ?"))
            .collect::<Vec<_>>()
            .join(" AND ");
    }
    let one = if cols.len() == 1 {
        "?".to_string()
    } else {
        format!("({})", vec!["?"; cols.len()].join(", "))
    };
    let lhs = if cols.len() == 1 {
        cols[0].clone()
    } else {
        format!("({})", cols.join(", "))
    };
    format!("{lhs} IN ({})", vec![one; n].join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions() {
        let c = vec!["`k`".to_string(), "`id`".to_string()];
        assert_eq!(condition(&c, 1), "`k` = ? AND `id` = ?");
        assert_eq!(condition(&c, 2), "(`k`, `id`) IN ((?, ?), (?, ?))");
        assert_eq!(condition(&c[..1], 3), "`k` IN (?, ?, ?)");
    }
}
