//! `relay-prefetch inspect --plan (--schema URL | --schema-file FILE) [--json] PATH...`: for every
//! transaction of a relay log, the probes the prefetcher would run and the skips with their
//! reasons — row events and statement events alike, planned by `rewrite::planner` exactly as the
//! daemon plans them (minus cross-transaction batching, so each probe stays under the
//! transaction that needs it).
//!
//! With `--json`: one object per probe (`kind: "probe"`, `file`, `offset` of the row/statement
//! event, `seq`, `gtid`, `table`, `index`, `phase`, `keys`, `sql`, `params`) and per skip
//! (`kind: "skip"`, `reason`, `detail`, at the transaction's start). Text: a readable listing.
//!
//! DDL in the stream: with `--schema-file`, CREATE TABLE statements are added to the schema and
//! other DDL forgets the tables it names; with `--schema URL` the server's (current) definitions
//! are kept. This file only formats and keeps that schema bookkeeping.

use std::io::{self, BufWriter, Write};
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value as Json, json};

use crate::cli::{InspectArgs, ModeArg};
use crate::commands::inspect::value_text;
use crate::event::{EventBody, StreamOutcome, Transaction, TransactionStream, Value};
use crate::plan::{Mode, Probe, ProbeSql};
use crate::relay::{RelaySource, parse_position};
use crate::rewrite::planner::{DetailedPlan, Planner};
use crate::rewrite::rows::RowProbeConfig;
use crate::schema::{self, Schema};

/// Run `inspect --plan` to stdout. Returns 0 when every event decoded, 1 when some could not.
pub fn run(args: InspectArgs) -> anyhow::Result<i32> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let code = write_plans(&args, &mut out)?;
    out.flush()?;
    Ok(code)
}

/// `inspect --plan` into any writer (flushed whenever the stream waits for more data).
pub fn write_plans(args: &InspectArgs, out: &mut impl Write) -> anyhow::Result<i32> {
    let mut schema = load_schema(args)?;
    let from_file = args.schema.schema.is_none();
    let mode = match args.mode {
        ModeArg::Select => Mode::Select,
        ModeArg::FakeChanges => Mode::FakeChanges,
        ModeArg::Rollback => Mode::Rollback,
    };
    let start = args.start.as_deref().map(parse_position).transpose()?;
    let source = RelaySource::from_paths(&args.paths);
    let mut stream = TransactionStream::open(source, start, args.follow)?;
    let mut planner = Planner::new(mode, RowProbeConfig::default());
    let mut errors = 0usize;
    loop {
        match stream.next() {
            StreamOutcome::Transaction(txn) => {
                let d = planner.plan_detailed(&txn, &schema);
                if args.json {
                    write_json(out, &txn, &d)?;
                } else {
                    write_text(out, &txn, &d)?;
                }
                if !d.plan.ddl_tables.is_empty() && from_file {
                    apply_ddl(&mut schema, &txn, &d);
                }
            }
            StreamOutcome::Pending => {
                out.flush()?;
                stream.wait(Duration::from_millis(200));
            }
            StreamOutcome::End => break,
            StreamOutcome::Error(e) => {
                out.flush()?;
                eprintln!("relay-prefetch: error: {e}");
                errors += 1;
            }
        }
    }
    Ok(i32::from(errors > 0))
}

fn load_schema(args: &InspectArgs) -> anyhow::Result<Schema> {
    if let Some(url) = &args.schema.schema {
        return schema::load_from_server(url, None).context("loading schema from server");
    }
    let Some(path) = &args.schema.schema_file else {
        anyhow::bail!("`inspect --plan` needs --schema URL or --schema-file FILE");
    };
    schema::load_from_file(path).with_context(|| format!("loading schema {}", path.display()))
}

/// Keep a file-based schema in step with DDL seen in the stream: CREATE TABLE defines the
/// table; any other DDL forgets what it names (later row events then skip as unknown tables,
/// which is honest; guessing the new definition would not be).
fn apply_ddl(schema: &mut Schema, txn: &Transaction, d: &DetailedPlan) {
    for (db, table) in &d.plan.ddl_tables {
        if table.is_empty() {
            schema.invalidate_db(db);
        } else {
            schema.invalidate(db, table);
        }
    }
    for ev in &txn.events {
        if let EventBody::Query(st) = &ev.body {
            let db = st.db.as_deref().unwrap_or("");
            if let Ok(created) = schema::parse_create_tables(&st.sql, db) {
                for t in created.tables() {
                    schema.insert(t.as_ref().clone());
                }
            }
        }
    }
}

fn gtid_text(txn: &Transaction) -> Option<String> {
    txn.gtid.as_ref().map(ToString::to_string)
}

fn write_json(out: &mut impl Write, txn: &Transaction, d: &DetailedPlan) -> io::Result<()> {
    let gtid = gtid_text(txn);
    for (probe, pos) in d.plan.probes.iter().zip(&d.positions) {
        let (sql, params) = sql_and_params(probe);
        let o = json!({
            "kind": "probe",
            "file": &*pos.file,
            "offset": pos.offset,
            "seq": txn.seq,
            "gtid": gtid,
            "table": probe.table,
            "index": probe.index,
            "phase": probe.phase,
            "keys": probe.keys.iter().map(|k| k.iter().map(value_json).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "sql": sql,
            "params": params.iter().map(value_json).collect::<Vec<_>>(),
            "row_keys": probe.row_keys.len(),
            "follow_up": probe.follow_up.is_some(),
        });
        writeln!(out, "{o}")?;
    }
    for skip in &d.plan.skips {
        let o = json!({
            "kind": "skip",
            "file": &*txn.start.file,
            "offset": txn.start.offset,
            "seq": txn.seq,
            "gtid": gtid,
            "reason": skip.reason.as_str(),
            "detail": skip.detail,
        });
        writeln!(out, "{o}")?;
    }
    for (db, table) in &d.plan.ddl_tables {
        let o = json!({
            "kind": "schema_change",
            "file": &*txn.start.file,
            "offset": txn.start.offset,
            "seq": txn.seq,
            "table": if table.is_empty() { db.clone() } else { format!("{db}.{table}") },
        });
        writeln!(out, "{o}")?;
    }
    Ok(())
}

fn write_text(out: &mut impl Write, txn: &Transaction, d: &DetailedPlan) -> io::Result<()> {
    write!(
        out,
        "# transaction {} at {}:{}",
        txn.seq, txn.start.file, txn.start.offset
    )?;
    if let Some(g) = gtid_text(txn) {
        write!(out, " gtid {g}")?;
    }
    writeln!(
        out,
        ": {} probes, {} skips",
        d.plan.probes.len(),
        d.plan.skips.len()
    )?;
    for (probe, pos) in d.plan.probes.iter().zip(&d.positions) {
        let index = if probe.index.is_empty() {
            "-"
        } else {
            &probe.index
        };
        writeln!(
            out,
            "  probe  {}:{}  {} {}  phase {}  {} keys{}",
            pos.file,
            pos.offset,
            probe.table,
            index,
            probe.phase,
            probe.keys.len(),
            if probe.follow_up.is_some() {
                " (+phase 2)"
            } else {
                ""
            }
        )?;
        if !probe.keys.is_empty() {
            writeln!(out, "         keys: {}", keys_text(&probe.keys))?;
        }
        let (sql, _) = sql_and_params(probe);
        writeln!(out, "         {sql}")?;
    }
    for skip in &d.plan.skips {
        writeln!(out, "  skip   {}: {}", skip.reason, skip.detail)?;
    }
    for (db, table) in &d.plan.ddl_tables {
        writeln!(out, "  schema change: {db}.{table}")?;
    }
    Ok(())
}

fn sql_and_params(p: &Probe) -> (String, &[Value]) {
    match &p.sql {
        ProbeSql::Text(s) => (s.clone(), &[]),
        ProbeSql::Prepared { sql, params } => (sql.to_string(), params),
        ProbeSql::Dml(stmts) => (stmts.join("; "), &[]),
    }
}

fn keys_text(keys: &[Vec<Value>]) -> String {
    const SHOWN: usize = 8;
    let mut s = keys
        .iter()
        .take(SHOWN)
        .map(|k| {
            let parts: Vec<String> = k.iter().map(literal_text).collect();
            format!("({})", parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" ");
    if keys.len() > SHOWN {
        s.push_str(&format!(" … (+{})", keys.len() - SHOWN));
    }
    s
}

/// A value as it would read in SQL (strings quoted), for the text listing only.
fn literal_text(v: &Value) -> String {
    match v {
        Value::Null | Value::Int(_) | Value::UInt(_) | Value::Float(_) | Value::Double(_) => {
            value_text(v)
        }
        Value::Decimal(s) => s.clone(),
        _ => format!("'{}'", value_text(v).replace('\'', "''")),
    }
}

fn value_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => json!(i),
        Value::UInt(u) => json!(u),
        Value::Float(f) => json!(f),
        Value::Double(d) => json!(d),
        _ => json!(value_text(v)),
    }
}
