//! Reader behaviour on hand-built files: live tail, corruption and resynchronisation, rotation
//! with a transaction split across files, purge while reading, start positions.

use std::path::{Path, PathBuf};

use super::synth::{BinlogWriter, SynthCol, SynthVal};
use super::*;
use crate::error::ErrorKind;
use crate::event::{EventBody, StreamOutcome, TransactionStream, Value};

const COLS: [SynthCol; 2] = [SynthCol::Int, SynthCol::Varchar];

fn row(i: i32, s: &str) -> Vec<SynthVal> {
    vec![SynthVal::Int(i), SynthVal::Str(s.into())]
}

/// One full MariaDB-style transaction; returns the offset of its rows event.
fn tx(w: &mut BinlogWriter, seq: u64) -> u64 {
    w.gtid(seq)
        .query("db", "BEGIN")
        .table_map(7, "db", "t", &COLS);
    let rows_at = w.offset();
    w.write_rows(7, &COLS, &[row(seq as i32, "x")]).xid(seq);
    rows_at
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn event(out: ReadOutcome) -> RawEvent {
    match out {
        ReadOutcome::Event(e) => e,
        other => panic!("expected an event, got {other:?}"),
    }
}

fn error(out: ReadOutcome) -> crate::Error {
    match out {
        ReadOutcome::Error(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn partial_tail_is_pending_then_the_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = BinlogWriter::new(true);
    w.gtid(1);
    let q_at = w.offset() as usize;
    w.query("db", "BEGIN");
    let full = w.bytes().to_vec();
    let p = write(dir.path(), "relay.000001", &full[..q_at + 10]);
    let mut r = Reader::open(RelaySource::Files(vec![p.clone()]), None, true).unwrap();
    assert_eq!(
        event(r.next()).header.type_code,
        header::code::FORMAT_DESCRIPTION
    );
    assert_eq!(event(r.next()).header.type_code, header::code::MARIA_GTID);
    assert!(matches!(r.next(), ReadOutcome::Pending));
    assert!(matches!(r.next(), ReadOutcome::Pending));
    assert_eq!(r.position().unwrap().offset, q_at as u64);
    std::fs::write(&p, &full).unwrap();
    let q = event(r.next());
    assert_eq!((q.pos.offset, q.header.type_code), (q_at as u64, 2));
    assert!(matches!(r.next(), ReadOutcome::Pending));
}

#[test]
fn truncated_tail_without_follow_is_an_error_naming_file_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = BinlogWriter::new(true);
    let at = w.offset() as usize;
    w.gtid(1);
    let p = write(dir.path(), "relay.000001", &w.bytes()[..at + 5]);
    let mut r = Reader::open(RelaySource::Files(vec![p]), None, false).unwrap();
    event(r.next());
    let e = error(r.next());
    assert_eq!(e.kind(), ErrorKind::Truncated);
    assert!(e.to_string().contains(&format!("relay.000001:{at}")), "{e}");
    assert!(matches!(r.next(), ReadOutcome::End));
}

#[test]
fn checksum_mismatch_resyncs_at_next_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = BinlogWriter::new(true);
    let bad_at = tx(&mut w, 1);
    let second = w.offset();
    tx(&mut w, 2);
    let mut bytes = w.bytes().to_vec();
    bytes[bad_at as usize + 25] ^= 0x40;
    let p = write(dir.path(), "relay.000001", &bytes);
    let mut r = Reader::open(RelaySource::Files(vec![p.clone()]), None, false).unwrap();
    for _ in 0..4 {
        event(r.next()); // FDE, GTID, BEGIN, TABLE_MAP
    }
    let e = error(r.next());
    assert_eq!(e.kind(), ErrorKind::Checksum);
    assert!(
        e.to_string().contains(&format!("relay.000001:{bad_at}")),
        "{e}"
    );
    let g = event(r.next());
    assert_eq!(
        (g.pos.offset, g.header.type_code),
        (second, header::code::MARIA_GTID)
    );

    // The transaction stream drops the broken transaction and delivers the next one whole.
    let mut s = TransactionStream::open(RelaySource::Files(vec![p]), None, false).unwrap();
    assert!(matches!(s.next(), StreamOutcome::Error(_)));
    let StreamOutcome::Transaction(t) = s.next() else {
        panic!("expected transaction 2")
    };
    assert_eq!(t.gtid.unwrap().to_string(), "0-1-2");
    assert_eq!(t.seq, 0);
    assert!(matches!(s.next(), StreamOutcome::End));
}

#[test]
fn impossible_length_is_corrupt_and_resyncs() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = BinlogWriter::new(false);
    let bad_at = tx(&mut w, 1) as usize;
    let second = w.offset();
    tx(&mut w, 2);
    let mut bytes = w.bytes().to_vec();
    bytes[bad_at + 9..bad_at + 13].copy_from_slice(&5u32.to_le_bytes());
    let p = write(dir.path(), "relay.000001", &bytes);
    let mut r = Reader::open(RelaySource::Files(vec![p]), None, false).unwrap();
    for _ in 0..4 {
        event(r.next());
    }
    assert_eq!(error(r.next()).kind(), ErrorKind::Corrupt);
    assert_eq!(event(r.next()).pos.offset, second);
}

#[test]
fn transaction_split_across_rotation_keeps_its_table_map() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = BinlogWriter::new(true);
    a.gtid(5)
        .query("db", "BEGIN")
        .table_map(7, "db", "t", &COLS);
    a.rotate("relay.000002");
    let mut b = BinlogWriter::new(true);
    b.write_rows(7, &COLS, &[row(42, "hello")]).xid(9);
    write(dir.path(), "relay.000001", a.bytes());
    let p2 = write(dir.path(), "relay.000002", b.bytes());
    let idx = write(
        dir.path(),
        "relay.index",
        b"./relay.000001\n./relay.000002\n",
    );
    let mut s = TransactionStream::open(RelaySource::Index(idx), None, false).unwrap();
    let StreamOutcome::Transaction(t) = s.next() else {
        panic!("expected a transaction")
    };
    assert_eq!(t.end.file.as_ref(), p2.display().to_string());
    assert_eq!(t.end.offset, b.offset());
    let rows = t
        .events
        .iter()
        .find_map(|e| match &e.body {
            EventBody::Rows(r) => Some(r),
            _ => None,
        })
        .expect("rows event");
    assert_eq!(rows.after[0].values[0], Some(Value::Int(42)));
    assert_eq!(
        rows.after[0].values[1],
        Some(Value::Bytes(b"hello".to_vec()))
    );
    assert!(matches!(s.next(), StreamOutcome::End));
}

#[test]
fn purged_file_is_finished_then_the_index_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = BinlogWriter::new(true);
    tx(&mut a, 1);
    a.rotate("relay.000002");
    let mut b = BinlogWriter::new(true);
    tx(&mut b, 2);
    let p1 = write(dir.path(), "relay.000001", a.bytes());
    write(dir.path(), "relay.000002", b.bytes());
    let idx = write(
        dir.path(),
        "relay.index",
        b"./relay.000001\n./relay.000002\n",
    );
    let mut s = TransactionStream::open(RelaySource::Index(idx.clone()), None, true).unwrap();
    let StreamOutcome::Transaction(t1) = s.next() else {
        panic!("tx 1")
    };
    // The server purges relay.000001 while we are still inside it.
    std::fs::remove_file(&p1).unwrap();
    std::fs::write(&idx, "./relay.000002\n").unwrap();
    let StreamOutcome::Transaction(t2) = s.next() else {
        panic!("tx 2")
    };
    assert_eq!(
        (t1.gtid.unwrap().to_string(), t2.gtid.unwrap().to_string()),
        ("0-1-1".into(), "0-1-2".into())
    );
    assert!(matches!(s.next(), StreamOutcome::Pending));
}

#[test]
fn start_position_seeks_after_reading_the_fde() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = BinlogWriter::new(true);
    tx(&mut w, 1);
    let second = w.offset();
    tx(&mut w, 2);
    let p = write(dir.path(), "relay.000001", w.bytes());
    let src = RelaySource::Files(vec![p.clone()]);
    let start = parse_position(&format!("relay.000001:{second}")).unwrap();
    let mut r = Reader::open(src.clone(), Some(start), false).unwrap();
    let g = event(r.next());
    assert_eq!((g.pos.offset, g.fde.checksum), (second, true));
    let bad = parse_position(&format!("{}:{}", p.display(), second + 1)).unwrap();
    let e = Reader::open(src, Some(bad), false).err().unwrap();
    assert!(e.to_string().contains("not an event boundary"), "{e}");
}

#[test]
fn bad_magic_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.000001", b"hello world, not a binlog");
    let mut r = Reader::open(RelaySource::Files(vec![p]), None, false).unwrap();
    let e = error(r.next());
    assert!(e.to_string().contains("x.000001:0"), "{e}");
    assert!(matches!(r.next(), ReadOutcome::End));
}

#[test]
fn grouping_of_statements_without_and_with_gtids() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = BinlogWriter::new(false);
    w.query("db", "CREATE TABLE a (x INT)"); // old-style standalone DDL
    w.query("db", "BEGIN")
        .query("db", "INSERT INTO a VALUES (1)")
        .query("db", "COMMIT");
    w.gtid_standalone(3).query("db", "DROP TABLE a"); // standalone GTID + DDL
    // MariaDB: the GTID opens the transaction, no BEGIN follows; it ends at XID or COMMIT.
    w.gtid(4)
        .query("db", "UPDATE a SET x = 2")
        .query("db", "DELETE FROM a WHERE x = 1")
        .xid(4);
    w.gtid(5)
        .query("db", "INSERT INTO m VALUES (1)")
        .query("db", "COMMIT");
    // A BEGIN right after the GTID (older writers) changes nothing.
    w.gtid(6)
        .query("db", "BEGIN")
        .query("db", "INSERT INTO a VALUES (6)")
        .xid(6);
    let p = write(dir.path(), "relay.000001", w.bytes());
    let mut s = TransactionStream::open(RelaySource::Files(vec![p]), None, false).unwrap();
    let mut got = Vec::new();
    while let StreamOutcome::Transaction(t) = s.next() {
        let sqls: Vec<String> = t
            .events
            .iter()
            .filter_map(|e| match &e.body {
                EventBody::Query(q) => Some(q.sql.clone()),
                _ => None,
            })
            .collect();
        got.push((t.seq, t.gtid.map(|g| g.to_string()), sqls));
    }
    assert_eq!(
        got,
        vec![
            (0, None, vec!["CREATE TABLE a (x INT)".to_string()]),
            (1, None, vec!["INSERT INTO a VALUES (1)".to_string()]),
            (2, Some("0-1-3".into()), vec!["DROP TABLE a".to_string()]),
            (
                3,
                Some("0-1-4".into()),
                vec![
                    "UPDATE a SET x = 2".to_string(),
                    "DELETE FROM a WHERE x = 1".to_string()
                ]
            ),
            (
                4,
                Some("0-1-5".into()),
                vec!["INSERT INTO m VALUES (1)".to_string()]
            ),
            (
                5,
                Some("0-1-6".into()),
                vec!["INSERT INTO a VALUES (6)".to_string()]
            ),
        ]
    );
}

#[test]
fn borrowed_and_owned_reads_agree_event_for_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = BinlogWriter::new(true);
    for seq in 1..=3 {
        tx(&mut w, seq);
    }
    let p = write(dir.path(), "relay.000001", w.bytes());
    let src = || RelaySource::Files(vec![p.clone()]);
    let mut owned = Reader::open(src(), None, false).unwrap();
    let mut borrowed = Reader::open(src(), None, false).unwrap();
    let mut n = 0;
    loop {
        match (owned.next(), borrowed.next_ref()) {
            (ReadOutcome::Event(a), ReadOutcome::Event(b)) => {
                assert_eq!(
                    (&a.pos, a.header, a.body.as_slice(), a.fde.checksum),
                    (&b.pos(), b.header, b.body, b.fde.checksum)
                );
                n += 1;
            }
            (ReadOutcome::End, ReadOutcome::End) => break,
            (a, b) => panic!("readers disagree: {a:?} vs {b:?}"),
        }
    }
    assert_eq!(n, 1 + 3 * 5, "FDE + five events per transaction");
}

#[test]
fn annotations_are_kept_unless_the_consumer_drops_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = BinlogWriter::new(true);
    w.gtid(1).query("db", "BEGIN");
    w.event(
        header::code::MARIA_ANNOTATE_ROWS,
        b"UPDATE t SET c = 'caf\xc3\xa9' WHERE id = 1",
    )
    .table_map(7, "db", "t", &COLS);
    w.write_rows(7, &COLS, &[row(1, "x")]).xid(1);
    let p = write(dir.path(), "relay.000001", w.bytes());
    let annotation = |keep: bool| {
        let mut s =
            TransactionStream::open(RelaySource::Files(vec![p.clone()]), None, false).unwrap();
        s.set_keep_annotations(keep);
        let StreamOutcome::Transaction(t) = s.next() else {
            panic!("expected a transaction");
        };
        let texts: Vec<String> = t
            .events
            .iter()
            .filter_map(|e| match &e.body {
                EventBody::AnnotateRows(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        assert!(
            t.events
                .iter()
                .any(|e| matches!(e.body, EventBody::Rows(_))),
            "the rows event is decoded either way"
        );
        texts
    };
    assert_eq!(annotation(true), ["UPDATE t SET c = 'café' WHERE id = 1"]);
    assert_eq!(annotation(false), [""]);
}

/// Bytes that stand in for ciphertext: no event frames in them by chance.
fn ciphertext(n: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// `first` as relay.000001, then a relay.000002 holding one transaction, and their index.
fn unreadable_then_plain(dir: &Path, first: &[u8]) -> PathBuf {
    write(dir, "relay.000001", first);
    let mut b = BinlogWriter::new(true);
    tx(&mut b, 2);
    write(dir, "relay.000002", b.bytes());
    write(dir, "relay.index", b"./relay.000001\n./relay.000002\n")
}

/// The files of the events left until End (any other outcome fails the test).
fn files_of_the_rest(r: &mut Reader) -> Vec<String> {
    let mut files = Vec::new();
    loop {
        match r.next() {
            ReadOutcome::Event(ev) => files.push(ev.pos.file.to_string()),
            ReadOutcome::End => return files,
            other => panic!("after the skipped file: {other:?}"),
        }
    }
}

#[test]
fn a_mysql_encrypted_file_is_skipped_with_its_reason_and_the_next_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut enc = header::MAGIC_MYSQL_ENCRYPTED.to_vec();
    enc.extend(ciphertext(4096));
    let idx = unreadable_then_plain(dir.path(), &enc);
    let mut r = Reader::open(RelaySource::Index(idx), None, false).unwrap();
    let e = error(r.next());
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    let msg = e.to_string();
    assert!(msg.contains("relay.000001:0"), "{msg}");
    assert!(msg.contains("binlog_encryption=ON"), "{msg}");
    // FDE + GTID, BEGIN, TABLE_MAP, WRITE_ROWS, XID of relay.000002.
    let files = files_of_the_rest(&mut r);
    assert_eq!(files.len(), 6);
    assert!(
        files.iter().all(|f| f.ends_with("relay.000002")),
        "{files:?}"
    );
}

/// A MariaDB file written with `encrypt_binlog=ON`: FDE, START_ENCRYPTION, then ciphertext.
fn mariadb_encrypted() -> (Vec<u8>, u64) {
    let mut w = BinlogWriter::new(true);
    let at = w.offset();
    // scheme 1, key version 1, a 12-byte nonce (MariaDB's Start_encryption_log_event body).
    let mut body = vec![1u8];
    body.extend_from_slice(&1u32.to_le_bytes());
    body.extend_from_slice(&[7u8; 12]);
    w.event(header::code::MARIA_START_ENCRYPTION, &body);
    let mut bytes = w.bytes().to_vec();
    bytes.extend(ciphertext(8192));
    (bytes, at)
}

#[test]
fn a_mariadb_encrypted_file_is_skipped_at_start_encryption_without_scanning_the_ciphertext() {
    let dir = tempfile::tempdir().unwrap();
    let (enc, at) = mariadb_encrypted();
    let idx = unreadable_then_plain(dir.path(), &enc);
    // From the start: one error naming the START_ENCRYPTION event, then the next file, with no
    // "corrupt"/"checksum" errors from framing ciphertext.
    let mut r = Reader::open(RelaySource::Index(idx.clone()), None, false).unwrap();
    let e = error(r.next());
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains(&format!("relay.000001:{at}")), "{e}");
    assert!(e.to_string().contains("encrypt_binlog=ON"), "{e}");
    let files = files_of_the_rest(&mut r);
    assert_eq!(files.len(), 6);
    assert!(
        files.iter().all(|f| f.ends_with("relay.000002")),
        "{files:?}"
    );
    // Opened at a position inside the ciphertext (where an applier would stand): refused with
    // the same reason, not "not an event boundary".
    let inside = parse_position(&format!("relay.000001:{}", at + 100)).unwrap();
    let e = Reader::open(RelaySource::Index(idx), Some(inside), true)
        .err()
        .expect("a start inside ciphertext is refused");
    assert!(e.to_string().contains("encrypt_binlog=ON"), "{e}");
}

#[test]
fn a_live_file_that_turns_out_encrypted_after_its_fde_is_skipped_at_start_encryption() {
    let dir = tempfile::tempdir().unwrap();
    let (enc, at) = mariadb_encrypted();
    // The server has written only the FDE when the reader first looks.
    let p = write(dir.path(), "relay.000001", &enc[..at as usize]);
    let mut r = Reader::open(RelaySource::Files(vec![p.clone()]), None, true).unwrap();
    assert_eq!(
        event(r.next()).header.type_code,
        header::code::FORMAT_DESCRIPTION
    );
    assert!(matches!(r.next(), ReadOutcome::Pending));
    std::fs::write(&p, &enc).unwrap();
    let e = error(r.next());
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains(&format!("relay.000001:{at}")), "{e}");
    assert!(e.to_string().contains("encrypt_binlog=ON"), "{e}");
    // Nothing framed from the ciphertext: the file is done, the reader waits for the next one.
    assert!(matches!(r.next(), ReadOutcome::Pending));
}
