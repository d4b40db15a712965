//! Name resolution and access-path reasoning over a parsed statement: which schema tables the
//! FROM/JOIN list names (with aliases), which table a column reference means, whether a WHERE
//! has a predicate an index can serve, which primary-key values it pins, and which columns to
//! select so that no covering secondary index can answer the query (so the clustered leaf pages
//! are read too). No SQL text is produced here except quoted schema identifiers.

use std::sync::Arc;

use sqlparser::ast::{
    BinaryOperator, Expr, Ident, ObjectName, ObjectNamePart, TableFactor, TableWithJoins,
    Value as SqlValue,
};

use super::values::ValExpr;
use crate::plan::{Skip, SkipReason};
use crate::schema::{Schema, Table};

/// A table in a statement's FROM/JOIN list.
#[derive(Debug, Clone)]
pub struct TableRef {
    /// Its metadata.
    pub table: Arc<Table>,
    /// The name other clauses use for it: the alias, else the table name as written.
    pub qualifier: Ident,
}

/// Shorthand for a skip.
pub fn skip(reason: SkipReason, detail: impl Into<String>) -> Skip {
    Skip {
        reason,
        detail: detail.into(),
    }
}

/// Identifier parts of an object name.
pub fn name_parts(name: &ObjectName) -> Option<Vec<&Ident>> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(i),
            ObjectNamePart::Function(_) => None,
        })
        .collect()
}

/// (db, table) of a table name.
pub fn db_table(name: &ObjectName, default_db: Option<&str>) -> Result<(String, String), Skip> {
    let parts = name_parts(name).ok_or_else(|| skip(SkipReason::Unparsable, "table name"))?;
    match parts.as_slice() {
        [t] => {
            let db = default_db.ok_or_else(|| {
                skip(
                    SkipReason::UnknownTable,
                    format!("{} without a default database", t.value),
                )
            })?;
            Ok((db.to_string(), t.value.clone()))
        }
        [d, t] => Ok((d.value.clone(), t.value.clone())),
        _ => Err(skip(SkipReason::Unparsable, format!("table name {name}"))),
    }
}

/// Look a table name up.
pub fn lookup(
    name: &ObjectName,
    default_db: Option<&str>,
    schema: &Schema,
) -> Result<Arc<Table>, Skip> {
    let (db, t) = db_table(name, default_db)?;
    schema
        .get(&db, &t)
        .cloned()
        .ok_or_else(|| skip(SkipReason::UnknownTable, format!("{db}.{t} not in schema")))
}

/// The tables of a FROM/JOIN list. Derived tables and other factors are not rewritten.
pub fn scope(
    from: &[TableWithJoins],
    default_db: Option<&str>,
    schema: &Schema,
) -> Result<Vec<TableRef>, Skip> {
    let mut out = Vec::new();
    for twj in from {
        for f in std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation)) {
            add_factor(f, default_db, schema, &mut out)?;
        }
    }
    Ok(out)
}

fn add_factor(
    f: &TableFactor,
    default_db: Option<&str>,
    schema: &Schema,
    out: &mut Vec<TableRef>,
) -> Result<(), Skip> {
    match f {
        TableFactor::Table { name, alias, .. } => {
            let table = lookup(name, default_db, schema)?;
            let qualifier = match alias {
                Some(a) => a.name.clone(),
                None => name_parts(name)
                    .and_then(|p| p.last().map(|i| (*i).clone()))
                    .ok_or_else(|| skip(SkipReason::Unparsable, "table name"))?,
            };
            out.push(TableRef { table, qualifier });
            Ok(())
        }
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            for f in std::iter::once(&table_with_joins.relation)
                .chain(table_with_joins.joins.iter().map(|j| &j.relation))
            {
                add_factor(f, default_db, schema, out)?;
            }
            Ok(())
        }
        _ => Err(skip(
            SkipReason::Unparsable,
            "derived table or table function in a data change",
        )),
    }
}

/// Select mode: refuse tables whose engine is known and not InnoDB. A read of a MyISAM/Aria
/// table takes a table-level read lock that would block the applier's write, and its pages do
/// not live in the buffer pool anyway. (Unknown engine — a schema file without ENGINE= — passes.)
pub fn check_engines(scope: &[TableRef]) -> Result<(), Skip> {
    match scope
        .iter()
        .find(|r| r.table.engine.is_some() && !r.table.is_innodb())
    {
        Some(r) => Err(skip(
            SkipReason::NonTransactional,
            format!("{} is not InnoDB", r.table.qualified_name()),
        )),
        None => Ok(()),
    }
}

/// Which (table index, column ordinal) a column reference means.
pub fn column_of(scope: &[TableRef], e: &Expr) -> Option<(usize, usize)> {
    match e {
        Expr::Identifier(c) => scope
            .iter()
            .enumerate()
            .find_map(|(ti, t)| t.table.column_index(&c.value).map(|ci| (ti, ci))),
        Expr::CompoundIdentifier(parts) => {
            let (c, quals) = parts.split_last()?;
            let ti = scope.iter().position(|t| match quals {
                [q] => {
                    t.qualifier.value.eq_ignore_ascii_case(&q.value)
                        || t.table.name.eq_ignore_ascii_case(&q.value)
                }
                [d, q] => {
                    t.table.db.eq_ignore_ascii_case(&d.value)
                        && t.table.name.eq_ignore_ascii_case(&q.value)
                }
                _ => false,
            })?;
            scope[ti].table.column_index(&c.value).map(|ci| (ti, ci))
        }
        Expr::Nested(inner) => column_of(scope, inner),
        _ => None,
    }
}

/// Same for an assignment target / column-list name.
pub fn column_of_name(scope: &[TableRef], name: &ObjectName) -> Option<(usize, usize)> {
    let parts: Vec<Ident> = name_parts(name)?.into_iter().cloned().collect();
    let e = if parts.len() == 1 {
        Expr::Identifier(parts[0].clone())
    } else {
        Expr::CompoundIdentifier(parts)
    };
    column_of(scope, &e)
}

/// True when `e` reads no column of the statement's own row (literals, slots, safe functions of
/// constants, sub-queries). Conservative: unknown shapes are not constant.
pub fn is_const(e: &Expr) -> bool {
    match e {
        Expr::Value(_) | Expr::Subquery(_) | Expr::TypedString { .. } => true,
        Expr::Interval(i) => is_const(&i.value),
        Expr::Nested(x) | Expr::UnaryOp { expr: x, .. } | Expr::Cast { expr: x, .. } => is_const(x),
        Expr::BinaryOp { left, right, .. } => is_const(left) && is_const(right),
        Expr::Tuple(xs) => xs.iter().all(is_const),
        Expr::Function(f) => {
            use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments};
            match &f.args {
                FunctionArguments::None => true,
                FunctionArguments::List(l) => l.args.iter().all(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => is_const(x),
                    _ => false,
                }),
                FunctionArguments::Subquery(_) => true,
            }
        }
        _ => false,
    }
}

/// True when the table has an index whose first column is `ci`.
fn leads_index(t: &Table, ci: usize) -> bool {
    t.indexes
        .iter()
        .any(|i| i.columns.first().is_some_and(|c| c.column == ci))
}

/// The column a single sargable predicate constrains to constants, if any.
fn sargable(scope: &[TableRef], e: &Expr) -> Option<(usize, usize)> {
    let first = |x: &Expr| match x {
        Expr::Tuple(xs) => xs.first().and_then(|f| column_of(scope, f)),
        _ => column_of(scope, x),
    };
    match e {
        Expr::Nested(x) => sargable(scope, x),
        Expr::BinaryOp { left, op, right } => {
            use BinaryOperator::*;
            if !matches!(op, Eq | Lt | Gt | LtEq | GtEq | Spaceship) {
                return None;
            }
            if is_const(right) {
                first(left)
            } else if is_const(left) {
                first(right)
            } else {
                None
            }
        }
        Expr::InList {
            expr,
            list,
            negated: false,
        } if list.iter().all(is_const) => first(expr),
        Expr::InSubquery {
            expr,
            negated: false,
            ..
        } => first(expr),
        Expr::Between {
            expr,
            negated: false,
            low,
            high,
        } if is_const(low) && is_const(high) => first(expr),
        Expr::IsNull(x) => column_of(scope, x),
        Expr::Like {
            negated: false,
            expr,
            pattern,
            ..
        } => match pattern.as_ref() {
            Expr::Value(v) => match &v.value {
                SqlValue::SingleQuotedString(p) | SqlValue::DoubleQuotedString(p)
                    if !p.starts_with(['%', '_']) =>
                {
                    column_of(scope, expr)
                }
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Whether the optimizer can start from an index: some conjunct constrains the leading column
/// of an index to constants (for OR, every branch must).
pub fn index_usable(scope: &[TableRef], e: &Expr) -> bool {
    match e {
        Expr::Nested(x) => index_usable(scope, x),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => index_usable(scope, left) || index_usable(scope, right),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => index_usable(scope, left) && index_usable(scope, right),
        _ => sargable(scope, e).is_some_and(|(ti, ci)| leads_index(&scope[ti].table, ci)),
    }
}

/// Top-level AND conjuncts.
pub fn conjuncts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        Expr::Nested(x) => conjuncts(x, out),
        _ => out.push(e),
    }
}

/// Primary-key tuples a single-table WHERE pins (`pk = c`, `pk IN (c, …)`, composite `a = 1 AND
/// b = 2`), as value expressions in PK order; None when the rows are not pinned.
pub fn pinned_pk(scope: &[TableRef], e: &Expr) -> Option<Vec<Vec<ValExpr>>> {
    let t = &scope.first()?.table;
    let pk = t.primary_key()?;
    let mut cs = Vec::new();
    conjuncts(e, &mut cs);
    let no_col = |_: &Expr| None;
    let mut per_col: Vec<Option<Vec<ValExpr>>> = vec![None; pk.columns.len()];
    for c in cs {
        let (col, vals) = match c {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => {
                let (colx, valx) = if column_of(scope, left).is_some() {
                    (left, right)
                } else {
                    (right, left)
                };
                (
                    column_of(scope, colx),
                    vec![ValExpr::from_expr(valx, &no_col)?],
                )
            }
            Expr::InList {
                expr,
                list,
                negated: false,
            } => {
                let vals: Option<Vec<_>> = list
                    .iter()
                    .map(|x| ValExpr::from_expr(x, &no_col))
                    .collect();
                (column_of(scope, expr), vals?)
            }
            _ => continue,
        };
        let Some((0, ci)) = col else { continue };
        if let Some(pos) = pk.columns.iter().position(|ic| ic.column == ci) {
            per_col[pos] = Some(vals);
        }
    }
    let per_col: Vec<Vec<ValExpr>> = per_col.into_iter().collect::<Option<_>>()?;
    // Cartesian product, capped (a composite key with two IN lists).
    let mut tuples: Vec<Vec<ValExpr>> = vec![Vec::new()];
    for vals in per_col {
        if tuples.len() * vals.len() > 10_000 {
            return None;
        }
        tuples = tuples
            .into_iter()
            .flat_map(|t| {
                vals.iter().map(move |v| {
                    let mut t = t.clone();
                    t.push(v.clone());
                    t
                })
            })
            .collect();
    }
    Some(tuples)
}

/// Rough on-the-wire size of a column (for choosing small columns).
fn col_size(t: &Table, ci: usize) -> u64 {
    let c = &t.columns[ci];
    match c.data_type.as_str() {
        "tinyint" | "year" | "bit" => 1,
        "smallint" | "enum" => 2,
        "mediumint" | "date" | "time" => 3,
        "int" | "integer" | "float" | "timestamp" => 4,
        "bigint" | "double" | "datetime" | "set" | "decimal" => 8,
        "char" | "varchar" | "binary" | "varbinary" => c
            .column_type
            .split(['(', ')'])
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(255),
        _ => 100_000,
    }
}

/// Columns an index holds in full (a prefix-indexed column is not covered by it), plus the
/// primary key columns every InnoDB secondary index carries.
fn covered_by(t: &Table, idx: usize, ci: usize) -> bool {
    let in_idx = |i: &crate::schema::Index| {
        i.columns
            .iter()
            .any(|c| c.column == ci && c.prefix.is_none())
    };
    in_idx(&t.indexes[idx]) || t.primary_key().is_some_and(in_idx)
}

/// Columns to select so that no single secondary index covers the query: the clustered record
/// must be read. Small columns first.
pub fn uncovered_columns(t: &Table) -> Vec<usize> {
    let secondary: Vec<usize> = (0..t.indexes.len())
        .filter(|&i| !t.indexes[i].primary)
        .collect();
    let mut by_size: Vec<usize> = (0..t.columns.len()).collect();
    by_size.sort_by_key(|&ci| (col_size(t, ci), ci));
    let is_pk = |ci: usize| {
        t.primary_key()
            .is_some_and(|p| p.columns.iter().any(|c| c.column == ci))
    };
    if let Some(&ci) = by_size
        .iter()
        .find(|&&ci| !is_pk(ci) && secondary.iter().all(|&i| !covered_by(t, i, ci)))
    {
        return vec![ci];
    }
    let mut chosen: Vec<usize> = Vec::new();
    while let Some(&cover) = secondary
        .iter()
        .find(|&&i| chosen.iter().all(|&ci| covered_by(t, i, ci)))
    {
        match by_size.iter().find(|&&ci| !covered_by(t, cover, ci)) {
            Some(&ci) => chosen.push(ci),
            None => break,
        }
    }
    if chosen.is_empty() {
        // Clustered-only table (or every column is in the key): any column reads the record.
        chosen.push(by_size.first().copied().unwrap_or(0));
    }
    chosen
}

/// A schema identifier, back-quoted.
pub fn quote(name: &str) -> String {
    Ident::with_quote('`', name).to_string()
}

/// `db`.`tbl`, back-quoted.
pub fn quote_table(t: &Table) -> String {
    format!("{}.{}", quote(&t.db), quote(&t.name))
}
