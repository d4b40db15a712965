//! DDL as the rewrite stage needs it: which tables a DDL statement in the relay log touches (so
//! their cached definitions are invalidated), and CREATE TABLE statements → schema [`Table`]s for
//! `--schema-file`. The table-name extraction works on tokens (DDL syntax varies too much across
//! versions for sqlparser 0.63 to read all of it); CREATE TABLE bodies are parsed by sqlparser.

use sqlparser::ast::{ColumnOption, CreateTable, Expr, ObjectNamePart, Statement, TableConstraint};

use super::lexer::{self, Flavor, Kind, Token, is_kw, text};
use super::normalize::unquote_ident;
use super::parse;
use crate::error::{Error, ErrorKind, Result};
use crate::schema::{Column, Index, IndexColumn, Schema, Table};

/// Tables (db, table) a DDL statement changes; `(db, "")` = a whole database. None when the
/// statement is not DDL. Unqualified names use `default_db` (empty db when there is none).
pub fn ddl_tables(sql: &str, default_db: Option<&str>) -> Option<Vec<(String, String)>> {
    // Fast path: most statements in a relay log are DML whose first word says so; only a
    // statement opening with a DDL verb, a comment or anything unusual is lexed in full.
    let head = sql.trim_start();
    let word: &str = head
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    if !word.is_empty()
        && !["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"]
            .iter()
            .any(|v| v.eq_ignore_ascii_case(word))
    {
        return None;
    }
    let mut toks = Vec::new();
    lexer::lex(sql, Flavor::MariaDb(999_999), &mut toks).ok()?;
    let first = toks.first()?;
    let verb = text(sql, first).to_ascii_uppercase();
    if !["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"].contains(&verb.as_str()) {
        return None;
    }
    let db = default_db.unwrap_or("");
    // Skip modifiers up to the object keyword.
    let mut i = 1;
    while i < toks.len()
        && ![
            "TABLE", "TABLES", "DATABASE", "SCHEMA", "INDEX", "VIEW", "TRIGGER",
        ]
        .iter()
        .any(|k| is_kw(sql, &toks[i], k))
        && toks[i].kind == Kind::Word
        && i < 6
    {
        i += 1;
    }
    if verb == "TRUNCATE" && !toks.get(1).is_some_and(|t| is_kw(sql, t, "TABLE")) {
        return Some(names(sql, &toks[1..], db, false));
    }
    let obj = toks.get(i).map(|t| text(sql, t).to_ascii_uppercase())?;
    let rest = &toks[i + 1..];
    Some(match obj.as_str() {
        "DATABASE" | "SCHEMA" => names(sql, rest, "", false)
            .into_iter()
            .map(|(_, d)| (d, String::new()))
            .take(1)
            .collect(),
        "INDEX" => {
            let on = rest.iter().position(|t| is_kw(sql, t, "ON"))?;
            names(sql, &rest[on + 1..], db, false)
                .into_iter()
                .take(1)
                .collect()
        }
        "TABLE" | "TABLES" => names(sql, rest, db, verb == "RENAME"),
        _ => Vec::new(),
    })
}

/// Comma-separated qualified names; `rename` also collects the names after TO.
fn names(sql: &str, toks: &[Token], db: &str, rename: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    let flush = |parts: &mut Vec<String>, out: &mut Vec<(String, String)>| {
        match parts.as_slice() {
            [t] => out.push((db.to_string(), t.clone())),
            [d, t] => out.push((d.clone(), t.clone())),
            _ => {}
        }
        parts.clear();
    };
    // `expect_name`: a name part may come next (start, after `.`, `,` or TO).
    let mut expect_name = true;
    for t in toks {
        let s = text(sql, t);
        match t.kind {
            Kind::Word
                if expect_name
                    && parts.is_empty()
                    && ["IF", "NOT", "EXISTS"]
                        .iter()
                        .any(|k| s.eq_ignore_ascii_case(k)) => {}
            Kind::Word | Kind::QuotedIdent if expect_name => {
                parts.push(unquote_ident(s));
                expect_name = false;
            }
            Kind::Op if s == "." && !expect_name => expect_name = true,
            Kind::Op if s == "," => {
                flush(&mut parts, &mut out);
                expect_name = true;
            }
            Kind::Word if rename && s.eq_ignore_ascii_case("TO") => {
                flush(&mut parts, &mut out);
                expect_name = true;
            }
            _ => break,
        }
    }
    flush(&mut parts, &mut out);
    out
}

/// Read every CREATE TABLE in `sql_text` (a schema dump; `USE db` switches the database).
pub fn parse_create_tables(sql_text: &str, default_db: &str) -> Result<Schema> {
    let mut toks = Vec::new();
    lexer::lex(sql_text, Flavor::MariaDb(999_999), &mut toks)
        .map_err(|e| Error::new(ErrorKind::Parse, format!("schema file does not lex: {e:?}")))?;
    let mut schema = Schema::new();
    let mut db = default_db.to_string();
    for stmt in toks.split(|t| t.kind == Kind::Op && text(sql_text, t) == ";") {
        let (Some(first), Some(last)) = (stmt.first(), stmt.last()) else {
            continue;
        };
        if is_kw(sql_text, first, "USE") {
            if let Some(t) = stmt.get(1) {
                db = unquote_ident(text(sql_text, t));
            }
            continue;
        }
        let is_create_table = is_kw(sql_text, first, "CREATE")
            && stmt.iter().take(4).any(|t| is_kw(sql_text, t, "TABLE"));
        if !is_create_table {
            continue;
        }
        let src = &sql_text[first.span.start..last.span.end];
        let engine = engine_of(sql_text, stmt);
        let st = parse::parse_one(&clean_for_parser(sql_text, stmt)).map_err(|e| {
            Error::new(
                ErrorKind::Parse,
                format!("CREATE TABLE does not parse: {e}: {}", trunc(src)),
            )
        })?;
        let Statement::CreateTable(ct) = st else {
            continue;
        };
        schema.insert(table_of(&ct, &db, engine)?);
    }
    Ok(schema)
}

fn trunc(s: &str) -> &str {
    &s[..s.char_indices().nth(120).map_or(s.len(), |(i, _)| i)]
}

/// The statement's tokens re-joined, without table options after the closing parenthesis
/// (sqlparser does not read every MariaDB/MySQL table option; the engine is taken separately).
fn clean_for_parser(sql: &str, stmt: &[Token]) -> String {
    let mut depth = 0i32;
    let mut end = stmt.len();
    for (i, t) in stmt.iter().enumerate() {
        match text(sql, t) {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    end = i + 1;
                    break;
                }
            }
            _ => {}
        }
    }
    stmt[..end]
        .iter()
        .map(|t| text(sql, t))
        .collect::<Vec<_>>()
        .join(" ")
}

fn engine_of(sql: &str, stmt: &[Token]) -> Option<String> {
    let i = stmt.iter().rposition(|t| is_kw(sql, t, "ENGINE"))?;
    let mut j = i + 1;
    if stmt.get(j).is_some_and(|t| text(sql, t) == "=") {
        j += 1;
    }
    stmt.get(j).map(|t| unquote_ident(text(sql, t)))
}

fn table_of(ct: &CreateTable, db: &str, engine: Option<String>) -> Result<Table> {
    let parts: Vec<String> = ct
        .name
        .0
        .iter()
        .filter_map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(i.value.clone()),
            ObjectNamePart::Function(_) => None,
        })
        .collect();
    let (tdb, name) = match parts.as_slice() {
        [t] => (db.to_string(), t.clone()),
        [d, t] => (d.clone(), t.clone()),
        _ => {
            return Err(Error::new(
                ErrorKind::Schema,
                format!("table name {}", ct.name),
            ));
        }
    };
    let mut table = Table {
        db: tdb,
        name,
        engine,
        columns: Vec::new(),
        indexes: Vec::new(),
        version: 0,
        rows_per_page: None,
    };
    let mut inline_pk = Vec::new();
    let mut inline_unique = Vec::new();
    for (ci, c) in ct.columns.iter().enumerate() {
        let ty = c.data_type.to_string().to_ascii_lowercase();
        let base = ty.split(['(', ' ']).next().unwrap_or("").to_string();
        let mut col = Column {
            name: c.name.value.clone(),
            data_type: base,
            unsigned: ty.contains("unsigned"),
            column_type: ty,
            nullable: true,
            collation: None,
            auto_increment: false,
            generated: false,
        };
        for o in &c.options {
            match &o.option {
                ColumnOption::NotNull => col.nullable = false,
                ColumnOption::PrimaryKey(_) => {
                    col.nullable = false;
                    inline_pk.push(ci);
                }
                ColumnOption::Unique(_) => inline_unique.push(ci),
                ColumnOption::Collation(n) => col.collation = Some(n.to_string()),
                ColumnOption::Generated { .. } => col.generated = true,
                ColumnOption::DialectSpecific(toks)
                    if toks
                        .iter()
                        .any(|t| t.to_string().eq_ignore_ascii_case("AUTO_INCREMENT")) =>
                {
                    col.auto_increment = true;
                }
                _ => {}
            }
        }
        table.columns.push(col);
    }
    if !inline_pk.is_empty() {
        table.indexes.push(index("PRIMARY", true, true, &inline_pk));
    }
    for ci in inline_unique {
        let n = table.columns[ci].name.clone();
        table.indexes.push(index(&n, false, true, &[ci]));
    }
    for c in &ct.constraints {
        add_constraint(&mut table, c)?;
    }
    // The primary key first, as information_schema lists it.
    table.indexes.sort_by_key(|i| !i.primary);
    Ok(table)
}

fn index(name: &str, primary: bool, unique: bool, cols: &[usize]) -> Index {
    Index::plain(name, primary, unique, cols)
}

fn add_constraint(t: &mut Table, c: &TableConstraint) -> Result<()> {
    let (name, primary, unique, cols) = match c {
        TableConstraint::PrimaryKey(p) => ("PRIMARY".to_string(), true, true, &p.columns),
        TableConstraint::Unique(u) => (
            u.index_name
                .as_ref()
                .or(u.name.as_ref())
                .map(|i| i.value.clone())
                .unwrap_or_default(),
            false,
            true,
            &u.columns,
        ),
        TableConstraint::Index(i) => (
            i.name.as_ref().map(|n| n.value.clone()).unwrap_or_default(),
            false,
            false,
            &i.columns,
        ),
        _ => return Ok(()),
    };
    let mut columns = Vec::new();
    for ic in cols {
        let (cname, prefix) = match &ic.column.expr {
            Expr::Identifier(i) => (i.value.clone(), None),
            // `c(10)` is a prefix; anything else is a functional key part (MySQL 8): we cannot
            // reason about such an index, so it is left out (as the live loader does).
            Expr::Function(f) => {
                let arg = f.args.to_string();
                match arg.trim_matches(['(', ')']).trim().parse() {
                    Ok(n) => (f.name.to_string().trim_matches('`').to_string(), Some(n)),
                    Err(_) => return Ok(()),
                }
            }
            _ => return Ok(()),
        };
        let column = t.column_index(&cname).ok_or_else(|| {
            Error::new(
                ErrorKind::Schema,
                format!("index column {cname} not in {}", t.name),
            )
        })?;
        columns.push(IndexColumn { column, prefix });
    }
    // MySQL names an unnamed index after its first column.
    let name = if name.is_empty() {
        columns
            .first()
            .map(|c| t.columns[c.column].name.clone())
            .unwrap_or_default()
    } else {
        name
    };
    t.indexes.push(Index {
        name,
        primary,
        unique,
        columns,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_table_names() {
        let d = Some("app");
        assert_eq!(
            ddl_tables("ALTER TABLE t ADD c int", d),
            Some(vec![("app".into(), "t".into())])
        );
        assert_eq!(
            ddl_tables("DROP TABLE IF EXISTS `a`, db2.b", d),
            Some(vec![("app".into(), "a".into()), ("db2".into(), "b".into())])
        );
        assert_eq!(
            ddl_tables("RENAME TABLE a TO b, c TO d", d).map(|v| v.len()),
            Some(4)
        );
        assert_eq!(
            ddl_tables("TRUNCATE t", d),
            Some(vec![("app".into(), "t".into())])
        );
        assert_eq!(
            ddl_tables("CREATE INDEX i ON t (c)", d),
            Some(vec![("app".into(), "t".into())])
        );
        assert_eq!(
            ddl_tables("DROP DATABASE x", d),
            Some(vec![("x".into(), String::new())])
        );
        assert_eq!(ddl_tables("UPDATE t SET a = 1", d), None);
    }

    #[test]
    fn create_tables() {
        let s = parse_create_tables(
            "CREATE TABLE `sbtest1` (`id` int(10) unsigned NOT NULL AUTO_INCREMENT, \
             `k` int NOT NULL DEFAULT '0', c char(120) NOT NULL DEFAULT '', pad char(60), \
             PRIMARY KEY (`id`), KEY `k_1` (`k`), UNIQUE KEY u (c(10), pad), \
             KEY f ((k + 1))) ENGINE=InnoDB \
             DEFAULT CHARSET=utf8mb4;\nUSE other; CREATE TABLE x (a int primary key) ENGINE MyISAM;",
            "sbtest",
        )
        .unwrap();
        let t = s.get("sbtest", "sbtest1").unwrap();
        assert_eq!(t.columns.len(), 4);
        assert!(t.columns[0].auto_increment && t.columns[0].unsigned);
        assert_eq!(t.indexes[0].name, "PRIMARY");
        assert_eq!(t.indexes[1].name, "k_1");
        assert!(t.indexes[2].unique);
        assert_eq!(t.indexes[2].columns[0].prefix, Some(10));
        assert_eq!(t.indexes.len(), 3, "the functional index is left out");
        assert!(t.is_innodb());
        let x = s.get("other", "x").unwrap();
        assert_eq!(x.engine.as_deref(), Some("MyISAM"));
        assert!(x.primary_key().is_some());
    }
}
