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
use crate::plan::{FollowUp, Probe, ProbeSql};
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
    /// Positions of the PK columns in the phase-1 row.
    pub pk_pos: Vec<usize>,
    /// Affected indexes.
    pub entries: Vec<EntrySpec>,
}

impl FollowSpec {
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
        let spec = Arc::clone(self);
        Some(Arc::new(move |rows: &[Vec<Value>]| {
            spec.probes(rows, &news)
        }))
    }

    fn probes(&self, rows: &[Vec<Value>], news: &[Option<Vec<ValExpr>>]) -> Vec<Probe> {
        let qualified = self.table.qualified_name();
        let row_keys: Vec<_> = rows
            .iter()
            .map(|r| {
                let pk: Option<Vec<Value>> =
                    self.pk_pos.iter().map(|&i| r.get(i).cloned()).collect();
                pk.map_or_else(
                    || rowkey::table_key(&self.table),
                    |v| rowkey::row_key(&self.table, &v),
                )
            })
            .collect();
        let mut out = Vec::new();
        for (e, new_exprs) in self.entries.iter().zip(news) {
            let mut tuples: Vec<Vec<Value>> = Vec::new();
            for r in rows {
                let old: Option<Vec<Value>> = e.old.iter().map(|&i| r.get(i).cloned()).collect();
                let new: Option<Vec<Value>> = new_exprs
                    .as_ref()
                    .and_then(|n| n.iter().map(|x| x.eval(r)).collect());
                for t in [old, new].into_iter().flatten() {
                    if !t.iter().any(|v| matches!(v, Value::Null)) && !tuples.contains(&t) {
                        tuples.push(t);
                    }
                }
            }
            for chunk in tuples.chunks(MAX_TUPLES) {
                out.push(Probe {
                    table: qualified.clone(),
                    index: e.index.clone(),
                    phase: 2,
                    sql: ProbeSql::Prepared {
                        sql: format!("{}{}", e.head, condition(&e.cols, chunk.len())).into(),
                        params: chunk.iter().flatten().cloned().collect(),
                    },
                    keys: chunk.to_vec(),
                    row_keys: row_keys.clone(),
                    follow_up: None,
                });
            }
        }
        out
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
