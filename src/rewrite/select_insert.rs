//! Select-mode rewrite of INSERT and REPLACE (DESIGN §4): the clustered leaf where each explicit
//! primary key goes, and each unique and secondary index entry of the new rows, batched with
//! row-constructor IN lists into one query per index (per 1,000 rows). An auto-increment key
//! without a value inserts at the right edge of the clustered index, which is hot: no probe.
//! ON DUPLICATE KEY UPDATE and REPLACE also read the existing row a unique key conflicts with
//! (the unique-index probes select a column the index does not cover). INSERT … SELECT runs its
//! SELECT when that has an index-usable predicate.

use std::sync::Arc;

use sqlparser::ast::{Expr, Insert, ObjectNamePart, Query, SetExpr, TableObject};

use super::Ctx;
use super::resolve::{self, is_const, lookup, quote, quote_table, skip, uncovered_columns};
use super::template::{Body, KeyT, ProbeT, SqlT, TextT};
use super::values::ValExpr;
use crate::event::Value;
use crate::plan::{Skip, SkipReason};
use crate::schema::Table;

/// Most tuples in one probe.
const MAX_TUPLES: usize = 1000;

/// Rewrite an INSERT or REPLACE.
pub fn insert(ins: &Insert, cx: &Ctx<'_>) -> Result<Body, Skip> {
    let TableObject::TableName(name) = &ins.table else {
        return Err(skip(SkipReason::Unparsable, "INSERT INTO a table function"));
    };
    let t = lookup(name, cx.default_db, cx.schema)?;
    let target = [resolve::TableRef {
        table: t.clone(),
        qualifier: sqlparser::ast::Ident::new(t.name.clone()),
    }];
    resolve::check_engines(&target)?;
    let rows = match source(ins) {
        Source::Rows(rows) => rows,
        Source::Select(q) => return insert_select(&t, q, cx),
        Source::Nothing => return Err(skip(SkipReason::Unparsable, "INSERT without values")),
    };
    let rows = NewRows {
        t: &t,
        colmap: checked_column_map(&t, ins, &rows)?,
        rows,
    };
    let (mut probes, keys, pk_known) = rows.clustered();
    let upsert = ins.on.is_some() || ins.replace_into;
    for idx in (0..t.indexes.len()).filter(|&i| !t.indexes[i].primary) {
        probes.extend(rows.secondary(idx, pk_known, upsert));
    }
    if probes.is_empty() {
        return Err(skip(
            SkipReason::NothingToPrefetch,
            "auto-increment insert into the hot right edge, no other index entry known",
        ));
    }
    Ok(Body {
        tables: vec![t.qualified_name()],
        probes,
        applier_keys: keys,
    })
}

/// Where an INSERT's rows come from.
enum Source<'a> {
    /// VALUES rows or a SET list: value expressions by position.
    Rows(Vec<Vec<&'a Expr>>),
    /// INSERT … SELECT.
    Select(&'a Query),
    /// Neither.
    Nothing,
}

fn source(ins: &Insert) -> Source<'_> {
    match ins.source.as_deref() {
        None if !ins.assignments.is_empty() => {
            Source::Rows(vec![ins.assignments.iter().map(|a| &a.value).collect()])
        }
        None => Source::Nothing,
        Some(q) => match q.body.as_ref() {
            SetExpr::Values(v) => {
                Source::Rows(v.rows.iter().map(|r| r.content.iter().collect()).collect())
            }
            SetExpr::Query(inner) => Source::Select(inner),
            _ => Source::Select(q),
        },
    }
}

/// Primary-key tuples of the rows a VALUES insert writes, when every row gives its primary key
/// as a constant (not a generated auto-increment value); None otherwise (INSERT … SELECT, a
/// computed or missing key, a table without a primary key).
pub fn inserted_pks(ins: &Insert, t: &Arc<Table>) -> Option<Vec<Vec<ValExpr>>> {
    let Source::Rows(rows) = source(ins) else {
        return None;
    };
    let rows = NewRows {
        t,
        colmap: checked_column_map(t, ins, &rows).ok()?,
        rows,
    };
    let pk = rows.pk();
    if pk.is_empty() || rows.rows.is_empty() {
        return None;
    }
    let no_col = |_: &Expr| None;
    rows.rows
        .iter()
        .map(|row| {
            pk.iter()
                .map(|&c| ValExpr::from_expr(row[rows.value(row, c)?], &no_col))
                .collect::<Option<Vec<_>>>()
        })
        .collect()
}

/// The column map, checked against the number of values in every row.
fn checked_column_map(t: &Table, ins: &Insert, rows: &[Vec<&Expr>]) -> Result<Vec<usize>, Skip> {
    // `INSERT INTO t () VALUES ()`: every column takes its default.
    if ins.columns.is_empty() && rows.iter().all(|r| r.is_empty()) {
        return Ok(Vec::new());
    }
    let colmap = column_map(t, ins)?;
    if rows.iter().any(|r| r.len() != colmap.len()) {
        // Without a column list the server matches values to the table's columns: a mismatch
        // means our schema is not the table the statement was written for.
        let reason = if ins.columns.is_empty() && ins.assignments.is_empty() {
            SkipReason::SchemaDrift
        } else {
            SkipReason::Unparsable
        };
        return Err(skip(reason, "column count does not match value count"));
    }
    Ok(colmap)
}

/// The rows an INSERT writes: value expressions by position, and the column of each position.
struct NewRows<'a> {
    t: &'a Arc<Table>,
    colmap: Vec<usize>,
    rows: Vec<Vec<&'a Expr>>,
}

impl NewRows<'_> {
    /// Position of column `ci` in `row` when its value is a known constant (not a generated
    /// auto-increment value).
    fn value(&self, row: &[&Expr], ci: usize) -> Option<usize> {
        self.colmap
            .iter()
            .position(|&c| c == ci)
            .filter(|&p| is_const(row[p]) && !is_null_or_zero_auto(self.t, ci, row[p]))
    }

    fn pk(&self) -> Vec<usize> {
        self.t
            .primary_key()
            .map(|p| p.columns.iter().map(|c| c.column).collect())
            .unwrap_or_default()
    }

    /// The clustered-index probe for explicit primary keys, the applier keys, and whether every
    /// row's primary key is known.
    fn clustered(&self) -> (Vec<ProbeT>, Vec<KeyT>, bool) {
        let t = self.t;
        let pk = self.pk();
        let no_col = |_: &Expr| None;
        let mut keys = Vec::new();
        let mut tuples = Vec::new();
        for row in &self.rows {
            let pos: Option<Vec<usize>> = pk.iter().map(|&c| self.value(row, c)).collect();
            match pos {
                Some(pos) if !pk.is_empty() => {
                    let vals: Option<Vec<ValExpr>> = pos
                        .iter()
                        .map(|&p| ValExpr::from_expr(row[p], &no_col))
                        .collect();
                    keys.push(
                        vals.clone()
                            .map_or_else(|| KeyT::table(t), |v| KeyT::row(t, v)),
                    );
                    tuples.push((pos.iter().map(|&p| row[p].to_string()).collect(), vals));
                }
                _ => keys.push(KeyT::table(t)),
            }
        }
        let all_known = !pk.is_empty() && tuples.len() == self.rows.len();
        (
            batch(t, "PRIMARY", None, &pk, &pk, &tuples),
            keys,
            all_known,
        )
    }

    /// Probes for the new entries of secondary index `idx` (with the PK appended for a
    /// non-unique index when every PK is known). For REPLACE / ON DUPLICATE KEY UPDATE a unique
    /// probe selects a column the index does not hold, so the conflicting row is read too.
    fn secondary(&self, idx: usize, pk_known: bool, upsert: bool) -> Vec<ProbeT> {
        let t = self.t;
        let index = &t.indexes[idx];
        let mut cols: Vec<usize> = index.columns.iter().map(|c| c.column).collect();
        if !index.unique && pk_known {
            for c in self.pk() {
                if !cols.contains(&c) {
                    cols.push(c);
                }
            }
        }
        let no_col = |_: &Expr| None;
        // Typed values only where the entry is read as is (not the conflicting row of an
        // upsert): they let the planner merge the probe into batched reads of the index.
        let typed = !(upsert && index.unique);
        let tuples: Vec<Tuple> = self
            .rows
            .iter()
            .filter_map(|row| {
                let pos: Vec<usize> = cols
                    .iter()
                    .map(|&c| self.value(row, c))
                    .collect::<Option<_>>()?;
                if pos.iter().any(|&p| is_null(row[p])) {
                    return None;
                }
                let vals = typed
                    .then(|| {
                        pos.iter()
                            .map(|&p| ValExpr::from_expr(row[p], &no_col))
                            .collect::<Option<Vec<_>>>()
                    })
                    .flatten();
                Some((pos.iter().map(|&p| row[p].to_string()).collect(), vals))
            })
            .collect();
        let select = if upsert && index.unique {
            uncovered_columns(t)
        } else {
            index.columns.iter().map(|c| c.column).collect()
        };
        batch(t, &index.name, Some(idx), &select, &cols, &tuples)
    }
}

/// Table column ordinal of each value position.
fn column_map(t: &Table, ins: &Insert) -> Result<Vec<usize>, Skip> {
    let names: Vec<String> = if !ins.columns.is_empty() {
        ins.columns
            .iter()
            .map(|n| match n.0.last() {
                Some(ObjectNamePart::Identifier(i)) => Ok(i.value.clone()),
                _ => Err(skip(SkipReason::Unparsable, "column name")),
            })
            .collect::<Result<_, _>>()?
    } else if !ins.assignments.is_empty() {
        ins.assignments
            .iter()
            .map(|a| a.target.to_string())
            .collect()
    } else {
        return Ok((0..t.columns.len()).collect());
    };
    names
        .iter()
        .map(|n| {
            t.column_index(n.trim_matches('`')).ok_or_else(|| {
                skip(
                    SkipReason::UnknownTable,
                    format!("column {n} not in {}", t.qualified_name()),
                )
            })
        })
        .collect()
}

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, sqlparser::ast::Value::Null))
}

/// NULL or 0 for an AUTO_INCREMENT column means "generate" (without NO_AUTO_VALUE_ON_ZERO).
fn is_null_or_zero_auto(t: &Table, ci: usize, e: &Expr) -> bool {
    if !t.columns[ci].auto_increment {
        return false;
    }
    let no_col = |_: &Expr| None;
    matches!(
        ValExpr::from_expr(e, &no_col),
        Some(ValExpr::Const(Value::Null | Value::Int(0)))
    )
}

/// One index entry: its values as SQL text, and as values when every one is a plain literal.
type Tuple = (Vec<String>, Option<Vec<ValExpr>>);

/// One probe per chunk of tuples on one index. A chunk whose tuples are all typed carries them
/// as its keys (the planner may then merge it into batched reads).
fn batch(
    t: &Arc<Table>,
    index: &str,
    force: Option<usize>,
    select: &[usize],
    cols: &[usize],
    tuples: &[Tuple],
) -> Vec<ProbeT> {
    let mut uniq: Vec<&Tuple> = Vec::new();
    for tu in tuples {
        if !uniq.iter().any(|u| u.0 == tu.0) {
            uniq.push(tu);
        }
    }
    if cols.is_empty() || select.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = cols.iter().map(|&c| quote(&t.columns[c].name)).collect();
    let sel: Vec<String> = select.iter().map(|&c| quote(&t.columns[c].name)).collect();
    let hint = force.map_or(String::new(), |i| {
        format!(" FORCE INDEX ({})", quote(&t.indexes[i].name))
    });
    uniq.chunks(MAX_TUPLES)
        .map(|chunk| {
            let texts: Vec<&Vec<String>> = chunk.iter().map(|u| &u.0).collect();
            let sql = format!(
                "SELECT {} FROM {}{hint} WHERE {}",
                sel.join(", "),
                quote_table(t),
                in_condition(&names, &texts)
            );
            ProbeT {
                table: t.qualified_name(),
                index: index.to_string(),
                phase: 1,
                sql: SqlT::Text(TextT::parse(&sql)),
                keys: chunk
                    .iter()
                    .map(|u| u.1.clone())
                    .collect::<Option<Vec<_>>>()
                    .unwrap_or_default(),
                row_keys: None,
                follow: None,
            }
        })
        .collect()
}

/// `a = x AND b = y` for one tuple, `a IN (x, y)` or `(a, b) IN ((x, y), …)` for several.
fn in_condition(cols: &[String], tuples: &[&Vec<String>]) -> String {
    if tuples.len() == 1 {
        return cols
            .iter()
            .zip(tuples[0])
            .map(|(c, v)| format!("{c} = {v}"))
            .collect::<Vec<_>>()
            .join(" AND ");
    }
    let row = |t: &Vec<String>| {
        if cols.len() == 1 {
            t[0].clone()
        } else {
            format!("({})", t.join(", "))
        }
    };
    let lhs = if cols.len() == 1 {
        cols[0].clone()
    } else {
        format!("({})", cols.join(", "))
    };
    format!(
        "{lhs} IN ({})",
        tuples.iter().map(|t| row(t)).collect::<Vec<_>>().join(", ")
    )
}

/// INSERT … SELECT: run the SELECT when it reads its tables through an index.
fn insert_select(target: &Arc<Table>, q: &Query, cx: &Ctx<'_>) -> Result<Body, Skip> {
    let mut tables = vec![target.qualified_name()];
    let mut keys = vec![KeyT::table(target)];
    if let SetExpr::Select(s) = q.body.as_ref() {
        let scope = resolve::scope(&s.from, cx.default_db, cx.schema)?;
        resolve::check_engines(&scope)?;
        if scope.is_empty() {
            return Err(skip(
                SkipReason::NothingToPrefetch,
                "INSERT … SELECT of constants reads no table",
            ));
        }
        {
            let usable = s
                .selection
                .as_ref()
                .is_some_and(|w| resolve::index_usable(&scope, w));
            if !usable {
                return Err(skip(
                    SkipReason::NoIndexUsablePredicate,
                    "INSERT … SELECT without an index-usable WHERE",
                ));
            }
        }
        for r in scope {
            tables.push(r.table.qualified_name());
            keys.push(KeyT::table(&r.table));
        }
    } else {
        return Err(skip(
            SkipReason::Unparsable,
            "INSERT … SELECT with a set operation",
        ));
    }
    Ok(Body {
        tables,
        probes: vec![ProbeT {
            table: target.qualified_name(),
            index: String::new(),
            phase: 1,
            sql: SqlT::Text(TextT::parse(&q.to_string())),
            keys: Vec::new(),
            row_keys: None,
            follow: None,
        }],
        applier_keys: keys,
    })
}
