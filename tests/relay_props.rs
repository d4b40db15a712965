//! Bad input never panics the reader or decoder, and every error names the file and offset:
//! arbitrary bytes, truncation at every offset, flipped bytes with checksums on and off, and
//! arbitrary bodies fed straight to every event decoder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::prelude::*;
use relay_prefetch::event::{Decoder, EventOutcome, EventStream};
use relay_prefetch::relay::header::Header;
use relay_prefetch::relay::synth::{BinlogWriter, SynthCol, SynthVal};
use relay_prefetch::relay::{RawEvent, RelaySource};

const COLS: [SynthCol; 3] = [SynthCol::Int, SynthCol::Varchar, SynthCol::Int];

/// A small file with two transactions, an update and a NULL.
fn sample(checksum: bool) -> Vec<u8> {
    let mut w = BinlogWriter::new(checksum);
    for seq in 1..=2u64 {
        let r = vec![
            SynthVal::Int(seq as i32),
            SynthVal::Str("abc".into()),
            SynthVal::Null,
        ];
        let r2 = vec![
            SynthVal::Int(7),
            SynthVal::Str("xyz".into()),
            SynthVal::Int(-1),
        ];
        w.gtid(seq)
            .query("db", "BEGIN")
            .table_map(9, "db", "t", &COLS);
        w.write_rows(9, &COLS, std::slice::from_ref(&r))
            .update_rows(9, &COLS, &[(r, r2)]);
        w.xid(seq);
    }
    w.query("db", "CREATE TABLE u (a INT)")
        .rotate("relay.000002");
    w.bytes().to_vec()
}

/// Read `bytes` as a relay file to the end; returns (events, errors). Panics propagate.
fn run(dir: &Path, bytes: &[u8], follow: bool) -> (usize, Vec<String>) {
    let p: PathBuf = dir.join("relay.000001");
    std::fs::write(&p, bytes).unwrap();
    let mut s = EventStream::open(RelaySource::Files(vec![p]), None, follow).unwrap();
    let (mut n, mut errs) = (0, Vec::new());
    for _ in 0..10_000 {
        match s.next() {
            EventOutcome::Event(_) => n += 1,
            EventOutcome::Error(e) => errs.push(e.to_string()),
            EventOutcome::End | EventOutcome::Pending => return (n, errs),
        }
    }
    panic!("stream did not end")
}

/// Every error starts with `<path>:<offset>:`.
fn names_file_and_offset(dir: &Path, errs: &[String]) {
    let prefix = format!("{}:", dir.join("relay.000001").display());
    for e in errs {
        let rest = e
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("no file in {e:?}"));
        let digits = rest.split(':').next().unwrap();
        assert!(digits.parse::<u64>().is_ok(), "no offset in {e:?}");
    }
}

#[test]
fn truncation_at_every_offset() {
    let dir = tempfile::tempdir().unwrap();
    for checksum in [true, false] {
        let full = sample(checksum);
        let (n_full, errs) = run(dir.path(), &full, false);
        assert!(errs.is_empty(), "{errs:?}");
        for cut in 0..full.len() {
            let (n, errs) = run(dir.path(), &full[..cut], false);
            names_file_and_offset(dir.path(), &errs);
            assert!(n < n_full);
            // A cut inside an event is an error; a cut at a boundary is a clean end.
            assert!(cut < 4 || errs.len() <= 1, "cut {cut}: {errs:?}");
            // Following, a cut tail is pending, never an error.
            let (_, errs) = run(dir.path(), &full[..cut], true);
            assert!(cut < 4 || errs.is_empty(), "follow, cut {cut}: {errs:?}");
        }
    }
}

#[test]
fn every_single_byte_flip_is_caught_with_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let full = sample(true);
    for at in 0..full.len() {
        let mut b = full.clone();
        b[at] ^= 0x5a;
        let (_, errs) = run(dir.path(), &b, false);
        assert!(!errs.is_empty(), "flip at {at} went unnoticed");
        names_file_and_offset(dir.path(), &errs);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048),
                                   with_prefix in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let mut data = if with_prefix { sample(false)[..200].to_vec() } else { Vec::new() };
        data.extend_from_slice(&bytes);
        let (_, errs) = run(dir.path(), &data, false);
        names_file_and_offset(dir.path(), &errs);
    }

    #[test]
    fn flipped_bytes_never_panic(checksum in any::<bool>(),
                                 flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..), 1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let mut b = sample(checksum);
        for (i, x) in &flips {
            let at = i.index(b.len());
            b[at] ^= x;
        }
        let (_, errs) = run(dir.path(), &b, false);
        names_file_and_offset(dir.path(), &errs);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bodies(type_code in prop::sample::select(DECODED.to_vec()),
                                                body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let (mut dec, fde) = primed_decoder();
        let raw = RawEvent {
            pos: relay_prefetch::event::Position { file: "f".into(), offset: 77 },
            header: Header { timestamp: 1, type_code, server_id: 1, event_len: 19 + body.len() as u32, log_pos: 0, flags: 0 },
            body,
            fde,
        };
        let mut out = Vec::new();
        if let Err(e) = dec.decode(&raw, &mut out) {
            prop_assert!(e.to_string().starts_with("f:77: "), "{}", e);
        }
    }

    #[test]
    fn rows_with_random_row_data_never_panic(data in proptest::collection::vec(any::<u8>(), 0..256),
                                             kind in prop::sample::select(vec![23u8, 24, 25, 30, 31, 32, 39])) {
        let (mut dec, fde) = primed_decoder();
        // Valid rows head for table 9 (3 columns, all present), then arbitrary row bytes.
        let mut body = vec![9, 0, 0, 0, 0, 0, 1, 0];
        if kind >= 30 { body.extend_from_slice(&[2, 0]); }
        body.extend_from_slice(&[3, 0x07]);
        if kind == 24 || kind == 31 || kind == 39 { body.push(0x07); }
        body.extend_from_slice(&data);
        let raw = RawEvent {
            pos: relay_prefetch::event::Position { file: "f".into(), offset: 5 },
            header: Header { timestamp: 1, type_code: kind, server_id: 1, event_len: 19 + body.len() as u32, log_pos: 0, flags: 0 },
            body,
            fde,
        };
        let mut out = Vec::new();
        if let Err(e) = dec.decode(&raw, &mut out) {
            prop_assert!(e.to_string().starts_with("f:5: "), "{}", e);
        }
    }
}

/// Every type code with a decoder of its own.
const DECODED: [u8; 30] = [
    2, 3, 4, 5, 13, 14, 16, 19, 23, 24, 25, 29, 30, 31, 32, 33, 34, 35, 39, 40, 42, 160, 161, 162,
    163, 165, 166, 167, 169, 171,
];

/// A decoder that has seen the sample's FDE and table map 9.
fn primed_decoder() -> (Decoder, Arc<relay_prefetch::relay::FormatDescription>) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("relay.000001");
    std::fs::write(&p, sample(false)).unwrap();
    let mut r =
        relay_prefetch::relay::Reader::open(RelaySource::Files(vec![p]), None, false).unwrap();
    let mut dec = Decoder::new();
    let mut fde = None;
    let mut out = Vec::new();
    for _ in 0..4 {
        if let relay_prefetch::relay::ReadOutcome::Event(e) = r.next() {
            fde = Some(e.fde.clone());
            dec.decode(&e, &mut out).unwrap();
        }
    }
    (dec, fde.unwrap())
}

#[test]
fn rows_event_with_no_column_present_is_an_error_not_an_endless_loop() {
    // Found by `flipped_bytes_never_panic`: a flipped columns-present bitmap (0x07 → 0x00) made
    // every row image zero bytes long, and the decoder pushed empty rows until memory ran out.
    let (mut dec, fde) = primed_decoder();
    // Write, update (two bitmaps), delete; v1 layout, as this file's FDE declares.
    for (kind, bitmaps) in [(23u8, 1), (24, 2), (25, 1)] {
        let mut body = vec![9, 0, 0, 0, 0, 0, 1, 0, 3];
        body.extend(std::iter::repeat_n(0u8, bitmaps));
        body.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let raw = RawEvent {
            pos: relay_prefetch::event::Position {
                file: "f".into(),
                offset: 385,
            },
            header: Header {
                timestamp: 1,
                type_code: kind,
                server_id: 1,
                event_len: 19 + body.len() as u32,
                log_pos: 0,
                flags: 0,
            },
            body,
            fde: fde.clone(),
        };
        let mut out = Vec::new();
        let e = dec
            .decode(&raw, &mut out)
            .expect_err("row data with no column present is corrupt");
        assert!(
            e.to_string().starts_with("f:385: ") && e.to_string().contains("no column present"),
            "type {kind}: {e}"
        );
    }
}
