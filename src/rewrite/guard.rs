//! The output guard and the AST inspection it shares with input analysis. Every query the
//! rewriter emits in select mode passes [`check_select`]: it is re-parsed and must be exactly one
//! SELECT with no locking clause (FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE) at any depth, no
//! INTO, no `:=`, no sequence access, no comment (nothing can hide in one), and only allow-listed
//! functions. The locking modes' DML passes [`check_dml`]. A failure becomes
//! `SkipReason::UnsafeOutput`; the guard never repairs a query.

use std::ops::ControlFlow;

use sqlparser::ast::{BinaryOperator, Expr, ObjectName, Query, SetExpr, Statement, Visit, Visitor};

use super::funcs;
use super::lexer::{self, Flavor, Kind};
use super::parse;

/// What a walk over an AST found.
#[derive(Debug, Default)]
pub struct Findings {
    /// First function not on the allow-list.
    pub unsafe_function: Option<String>,
    /// A `:=` assignment.
    pub assignment: bool,
    /// A locking clause or INTO in some query.
    pub locking_or_into: bool,
    /// A data change inside a query (`WITH … UPDATE` parses as a query whose body is an UPDATE).
    pub write_in_query: bool,
    /// Statements visited (the top-level one included).
    pub statements: usize,
    /// Every relation (table) name referenced, as written.
    pub relations: Vec<ObjectName>,
}

impl Visitor for Findings {
    type Break = ();

    fn pre_visit_statement(&mut self, _s: &Statement) -> ControlFlow<()> {
        self.statements += 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if !q.locks.is_empty() || q.for_clause.is_some() {
            self.locking_or_into = true;
        }
        if matches!(
            q.body.as_ref(),
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_)
        ) {
            self.write_in_query = true;
        }
        if let SetExpr::Select(s) = q.body.as_ref()
            && s.into.is_some()
        {
            self.locking_or_into = true;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, r: &ObjectName) -> ControlFlow<()> {
        self.relations.push(r.clone());
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Function(f) => {
                let name = f.name.to_string();
                if self.unsafe_function.is_none() && !funcs::is_safe(&name) {
                    self.unsafe_function = Some(name);
                }
            }
            Expr::BinaryOp {
                op: BinaryOperator::Assignment,
                ..
            } => self.assignment = true,
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// Walk a statement.
pub fn inspect(st: &Statement) -> Findings {
    let mut f = Findings::default();
    let _ = st.visit(&mut f);
    f
}

/// Statement keywords that never belong in a probe (defence in depth next to the AST check).
const WRITE_WORDS: &[&str] = &[
    "INSERT",
    "DELETE",
    "CREATE",
    "DROP",
    "ALTER",
    "TRUNCATE",
    "RENAME",
    "GRANT",
    "REVOKE",
    "CALL",
    "DO",
    "HANDLER",
    "LOAD",
    "MERGE",
    "EXECUTE",
    "PREPARE",
    "DEALLOCATE",
    "KILL",
    "SHUTDOWN",
    "FLUSH",
    "PURGE",
    "RESET",
    "INSTALL",
    "UNINSTALL",
    "OUTFILE",
    "DUMPFILE",
];

/// Token-level checks on text we emit: no comments or odd gaps, no `;`, no `:=`, no INTO, no
/// locking words, no sequence words.
fn check_tokens(sql: &str) -> Result<(), String> {
    let mut toks = Vec::new();
    lexer::lex(sql, Flavor::Unknown, &mut toks).map_err(|e| format!("lex: {e:?}"))?;
    let mut prev_end = 0;
    for (i, t) in toks.iter().enumerate() {
        if !sql[prev_end..t.span.start].bytes().all(|b| b == b' ') {
            return Err("comment or unexpected bytes between tokens".into());
        }
        prev_end = t.span.end;
        let s = lexer::text(sql, t);
        let next_is = |k: &str| toks.get(i + 1).is_some_and(|n| lexer::is_kw(sql, n, k));
        let prev_is = |k: &str| i > 0 && lexer::is_kw(sql, &toks[i - 1], k);
        let bad = match t.kind {
            Kind::Op => s == ";" || s == ":=",
            Kind::Word => {
                let u = s.to_ascii_uppercase();
                u == "INTO"
                    || u == "LOCK"
                    || (u == "FOR" && (next_is("UPDATE") || next_is("SHARE")))
                    || (u == "UPDATE" && !prev_is("FOR"))
                    || ((u == "NEXT" || u == "PREVIOUS") && next_is("VALUE"))
                    || (u == "SET" && !(prev_is("CHARACTER") || prev_is("CHAR")))
                    || (u == "REPLACE"
                        && toks.get(i + 1).is_none_or(|n| lexer::text(sql, n) != "("))
                    || WRITE_WORDS.contains(&u.as_str())
                    || funcs::FORBIDDEN_WORDS.contains(&u.as_str())
            }
            _ => false,
        };
        if bad {
            return Err(format!("forbidden token {s:?}"));
        }
    }
    if !sql[prev_end..].bytes().all(|b| b == b' ') {
        return Err("trailing bytes".into());
    }
    Ok(())
}

/// The select-mode guard: exactly one plain read-only SELECT.
pub fn check_select(sql: &str) -> Result<(), String> {
    check_tokens(sql)?;
    let st = parse::parse_one(sql)?;
    let Statement::Query(_) = &st else {
        return Err("not a SELECT".into());
    };
    let f = inspect(&st);
    if f.locking_or_into {
        return Err("locking read or INTO".into());
    }
    if f.write_in_query || f.statements != 1 {
        return Err("a data change inside the query".into());
    }
    if f.assignment {
        return Err("assignment".into());
    }
    if let Some(name) = f.unsafe_function {
        return Err(format!("function {name} is not on the allow-list"));
    }
    Ok(())
}

/// The locking-mode guard on the parser form of a DML statement: exactly one INSERT, REPLACE,
/// UPDATE or DELETE, with no unsafe function, assignment or locking sub-read.
pub fn check_dml(parser_form: &str) -> Result<(), String> {
    let st = parse::parse_one(parser_form)?;
    if !matches!(
        st,
        Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_)
    ) {
        return Err("not a single DML statement".into());
    }
    let f = inspect(&st);
    if f.locking_or_into || f.assignment {
        return Err("locking read, INTO or assignment".into());
    }
    if let Some(name) = f.unsafe_function {
        return Err(format!("function {name} is not on the allow-list"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_selects() {
        for s in [
            "SELECT c FROM t WHERE id = 5",
            "SELECT `k` FROM `db`.`t` FORCE INDEX (`k_1`) WHERE (`k`, `id`) IN ((?, ?), (?, ?))",
            "SELECT a FROM t WHERE x IN (SELECT y FROM u WHERE z = CONCAT('a', 'b')) LIMIT 1",
            "SELECT c FROM t WHERE id = ?3 ORDER BY id LIMIT 10",
            "SELECT REPLACE(c, 'a', 'b') FROM t WHERE id = 1",
            "SELECT CONVERT(c USING utf8mb4) FROM t WHERE id = 1",
        ] {
            check_select(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    #[test]
    fn rejects_everything_unsafe() {
        for s in [
            "SELECT c FROM t WHERE id = 5 FOR UPDATE",
            "SELECT c FROM t WHERE id = 5 LOCK IN SHARE MODE",
            "SELECT c FROM t WHERE id IN (SELECT id FROM u FOR SHARE)",
            "SELECT c INTO @x FROM t",
            "SELECT c FROM t INTO OUTFILE '/tmp/x'",
            "SELECT c FROM t WHERE SLEEP(1) = 0",
            "SELECT c FROM t WHERE id = (SELECT GET_LOCK('a', 1))",
            "SELECT c FROM t WHERE @x := 1",
            "SELECT c FROM t; DELETE FROM t",
            "SELECT NEXTVAL(s)",
            "SELECT NEXT VALUE FOR s",
            "SELECT c FROM t /* hidden */",
            "SELECT c FROM t WHERE LOAD_FILE('/etc/passwd') IS NULL",
            "DELETE FROM t WHERE id = 1",
            "SELECT db.f(1)",
            "WITH x AS (SELECT 1) UPDATE t SET a = 1",
            "WITH x AS (SELECT 1) DELETE FROM t",
            "SELECT c FROM t WHERE id IN (SELECT id FROM u) UNION ALL SELECT 1 INTO @x",
            "SELECT REPLACE INTO t VALUES (1)",
            "SELECT c FROM t PROCEDURE ANALYSE()",
        ] {
            assert!(check_select(s).is_err(), "{s}");
        }
    }

    #[test]
    fn dml_guard() {
        assert!(check_dml("UPDATE t SET a = 1 WHERE id = 2").is_ok());
        assert!(check_dml("UPDATE t SET a = SLEEP(1) WHERE id = 2").is_err());
        assert!(check_dml("SELECT 1").is_err());
        assert!(check_dml("DROP TABLE t").is_err());
    }
}
