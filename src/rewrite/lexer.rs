//! A small MySQL lexer used in front of sqlparser: for the normalising pass (executable comments,
//! statement modifiers sqlparser misreads), for literal-free fingerprints (the rewrite cache key)
//! and for the token-level checks of the output guard.
//!
//! Why our own instead of `sqlparser::tokenizer`: it must (a) treat `/*!NNNNN … */` and MariaDB's
//! `/*M!NNNNNN … */` the way the *server* does (content is code when the version condition holds,
//! and a `*/` inside a string in such a comment does not end it), which sqlparser's tokenizer does
//! not know about; (b) keep byte spans into the input so tokens can be re-emitted verbatim; and
//! (c) be cheap — one pass, no allocation per token — because the cache hit path is lexing plus a
//! hash lookup. It does not build any AST and does not decide what a statement means.

use std::ops::Range;

/// Kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Unquoted identifier or keyword.
    Word,
    /// Back-quoted identifier.
    QuotedIdent,
    /// '…' or "…" string literal (default sql_mode: `"` quotes strings).
    Str,
    /// Numeric literal: 12, 1.5, 1e3, .5, 0x1F, 0b101.
    Number,
    /// X'…', B'…', N'…' literals (kept verbatim, never parameterised).
    Prefixed,
    /// @var, @'var', @`var`, @@sys.var.
    Var,
    /// `?` parameter marker in the input.
    Param,
    /// Operator or punctuation: ( ) , ; . = := <=> …
    Op,
}

/// One token: its kind and byte range in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Bytes of the input.
    pub span: Range<usize>,
    /// True when the token came from inside an executable comment.
    pub in_exec_comment: bool,
}

/// The server the statement is meant for, as far as executable comments care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// Unknown server: only version conditions every supported server satisfies are decided.
    #[default]
    Unknown,
    /// MariaDB with this version number (10.11.6 = 101106).
    MariaDb(u32),
    /// MySQL with this version number (8.0.36 = 80036).
    MySql(u32),
}

/// Why lexing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexError {
    /// Unterminated string, identifier or comment.
    Unterminated,
    /// A byte no MySQL token starts with (NUL, control characters, …).
    BadChar(usize),
    /// An executable comment whose condition we cannot decide, or a nested comment inside one.
    UndecidableComment,
}

/// Lex `sql` into `out` (cleared first). Comments are dropped; executable comments whose version
/// condition holds for `flavor` contribute their tokens.
pub fn lex(sql: &str, flavor: Flavor, out: &mut Vec<Token>) -> Result<(), LexError> {
    out.clear();
    let b = sql.as_bytes();
    let mut i = 0;
    let mut in_exec = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => i += 1,
            b'#' => i = skip_line(b, i),
            b'-' if b.get(i + 1) == Some(&b'-')
                && b.get(i + 2).is_none_or(|&n| n <= b' ' && n != 0) =>
            {
                i = skip_line(b, i)
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                if in_exec {
                    // MySQL: nested comments inside an executable comment are not supported.
                    return Err(LexError::UndecidableComment);
                }
                match exec_comment(b, i, flavor)? {
                    CommentKind::Code(body_start) => {
                        in_exec = true;
                        i = body_start;
                    }
                    CommentKind::Skip => i = skip_block(b, i)?,
                }
            }
            b'*' if in_exec && b.get(i + 1) == Some(&b'/') => {
                in_exec = false;
                i += 2;
            }
            _ => {
                let (end, kind) = token_end(b, i)?;
                out.push(Token {
                    kind,
                    span: i..end,
                    in_exec_comment: in_exec,
                });
                i = end;
            }
        }
    }
    if in_exec {
        return Err(LexError::Unterminated);
    }
    Ok(())
}

enum CommentKind {
    /// Executable and its condition holds: lex from this offset as code.
    Code(usize),
    /// Ordinary comment, or executable with a false condition.
    Skip,
}

/// Decide what the server does with the comment starting at `i` (`/*`).
fn exec_comment(b: &[u8], i: usize, flavor: Flavor) -> Result<CommentKind, LexError> {
    let mut j = i + 2;
    let mariadb_only = b.get(j) == Some(&b'M') && b.get(j + 1) == Some(&b'!');
    if mariadb_only {
        j += 2;
    } else if b.get(j) == Some(&b'!') {
        j += 1;
    } else {
        return Ok(CommentKind::Skip);
    }
    let digits = b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
    let holds = match digits {
        0 if !mariadb_only => Some(true),
        5 | 6 => {
            let v: u32 = std::str::from_utf8(&b[j..j + digits])
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or(LexError::UndecidableComment)?;
            version_holds(flavor, mariadb_only, v)
        }
        _ => None,
    };
    match holds {
        Some(true) => Ok(CommentKind::Code(j + digits)),
        Some(false) => Ok(CommentKind::Skip),
        None => Err(LexError::UndecidableComment),
    }
}

/// Whether `/*!v` (or `/*M!v`) content is code on `flavor`; None = cannot tell.
fn version_holds(flavor: Flavor, mariadb_only: bool, v: u32) -> Option<bool> {
    match flavor {
        // MariaDB reads 5 digits as a MySQL-style version; any 5-digit version is below 10.x, so
        // `/*!80000 … */` IS code on MariaDB (a known incompatibility). `/*M!` takes 6 digits too.
        Flavor::MariaDb(ver) => Some(v <= ver),
        Flavor::MySql(ver) => Some(!mariadb_only && v <= ver),
        // Every server we support is at least MySQL 5.7 / MariaDB 10.x: conditions up to 5.7.0 hold
        // everywhere; anything newer depends on the server.
        Flavor::Unknown => (!mariadb_only && v <= 50700).then_some(true),
    }
}

fn skip_line(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p + 1)
}

fn skip_block(b: &[u8], i: usize) -> Result<usize, LexError> {
    b[i + 2..]
        .windows(2)
        .position(|w| w == b"*/")
        .map(|p| i + 2 + p + 2)
        .ok_or(LexError::Unterminated)
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// End of a quoted run starting at `i` (the quote), honouring doubled quotes and, for strings,
/// backslash escapes (MySQL default sql_mode).
fn quoted_end(b: &[u8], i: usize, backslash: bool) -> Result<usize, LexError> {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() {
        let c = b[j];
        if backslash && c == b'\\' {
            j += 2;
        } else if c == q {
            if b.get(j + 1) == Some(&q) {
                j += 2;
            } else {
                return Ok(j + 1);
            }
        } else {
            j += 1;
        }
    }
    Err(LexError::Unterminated)
}

fn number_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'b')) {
        let hex = b[i + 1] == b'x';
        let k = b[i + 2..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    matches!(c, b'0' | b'1')
                }
            })
            .count();
        if k > 0 {
            return i + 2 + k;
        }
    }
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    if j < b.len() && b[j] == b'.' {
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    if j < b.len() && matches!(b[j], b'e' | b'E') {
        let mut k = j + 1;
        if k < b.len() && matches!(b[k], b'+' | b'-') {
            k += 1;
        }
        if k < b.len() && b[k].is_ascii_digit() {
            j = k;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
        }
    }
    j
}

const OPS3: &[&[u8]] = &[b"<=>", b"->>"];
const OPS2: &[&[u8]] = &[
    b":=", b"<=", b">=", b"<>", b"!=", b"<<", b">>", b"&&", b"||", b"->",
];

fn token_end(b: &[u8], i: usize) -> Result<(usize, Kind), LexError> {
    let c = b[i];
    Ok(match c {
        b'\'' | b'"' => (quoted_end(b, i, true)?, Kind::Str),
        b'`' => (quoted_end(b, i, false)?, Kind::QuotedIdent),
        b'@' => (var_end(b, i)?, Kind::Var),
        b'0'..=b'9' => {
            let end = number_end(b, i);
            // MySQL identifiers may start with digits (`1abc`): a word, not a number.
            if end < b.len() && is_word_byte(b[end]) {
                (word_end(b, i), Kind::Word)
            } else {
                (end, Kind::Number)
            }
        }
        b'.' if b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
            (number_end(b, i), Kind::Number)
        }
        b'x' | b'X' | b'b' | b'B' | b'n' | b'N' if b.get(i + 1) == Some(&b'\'') => (
            quoted_end(b, i + 1, c == b'n' || c == b'N')?,
            Kind::Prefixed,
        ),
        c if is_word_byte(c) => (word_end(b, i), Kind::Word),
        b'?' => (i + 1, Kind::Param),
        _ => {
            let rest = &b[i..];
            let len = if OPS3.iter().any(|o| rest.starts_with(o)) {
                3
            } else if OPS2.iter().any(|o| rest.starts_with(o)) {
                2
            } else if b"()[]{},;.=<>!+-*/%&|^~:".contains(&c) {
                1
            } else {
                return Err(LexError::BadChar(i));
            };
            (i + len, Kind::Op)
        }
    })
}

fn var_end(b: &[u8], i: usize) -> Result<usize, LexError> {
    let mut j = i + 1;
    if b.get(j) == Some(&b'@') {
        j += 1;
    }
    Ok(match b.get(j) {
        Some(b'\'' | b'"') => quoted_end(b, j, true)?,
        Some(b'`') => quoted_end(b, j, false)?,
        _ => {
            j + b[j..]
                .iter()
                .take_while(|&&c| is_word_byte(c) || c == b'.')
                .count()
        }
    })
}

fn word_end(b: &[u8], i: usize) -> usize {
    i + b[i..].iter().take_while(|&&c| is_word_byte(c)).count()
}

/// Text of a token.
pub fn text<'a>(sql: &'a str, t: &Token) -> &'a str {
    &sql[t.span.clone()]
}

/// Case-insensitive keyword test for a word token.
pub fn is_kw(sql: &str, t: &Token, kw: &str) -> bool {
    t.kind == Kind::Word && text(sql, t).eq_ignore_ascii_case(kw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str, flavor: Flavor) -> Vec<(Kind, String)> {
        let mut v = Vec::new();
        lex(sql, flavor, &mut v).unwrap();
        v.iter()
            .map(|t| (t.kind, text(sql, t).to_string()))
            .collect()
    }

    #[test]
    fn basic_tokens() {
        let k = kinds(
            "UPDATE `t` SET c='a''b\\'c', k=k+1.5e3 WHERE id=0x1F -- x\n AND @v:=2 # y",
            Flavor::Unknown,
        );
        let texts: Vec<&str> = k.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "UPDATE",
                "`t`",
                "SET",
                "c",
                "=",
                "'a''b\\'c'",
                ",",
                "k",
                "=",
                "k",
                "+",
                "1.5e3",
                "WHERE",
                "id",
                "=",
                "0x1F",
                "AND",
                "@v",
                ":=",
                "2"
            ]
        );
        assert_eq!(k[5].0, Kind::Str);
        assert_eq!(k[15].0, Kind::Number);
        assert_eq!(k[17].0, Kind::Var);
    }

    #[test]
    fn executable_comments_follow_the_server() {
        let sql = "INSERT /*!50000 IGNORE */ INTO t VALUES (1)";
        assert!(
            kinds(sql, Flavor::Unknown)
                .iter()
                .any(|(_, t)| t == "IGNORE")
        );
        let sql = "DELETE /*!80000 QUICK */ FROM t";
        assert_eq!(
            lex(sql, Flavor::Unknown, &mut Vec::new()),
            Err(LexError::UndecidableComment)
        );
        assert!(
            kinds(sql, Flavor::MariaDb(101106))
                .iter()
                .any(|(_, t)| t == "QUICK")
        );
        assert!(
            !kinds(sql, Flavor::MySql(50744))
                .iter()
                .any(|(_, t)| t == "QUICK")
        );
        let sql = "DELETE /*M!100100 QUICK */ FROM t";
        assert!(
            kinds(sql, Flavor::MariaDb(101106))
                .iter()
                .any(|(_, t)| t == "QUICK")
        );
        assert!(
            !kinds(sql, Flavor::MySql(80036))
                .iter()
                .any(|(_, t)| t == "QUICK")
        );
        // A `*/` inside a string does not close an executable comment.
        let k = kinds("SELECT /*! '*/' */ 1", Flavor::Unknown);
        assert_eq!(k.len(), 3);
        // Plain comments vanish.
        assert_eq!(kinds("SELECT /* x */ 1", Flavor::Unknown).len(), 2);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for s in ["'abc", "`x", "/* x", "a \0 b", "/*! a /* b */", "\u{1}"] {
            assert!(lex(s, Flavor::Unknown, &mut Vec::new()).is_err(), "{s:?}");
        }
    }

    #[test]
    fn words_starting_with_digits() {
        let k = kinds(
            "SELECT 1abc, 12, 1e5, x'41', n'a', _utf8mb4'x'",
            Flavor::Unknown,
        );
        let kinds: Vec<Kind> = k.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                Kind::Word,
                Kind::Word,
                Kind::Op,
                Kind::Number,
                Kind::Op,
                Kind::Number,
                Kind::Op,
                Kind::Prefixed,
                Kind::Op,
                Kind::Prefixed,
                Kind::Op,
                Kind::Word,
                Kind::Str
            ]
        );
    }
}
