//! Row-event probe building with hand-built events and tables: key shapes (composite PKs,
//! UNSIGNED BIGINT, collation-equal strings, DECIMAL, DATETIME, NULLs), MINIMAL images, tables
//! without a primary key, schema drift and batching bounds. No server involved.

use std::sync::Arc;

use relay_prefetch::event::{MapColumn, Position, Row, RowsEvent, RowsKind, TableMap, Value};
use relay_prefetch::plan::{Probe, ProbeSql, SkipReason};
use relay_prefetch::rewrite::rowkey::row_key;
use relay_prefetch::rewrite::rows::{RowProbeBuilder, RowProbeConfig, RowsOutcome};
use relay_prefetch::schema::{Column, Index, Schema, Table};

fn col(name: &str, data_type: &str) -> Column {
    let text = matches!(data_type, "varchar" | "char");
    Column {
        name: name.into(),
        data_type: data_type.into(),
        column_type: if text {
            format!("{data_type}(64)")
        } else {
            data_type.into()
        },
        unsigned: false,
        nullable: false,
        collation: text.then(|| "utf8mb4_general_ci".to_string()),
        auto_increment: false,
        generated: false,
    }
}

fn index(name: &str, cols: &[usize], unique: bool) -> Index {
    Index::plain(name, name == "PRIMARY", unique, cols)
}

fn table(name: &str, columns: Vec<Column>, indexes: Vec<Index>) -> Table {
    Table {
        db: "db".into(),
        name: name.into(),
        engine: Some("InnoDB".into()),
        columns,
        indexes,
        version: 0,
        rows_per_page: None,
    }
}

fn map_of(t: &Table) -> Arc<TableMap> {
    Arc::new(TableMap {
        table_id: 1,
        db: t.db.clone(),
        table: t.name.clone(),
        columns: t
            .columns
            .iter()
            .map(|c| MapColumn {
                type_code: type_code(&c.data_type),
                meta: 0,
                nullable: true,
                unsigned: None,
                name: None,
            })
            .collect(),
    })
}

/// The binlog type code a column of this type has in a table map.
fn type_code(data_type: &str) -> u8 {
    match data_type {
        "tinyint" => 1,
        "bigint" => 8,
        "varchar" => 15,
        "char" => 254,
        "decimal" => 246,
        "datetime" => 18,
        _ => 3,
    }
}

fn row(vals: Vec<Option<Value>>) -> Row {
    Row { values: vals }
}

fn full(vals: Vec<Value>) -> Row {
    row(vals.into_iter().map(Some).collect())
}

fn s(x: &str) -> Value {
    Value::Bytes(x.as_bytes().to_vec())
}

fn pos(offset: u64) -> Position {
    Position {
        file: Arc::from("relay.000001"),
        offset,
    }
}

fn event(t: &Table, kind: RowsKind, before: Vec<Row>, after: Vec<Row>) -> RowsEvent {
    RowsEvent {
        kind,
        table: map_of(t),
        before,
        after,
        stmt_end: true,
    }
}

/// Run events through a fresh builder; return the flushed probes and the outcome.
fn run(
    schema: &Schema,
    events: &[RowsEvent],
    config: RowProbeConfig,
) -> (Vec<(Position, Probe)>, RowsOutcome) {
    let mut b = RowProbeBuilder::new(config);
    let mut out = RowsOutcome::default();
    for (i, ev) in events.iter().enumerate() {
        b.add_event(ev, &pos(100 * (i as u64 + 1)), schema, &mut out);
    }
    let mut probes = b.take_ready();
    probes.extend(b.flush());
    (probes, out)
}

fn by_index<'a>(probes: &'a [(Position, Probe)], name: &str) -> Vec<&'a Probe> {
    probes
        .iter()
        .map(|(_, p)| p)
        .filter(|p| p.index == name)
        .collect()
}

fn sql_params(p: &Probe) -> (&str, &[Value]) {
    match &p.sql {
        ProbeSql::Prepared { sql, params } => (sql, params),
        other => panic!("expected a prepared probe, got {other:?}"),
    }
}

/// Every probe: placeholders match parameters, no value text in the SQL, one SELECT.
fn check_probe(p: &Probe) {
    let (sql, params) = sql_params(p);
    assert!(sql.starts_with("SELECT "), "{sql}");
    assert!(!sql.contains(';'), "{sql}");
    assert_eq!(sql.matches('?').count(), params.len(), "{sql}");
    assert!(sql.contains("FORCE INDEX"), "{sql}");
    // The statement rewriter's guard: exactly one plain read-only SELECT.
    if let Err(e) = relay_prefetch::rewrite::guard::check_select(sql) {
        panic!("guard rejected {sql}: {e}");
    }
}

/// t(a varchar, b int, k int, c varchar, PRIMARY(a,b), KEY k_1(k))
fn composite() -> Table {
    table(
        "comp",
        vec![
            col("a", "varchar"),
            col("b", "int"),
            col("k", "int"),
            col("c", "varchar"),
        ],
        vec![index("PRIMARY", &[0, 1], true), index("k_1", &[2], false)],
    )
}

#[test]
fn delete_composite_pk_probes_clustered_and_secondary_with_pk_suffix() {
    let mut schema = Schema::new();
    let t = composite();
    schema.insert(t.clone());
    let ev = event(
        &t,
        RowsKind::Delete,
        vec![full(vec![s("x"), Value::Int(1), Value::Int(7), s("c")])],
        vec![],
    );
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    assert!(out.skips.is_empty(), "{:?}", out.skips);
    let pk = by_index(&probes, "PRIMARY");
    assert_eq!(pk.len(), 1);
    assert_eq!(pk[0].keys, vec![vec![s("x"), Value::Int(1)]]);
    let (sql, params) = sql_params(pk[0]);
    assert!(sql.contains("(`a`,`b`) IN ((?,?))"), "{sql}");
    // The clustered probe selects a non-key column, so the row comes from the clustered leaf.
    assert!(
        sql.starts_with("SELECT `k` FROM `db`.`comp` FORCE INDEX (PRIMARY)"),
        "{sql}"
    );
    assert_eq!(params, &[s("x"), Value::Int(1)]);
    let k = by_index(&probes, "k_1");
    assert_eq!(k.len(), 1);
    // The secondary entry is (k, a, b): InnoDB appends the primary key.
    assert_eq!(k[0].keys, vec![vec![Value::Int(7), s("x"), Value::Int(1)]]);
    let (sql, _) = sql_params(k[0]);
    assert!(
        sql.starts_with(
            "SELECT `k`,`a`,`b` FROM `db`.`comp` FORCE INDEX (`k_1`) WHERE (`k`,`a`,`b`) IN"
        ),
        "{sql}"
    );
    for (_, p) in &probes {
        check_probe(p);
        assert_eq!(p.row_keys, vec![row_key(&t, &[s("x"), Value::Int(1)])]);
    }
    assert_eq!(
        out.applier_keys,
        vec![row_key(&t, &[s("x"), Value::Int(1)])]
    );
}

#[test]
fn unsigned_bigint_negative_image_value_is_twos_complement() {
    let mut c = col("id", "bigint");
    c.unsigned = true;
    let mut small = col("u8", "tinyint");
    small.unsigned = true;
    let t = table(
        "u",
        vec![c, small, col("v", "int")],
        vec![index("PRIMARY", &[0], true), index("k_u8", &[1], false)],
    );
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let ev = event(
        &t,
        RowsKind::Delete,
        vec![full(vec![Value::Int(-1), Value::Int(-56), Value::Int(3)])],
        vec![],
    );
    let (probes, _) = run(&schema, &[ev], RowProbeConfig::default());
    let pk = by_index(&probes, "PRIMARY");
    assert_eq!(pk[0].keys, vec![vec![Value::UInt(u64::MAX)]]);
    let k = by_index(&probes, "k_u8");
    assert_eq!(
        k[0].keys,
        vec![vec![Value::UInt(200), Value::UInt(u64::MAX)]]
    );
    assert_eq!(
        sql_params(k[0]).1,
        &[Value::UInt(200), Value::UInt(u64::MAX)]
    );
}

#[test]
fn collation_equal_strings_are_probed_once_and_share_a_row_key() {
    let t = composite();
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let rows = vec![
        full(vec![s("Straße"), Value::Int(1), Value::Int(7), s("c")]),
        full(vec![s("STRASSE"), Value::Int(1), Value::Int(8), s("c")]),
        full(vec![s("straße  "), Value::Int(1), Value::Int(7), s("c")]),
        full(vec![s("STRAßE"), Value::Int(2), Value::Int(7), s("c")]),
    ];
    let ev = event(&t, RowsKind::Delete, rows, vec![]);
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    let pk = by_index(&probes, "PRIMARY");
    // "Straße", "straße  " and (case-folded) are one key under utf8mb4_general_ci; "STRASSE" is
    // another (general_ci does not expand ß); b=2 is another row.
    assert_eq!(pk[0].keys.len(), 3, "{:?}", pk[0].keys);
    assert_eq!(out.applier_keys[0], out.applier_keys[2]);
    assert_ne!(out.applier_keys[0], out.applier_keys[1]);
    assert_ne!(out.applier_keys[0], out.applier_keys[3]);
}

#[test]
fn update_of_decimal_datetime_index_probes_old_and_new_entries() {
    let mut d = col("d", "decimal");
    d.column_type = "decimal(10,2)".into();
    let t = table(
        "dt",
        vec![col("id", "int"), d, col("ts", "datetime"), col("x", "int")],
        vec![index("PRIMARY", &[0], true), index("k_dts", &[1, 2], false)],
    );
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let dt = |day| Value::DateTime {
        year: 2024,
        month: 5,
        day,
        hour: 1,
        minute: 2,
        second: 3,
        micros: 0,
    };
    let before = full(vec![
        Value::Int(1),
        Value::Decimal("1.50".into()),
        dt(1),
        Value::Int(0),
    ]);
    let after = full(vec![
        Value::Int(1),
        Value::Decimal("2.50".into()),
        dt(2),
        Value::Int(0),
    ]);
    // A second update changes only x: no secondary probe for it.
    let b2 = full(vec![
        Value::Int(2),
        Value::Decimal("1.00".into()),
        dt(3),
        Value::Int(0),
    ]);
    let a2 = full(vec![
        Value::Int(2),
        Value::Decimal("1.00".into()),
        dt(3),
        Value::Int(9),
    ]);
    let ev = event(&t, RowsKind::Update, vec![before, b2], vec![after, a2]);
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    assert!(out.skips.is_empty());
    let pk = by_index(&probes, "PRIMARY");
    assert_eq!(pk[0].keys, vec![vec![Value::Int(1)], vec![Value::Int(2)]]);
    let k = by_index(&probes, "k_dts");
    assert_eq!(
        k[0].keys,
        vec![
            vec![Value::Decimal("1.50".into()), dt(1), Value::Int(1)],
            vec![Value::Decimal("2.50".into()), dt(2), Value::Int(1)],
        ]
    );
    for (_, p) in &probes {
        check_probe(p);
    }
}

#[test]
fn primary_key_change_probes_both_positions_and_all_secondary_entries() {
    let t = composite();
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let before = full(vec![s("a"), Value::Int(1), Value::Int(7), s("c")]);
    let after = full(vec![s("a"), Value::Int(2), Value::Int(7), s("c")]);
    let ev = event(&t, RowsKind::Update, vec![before], vec![after]);
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    let pk = by_index(&probes, "PRIMARY");
    assert_eq!(
        pk[0].keys,
        vec![vec![s("a"), Value::Int(1)], vec![s("a"), Value::Int(2)]]
    );
    let k = by_index(&probes, "k_1");
    assert_eq!(
        k[0].keys.len(),
        2,
        "k unchanged but the entry embeds the PK"
    );
    assert_eq!(out.applier_keys.len(), 2);
}

#[test]
fn nulls_in_index_columns() {
    let mut n = col("n", "int");
    n.nullable = true;
    let mut u = col("u", "int");
    u.nullable = true;
    let t = table(
        "nul",
        vec![col("id", "int"), n, u],
        vec![
            index("PRIMARY", &[0], true),
            index("k_n", &[1], false),
            index("uk_u", &[2], true),
        ],
    );
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let rows = vec![
        full(vec![Value::Int(1), Value::Null, Value::Null]),
        full(vec![Value::Int(2), Value::Int(5), Value::Int(6)]),
    ];
    let ev = event(&t, RowsKind::Write, vec![], rows);
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    let k = by_index(&probes, "k_n");
    assert_eq!(k.len(), 2, "NULL tuples go to their own probe");
    let (null_probe, in_probe) = if k[0].keys[0][0] == Value::Null {
        (k[0], k[1])
    } else {
        (k[1], k[0])
    };
    let (sql, params) = sql_params(null_probe);
    assert!(sql.ends_with("WHERE (`n` IS NULL AND `id` = ?)"), "{sql}");
    assert_eq!(params, &[Value::Int(1)]);
    assert!(sql_params(in_probe).0.contains("IN ((?,?))"));
    // The unique index: the non-NULL entry is probed, the NULL one is a counted skip.
    let uk = by_index(&probes, "uk_u");
    assert_eq!(uk[0].keys, vec![vec![Value::Int(6)]]);
    assert!(
        out.skips
            .iter()
            .any(|s| s.reason == SkipReason::NoIndexUsablePredicate && s.detail.contains("uk_u"))
    );
    for (_, p) in &probes {
        check_probe(p);
    }
}

#[test]
fn minimal_image_uses_what_the_image_holds() {
    // t(id PK, k, c, pad): KEY k_1(k), KEY k_kc(k, c)
    let t = table(
        "mini",
        vec![
            col("id", "int"),
            col("k", "int"),
            col("c", "varchar"),
            col("pad", "varchar"),
        ],
        vec![
            index("PRIMARY", &[0], true),
            index("k_1", &[1], false),
            index("k_pad", &[3], false),
        ],
    );
    let mut schema = Schema::new();
    schema.insert(t.clone());
    // MINIMAL UPDATE ... SET k = 9 WHERE id = 3: before = PK only, after = k only.
    let ev = event(
        &t,
        RowsKind::Update,
        vec![row(vec![Some(Value::Int(3)), None, None, None])],
        vec![row(vec![None, Some(Value::Int(9)), None, None])],
    );
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    assert_eq!(
        by_index(&probes, "PRIMARY")[0].keys,
        vec![vec![Value::Int(3)]]
    );
    // The new k_1 entry (9, 3) is known; the old one is not in the image; k_pad did not change.
    assert_eq!(
        by_index(&probes, "k_1")[0].keys,
        vec![vec![Value::Int(9), Value::Int(3)]]
    );
    assert!(by_index(&probes, "k_pad").is_empty());
    let gap = out
        .skips
        .iter()
        .find(|s| s.reason == SkipReason::KeyNotInImage)
        .expect("old k_1 entry reported");
    assert!(gap.detail.contains("k_1"), "{}", gap.detail);
    // A row without its key at all cannot be keyed.
    let ev = event(
        &t,
        RowsKind::Delete,
        vec![row(vec![None, Some(Value::Int(1)), None, None])],
        vec![],
    );
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    assert!(probes.is_empty());
    assert_eq!(out.skips[0].reason, SkipReason::KeyNotInImage);
    assert!(out.applier_keys[0].is_table());
}

#[test]
fn table_without_primary_key_is_a_counted_skip() {
    let mut u = col("u", "int");
    u.nullable = true;
    let t = table(
        "nopk",
        vec![col("a", "int"), u],
        vec![index("uk", &[1], true), index("k_a", &[0], false)],
    );
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let ev = event(
        &t,
        RowsKind::Delete,
        vec![full(vec![Value::Int(1), Value::Int(2)])],
        vec![],
    );
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    assert!(probes.is_empty());
    assert_eq!(out.skips.len(), 1);
    assert_eq!(out.skips[0].reason, SkipReason::NoPrimaryKey);
    assert!(out.skips[0].detail.contains("add a primary key"));
    assert!(out.applier_keys[0].is_table());
}

#[test]
fn not_null_unique_key_is_the_clustered_index_without_a_primary_key() {
    let t = table(
        "uclust",
        vec![col("a", "int"), col("u", "int"), col("v", "int")],
        vec![index("uk", &[1], true), index("k_a", &[0], false)],
    );
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let ev = event(
        &t,
        RowsKind::Delete,
        vec![full(vec![Value::Int(1), Value::Int(2), Value::Int(3)])],
        vec![],
    );
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    assert!(out.skips.is_empty());
    let uk = by_index(&probes, "uk");
    assert_eq!(uk[0].keys, vec![vec![Value::Int(2)]]);
    assert!(sql_params(uk[0]).0.contains("FORCE INDEX (`uk`)"));
    assert_eq!(
        by_index(&probes, "k_a")[0].keys,
        vec![vec![Value::Int(1), Value::Int(2)]]
    );
}

#[test]
fn auto_increment_inserts_skip_the_clustered_right_edge() {
    let mut id = col("id", "int");
    id.auto_increment = true;
    let t = table(
        "ai",
        vec![id, col("k", "int")],
        vec![index("PRIMARY", &[0], true), index("k_1", &[1], false)],
    );
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let ev = event(
        &t,
        RowsKind::Write,
        vec![],
        vec![full(vec![Value::Int(10), Value::Int(4)])],
    );
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    assert!(by_index(&probes, "PRIMARY").is_empty());
    assert_eq!(
        by_index(&probes, "k_1")[0].keys,
        vec![vec![Value::Int(4), Value::Int(10)]]
    );
    assert_eq!(out.applier_keys.len(), 1);
}

#[test]
fn schema_drift_and_unknown_tables_are_skipped() {
    let t = composite();
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let mut drifted = t.clone();
    drifted.columns.push(col("added", "int"));
    let ev = event(
        &drifted,
        RowsKind::Delete,
        vec![full(vec![
            s("a"),
            Value::Int(1),
            Value::Int(1),
            s("c"),
            Value::Int(0),
        ])],
        vec![],
    );
    let mut other = t.clone();
    other.name = "missing".into();
    let ev2 = event(
        &other,
        RowsKind::Delete,
        vec![full(vec![s("a"), Value::Int(1), Value::Int(1), s("c")])],
        vec![],
    );
    let (probes, out) = run(&schema, &[ev, ev2], RowProbeConfig::default());
    assert!(probes.is_empty());
    assert_eq!(out.skips[0].reason, SkipReason::SchemaDrift);
    assert_eq!(out.stale, vec![("db".to_string(), "comp".to_string())]);
    assert_eq!(out.skips[1].reason, SkipReason::UnknownTable);
    // Same column count, but a column changed type (ALTER ... MODIFY not yet seen).
    let mut retyped = t.clone();
    retyped.columns[2].data_type = "varchar".into();
    let ev = event(
        &retyped,
        RowsKind::Delete,
        vec![full(vec![s("a"), Value::Int(1), s("1"), s("c")])],
        vec![],
    );
    let (probes, out) = run(&schema, &[ev], RowProbeConfig::default());
    assert!(probes.is_empty());
    assert_eq!(out.skips[0].reason, SkipReason::SchemaDrift);
    assert!(
        out.skips[0].detail.contains("column k"),
        "{}",
        out.skips[0].detail
    );
}

#[test]
fn batches_are_bounded_and_padded() {
    let t = composite();
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let rows: Vec<Row> = (0..300)
        .map(|i| full(vec![s("p"), Value::Int(i), Value::Int(i % 7), s("c")]))
        .collect();
    let ev = event(&t, RowsKind::Delete, rows, vec![]);
    let config = RowProbeConfig {
        max_keys_per_probe: 64,
        ..RowProbeConfig::default()
    };
    let (probes, _) = run(&schema, &[ev], config);
    let pk = by_index(&probes, "PRIMARY");
    assert_eq!(pk.len(), 5);
    let total: usize = pk.iter().map(|p| p.keys.len()).sum();
    assert_eq!(total, 300);
    for p in &pk {
        assert!(p.keys.len() <= 64);
        let (sql, params) = sql_params(p);
        let tuples = sql.matches("(?,?)").count();
        assert!(
            tuples.is_power_of_two() && tuples >= p.keys.len(),
            "{tuples}"
        );
        assert_eq!(params.len(), tuples * 2);
        check_probe(p);
    }
    // The last batch holds 300 - 4*64 = 44 keys, padded to 64 by repeating the last one.
    let last = pk.last().unwrap();
    assert_eq!(last.keys.len(), 44);
    let params = sql_params(last).1;
    assert_eq!(params[params.len() - 2..], params[2 * 43..2 * 44]);
}

#[test]
fn identifiers_are_quoted_and_values_never_spliced() {
    let t = Table {
        db: "we`ird".into(),
        name: "t`1".into(),
        engine: None,
        columns: vec![col("i`d", "varchar"), col("v", "int")],
        indexes: vec![index("PRIMARY", &[0], true)],
        version: 0,
        rows_per_page: None,
    };
    let mut schema = Schema::new();
    schema.insert(t.clone());
    let evil = "x') OR 1=1; DROP TABLE t; --";
    let ev = event(
        &t,
        RowsKind::Delete,
        vec![full(vec![s(evil), Value::Int(1)])],
        vec![],
    );
    let (probes, _) = run(&schema, &[ev], RowProbeConfig::default());
    let (sql, params) = sql_params(&probes[0].1);
    assert_eq!(
        sql,
        "SELECT `v` FROM `we``ird`.`t``1` FORCE INDEX (PRIMARY) WHERE `i``d` IN (?)"
    );
    assert_eq!(params, &[s(evil)]);
}

mod planner {
    use super::*;
    use relay_prefetch::event::{Event, EventBody, Statement, Transaction};
    use relay_prefetch::plan::{Mode, RowKey, Skip};
    use relay_prefetch::rewrite::planner::{Planner, StatementPlan, StatementPlanner};

    /// Stands in for the statement rewriter: "DDL t" is DDL on db.t, anything else one probe.
    struct FakeStatements;

    impl StatementPlanner for FakeStatements {
        fn plan_statement(&mut self, st: &Statement, _schema: &Schema) -> StatementPlan {
            if let Some(t) = st.sql.strip_prefix("DDL ") {
                return StatementPlan {
                    skip: Some(Skip {
                        reason: SkipReason::Ddl,
                        detail: st.sql.clone(),
                    }),
                    ddl_tables: vec![("db".into(), t.into())],
                    ..StatementPlan::default()
                };
            }
            StatementPlan {
                probes: vec![Probe {
                    table: "db.comp".into(),
                    index: String::new(),
                    phase: 1,
                    sql: ProbeSql::Text(format!("SELECT 1 /* {} */", st.sql)),
                    keys: vec![],
                    row_keys: vec![],
                    follow_up: None,
                }],
                applier_keys: vec![RowKey {
                    table: Arc::from("db.comp"),
                    pk: None,
                }],
                ..StatementPlan::default()
            }
        }
    }

    fn ev(offset: u64, body: EventBody) -> Event {
        Event {
            pos: pos(offset),
            len: 10,
            type_code: 0,
            timestamp: 0,
            server_id: 1,
            log_pos: 0,
            body,
        }
    }

    fn query(offset: u64, sql: &str) -> Event {
        ev(
            offset,
            EventBody::Query(Box::new(Statement {
                db: Some("db".into()),
                sql: sql.into(),
                ..Statement::default()
            })),
        )
    }

    fn txn(seq: u64, events: Vec<Event>) -> Transaction {
        Transaction {
            seq,
            gtid: None,
            start: pos(seq * 1000),
            end: pos(seq * 1000 + 999),
            events,
        }
    }

    fn delete(t: &Table, offset: u64, b: i64) -> Event {
        let row = full(vec![s("a"), Value::Int(b), Value::Int(b % 3), s("c")]);
        ev(
            offset,
            EventBody::Rows(event(t, RowsKind::Delete, vec![row], vec![])),
        )
    }

    fn planner(max_txns: usize) -> Planner {
        let config = RowProbeConfig {
            max_txns_per_group: max_txns,
            ..RowProbeConfig::default()
        };
        Planner::with_statements(Mode::Rollback, config, Box::new(FakeStatements))
    }

    #[test]
    fn one_transaction_statements_and_rows_with_positions() {
        let t = composite();
        let mut schema = Schema::new();
        schema.insert(t.clone());
        let x = txn(
            1,
            vec![
                query(1010, "BEGIN"),
                query(1020, "UPDATE comp SET c = 1"),
                delete(&t, 1030, 1),
                delete(&t, 1040, 2),
            ],
        );
        let d = planner(1).plan_detailed(&x, &schema);
        assert_eq!(d.plan.probes.len(), 3, "{:?}", d.plan.probes);
        assert_eq!(d.positions.len(), 3);
        assert_eq!(d.positions[0].offset, 1020);
        // Row probes stay plain SELECTs even in rollback mode; both rows in one probe per index.
        assert_eq!(d.positions[1].offset, 1030);
        assert_eq!(d.plan.probes[1].keys.len(), 2);
        assert!(matches!(d.plan.probes[1].sql, ProbeSql::Prepared { .. }));
        assert_eq!(d.plan.applier_keys.len(), 3);
        assert!(d.plan.skips.is_empty(), "BEGIN is not a counted skip");
        assert_eq!(d.plan.session.db.as_deref(), Some("db"));
    }

    #[test]
    fn row_keys_of_neighbouring_transactions_merge_into_the_newest_plan() {
        let t = composite();
        let mut schema = Schema::new();
        schema.insert(t.clone());
        let txns: Vec<Transaction> = (0..10)
            .map(|i| txn(i, vec![delete(&t, i * 1000 + 10, i as i64)]))
            .collect();
        let plans = planner(4).plan_batch(&txns, &schema);
        assert_eq!(plans.len(), 10);
        let with_probes: Vec<u64> = plans
            .iter()
            .filter(|p| !p.probes.is_empty())
            .map(|p| p.seq)
            .collect();
        assert_eq!(with_probes, vec![3, 7, 9]);
        let pk_keys: usize = plans
            .iter()
            .flat_map(|p| &p.probes)
            .filter(|p| p.index == "PRIMARY")
            .map(|p| p.keys.len())
            .sum();
        assert_eq!(pk_keys, 10);
        assert!(plans.iter().all(|p| p.applier_keys.len() == 1));
    }

    #[test]
    fn statement_primary_key_lookups_batch_like_row_events() {
        let t = composite();
        let mut schema = Schema::new();
        schema.insert(t.clone());
        // Statement format: 20 single-row updates of a non-indexed column by primary key, a
        // DELETE with an IN list and an update of an indexed column (both need a phase 2).
        let mut txns: Vec<Transaction> = (0..20)
            .map(|i| {
                txn(
                    i,
                    vec![query(
                        i * 1000 + 10,
                        &format!(
                            "UPDATE comp SET c = 'v{i}' WHERE a = 'x' AND b = {}",
                            i % 10
                        ),
                    )],
                )
            })
            .collect();
        txns.push(txn(
            20,
            vec![query(
                20_010,
                "DELETE FROM comp WHERE a = 'y' AND b IN (1, 2)",
            )],
        ));
        txns.push(txn(
            21,
            vec![query(
                21_010,
                "UPDATE comp SET k = k + 1 WHERE a = 'z' AND b = 1",
            )],
        ));
        let mut p = Planner::new(Mode::Select, RowProbeConfig::default());
        let plans = p.plan_batch(&txns, &schema);
        assert_eq!(plans.len(), 22);
        let all: Vec<&Probe> = plans.iter().flat_map(|p| &p.probes).collect();
        assert!(
            all.iter()
                .all(|p| matches!(p.sql, ProbeSql::Prepared { .. })),
            "every statement is taken over: {all:?}"
        );
        assert_eq!(all.len(), 2, "{all:?}");
        let b = all.iter().find(|p| p.follow_up.is_none()).unwrap();
        assert_eq!(b.index, "PRIMARY");
        // 10 distinct (a, b) from the updates of `c`.
        assert_eq!(b.keys.len(), 10, "{:?}", b.keys);
        assert_eq!(b.keys[0], vec![s("x"), Value::Int(0)]);
        check_probe(b);
        // The batch rides on the newest transaction that contributed a key.
        let newest = |probe: &Probe| {
            plans
                .iter()
                .find(|p| p.probes.iter().any(|q| std::ptr::eq(q, probe)))
                .unwrap()
                .seq
        };
        assert_eq!(newest(b), 21);
        // The statements with a phase 2 share one batched phase 1 on the primary key …
        let f = all.iter().find(|p| p.follow_up.is_some()).unwrap();
        check_probe(f);
        assert_eq!(f.index, "PRIMARY");
        assert_eq!(
            f.keys,
            vec![
                vec![s("y"), Value::Int(1)],
                vec![s("y"), Value::Int(2)],
                vec![s("z"), Value::Int(1)],
            ]
        );
        let ProbeSql::Prepared { sql, params } = &f.sql else {
            unreachable!()
        };
        assert_eq!(
            &**sql,
            "SELECT `a`, `b`, `k` FROM `db`.`comp` FORCE INDEX (PRIMARY) \
             WHERE (`a`, `b`) IN ((?, ?), (?, ?), (?, ?), (?, ?))"
        );
        assert_eq!(params.len(), 8, "padded to four tuples");
        assert_eq!(f.row_keys.len(), 3);
        // … and one phase 2: each returned row goes to the statements that pinned its key. The
        // server returns (y,1) and (z,1) only ((y,2) does not exist): old entries of the
        // deleted row, old and new entries of the updated one.
        let p2 = f.follow_up.as_ref().unwrap().probes(&[
            vec![s("z"), Value::Int(1), Value::Int(40)],
            vec![s("y"), Value::Int(1), Value::Int(7)],
        ]);
        assert_eq!(p2.len(), 1, "{p2:?}");
        assert_eq!(p2[0].index, "k_1");
        assert_eq!(p2[0].phase, 2);
        let mut keys = p2[0].keys.clone();
        keys.sort_by_key(|k| format!("{k:?}"));
        assert_eq!(
            keys,
            vec![
                vec![Value::Int(40), s("z"), Value::Int(1)],
                vec![Value::Int(41), s("z"), Value::Int(1)],
                vec![Value::Int(7), s("y"), Value::Int(1)],
            ]
        );
        check_probe(&p2[0]);
        assert_eq!(newest(f), 21);
        // Every statement still reports the rows the applier touches.
        assert!(plans.iter().all(|p| !p.applier_keys.is_empty()));

        // The locking modes replay statements: nothing is taken over.
        let mut r = Planner::new(Mode::Rollback, RowProbeConfig::default());
        let plans = r.plan_batch(&txns[..20], &schema);
        assert!(plans.iter().all(|p| p.probes.len() == 1));
    }

    #[test]
    fn ddl_ends_the_batch_so_the_schema_can_be_reloaded() {
        let t = composite();
        let mut schema = Schema::new();
        schema.insert(t.clone());
        let txns = vec![
            txn(0, vec![delete(&t, 10, 1)]),
            txn(1, vec![query(1010, "DDL comp")]),
            txn(2, vec![delete(&t, 2010, 2)]),
        ];
        let plans = planner(64).plan_batch(&txns, &schema);
        assert_eq!(plans.len(), 2);
        assert_eq!(
            plans[1].ddl_tables,
            vec![("db".to_string(), "comp".to_string())]
        );
        assert_eq!(plans[0].probes.len(), 2, "flushed before the DDL");
    }

    #[test]
    fn the_statement_rewriter_plans_statements_and_names_ddl_tables() {
        let t = composite();
        let mut schema = Schema::new();
        schema.insert(t.clone());
        let txns = vec![
            txn(
                0,
                vec![
                    query(10, "DELETE FROM comp WHERE a = 'x' AND b = 1"),
                    delete(&t, 20, 2),
                ],
            ),
            txn(1, vec![query(1010, "ALTER TABLE comp ADD COLUMN z INT")]),
        ];
        let mut p = Planner::new(Mode::Select, RowProbeConfig::default());
        let plans = p.plan_batch(&txns, &schema);
        assert_eq!(plans.len(), 2);
        assert!(
            plans[0].probes.len() >= 3,
            "statement + 2 row probes: {:?}",
            plans[0].probes
        );
        assert!(plans[0].skips.is_empty(), "{:?}", plans[0].skips);
        assert_eq!(
            plans[1].ddl_tables,
            vec![("db".to_string(), "comp".to_string())]
        );
        assert_eq!(plans[1].skips[0].reason, SkipReason::Ddl);
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;
    use relay_prefetch::rewrite::rowkey::{Fold, encode_value};

    /// comp2(a varchar ci, b int, n int NULL, u int NULL): PRIMARY(a, b), KEY k_n(n), UNIQUE uk(u)
    fn table2() -> Table {
        let mut n = col("n", "int");
        n.nullable = true;
        let mut u = col("u", "int");
        u.nullable = true;
        table(
            "comp2",
            vec![col("a", "varchar"), col("b", "int"), n, u],
            vec![
                index("PRIMARY", &[0, 1], true),
                index("k_n", &[2], false),
                index("uk", &[3], true),
            ],
        )
    }

    fn value_of(v: Option<i64>) -> Option<Value> {
        Some(v.map_or(Value::Null, Value::Int))
    }

    fn arb_row() -> impl Strategy<Value = Row> {
        (
            prop::sample::select(vec!["x", "X", "x ", "y", "É", "é"]),
            0i64..4,
            prop::option::of(0i64..3),
            prop::option::of(0i64..3),
            any::<bool>(),
        )
            .prop_map(|(a, b, n, u, minimal)| {
                let n = if minimal { None } else { value_of(n) };
                row(vec![Some(s(a)), Some(Value::Int(b)), n, value_of(u)])
            })
    }

    fn arb_event(t: &Table) -> impl Strategy<Value = RowsEvent> + use<> {
        let t = t.clone();
        (0u8..3, prop::collection::vec((arb_row(), arb_row()), 1..6)).prop_map(
            move |(kind, rows)| {
                let (before, after): (Vec<Row>, Vec<Row>) = rows.into_iter().unzip();
                match kind {
                    0 => event(&t, RowsKind::Write, vec![], after),
                    1 => event(&t, RowsKind::Delete, before, vec![]),
                    _ => event(&t, RowsKind::Update, before, after),
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Whatever the images: every probe is one guarded SELECT with as many parameters as
        /// placeholders and at most `max` keys, and no key is probed twice in one window.
        #[test]
        fn probes_are_well_formed_and_deduplicated(
            events in prop::collection::vec(arb_event(&table2()), 1..8),
            max in 1usize..6,
        ) {
            let t = table2();
            let mut schema = Schema::new();
            schema.insert(t.clone());
            let config = RowProbeConfig { max_keys_per_probe: max, ..RowProbeConfig::default() };
            let (probes, _) = run(&schema, &events, config);
            let mut seen = std::collections::HashSet::new();
            for (_, p) in &probes {
                check_probe(p);
                prop_assert!(!p.keys.is_empty() && p.keys.len() <= max);
                prop_assert!(!p.row_keys.is_empty());
                let ix = t.indexes.iter().find(|i| i.name == p.index).unwrap();
                for k in &p.keys {
                    let width = if ix.unique { ix.columns.len() } else { ix.columns.len() + 2 };
                    prop_assert_eq!(k.len(), width);
                    let mut enc = p.index.as_bytes().to_vec();
                    for v in k {
                        encode_value(&mut enc, v, Fold { case: true, pad: true }, None);
                    }
                    prop_assert!(seen.insert(enc), "key probed twice: {:?}", k);
                }
            }
        }
    }
}

/// Keys probed in an earlier batch are skipped while remembering is on (a filling pool keeps
/// every page read), probed again once it is off, and a new key is always probed.
#[test]
fn remembered_keys_are_not_probed_again_across_flushes() {
    let mut schema = Schema::new();
    let t = composite();
    schema.insert(t.clone());
    let del = |a: &str, b: i64, k: i64| {
        event(
            &t,
            RowsKind::Delete,
            vec![full(vec![s(a), Value::Int(b), Value::Int(k), s("c")])],
            vec![],
        )
    };
    let keys =
        |probes: &[(Position, Probe)]| -> usize { probes.iter().map(|(_, p)| p.keys.len()).sum() };
    let mut b = RowProbeBuilder::new(RowProbeConfig::default());
    let mut out = RowsOutcome::default();
    let mut batch = |b: &mut RowProbeBuilder, evs: &[RowsEvent]| {
        for (i, ev) in evs.iter().enumerate() {
            b.add_event(ev, &pos(100 * (i as u64 + 1)), &schema, &mut out);
        }
        let mut p = b.take_ready();
        p.extend(b.flush());
        p
    };
    // Off (the default): every batch probes its keys, clustered and secondary.
    assert_eq!(keys(&batch(&mut b, &[del("x", 1, 7)])), 2);
    assert_eq!(keys(&batch(&mut b, &[del("x", 1, 7)])), 2);
    b.set_remember(1 << 20, false);
    assert_eq!(keys(&batch(&mut b, &[del("x", 1, 7)])), 2);
    // Remembered: the same row again needs nothing; a new row only its own two entries.
    assert_eq!(keys(&batch(&mut b, &[del("x", 1, 7)])), 0);
    let p = batch(&mut b, &[del("x", 1, 7), del("y", 2, 7)]);
    assert_eq!(keys(&p), 2);
    assert!(
        p.iter()
            .all(|(_, pr)| pr.keys.iter().all(|k| k.contains(&s("y"))))
    );
    // Off again (the pool evicts): forgotten, probed again.
    b.set_remember(0, false);
    assert_eq!(keys(&batch(&mut b, &[del("x", 1, 7)])), 2);
}

/// A remembered set that would pass its bound in bytes starts over: keys are probed again, never
/// lost. `forget` drops what was remembered (a new buffer-pool epoch).
#[test]
fn a_full_remembered_set_starts_over_and_forget_forgets() {
    let mut schema = Schema::new();
    let t = composite();
    schema.insert(t.clone());
    let del = |b: i64| {
        event(
            &t,
            RowsKind::Delete,
            vec![full(vec![s("x"), Value::Int(b), Value::Int(b), s("c")])],
            vec![],
        )
    };
    let mut out = RowsOutcome::default();
    let mut pk_keys = |b: &mut RowProbeBuilder, ids: &[i64]| -> usize {
        for (i, id) in ids.iter().enumerate() {
            b.add_event(&del(*id), &pos(100 * (i as u64 + 1)), &schema, &mut out);
        }
        let mut p = b.take_ready();
        p.extend(b.flush());
        by_index(&p, "PRIMARY").iter().map(|p| p.keys.len()).sum()
    };
    // A bound no set fits in: every batch probes its keys again.
    let mut b = RowProbeBuilder::new(RowProbeConfig::default());
    b.set_remember(8, false);
    assert_eq!(pk_keys(&mut b, &[1, 2]), 2);
    assert_eq!(pk_keys(&mut b, &[1, 2]), 2);
    assert_eq!(b.take_remembered(), 0);
    // Room enough: remembered, counted, then forgotten on request.
    let mut b = RowProbeBuilder::new(RowProbeConfig::default());
    b.set_remember(1 << 20, false);
    assert_eq!(pk_keys(&mut b, &[1, 2]), 2);
    assert_eq!(pk_keys(&mut b, &[1, 2, 3]), 1);
    // Two keys of PRIMARY and two of the secondary index were remembered.
    assert_eq!(b.take_remembered(), 4);
    b.set_remember(1 << 20, true);
    assert_eq!(pk_keys(&mut b, &[1, 2, 3]), 3);
    assert_eq!(b.take_remembered(), 0);
}

/// While remembering is on (a filling pool), a key of a one-integer clustered key within the
/// page span of one already probed is skipped too: the leaf page it shares is in the pool. Not
/// without remembering, not without a rows-per-page estimate, and never on secondary indexes.
#[test]
fn keys_sharing_a_leaf_page_with_a_probed_key_are_skipped_while_the_pool_fills() {
    let mk = |rows_per_page: Option<u64>| {
        let mut t = table(
            "ints",
            vec![col("id", "int"), col("k", "int"), col("c", "varchar")],
            vec![index("PRIMARY", &[0], true), index("k", &[1], false)],
        );
        t.rows_per_page = rows_per_page;
        t
    };
    let run = |t: &Table, remember: usize, batches: &[std::ops::RangeInclusive<i64>]| {
        let mut schema = Schema::new();
        schema.insert(t.clone());
        let mut b = RowProbeBuilder::new(RowProbeConfig::default());
        b.set_remember(remember, false);
        let mut out = RowsOutcome::default();
        let mut counts = Vec::new();
        for ids in batches {
            for (i, id) in ids.clone().enumerate() {
                let ev = event(
                    t,
                    RowsKind::Delete,
                    vec![full(vec![Value::Int(id), Value::Int(1000 + id), s("c")])],
                    vec![],
                );
                b.add_event(&ev, &pos(100 * (i as u64 + 1)), &schema, &mut out);
            }
            let mut p = b.take_ready();
            p.extend(b.flush());
            let pk: Vec<Value> = by_index(&p, "PRIMARY")
                .iter()
                .flat_map(|p| p.keys.iter().map(|k| k[0].clone()))
                .collect();
            let k: usize = by_index(&p, "k").iter().map(|p| p.keys.len()).sum();
            counts.push((pk, k));
        }
        counts
    };
    let ints = |v: &[i64]| v.iter().map(|&i| Value::Int(i)).collect::<Vec<_>>();
    // 64 rows per page: spans of 8 ids (0–7, 8–15, 16–23).
    let paged = mk(Some(64));
    let got = run(&paged, 1 << 20, &[1..=16, 17..=23, 24..=24]);
    assert_eq!(
        got[0],
        (ints(&[1, 8, 16]), 16),
        "one key per span, every k entry"
    );
    assert_eq!(
        got[1],
        (ints(&[]), 7),
        "span 16–23 was probed in the batch before"
    );
    assert_eq!(got[2], (ints(&[24]), 1), "a new span");
    // Not remembering (an evicting pool): every key.
    let got = run(&paged, 0, &[1..=16]);
    assert_eq!(got[0].0.len(), 16);
    // No estimate (a schema file), or too few rows per page to matter: every key.
    assert_eq!(run(&mk(None), 1 << 20, &[1..=16])[0].0.len(), 16);
    assert_eq!(run(&mk(Some(15)), 1 << 20, &[1..=16])[0].0.len(), 16);
}
