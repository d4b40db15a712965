//! The one place sqlparser is driven (behind the fast path for common shapes): MySqlDialect, unescaping off (so `Display` round-trips
//! string literals that contain backslashes), a recursion limit well below what the stack can
//! take. Input here is always the normalised text produced by `normalize`.

use sqlparser::ast::Statement;
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::{Parser, ParserOptions};

/// Nesting depth allowed in the parser (sqlparser's default is 50); deeper input is a skip.
pub const RECURSION_LIMIT: usize = 40;

/// Parse zero or more statements. Errors are sqlparser's message. The common OLTP and probe
/// shapes take the fast path ([`super::fastparse`]), which builds the same AST sqlparser would.
pub fn parse(sql: &str) -> Result<Vec<Statement>, String> {
    if let Some(st) = super::fastparse::parse(sql) {
        // Debug builds (every test run) cross-check each fast parse against sqlparser.
        debug_assert_eq!(
            parse_sqlparser(sql).ok().as_deref(),
            Some(std::slice::from_ref(&st)),
            "fast parser disagrees with sqlparser on {sql:?}"
        );
        return Ok(vec![st]);
    }
    parse_sqlparser(sql)
}

/// [`parse`] by sqlparser alone (the reference the fast path is tested against).
pub fn parse_sqlparser(sql: &str) -> Result<Vec<Statement>, String> {
    let dialect = MySqlDialect {};
    let opts = ParserOptions::new()
        .with_trailing_commas(false)
        .with_unescape(false);
    Parser::new(&dialect)
        .with_options(opts)
        .with_recursion_limit(RECURSION_LIMIT)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| e.to_string())
}

/// Parse exactly one statement.
pub fn parse_one(sql: &str) -> Result<Statement, String> {
    let mut v = parse(sql)?;
    if v.len() != 1 {
        return Err(format!("expected one statement, found {}", v.len()));
    }
    Ok(v.pop().expect("one statement"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_parser_behaviour() {
        for s in [
            "UPDATE t1, t2 SET t1.a = 1 WHERE t1.id = t2.id",
            "UPDATE t1 CROSS JOIN t2 SET t1.a = 1 WHERE t1.id = t2.id",
            "UPDATE IGNORE t SET a = 1",
            "UPDATE LOW_PRIORITY t SET a = 1",
            "DELETE IGNORE FROM t WHERE a = 1",
            "DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.x = 1",
            "DELETE FROM t1 USING t1 JOIN t2 ON t1.id = t2.id",
            "INSERT LOW_PRIORITY IGNORE INTO t VALUES (1)",
            "INSERT INTO t SET a = 1, b = 2",
            "INSERT INTO t (a) VALUES (?3) ON DUPLICATE KEY UPDATE a = VALUES(a)",
            "REPLACE INTO t (a) VALUES (1)",
            "SELECT a FROM t FORCE INDEX (k_1) WHERE (a, b) IN ((1, 2), (3, 4)) LIMIT 1",
            "SELECT 'a\\'b', _utf8mb4'x', x'41', N'abc', \"dq\"",
            "UPDATE t SET a = 1 WHERE id = 5 ORDER BY id LIMIT 10",
            "SELECT ?1 + ?22 FROM t LIMIT ?3",
            "UPDATE t SET k = k + 1 WHERE id = ?0",
        ] {
            match parse(s) {
                Ok(st) => println!("OK  {s}\n    => {}", st[0]),
                Err(e) => println!("ERR {s}\n    => {e}"),
            }
        }
    }
}
