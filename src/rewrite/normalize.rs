//! The normalising pass between the lexer and sqlparser. From the tokens of one statement it
//! (1) classifies statements that need no parsing (DDL, SET, XA, BEGIN, LOAD DATA, …), (2) writes
//! the *parser form* — modifiers sqlparser 0.63 misreads dropped (`UPDATE IGNORE t` would parse
//! IGNORE as the table), comma multi-table UPDATE turned into CROSS JOIN, `DELETE t1.*` into
//! `DELETE t1`, literals replaced by numbered slots `?N` — (3) writes the *server form* (every token
//! the server would execute, comments and false executable comments gone, literals inline) for
//! the locking modes, and (4) builds the literal-free fingerprint that keys the rewrite cache.
//! It does not look at the schema and does not decide what a DML statement means.

use super::lexer::{Kind, Token, is_kw, text};
use crate::plan::SkipReason;

/// The data-changing verbs we rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// INSERT.
    Insert,
    /// REPLACE.
    Replace,
    /// UPDATE.
    Update,
    /// DELETE.
    Delete,
}

/// What the first words say about a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    /// A DML statement to parse and rewrite.
    Dml(Verb),
    /// `CREATE TEMPORARY TABLE name`: remember the name, skip.
    CreateTemp(Vec<String>),
    /// `DROP [TEMPORARY] TABLE a, b`: forget temp names, skip as DDL.
    DropTables(Vec<String>),
    /// Skip without parsing.
    Skip(SkipReason, &'static str),
}

const DDL_WORDS: &[&str] = &[
    "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "OPTIMIZE", "REPAIR", "ANALYZE",
];

/// Classify by the leading words. `toks` has no trailing `;`.
pub fn classify(sql: &str, toks: &[Token]) -> Class {
    let Some(first) = toks.first() else {
        return Class::Skip(SkipReason::NotDml, "empty statement");
    };
    if first.kind != Kind::Word {
        return if first.kind == Kind::Op && text(sql, first) == "(" {
            Class::Skip(SkipReason::NotDml, "parenthesised SELECT")
        } else {
            Class::Skip(
                SkipReason::Unparsable,
                "statement does not start with a keyword",
            )
        };
    }
    // Upper-case the first word without allocating (this runs for every statement).
    let mut buf = [0u8; 16];
    let first_text = text(sql, first).as_bytes();
    let n = first_text.len().min(16);
    buf[..n].copy_from_slice(&first_text[..n]);
    buf[..n].make_ascii_uppercase();
    let w = if first_text.len() > 16 {
        ""
    } else {
        std::str::from_utf8(&buf[..n]).unwrap_or("")
    };
    match w {
        "INSERT" => Class::Dml(Verb::Insert),
        "REPLACE" => Class::Dml(Verb::Replace),
        "UPDATE" => Class::Dml(Verb::Update),
        "DELETE" => Class::Dml(Verb::Delete),
        "LOAD" => Class::Skip(SkipReason::LoadData, "LOAD DATA/XML"),
        "CREATE" if toks.len() > 2 && is_kw(sql, &toks[1], "TEMPORARY") => {
            Class::CreateTemp(table_names_after(sql, &toks[2..]))
        }
        "DROP" => {
            let rest = if toks.len() > 1 && is_kw(sql, &toks[1], "TEMPORARY") {
                &toks[2..]
            } else {
                &toks[1..]
            };
            if rest.first().is_some_and(|t| is_kw(sql, t, "TABLE")) {
                Class::DropTables(table_names_after(sql, rest))
            } else {
                Class::Skip(SkipReason::Ddl, "DROP")
            }
        }
        w if DDL_WORDS.contains(&w) => Class::Skip(SkipReason::Ddl, "data definition"),
        "WITH" => {
            let dml = toks.iter().any(|t| {
                ["UPDATE", "DELETE", "INSERT", "REPLACE"]
                    .iter()
                    .any(|k| is_kw(sql, t, k))
            });
            if dml {
                Class::Skip(SkipReason::Unparsable, "WITH … DML is not rewritten")
            } else {
                Class::Skip(SkipReason::NotDml, "SELECT")
            }
        }
        "SELECT" | "VALUES" | "TABLE" => Class::Skip(SkipReason::NotDml, "SELECT"),
        "XA" | "BEGIN" | "START" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" => {
            Class::Skip(SkipReason::NotDml, "transaction control")
        }
        "SET" => Class::Skip(SkipReason::NotDml, "SET"),
        _ => Class::Skip(SkipReason::NotDml, "not a data change"),
    }
}

/// Names after `TABLE [IF [NOT] EXISTS]`, comma-separated; the last part of each qualified name is
/// kept with its qualifier as written ("db.t" or "t"), quotes removed.
fn table_names_after(sql: &str, toks: &[Token]) -> Vec<String> {
    let mut i = 0;
    while i < toks.len()
        && ["TABLE", "IF", "NOT", "EXISTS"]
            .iter()
            .any(|k| is_kw(sql, &toks[i], k))
    {
        i += 1;
    }
    let mut names = Vec::new();
    let mut cur = String::new();
    for t in &toks[i..] {
        match t.kind {
            Kind::Word | Kind::QuotedIdent => cur.push_str(&unquote_ident(text(sql, t))),
            Kind::Op if text(sql, t) == "." => cur.push('.'),
            Kind::Op if text(sql, t) == "," => names.push(std::mem::take(&mut cur)),
            _ => break,
        }
    }
    if !cur.is_empty() {
        names.push(cur);
    }
    names
}

/// `x` → x, `a``b` → a`b; unquoted text unchanged.
pub fn unquote_ident(s: &str) -> String {
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        s[1..s.len() - 1].replace("``", "`")
    } else {
        s.to_string()
    }
}

/// One literal replaced by a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Index into the statement's tokens.
    pub token: usize,
}

/// The forms of a DML statement.
#[derive(Debug, Default)]
pub struct Forms {
    /// For sqlparser: modifiers dropped, comma joins rewritten, literals as `?N` when `slots`.
    pub parser: String,
    /// For the server (locking modes): all executed tokens, literals as slots like `parser`.
    pub server: String,
    /// Literal token indexes, in slot order (`?0`, `?1`, …).
    pub slots: Vec<Slot>,
}

/// Which token indexes to drop or replace in the parser form.
#[derive(Debug, Default)]
struct Edits {
    drop: Vec<usize>,
    cross_join: Vec<usize>,
}

fn edits(sql: &str, toks: &[Token], verb: Verb) -> Edits {
    let mut e = Edits::default();
    let mods: &[&str] = match verb {
        Verb::Update => &["LOW_PRIORITY", "IGNORE"],
        Verb::Delete => &["LOW_PRIORITY", "QUICK", "IGNORE"],
        Verb::Insert | Verb::Replace => &["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"],
    };
    let mut i = 1;
    while i < toks.len() && mods.iter().any(|m| is_kw(sql, &toks[i], m)) {
        e.drop.push(i);
        i += 1;
    }
    let mut depth = 0i32;
    for j in i..toks.len() {
        let t = &toks[j];
        let s = text(sql, t);
        if t.kind == Kind::Op {
            match s {
                "(" => depth += 1,
                ")" => depth -= 1,
                "," if depth == 0 && verb == Verb::Update => e.cross_join.push(j),
                "." if verb == Verb::Delete
                    && toks.get(j + 1).is_some_and(|n| text(sql, n) == "*") =>
                {
                    e.drop.extend([j, j + 1]);
                }
                _ => {}
            }
        } else if depth == 0 && t.kind == Kind::Word {
            let stop = match verb {
                Verb::Update => is_kw(sql, t, "SET"),
                Verb::Delete => is_kw(sql, t, "WHERE"),
                Verb::Insert | Verb::Replace => true,
            };
            if stop {
                break;
            }
        }
    }
    e
}

/// Words before a string literal that make it part of the syntax rather than a value.
const NO_SLOT_BEFORE: &[&str] = &[
    "DATE",
    "TIME",
    "TIMESTAMP",
    "ESCAPE",
    "COLLATE",
    "LIKE",
    "AGAINST",
    "SET",
    "CHARSET",
];

fn slottable(sql: &str, toks: &[Token], i: usize) -> bool {
    let t = &toks[i];
    match t.kind {
        Kind::Number => text(sql, t) != "0",
        Kind::Str => {
            let s = text(sql, t);
            if s.contains('\\') {
                return false;
            }
            match i.checked_sub(1).map(|p| &toks[p]) {
                Some(p) if p.kind == Kind::Word => {
                    let pw = text(sql, p);
                    !pw.starts_with('_')
                        && !NO_SLOT_BEFORE.iter().any(|k| pw.eq_ignore_ascii_case(k))
                }
                Some(p) if p.kind == Kind::Str => false,
                _ => !toks.get(i + 1).is_some_and(|n| n.kind == Kind::Str),
            }
        }
        _ => false,
    }
}

/// Write the forms of a DML statement. `use_slots = false` keeps every literal inline (used when
/// the slotted parser form does not parse).
pub fn forms(sql: &str, toks: &[Token], verb: Verb, use_slots: bool) -> Forms {
    let e = edits(sql, toks, verb);
    let mut f = Forms {
        parser: String::with_capacity(sql.len() + 16),
        server: String::with_capacity(sql.len()),
        slots: Vec::new(),
    };
    let mut prev_p: Option<&Token> = None;
    let mut prev_s: Option<&Token> = None;
    for (i, t) in toks.iter().enumerate() {
        let s = text(sql, t);
        let slot = use_slots && slottable(sql, toks, i);
        sep(&mut f.server, sql, prev_s, t);
        if slot {
            f.server.push('?');
            f.server.push_str(&f.slots.len().to_string());
        } else {
            f.server.push_str(s);
        }
        prev_s = Some(t);
        if e.drop.contains(&i) {
            continue;
        }
        if e.cross_join.contains(&i) {
            f.parser.push_str(" CROSS JOIN");
            prev_p = None;
            continue;
        }
        sep(&mut f.parser, sql, prev_p, t);
        if slot {
            f.parser.push('?');
            f.parser.push_str(&f.slots.len().to_string());
            f.slots.push(Slot { token: i });
        } else {
            f.parser.push_str(s);
        }
        prev_p = Some(t);
    }
    f
}

/// Separator between two re-emitted tokens: a space where the source had anything between them
/// (whitespace or a comment), none where they touched (`f(`, `a.b` — MySQL parses `COUNT (x)`
/// differently from `COUNT(x)` without IGNORE_SPACE), and always one between two operators that
/// could fuse into another token (`-` `-` would start a comment once the comment between them
/// is gone).
fn sep(out: &mut String, sql: &str, prev: Option<&Token>, cur: &Token) {
    let Some(p) = prev else {
        if !out.is_empty() {
            out.push(' ');
        }
        return;
    };
    let fusing =
        |t: &Token| t.kind == Kind::Op && !matches!(text(sql, t), "(" | ")" | "," | "." | ";");
    if p.span.end != cur.span.start || (fusing(p) && fusing(cur)) {
        out.push(' ');
    }
}

/// Token indexes of the literal slots, in slot order (the numbering `forms` uses).
pub fn slot_tokens(sql: &str, toks: &[Token], out: &mut Vec<usize>) {
    out.clear();
    out.extend((0..toks.len()).filter(|&i| slottable(sql, toks, i)));
}

/// Append the literal-free fingerprint of a DML statement to `out`: token texts, slots as `?`.
pub fn fingerprint(sql: &str, toks: &[Token], out: &mut String) {
    for (i, t) in toks.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if slottable(sql, toks, i) {
            out.push('?');
        } else {
            out.push_str(text(sql, t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::{Flavor, lex};
    use super::*;

    fn f(sql: &str, slots: bool) -> Forms {
        let mut t = Vec::new();
        lex(sql, Flavor::Unknown, &mut t).unwrap();
        let Class::Dml(v) = classify(sql, &t) else {
            panic!("not dml")
        };
        forms(sql, &t, v, slots)
    }

    #[test]
    fn modifiers_are_dropped_for_the_parser_only() {
        let x = f("UPDATE LOW_PRIORITY IGNORE t SET a=1 WHERE id=5", false);
        assert_eq!(x.parser, "UPDATE t SET a=1 WHERE id=5");
        assert_eq!(x.server, "UPDATE LOW_PRIORITY IGNORE t SET a=1 WHERE id=5");
        let x = f("DELETE IGNORE FROM t WHERE id=5", false);
        assert_eq!(x.parser, "DELETE FROM t WHERE id=5");
        let x = f(
            "DELETE LOW_PRIORITY QUICK t1.*, t2.* FROM t1 JOIN t2",
            false,
        );
        assert_eq!(x.parser, "DELETE t1 , t2 FROM t1 JOIN t2");
    }

    #[test]
    fn comma_update_becomes_cross_join() {
        let x = f(
            "UPDATE t1, t2 SET t1.a = f(1, 2) WHERE t1.id = t2.id",
            false,
        );
        assert_eq!(
            x.parser,
            "UPDATE t1 CROSS JOIN t2 SET t1.a = f(1, 2) WHERE t1.id = t2.id"
        );
    }

    #[test]
    fn literals_become_slots() {
        let x = f(
            "UPDATE t SET c='x', k=k+1 WHERE id=7 AND d = DATE '2020-01-01' AND n=0",
            true,
        );
        assert_eq!(
            x.parser,
            "UPDATE t SET c=?0, k=k+?1 WHERE id=?2 AND d = DATE '2020-01-01' AND n=0"
        );
        assert_eq!(x.slots.len(), 3);
        let mut fp = String::new();
        let mut t = Vec::new();
        let sql = "UPDATE t SET c='y' WHERE id=8";
        lex(sql, Flavor::Unknown, &mut t).unwrap();
        fingerprint(sql, &t, &mut fp);
        assert_eq!(fp, "UPDATE t SET c = ? WHERE id = ?");
    }

    #[test]
    fn classification() {
        let c = |s: &str| {
            let mut t = Vec::new();
            lex(s, Flavor::Unknown, &mut t).unwrap();
            classify(s, &t)
        };
        assert_eq!(
            c("XA START 'x'"),
            Class::Skip(SkipReason::NotDml, "transaction control")
        );
        assert_eq!(c("SET @x := 5"), Class::Skip(SkipReason::NotDml, "SET"));
        assert_eq!(
            c("LOAD DATA INFILE 'x' INTO TABLE t"),
            Class::Skip(SkipReason::LoadData, "LOAD DATA/XML")
        );
        assert_eq!(
            c("CREATE TEMPORARY TABLE IF NOT EXISTS `tmp1` (a int)"),
            Class::CreateTemp(vec!["tmp1".into()])
        );
        assert_eq!(
            c("DROP TEMPORARY TABLE a, db.b"),
            Class::DropTables(vec!["a".into(), "db.b".into()])
        );
        assert_eq!(
            c("ALTER TABLE t ADD c int"),
            Class::Skip(SkipReason::Ddl, "data definition")
        );
    }
}
