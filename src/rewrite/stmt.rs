//! The statement rewriter: one SQL statement (from a QUERY event or the `rewrite` command) →
//! [`Rewritten`] probes or a typed skip. Pipeline: length cap → lexer (executable comments as
//! the server reads them) → cheap token-level skips → fingerprint → template cache; on a miss the
//! normalised, literal-slotted parser form is parsed by sqlparser, rewritten by mode, every
//! emitted query guarded, and the template cached. The cache is keyed by (default db,
//! fingerprint) and cleared whenever the schema version or the set of temporary tables changes.
//! Row events are not handled here (`rows/`), nor is transaction grouping (`planner`).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use sqlparser::ast::Statement;

use crate::fxhash::FxHashMap;

use super::lexer::{self, Flavor, Kind, LexError, Token};
use super::normalize::{self, Class, Verb};
use super::resolve::skip;
use super::template::{Body, Literals, SqlT, Template};
use super::{Ctx, guard, locking, parse, select_dml, select_insert};
use crate::plan::{Mode, Probe, RowKey, Skip, SkipReason};
use crate::schema::Schema;

/// Statements longer than this are skipped (a prefetch of a megabyte INSERT is not worth it).
pub const MAX_SQL_LEN: usize = 256 * 1024;
/// Parenthesis nesting deeper than this is skipped before the parser sees it.
pub const MAX_DEPTH: usize = 32;
/// Binary operators in one statement beyond which it is skipped: sqlparser builds `a OR b OR …`
/// as a left-deep tree without counting depth, and walking (Display, visitors, drop) a tree
/// thousands deep overflows the stack.
pub const MAX_OPERATORS: usize = 256;
/// sql_mode bits that change lexing: ANSI_QUOTES (0x4) and NO_BACKSLASH_ESCAPES (0x100000), as
/// carried in the QUERY event's Q_SQL_MODE status variable.
pub const LEXING_MODES: u64 = 0x4 | 0x10_0000;
/// Cached shapes; the cache is cleared when full (OLTP streams have few shapes).
pub const MAX_CACHE: usize = 20_000;

/// What the rewriter made of one statement.
#[derive(Debug, Default)]
pub struct Rewritten {
    /// Probes (select mode: phase-1 SELECTs, possibly with phase-2 follow-ups; locking modes: DML).
    pub probes: Vec<Probe>,
    /// Why nothing was produced.
    pub skip: Option<Skip>,
    /// "db.tbl" of every table involved.
    pub tables: Vec<String>,
    /// Row keys the applier will touch.
    pub applier_keys: Vec<RowKey>,
}

impl Rewritten {
    fn skipped(s: Skip) -> Self {
        Rewritten {
            skip: Some(s),
            ..Default::default()
        }
    }
}

enum Cached {
    Template(Arc<Template>),
    /// This shape does not parse with literal slots: rewrite each statement cold.
    NoSlots,
}

/// Cache counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Statements answered from a cached template.
    pub hits: u64,
    /// Statements parsed and rewritten.
    pub misses: u64,
}

/// Rewrites statements; keeps the template cache and the temporary tables seen.
pub struct StatementRewriter {
    mode: Mode,
    flavor: Flavor,
    cache: FxHashMap<String, Cached>,
    verified: RefCell<HashSet<String>>,
    schema_version: u64,
    temp_tables: HashSet<(String, String)>,
    toks: Vec<Token>,
    key: String,
    stats: CacheStats,
    capacity: usize,
}

impl StatementRewriter {
    /// A rewriter for `mode`, for an unknown server flavor.
    pub fn new(mode: Mode) -> Self {
        StatementRewriter {
            mode,
            flavor: Flavor::Unknown,
            cache: HashMap::default(),
            verified: RefCell::new(HashSet::new()),
            schema_version: u64::MAX,
            temp_tables: HashSet::new(),
            toks: Vec::new(),
            key: String::new(),
            stats: CacheStats::default(),
            capacity: MAX_CACHE,
        }
    }

    /// Cache at most `n` statement shapes (0 = no cache: every statement is parsed).
    pub fn with_cache_capacity(mut self, n: usize) -> Self {
        self.capacity = n;
        self
    }

    /// Decide executable comments for this server.
    pub fn with_flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = flavor;
        self
    }

    /// Cache counters so far.
    pub fn cache_stats(&self) -> CacheStats {
        self.stats
    }

    /// Rewrite one statement that ran under `sql_mode` (the QUERY event's status variable).
    /// ANSI_QUOTES and NO_BACKSLASH_ESCAPES change how the server splits the text into tokens;
    /// our lexer and the guard assume neither, so such statements are skipped rather than
    /// rewritten under the wrong reading.
    pub fn rewrite_in(
        &mut self,
        sql: &str,
        default_db: Option<&str>,
        sql_mode: Option<u64>,
        schema: &Schema,
    ) -> Rewritten {
        if sql_mode.is_some_and(|m| m & LEXING_MODES != 0) {
            return Rewritten::skipped(skip(
                SkipReason::Unparsable,
                "sql_mode ANSI_QUOTES or NO_BACKSLASH_ESCAPES changes how the statement lexes",
            ));
        }
        self.rewrite(sql, default_db, schema)
    }

    /// Rewrite one statement (default sql_mode lexing: `"` quotes strings, `\` escapes).
    pub fn rewrite(&mut self, sql: &str, default_db: Option<&str>, schema: &Schema) -> Rewritten {
        if sql.len() > MAX_SQL_LEN {
            return Rewritten::skipped(skip(SkipReason::TooLarge, format!("{} bytes", sql.len())));
        }
        if schema.version() != self.schema_version {
            self.cache.clear();
            self.verified.borrow_mut().clear();
            self.schema_version = schema.version();
        }
        let mut toks = std::mem::take(&mut self.toks);
        let out = self.rewrite_lexed(sql, default_db, schema, &mut toks);
        self.toks = toks;
        out
    }

    fn rewrite_lexed(
        &mut self,
        sql: &str,
        default_db: Option<&str>,
        schema: &Schema,
        toks: &mut Vec<Token>,
    ) -> Rewritten {
        let verb = match self.screen(sql, default_db, toks) {
            Ok(v) => v,
            Err(s) => return Rewritten::skipped(s),
        };
        let cx = Ctx {
            default_db,
            schema,
            verified: &self.verified,
        };
        self.key.clear();
        self.key.push_str(default_db.unwrap_or(""));
        self.key.push('\0');
        normalize::fingerprint(sql, toks, &mut self.key);
        match self.cache.get(self.key.as_str()) {
            Some(Cached::Template(t)) => {
                self.stats.hits += 1;
                let t = t.clone();
                let mut slots = Vec::new();
                normalize::slot_tokens(sql, toks, &mut slots);
                return finish(&t, sql, toks, &slots);
            }
            Some(Cached::NoSlots) => {
                self.stats.misses += 1;
                return self.cold(sql, toks, verb, false, &cx).0;
            }
            None => {}
        }
        self.stats.misses += 1;
        let (out, cached) = self.cold(sql, toks, verb, true, &cx);
        if self.cache.len() >= self.capacity {
            self.cache.clear();
        }
        if let Some(c) = cached.filter(|_| self.capacity > 0) {
            self.cache.insert(self.key.clone(), c);
        }
        out
    }

    /// Everything decided from tokens alone: lexing, statement class, temporary tables,
    /// side-effect tokens. Returns the DML verb, or the skip.
    fn screen(
        &mut self,
        sql: &str,
        default_db: Option<&str>,
        toks: &mut Vec<Token>,
    ) -> Result<Verb, Skip> {
        if let Err(e) = lexer::lex(sql, self.flavor, toks) {
            let d = match e {
                LexError::Unterminated => "unterminated string, identifier or comment",
                LexError::BadChar(_) => "byte that starts no MySQL token",
                LexError::UndecidableComment => {
                    "executable comment whose version condition cannot be decided"
                }
            };
            return Err(skip(SkipReason::Unparsable, d));
        }
        while toks.last().is_some_and(|t| lexer::text(sql, t) == ";") {
            toks.pop();
        }
        token_checks(sql, toks)?;
        let verb = match normalize::classify(sql, toks) {
            Class::Dml(v) => v,
            Class::Skip(r, d) => return Err(skip(r, d)),
            Class::CreateTemp(names) => {
                for n in names {
                    self.temp_tables.insert(qualify(&n, default_db));
                }
                self.cache.clear();
                return Err(skip(SkipReason::TemporaryTable, "CREATE TEMPORARY TABLE"));
            }
            Class::DropTables(names) => {
                for n in names {
                    if self.temp_tables.remove(&qualify(&n, default_db)) {
                        self.cache.clear();
                    }
                }
                return Err(skip(SkipReason::Ddl, "DROP TABLE"));
            }
        };
        if let Some(s) = self.temp_table_check(sql, toks, default_db) {
            return Err(s);
        }
        if let Some(s) = side_effect_tokens(sql, toks) {
            return Err(s);
        }
        Ok(verb)
    }

    /// Parse and rewrite; returns the result and what to cache for this shape.
    fn cold(
        &self,
        sql: &str,
        toks: &[Token],
        verb: Verb,
        slots: bool,
        cx: &Ctx<'_>,
    ) -> (Rewritten, Option<Cached>) {
        let f = normalize::forms(sql, toks, verb, slots);
        match parse::parse_one(&f.parser) {
            Ok(st) => {
                let t = Arc::new(Template {
                    result: build(&st, &f, self.mode, cx),
                });
                let slot_toks: Vec<usize> = f.slots.iter().map(|s| s.token).collect();
                let out = finish(&t, sql, toks, &slot_toks);
                let cached = if slots {
                    Cached::Template(t)
                } else {
                    Cached::NoSlots
                };
                (out, Some(cached))
            }
            Err(_) if slots && !f.slots.is_empty() => {
                let (out, _) = self.cold(sql, toks, verb, false, cx);
                (out, Some(Cached::NoSlots))
            }
            Err(e) => {
                let reason = if e.contains("recursion limit") {
                    SkipReason::TooLarge
                } else {
                    SkipReason::Unparsable
                };
                let mut d = e;
                d.truncate(160);
                (Rewritten::skipped(skip(reason, d)), None)
            }
        }
    }

    fn temp_table_check(&self, sql: &str, toks: &[Token], db: Option<&str>) -> Option<Skip> {
        if self.temp_tables.is_empty() {
            return None;
        }
        // Conservative: any identifier equal to a temporary table's name, in any database (a
        // temporary table shadows the base table of the same name in its session).
        let _ = db;
        let hit = toks.iter().any(|t| {
            matches!(t.kind, Kind::Word | Kind::QuotedIdent) && {
                let n = normalize::unquote_ident(lexer::text(sql, t)).to_ascii_lowercase();
                self.temp_tables.iter().any(|(_, tn)| *tn == n)
            }
        });
        hit.then(|| {
            skip(
                SkipReason::TemporaryTable,
                "statement names a temporary table",
            )
        })
    }
}

fn qualify(name: &str, default_db: Option<&str>) -> (String, String) {
    match name.split_once('.') {
        Some((d, t)) => (d.to_ascii_lowercase(), t.to_ascii_lowercase()),
        None => (
            default_db.unwrap_or("").to_ascii_lowercase(),
            name.to_ascii_lowercase(),
        ),
    }
}

/// Multi-statements, placeholders, nesting depth and operator chains.
fn token_checks(sql: &str, toks: &[Token]) -> Result<(), Skip> {
    let mut depth = 0usize;
    let mut operators = 0usize;
    for t in toks {
        let s = lexer::text(sql, t);
        let chains = match t.kind {
            Kind::Op => !matches!(s, "(" | ")" | "," | "." | ";"),
            Kind::Word => [
                "AND", "OR", "XOR", "DIV", "MOD", "NOT", "IS", "LIKE", "BETWEEN",
            ]
            .iter()
            .any(|k| s.eq_ignore_ascii_case(k)),
            _ => false,
        };
        if chains {
            operators += 1;
            if operators > MAX_OPERATORS {
                return Err(skip(SkipReason::TooLarge, "too many operators"));
            }
        }
        match t.kind {
            Kind::Param => {
                return Err(skip(
                    SkipReason::Unparsable,
                    "parameter placeholder in statement text",
                ));
            }
            Kind::Op => match lexer::text(sql, t) {
                ";" => return Err(skip(SkipReason::Unparsable, "more than one statement")),
                "(" => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(skip(SkipReason::TooLarge, "nested too deeply"));
                    }
                }
                ")" => depth = depth.saturating_sub(1),
                _ => {}
            },
            _ => {}
        }
    }
    Ok(())
}

/// `:=`, sequence access: non-deterministic whatever the parser makes of them.
fn side_effect_tokens(sql: &str, toks: &[Token]) -> Option<Skip> {
    for (i, t) in toks.iter().enumerate() {
        let s = lexer::text(sql, t);
        let bad = match t.kind {
            Kind::Op => s == ":=",
            Kind::Word => {
                super::funcs::FORBIDDEN_WORDS
                    .iter()
                    .any(|w| s.eq_ignore_ascii_case(w))
                    || ((s.eq_ignore_ascii_case("NEXT") || s.eq_ignore_ascii_case("PREVIOUS"))
                        && toks
                            .get(i + 1)
                            .is_some_and(|n| lexer::is_kw(sql, n, "VALUE")))
            }
            _ => false,
        };
        if bad {
            return Some(skip(
                SkipReason::NonDeterministic,
                format!("{s} (assignment or sequence access)"),
            ));
        }
    }
    None
}

/// Build the template of a parsed statement.
fn build(st: &Statement, f: &normalize::Forms, mode: Mode, cx: &Ctx<'_>) -> Result<Body, Skip> {
    let found = guard::inspect(st);
    if let Some(name) = found.unsafe_function {
        return Err(skip(
            SkipReason::NonDeterministic,
            format!("function {name} is not on the allow-list"),
        ));
    }
    if found.assignment {
        return Err(skip(SkipReason::NonDeterministic, "assignment"));
    }
    if found.locking_or_into {
        return Err(skip(
            SkipReason::UnsafeOutput,
            "locking read or INTO inside the statement",
        ));
    }
    let body = match mode {
        Mode::Select => match st {
            Statement::Update(u) => select_dml::update(u, cx)?,
            Statement::Delete(d) => select_dml::delete(d, cx)?,
            Statement::Insert(i) => select_insert::insert(i, cx)?,
            _ => return Err(skip(SkipReason::NotDml, "not a data change")),
        },
        Mode::FakeChanges | Mode::Rollback => {
            guard::check_dml(&f.parser).map_err(|m| skip(SkipReason::UnsafeOutput, m))?;
            locking::body(st, &f.server, cx)?
        }
    };
    for p in &body.probes {
        if let SqlT::Text(t) = &p.sql {
            guard::check_select(&t.with_placeholders())
                .map_err(|m| skip(SkipReason::UnsafeOutput, m))?;
        }
    }
    Ok(body)
}

fn finish(t: &Template, sql: &str, toks: &[Token], slots: &[usize]) -> Rewritten {
    match &t.result {
        Err(s) => Rewritten::skipped(s.clone()),
        Ok(body) => {
            let lits = Literals { sql, toks, slots };
            let inst = body.instantiate(&lits);
            Rewritten {
                probes: inst.probes,
                skip: None,
                tables: inst.tables,
                applier_keys: inst.applier_keys,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ProbeSql;
    use crate::rewrite::parse_create_tables;

    const SCHEMA: &str = "CREATE TABLE sbtest1 (id int unsigned NOT NULL AUTO_INCREMENT, \
        k int unsigned NOT NULL DEFAULT 0, c char(120) NOT NULL DEFAULT '', \
        pad char(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_1 (k)) ENGINE=InnoDB;";

    fn run(mode: Mode, sql: &str) -> Rewritten {
        let schema = parse_create_tables(SCHEMA, "sbtest").unwrap();
        StatementRewriter::new(mode).rewrite(sql, Some("sbtest"), &schema)
    }

    fn texts(r: &Rewritten) -> Vec<String> {
        r.probes
            .iter()
            .map(|p| match &p.sql {
                ProbeSql::Text(s) => s.clone(),
                ProbeSql::Dml(v) => v.join("; "),
                ProbeSql::Prepared { sql, .. } => sql.to_string(),
            })
            .collect()
    }

    #[test]
    fn sysbench_update_index() {
        let r = run(Mode::Select, "UPDATE sbtest1 SET k=k+1 WHERE id=5017");
        assert!(r.skip.is_none(), "{:?}", r.skip);
        assert_eq!(
            texts(&r),
            ["SELECT `pad`, `k`, `id` FROM sbtest1 WHERE id = 5017"]
        );
        let f = r.probes[0].follow_up.as_ref().unwrap();
        let p2 = f.probes(&[vec![
            crate::event::Value::Bytes(b"x".to_vec()),
            crate::event::Value::UInt(7),
            crate::event::Value::UInt(5017),
        ]]);
        assert_eq!(p2.len(), 1);
        match &p2[0].sql {
            ProbeSql::Prepared { sql, params } => {
                assert_eq!(
                    &**sql,
                    "SELECT `k`, `id` FROM `sbtest`.`sbtest1` FORCE INDEX (`k_1`) WHERE (`k`, `id`) IN ((?, ?), (?, ?))"
                );
                assert_eq!(params.len(), 4);
                assert_eq!(params[2], crate::event::Value::Int(8));
            }
            other => panic!("{other:?}"),
        }
        assert!(!r.applier_keys[0].is_table());
    }

    #[test]
    fn cache_hit_equals_cold() {
        let schema = parse_create_tables(SCHEMA, "sbtest").unwrap();
        let mut rw = StatementRewriter::new(Mode::Select);
        let a = rw.rewrite(
            "UPDATE sbtest1 SET c='a' WHERE id=1",
            Some("sbtest"),
            &schema,
        );
        let b = rw.rewrite(
            "UPDATE sbtest1 SET c='b''x' WHERE id=2",
            Some("sbtest"),
            &schema,
        );
        assert_eq!(rw.cache_stats().hits, 1);
        assert_eq!(texts(&a), ["SELECT `pad` FROM sbtest1 WHERE id = 1"]);
        assert_eq!(texts(&b), ["SELECT `pad` FROM sbtest1 WHERE id = 2"]);
        let cold = run(Mode::Select, "UPDATE sbtest1 SET c='b''x' WHERE id=2");
        assert_eq!(texts(&cold), texts(&b));
        assert_eq!(cold.applier_keys, b.applier_keys);
    }

    #[test]
    fn inserts_and_deletes() {
        let r = run(
            Mode::Select,
            "INSERT INTO sbtest1 (id, k, c, pad) VALUES (5, 6, 'c', 'p'), (7, 8, 'c', 'p')",
        );
        assert_eq!(
            texts(&r),
            [
                "SELECT `id` FROM `sbtest`.`sbtest1` WHERE `id` IN (5, 7)",
                "SELECT `k` FROM `sbtest`.`sbtest1` FORCE INDEX (`k_1`) WHERE (`k`, `id`) IN ((6, 5), (8, 7))"
            ]
        );
        let r = run(
            Mode::Select,
            "INSERT INTO sbtest1 (k, c, pad) VALUES (6, 'c', 'p')",
        );
        assert_eq!(
            texts(&r),
            ["SELECT `k` FROM `sbtest`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 6"]
        );
        let r = run(Mode::Select, "DELETE FROM sbtest1 WHERE id=9");
        assert_eq!(
            texts(&r),
            ["SELECT `pad`, `k`, `id` FROM sbtest1 WHERE id = 9"]
        );
        assert!(r.probes[0].follow_up.is_some());
    }

    #[test]
    fn skips() {
        let s = |sql: &str| run(Mode::Select, sql).skip.map(|s| s.reason);
        assert_eq!(
            s("UPDATE sbtest1 SET c='x'"),
            Some(SkipReason::NoIndexUsablePredicate)
        );
        assert_eq!(
            s("UPDATE sbtest1 SET c='x' WHERE pad='y'"),
            Some(SkipReason::NoIndexUsablePredicate)
        );
        assert_eq!(
            s("UPDATE nope SET c='x' WHERE id=1"),
            Some(SkipReason::UnknownTable)
        );
        assert_eq!(
            s("UPDATE sbtest1 SET c=SLEEP(1) WHERE id=1"),
            Some(SkipReason::NonDeterministic)
        );
        assert_eq!(
            s("UPDATE sbtest1 SET c=@x:=1 WHERE id=1"),
            Some(SkipReason::NonDeterministic)
        );
        assert_eq!(s("ALTER TABLE sbtest1 ADD x int"), Some(SkipReason::Ddl));
        assert_eq!(s("SELECT 1"), Some(SkipReason::NotDml));
        assert_eq!(
            s("UPDATE sbtest1 SET c='x' WHERE id=1; DROP TABLE t"),
            Some(SkipReason::Unparsable)
        );
        assert_eq!(
            s("UPDATE sbtest1 SET c='x' WHERE id IN (SELECT id FROM sbtest1 FOR UPDATE)"),
            Some(SkipReason::UnsafeOutput)
        );
        let deep = format!(
            "UPDATE sbtest1 SET c='x' WHERE id={}1{}",
            "(".repeat(100),
            ")".repeat(100)
        );
        assert_eq!(s(&deep), Some(SkipReason::TooLarge));
    }

    /// The largest shapes the limits let through must not overflow a 2 MiB test-thread stack
    /// (debug build), and larger ones are skipped, not crashed on.
    #[test]
    fn deep_and_long_statements() {
        let n = MAX_OPERATORS / 2 - 2;
        let ors: Vec<String> = (0..n).map(|i| format!("id={i}")).collect();
        let plus = vec!["-1"; n].join(" + ");
        let nots = vec!["NOT"; 2 * MAX_DEPTH].join(" ");
        for (sql, ok) in [
            (
                format!("UPDATE sbtest1 SET c='x' WHERE {}", ors.join(" OR ")),
                true,
            ),
            (format!("UPDATE sbtest1 SET k=k+1 WHERE id = {plus}"), true),
            (format!("UPDATE sbtest1 SET k={plus} WHERE id = 1"), true),
            (
                format!("UPDATE sbtest1 SET c='x' WHERE id = 1 AND {nots} 1"),
                false,
            ),
            (
                format!(
                    "UPDATE sbtest1 SET c='x' WHERE {}",
                    vec!["id=1"; 5000].join(" OR ")
                ),
                false,
            ),
            (
                format!(
                    "UPDATE sbtest1 SET c='x' WHERE id = {}",
                    vec!["BINARY"; 5000].join(" ")
                ),
                false,
            ),
            (
                format!("DELETE FROM sbtest1 WHERE id={}", "9".repeat(MAX_SQL_LEN)),
                false,
            ),
        ] {
            let r = run(Mode::Select, &sql);
            assert_eq!(r.skip.is_none(), ok, "{:?} {}", r.skip, &sql[..60]);
        }
    }

    #[test]
    fn sql_modes_that_change_lexing_are_skipped() {
        let schema = parse_create_tables(SCHEMA, "sbtest").unwrap();
        let mut rw = StatementRewriter::new(Mode::Select);
        let sql = r"UPDATE sbtest1 SET c='a\\' WHERE id=1";
        // MySQL 5.7 default sql_mode: rewritten.
        assert!(
            rw.rewrite_in(sql, Some("sbtest"), Some(0x5420_0000), &schema)
                .skip
                .is_none()
        );
        for mode in [0x4, 0x10_0000] {
            let r = rw.rewrite_in(sql, Some("sbtest"), Some(mode), &schema);
            assert_eq!(r.skip.map(|s| s.reason), Some(SkipReason::Unparsable));
        }
    }

    #[test]
    fn locking_modes() {
        let r = run(
            Mode::Rollback,
            "UPDATE LOW_PRIORITY IGNORE sbtest1 SET k=k+1 WHERE id=3",
        );
        assert_eq!(
            texts(&r),
            ["UPDATE LOW_PRIORITY IGNORE sbtest1 SET k=k+1 WHERE id=3"]
        );
        let r = run(Mode::FakeChanges, "COMMIT");
        assert_eq!(r.skip.map(|s| s.reason), Some(SkipReason::NotDml));
    }
}
