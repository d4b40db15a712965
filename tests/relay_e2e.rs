//! End to end through a real replica: rows and statements written on a sandbox primary are read
//! back from the *replica's relay log* by `relay/` + `event/` with the same values, for ROW,
//! STATEMENT and MIXED formats, FULL and MINIMAL row images, compressed events, and a transaction
//! split by relay-log rotation; every relay file's event offsets equal what `mariadb-binlog`
//! reports for it. One sandbox per test (parallel-safe); the replica runs only its IO thread so the
//! relay files are never purged under the reader.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use relay_prefetch::event::{
    Event, EventBody, EventOutcome, EventStream, RowsEvent, RowsKind, StreamOutcome, Transaction,
    TransactionStream, Value,
};
use relay_prefetch::relay::RelaySource;
use relay_prefetch::sandbox::{Sandbox, SandboxOptions, mariadb_binlog};

const WAIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Harness

/// A sandbox whose replica receives but does not apply (relay files stay put).
fn sandbox(opts: SandboxOptions) -> Sandbox {
    Sandbox::start(SandboxOptions {
        start_sql_thread: false,
        ..opts
    })
    .expect("sandbox start (run scripts/setup.sh if MariaDB is missing)")
}

/// [`sandbox`] with the primary logging in `format` (ROW, STATEMENT, MIXED).
fn sandbox_in(format: &str) -> Sandbox {
    sandbox(SandboxOptions {
        binlog_format: format.into(),
        ..Default::default()
    })
}

/// Run statements on one primary connection, then wait until the relay log has all of it.
fn write(sb: &Sandbox, statements: &[&str]) {
    sb.primary.exec(statements).unwrap();
    sb.wait_for_relay_log_catch_up(WAIT).unwrap();
}

/// Every event of the replica's relay log, in order; any decode error fails the test.
fn all_events(sb: &Sandbox) -> Vec<Event> {
    events_of_index(&sb.replica.relay_log_index())
}

/// Every event of the log files listed in `index`, in order.
fn events_of_index(index: &Path) -> Vec<Event> {
    let mut s = EventStream::open(RelaySource::Index(index.to_path_buf()), None, false).unwrap();
    let mut out = Vec::new();
    loop {
        match s.next() {
            EventOutcome::Event(e) => out.push(e),
            EventOutcome::End => return out,
            EventOutcome::Pending => panic!("Pending while not following"),
            EventOutcome::Error(e) => panic!("decode error: {e}"),
        }
    }
}

/// Every complete transaction of the replica's relay log.
fn all_transactions(sb: &Sandbox) -> Vec<Transaction> {
    let source = RelaySource::Index(sb.replica.relay_log_index());
    let mut s = TransactionStream::open(source, None, false).unwrap();
    let mut out = Vec::new();
    loop {
        match s.next() {
            StreamOutcome::Transaction(t) => out.push(t),
            StreamOutcome::End => return out,
            StreamOutcome::Pending => panic!("Pending while not following"),
            StreamOutcome::Error(e) => panic!("decode error: {e}"),
        }
    }
}

/// Row events on `db.table`, in order.
fn rows_on<'a>(events: &'a [Event], db: &str, table: &str) -> Vec<&'a RowsEvent> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Rows(r) if r.table.db == db && r.table.table == table => Some(r),
            _ => None,
        })
        .collect()
}

/// Statements (QUERY events) whose text contains `needle`.
fn statements_with<'a>(events: &'a [Event], needle: &str) -> Vec<&'a Event> {
    events
        .iter()
        .filter(|e| matches!(&e.body, EventBody::Query(s) if s.sql.contains(needle)))
        .collect()
}

/// The event offsets `mariadb-binlog` reports ("# at N") for one file.
fn mariadb_binlog_offsets(file: &Path) -> Vec<u64> {
    let out = Command::new(mariadb_binlog().unwrap())
        .arg("--no-defaults")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mariadb-binlog {} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("# at "))
        .map(|n| n.trim().parse().unwrap())
        .collect()
}

/// For every relay file, our event offsets equal mariadb-binlog's (so counts are equal too).
fn assert_offsets_match_mariadb_binlog(sb: &Sandbox, events: &[Event]) {
    assert_files_match_mariadb_binlog(&sb.replica.relay_log_files().unwrap(), events);
}

/// For every file, our event offsets equal mariadb-binlog's.
fn assert_files_match_mariadb_binlog(files: &[std::path::PathBuf], events: &[Event]) {
    assert!(!files.is_empty());
    for file in files {
        let name = file.display().to_string();
        let ours: Vec<u64> = events
            .iter()
            .filter(|e| Path::new(&*e.pos.file) == file.as_path())
            .map(|e| e.pos.offset)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let theirs = mariadb_binlog_offsets(file);
        assert_eq!(
            ours, theirs,
            "{name}: event offsets differ from mariadb-binlog"
        );
    }
}

fn type_codes(events: &[Event]) -> BTreeSet<u8> {
    events.iter().map(|e| e.type_code).collect()
}

// ---------------------------------------------------------------------------------------------
// The all-types table and the values it must decode to

const TYPES_DDL: &[&str] = &[
    "CREATE DATABASE e2e",
    "CREATE TABLE e2e.types (
        id INT NOT NULL PRIMARY KEY,
        ti TINYINT, si SMALLINT, mi MEDIUMINT, i INT, bi BIGINT,
        ui INT UNSIGNED, ubi BIGINT UNSIGNED,
        de DECIMAL(20,6), fl FLOAT, db DOUBLE,
        ch CHAR(10), vc VARCHAR(100), tx TEXT,
        bl BLOB, vb VARBINARY(16),
        da DATE, dt DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, tm TIME(3), yr YEAR,
        en ENUM('small','medium','large'), st SET('red','green','blue'),
        bt BIT(10), js JSON
     ) DEFAULT CHARSET=utf8mb4",
];

const TYPES_ROWS: &[&str] = &[
    "SET time_zone = '+00:00'",
    "INSERT INTO e2e.types VALUES
       (1, -128, -32768, -8388608, -2147483648, -9223372036854775808,
        4294967295, 18446744073709551615,
        '-12345678901234.123456', 1.5, -2.25e300,
        'ab', 'héllo wörld 😀', REPEAT('τ', 300),
        x'00FF10', x'0001FEFF',
        '2024-02-29', '2024-02-29 23:59:58.123456', '2038-01-19 03:14:07.999999',
        '-12:34:56.789', 2155,
        'large', 'red,blue', b'1010101010', '{\"k\": [1, \"two\", null]}'),
       (2, 127, 32767, 8388607, 2147483647, 9223372036854775807,
        0, 0,
        '0.000001', 0.25, 0,
        '', '', '',
        '', '',
        '1000-01-01', '1000-01-01 00:00:00', '1970-01-01 00:00:01',
        '00:00:00', 1901,
        'small', '', b'0', '[]'),
       (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
];

/// Number of columns in e2e.types.
const NCOLS: usize = 25;
/// Ordinal of `vc` (the column the UPDATE changes).
const VC: usize = 12;

fn dt(year: u16, month: u8, day: u8, h: u8, mi: u8, s: u8, micros: u32) -> Value {
    Value::DateTime {
        year,
        month,
        day,
        hour: h,
        minute: mi,
        second: s,
        micros,
    }
}

fn bytes(b: &[u8]) -> Value {
    Value::Bytes(b.to_vec())
}

/// The values row `id` must decode to, by ordinal. Integers are given as `Int`; unsigned columns
/// are compared by bit pattern (see `same_value`), since without `binlog_row_metadata=FULL` the
/// table map does not say which columns are unsigned.
fn expected_row(id: i64) -> Vec<Value> {
    use Value::*;
    match id {
        1 => vec![
            Int(1),
            Int(-128),
            Int(-32768),
            Int(-8388608),
            Int(-2147483648),
            Int(i64::MIN),
            UInt(4294967295),
            UInt(u64::MAX),
            Decimal("-12345678901234.123456".into()),
            Float(1.5),
            Double(-2.25e300),
            bytes(b"ab"),
            bytes("héllo wörld 😀".as_bytes()),
            bytes("τ".repeat(300).as_bytes()),
            bytes(&[0x00, 0xff, 0x10]),
            bytes(&[0x00, 0x01, 0xfe, 0xff]),
            dt(2024, 2, 29, 0, 0, 0, 0),
            dt(2024, 2, 29, 23, 59, 58, 123456),
            dt(2038, 1, 19, 3, 14, 7, 999999),
            Time {
                negative: true,
                hours: 12,
                minutes: 34,
                seconds: 56,
                micros: 789000,
            },
            Int(2155),
            UInt(3),
            UInt(0b101),
            UInt(0b1010101010),
            bytes(br#"{"k": [1, "two", null]}"#),
        ],
        2 => vec![
            Int(2),
            Int(127),
            Int(32767),
            Int(8388607),
            Int(2147483647),
            Int(i64::MAX),
            UInt(0),
            UInt(0),
            Decimal("0.000001".into()),
            Float(0.25),
            Double(0.0),
            bytes(b""),
            bytes(b""),
            bytes(b""),
            bytes(b""),
            bytes(b""),
            dt(1000, 1, 1, 0, 0, 0, 0),
            dt(1000, 1, 1, 0, 0, 0, 0),
            dt(1970, 1, 1, 0, 0, 1, 0),
            Time {
                negative: false,
                hours: 0,
                minutes: 0,
                seconds: 0,
                micros: 0,
            },
            Int(1901),
            UInt(1),
            UInt(0),
            UInt(0),
            bytes(b"[]"),
        ],
        3 => {
            let mut v = vec![Null; NCOLS];
            v[0] = Int(3);
            v
        }
        _ => unreachable!(),
    }
}

/// Equal values, with signed/unsigned integers compared by bit pattern (the decoder cannot know
/// signedness without optional table-map metadata) and DECIMAL/temporal compared exactly.
fn same_value(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Int(a), Value::UInt(b)) | (Value::UInt(b), Value::Int(a)) => {
            *a as u64 == *b || (*b <= u32::MAX as u64 && *a as u64 & 0xffff_ffff == *b)
        }
        _ => got == want,
    }
}

/// A FULL image of row `id`.
fn assert_full_row(values: &[Option<Value>], id: i64, what: &str) {
    let want = expected_row(id);
    assert_eq!(values.len(), NCOLS, "{what}: column count");
    for (i, (g, w)) in values.iter().zip(&want).enumerate() {
        let g = g
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: column {i} missing from a FULL image"));
        assert!(
            same_value(g, w),
            "{what}: column {i}: got {g:?}, want {w:?}"
        );
    }
}

fn id_of(values: &[Option<Value>]) -> i64 {
    match values.first() {
        Some(Some(Value::Int(i))) => *i,
        Some(Some(Value::UInt(u))) => *u as i64,
        other => panic!("no id in image: {other:?}"),
    }
}

/// The inserts, the UPDATE of row 1 and the DELETE of row 2 on e2e.types, checked value by value.
fn assert_types_rows(events: &[Event]) {
    let rows = rows_on(events, "e2e", "types");
    let writes: Vec<_> = rows.iter().filter(|r| r.kind == RowsKind::Write).collect();
    let inserted: Vec<&Vec<Option<Value>>> = writes
        .iter()
        .flat_map(|r| r.after.iter().map(|row| &row.values))
        .collect();
    assert_eq!(inserted.len(), 3, "inserted rows");
    for values in inserted {
        let id = id_of(values);
        assert_full_row(values, id, &format!("insert of row {id}"));
    }

    let update = rows
        .iter()
        .find(|r| r.kind == RowsKind::Update)
        .expect("an UPDATE rows event");
    assert_eq!((update.before.len(), update.after.len()), (1, 1));
    assert_full_row(&update.before[0].values, 1, "update before-image");
    let mut after = update.after[0].values.clone();
    assert_eq!(after[VC], Some(Value::Bytes(b"changed".to_vec())));
    after[VC] = Some(expected_row(1)[VC].clone());
    assert_full_row(&after, 1, "update after-image (other columns)");

    let delete = rows
        .iter()
        .find(|r| r.kind == RowsKind::Delete)
        .expect("a DELETE rows event");
    assert_eq!(delete.before.len(), 1);
    assert!(delete.after.is_empty());
    assert_full_row(&delete.before[0].values, 2, "delete before-image");
}

fn write_types(sb: &Sandbox) {
    write(sb, TYPES_DDL);
    write(sb, TYPES_ROWS);
    write(
        sb,
        &[
            "UPDATE e2e.types SET vc = 'changed' WHERE id = 1",
            "DELETE FROM e2e.types WHERE id = 2",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn row_format_all_column_types_full_image() {
    let sb = sandbox(SandboxOptions::default());
    write_types(&sb);
    let events = all_events(&sb);
    assert_types_rows(&events);

    let txs = all_transactions(&sb);
    let with_rows: Vec<&Transaction> = txs
        .iter()
        .filter(|t| {
            t.events
                .iter()
                .any(|e| matches!(e.body, EventBody::Rows(_)))
        })
        .collect();
    assert_eq!(with_rows.len(), 3, "insert, update and delete transactions");
    for t in &with_rows {
        assert!(t.gtid.is_some(), "transaction without GTID: {:?}", t.start);
        assert!(t.start < t.end);
    }
    assert_offsets_match_mariadb_binlog(&sb, &events);
}

#[test]
fn statement_format_statements_and_session_context() {
    let sb = sandbox_in("STATEMENT");
    write(
        &sb,
        &[
            "CREATE DATABASE e2e",
            "CREATE TABLE e2e.ai (id INT AUTO_INCREMENT PRIMARY KEY, v INT, KEY (v))",
        ],
    );
    write(
        &sb,
        &[
            "USE e2e",
            "INSERT INTO ai (v) VALUES (10)",
            "INSERT INTO ai (v) VALUES (20)",
            "SET @x = 42",
            "UPDATE ai SET v = @x WHERE id = 2",
            "DELETE FROM ai WHERE v = 10",
        ],
    );
    let events = all_events(&sb);
    assert!(
        rows_on(&events, "e2e", "ai").is_empty(),
        "STATEMENT format produced row events"
    );

    let inserts = statements_with(&events, "INSERT INTO ai");
    assert_eq!(inserts.len(), 2);
    let ids: Vec<Option<u64>> = inserts
        .iter()
        .map(|e| match &e.body {
            EventBody::Query(s) => {
                assert_eq!(s.db.as_deref(), Some("e2e"));
                assert!(s.context.sql_mode.is_some(), "sql_mode missing");
                s.context.insert_id
            }
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(ids, vec![Some(1), Some(2)], "INSERT_ID context");

    let update = statements_with(&events, "UPDATE ai SET v = @x");
    let [update] = update.as_slice() else {
        panic!("expected one UPDATE statement, got {update:?}");
    };
    let EventBody::Query(s) = &update.body else {
        unreachable!()
    };
    assert!(
        s.context
            .user_vars
            .iter()
            .any(|(name, v)| name == "x" && same_value(v, &Value::Int(42))),
        "user variable @x missing from {:?}",
        s.context.user_vars
    );
    assert_eq!(
        statements_with(&events, "DELETE FROM ai WHERE v = 10").len(),
        1
    );
    assert_offsets_match_mariadb_binlog(&sb, &events);
}

/// MariaDB writes no `BEGIN` after a transaction's GTID: a multi-statement transaction in
/// STATEMENT format must still come out as one transaction, ending where the applier stands after
/// its XID; a MyISAM statement's group ends at its `COMMIT` query, DDL after its one statement.
#[test]
fn statement_format_groups_multi_statement_transactions() {
    let sb = sandbox_in("STATEMENT");
    write(
        &sb,
        &[
            "CREATE DATABASE e2e",
            "CREATE TABLE e2e.t (id INT PRIMARY KEY, k INT, KEY (k)) ENGINE=InnoDB",
            "CREATE TABLE e2e.m (id INT PRIMARY KEY) ENGINE=MyISAM",
            "INSERT INTO e2e.t VALUES (1, 1), (2, 2), (3, 3)",
        ],
    );
    write(
        &sb,
        &[
            "BEGIN",
            "UPDATE e2e.t SET k = k + 1 WHERE id = 1",
            "DELETE FROM e2e.t WHERE id = 2",
            "INSERT INTO e2e.t VALUES (2, 20)",
            "COMMIT",
            "INSERT INTO e2e.m VALUES (1)",
            "ALTER TABLE e2e.m ADD COLUMN v INT",
            "UPDATE e2e.t SET k = 30 WHERE id = 3",
        ],
    );
    let events = all_events(&sb);
    let gtids = events
        .iter()
        .filter(|e| matches!(e.body, EventBody::Gtid { .. }))
        .count();
    let txs = all_transactions(&sb);
    assert_eq!(txs.len(), gtids, "one transaction per GTID group");
    let sql = |t: &Transaction| -> Vec<String> {
        t.events
            .iter()
            .filter_map(|e| match &e.body {
                EventBody::Query(q) => Some(q.sql.clone()),
                _ => None,
            })
            .collect()
    };
    let multi = txs
        .iter()
        .find(|t| sql(t).iter().any(|s| s.contains("k = k + 1")))
        .expect("the multi-statement transaction");
    assert_eq!(
        sql(multi),
        [
            "UPDATE e2e.t SET k = k + 1 WHERE id = 1",
            "DELETE FROM e2e.t WHERE id = 2",
            "INSERT INTO e2e.t VALUES (2, 20)",
        ],
        "all three statements in one transaction, in order"
    );
    // Every transaction ends just past its group's last event: an XID, a COMMIT query, or the
    // DDL itself — never in the middle of a group.
    for t in &txs {
        let last = events
            .iter()
            .find(|e| e.pos.file == t.end.file && e.end_offset() == t.end.offset)
            .unwrap_or_else(|| panic!("no event ends at {:?}", t.end));
        let ok = match &last.body {
            EventBody::Xid(_) => true,
            EventBody::Query(q) => {
                q.sql == "COMMIT" || q.sql.starts_with("ALTER") || q.sql.starts_with("CREATE")
            }
            _ => false,
        };
        assert!(ok, "transaction {:?} ends at {:?}", sql(t), last.body);
    }
    let myisam = txs
        .iter()
        .find(|t| sql(t).iter().any(|s| s.contains("INTO e2e.m")))
        .expect("the MyISAM insert");
    assert_eq!(
        sql(myisam).len(),
        1,
        "MyISAM insert alone: {:?}",
        sql(myisam)
    );
    let last = txs.last().unwrap();
    assert_eq!(sql(last), ["UPDATE e2e.t SET k = 30 WHERE id = 3"]);
}

#[test]
fn mixed_format_switches_to_rows_for_unsafe_statements() {
    let sb = sandbox_in("MIXED");
    write(
        &sb,
        &[
            "CREATE DATABASE e2e",
            "CREATE TABLE e2e.m (id INT PRIMARY KEY, v VARCHAR(64))",
        ],
    );
    write(
        &sb,
        &[
            "INSERT INTO e2e.m VALUES (1, 'plain')",
            "INSERT INTO e2e.m VALUES (2, UUID())",
        ],
    );
    let events = all_events(&sb);
    assert_eq!(statements_with(&events, "VALUES (1, 'plain')").len(), 1);
    assert!(statements_with(&events, "UUID()").is_empty());
    let rows = rows_on(&events, "e2e", "m");
    assert_eq!(rows.len(), 1, "the UUID() insert as rows");
    let row = &rows[0].after[0].values;
    assert_eq!(row[0], Some(Value::Int(2)));
    assert!(matches!(&row[1], Some(Value::Bytes(b)) if b.len() == 36));
    assert_offsets_match_mariadb_binlog(&sb, &events);

    // One transaction holding a statement and then row events keeps both.
    write(
        &sb,
        &[
            "BEGIN",
            "UPDATE e2e.m SET v = 'again' WHERE id = 1",
            "INSERT INTO e2e.m VALUES (3, UUID())",
            "COMMIT",
        ],
    );
    let txs = all_transactions(&sb);
    let tx = txs
        .iter()
        .find(|t| !statements_with(&t.events, "SET v = 'again'").is_empty())
        .expect("the mixed transaction");
    let ids: Vec<i64> = rows_on(&tx.events, "e2e", "m")
        .iter()
        .flat_map(|r| r.after.iter())
        .map(|row| id_of(&row.values))
        .collect();
    assert_eq!(ids, [3], "the row events of the mixed transaction");
}

#[test]
fn minimal_row_image_has_only_key_and_changed_columns() {
    // A replica with log_slave_updates asks the primary for ANNOTATE_ROWS events too.
    let sb = sandbox(SandboxOptions {
        binlog_row_image: "MINIMAL".into(),
        replica_log_bin: true,
        ..Default::default()
    });
    write(
        &sb,
        &[
            "CREATE DATABASE e2e",
            "CREATE TABLE e2e.mi (id INT PRIMARY KEY, a INT, b VARCHAR(10), c INT)",
        ],
    );
    write(
        &sb,
        &[
            "INSERT INTO e2e.mi VALUES (1, 10, 'x', 100), (2, 20, 'y', 200)",
            "UPDATE e2e.mi SET b = 'z' WHERE id = 1",
            "DELETE FROM e2e.mi WHERE id = 2",
        ],
    );
    let events = all_events(&sb);
    let rows = rows_on(&events, "e2e", "mi");
    let update = rows.iter().find(|r| r.kind == RowsKind::Update).unwrap();
    let before = &update.before[0].values;
    let after = &update.after[0].values;
    assert_eq!(before[0], Some(Value::Int(1)), "before-image keeps the PK");
    assert_eq!(&before[1..], &[None, None, None], "before-image: PK only");
    assert_eq!(after[2], Some(Value::Bytes(b"z".to_vec())));
    assert_eq!(
        (&after[1], &after[3]),
        (&None, &None),
        "after: changed only"
    );

    let delete = rows.iter().find(|r| r.kind == RowsKind::Delete).unwrap();
    let before = &delete.before[0].values;
    assert_eq!(before[0], Some(Value::Int(2)));
    assert_eq!(
        &before[1..],
        &[None, None, None],
        "delete before-image: PK only"
    );
    assert!(
        events.iter().any(|e| matches!(&e.body,
            EventBody::AnnotateRows(sql) if sql == "UPDATE e2e.mi SET b = 'z' WHERE id = 1")),
        "no ANNOTATE_ROWS event for the UPDATE"
    );
    assert_offsets_match_mariadb_binlog(&sb, &events);
}

/// MariaDB's IO thread inflates compressed events before writing the relay log (slave.cc,
/// queue_event), so compression is checked on both sides: the primary's binary log holds
/// compressed QUERY and rows events (165-171) that decode to the same values, and the relay log
/// built from it decodes to them too.
#[test]
fn compressed_events_decode_like_plain_ones() {
    let sb = sandbox(SandboxOptions {
        log_bin_compress: true,
        primary_extra_cnf: vec!["log_bin_compress_min_len=10".into()],
        ..Default::default()
    });
    write_types(&sb);
    let text = "a statement long enough to compress";
    write(
        &sb,
        &[
            "SET SESSION binlog_format = 'STATEMENT'",
            &format!("INSERT INTO e2e.types (id, vc) VALUES (10, '{text}')"),
        ],
    );
    let binlog = events_of_index(&sb.primary.binlog_index());
    let codes = type_codes(&binlog);
    assert!(
        codes.contains(&165),
        "no compressed QUERY (165) in the binlog: {codes:?}"
    );
    assert!(
        codes.iter().any(|c| (166..=171).contains(c)),
        "no compressed rows event (166-171) in the binlog: {codes:?}"
    );
    assert_types_rows(&binlog);
    assert_eq!(statements_with(&binlog, text).len(), 1);
    assert_files_match_mariadb_binlog(&sb.primary.binlog_files().unwrap(), &binlog);

    let relay = all_events(&sb);
    assert_types_rows(&relay);
    assert_eq!(statements_with(&relay, text).len(), 1);
    assert_offsets_match_mariadb_binlog(&sb, &relay);
}

#[test]
fn transaction_split_by_relay_log_rotation() {
    let sb = sandbox(SandboxOptions {
        max_relay_log_size: Some(4096),
        ..Default::default()
    });
    write(
        &sb,
        &[
            "CREATE DATABASE e2e",
            "CREATE TABLE e2e.big (id INT PRIMARY KEY, pad VARCHAR(2000))",
        ],
    );
    let mut stmts = vec!["BEGIN".to_string()];
    for i in 0..20 {
        stmts.push(format!(
            "INSERT INTO e2e.big VALUES ({i}, REPEAT(CHAR(65 + {i}), 1000))"
        ));
    }
    stmts.push("COMMIT".into());
    let refs: Vec<&str> = stmts.iter().map(String::as_str).collect();
    write(&sb, &refs);

    let files = sb.replica.relay_log_files().unwrap();
    assert!(files.len() >= 4, "expected rotation, got {files:?}");

    let txs = all_transactions(&sb);
    let big: Vec<&Transaction> = txs
        .iter()
        .filter(|t| !rows_on(&t.events, "e2e", "big").is_empty())
        .collect();
    let [tx] = big.as_slice() else {
        panic!("expected one transaction on e2e.big, got {}", big.len());
    };
    assert_ne!(
        tx.start.file, tx.end.file,
        "the transaction should span relay files"
    );
    let values: Vec<(i64, Vec<u8>)> = rows_on(&tx.events, "e2e", "big")
        .iter()
        .flat_map(|r| r.after.iter())
        .map(|row| match (&row.values[0], &row.values[1]) {
            (Some(Value::Int(id)), Some(Value::Bytes(pad))) => (*id, pad.clone()),
            other => panic!("unexpected row {other:?}"),
        })
        .collect();
    let want: Vec<(i64, Vec<u8>)> = (0..20).map(|i| (i, vec![b'A' + i as u8; 1000])).collect();
    assert_eq!(values, want);
    assert_offsets_match_mariadb_binlog(&sb, &all_events(&sb));
}

/// mariadb-binlog's description of each event of `file`: (offset, our type name for it).
fn mariadb_binlog_types(file: &Path) -> Vec<(u64, String)> {
    let out = Command::new(mariadb_binlog().unwrap())
        .arg("--no-defaults")
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // "# at N" lines and header lines ("#YYMMDD HH:MM:SS server id N  end_log_pos P CRC32 0x..
    // \t<what>") come in the same order, though not always alternating: an ANNOTATE_ROWS and
    // the TABLE_MAP after it print both "# at" lines first.
    let offsets: Vec<u64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# at "))
        .map(|n| n.trim().parse().unwrap())
        .collect();
    let kinds: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with('#') && l.contains(" server id ") && l.contains("end_log_pos"))
        .map(|l| mariadb_binlog_kind(l.split('\t').nth(1).unwrap_or("").trim()).to_string())
        .collect();
    assert_eq!(
        offsets.len(),
        kinds.len(),
        "{}: # at lines vs headers",
        file.display()
    );
    offsets.into_iter().zip(kinds).collect()
}

/// mariadb-binlog's wording → `inspect --json` `type`.
fn mariadb_binlog_kind(what: &str) -> &'static str {
    const KINDS: &[(&str, &str)] = &[
        ("Start:", "format_description"),
        ("Rotate to", "rotate"),
        ("Gtid list", "gtid_list"),
        ("Binlog checkpoint", "binlog_checkpoint"),
        ("GTID", "gtid"),
        ("Query", "query"),
        ("Table_map", "table_map"),
        ("Write_", "write_rows"),
        ("Update_", "update_rows"),
        ("Delete_", "delete_rows"),
        ("Xid", "xid"),
        ("Annotate_rows", "annotate_rows"),
        ("Intvar", "intvar"),
        ("User_var", "user_var"),
        ("Rand", "rand"),
        ("Stop", "stop"),
    ];
    KINDS
        .iter()
        .find(|(prefix, _)| what.starts_with(prefix))
        .map_or("unknown", |(_, kind)| kind)
}

/// The `relay-prefetch inspect --json` command on a live replica's relay-log index: every event of
/// every relay file with mariadb-binlog's offset and kind, and row events with table and row count.
#[test]
fn inspect_json_matches_mariadb_binlog() {
    let sb = sandbox(SandboxOptions {
        replica_log_bin: true,
        ..Default::default()
    });
    write(
        &sb,
        &[
            "CREATE DATABASE e2e",
            "CREATE TABLE e2e.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
            "INSERT INTO e2e.t (v) VALUES (1), (2), (3)",
            "UPDATE e2e.t SET v = v + 10 WHERE id <= 2",
            "SET SESSION binlog_format = 'STATEMENT'",
            "SET @a = 7",
            "INSERT INTO e2e.t (v) VALUES (@a)",
            "DELETE FROM e2e.t WHERE id = 1",
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_relay-prefetch"))
        .arg("inspect")
        .arg("--json")
        .arg(sb.replica.relay_log_index())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "inspect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    for file in sb.replica.relay_log_files().unwrap() {
        let ours: Vec<(u64, String)> = events
            .iter()
            .filter(|e| Path::new(e["file"].as_str().unwrap()) == file.as_path())
            .map(|e| {
                let t = e["type"].as_str().unwrap().to_string();
                (e["offset"].as_u64().unwrap(), t)
            })
            .collect();
        assert_eq!(ours, mariadb_binlog_types(&file), "{}", file.display());
    }
    let rows_of = |kind: &str| -> u64 {
        events
            .iter()
            .filter(|e| e["type"] == kind && e["table"] == "e2e.t")
            .map(|e| e["rows"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(rows_of("write_rows"), 3);
    assert_eq!(rows_of("update_rows"), 2);
    assert_eq!(rows_of("delete_rows"), 0, "the DELETE was a statement");
    assert!(events.iter().any(|e| e["type"] == "user_var"));
    assert!(events.iter().any(|e| e["type"] == "annotate_rows"));
    assert!(events.iter().any(|e| e["type"] == "intvar"));
}

/// Tail a live relay log while the primary writes and the replica rotates it (by size and by
/// FLUSH RELAY LOGS): every transaction arrives once, in order, complete.
#[test]
fn follow_a_live_relay_log_through_rotations() {
    const N: i64 = 150;
    let sb = sandbox(SandboxOptions {
        max_relay_log_size: Some(4096),
        ..Default::default()
    });
    write(
        &sb,
        &[
            "CREATE DATABASE e2e",
            "CREATE TABLE e2e.f (id INT PRIMARY KEY, pad VARCHAR(300))",
        ],
    );
    let source = RelaySource::Index(sb.replica.relay_log_index());
    let mut stream = TransactionStream::open(source, None, true).unwrap();
    let ids = std::thread::scope(|scope| {
        scope.spawn(|| {
            for i in 0..N {
                let insert = format!("INSERT INTO e2e.f VALUES ({i}, REPEAT('x', 300))");
                sb.primary.exec(&[&insert]).unwrap();
                if i % 40 == 20 {
                    sb.replica.exec(&["FLUSH RELAY LOGS"]).unwrap();
                }
            }
        });
        let deadline = std::time::Instant::now() + WAIT;
        let mut ids = Vec::new();
        while (ids.len() as i64) < N {
            assert!(
                std::time::Instant::now() < deadline,
                "only {} of {N} rows after {WAIT:?}",
                ids.len()
            );
            match stream.next() {
                StreamOutcome::Transaction(t) => {
                    for r in rows_on(&t.events, "e2e", "f") {
                        for row in &r.after {
                            assert_eq!(row.values[1], Some(Value::Bytes(vec![b'x'; 300])));
                            ids.push(id_of(&row.values));
                        }
                    }
                }
                StreamOutcome::Pending => stream.wait(Duration::from_millis(50)),
                StreamOutcome::End => panic!("End while following"),
                StreamOutcome::Error(e) => panic!("error while following: {e}"),
            }
        }
        ids
    });
    assert_eq!(ids, (0..N).collect::<Vec<_>>());
    let files = sb.replica.relay_log_files().unwrap();
    assert!(
        files.len() >= 6,
        "expected several rotations, got {files:?}"
    );
}

/// Follow `db.table`'s inserted ids until `until` arrives (every transaction in order).
fn follow_ids(stream: &mut TransactionStream, table: &str, until: i64) -> Vec<i64> {
    let deadline = std::time::Instant::now() + WAIT;
    let mut ids = Vec::new();
    while ids.last() != Some(&until) {
        assert!(
            std::time::Instant::now() < deadline,
            "did not see id {until} within {WAIT:?}; saw {ids:?}"
        );
        match stream.next() {
            StreamOutcome::Transaction(t) => {
                for r in rows_on(&t.events, "e2e", table) {
                    ids.extend(r.after.iter().map(|row| id_of(&row.values)));
                }
            }
            StreamOutcome::Pending => stream.wait(Duration::from_millis(50)),
            StreamOutcome::End => panic!("End while following"),
            StreamOutcome::Error(e) => panic!("error while following: {e}"),
        }
    }
    ids
}

fn assert_strictly_increasing(ids: &[i64]) {
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "out of order or repeated: {ids:?}"
    );
}

/// Follow while the SQL thread applies and purges relay files right behind the reader: the
/// reader keeps delivering transactions in order, never twice, up to the last.
#[test]
fn follow_while_the_applier_purges_relay_files() {
    let sb = Sandbox::start(SandboxOptions {
        max_relay_log_size: Some(4096),
        ..Default::default()
    })
    .unwrap();
    sb.primary
        .exec(&[
            "CREATE DATABASE e2e",
            "CREATE TABLE e2e.p (id INT PRIMARY KEY, pad VARCHAR(300))",
        ])
        .unwrap();
    sb.wait_for_replica_catch_up(WAIT).unwrap();
    let source = RelaySource::Index(sb.replica.relay_log_index());
    let mut stream = TransactionStream::open(source, None, true).unwrap();
    for i in 0..60 {
        let sql = format!("INSERT INTO e2e.p VALUES ({i}, REPEAT('y', 300))");
        sb.primary.exec(&[&sql]).unwrap();
    }
    let ids = follow_ids(&mut stream, "p", 59);
    assert_strictly_increasing(&ids);
    sb.wait_for_replica_catch_up(WAIT).unwrap();
    let files = sb.replica.relay_log_files().unwrap();
    assert!(
        !files.iter().any(|f| f.ends_with("relay-bin.000001")),
        "the applier purged nothing: {files:?}"
    );
}
