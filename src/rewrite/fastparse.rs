//! A fast path in front of sqlparser for the few statement shapes that make up OLTP write
//! streams and the probes the rewriter emits: single-table `UPDATE … SET … [WHERE …]`,
//! `DELETE FROM … [WHERE …]`, `INSERT INTO … [(cols)] VALUES (…), …` and
//! `SELECT cols FROM tbl [FORCE INDEX (ix)] [WHERE …]`, over column references, plain literals,
//! `?N` slots and the operators `OR AND IS [NOT] NULL [NOT] IN [NOT] BETWEEN = <> != < <= > >=
//! + - * / %`.
//!
//! Why it exists: a statement whose shape was never seen costs one sqlparser parse of the input
//! and one of every query emitted (the guard re-parses each). sqlparser spends about 4 µs on a
//! 40-byte UPDATE (a general tokenizer, and at every expression start an attempted typed-string
//! parse whose failure formats an error message), so two parses alone nearly fill the 10 µs
//! budget of the cold-path target. This parser handles those shapes in well under a microsecond.
//!
//! Its contract: it returns `Some` only for text it fully understands, and then the AST is
//! **equal to the one sqlparser builds** from the same text with the options of
//! [`super::parse`] (sqlparser's `PartialEq` ignores source spans, which are left empty here).
//! Everything else — comments, other keywords, functions, subqueries, aliases, `*`, escapes in
//! strings, identifiers that are keywords sqlparser treats specially — returns `None`, and the
//! caller uses sqlparser. Equality is checked differentially in the tests below and over the
//! grammar tests, ../shared/corpus and mutated statements in `tests/rewrite_props.rs`.

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    Assignment, AssignmentTarget, BinaryOperator, Delete, Expr, FromTable, GroupByExpr, Ident,
    Insert, ObjectName, ObjectNamePart, Parens, Query, Select, SelectFlavor, SelectItem, SetExpr,
    Statement, TableFactor, TableIndexHintForClause, TableIndexHintType, TableIndexHints,
    TableIndexType, TableObject, TableWithJoins, UnaryOperator, Update, Value, Values,
};
use sqlparser::keywords::ALL_KEYWORDS;

/// Keywords that sqlparser (0.63, MySqlDialect) treats as plain identifiers in every position
/// this parser accepts a name; any other keyword makes the parser decline. Common column names.
const PLAIN_KEYWORDS: &[&str] = &[
    "ID", "NAME", "VALUE", "STATUS", "TYPE", "DATA", "LEVEL", "STATE", "TITLE", "CODE", "COMMENT",
    "VERSION", "SOURCE",
];

/// Longest unquoted word handled (longer ones: sqlparser decides).
const MAX_WORD: usize = 64;
/// Deepest parenthesis nesting handled; deeper input is sqlparser's (which may refuse it at its
/// recursion limit, and this parser must never accept what sqlparser refuses).
const MAX_PARENS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// Unquoted word (keyword or identifier).
    Word(&'a str),
    /// Back-quoted identifier, quotes removed (never contains a back quote).
    Quoted(&'a str),
    /// '…' without quotes, backslashes or doubled quotes inside.
    Str(&'a str),
    /// Digits, optionally `.digits`.
    Num(&'a str),
    /// `?` + digits, as written.
    Slot(&'a str),
    /// One of `( ) , . = <> != < <= > >= + - * / %`.
    Op(&'static str),
}

/// Tokenize, or `None` at anything outside the accepted lexicon. Also records whether a `.`
/// touched its neighbours (names are only accepted as `a.b` without spaces).
fn tokenize(sql: &str) -> Option<Vec<Tok<'_>>> {
    let b = sql.as_bytes();
    let mut out = Vec::with_capacity(24);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                if i < b.len() && !b[i].is_ascii() || b.get(i) == Some(&b'$') {
                    return None;
                }
                out.push(Tok::Word(&sql[start..i]));
            }
            b'0'..=b'9' => {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if b.get(i) == Some(&b'.') {
                    i += 1;
                    let frac = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    if i == frac {
                        return None;
                    }
                }
                // 1e5, 0x1F, 12abc, 1.2.3: sqlparser's business.
                if b.get(i).is_some_and(|&n| {
                    n.is_ascii_alphanumeric() || n == b'_' || n == b'.' || n >= 0x80
                }) {
                    return None;
                }
                out.push(Tok::Num(&sql[start..i]));
            }
            b'?' => {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i == start + 1
                    || b.get(i)
                        .is_some_and(|&n| n.is_ascii_alphanumeric() || n == b'_' || n >= 0x80)
                {
                    return None;
                }
                out.push(Tok::Slot(&sql[start..i]));
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    if b[i] == b'\\' {
                        return None;
                    }
                    i += 1;
                }
                if i >= b.len() || b.get(i + 1) == Some(&b'\'') {
                    return None;
                }
                i += 1;
                out.push(Tok::Str(&sql[start + 1..i - 1]));
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
                if i >= b.len() || b.get(i + 1) == Some(&b'`') || i == start + 1 {
                    return None;
                }
                i += 1;
                out.push(Tok::Quoted(&sql[start + 1..i - 1]));
            }
            _ => {
                let next = b.get(i + 1).copied();
                let (op, len): (&'static str, usize) = match (c, next) {
                    (b'<', Some(b'>')) => ("<>", 2),
                    (b'<', Some(b'=')) => ("<=", 2),
                    (b'>', Some(b'=')) => (">=", 2),
                    (b'!', Some(b'=')) => ("!=", 2),
                    (b'<', _) => ("<", 1),
                    (b'>', _) => (">", 1),
                    (b'(', _) => ("(", 1),
                    (b')', _) => (")", 1),
                    (b',', _) => (",", 1),
                    (b'.', _) => (".", 1),
                    (b'=', _) => ("=", 1),
                    (b'+', _) => ("+", 1),
                    (b'-', _) => ("-", 1),
                    (b'*', _) => ("*", 1),
                    (b'/', _) => ("/", 1),
                    (b'%', _) => ("%", 1),
                    _ => return None,
                };
                i += len;
                // `<=>`, `<<`, `>>`, `--`, `/*`, `*/`, `-> `, `=>`, `.` next to a space…
                let after = b.get(i).copied();
                let glued = matches!(
                    (op, after),
                    (
                        "<" | ">" | "=" | "<>" | "!=" | "<=" | ">=",
                        Some(b'>' | b'<' | b'=' | b'!')
                    ) | ("-", Some(b'-' | b'>'))
                        | ("/", Some(b'*'))
                        | ("*", Some(b'/'))
                );
                if glued {
                    return None;
                }
                if op == "."
                    && (start == 0
                        || !is_name_byte(b[start - 1])
                        || !after.is_some_and(|a| is_name_byte(a) || a == b'`'))
                {
                    return None;
                }
                out.push(Tok::Op(op));
            }
        }
    }
    Some(out)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'`'
}

/// Whether `w` is any sqlparser keyword.
fn is_keyword(w: &str) -> bool {
    let mut buf = [0u8; MAX_WORD];
    let Some(dst) = buf.get_mut(..w.len()) else {
        return true;
    };
    for (d, s) in dst.iter_mut().zip(w.bytes()) {
        *d = s.to_ascii_uppercase();
    }
    let upper = std::str::from_utf8(dst).unwrap_or_default();
    ALL_KEYWORDS.binary_search(&upper).is_ok()
}

fn kw(t: Option<&Tok<'_>>, k: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
}

struct P<'a> {
    toks: Vec<Tok<'a>>,
    i: usize,
    parens: usize,
}

/// Parse `sql` if it is one of the shapes in the module doc; the AST equals sqlparser's.
pub fn parse(sql: &str) -> Option<Statement> {
    let toks = tokenize(sql)?;
    let mut p = P {
        toks,
        i: 0,
        parens: 0,
    };
    let st = match p.peek() {
        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("UPDATE") => p.update()?,
        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("DELETE") => p.delete()?,
        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("INSERT") => p.insert()?,
        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("SELECT") => p.select()?,
        _ => return None,
    };
    (p.i == p.toks.len()).then_some(st)
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<&Tok<'a>> {
        self.toks.get(self.i)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok<'a>> {
        self.toks.get(self.i + n)
    }

    fn bump(&mut self) -> Option<Tok<'a>> {
        let t = self.toks.get(self.i).copied();
        self.i += 1;
        t
    }

    fn eat_kw(&mut self, k: &str) -> bool {
        let hit = kw(self.peek(), k);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn expect_kw(&mut self, k: &str) -> Option<()> {
        self.eat_kw(k).then_some(())
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Op(o)) if *o == op);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn expect_op(&mut self, op: &str) -> Option<()> {
        self.eat_op(op).then_some(())
    }

    /// One name part: a back-quoted identifier, a non-keyword word, or a keyword sqlparser
    /// treats as a plain name.
    fn ident(&mut self) -> Option<Ident> {
        match self.bump()? {
            Tok::Quoted(q) => Some(Ident::with_quote('`', q)),
            Tok::Word(w)
                if !is_keyword(w) || PLAIN_KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) =>
            {
                Some(Ident::new(w))
            }
            _ => None,
        }
    }

    /// An index name in a hint: a name, or `PRIMARY`.
    fn index_name(&mut self) -> Option<Ident> {
        match self.peek()? {
            Tok::Word(w) if w.eq_ignore_ascii_case("PRIMARY") => {
                let w = *w;
                self.i += 1;
                Some(Ident::new(w))
            }
            _ => self.ident(),
        }
    }

    /// `a` or `a.b` (…): the parts.
    fn name_parts(&mut self) -> Option<Vec<Ident>> {
        let mut parts = vec![self.ident()?];
        while self.eat_op(".") {
            parts.push(self.ident()?);
        }
        Some(parts)
    }

    fn object_name(&mut self) -> Option<ObjectName> {
        let parts = self.name_parts()?;
        if parts.len() > 2 {
            return None;
        }
        Some(ObjectName(
            parts.into_iter().map(ObjectNamePart::Identifier).collect(),
        ))
    }

    fn table(&mut self, hints: bool) -> Option<TableWithJoins> {
        let name = self.object_name()?;
        let mut index_hints = Vec::new();
        if hints && self.eat_kw("FORCE") {
            self.expect_kw("INDEX")?;
            self.expect_op("(")?;
            let mut names = vec![self.index_name()?];
            while self.eat_op(",") {
                names.push(self.index_name()?);
            }
            self.expect_op(")")?;
            index_hints.push(TableIndexHints {
                hint_type: TableIndexHintType::Force,
                index_type: TableIndexType::Index,
                for_clause: None::<TableIndexHintForClause>,
                index_names: names,
            });
        }
        Some(TableWithJoins {
            relation: TableFactor::Table {
                name,
                alias: None,
                args: None,
                with_hints: vec![],
                version: None,
                with_ordinality: false,
                partitions: vec![],
                json_path: None,
                sample: None,
                index_hints,
            },
            joins: vec![],
        })
    }

    fn where_clause(&mut self) -> Option<Option<Expr>> {
        if self.eat_kw("WHERE") {
            Some(Some(self.expr(0)?))
        } else {
            Some(None)
        }
    }

    fn update(&mut self) -> Option<Statement> {
        self.expect_kw("UPDATE")?;
        let table = self.table(false)?;
        self.expect_kw("SET")?;
        let mut assignments = Vec::new();
        loop {
            let target = ObjectName(
                self.name_parts()?
                    .into_iter()
                    .map(ObjectNamePart::Identifier)
                    .collect(),
            );
            self.expect_op("=")?;
            let value = self.expr(0)?;
            assignments.push(Assignment {
                target: AssignmentTarget::ColumnName(target),
                value,
            });
            if !self.eat_op(",") {
                break;
            }
        }
        let selection = self.where_clause()?;
        Some(Statement::Update(Update {
            update_token: AttachedToken::empty(),
            optimizer_hints: vec![],
            table,
            assignments,
            from: None,
            selection,
            returning: None,
            output: None,
            or: None,
            order_by: vec![],
            limit: None,
        }))
    }

    fn delete(&mut self) -> Option<Statement> {
        self.expect_kw("DELETE")?;
        self.expect_kw("FROM")?;
        let table = self.table(false)?;
        let selection = self.where_clause()?;
        Some(Statement::Delete(Delete {
            delete_token: AttachedToken::empty(),
            optimizer_hints: vec![],
            tables: vec![],
            from: FromTable::WithFromKeyword(vec![table]),
            using: None,
            selection,
            returning: None,
            output: None,
            order_by: vec![],
            limit: None,
        }))
    }

    fn insert(&mut self) -> Option<Statement> {
        self.expect_kw("INSERT")?;
        self.expect_kw("INTO")?;
        let table = self.object_name()?;
        let mut columns = Vec::new();
        if self.eat_op("(") {
            loop {
                columns.push(ObjectName(vec![ObjectNamePart::Identifier(self.ident()?)]));
                if !self.eat_op(",") {
                    break;
                }
            }
            self.expect_op(")")?;
        }
        self.expect_kw("VALUES")?;
        let mut rows = Vec::new();
        loop {
            self.expect_op("(")?;
            let mut row = vec![self.expr(0)?];
            while self.eat_op(",") {
                row.push(self.expr(0)?);
            }
            self.expect_op(")")?;
            rows.push(Parens::with_empty_span(row));
            if !self.eat_op(",") {
                break;
            }
        }
        let source = query(SetExpr::Values(Values {
            explicit_row: false,
            value_keyword: false,
            rows,
        }));
        Some(Statement::Insert(Insert {
            insert_token: AttachedToken::empty(),
            optimizer_hints: vec![],
            or: None,
            ignore: false,
            into: true,
            table: TableObject::TableName(table),
            table_alias: None,
            columns,
            overwrite: false,
            source: Some(Box::new(source)),
            assignments: vec![],
            partitioned: None,
            after_columns: vec![],
            has_table_keyword: false,
            on: None,
            returning: None,
            output: None,
            replace_into: false,
            priority: None,
            insert_alias: None,
            settings: None,
            format_clause: None,
            multi_table_insert_type: None,
            multi_table_into_clauses: vec![],
            multi_table_when_clauses: vec![],
            multi_table_else_clause: None,
        }))
    }

    fn select(&mut self) -> Option<Statement> {
        self.expect_kw("SELECT")?;
        let mut projection = Vec::new();
        loop {
            projection.push(SelectItem::UnnamedExpr(self.column_ref()?));
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_kw("FROM")?;
        let from = vec![self.table(true)?];
        let selection = self.where_clause()?;
        let select = Select {
            select_token: AttachedToken::empty(),
            optimizer_hints: vec![],
            distinct: None,
            select_modifiers: None,
            top: None,
            top_before_distinct: false,
            projection,
            exclude: None,
            into: None,
            from,
            lateral_views: vec![],
            prewhere: None,
            selection,
            connect_by: vec![],
            group_by: GroupByExpr::Expressions(vec![], vec![]),
            cluster_by: vec![],
            distribute_by: vec![],
            sort_by: vec![],
            having: None,
            named_window: vec![],
            qualify: None,
            window_before_qualify: false,
            value_table_mode: None,
            flavor: SelectFlavor::Standard,
        };
        Some(Statement::Query(Box::new(query(SetExpr::Select(
            Box::new(select),
        )))))
    }

    fn column_ref(&mut self) -> Option<Expr> {
        let mut parts = self.name_parts()?;
        Some(if parts.len() == 1 {
            Expr::Identifier(parts.pop()?)
        } else {
            Expr::CompoundIdentifier(parts)
        })
    }

    /// sqlparser's precedence climbing (`parse_subexpr`) over the accepted operators.
    fn expr(&mut self, prec: u8) -> Option<Expr> {
        let mut e = self.prefix()?;
        loop {
            let next = self.next_prec()?;
            if prec >= next {
                return Some(e);
            }
            e = self.infix(e, next)?;
        }
    }

    /// Precedence of what follows (0: the expression ends), `None` for something unknown.
    fn next_prec(&self) -> Option<u8> {
        Some(match self.peek() {
            None => 0,
            Some(Tok::Op("=" | "<>" | "!=" | "<" | "<=" | ">" | ">=")) => 20,
            Some(Tok::Op("+" | "-")) => 30,
            Some(Tok::Op("*" | "/" | "%")) => 40,
            Some(Tok::Op(")" | ",")) => 0,
            Some(Tok::Op(_)) => return None,
            Some(Tok::Word(w)) => {
                let w = *w;
                if w.eq_ignore_ascii_case("OR") {
                    5
                } else if w.eq_ignore_ascii_case("AND") {
                    10
                } else if w.eq_ignore_ascii_case("IS") {
                    17
                } else if w.eq_ignore_ascii_case("IN")
                    || w.eq_ignore_ascii_case("BETWEEN")
                    || (w.eq_ignore_ascii_case("NOT")
                        && (kw(self.peek_at(1), "IN") || kw(self.peek_at(1), "BETWEEN")))
                {
                    20
                } else if w.eq_ignore_ascii_case("WHERE") {
                    // `SET a = 1 WHERE …`: the clause ends the assignment's value.
                    0
                } else {
                    return None;
                }
            }
            Some(_) => return None,
        })
    }

    fn infix(&mut self, left: Expr, prec: u8) -> Option<Expr> {
        let op = match self.bump()? {
            Tok::Op(o) => match o {
                "=" => BinaryOperator::Eq,
                "<>" | "!=" => BinaryOperator::NotEq,
                "<" => BinaryOperator::Lt,
                "<=" => BinaryOperator::LtEq,
                ">" => BinaryOperator::Gt,
                ">=" => BinaryOperator::GtEq,
                "+" => BinaryOperator::Plus,
                "-" => BinaryOperator::Minus,
                "*" => BinaryOperator::Multiply,
                "/" => BinaryOperator::Divide,
                "%" => BinaryOperator::Modulo,
                _ => return None,
            },
            Tok::Word(w) if w.eq_ignore_ascii_case("OR") => BinaryOperator::Or,
            Tok::Word(w) if w.eq_ignore_ascii_case("AND") => BinaryOperator::And,
            Tok::Word(w) if w.eq_ignore_ascii_case("IS") => {
                let negated = self.eat_kw("NOT");
                self.expect_kw("NULL")?;
                let e = Box::new(left);
                return Some(if negated {
                    Expr::IsNotNull(e)
                } else {
                    Expr::IsNull(e)
                });
            }
            Tok::Word(w) => {
                let negated = w.eq_ignore_ascii_case("NOT");
                let word = if negated {
                    match self.bump()? {
                        Tok::Word(w) => w,
                        _ => return None,
                    }
                } else {
                    w
                };
                if word.eq_ignore_ascii_case("IN") {
                    self.expect_op("(")?;
                    let mut list = vec![self.expr(0)?];
                    while self.eat_op(",") {
                        list.push(self.expr(0)?);
                    }
                    self.expect_op(")")?;
                    return Some(Expr::InList {
                        expr: Box::new(left),
                        list,
                        negated,
                    });
                }
                if word.eq_ignore_ascii_case("BETWEEN") {
                    let low = self.expr(20)?;
                    self.expect_kw("AND")?;
                    let high = self.expr(20)?;
                    return Some(Expr::Between {
                        expr: Box::new(left),
                        negated,
                        low: Box::new(low),
                        high: Box::new(high),
                    });
                }
                return None;
            }
            _ => return None,
        };
        let right = self.expr(prec)?;
        Some(Expr::BinaryOp {
            left: Box::new(left),
            op,
            right: Box::new(right),
        })
    }

    fn prefix(&mut self) -> Option<Expr> {
        match *self.peek()? {
            Tok::Num(n) => {
                self.i += 1;
                Some(value(Value::Number(n.to_string(), false)))
            }
            Tok::Str(s) => {
                self.i += 1;
                Some(value(Value::SingleQuotedString(s.to_string())))
            }
            Tok::Slot(s) => {
                self.i += 1;
                Some(value(Value::Placeholder(s.to_string())))
            }
            Tok::Op("-") => {
                self.i += 1;
                let operand = match self.bump()? {
                    Tok::Num(n) => value(Value::Number(n.to_string(), false)),
                    Tok::Slot(s) => value(Value::Placeholder(s.to_string())),
                    _ => return None,
                };
                // `-5 * 2`: sqlparser binds the minus tighter than `*` only as far as the
                // operand; a following `*`, `/` or `%` would then apply to the negation, as here.
                Some(Expr::UnaryOp {
                    op: UnaryOperator::Minus,
                    expr: Box::new(operand),
                })
            }
            Tok::Op("(") => {
                self.i += 1;
                self.parens += 1;
                if self.parens > MAX_PARENS {
                    return None;
                }
                let mut items = vec![self.expr(0)?];
                while self.eat_op(",") {
                    items.push(self.expr(0)?);
                }
                self.expect_op(")")?;
                self.parens -= 1;
                Some(if items.len() == 1 {
                    Expr::Nested(Box::new(items.pop()?))
                } else {
                    Expr::Tuple(items)
                })
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("NULL") => {
                self.i += 1;
                Some(value(Value::Null))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("TRUE") || w.eq_ignore_ascii_case("FALSE") => {
                self.i += 1;
                Some(value(Value::Boolean(w.eq_ignore_ascii_case("TRUE"))))
            }
            Tok::Word(_) | Tok::Quoted(_) => {
                // A name followed by `(` is a function call: sqlparser's.
                let e = self.column_ref()?;
                (!matches!(self.peek(), Some(Tok::Op("(")))).then_some(e)
            }
            _ => None,
        }
    }
}

fn value(v: Value) -> Expr {
    Expr::Value(v.into())
}

fn query(body: SetExpr) -> Query {
    Query {
        with: None,
        body: Box::new(body),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: vec![],
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast parser's AST for `sql` equals sqlparser's (when it accepts at all).
    fn same(sql: &str) -> bool {
        let Some(fast) = parse(sql) else {
            return false;
        };
        let slow = super::super::parse::parse_sqlparser(sql)
            .unwrap_or_else(|e| panic!("fast parser accepted what sqlparser rejects: {sql}: {e}"));
        assert_eq!(slow.len(), 1, "{sql}");
        assert_eq!(fast, slow[0], "{sql}");
        assert_eq!(fast.to_string(), slow[0].to_string(), "{sql}");
        true
    }

    #[test]
    fn accepted_shapes_build_sqlparsers_ast() {
        for sql in [
            "UPDATE sbtest1 SET k=k+1 WHERE id=?0",
            "UPDATE sbtest1 SET c='abc-12' WHERE id=7",
            "UPDATE `db`.`t` SET `a` = 1, b = NULL, t.c = -5 WHERE id IN (1, 2, ?3) AND x IS NOT NULL",
            "UPDATE t SET a = a * 2 - 1 / 3 % 4 WHERE (a, b) IN ((1, 2), (3, 4)) OR c BETWEEN 1 AND 5",
            "UPDATE t SET a = TRUE WHERE a NOT BETWEEN -1 AND 2 AND b NOT IN (3) AND c IS NULL",
            "UPDATE t SET a = 1 WHERE a = 1 OR b = 2 AND c = 3",
            "UPDATE t SET a = -5 * 2 WHERE (a = 1 OR b = 2) AND c <> 3 AND d != 4 AND e <= 5 AND f >= 6 AND g < 7 AND h > 8",
            "UPDATE t SET name = 'x', status = 2 WHERE id = 1.50",
            "DELETE FROM sbtest1 WHERE id=9",
            "DELETE FROM `sb`.`t` WHERE a = 'x' AND b = ?1",
            "DELETE FROM t",
            "INSERT INTO sbtest1 (id, k, c, pad) VALUES (11, 12, 'x', 'y')",
            "INSERT INTO t VALUES (1, 'a'), (2, NULL), (-3, ?4)",
            "INSERT INTO `db`.`t` (`id`) VALUES (?0)",
            "SELECT `pad`, `k`, `id` FROM sbtest1 WHERE id = 5",
            "SELECT `k` FROM `sbtest`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 12 AND `id` = 11",
            "SELECT t.a, b FROM t FORCE INDEX (PRIMARY) WHERE (a, b) IN ((?0, ?1))",
            "SELECT a FROM t",
            "UPDATE t SET a = 1 WHERE a = 1 = 2",
            "UPDATE t SET a = 1 WHERE a IS NULL IS NOT NULL",
            "UPDATE t SET a = 1 WHERE a BETWEEN 1 + 2 AND 3 * 4 = b",
        ] {
            assert!(same(sql), "declined: {sql}");
        }
    }

    #[test]
    fn plain_keywords_are_plain_names_in_every_position() {
        for k in PLAIN_KEYWORDS {
            for w in [k.to_string(), k.to_ascii_lowercase()] {
                for sql in [
                    format!("UPDATE {w} SET {w} = {w} + 1 WHERE {w} = 1 AND {w}.{w} IN (1, 2)"),
                    format!(
                        "UPDATE t SET {w} = 'x', a = {w} WHERE {w} IS NULL OR {w} BETWEEN 1 AND 2"
                    ),
                    format!("DELETE FROM {w}.{w} WHERE {w} <> {w}"),
                    format!("INSERT INTO {w} ({w}, a) VALUES (1, 2)"),
                    format!(
                        "SELECT {w}, t.{w} FROM {w} FORCE INDEX ({w}) WHERE ({w}, a) IN ((1, 2))"
                    ),
                ] {
                    assert!(same(&sql), "declined: {sql}");
                }
            }
        }
    }

    #[test]
    fn anything_else_is_left_to_sqlparser() {
        for sql in [
            "UPDATE t SET a = 1 WHERE id = 1 LIMIT 1",
            "UPDATE IGNORE t SET a = 1",
            "UPDATE t SET a = NOW()",
            "UPDATE t SET a = 1 -- c\n WHERE id = 1",
            "UPDATE t SET a = 1 /* c */ WHERE id = 1",
            "UPDATE t SET a = 1 # c",
            "UPDATE t SET a = 'it''s'",
            "UPDATE t SET a = 'a\\'b'",
            "UPDATE t SET a = \"dq\"",
            "UPDATE t SET a = 1e5",
            "UPDATE t SET a = 0x1F",
            "UPDATE t SET a = .5",
            "UPDATE t SET a = 1 WHERE b <=> 2",
            "UPDATE t SET a := 1",
            "UPDATE t SET date = 1",
            "UPDATE t SET a = 1 WHERE key = 1",
            "UPDATE t SET a = - - 1",
            "UPDATE t SET a = -b",
            "UPDATE t SET a = 1;",
            "UPDATE t SET a = 1 WHERE a LIKE 'x'",
            "UPDATE t SET a = 1 WHERE NOT a = 1",
            "UPDATE t SET a = 1 WHERE t . a = 1",
            "UPDATE t SET a = x'41'",
            "UPDATE t SET a = _utf8mb4'x'",
            "UPDATE t SET a = 1 WHERE a IN (SELECT b FROM u)",
            "DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id",
            "DELETE FROM t WHERE id = 1 ORDER BY id LIMIT 1",
            "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 2",
            "INSERT INTO t SET a = 1",
            "INSERT INTO t (a) SELECT b FROM u",
            "REPLACE INTO t (a) VALUES (1)",
            "SELECT * FROM t",
            "SELECT a FROM t WHERE a = 1 FOR UPDATE",
            "SELECT a FROM t WHERE a = 1 LOCK IN SHARE MODE",
            "SELECT a INTO @x FROM t",
            "SELECT a FROM t AS x",
            "SELECT a FROM t USE INDEX (k)",
            "SELECT a FROM t WHERE a = ?",
            "SELECT a FROM t WHERE a = ?1x",
            "SELECT `a``b` FROM t",
            "SELECT a FROM db.s.t",
            "SELECT a FROM t WHERE a = 'unterminated",
            "UPDATE t SET café = 1",
        ] {
            assert!(parse(sql).is_none(), "accepted: {sql}");
        }
    }
}
