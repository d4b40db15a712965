//! Statement-format phase-2 batching against a real MariaDB primary + replica (STATEMENT
//! binlog format): `UPDATE … SET k = k + 1 WHERE id = ?` and `DELETE … WHERE id = ?` on tables
//! with a secondary index need the clustered row (phase 1) and then the old and new entries of
//! the index (phase 2). The planner batches both phases across statements. From the replica's
//! relay log, every probe is run with the real executor as a SELECT-only user; the follow-ups
//! get the rows the server returned. The test checks, against an independent model computed
//! from the replica's data before the backlog and the statements' text:
//! - the probes read exactly the index entries the statements will touch: the clustered rows
//!   they pin, the old entries of updated and deleted rows and the new entries of updated ones
//!   (phase 2), the entries inserted rows create (phase 1); single-column and composite keys;
//! - it does so in a few round trips per hundred statements, without errors;
//! - nothing was written (checksums after the applier catches up).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use mysql::prelude::Queryable;
use relay_prefetch::event::{Position, StreamOutcome, Transaction, TransactionStream, Value};
use relay_prefetch::exec::{ExecOptions, Executor, Job, MysqlExecutor, Outcome};
use relay_prefetch::metrics::Metrics;
use relay_prefetch::plan::{Mode, Probe, ProbeSql, Session};
use relay_prefetch::relay::RelaySource;
use relay_prefetch::replica::{ConnSpec, Flavor};
use relay_prefetch::rewrite::planner::Planner;
use relay_prefetch::rewrite::rows::RowProbeConfig;
use relay_prefetch::sandbox::{Sandbox, SandboxOptions};
use relay_prefetch::schema;

/// (index, key tuple as integers/strings rendered) — one secondary entry.
type Entry = (String, Vec<String>);

fn render(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format!("{other:?}"),
    }
}

#[test]
fn phase_two_of_statements_is_batched_and_reads_exactly_the_touched_entries() {
    let sb = match Sandbox::start(SandboxOptions {
        binlog_format: "STATEMENT".into(),
        ..SandboxOptions::default()
    }) {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("skipped: cannot start a MariaDB sandbox: {e}");
            return;
        }
    };
    let mut p = sb.primary.conn().unwrap();
    for q in [
        "CREATE DATABASE sb",
        "USE sb",
        "CREATE TABLE sb.t (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, c CHAR(20) NOT NULL, \
         pad CHAR(10) NOT NULL DEFAULT '', KEY k_1 (k)) ENGINE=InnoDB",
        "CREATE TABLE sb.v (a VARCHAR(10) NOT NULL, b INT NOT NULL, k INT NOT NULL, \
         note CHAR(5) NOT NULL DEFAULT '', PRIMARY KEY (a, b), KEY k_v (k)) ENGINE=InnoDB",
        "INSERT INTO sb.t (id, k, c) SELECT seq, seq % 97, CONCAT('c', seq) FROM seq_1_to_3000",
        "INSERT INTO sb.v (a, b, k) SELECT CONCAT('a', seq % 7), seq, seq % 13 FROM seq_1_to_1000",
    ] {
        p.query_drop(q).unwrap();
    }
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    sb.stop_sql_thread().unwrap();
    let st = sb.replica_status().unwrap();
    let start = Position {
        file: Arc::from(
            sb.replica
                .datadir()
                .join(&st.relay_log_file)
                .to_string_lossy()
                .as_ref(),
        ),
        offset: st.relay_log_pos,
    };

    // The replica's data before the backlog: what the prefetcher reads.
    let mut r = sb.replica.conn().unwrap();
    let k_of: BTreeMap<i64, i64> = r
        .query::<(i64, i64), _>("SELECT id, k FROM sb.t")
        .unwrap()
        .into_iter()
        .collect();
    let kv_of: BTreeMap<(String, i64), i64> = r
        .query::<(String, i64, i64), _>("SELECT a, b, k FROM sb.v")
        .unwrap()
        .into_iter()
        .map(|(a, b, k)| ((a, b), k))
        .collect();

    // The backlog, and the model of the entries it touches. The prefetcher reads the rows as
    // they are before the backlog, so the model uses the pre-backlog `k` of every row.
    let mut want: BTreeSet<Entry> = BTreeSet::new();
    let mut want_pk: BTreeSet<Entry> = BTreeSet::new();
    let e = |ix: &str, vals: Vec<String>| (ix.to_string(), vals);
    let pk = |t: &str, vals: Vec<String>| (format!("sb.{t}"), vals);
    let mut statements = 0usize;
    for i in 0..400i64 {
        let id = 1 + (i * 7919) % 3000;
        p.query_drop(format!("UPDATE sb.t SET k = k + 1 WHERE id = {id}"))
            .unwrap();
        let k = k_of[&id];
        want.insert(e("k_1", vec![k.to_string(), id.to_string()]));
        want.insert(e("k_1", vec![(k + 1).to_string(), id.to_string()]));
        want_pk.insert(pk("t", vec![id.to_string()]));
        p.query_drop(format!(
            "UPDATE sb.t SET c = 'u{i}' WHERE id = {}",
            3001 - id
        ))
        .unwrap();
        want_pk.insert(pk("t", vec![(3001 - id).to_string()]));
        statements += 2;
        if i % 4 == 0 {
            let gone = 1 + (i * 104_729 + 13) % 3000;
            p.query_drop(format!("DELETE FROM sb.t WHERE id = {gone}"))
                .unwrap();
            want.insert(e("k_1", vec![k_of[&gone].to_string(), gone.to_string()]));
            want_pk.insert(pk("t", vec![gone.to_string()]));
            // A key that does not exist: no row, so no phase 2.
            p.query_drop(format!("DELETE FROM sb.t WHERE id = {}", 10_000 + i))
                .unwrap();
            want_pk.insert(pk("t", vec![(10_000 + i).to_string()]));
            // A new row: the clustered leaf it goes to and its entry in k_1.
            p.query_drop(format!(
                "INSERT INTO sb.t (id, k, c) VALUES ({}, {}, 'n{i}')",
                5000 + i,
                i % 50
            ))
            .unwrap();
            want.insert(e("k_1", vec![(i % 50).to_string(), (5000 + i).to_string()]));
            want_pk.insert(pk("t", vec![(5000 + i).to_string()]));
            statements += 3;
        }
        if i % 2 == 0 {
            let b = 1 + (i * 31) % 1000;
            let a = format!("a{}", b % 7);
            p.query_drop(format!(
                "UPDATE sb.v SET k = k + 2 WHERE a = '{a}' AND b = {b}"
            ))
            .unwrap();
            let k = kv_of[&(a.clone(), b)];
            want.insert(e("k_v", vec![k.to_string(), a.clone(), b.to_string()]));
            want.insert(e(
                "k_v",
                vec![(k + 2).to_string(), a.clone(), b.to_string()],
            ));
            want_pk.insert(pk("v", vec![a, b.to_string()]));
            statements += 1;
        }
    }
    sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
        .unwrap();

    // Plan the relay log as the daemon does (select mode, batches across transactions).
    let schema = schema::load_from_server(&sb.replica.url(), Some(&["sb".to_string()])).unwrap();
    let txns = read_transactions(&sb, start);
    assert!(txns.len() >= statements, "{} transactions", txns.len());
    let mut planner = Planner::new(Mode::Select, RowProbeConfig::default());
    let mut plans = Vec::new();
    let mut rest = &txns[..];
    while !rest.is_empty() {
        let batch = planner.plan_batch(rest, &schema);
        rest = &rest[batch.len()..];
        plans.extend(batch);
    }

    // Run every probe as a SELECT-only user with the real executor; feed follow-ups.
    let url = sb.replica.create_select_user("probe", "probe-pw").unwrap();
    let opts = mysql::Opts::from_url(&url).unwrap();
    let spec = ConnSpec {
        host: "127.0.0.1".into(),
        port: sb.replica.port(),
        socket: None,
        user: opts.get_user().map(str::to_string),
        password: opts.get_pass().map(str::to_string),
    };
    let version = sb
        .replica
        .query_string("SELECT VERSION()")
        .unwrap()
        .unwrap();
    let mut exec = MysqlExecutor::new(
        spec,
        Arc::new(ExecOptions {
            mode: Mode::Select,
            flavor: Flavor::parse(&version, ""),
            priority: None,
            probe_timeout_ms: 5000,
        }),
        Metrics::new(),
    );
    exec.connect_now().unwrap();
    let session = Session::default();
    let mut got: BTreeSet<Entry> = BTreeSet::new();
    let mut got_pk: BTreeSet<Entry> = BTreeSet::new();
    let (mut phase1, mut phase2) = (0usize, 0usize);
    let mut queue: Vec<Probe> = plans.iter().flat_map(|p| p.probes.clone()).collect();
    while let Some(probe) = queue.pop() {
        assert!(
            matches!(probe.sql, ProbeSql::Prepared { .. }),
            "every probe here is batched and prepared: {probe:?}"
        );
        let job = Job {
            seq: 1,
            probe: &probe,
            session: &session,
            want_rows: probe.follow_up.is_some(),
            applier_seq: 0,
        };
        let res = exec.run(&job);
        assert_eq!(res.outcome, Outcome::Ok, "{probe:?}");
        for k in &probe.keys {
            let vals = k.iter().map(render).collect();
            if probe.index == "PRIMARY" {
                got_pk.insert((probe.table.clone(), vals));
            } else {
                got.insert((probe.index.clone(), vals));
            }
        }
        if probe.phase == 2 {
            phase2 += 1;
        } else {
            phase1 += 1;
        }
        if let Some(f) = &probe.follow_up {
            queue.extend(f.probes(&res.rows));
        }
    }
    eprintln!(
        "{statements} statements: {phase1} phase-1 and {phase2} phase-2 probes, {} entries",
        got.len()
    );
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} missing (first {:?}), {} extra (first {:?})",
        missing.len(),
        missing.first(),
        extra.len(),
        extra.first()
    );
    assert_eq!(got_pk, want_pk, "clustered rows read");
    assert!(
        (phase1 + phase2) * 20 < statements,
        "{phase1} + {phase2} round trips for {statements} statements: not batched"
    );

    // Nothing written: once the applier has caught up, the replica equals the primary.
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    let sums = |srv: &relay_prefetch::sandbox::Server| {
        let mut c = srv.conn().unwrap();
        let v: Vec<(String, Option<u64>)> = c.query("CHECKSUM TABLE sb.t, sb.v").unwrap();
        v
    };
    assert_eq!(sums(&sb.primary), sums(&sb.replica));
}

fn read_transactions(sb: &Sandbox, start: Position) -> Vec<Transaction> {
    let source = RelaySource::from_paths(&[sb.replica.relay_log_index()]);
    let mut stream = TransactionStream::open(source, Some(start), false).unwrap();
    let mut out = Vec::new();
    loop {
        match stream.next() {
            StreamOutcome::Transaction(t) => out.push(t),
            StreamOutcome::End | StreamOutcome::Pending => return out,
            StreamOutcome::Error(e) => panic!("relay log: {e}"),
        }
    }
}
