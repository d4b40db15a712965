//! The golden corpus: every folder under grammar-tests/ is one case.
//!
//! - `input.sql`: statements, one per line; all are fed in order (so a case can create a temporary
//!   table first), the expectation is about the last one.
//! - `expect.sql`: the queries the last statement produces, one per line, in order; phase-2
//!   probes (built from a synthetic phase-1 row: integers 100, 101, …) follow as
//!   `-- phase2 <index>: <sql> -- params: <values>`; or `expect_skip`: the skip reason.
//! - `keys` (written with expect.sql): the applier row keys.
//! - optional `schema.sql` (else grammar-tests/schema.sql), `mode` (select | fake-changes |
//!   rollback), `flavor` (server version, e.g. `10.11.6-MariaDB`).
//!
//! Every emitted select-mode query is re-parsed by the guard after literal substitution.
//! `BLESS=1 cargo test --test grammar` rewrites the expectations.

use std::path::{Path, PathBuf};

use relay_prefetch::commands::rewrite::flavor_of;
use relay_prefetch::event::Value;
use relay_prefetch::plan::{Mode, ProbeSql, RowKey};
use relay_prefetch::rewrite::guard::check_select;
use relay_prefetch::rewrite::{Flavor, Rewritten, StatementRewriter, parse_create_tables};
use relay_prefetch::schema::Schema;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests")
}

fn read(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

fn schema_for(case: &Path, shared: &Schema) -> Schema {
    match read(&case.join("schema.sql")) {
        Some(s) => parse_create_tables(&s, "app").expect("case schema.sql parses"),
        None => shared.clone(),
    }
}

fn mode_for(case: &Path) -> Mode {
    match read(&case.join("mode")).as_deref().map(str::trim) {
        None | Some("select") => Mode::Select,
        Some("fake-changes") => Mode::FakeChanges,
        Some("rollback") => Mode::Rollback,
        Some(other) => panic!("{}: unknown mode {other}", case.display()),
    }
}

fn key_text(k: &RowKey) -> String {
    match &k.pk {
        None => k.table.to_string(),
        Some(b) => format!(
            "{}:{}",
            k.table,
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        ),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Bytes(b) => format!("'{}'", String::from_utf8_lossy(b)),
        Value::Null => "NULL".into(),
        other => format!("{other:?}"),
    }
}

/// The text form of a result, and any guard failures.
fn render(r: &Rewritten, mode: Mode) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut bad = Vec::new();
    for (i, p) in r.probes.iter().enumerate() {
        match &p.sql {
            ProbeSql::Text(q) => {
                if mode == Mode::Select
                    && let Err(e) = check_select(q)
                {
                    bad.push(format!("{q}: {e}"));
                }
                out.push_str(q);
            }
            ProbeSql::Dml(v) => out.push_str(&v.join(" ;; ")),
            ProbeSql::Prepared { sql, .. } => out.push_str(sql),
        }
        out.push('\n');
        if let Some(f) = &p.follow_up {
            let row: Vec<Value> = (0..32).map(|j| Value::Int(100 + j)).collect();
            for p2 in f.probes(&[row]) {
                if let ProbeSql::Prepared { sql, params } = &p2.sql {
                    if let Err(e) = check_select(sql) {
                        bad.push(format!("{sql}: {e}"));
                    }
                    let ps: Vec<String> = params.iter().map(value_text).collect();
                    out.push_str(&format!(
                        "-- phase2 {i}: {sql} -- params: {}\n",
                        ps.join(", ")
                    ));
                }
            }
        }
    }
    (out, bad)
}

struct Outcome {
    failures: Vec<String>,
    cases: usize,
}

fn run_case(case: &Path, shared: &Schema, bless: bool, o: &mut Outcome) {
    let Some(input) = read(&case.join("input.sql")) else {
        return;
    };
    o.cases += 1;
    let name = case.file_name().unwrap().to_string_lossy().to_string();
    let schema = schema_for(case, shared);
    let mode = mode_for(case);
    let flavor = read(&case.join("flavor"))
        .map(|f| flavor_of(f.trim()).expect("flavor file"))
        .unwrap_or(Flavor::Unknown);
    let mut rw = StatementRewriter::new(mode).with_flavor(flavor);
    let mut last = None;
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        last = Some(rw.rewrite(line, Some("app"), &schema));
    }
    let Some(r) = last else { return };
    // The cached path must agree with the cold one: rewrite the last line again.
    let again = rw.rewrite(
        input.lines().rfind(|l| !l.trim().is_empty()).unwrap(),
        Some("app"),
        &schema,
    );
    let (text, bad) = render(&r, mode);
    if render(&again, mode).0 != text {
        o.failures
            .push(format!("{name}: cached rewrite differs from the cold one"));
    }
    for b in bad {
        o.failures
            .push(format!("{name}: guard rejects emitted query {b}"));
    }
    let keys: String = r.applier_keys.iter().map(|k| key_text(k) + "\n").collect();
    let (exp_sql, exp_skip, exp_keys) = (
        case.join("expect.sql"),
        case.join("expect_skip"),
        case.join("keys"),
    );
    if bless {
        let _ = std::fs::remove_file(&exp_sql);
        let _ = std::fs::remove_file(&exp_skip);
        let _ = std::fs::remove_file(&exp_keys);
        match &r.skip {
            Some(s) => std::fs::write(&exp_skip, format!("{}\n", s.reason)).unwrap(),
            None => {
                std::fs::write(&exp_sql, &text).unwrap();
                std::fs::write(&exp_keys, &keys).unwrap();
            }
        }
        return;
    }
    match (&r.skip, read(&exp_sql), read(&exp_skip)) {
        (Some(s), _, Some(want)) if want.trim() == s.reason.as_str() => {}
        (None, Some(want), None) if want == text => {
            if let Some(k) = read(&exp_keys)
                && k != keys
            {
                o.failures
                    .push(format!("{name}: keys\n  want {k:?}\n  got  {keys:?}"));
            }
        }
        (got_skip, want_sql, want_skip) => o.failures.push(format!(
            "{name}:\n  want {:?} {:?}\n  got  {:?} {:?}",
            want_skip.map(|s| s.trim().to_string()),
            want_sql,
            got_skip
                .as_ref()
                .map(|s| format!("{}: {}", s.reason, s.detail)),
            text
        )),
    }
}

#[test]
fn grammar_cases() {
    let root = root();
    let shared = parse_create_tables(
        &read(&root.join("schema.sql")).expect("grammar-tests/schema.sql"),
        "app",
    )
    .expect("shared schema parses");
    let bless = std::env::var("BLESS").is_ok_and(|v| v == "1");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("grammar-tests/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut o = Outcome {
        failures: Vec::new(),
        cases: 0,
    };
    for d in &dirs {
        run_case(d, &shared, bless, &mut o);
    }
    println!("{} grammar cases", o.cases);
    assert!(
        o.cases >= 300 || bless,
        "expected at least 300 cases, found {}",
        o.cases
    );
    assert!(
        o.failures.is_empty(),
        "{} failing cases:\n{}",
        o.failures.len(),
        o.failures.join("\n")
    );
}
