//! The reader and decoder against the third-party MySQL/MariaDB binlog fixtures in
//! `../shared/fixtures/mysql-binlogs` (see its README): every file frames without panic, intact
//! files decode fully, the deliberately broken ones give errors naming file and offset.
//! Skips (with a message) when the folder is absent, as in a user's clone.

use std::path::{Path, PathBuf};

use relay_prefetch::event::{
    EventBody, EventOutcome, EventStream, Gtid, RowsKind, StreamOutcome, TransactionStream, Value,
};
use relay_prefetch::relay::{ReadOutcome, Reader, RelaySource};

/// Broken by design, with the offset of the first error each must report.
const BROKEN: [(&str, u64); 4] = [
    ("binlog_truncated_event.000001", 4),
    ("binlog_truncated_prev_gtid_event.000001", 120),
    ("corrupt-relay-bin.000624", 91204),
    ("ver_5_1-wl2325_r.001", 428),
];

fn fixtures() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/mysql-binlogs");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} absent", dir.display());
        None
    }
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    v.sort();
    v
}

/// Decode a whole file: (events, error messages).
fn decode(path: &Path) -> (Vec<relay_prefetch::event::Event>, Vec<String>) {
    let src = RelaySource::Files(vec![path.to_path_buf()]);
    let mut s = EventStream::open(src, None, false).unwrap();
    let (mut evs, mut errs) = (Vec::new(), Vec::new());
    for _ in 0..100_000 {
        match s.next() {
            EventOutcome::Event(e) => evs.push(e),
            EventOutcome::Error(e) => errs.push(e.to_string()),
            EventOutcome::End => return (evs, errs),
            EventOutcome::Pending => panic!("Pending without follow"),
        }
    }
    panic!("{} never ended", path.display())
}

fn named(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[test]
fn every_file_frames_and_intact_files_decode_fully() {
    let Some(dir) = fixtures() else { return };
    let files = all_files(&dir);
    assert!(
        files.len() >= 41,
        "expected the 41 fixtures, found {}",
        files.len()
    );
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        // Framing alone never panics and ends.
        let mut r = Reader::open(RelaySource::Files(vec![f.clone()]), None, false).unwrap();
        let mut n = 0;
        while !matches!(r.next(), ReadOutcome::End) {
            n += 1;
            assert!(n < 100_000, "{name}: reader does not end");
        }
        let (events, errors) = decode(f);
        match BROKEN.iter().find(|(b, _)| *b == name) {
            Some((_, off)) => {
                let want = format!("{name}:{off}:");
                assert!(
                    errors.first().is_some_and(|e| e.contains(&want)),
                    "{name}: first error should name {want}, got {errors:?}"
                );
            }
            None => {
                assert!(errors.is_empty(), "{name}: {errors:?}");
                assert_eq!(events[0].type_code, 15, "{name} starts with an FDE");
                let last = events.last().unwrap();
                assert_eq!(
                    last.end_offset(),
                    std::fs::metadata(f).unwrap().len(),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn broken_files_keep_what_decodes() {
    let Some(dir) = fixtures() else { return };
    let (events, errors) = decode(&named(&dir, "corrupt-relay-bin.000624"));
    assert!(
        events.len() > 800,
        "events before the broken one still decode"
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (events, errors) = decode(&named(&dir, "binlog_truncated_prev_gtid_event.000001"));
    assert_eq!(events.len(), 1);
    assert!(errors[0].contains("truncated"), "{errors:?}");
}

#[test]
fn transaction_payload_inner_rows_decode() {
    let Some(dir) = fixtures() else { return };
    let (events, _) = decode(&named(&dir, "transaction_compression.000001"));
    let codes: Vec<u8> = events.iter().map(|e| e.type_code).collect();
    assert_eq!(codes, [15, 35, 34, 40, 2, 19, 30, 16, 4]);
    let src = RelaySource::Files(vec![named(&dir, "transaction_compression.000001")]);
    let mut s = TransactionStream::open(src, None, false).unwrap();
    let StreamOutcome::Transaction(t) = s.next() else {
        panic!("one transaction")
    };
    assert_eq!(t.gtid, Some(Gtid::Anonymous));
    assert_eq!((t.start.offset, t.end.offset), (197, 431));
    let EventBody::Rows(r) = &t.events[1].body else {
        panic!("rows after the table map: {:?}", t.events)
    };
    assert_eq!(
        (r.kind, r.table.db.as_str(), r.table.table.as_str()),
        (RowsKind::Write, "test", "tb1")
    );
    assert_eq!(r.after[0].values, vec![Some(Value::Int(1))]);
    assert!(matches!(s.next(), StreamOutcome::End));
}

#[test]
fn mariadb_events() {
    let Some(dir) = fixtures() else { return };
    let path = named(&dir, "mariadb-bin.000001");
    let (events, _) = decode(&path);
    let codes: Vec<u8> = events.iter().map(|e| e.type_code).collect();
    assert_eq!(
        codes,
        [15, 163, 161, 162, 160, 19, 23, 16, 162, 160, 19, 23, 16]
    );
    assert_eq!(
        events[2].body,
        EventBody::BinlogCheckpoint("mariadb-bin.000001".into())
    );
    let EventBody::AnnotateRows(sql) = &events[4].body else {
        panic!("annotate")
    };
    assert!(sql.starts_with("insert into outbox"));
    let EventBody::TableMap(t) = &events[5].body else {
        panic!("table map")
    };
    // binlog_row_metadata=FULL: names come with the map.
    assert_eq!(t.columns[0].name.as_deref(), Some("id"));
    let mut s = TransactionStream::open(RelaySource::Files(vec![path]), None, false).unwrap();
    let mut gtids = Vec::new();
    while let StreamOutcome::Transaction(t) = s.next() {
        gtids.push(t.gtid.unwrap().to_string());
        let EventBody::Rows(r) = &t.events[2].body else {
            panic!("rows")
        };
        assert_eq!(
            r.after[0].values[3],
            Some(Value::Bytes(br#"{"foo":1}"#.to_vec()))
        );
    }
    assert_eq!(gtids, ["0-1-1", "0-1-2"]);
}

#[test]
fn mysql_gtids_plain_tagged_and_previous() {
    let Some(dir) = fixtures() else { return };
    let (events, _) = decode(&named(&dir, "binlog_transaction_with_GTID_TAG.000001"));
    let EventBody::Gtid { gtid, .. } = &events[2].body else {
        panic!("gtid")
    };
    assert_eq!(
        gtid.to_string(),
        "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3"
    );
    let EventBody::GtidList(prev) = &events[1].body else {
        panic!("previous gtids")
    };
    assert_eq!(prev.len(), 2);
    let (events, _) = decode(&named(&dir, "binlog_transaction_with_GTID.000001"));
    assert!(matches!(
        &events[2].body,
        EventBody::Gtid {
            gtid: Gtid::MySql { tag: None, .. },
            ..
        }
    ));
}

#[test]
fn rows_v1_v2_and_json_partial_updates() {
    let Some(dir) = fixtures() else { return };
    for name in [
        "ver_trunk_row_v2.001",
        "update-full-row.binlog",
        "json.binlog.000001",
        "vector.binlog",
    ] {
        let (events, errors) = decode(&named(&dir, name));
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let rows: usize = events
            .iter()
            .map(|e| match &e.body {
                EventBody::Rows(r) => r.row_count(),
                _ => 0,
            })
            .sum();
        assert!(rows > 0, "{name} has rows");
    }
    let (events, _) = decode(&named(&dir, "json.binlog.000001"));
    let partial = events
        .iter()
        .find(|e| e.type_code == 39)
        .expect("partial update event");
    let EventBody::Rows(r) = &partial.body else {
        panic!("rows")
    };
    assert_eq!(r.kind, RowsKind::Update);
    assert_eq!(r.before.len(), r.after.len());
}

#[test]
fn inspect_exit_codes_and_json() {
    let Some(dir) = fixtures() else { return };
    let bin = env!("CARGO_BIN_EXE_relay-prefetch");
    let ok = std::process::Command::new(bin)
        .args(["inspect", "--json"])
        .arg(named(&dir, "mariadb-bin.000001"))
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(ok.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 13);
    let rows = lines.iter().find(|l| l["type"] == "write_rows").unwrap();
    assert_eq!(
        (rows["table"].as_str(), rows["rows"].as_u64()),
        (Some("toddy_test.outbox"), Some(1))
    );
    assert!(
        lines
            .iter()
            .all(|l| l["file"].is_string() && l["offset"].is_u64())
    );

    let bad = std::process::Command::new(bin)
        .args(["inspect"])
        .arg(named(&dir, "corrupt-relay-bin.000624"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("corrupt-relay-bin.000624:91204"), "{err}");
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("# at 91176 "),
        "earlier events printed"
    );
}
