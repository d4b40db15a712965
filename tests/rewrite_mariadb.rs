//! The select-mode statement rewrites of grammar-tests/ against a real MariaDB server holding the
//! shared grammar-tests schema (secondary, unique, composite and prefix indexes) with data:
//! - every phase-1 query of every select-mode case runs as a SELECT-only user inside
//!   `START TRANSACTION READ ONLY`, and so does every phase-2 probe built from its real result
//!   rows (prepared, values bound);
//! - for single-table UPDATE/DELETE cases, EXPLAIN of the phase-1 query uses the same index as
//!   EXPLAIN of the original DML (MariaDB explains UPDATE/DELETE), and is not answered from a
//!   covering secondary index ("Using index"), i.e. it reaches the clustered rows;
//! - every INSERT probe and phase-2 probe uses its index with a key access type.
//!
//! The original DML is never executed; the server is a throwaway sandbox.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mysql::prelude::Queryable;
use relay_prefetch::event::Value;
use relay_prefetch::plan::{Mode, Probe, ProbeSql};
use relay_prefetch::rewrite::lexer::{Flavor, Kind, lex, text};
use relay_prefetch::rewrite::{StatementRewriter, parse_create_tables};
use relay_prefetch::sandbox::{Server, ServerOptions};
use relay_prefetch::schema::Schema;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests")
}

/// The schema file's statements (comments dropped), split on `;`.
fn statements(sql: &str) -> Vec<String> {
    let mut toks = Vec::new();
    lex(sql, Flavor::MariaDb(101106), &mut toks).expect("schema lexes");
    toks.split(|t| t.kind == Kind::Op && text(sql, t) == ";")
        .filter(|s| !s.is_empty())
        .map(|s| sql[s[0].span.start..s[s.len() - 1].span.end].to_string())
        .collect()
}

/// An expression filling column `i` of a table for row `seq` (INSERT IGNORE drops key clashes).
fn filler(data_type: &str, i: usize) -> String {
    match data_type {
        "tinyint" => format!("(seq * {}) % 100", i + 1),
        "smallint" | "mediumint" | "int" | "integer" | "bigint" => {
            if i == 0 {
                "seq".into()
            } else {
                format!("(seq * {}) % 997", i + 1)
            }
        }
        "decimal" | "double" | "float" => "seq / 10".into(),
        "datetime" | "timestamp" => "TIMESTAMP('2024-01-01') + INTERVAL seq MINUTE".into(),
        "date" => "DATE('2024-01-01') + INTERVAL seq DAY".into(),
        _ => format!("CONCAT('v', seq % {})", 50 + i),
    }
}

fn populate(conn: &mut mysql::Conn, schema: &Schema) {
    conn.query_drop("SET SESSION sql_mode = ''").unwrap();
    for t in schema.tables() {
        let cols: Vec<String> = t.columns.iter().map(|c| format!("`{}`", c.name)).collect();
        let vals: Vec<String> = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| filler(&c.data_type, i))
            .collect();
        let sql = format!(
            "INSERT IGNORE INTO `{}`.`{}` ({}) SELECT {} FROM seq_1_to_3000",
            t.db,
            t.name,
            cols.join(", "),
            vals.join(", ")
        );
        conn.query_drop(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.query_drop(format!("ANALYZE TABLE `{}`.`{}`", t.db, t.name))
            .unwrap();
    }
}

fn to_value(v: &mysql::Value) -> Value {
    match v {
        mysql::Value::NULL => Value::Null,
        mysql::Value::Int(i) => Value::Int(*i),
        mysql::Value::UInt(u) => Value::UInt(*u),
        mysql::Value::Float(f) => Value::Float(*f),
        mysql::Value::Double(d) => Value::Double(*d),
        mysql::Value::Bytes(b) => Value::Bytes(b.clone()),
        mysql::Value::Date(y, mo, d, h, mi, s, us) => Value::DateTime {
            year: *y,
            month: *mo,
            day: *d,
            hour: *h,
            minute: *mi,
            second: *s,
            micros: *us,
        },
        mysql::Value::Time(neg, d, h, m, s, us) => Value::Time {
            negative: *neg,
            hours: d * 24 + u32::from(*h),
            minutes: *m,
            seconds: *s,
            micros: *us,
        },
    }
}

fn to_mysql(v: &Value) -> mysql::Value {
    match v {
        Value::Null => mysql::Value::NULL,
        Value::Int(i) => mysql::Value::Int(*i),
        Value::UInt(u) => mysql::Value::UInt(*u),
        Value::Float(f) => mysql::Value::Float(*f),
        Value::Double(d) => mysql::Value::Double(*d),
        Value::Decimal(s) => mysql::Value::Bytes(s.clone().into_bytes()),
        Value::Bytes(b) => mysql::Value::Bytes(b.clone()),
        Value::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        } => mysql::Value::Date(*year, *month, *day, *hour, *minute, *second, *micros),
        Value::Time {
            negative,
            hours,
            minutes,
            seconds,
            micros,
        } => mysql::Value::Time(
            *negative,
            hours / 24,
            (hours % 24) as u8,
            *minutes,
            *seconds,
            *micros,
        ),
    }
}

/// (table, key, type, Extra) per EXPLAIN row.
type Plan = Vec<(String, String, String, String)>;

fn explain(conn: &mut mysql::Conn, sql: &str, params: Vec<mysql::Value>) -> Result<Plan, String> {
    let p = if params.is_empty() {
        mysql::Params::Empty
    } else {
        mysql::Params::Positional(params)
    };
    let rows: Vec<mysql::Row> = conn
        .exec(format!("EXPLAIN {sql}"), p)
        .map_err(|e| e.to_string())?;
    Ok(rows
        .iter()
        .map(|r| {
            let get = |c: &str| -> String {
                r.get_opt::<Option<String>, _>(c)
                    .and_then(Result::ok)
                    .flatten()
                    .unwrap_or_default()
            };
            (get("table"), get("key"), get("type"), get("Extra"))
        })
        .collect())
}

fn trivially_empty(plan: &Plan) -> bool {
    plan.iter().any(|(_, _, _, x)| {
        x.contains("no matching row in const table")
            || x.contains("Impossible WHERE")
            || x.contains("No matching rows after partition pruning")
    })
}

/// Run `sql` read-only as the probe user; the rows.
fn run(
    conn: &mut mysql::Conn,
    sql: &str,
    params: Vec<mysql::Value>,
) -> Result<Vec<Vec<Value>>, String> {
    conn.query_drop("START TRANSACTION READ ONLY")
        .map_err(|e| e.to_string())?;
    let p = if params.is_empty() {
        mysql::Params::Empty
    } else {
        mysql::Params::Positional(params)
    };
    let rows: Result<Vec<mysql::Row>, _> = conn.exec(sql, p);
    conn.query_drop("COMMIT").map_err(|e| e.to_string())?;
    let rows = rows.map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .map(|r| r.unwrap().iter().map(to_value).collect())
        .collect())
}

struct Report {
    queries: usize,
    phase2: usize,
    explained: usize,
    /// UPDATE/DELETE whose phase-1 SELECT the optimizer plans on other indexes than the DML.
    divergent: Vec<String>,
    failures: Vec<String>,
}

fn check_probe_index(
    conn: &mut mysql::Conn,
    p: &Probe,
    sql: &str,
    params: Vec<mysql::Value>,
    r: &mut Report,
) {
    if p.index.is_empty() {
        return;
    }
    match explain(conn, sql, params) {
        Err(e) => r.failures.push(format!("EXPLAIN {sql}: {e}")),
        Ok(plan) if trivially_empty(&plan) => {}
        Ok(plan) => {
            let (_, key, ty, _) = &plan[0];
            let ok_type = ["const", "eq_ref", "ref", "range", "ref_or_null"].contains(&ty.as_str());
            // A batch of many tuples on a small test table may be costed cheaper as a scan of
            // the (forced) index than as that many lookups; on a real table it is a range. The
            // lookup itself must be a key access: check the batch's first tuple alone.
            if *key == p.index && ty == "index" && p.keys.len() > 1 {
                let one = single_tuple(sql, p);
                let first: Vec<mysql::Value> = p.keys[0].iter().map(to_mysql).collect();
                return check_probe_index(
                    conn,
                    &Probe {
                        keys: vec![p.keys[0].clone()],
                        ..p.clone()
                    },
                    &one,
                    first,
                    r,
                );
            }
            if *key != p.index || !ok_type {
                r.failures
                    .push(format!("{sql}: uses {key} ({ty}), probe says {}", p.index));
            }
        }
    }
}

/// `conn` is the SELECT-only probe user; `admin` (root) only EXPLAINs the original DML, which
/// needs the UPDATE/DELETE privilege even though EXPLAIN executes nothing.
/// The probe's SQL with its IN list of tuples replaced by one tuple (same columns).
fn single_tuple(sql: &str, p: &Probe) -> String {
    let head = &sql[..sql.find(" WHERE ").expect("WHERE") + 7];
    let cols = sql[head.len()..].split(" IN ").next().unwrap_or("");
    let cols: Vec<String> = cols
        .trim_matches(['(', ')'])
        .split(", ")
        .map(str::to_string)
        .collect();
    assert_eq!(cols.len(), p.keys[0].len(), "{sql}");
    format!(
        "{head}{}",
        relay_prefetch::rewrite::followup::condition(&cols, 1)
    )
}

fn run_case(
    conn: &mut mysql::Conn,
    admin: &mut mysql::Conn,
    case: &Path,
    schema: &Schema,
    r: &mut Report,
) {
    let Ok(input) = std::fs::read_to_string(case.join("input.sql")) else {
        return;
    };
    if ["mode", "flavor", "schema.sql"]
        .iter()
        .any(|f| case.join(f).exists())
    {
        return;
    }
    let name = case.file_name().unwrap().to_string_lossy().to_string();
    let mut rw = StatementRewriter::new(Mode::Select);
    let Some(last) = input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| rw.rewrite(l, Some("app"), schema))
        .last()
    else {
        return;
    };
    let dml = input
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap()
        .trim();
    for (i, p) in last.probes.iter().enumerate() {
        let ProbeSql::Text(sql) = &p.sql else {
            continue;
        };
        r.queries += 1;
        let rows = match run(conn, sql, Vec::new()) {
            Ok(rows) => rows,
            Err(e) => {
                r.failures.push(format!("{name}: {sql}: {e}"));
                continue;
            }
        };
        if i == 0 && p.index.is_empty() {
            compare_with_dml(conn, admin, &name, dml, sql, r);
        }
        check_probe_index(conn, p, sql, Vec::new(), r);
        if let Some(f) = &p.follow_up {
            for p2 in f.probes(&rows) {
                let ProbeSql::Prepared { sql, params } = &p2.sql else {
                    continue;
                };
                r.phase2 += 1;
                let params: Vec<mysql::Value> = params.iter().map(to_mysql).collect();
                if let Err(e) = run(conn, sql, params.clone()) {
                    r.failures.push(format!("{name} phase 2: {sql}: {e}"));
                }
                check_probe_index(conn, &p2, sql, params, r);
            }
        }
    }
}

/// The phase-1 SELECT of a single-table UPDATE/DELETE uses the DML's index and reads rows.
fn compare_with_dml(
    conn: &mut mysql::Conn,
    admin: &mut mysql::Conn,
    name: &str,
    dml: &str,
    sql: &str,
    r: &mut Report,
) {
    let upper = dml.to_ascii_uppercase();
    let single_table = !upper.contains("JOIN") && !upper.contains(" USING ");
    if !(upper.starts_with("UPDATE") || upper.starts_with("DELETE")) || !single_table {
        return;
    }
    let d = match explain(admin, dml, Vec::new()) {
        Ok(d) => d,
        Err(e) => return r.failures.push(format!("{name}: EXPLAIN {dml}: {e}")),
    };
    let s = match explain(conn, sql, Vec::new()) {
        Ok(s) => s,
        Err(e) => return r.failures.push(format!("{name}: EXPLAIN {sql}: {e}")),
    };
    // Multi-table (comma) statements: compare only single-table plans.
    if d.len() != 1 {
        return;
    }
    if trivially_empty(&d) || trivially_empty(&s) || d.is_empty() || s.is_empty() {
        return;
    }
    r.explained += 1;
    // "a|b" = index merge / rowid filter over both: the probe may read more indexes than the
    // DML (a SELECT can use a rowid filter where UPDATE does not), never fewer.
    let keys = |p: &Plan| {
        p.iter()
            .flat_map(|x| x.1.split('|').map(str::to_string).collect::<Vec<_>>())
            .filter(|k| !k.is_empty())
            .collect::<BTreeSet<_>>()
    };
    if !keys(&d).is_subset(&keys(&s)) {
        r.divergent
            .push(format!("{name}: DML uses {d:?}, probe uses {s:?}"));
    }
    if s[0].3.contains("Using index")
        && !s[0].3.contains("Using index condition")
        && s[0].1 != "PRIMARY"
    {
        r.failures.push(format!(
            "{name}: probe is covered by an index, clustered rows not read: {s:?}"
        ));
    }
}

/// information_schema and the CREATE TABLE parser describe the same tables the same way
/// (column order, unsigned, nullability, auto-increment, engine, index names, order, uniqueness
/// and prefix lengths).
fn check_loaders_agree(url: &str, from_file: &Schema) {
    let dbs = vec!["app".to_string(), "shop".to_string()];
    let live = relay_prefetch::schema::load_from_server(url, Some(&dbs)).expect("load_from_server");
    let mut n = 0;
    for f in from_file.tables() {
        let l = live
            .get(&f.db, &f.name)
            .unwrap_or_else(|| panic!("{} missing from information_schema", f.qualified_name()));
        let cols = |t: &relay_prefetch::schema::Table| {
            t.columns
                .iter()
                .map(|c| {
                    (
                        c.name.to_lowercase(),
                        c.data_type.clone(),
                        c.unsigned,
                        c.auto_increment,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(cols(l), cols(f), "{}", f.qualified_name());
        let idx = |t: &relay_prefetch::schema::Table| {
            let mut v: Vec<_> = t
                .indexes
                .iter()
                .map(|i| {
                    (
                        i.name.to_lowercase(),
                        i.primary,
                        i.unique,
                        i.columns.clone(),
                    )
                })
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        assert_eq!(idx(l), idx(f), "{}", f.qualified_name());
        assert_eq!(
            l.engine.as_deref().map(str::to_lowercase),
            f.engine.as_deref().map(str::to_lowercase),
            "{}",
            f.qualified_name()
        );
        for c in &l.columns {
            let text = ["char", "varchar", "text", "longtext"].contains(&c.data_type.as_str());
            assert_eq!(
                c.collation.is_some(),
                text,
                "collation of {}.{}",
                f.name,
                c.name
            );
        }
        n += 1;
    }
    assert_eq!(live.tables().count(), n);
}

#[test]
fn grammar_rewrites_run_read_only_and_match_the_dml_plan() {
    let schema_sql = std::fs::read_to_string(root().join("schema.sql")).expect("schema.sql");
    let schema = parse_create_tables(&schema_sql, "app").unwrap();
    let server = match Server::start(ServerOptions {
        name: "rewrite".into(),
        ..Default::default()
    }) {
        Ok(s) => s,
        Err(e) => {
            println!("skipped: cannot start MariaDB: {e}");
            return;
        }
    };
    let mut root_conn = server.conn().unwrap();
    for db in ["app", "shop"] {
        root_conn
            .query_drop(format!("CREATE DATABASE {db}"))
            .unwrap();
    }
    root_conn.query_drop("USE app").unwrap();
    for st in statements(&schema_sql) {
        root_conn
            .query_drop(&st)
            .unwrap_or_else(|e| panic!("{st}: {e}"));
    }
    root_conn.query_drop("USE app").unwrap();
    populate(&mut root_conn, &schema);
    root_conn
        .query_drop("CREATE USER probe@'%' IDENTIFIED BY 'probe'")
        .unwrap();
    root_conn
        .query_drop("GRANT SELECT ON *.* TO probe@'%'")
        .unwrap();
    check_loaders_agree(&server.url(), &schema);
    let mut conn = server.conn_as("probe", Some("probe")).unwrap();
    conn.query_drop("USE app").unwrap();
    conn.query_drop("SET SESSION TRANSACTION READ ONLY")
        .unwrap();

    let mut cases: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut r = Report {
        queries: 0,
        phase2: 0,
        explained: 0,
        divergent: Vec::new(),
        failures: Vec::new(),
    };
    for c in &cases {
        run_case(&mut conn, &mut root_conn, c, &schema, &mut r);
    }
    println!(
        "{} phase-1 queries and {} phase-2 probes ran read-only; {} UPDATE/DELETE plans compared",
        r.queries, r.phase2, r.explained
    );
    // SELECT and single-table UPDATE/DELETE are planned by different optimizer code paths in
    // MariaDB; on this small data set they occasionally pick different indexes. Report every
    // such case, fail when it is more than an occasional one.
    println!(
        "{} divergent plans:\n{}",
        r.divergent.len(),
        r.divergent.join("\n")
    );
    assert!(
        r.failures.is_empty(),
        "{} failures:\n{}",
        r.failures.len(),
        r.failures.join("\n")
    );
    assert!(
        r.divergent.len() * 20 <= r.explained,
        "more than 5% of plans diverge"
    );
    assert!(
        r.queries > 150 && r.phase2 > 50 && r.explained > 50,
        "too little exercised"
    );
}
