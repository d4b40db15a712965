//! Properties of the statement rewriter (proptest):
//! - arbitrary strings and SQL-flavoured token soup never panic it;
//! - mutated real statements (grammar-test inputs and ../shared/corpus DML, with tokens that
//!   break quoting, add side effects or locking clauses inserted, or text cut away) never panic
//!   it, and in select mode every emitted query — phase 1 and phase 2 — is a guarded read-only
//!   SELECT;
//! - a statement rewritten from the template cache gives the same queries and keys as a cold
//!   rewrite of the same statement.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use relay_prefetch::event::Value;
use relay_prefetch::plan::{Mode, ProbeSql};
use relay_prefetch::rewrite::guard::check_select;
use relay_prefetch::rewrite::{Rewritten, StatementRewriter, parse_create_tables};
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
            for p2 in f(&[row.clone(), row]) {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,200}") {
        let mut rw = StatementRewriter::new(Mode::Select);
        let r = rw.rewrite(&s, Some("app"), schema());
        check(&r)?;
    }

    #[test]
    fn token_soup_never_panics(parts in proptest::collection::vec(
        prop_oneof![
            Just("UPDATE"), Just("DELETE"), Just("INSERT"), Just("INTO"), Just("FROM"),
            Just("sbtest1"), Just("users"), Just("SET"), Just("WHERE"), Just("id"), Just("k"),
            Just("="), Just("1"), Just("'x'"), Just("("), Just(")"), Just(","), Just("AND"),
            Just("OR"), Just("IN"), Just("VALUES"), Just("SLEEP(1)"), Just("FOR UPDATE"),
            Just(";"), Just("/*!"), Just("*/"), Just("JOIN"), Just("ON"), Just("LIMIT"),
            Just("ORDER BY"), Just("IGNORE"), Just("LOW_PRIORITY"), Just(".*"), Just("k+1"),
        ], 0..30)) {
        let s = parts.join(" ");
        let mut rw = StatementRewriter::new(Mode::Select);
        check(&rw.rewrite(&s, Some("app"), schema()))?;
    }

    #[test]
    fn mutated_statements_stay_safe(
        pick in any::<prop::sample::Index>(),
        op in 0u8..3, at in 0usize..4000, len in 0usize..40,
        ins in prop::sample::select(INSERTS),
    ) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let s = mutate(&seeds[pick.index(seeds.len())], op, at, len, ins);
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
        pick in any::<prop::sample::Index>(),
        op in 0u8..3, at in 0usize..4000, len in 0usize..40,
        ins in prop::sample::select(INSERTS),
        n in 0u32..1_000_000,
    ) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let s = mutate(&seeds[pick.index(seeds.len())], op, at, len, ins);
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
