//! The locking modes (`fake-changes`, `rollback`, DESIGN §3): the probe is the original DML in its
//! server form (executable comments resolved, modifiers kept), which the executor runs inside a
//! transaction it always rolls back. Refused here: unknown tables (we cannot check the engine),
//! non-InnoDB targets (a rollback does not undo a MyISAM write; fake changes write for real),
//! UPDATE/DELETE without an index-usable predicate (it would lock a whole table). DDL, COMMIT and
//! the like never reach this module (the classifier skips them).
//!
//! The applier keys a probe claims in the conflict map (DESIGN §5 rule 3): the primary keys an
//! UPDATE/DELETE pins in its WHERE or a VALUES insert writes (when the primary key is the table's
//! only unique index), else the whole table of each target.

use sqlparser::ast::{FromTable, SetExpr, Statement, TableObject};

use super::Ctx;
use super::resolve::{self, TableRef, index_usable, pinned_pk, skip};
use super::select_insert;
use super::template::{Body, KeyT, ProbeT, SqlT, TextT};
use crate::plan::{Skip, SkipReason};

/// Build the locking-mode template body of a DML statement; `server` is its server form.
pub fn body(st: &Statement, server: &str, cx: &Ctx<'_>) -> Result<Body, Skip> {
    let (targets, pinned): (Vec<TableRef>, _) = match st {
        Statement::Update(u) => {
            let scope = resolve::scope(std::slice::from_ref(&u.table), cx.default_db, cx.schema)?;
            let sel = usable(&scope, u.selection.as_ref())?;
            let pinned = if scope.len() == 1 {
                pinned_pk(&scope, sel)
            } else {
                None
            };
            (scope, pinned)
        }
        Statement::Delete(d) => {
            let from = match &d.from {
                FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
            };
            let sources = d.using.as_deref().unwrap_or(from);
            let scope = resolve::scope(sources, cx.default_db, cx.schema)?;
            let sel = usable(&scope, d.selection.as_ref())?;
            let pinned = if scope.len() == 1 {
                pinned_pk(&scope, sel)
            } else {
                None
            };
            (scope, pinned)
        }
        Statement::Insert(i) => {
            let TableObject::TableName(name) = &i.table else {
                return Err(skip(SkipReason::Unparsable, "INSERT INTO a table function"));
            };
            let t = resolve::lookup(name, cx.default_db, cx.schema)?;
            let qualifier = sqlparser::ast::Ident::new(t.name.clone());
            let mut scope = vec![TableRef {
                table: t,
                qualifier,
            }];
            if let Some(SetExpr::Select(s)) = i.source.as_deref().map(|q| q.body.as_ref()) {
                scope.extend(resolve::scope(&s.from, cx.default_db, cx.schema)?);
            }
            // The rows a VALUES insert locks are the ones it writes, by primary key — unless
            // another unique index could make it lock (duplicate check, REPLACE, ON DUPLICATE
            // KEY UPDATE) a row with a different key; then the whole table, as before.
            let only_pk_unique = !scope[0]
                .table
                .indexes
                .iter()
                .any(|x| x.unique && !x.primary);
            let pinned = if scope.len() == 1 && only_pk_unique {
                select_insert::inserted_pks(i, &scope[0].table)
            } else {
                None
            };
            (scope, pinned)
        }
        _ => return Err(skip(SkipReason::NotDml, "not a data change")),
    };
    if let Some(r) = targets.iter().find(|r| !r.table.is_innodb()) {
        return Err(skip(
            SkipReason::NonTransactional,
            format!("{} is not InnoDB", r.table.qualified_name()),
        ));
    }
    let first = &targets[0].table;
    let keys: Vec<KeyT> = match &pinned {
        Some(tuples) => tuples.iter().map(|v| KeyT::row(first, v.clone())).collect(),
        None => targets.iter().map(|r| KeyT::table(&r.table)).collect(),
    };
    let mut tables: Vec<String> = targets.iter().map(|r| r.table.qualified_name()).collect();
    tables.dedup();
    Ok(Body {
        tables,
        probes: vec![ProbeT {
            table: first.qualified_name(),
            index: String::new(),
            phase: 1,
            sql: SqlT::Dml(TextT::parse(server)),
            keys: pinned.unwrap_or_default(),
            row_keys: None,
            follow: None,
        }],
        applier_keys: keys,
    })
}

fn usable<'a>(
    scope: &[TableRef],
    sel: Option<&'a sqlparser::ast::Expr>,
) -> Result<&'a sqlparser::ast::Expr, Skip> {
    match sel {
        Some(s) if index_usable(scope, s) => Ok(s),
        _ => Err(skip(
            SkipReason::NoIndexUsablePredicate,
            "a locking probe without an index-usable WHERE would lock the table",
        )),
    }
}
