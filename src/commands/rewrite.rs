//! `relay-prefetch rewrite`: SQL statements on stdin (one per line, read as bytes) → one JSON
//! object per line on stdout, in order. Never stops early: a line that is not UTF-8, does not
//! parse, or even panics the rewriter gets `"action": "skip"` with a reason and the next line
//! is processed.

use std::io::{BufRead, BufWriter, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use anyhow::Context;
use serde::Serialize;

use crate::cli::{ModeArg, RewriteArgs};
use crate::plan::{Mode, ProbeSql, RowKey};
use crate::rewrite::{Flavor, Rewritten, StatementRewriter};
use crate::schema::{self, Schema};

/// One output line.
#[derive(Serialize)]
struct Line<'a> {
    statement: &'a str,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    queries: Vec<String>,
    tables: Vec<String>,
    keys: Vec<String>,
    /// Indexes into `queries` whose results feed a phase-2 builder.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phase2: Vec<usize>,
}

/// Map the CLI mode.
pub fn mode_of(m: ModeArg) -> Mode {
    match m {
        ModeArg::Select => Mode::Select,
        ModeArg::FakeChanges => Mode::FakeChanges,
        ModeArg::Rollback => Mode::Rollback,
    }
}

/// "10.11.6-MariaDB" → MariaDb(101106); "8.0.36" → MySql(80036).
pub fn flavor_of(v: &str) -> Option<Flavor> {
    let nums: Vec<u32> = v
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c] = nums.as_slice() else {
        return None;
    };
    let n = a * 10_000 + b * 100 + c;
    Some(if v.to_ascii_lowercase().contains("mariadb") {
        Flavor::MariaDb(n)
    } else {
        Flavor::MySql(n)
    })
}

fn load_schema(args: &RewriteArgs) -> anyhow::Result<Schema> {
    if let Some(url) = &args.schema.schema {
        return schema::load_from_server(url, None).context("loading schema from server");
    }
    let Some(path) = &args.schema.schema_file else {
        anyhow::bail!("`rewrite` needs --schema URL or --schema-file FILE");
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading schema file {}", path.display()))?;
    let db = args.default_db.clone().unwrap_or_else(|| {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("test")
            .to_string()
    });
    Ok(schema::parse_create_tables(&text, &db)?)
}

fn key_text(k: &RowKey) -> String {
    match &k.pk {
        None => k.table.to_string(),
        Some(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            format!("{}:{hex}", k.table)
        }
    }
}

/// JSON for one rewritten statement.
fn line<'a>(statement: &'a str, r: &Rewritten) -> Line<'a> {
    let queries = r
        .probes
        .iter()
        .map(|p| match &p.sql {
            ProbeSql::Text(s) => s.clone(),
            ProbeSql::Prepared { sql, .. } => sql.to_string(),
            ProbeSql::Dml(v) => v.join(";\n"),
        })
        .collect();
    Line {
        statement,
        action: if r.skip.is_some() { "skip" } else { "prefetch" },
        reason: r
            .skip
            .as_ref()
            .map(|s| format!("{}: {}", s.reason, s.detail)),
        queries,
        tables: r.tables.clone(),
        keys: r.applier_keys.iter().map(key_text).collect(),
        phase2: (0..r.probes.len())
            .filter(|&i| r.probes[i].follow_up.is_some())
            .collect(),
    }
}

fn skip_line<'a>(statement: &'a str, reason: &str) -> Line<'a> {
    Line {
        statement,
        action: "skip",
        reason: Some(reason.to_string()),
        queries: Vec::new(),
        tables: Vec::new(),
        keys: Vec::new(),
        phase2: Vec::new(),
    }
}

/// Run `rewrite`.
pub fn run(args: RewriteArgs) -> anyhow::Result<i32> {
    let schema = load_schema(&args)?;
    // Without --default-db, a schema of one database is the default database.
    let mut dbs: Vec<&str> = schema.tables().map(|t| t.db.as_str()).collect();
    dbs.sort_unstable();
    dbs.dedup();
    let default_db = args
        .default_db
        .clone()
        .or_else(|| (dbs.len() == 1).then(|| dbs[0].to_string()));
    let mode = mode_of(args.mode);
    let flavor = match &args.server_version {
        Some(v) => flavor_of(v).with_context(|| format!("unrecognised --server-version {v:?}"))?,
        None => Flavor::Unknown,
    };
    let new_rw = || StatementRewriter::new(mode).with_flavor(flavor);
    let mut rw = new_rw();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        let json = match std::str::from_utf8(&buf) {
            Err(_) => {
                let lossy = String::from_utf8_lossy(&buf);
                serde_json::to_string(&skip_line(&lossy, "unparsable: not valid UTF-8"))?
            }
            Ok(sql) => {
                let db = default_db.as_deref();
                match catch_unwind(AssertUnwindSafe(|| rw.rewrite(sql, db, &schema))) {
                    Ok(r) => serde_json::to_string(&line(sql, &r))?,
                    Err(_) => {
                        rw = new_rw();
                        serde_json::to_string(&skip_line(sql, "unparsable: internal error"))?
                    }
                }
            }
        };
        out.write_all(json.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            flavor_of("10.11.6-MariaDB-log"),
            Some(Flavor::MariaDb(101106))
        );
        assert_eq!(flavor_of("8.0.36"), Some(Flavor::MySql(80036)));
        assert_eq!(flavor_of("eight"), None);
    }
}
