//! Select-mode rewrite of UPDATE and DELETE (DESIGN §4): phase 1 reads the access path of the
//! WHERE plus the clustered rows (`SELECT <uncovered cols> FROM t WHERE cond [ORDER BY … LIMIT n]`),
//! probes the new entries of secondary indexes whose new values are constants directly, and hands
//! the old values to a phase-2 builder for the old entries (and computed new entries such as
//! `k = k + 1`). Multi-table statements read the same joins and WHERE in phase 1 only.
//! Output SQL is composed from `Display` of AST nodes and quoted schema identifiers.

use std::sync::Arc;

use sqlparser::ast::{
    AssignmentTarget, Delete, Expr, FromTable, ObjectName, OrderByExpr, TableWithJoins, Update,
};

use super::Ctx;
use super::followup::{EntrySpec, FollowSpec, condition};
use super::resolve::{
    self, TableRef, column_of, column_of_name, index_usable, pinned_pk, quote, quote_table, skip,
    uncovered_columns,
};
use super::template::{Body, KeyT, ProbeT, SqlT, TextT};
use super::values::ValExpr;
use crate::plan::{Skip, SkipReason};
use crate::schema::Table;

/// Rewrite an UPDATE.
pub fn update(u: &Update, cx: &Ctx<'_>) -> Result<Body, Skip> {
    if u.from.is_some() || u.returning.is_some() {
        return Err(skip(
            SkipReason::Unparsable,
            "UPDATE … FROM/RETURNING is not MySQL",
        ));
    }
    let scope = resolve::scope(std::slice::from_ref(&u.table), cx.default_db, cx.schema)?;
    resolve::check_engines(&scope)?;
    let sel = where_usable(&scope, u.selection.as_ref())?;
    let mut sets: Vec<(usize, usize, &Expr)> = Vec::new();
    for a in &u.assignments {
        let AssignmentTarget::ColumnName(n) = &a.target else {
            return Err(skip(SkipReason::Unparsable, "tuple assignment"));
        };
        let (ti, ci) = column_of_name(&scope, n).ok_or_else(|| {
            skip(
                SkipReason::UnknownTable,
                format!("column {n} not in schema"),
            )
        })?;
        sets.push((ti, ci, &a.value));
    }
    let tail = tail(&u.order_by, u.limit.as_ref());
    if scope.len() == 1 {
        let sets: Vec<(usize, &Expr)> = sets.iter().map(|&(_, ci, e)| (ci, e)).collect();
        single(&scope, &u.table.to_string(), sel, &tail, Some(&sets), cx)
    } else {
        let mut targets: Vec<usize> = sets.iter().map(|s| s.0).collect();
        targets.sort_unstable();
        targets.dedup();
        multi(&scope, &u.table.to_string(), sel, &targets)
    }
}

/// Rewrite a DELETE.
pub fn delete(d: &Delete, cx: &Ctx<'_>) -> Result<Body, Skip> {
    if d.returning.is_some() || d.output.is_some() {
        return Err(skip(
            SkipReason::Unparsable,
            "DELETE … RETURNING is not MySQL",
        ));
    }
    let from = match &d.from {
        FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
    };
    let (sources, target_names): (&[TableWithJoins], Vec<&ObjectName>) = match &d.using {
        Some(using) => (using, from.iter().filter_map(twj_name).collect()),
        None => (from, d.tables.iter().collect()),
    };
    let scope = resolve::scope(sources, cx.default_db, cx.schema)?;
    resolve::check_engines(&scope)?;
    let sel = where_usable(&scope, d.selection.as_ref())?;
    let from_text = sources
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if target_names.is_empty() && scope.len() == 1 {
        return single(
            &scope,
            &from_text,
            sel,
            &tail(&d.order_by, d.limit.as_ref()),
            None,
            cx,
        );
    }
    let mut targets = Vec::new();
    for n in target_names {
        let last = resolve::name_parts(n)
            .and_then(|p| p.last().map(|i| i.value.clone()))
            .unwrap_or_default();
        let ti = scope
            .iter()
            .position(|t| {
                t.qualifier.value.eq_ignore_ascii_case(&last)
                    || t.table.name.eq_ignore_ascii_case(&last)
            })
            .ok_or_else(|| skip(SkipReason::UnknownTable, format!("delete target {n}")))?;
        targets.push(ti);
    }
    multi(&scope, &from_text, sel, &targets)
}

fn twj_name(t: &TableWithJoins) -> Option<&ObjectName> {
    match &t.relation {
        sqlparser::ast::TableFactor::Table { name, .. } => Some(name),
        _ => None,
    }
}

fn where_usable<'a>(scope: &[TableRef], sel: Option<&'a Expr>) -> Result<&'a Expr, Skip> {
    let sel = sel.ok_or_else(|| skip(SkipReason::NoIndexUsablePredicate, "no WHERE clause"))?;
    if !index_usable(scope, sel) {
        return Err(skip(
            SkipReason::NoIndexUsablePredicate,
            "WHERE has no predicate an index can serve",
        ));
    }
    Ok(sel)
}

fn tail(order_by: &[OrderByExpr], limit: Option<&Expr>) -> String {
    let mut s = String::new();
    if !order_by.is_empty() {
        s.push_str(" ORDER BY ");
        s.push_str(
            &order_by
                .iter()
                .map(|o| o.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if let Some(l) = limit {
        s.push_str(&format!(" LIMIT {l}"));
    }
    s
}

/// Select-list builder: column ordinals in order, deduplicated.
#[derive(Default)]
struct SelectList(Vec<usize>);

impl SelectList {
    fn add(&mut self, ci: usize) -> usize {
        if let Some(p) = self.0.iter().position(|&c| c == ci) {
            return p;
        }
        self.0.push(ci);
        self.0.len() - 1
    }

    fn render(&self, t: &Table) -> String {
        self.0
            .iter()
            .map(|&ci| quote(&t.columns[ci].name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn remap(e: &ValExpr, map: &mut dyn FnMut(usize) -> usize) -> ValExpr {
    match e {
        ValExpr::Col(ci) => ValExpr::Col(map(*ci)),
        ValExpr::Neg(a) => ValExpr::Neg(Box::new(remap(a, map))),
        ValExpr::Bin(op, a, b) => {
            ValExpr::Bin(*op, Box::new(remap(a, map)), Box::new(remap(b, map)))
        }
        other => other.clone(),
    }
}

/// Key columns of an index entry: the index columns, plus PK columns for a non-unique index.
fn entry_cols(t: &Table, idx: usize) -> Vec<usize> {
    let i = &t.indexes[idx];
    let mut cols: Vec<usize> = i.columns.iter().map(|c| c.column).collect();
    if !i.unique {
        for c in t.primary_key().map(|p| p.columns.as_slice()).unwrap_or(&[]) {
            if !cols.contains(&c.column) {
                cols.push(c.column);
            }
        }
    }
    cols
}

fn keys_of(t: &Arc<Table>, pinned: &Option<Vec<Vec<ValExpr>>>) -> Vec<KeyT> {
    match pinned {
        Some(tuples) if t.primary_key().is_some() => {
            tuples.iter().map(|v| KeyT::row(t, v.clone())).collect()
        }
        _ => vec![KeyT::table(t)],
    }
}

/// What a single-table UPDATE (`sets` = Some) or DELETE (`sets` = None) changes.
struct Change<'a> {
    t: &'a Arc<Table>,
    scope: &'a [TableRef],
    pk_cols: Vec<usize>,
    sets: Option<&'a [(usize, &'a Expr)]>,
}

impl<'a> Change<'a> {
    fn set_of(&self, ci: usize) -> Option<&'a Expr> {
        self.sets
            .and_then(|s| s.iter().find(|(c, _)| *c == ci).map(|(_, e)| *e))
    }

    fn pk_changed(&self) -> bool {
        self.pk_cols.iter().any(|&c| self.set_of(c).is_some())
    }

    /// An index over a generated column changes whenever the row does (we do not know which
    /// base columns it reads): its old entry is probed, its new one is unknown.
    fn generated(&self, i: usize) -> bool {
        self.t.indexes[i]
            .columns
            .iter()
            .any(|c| self.t.columns[c.column].generated)
    }

    /// Secondary indexes whose entries the statement removes or moves.
    fn affected(&self) -> Vec<usize> {
        let t = self.t;
        (0..t.indexes.len())
            .filter(|&i| !t.indexes[i].primary && !self.pk_cols.is_empty())
            .filter(|&i| {
                self.sets.is_none()
                    || self.pk_changed()
                    || self.generated(i)
                    || t.indexes[i]
                        .columns
                        .iter()
                        .any(|c| self.set_of(c.column).is_some())
            })
            .collect()
    }

    /// Every index column is SET to a constant: the new entry can be probed in phase 1.
    fn all_const(&self, idx: usize) -> bool {
        self.t.indexes[idx]
            .columns
            .iter()
            .all(|c| self.set_of(c.column).is_some_and(resolve::is_const))
    }

    /// New key values over column ordinals (`k + 1`, a constant, or the old value), when all
    /// are simple expressions.
    fn new_values(&self, idx: usize, cols: &[usize]) -> Option<Vec<ValExpr>> {
        if self.sets.is_none() || self.generated(idx) {
            return None;
        }
        let by_ordinal = |e: &Expr| column_of(self.scope, e).map(|(_, ci)| ci);
        cols.iter()
            .map(|&c| match self.set_of(c) {
                Some(e) => ValExpr::from_expr(e, &by_ordinal),
                None => Some(ValExpr::Col(c)),
            })
            .collect()
    }
}

fn entry_spec(
    t: &Table,
    idx: usize,
    cols: &[usize],
    old: Vec<usize>,
    new: Option<Vec<ValExpr>>,
) -> EntrySpec {
    let names: Vec<String> = cols.iter().map(|&c| quote(&t.columns[c].name)).collect();
    EntrySpec {
        index: t.indexes[idx].name.clone(),
        head: format!(
            "SELECT {} FROM {} FORCE INDEX ({}) WHERE ",
            names.join(", "),
            quote_table(t),
            quote(&t.indexes[idx].name)
        ),
        cols: names,
        old,
        new,
    }
}

/// Single-table UPDATE (`sets` = Some) or DELETE (`sets` = None).
fn single(
    scope: &[TableRef],
    from: &str,
    sel: &Expr,
    tail: &str,
    sets: Option<&[(usize, &Expr)]>,
    cx: &Ctx<'_>,
) -> Result<Body, Skip> {
    let t = &scope[0].table;
    let pinned = pinned_pk(scope, sel);
    let row_keys = keys_of(t, &pinned);
    let ch = Change {
        t,
        scope,
        pk_cols: t
            .primary_key()
            .map(|p| p.columns.iter().map(|c| c.column).collect())
            .unwrap_or_default(),
        sets,
    };
    let set_of = |c: usize| ch.set_of(c);
    let mut list = SelectList::default();
    for ci in uncovered_columns(t) {
        list.add(ci);
    }
    let mut probes = Vec::new();
    let mut entries = Vec::new();
    for idx in ch.affected() {
        let cols = entry_cols(t, idx);
        let old: Vec<usize> = cols.iter().map(|&c| list.add(c)).collect();
        let mut new = None;
        if sets.is_some() && ch.all_const(idx) {
            let n = t.indexes[idx].columns.len();
            probes.push(direct_probe(t, idx, n, &cols, &set_of, &pinned)?);
        } else if let Some(ex) = ch.new_values(idx, &cols) {
            new = Some(
                ex.iter()
                    .map(|e| remap(e, &mut |ci| list.add(ci)))
                    .collect(),
            );
        }
        entries.push(entry_spec(t, idx, &cols, old, new));
    }
    if ch.pk_changed()
        && ch
            .pk_cols
            .iter()
            .all(|&c| set_of(c).is_some_and(resolve::is_const))
    {
        probes.push(new_pk_probe(t, &ch.pk_cols, &set_of));
    }
    let follow = if entries.is_empty() {
        None
    } else {
        let pk_pos = ch.pk_cols.iter().map(|&c| list.add(c)).collect();
        for e in &entries {
            check_entry_sql(e, cx)?;
        }
        Some(Arc::new(FollowSpec {
            table: t.clone(),
            layout: list.0.clone(),
            pk_pos,
            entries,
        }))
    };
    let sql = format!("SELECT {} FROM {from} WHERE {sel}{tail}", list.render(t));
    probes.insert(
        0,
        ProbeT {
            table: t.qualified_name(),
            index: String::new(),
            phase: 1,
            sql: SqlT::Text(TextT::parse(&sql)),
            keys: pinned.clone().unwrap_or_default(),
            row_keys: None,
            follow,
        },
    );
    Ok(Body {
        tables: vec![t.qualified_name()],
        probes,
        applier_keys: row_keys,
    })
}

/// Guard the phase-2 skeletons once, with one and two tuples bound.
fn check_entry_sql(e: &EntrySpec, cx: &Ctx<'_>) -> Result<(), Skip> {
    for n in [1, 2] {
        let sql = format!("{}{}", e.head, condition(&e.cols, n));
        if cx.verified.borrow().contains(&sql) {
            continue;
        }
        super::guard::check_select(&sql).map_err(|m| skip(SkipReason::UnsafeOutput, m))?;
        cx.verified.borrow_mut().insert(sql);
    }
    Ok(())
}

/// `SELECT idx cols FROM t FORCE INDEX (idx) WHERE idx cols = new values [AND pk = …] LIMIT 1`.
fn direct_probe<'e>(
    t: &Arc<Table>,
    idx: usize,
    index_cols: usize,
    cols: &[usize],
    set_of: &dyn Fn(usize) -> Option<&'e Expr>,
    pinned: &Option<Vec<Vec<ValExpr>>>,
) -> Result<ProbeT, Skip> {
    let mut conds = Vec::new();
    let no_col = |_: &Expr| None;
    let mut key = Vec::new();
    for &c in &cols[..index_cols] {
        let e = set_of(c).ok_or_else(|| skip(SkipReason::Unparsable, "internal: set column"))?;
        conds.push(format!("{} = {e}", quote(&t.columns[c].name)));
        if let Some(v) = ValExpr::from_expr(e, &no_col) {
            key.push(v);
        }
    }
    // The entry's exact position also depends on the PK when the index is not unique.
    if let Some([one]) = pinned.as_deref()
        && cols.len() > index_cols
    {
        let pk = t
            .primary_key()
            .map(|p| p.columns.clone())
            .unwrap_or_default();
        let pk_conds: Option<Vec<String>> = cols[index_cols..]
            .iter()
            .filter_map(|&c| pk.iter().position(|ic| ic.column == c).map(|pos| (c, pos)))
            .map(|(c, pos)| {
                Some(format!(
                    "{} = {}",
                    quote(&t.columns[c].name),
                    show(&one[pos])?
                ))
            })
            .collect();
        conds.extend(pk_conds.unwrap_or_default());
    }
    let sql = format!(
        "SELECT {} FROM {} FORCE INDEX ({}) WHERE {} LIMIT 1",
        cols[..index_cols]
            .iter()
            .map(|&c| quote(&t.columns[c].name))
            .collect::<Vec<_>>()
            .join(", "),
        quote_table(t),
        quote(&t.indexes[idx].name),
        conds.join(" AND ")
    );
    Ok(ProbeT {
        table: t.qualified_name(),
        index: t.indexes[idx].name.clone(),
        phase: 1,
        sql: SqlT::Text(TextT::parse(&sql)),
        keys: vec![key],
        row_keys: None,
        follow: None,
    })
}

/// SQL text of a pinned PK value expression: literal slots and integer constants only (None
/// for anything else, and then the PK condition is left out).
fn show(v: &ValExpr) -> Option<String> {
    match v {
        ValExpr::Slot(i) => Some(format!("?{i}")),
        ValExpr::Neg(a) => Some(format!("-{}", show(a)?)),
        ValExpr::Const(crate::event::Value::Int(i)) => Some(i.to_string()),
        ValExpr::Const(crate::event::Value::UInt(u)) => Some(u.to_string()),
        _ => None,
    }
}

/// The clustered position a constant new primary key moves the row to.
fn new_pk_probe<'e>(
    t: &Arc<Table>,
    pk_cols: &[usize],
    set_of: &dyn Fn(usize) -> Option<&'e Expr>,
) -> ProbeT {
    let conds: Vec<String> = pk_cols
        .iter()
        .filter_map(|&c| set_of(c).map(|e| format!("{} = {e}", quote(&t.columns[c].name))))
        .collect();
    let no_col = |_: &Expr| None;
    let vals: Option<Vec<ValExpr>> = pk_cols
        .iter()
        .map(|&c| set_of(c).and_then(|e| ValExpr::from_expr(e, &no_col)))
        .collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {}",
        pk_cols
            .iter()
            .map(|&c| quote(&t.columns[c].name))
            .collect::<Vec<_>>()
            .join(", "),
        quote_table(t),
        conds.join(" AND ")
    );
    ProbeT {
        table: t.qualified_name(),
        index: "PRIMARY".into(),
        phase: 1,
        sql: SqlT::Text(TextT::parse(&sql)),
        keys: vals.clone().into_iter().collect(),
        row_keys: Some(vec![match vals {
            Some(v) => KeyT::row(t, v),
            None => KeyT::table(t),
        }]),
        follow: None,
    }
}

/// Multi-table UPDATE/DELETE: the same joins and WHERE, selecting columns that make every
/// target table's clustered rows be read.
fn multi(scope: &[TableRef], from: &str, sel: &Expr, targets: &[usize]) -> Result<Body, Skip> {
    let mut cols = Vec::new();
    for &ti in targets {
        let t = &scope[ti].table;
        for ci in uncovered_columns(t) {
            cols.push(format!(
                "{}.{}",
                scope[ti].qualifier,
                quote(&t.columns[ci].name)
            ));
        }
    }
    if cols.is_empty() {
        return Err(skip(SkipReason::NothingToPrefetch, "no target table"));
    }
    let sql = format!("SELECT {} FROM {from} WHERE {sel}", cols.join(", "));
    let keys: Vec<KeyT> = scope.iter().map(|r| KeyT::table(&r.table)).collect();
    let mut tables: Vec<String> = scope.iter().map(|r| r.table.qualified_name()).collect();
    tables.dedup();
    Ok(Body {
        probes: vec![ProbeT {
            table: scope[targets[0]].table.qualified_name(),
            index: String::new(),
            phase: 1,
            sql: SqlT::Text(TextT::parse(&sql)),
            keys: Vec::new(),
            row_keys: None,
            follow: None,
        }],
        tables,
        applier_keys: keys,
    })
}
