//! Row probes against a real MariaDB primary + replica (ROW format): traffic on tables with
//! composite primary keys, unique and secondary indexes over utf8mb4 strings (collation-equal
//! variants), DECIMAL, DATETIME(6), UNSIGNED BIGINT/TINYINT, NULLs, a prefix index, MINIMAL and
//! NOBLOB images and a table without a primary key. The replica's SQL thread is stopped before the
//! traffic, so its data is the state the applier will start from and its relay log holds the
//! traffic. The test then, for every probe built from the relay log:
//! - runs it read-only (a SELECT-only user, START TRANSACTION READ ONLY, prepared with bound
//!   parameters) and checks it returns exactly the rows of its keys that already exist (old
//!   entries), which proves the values bind correctly (unsigned, collation, decimal, datetime);
//! - checks EXPLAIN uses the probe's index with const/ref/eq_ref/range access.
//!
//! And, differentially, it recomputes from the row images and the schema, independently of the
//! builder, the set of (index, key) pairs the applier must read, and checks the probes cover
//! exactly that set.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mysql::prelude::Queryable;
use relay_prefetch::cli::{InspectArgs, ModeArg, SchemaArgs};
use relay_prefetch::commands::inspect_plan;
use relay_prefetch::event::{
    EventBody, Position, Row, RowsEvent, RowsKind, StreamOutcome, Transaction, TransactionStream,
    Value,
};
use relay_prefetch::plan::{Mode, Probe, ProbeSql, SkipReason};
use relay_prefetch::relay::RelaySource;
use relay_prefetch::rewrite::planner::Planner;
use relay_prefetch::rewrite::rowkey::{Fold, encode_value, truncate_prefix};
use relay_prefetch::rewrite::rows::{RowProbeBuilder, RowProbeConfig, RowsOutcome};
use relay_prefetch::sandbox::{Sandbox, SandboxOptions};
use relay_prefetch::schema::{self, Index, Schema, Table};

const SETUP: &[&str] = &[
    "CREATE DATABASE rp",
    "USE rp",
    "CREATE TABLE rp.c1 (
        a VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,
        b BIGINT UNSIGNED NOT NULL,
        d DECIMAL(12,3) NULL,
        t DATETIME(6) NULL,
        n INT NULL,
        u INT NULL,
        s VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
        note VARCHAR(10) NOT NULL DEFAULT '',
        PRIMARY KEY (a, b), KEY k_dt (d, t), UNIQUE KEY uk_u (u), KEY k_s (s), KEY k_n (n)
     ) ENGINE=InnoDB",
    "CREATE TABLE rp.sb (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL DEFAULT 0,
        c CHAR(120) NOT NULL DEFAULT '', KEY k_1 (k)) ENGINE=InnoDB",
    "CREATE TABLE rp.nopk (x INT, y INT, KEY k_x (x)) ENGINE=InnoDB",
    "CREATE TABLE rp.pfx (p VARBINARY(16) NOT NULL PRIMARY KEY, txt TEXT,
        tiny TINYINT UNSIGNED NOT NULL, KEY k_txt (txt(8)), KEY k_tiny (tiny)) ENGINE=InnoDB",
    "INSERT INTO rp.c1 SELECT IF(seq % 2, CONCAT('Key', seq), CONCAT('key', seq)),
        IF(seq <= 100, seq, 18446744073709551000 + seq), seq * 1.5,
        TIMESTAMP('2024-01-01 00:00:00.123456') + INTERVAL seq MINUTE,
        IF(seq % 4 = 0, NULL, seq % 10), IF(seq % 5 = 0, NULL, seq),
        IF(seq % 3 = 0, 'Émile', 'emile '), '' FROM seq_1_to_200",
    "INSERT INTO rp.sb (k, c) SELECT seq % 50, REPEAT('c', 100) FROM seq_1_to_500",
    "INSERT INTO rp.nopk SELECT seq, seq FROM seq_1_to_20",
    "INSERT INTO rp.pfx SELECT UNHEX(LPAD(HEX(seq), 8, '0')), CONCAT('prefix__', REPEAT('t', seq)),
        200 + seq % 50 FROM seq_1_to_50",
];

/// Every seeded row is touched at most once, so every before image is the replica's current row.
const TRAFFIC: &[&str] = &[
    "DELETE FROM rp.c1 WHERE b BETWEEN 1 AND 10",
    "UPDATE rp.c1 SET d = d + 1000 WHERE b BETWEEN 11 AND 30",
    "UPDATE rp.c1 SET n = IF(n IS NULL, 7, NULL) WHERE b BETWEEN 31 AND 50",
    "UPDATE rp.c1 SET note = 'x' WHERE b BETWEEN 51 AND 60",
    "UPDATE rp.c1 SET u = u + 100000 WHERE b BETWEEN 61 AND 70",
    "UPDATE rp.c1 SET b = b + 1000 WHERE b BETWEEN 71 AND 75",
    "DELETE FROM rp.c1 WHERE b BETWEEN 18446744073709551101 AND 18446744073709551110",
    "INSERT INTO rp.c1 VALUES ('NEWX', 1, 1.125, '2025-05-05 05:05:05.000001', NULL, NULL, 'ABC', ''),
        ('newx ', 2, NULL, NULL, 3, 900001, 'abc ', ''), ('ÉLAN', 18446744073709551615, -2.5,
        '1999-12-31 23:59:59.999999', 4, 900002, 'élan', '')",
    "BEGIN",
    "UPDATE rp.sb SET k = k + 1 WHERE id BETWEEN 1 AND 20",
    "DELETE FROM rp.sb WHERE id BETWEEN 21 AND 30",
    "INSERT INTO rp.sb (k, c) SELECT seq, 'new' FROM seq_1_to_10",
    "COMMIT",
    "UPDATE rp.nopk SET y = y + 1",
    "UPDATE rp.pfx SET txt = CONCAT(txt, 'x') WHERE tiny BETWEEN 201 AND 210",
    "UPDATE rp.pfx SET tiny = tiny - 100 WHERE tiny BETWEEN 211 AND 220",
    "DELETE FROM rp.pfx WHERE tiny BETWEEN 221 AND 225",
    "SET SESSION binlog_row_image = 'MINIMAL'",
    "UPDATE rp.c1 SET s = 'zzz' WHERE b BETWEEN 18446744073709551111 AND 18446744073709551130",
    "DELETE FROM rp.c1 WHERE b BETWEEN 18446744073709551131 AND 18446744073709551140",
    "UPDATE rp.c1 SET b = b - 500 WHERE b BETWEEN 18446744073709551141 AND 18446744073709551150",
    "UPDATE rp.sb SET k = k + 100 WHERE id BETWEEN 31 AND 40",
    "UPDATE rp.sb SET c = 'minimal' WHERE id BETWEEN 41 AND 50",
    "SET SESSION binlog_row_image = 'NOBLOB'",
    "UPDATE rp.pfx SET tiny = tiny - 150 WHERE tiny BETWEEN 226 AND 235",
    "DELETE FROM rp.pfx WHERE tiny BETWEEN 236 AND 240",
    "SET SESSION binlog_row_image = 'FULL'",
];

#[test]
fn probes_from_the_relay_log_are_read_only_use_their_index_and_cover_exactly_the_applier_reads() {
    let Some((sb, start)) = traffic() else {
        return;
    };
    let schema = schema::load_from_server(&sb.replica.url(), Some(&["rp".to_string()])).unwrap();
    let txns = read_transactions(sb.replica.relay_log_index(), start.clone());
    assert!(txns.len() >= 15, "only {} transactions", txns.len());
    let url = sb.replica.create_select_user("probe", "probe-pw").unwrap();
    let mut probe_conn = mysql::Conn::new(mysql::Opts::from_url(&url).unwrap()).unwrap();

    let run = run_per_transaction(&txns, &schema, &mut probe_conn);
    let want: BTreeSet<_> = run.expected.keys().cloned().collect();
    let missing: Vec<_> = want.difference(&run.got).collect();
    let extra: Vec<_> = run.got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} entries missing, {} extra; first missing {:?}; first extra {:?}",
        missing.len(),
        extra.len(),
        &missing[..missing.len().min(3)],
        &extra[..extra.len().min(3)]
    );
    eprintln!(
        "{} transactions, {} probes, {} entries, {} existing rows found, skips {:?}",
        txns.len(),
        run.probes,
        want.len(),
        run.rows_found,
        run.skips
    );
    assert!(run.probes > 20 && run.rows_found > 50);
    for reason in [
        SkipReason::NoPrimaryKey,
        SkipReason::KeyNotInImage,
        SkipReason::NoIndexUsablePredicate,
    ] {
        assert!(
            run.skips.contains(&reason),
            "no {reason} skip in {:?}",
            run.skips
        );
    }
    check_batched(&txns, &schema, &want, run.probes);
    check_inspect_plan(&sb, &start, &schema, &want, run.probes);
    // A probe user cannot write, whatever it sends.
    assert!(probe_conn.query_drop("DELETE FROM rp.sb").is_err());
    // Rows per page from the server's statistics (a table of the replica's own, out of the
    // binlog, at the end of the test): 20,000 rows of over 200 bytes, 16 KiB pages.
    let mut admin = sb.replica.conn().unwrap();
    for st in [
        "SET SESSION sql_log_bin = 0",
        "USE rp",
        "CREATE TABLE rp.wide (id INT PRIMARY KEY, c CHAR(200) NOT NULL) ENGINE=InnoDB",
        "INSERT INTO rp.wide SELECT seq, REPEAT('w', 200) FROM seq_1_to_20000",
        "ANALYZE TABLE rp.wide, rp.sb",
    ] {
        admin.query_drop(st).unwrap();
    }
    let schema = schema::load_from_server(&sb.replica.url(), Some(&["rp".to_string()])).unwrap();
    let per_page = schema_table(&schema, "rp.wide").rows_per_page;
    assert!(
        per_page.is_some_and(|n| (16..=75).contains(&n)),
        "rows per page of rp.wide: {per_page:?}"
    );
    // 500 rows are too few pages for the statistics to say.
    assert_eq!(schema_table(&schema, "rp.sb").rows_per_page, None);
}

/// A sandbox whose replica has applied SETUP and holds TRAFFIC, unapplied, in its relay log;
/// and where TRAFFIC starts there. None (test skipped) when no sandbox can start.
fn traffic() -> Option<(Sandbox, Position)> {
    let sb = match Sandbox::start(SandboxOptions {
        binlog_format: "ROW".into(),
        ..SandboxOptions::default()
    }) {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("skipped: cannot start a MariaDB sandbox: {e}");
            return None;
        }
    };
    let mut primary = sb.primary.conn().unwrap();
    for q in SETUP {
        primary.query_drop(q).unwrap();
    }
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    sb.stop_sql_thread().unwrap();
    let st = sb.replica_status().unwrap();
    let file = sb.replica.datadir().join(&st.relay_log_file);
    let start = Position {
        file: Arc::from(file.to_string_lossy().as_ref()),
        offset: st.relay_log_pos,
    };
    for q in TRAFFIC {
        primary.query_drop(q).unwrap();
    }
    sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
        .unwrap();
    Some((sb, start))
}

/// What running every transaction's probes found.
struct PerTransaction {
    /// The independent model: entry → whether it exists before the traffic.
    expected: BTreeMap<EntryId, bool>,
    /// Entries the probes read.
    got: BTreeSet<EntryId>,
    skips: Vec<SkipReason>,
    probes: usize,
    rows_found: usize,
}

/// Build each transaction's probes (small batches, to exercise batching), run each one and
/// EXPLAIN it; each must return exactly its keys that already exist.
fn run_per_transaction(
    txns: &[Transaction],
    schema: &Schema,
    conn: &mut mysql::Conn,
) -> PerTransaction {
    let mut r = PerTransaction {
        expected: BTreeMap::new(),
        got: BTreeSet::new(),
        skips: Vec::new(),
        probes: 0,
        rows_found: 0,
    };
    for txn in txns {
        let mut builder = RowProbeBuilder::new(RowProbeConfig {
            max_keys_per_probe: 8,
            ..RowProbeConfig::default()
        });
        let mut out = RowsOutcome::default();
        for (ev, pos) in rows_events(txn) {
            builder.add_event(ev, pos, schema, &mut out);
            applier_reads(ev, schema, &mut r.expected);
        }
        r.skips.extend(out.skips.iter().map(|s| s.reason));
        let mut probes = builder.take_ready();
        probes.extend(builder.flush());
        for (_, p) in &probes {
            let table = schema_table(schema, &p.table);
            let ids: Vec<EntryId> = p
                .keys
                .iter()
                .map(|k| entry_id(table, &p.index, k))
                .collect();
            let old = ids
                .iter()
                .filter(|id| r.expected.get(*id) == Some(&true))
                .count();
            r.got.extend(ids);
            let n = run_probe(conn, p);
            assert_eq!(n, old, "rows returned by {p:?}");
            r.rows_found += n;
            check_explain(conn, p);
            r.probes += 1;
        }
    }
    r
}

/// Batching across neighbouring transactions (the planner's default) covers the same set in
/// fewer probes.
fn check_batched(txns: &[Transaction], schema: &Schema, want: &BTreeSet<EntryId>, probes: usize) {
    let mut planner = Planner::new(Mode::Select, RowProbeConfig::default());
    let plans = planner.plan_batch(txns, schema);
    assert_eq!(plans.len(), txns.len());
    let batched: BTreeSet<EntryId> = plans
        .iter()
        .flat_map(|p| &p.probes)
        .flat_map(|p| {
            let table = schema_table(schema, &p.table);
            p.keys.iter().map(move |k| entry_id(table, &p.index, k))
        })
        .collect();
    assert_eq!(&batched, want);
    let batched_probes: usize = plans.iter().map(|p| p.probes.len()).sum();
    assert!(batched_probes < probes, "{batched_probes} vs {probes}");
}

/// `inspect --plan --json` over the same relay log: one object per probe with its event
/// position, table, index, phase, keys and SQL, covering the same entries; skips with reasons.
fn check_inspect_plan(
    sb: &Sandbox,
    start: &Position,
    schema: &Schema,
    want: &BTreeSet<EntryId>,
    probes: usize,
) {
    let mut args = InspectArgs {
        paths: vec![sb.replica.relay_log_index()],
        start: Some(format!("{}:{}", start.file, start.offset)),
        follow: false,
        json: true,
        plan: true,
        schema: SchemaArgs {
            schema: Some(sb.replica.url()),
            schema_file: None,
        },
        mode: ModeArg::Select,
    };
    let mut out = Vec::new();
    assert_eq!(inspect_plan::write_plans(&args, &mut out).unwrap(), 0);
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let probe_lines: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["kind"] == "probe").collect();
    assert!(
        probe_lines.len() >= probes / 8,
        "{} probe lines",
        probe_lines.len()
    );
    let mut seen = BTreeSet::new();
    for l in &probe_lines {
        assert!(l["file"].as_str().unwrap().contains("relay"), "{l}");
        assert!(l["offset"].as_u64().unwrap() > 4, "{l}");
        assert_eq!(l["phase"], 1);
        assert!(l["sql"].as_str().unwrap().starts_with("SELECT "), "{l}");
        let table = schema_table(schema, l["table"].as_str().unwrap());
        let index = l["index"].as_str().unwrap();
        for k in l["keys"].as_array().unwrap() {
            let n = k.as_array().unwrap().len();
            let ix = table.indexes.iter().find(|i| i.name == index).unwrap();
            assert_eq!(n, entry_columns(table, ix).len(), "{l}");
            seen.insert((table.qualified_name(), index.to_string(), k.to_string()));
        }
    }
    let entries: BTreeSet<(&str, &str)> = want
        .iter()
        .map(|(t, i, _)| (t.as_str(), i.as_str()))
        .collect();
    let shown: BTreeSet<(&str, &str)> = seen
        .iter()
        .map(|(t, i, _)| (t.as_str(), i.as_str()))
        .collect();
    assert_eq!(entries, shown, "every (table, index) appears");
    assert_eq!(seen.len(), want.len(), "one JSON key per entry");
    assert!(
        lines
            .iter()
            .any(|l| l["kind"] == "skip" && l["reason"] == "no_primary_key")
    );
    // Text mode lists the same probes readably.
    args.json = false;
    let mut text = Vec::new();
    inspect_plan::write_plans(&args, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert_eq!(text.matches("\n  probe  ").count(), probe_lines.len());
    assert!(text.contains("skip   no_primary_key: rp.nopk"), "{text}");
}

/// All transactions after `start` in the replica's relay log, via the event stream.
fn read_transactions(index: PathBuf, start: Position) -> Vec<Transaction> {
    let source = RelaySource::from_paths(&[index]);
    let mut stream = TransactionStream::open(source, Some(start), false).unwrap();
    let mut out = Vec::new();
    loop {
        match stream.next() {
            StreamOutcome::Transaction(t) => out.push(t),
            StreamOutcome::End => return out,
            StreamOutcome::Pending => return out,
            StreamOutcome::Error(e) => panic!("relay log: {e}"),
        }
    }
}

fn rows_events(txn: &Transaction) -> impl Iterator<Item = (&RowsEvent, &Position)> {
    txn.events.iter().filter_map(|e| match &e.body {
        EventBody::Rows(r) => Some((r, &e.pos)),
        _ => None,
    })
}

/// Run a probe as the SELECT-only user in a read-only transaction; the number of rows.
fn run_probe(conn: &mut mysql::Conn, p: &Probe) -> usize {
    let ProbeSql::Prepared { sql, params } = &p.sql else {
        panic!("row probes are prepared: {p:?}");
    };
    conn.query_drop("START TRANSACTION READ ONLY").unwrap();
    let rows: Vec<mysql::Row> = conn
        .exec(sql.as_ref(), params_of(params))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.query_drop("COMMIT").unwrap();
    rows.len()
}

/// EXPLAIN names the probe's index and a key access (const/eq_ref/ref/range), or reports the
/// const lookup found nothing (which reads the index too).
fn check_explain(conn: &mut mysql::Conn, p: &Probe) {
    let ProbeSql::Prepared { sql, params } = &p.sql else {
        unreachable!()
    };
    let rows: Vec<mysql::Row> = conn
        .exec(format!("EXPLAIN {sql}"), params_of(params))
        .unwrap();
    assert_eq!(rows.len(), 1, "{sql}");
    let r = &rows[0];
    let get = |c: &str| -> String {
        r.get_opt::<Option<String>, _>(c)
            .and_then(Result::ok)
            .flatten()
            .unwrap_or_default()
    };
    let extra = get("Extra");
    if extra.contains("no matching row in const table")
        || extra.contains("Impossible WHERE noticed after reading const tables")
    {
        return;
    }
    assert_eq!(get("key"), p.index, "EXPLAIN {sql}: {r:?}");
    let ty = get("type");
    assert!(
        ["const", "eq_ref", "ref", "range", "ref_or_null"].contains(&ty.as_str()),
        "EXPLAIN {sql}: access type {ty}"
    );
}

fn params_of(values: &[Value]) -> mysql::Params {
    if values.is_empty() {
        return mysql::Params::Empty;
    }
    mysql::Params::Positional(values.iter().map(to_mysql).collect())
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

// ---- the independent model of what the applier reads --------------------------------------

/// (table, index, canonical key): one index entry.
type EntryId = (String, String, Vec<u8>);

fn schema_table<'a>(schema: &'a Schema, qualified: &str) -> &'a Table {
    let (db, t) = qualified.split_once('.').unwrap();
    schema.get(db, t).unwrap()
}

fn entry_id(table: &Table, index: &str, key: &[Value]) -> EntryId {
    let ix = table.indexes.iter().find(|i| i.name == index).unwrap();
    let cols = entry_columns(table, ix);
    let mut bytes = Vec::new();
    for (v, (c, prefix)) in key.iter().zip(&cols) {
        encode_value(&mut bytes, v, Fold::of(&table.columns[*c]), *prefix);
    }
    (table.qualified_name(), index.to_string(), bytes)
}

/// The columns (with prefix lengths) of an index entry as InnoDB stores it: a non-unique
/// secondary index carries the primary-key columns after its own.
fn entry_columns(table: &Table, ix: &Index) -> Vec<(usize, Option<u32>)> {
    let mut cols: Vec<(usize, Option<u32>)> =
        ix.columns.iter().map(|c| (c.column, c.prefix)).collect();
    if !ix.unique {
        for c in &table.primary_key().unwrap().columns {
            if !cols.contains(&(c.column, None)) {
                cols.push((c.column, c.prefix));
            }
        }
    }
    cols
}

/// Value of column `c` as the server compares it (UNSIGNED columns are decoded signed).
fn value(table: &Table, c: usize, image: &[Option<Value>]) -> Option<Value> {
    let v = image.get(c)?.clone()?;
    let col = &table.columns[c];
    Some(match (col.unsigned, v) {
        (true, Value::Int(i)) => {
            let bits = match col.data_type.as_str() {
                "tinyint" => 8,
                "smallint" => 16,
                "mediumint" => 24,
                "int" => 32,
                _ => 64,
            };
            Value::UInt(if bits == 64 {
                i as u64
            } else {
                (i as u64) & ((1 << bits) - 1)
            })
        }
        (_, v) => v,
    })
}

/// The entry of `ix` for a row image; None when it cannot be keyed (value missing, or NULL in a
/// unique index, which the optimizer cannot locate by key).
fn entry(table: &Table, ix: &Index, image: &[Option<Value>]) -> Option<Vec<Value>> {
    let key: Vec<Value> = entry_columns(table, ix)
        .into_iter()
        .map(|(c, _)| value(table, c, image))
        .collect::<Option<_>>()?;
    (!(ix.unique && !ix.primary && key.contains(&Value::Null))).then_some(key)
}

/// Add what the applier reads for `ev` to `out`: entry → whether it exists before the event
/// (an old entry from a before image).
fn applier_reads(ev: &RowsEvent, schema: &Schema, out: &mut BTreeMap<EntryId, bool>) {
    let table = schema.get(&ev.table.db, &ev.table.table).unwrap();
    let Some(pk) = table.primary_key() else {
        return;
    };
    let mut add = |ix: &Index, image: &[Option<Value>], old: bool| {
        if let Some(k) = entry(table, ix, image) {
            let e = out.entry(entry_id(table, &ix.name, &k)).or_insert(false);
            *e |= old;
        }
    };
    let auto_inc = pk.columns.len() == 1 && table.columns[pk.columns[0].column].auto_increment;
    for i in 0..ev.row_count() {
        match ev.kind {
            RowsKind::Delete => {
                for ix in &table.indexes {
                    add(ix, &ev.before[i].values, true);
                }
            }
            RowsKind::Write => {
                for ix in table.indexes.iter().filter(|ix| !(ix.primary && auto_inc)) {
                    add(ix, &ev.after[i].values, false);
                }
            }
            RowsKind::Update => {
                let before = &ev.before[i].values;
                let after = merged(&ev.before[i], &ev.after[i]);
                let changed = |ix: &Index| {
                    ix.columns.iter().any(|c| {
                        let a = ev.after[i].values.get(c.column).cloned().flatten();
                        let b = before.get(c.column).cloned().flatten();
                        match (a, b, c.prefix) {
                            (None, _, _) => false,
                            // Only the stored prefix matters to the entry.
                            (Some(Value::Bytes(a)), Some(Value::Bytes(b)), Some(p)) => {
                                let fold = Fold::of(&table.columns[c.column]);
                                truncate_prefix(&a, p as usize, fold)
                                    != truncate_prefix(&b, p as usize, fold)
                            }
                            (a, b, _) => a != b,
                        }
                    })
                };
                let pk_moved = changed(pk);
                add(pk, before, true);
                if pk_moved {
                    add(pk, &after, false);
                }
                for ix in table.indexes.iter().filter(|ix| !ix.primary) {
                    if pk_moved || changed(ix) {
                        add(ix, before, true);
                        add(ix, &after, false);
                    }
                }
            }
        }
    }
}

/// The after image with unchanged (absent) columns filled from the before image.
fn merged(before: &Row, after: &Row) -> Vec<Option<Value>> {
    (0..before.values.len().max(after.values.len()))
        .map(|c| {
            after
                .values
                .get(c)
                .cloned()
                .flatten()
                .or_else(|| before.values.get(c).cloned().flatten())
        })
        .collect()
}
