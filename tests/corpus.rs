//! Every line of ../shared/corpus through the select-mode rewriter: it never panics, and every
//! query it emits (phase 1, and phase 2 built from a synthetic result row) passes the output
//! guard again after literal substitution. Runs twice: with an empty schema (everything is an
//! unknown table) and with a schema synthesised from each file's identifiers, so that the
//! rewrite paths themselves see the hostile input. Prints prefetch/skip counts per category.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use relay_prefetch::event::Value;
use relay_prefetch::plan::{Mode, ProbeSql};
use relay_prefetch::rewrite::guard::check_select;
use relay_prefetch::rewrite::lexer::{Flavor, Kind, lex, text};
use relay_prefetch::rewrite::{StatementRewriter, parse_create_tables};
use relay_prefetch::schema::Schema;

fn corpus_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    d.is_dir().then_some(d)
}

/// (category, file name, lines as bytes split on `\n`).
type CorpusFile = (String, String, Vec<Vec<u8>>);

fn corpus() -> Option<Vec<CorpusFile>> {
    let dir = corpus_dir()?;
    let mut out = Vec::new();
    for cat in ["dml", "dml_other", "nondml", "select", "hostile"] {
        let Ok(rd) = std::fs::read_dir(dir.join(cat)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "sql"))
        {
            let bytes = std::fs::read(&f).expect("read corpus file");
            let lines = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            out.push((cat.to_string(), name, lines));
        }
    }
    Some(out)
}

const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "UPDATE",
    "SET",
    "DELETE",
    "INSERT",
    "INTO",
    "VALUES",
    "VALUE",
    "REPLACE",
    "ON",
    "DUPLICATE",
    "KEY",
    "JOIN",
    "LEFT",
    "RIGHT",
    "INNER",
    "OUTER",
    "CROSS",
    "AS",
    "ORDER",
    "BY",
    "LIMIT",
    "ASC",
    "DESC",
    "LIKE",
    "BETWEEN",
    "USING",
    "IGNORE",
    "LOW_PRIORITY",
    "QUICK",
    "DELAYED",
    "HIGH_PRIORITY",
    "DEFAULT",
    "TRUE",
    "FALSE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "EXISTS",
    "DISTINCT",
    "GROUP",
    "HAVING",
    "UNION",
    "ALL",
    "FOR",
    "SHARE",
    "LOCK",
    "MODE",
    "INTERVAL",
    "DIV",
    "MOD",
    "XOR",
    "REGEXP",
    "BINARY",
    "COLLATE",
    "FORCE",
    "USE",
    "INDEX",
    "STRAIGHT_JOIN",
    "NATURAL",
    "OFFSET",
];

/// A schema naming every table of `lines` with every identifier of `lines` as a column, `id`
/// (or the first column) as primary key and a secondary index on each other column.
fn synthetic_schema(lines: &[Vec<u8>]) -> Schema {
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut toks = Vec::new();
    let mut words: Vec<String> = Vec::new();
    for l in lines.iter().take(2000) {
        let Ok(s) = std::str::from_utf8(l) else {
            continue;
        };
        if s.len() > 20_000 || lex(s, Flavor::MariaDb(101106), &mut toks).is_err() {
            continue;
        }
        for (i, t) in toks.iter().enumerate() {
            if !matches!(t.kind, Kind::Word | Kind::QuotedIdent) {
                continue;
            }
            let w = text(s, t).trim_matches('`').to_string();
            if w.is_empty() || w.len() > 60 || KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(&w)) {
                continue;
            }
            let prev = i
                .checked_sub(1)
                .map(|p| text(s, &toks[p]).to_ascii_uppercase());
            let is_table = matches!(
                prev.as_deref(),
                Some("UPDATE" | "INTO" | "FROM" | "JOIN" | "IGNORE" | "LOW_PRIORITY" | "QUICK")
            );
            if is_table && toks.get(i + 1).is_none_or(|n| text(s, n) != ".") {
                tables.entry(w).or_default();
            } else if !words.contains(&w) && words.len() < 48 {
                words.push(w);
            }
        }
    }
    let mut ddl = String::new();
    for t in tables.keys().take(300) {
        let mut cols = vec!["id".to_string()];
        cols.extend(
            words
                .iter()
                .filter(|w| !w.eq_ignore_ascii_case("id"))
                .cloned(),
        );
        let defs: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let ty = if i % 2 == 0 { "int" } else { "varchar(32)" };
                format!("`{}` {ty}", c.replace('`', "``"))
            })
            .collect();
        let keys: Vec<String> = cols
            .iter()
            .skip(1)
            .take(20)
            .enumerate()
            .map(|(i, c)| format!("KEY `k{i}` (`{}`)", c.replace('`', "``")))
            .collect();
        ddl.push_str(&format!(
            "CREATE TABLE `{}` ({}, PRIMARY KEY (`id`){}{}) ENGINE=InnoDB;\n",
            t.replace('`', "``"),
            defs.join(", "),
            if keys.is_empty() { "" } else { ", " },
            keys.join(", ")
        ));
    }
    parse_create_tables(&ddl, "test").unwrap_or_default()
}

#[derive(Default)]
struct Counts {
    prefetch: usize,
    skips: BTreeMap<String, usize>,
}

fn check_line(rw: &mut StatementRewriter, sql: &str, schema: &Schema) -> Result<bool, String> {
    let r = rw.rewrite(sql, Some("test"), schema);
    for p in &r.probes {
        let ProbeSql::Text(q) = &p.sql else {
            return Err(format!("select mode emitted a non-text probe {:?}", p.sql));
        };
        check_select(q).map_err(|e| format!("unsafe output {q:?}: {e}"))?;
        if let Some(f) = &p.follow_up {
            let row: Vec<Value> = (0..64).map(|i| Value::Int(i + 1)).collect();
            for p2 in f.probes(&[row.clone(), row]) {
                let ProbeSql::Prepared { sql, .. } = &p2.sql else {
                    return Err("phase 2 emitted a non-prepared probe".into());
                };
                check_select(sql).map_err(|e| format!("unsafe phase-2 {sql:?}: {e}"))?;
            }
        }
    }
    match &r.skip {
        Some(_) if !r.probes.is_empty() => Err("skip with probes".into()),
        None if r.probes.is_empty() => Err("prefetch without probes".into()),
        _ => Ok(r.skip.is_none()),
    }
}

fn run(synthetic: bool) {
    let Some(files) = corpus() else {
        println!("skipped: ../shared/corpus absent");
        return;
    };
    let mut per_cat: BTreeMap<String, Counts> = BTreeMap::new();
    let mut failures = Vec::new();
    for (cat, name, lines) in &files {
        let schema = if synthetic {
            synthetic_schema(lines)
        } else {
            Schema::new()
        };
        let mut rw = StatementRewriter::new(Mode::Select);
        for (n, l) in lines.iter().enumerate() {
            let c = per_cat.entry(cat.clone()).or_default();
            let Ok(sql) = std::str::from_utf8(l) else {
                *c.skips.entry("invalid_utf8".into()).or_default() += 1;
                continue;
            };
            match catch_unwind(AssertUnwindSafe(|| check_line(&mut rw, sql, &schema))) {
                Ok(Ok(true)) => c.prefetch += 1,
                Ok(Ok(false)) => {
                    let r = rw.rewrite(sql, Some("test"), &schema);
                    let reason = r
                        .skip
                        .as_ref()
                        .map(|s| s.reason.to_string())
                        .unwrap_or_default();
                    // CORPUS_SHOW=<reason> prints the lines skipped for that reason.
                    if std::env::var("CORPUS_SHOW").is_ok_and(|v| v == reason) && synthetic {
                        let d = r.skip.map(|s| s.detail).unwrap_or_default();
                        println!(
                            "{cat}/{name}:{}: {d} :: {}",
                            n + 1,
                            sql.chars().take(200).collect::<String>()
                        );
                    }
                    *c.skips.entry(reason).or_default() += 1;
                }
                Ok(Err(e)) => failures.push(format!("{cat}/{name}:{}: {e}", n + 1)),
                Err(_) => failures.push(format!("{cat}/{name}:{}: panic", n + 1)),
            }
        }
    }
    println!("schema: {}", if synthetic { "synthetic" } else { "empty" });
    for (cat, c) in &per_cat {
        let skipped: usize = c.skips.values().sum();
        println!(
            "  {cat:10} prefetch {:5}  skip {:5}  {:?}",
            c.prefetch, skipped, c.skips
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if synthetic {
        let p = per_cat.get("dml").map_or(0, |c| c.prefetch);
        assert!(
            p > 500,
            "the synthetic schema should let many dml lines prefetch, got {p}"
        );
        for cat in ["nondml", "select"] {
            assert_eq!(
                per_cat.get(cat).map_or(0, |c| c.prefetch),
                0,
                "{cat} must never prefetch"
            );
        }
    }
}

#[test]
fn corpus_with_empty_schema() {
    run(false);
}

#[test]
fn corpus_with_synthetic_schema() {
    run(true);
}

/// `relay-prefetch rewrite` on the hostile file (bytes, NULs, invalid UTF-8, a 1 MB line):
/// exactly one JSON object per input line, in order, every one "prefetch" or "skip", and the
/// process exits 0.
#[test]
fn rewrite_command_answers_every_hostile_line() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: ../shared/corpus absent");
        return;
    };
    let input = std::fs::read(dir.join("hostile/hostile.sql")).expect("hostile.sql");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests/schema.sql");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_relay-prefetch"))
        .args([
            "rewrite",
            "--mode",
            "select",
            "--default-db",
            "app",
            "--schema-file",
        ])
        .arg(&schema)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run relay-prefetch");
    let mut stdin = child.stdin.take().unwrap();
    let feed = input.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(&feed).unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let expected = lines.len() - usize::from(input.ends_with(b"\n"));
    let text = String::from_utf8(out.stdout).expect("UTF-8 JSON");
    let answers: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(answers.len(), expected);
    for (a, raw) in answers.iter().zip(&lines) {
        let action = a["action"].as_str().unwrap();
        assert!(action == "prefetch" || action == "skip", "{a}");
        if let Ok(s) = std::str::from_utf8(raw) {
            assert_eq!(
                a["statement"].as_str(),
                Some(s),
                "statements come back in order"
            );
        }
        for q in a["queries"].as_array().unwrap() {
            check_select(q.as_str().unwrap()).expect("guarded output");
        }
    }
}
