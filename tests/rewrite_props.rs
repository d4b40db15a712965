//! Properties of the statement rewriter (proptest):
//! - arbitrary strings and SQL-flavoured token soup never panic it;
//! - mutated real statements (grammar-test inputs and ../shared/corpus DML, with tokens that
//!   break quoting, add side effects or locking clauses inserted, or text cut away) never panic
//!   it, and in select mode every emitted query — phase 1 and phase 2 — is a guarded read-only
//!   SELECT;
//! - a statement rewritten from the template cache gives the same queries and keys as a cold
//!   rewrite of the same statement;
//! - the fast parser in front of sqlparser (`rewrite::fastparse`) builds exactly sqlparser's AST
//!   whenever it accepts a text: on every seed, every corpus line, every query the rewriter
//!   emits for them, and mutants of all of these.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use relay_prefetch::event::Value;
use relay_prefetch::plan::{Mode, ProbeSql};
use relay_prefetch::rewrite::guard::check_select;
use relay_prefetch::rewrite::{Rewritten, StatementRewriter, parse_create_tables};
use relay_prefetch::rewrite::{fastparse, parse::parse_sqlparser};
use relay_prefetch::schema::Schema;

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests/schema.sql");
        parse_create_tables(&std::fs::read_to_string(p).expect("schema.sql"), "app").unwrap()
    })
}

/// Seed statements: grammar-test inputs plus corpus DML (when ../shared is present).
fn seeds() -> &'static Vec<String> {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        if let Ok(rd) = std::fs::read_dir(root.join("grammar-tests")) {
            for e in rd.flatten() {
                if let Ok(s) = std::fs::read_to_string(e.path().join("input.sql")) {
                    out.extend(s.lines().map(str::to_string));
                }
            }
        }
        if let Ok(rd) = std::fs::read_dir(root.join("../shared/corpus/dml")) {
            for e in rd.flatten() {
                if let Ok(s) = std::fs::read_to_string(e.path()) {
                    out.extend(s.lines().filter(|l| l.len() < 2000).map(str::to_string));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    })
}

const INSERTS: &[&str] = &[
    "'",
    "\"",
    "`",
    "\\",
    ";",
    "/*!",
    "*/",
    "/*",
    "--",
    "#",
    "(",
    ")",
    " SLEEP(1) ",
    " AND SLEEP(1) = 0",
    " FOR UPDATE",
    " LOCK IN SHARE MODE",
    " INTO @x",
    " INTO OUTFILE '/tmp/x'",
    " @x := 1",
    ":=",
    " NEXTVAL(s)",
    " NEXT VALUE FOR s",
    " GET_LOCK('a', 1)",
    " LOAD_FILE('/x')",
    "; DROP TABLE sbtest1",
    " /*!50000 ; DELETE FROM sbtest1 */",
    " /*M!100000 SLEEP(1) */",
    " UNION SELECT 1",
    " OR 1=1",
    "\0",
    "\u{feff}",
    "\u{202e}",
    "?",
    " WHERE ",
    " SET ",
    " (SELECT id FROM sbtest2 FOR UPDATE)",
    "x'41'",
    "0x41",
    " _utf8mb4'a'",
    "'a\\'b'",
];

/// Every SQL text a rewrite emits: phase-1 queries and phase-2 statements for sample rows.
fn emitted_sql(r: &Rewritten) -> Vec<String> {
    let mut out = Vec::new();
    for p in &r.probes {
        if let ProbeSql::Text(q) = &p.sql {
            out.push(q.clone());
        }
        if let Some(f) = &p.follow_up {
            let row: Vec<Value> = (0..40).map(|i| Value::Int(i * 3 - 7)).collect();
            for p2 in f.probes(&[row]) {
                if let ProbeSql::Prepared { sql, .. } = &p2.sql {
                    out.push(sql.to_string());
                }
            }
        }
    }
    out
}

fn check(r: &Rewritten) -> Result<(), TestCaseError> {
    for p in &r.probes {
        let ProbeSql::Text(q) = &p.sql else {
            return Err(TestCaseError::fail(format!("non-text probe {:?}", p.sql)));
        };
        prop_assert!(
            check_select(q).is_ok(),
            "unsafe output {q:?}: {:?}",
            check_select(q)
        );
        if let Some(f) = &p.follow_up {
            let row: Vec<Value> = (0..40).map(|i| Value::Int(i * 3 - 7)).collect();
            for p2 in f.probes(&[row.clone(), row]) {
                let ProbeSql::Prepared { sql, .. } = &p2.sql else {
                    return Err(TestCaseError::fail("phase 2 not prepared"));
                };
                prop_assert!(check_select(sql).is_ok(), "unsafe phase 2 {sql:?}");
            }
        }
    }
    prop_assert_eq!(r.skip.is_some(), r.probes.is_empty());
    Ok(())
}

fn texts(r: &Rewritten) -> (Vec<String>, Vec<String>) {
    let q = r
        .probes
        .iter()
        .map(|p| match &p.sql {
            ProbeSql::Text(s) => s.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    let k = r.applier_keys.iter().map(|k| format!("{k:?}")).collect();
    (q, k)
}

/// Insert, delete or cut at char boundaries.
fn mutate(s: &str, op: u8, at: usize, len: usize, ins: &str) -> String {
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let a = bounds[at % bounds.len()];
    let b = bounds[(at + len) % bounds.len()].max(a);
    match op % 3 {
        0 => format!("{}{ins}{}", &s[..a], &s[a..]),
        1 => format!("{}{}", &s[..a], &s[b..]),
        _ => s[..a].to_string(),
    }
}

/// Words and punctuation for token-soup statements: SQL the rewriter and the fast parser handle,
/// next to what they must refuse.
const SOUP: &[&str] = &[
    "UPDATE",
    "DELETE",
    "INSERT",
    "INTO",
    "FROM",
    "SELECT",
    "sbtest1",
    "users",
    "t",
    "`db`.`t`",
    "SET",
    "WHERE",
    "id",
    "k",
    "name",
    "status",
    "=",
    "<>",
    "<=",
    "1",
    "-2",
    "3.5",
    "'x'",
    "?0",
    "(",
    ")",
    ",",
    ".",
    "+",
    "-",
    "*",
    "/",
    "%",
    "AND",
    "OR",
    "NOT",
    "IN",
    "BETWEEN",
    "IS",
    "NULL",
    "TRUE",
    "VALUES",
    "FORCE INDEX (k_1)",
    "SLEEP(1)",
    "FOR UPDATE",
    ";",
    "/*!",
    "*/",
    "JOIN",
    "ON",
    "LIMIT",
    "ORDER BY",
    "IGNORE",
    "LOW_PRIORITY",
    ".*",
    "k+1",
];

/// Every line of ../shared/corpus (all folders), when present.
fn corpus_lines() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut out = Vec::new();
    for dir in ["dml", "dml_other", "hostile", "nondml", "select"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
            for e in rd.flatten() {
                if let Ok(s) = std::fs::read_to_string(e.path()) {
                    out.extend(s.lines().map(str::to_string));
                }
            }
        }
    }
    out
}

/// When the fast parser accepts `sql`, sqlparser accepts it too, with an equal AST and Display.
/// Returns whether the fast parser accepted.
fn fast_equals_sqlparser(sql: &str) -> Result<bool, TestCaseError> {
    let Some(fast) = fastparse::parse(sql) else {
        return Ok(false);
    };
    let slow = parse_sqlparser(sql);
    prop_assert!(
        slow.is_ok(),
        "fast parser accepted what sqlparser refuses: {:?}",
        sql
    );
    let slow = slow.unwrap_or_default();
    prop_assert_eq!(slow.len(), 1, "{:?}", sql);
    prop_assert_eq!(&fast, &slow[0], "{:?}", sql);
    prop_assert_eq!(fast.to_string(), slow[0].to_string(), "{:?}", sql);
    Ok(true)
}

#[test]
fn fast_parser_agrees_with_sqlparser_on_seeds_corpus_and_emitted_queries() {
    let mut texts: Vec<String> = seeds().clone();
    texts.extend(corpus_lines());
    let mut emitted = Vec::new();
    let mut rw = StatementRewriter::new(Mode::Select).with_cache_capacity(0);
    for s in &texts {
        emitted.extend(emitted_sql(&rw.rewrite(s, Some("app"), schema())));
    }
    let (mut accepted, mut total) = (0, 0);
    for s in texts.iter().chain(&emitted) {
        total += 1;
        if fast_equals_sqlparser(s).unwrap_or_else(|e| panic!("{e}")) {
            accepted += 1;
        }
    }
    println!(
        "fast parser: {accepted} of {total} texts ({} statements, {} emitted queries)",
        texts.len(),
        emitted.len()
    );
    assert!(
        accepted * 10 > total,
        "the fast path should take a real share of these ({accepted} of {total})"
    );
}

/// A seed statement (grammar-test input or corpus DML) with text inserted, deleted or cut.
fn mutant() -> impl Strategy<Value = String> {
    (
        any::<prop::sample::Index>(),
        0u8..3,
        0usize..4000,
        0usize..40,
        prop::sample::select(INSERTS),
    )
        .prop_map(|(pick, op, at, len, ins)| {
            let seeds = seeds();
            assert!(!seeds.is_empty(), "grammar-tests/ holds the seeds");
            mutate(&seeds[pick.index(seeds.len())], op, at, len, ins)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn fast_parser_agrees_with_sqlparser_on_mutants(
        s in mutant(),
    ) {
        fast_equals_sqlparser(&s)?;
        let mut rw = StatementRewriter::new(Mode::Select).with_cache_capacity(0);
        for e in emitted_sql(&rw.rewrite(&s, Some("app"), schema())) {
            fast_equals_sqlparser(&e)?;
        }
    }

    #[test]
    fn fast_parser_agrees_with_sqlparser_on_token_soup(
        parts in proptest::collection::vec(prop::sample::select(SOUP), 0..24),
    ) {
        let s = parts.join(" ");
        fast_equals_sqlparser(&s)?;
        fast_equals_sqlparser(&parts.concat())?;
    }

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,200}") {
        let mut rw = StatementRewriter::new(Mode::Select);
        let r = rw.rewrite(&s, Some("app"), schema());
        check(&r)?;
    }

    #[test]
    fn token_soup_never_panics(
        parts in proptest::collection::vec(prop::sample::select(SOUP), 0..30),
    ) {
        let s = parts.join(" ");
        let mut rw = StatementRewriter::new(Mode::Select);
        check(&rw.rewrite(&s, Some("app"), schema()))?;
    }

    #[test]
    fn mutated_statements_stay_safe(
        s in mutant(),
    ) {
        for mode in [Mode::Select, Mode::Rollback] {
            let mut rw = StatementRewriter::new(mode);
            let r = rw.rewrite(&s, Some("app"), schema());
            if mode == Mode::Select {
                check(&r)?;
            } else {
                for p in &r.probes {
                    prop_assert!(matches!(p.sql, ProbeSql::Dml(_)));
                }
            }
        }
    }

    #[test]
    fn cached_equals_cold(
        s in mutant(),
        n in 0u32..1_000_000,
    ) {
        // Same shape, other literal values: replace the first run of digits.
        let other = match s.find(|c: char| c.is_ascii_digit()) {
            Some(i) => {
                let end = s[i..].find(|c: char| !c.is_ascii_digit()).map_or(s.len(), |e| i + e);
                format!("{}{n}{}", &s[..i], &s[end..])
            }
            None => s.clone(),
        };
        let mut warm = StatementRewriter::new(Mode::Select);
        warm.rewrite(&s, Some("app"), schema());
        let hot = warm.rewrite(&other, Some("app"), schema());
        let cold = StatementRewriter::new(Mode::Select).rewrite(&other, Some("app"), schema());
        check(&hot)?;
        prop_assert_eq!(texts(&hot), texts(&cold), "statement {:?}", other);
        prop_assert_eq!(hot.skip.map(|s| s.reason), cold.skip.map(|s| s.reason));
    }
}
