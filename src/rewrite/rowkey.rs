//! Row keys for the scheduler's conflict map: a canonical byte encoding of primary-key values so
//! that keys the server considers equal collide, and nothing else does by accident.
//!
//! This module only encodes; it does not decide which rows a change touches (`rows/` and the
//! statement rewriter do) nor compare keys (the scheduler compares the bytes).
//!
//! Canonical form, per value (a tag byte, then a fixed or length-prefixed payload):
//! - numbers by value, whatever their representation: `Int(5)`, `UInt(5)`, `Decimal("5.00")`
//!   and `Double(5.0)` encode alike (a signed/unsigned mix-up can never split one row in two);
//! - strings by their column's collation:
//!   * binary strings (`binary` collation, BINARY/VARBINARY/BLOB) and `*_nopad_bin` compare bytes;
//!   * `*_bin` collations are PAD SPACE in both servers: trailing spaces are dropped;
//!   * `*_ci` collations: trailing spaces dropped (unless NO PAD: MariaDB `*_nopad_*`, MySQL
//!     `*_0900_*`) and characters folded to lower case, with Latin-1 and Latin Extended-A
//!     accented letters folded to their base letter.
//! - temporal values by their fields; NULL by a tag.
//!
//! **Approximation**: real `_ci` collations weigh characters with tables (`ß` = `ss` in
//! `unicode_ci`, Cyrillic/Greek accents, ligatures, expansions); we fold only case and the
//! common Latin accents. Keys that the server treats as equal but we do not fold only cost a
//! missed "first touch wins" dedupe; they never make a probe unsafe in `select` mode. Folding
//! more than the server (e.g. accents under an `_as_ci` collation) only adds false conflicts,
//! which are safe.

use std::sync::Arc;

use crate::event::Value;
use crate::plan::RowKey;
use crate::schema::{Column, Table};

/// How a column's strings compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// Fold case (and common Latin accents).
    pub case: bool,
    /// PAD SPACE: trailing spaces do not count.
    pub pad: bool,
}

impl Fold {
    /// Byte comparison (binary strings).
    pub const BINARY: Fold = Fold {
        case: false,
        pad: false,
    };

    /// The fold of a column, from its collation and type. Character columns whose collation is
    /// unknown are assumed case-insensitive (every server default collation is): folding too much
    /// only adds conflicts, which is the safe direction.
    pub fn of(column: &Column) -> Fold {
        let Some(coll) = column.collation.as_deref() else {
            return if is_text_type(&column.data_type) {
                Fold {
                    case: true,
                    pad: true,
                }
            } else {
                Fold::BINARY
            };
        };
        let coll = coll.to_ascii_lowercase();
        if coll == "binary" {
            return Fold::BINARY;
        }
        let pad = !(coll.contains("nopad") || coll.contains("_0900_"));
        let case = !(coll.ends_with("_bin") || coll.ends_with("_cs"));
        Fold { case, pad }
    }
}

fn is_text_type(data_type: &str) -> bool {
    matches!(
        data_type,
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set"
    )
}

/// A prepared encoder for one table's primary key: computes the folds once, so the per-row cost
/// is one buffer fill.
#[derive(Debug, Clone)]
pub struct RowKeyEncoder {
    table: Arc<str>,
    cols: Vec<(Fold, Option<u32>)>,
}

impl RowKeyEncoder {
    /// An encoder for `table`'s primary key. `key_columns` are the ordinals of the key's columns
    /// with their prefix lengths (the primary key's, or the unique key InnoDB clusters on).
    pub fn new(table: &Table, key_columns: &[(usize, Option<u32>)]) -> Self {
        let cols = key_columns
            .iter()
            .map(|&(c, prefix)| {
                let fold = table.columns.get(c).map_or(Fold::BINARY, Fold::of);
                (fold, prefix)
            })
            .collect();
        RowKeyEncoder {
            table: table_name(table),
            cols,
        }
    }

    /// The table's coarse key.
    pub fn table_key(&self) -> RowKey {
        RowKey {
            table: self.table.clone(),
            pk: None,
        }
    }

    /// The row key of the row whose key values are `values` (in key column order).
    pub fn key<'a>(&self, values: impl IntoIterator<Item = &'a Value>) -> RowKey {
        self.key_with(values, &mut Vec::new())
    }

    /// [`RowKeyEncoder::key`] using `buf` as scratch space (one allocation per key instead of
    /// several on the per-row path).
    pub fn key_with<'a>(
        &self,
        values: impl IntoIterator<Item = &'a Value>,
        buf: &mut Vec<u8>,
    ) -> RowKey {
        buf.clear();
        let mut cols = self.cols.iter();
        for v in values {
            let (fold, prefix) = cols.next().copied().unwrap_or((Fold::BINARY, None));
            encode_value(buf, v, fold, prefix);
        }
        RowKey {
            table: self.table.clone(),
            pk: Some(Box::from(buf.as_slice())),
        }
    }
}

/// "db.tbl" in lower case, the table part of every key.
fn table_name(table: &Table) -> Arc<str> {
    let mut s = String::with_capacity(table.db.len() + table.name.len() + 1);
    s.push_str(&table.db);
    s.push('.');
    s.push_str(&table.name);
    s.make_ascii_lowercase();
    Arc::from(s)
}

/// The row key of the row with primary-key values `pk_values` (in primary-key column order).
/// Tables without a primary key get the coarse table key.
pub fn row_key(table: &Table, pk_values: &[Value]) -> RowKey {
    let Some(pk) = table.primary_key() else {
        return table_key(table);
    };
    let cols: Vec<(usize, Option<u32>)> = pk.columns.iter().map(|c| (c.column, c.prefix)).collect();
    RowKeyEncoder::new(table, &cols).key(pk_values)
}

/// The coarse key covering every row of `table`.
pub fn table_key(table: &Table) -> RowKey {
    RowKey {
        table: table_name(table),
        pk: None,
    }
}

const T_NULL: u8 = 0;
const T_INT: u8 = 1;
const T_DEC: u8 = 2;
const T_FLOAT: u8 = 3;
const T_BYTES: u8 = 4;
const T_DATETIME: u8 = 5;
const T_TIME: u8 = 6;

/// Append the canonical encoding of one value to `buf`. `prefix` truncates strings to the first
/// N characters (N bytes for binary strings), as a prefix index compares them.
pub fn encode_value(buf: &mut Vec<u8>, v: &Value, fold: Fold, prefix: Option<u32>) {
    match v {
        Value::Null => buf.push(T_NULL),
        Value::Int(i) => encode_int(buf, i128::from(*i)),
        Value::UInt(u) => encode_int(buf, i128::from(*u)),
        Value::Float(f) => encode_float(buf, f64::from(*f)),
        Value::Double(d) => encode_float(buf, *d),
        Value::Decimal(s) => encode_decimal(buf, s),
        Value::Bytes(b) => encode_bytes(buf, b, fold, prefix),
        Value::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        } => {
            buf.push(T_DATETIME);
            buf.extend_from_slice(&year.to_be_bytes());
            buf.extend_from_slice(&[*month, *day, *hour, *minute, *second]);
            buf.extend_from_slice(&micros.to_be_bytes());
        }
        Value::Time {
            negative,
            hours,
            minutes,
            seconds,
            micros,
        } => {
            let zero = *hours == 0 && *minutes == 0 && *seconds == 0 && *micros == 0;
            buf.push(T_TIME);
            buf.push(u8::from(*negative && !zero));
            buf.extend_from_slice(&hours.to_be_bytes());
            buf.extend_from_slice(&[*minutes, *seconds]);
            buf.extend_from_slice(&micros.to_be_bytes());
        }
    }
}

fn encode_int(buf: &mut Vec<u8>, i: i128) {
    buf.push(T_INT);
    buf.extend_from_slice(&i.to_be_bytes());
}

fn encode_float(buf: &mut Vec<u8>, d: f64) {
    if d.fract() == 0.0 && d.abs() < 1e30 {
        // Integral: same bytes as the integer of that value (-0.0 becomes 0).
        encode_int(buf, d as i128);
    } else {
        buf.push(T_FLOAT);
        buf.extend_from_slice(&d.to_bits().to_be_bytes());
    }
}

/// DECIMAL text → canonical: no leading zeros, no trailing fractional zeros, no "-0".
/// Integral values encode as integers so `5.00` and `5` collide.
fn encode_decimal(buf: &mut Vec<u8>, s: &str) {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    if frac_part.is_empty() && int_part.len() <= 36 && int_part.bytes().all(|b| b.is_ascii_digit())
    {
        let mut v: i128 = 0;
        for b in int_part.bytes() {
            v = v * 10 + i128::from(b - b'0');
        }
        encode_int(buf, if neg { -v } else { v });
        return;
    }
    buf.push(T_DEC);
    let zero = int_part.is_empty() && frac_part.is_empty();
    buf.push(u8::from(neg && !zero));
    let len = int_part.len() + 1 + frac_part.len();
    buf.extend_from_slice(&(len as u32).to_be_bytes());
    buf.extend_from_slice(int_part.as_bytes());
    buf.push(b'.');
    buf.extend_from_slice(frac_part.as_bytes());
}

fn encode_bytes(buf: &mut Vec<u8>, b: &[u8], fold: Fold, prefix: Option<u32>) {
    let b = match prefix {
        Some(n) => truncate_prefix(b, n as usize, fold),
        None => b,
    };
    let b = if fold.pad { trim_trailing_spaces(b) } else { b };
    buf.push(T_BYTES);
    let len_at = buf.len();
    buf.extend_from_slice(&[0; 4]);
    if fold.case {
        fold_case(buf, b);
    } else {
        buf.extend_from_slice(b);
    }
    let len = (buf.len() - len_at - 4) as u32;
    buf[len_at..len_at + 4].copy_from_slice(&len.to_be_bytes());
}

/// The part of a string a prefix index of `n` stores: the first `n` characters (UTF-8 when the
/// bytes are UTF-8 and the column is not binary), else the first `n` bytes.
pub fn truncate_prefix(b: &[u8], n: usize, fold: Fold) -> &[u8] {
    if fold == Fold::BINARY || b.is_ascii() {
        return &b[..b.len().min(n)];
    }
    match std::str::from_utf8(b) {
        Ok(s) => match s.char_indices().nth(n) {
            Some((at, _)) => &b[..at],
            None => b,
        },
        Err(_) => &b[..b.len().min(n)],
    }
}

fn trim_trailing_spaces(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b' '] = b {
        b = rest;
    }
    b
}

/// Lower-case (and accent-fold) `b` into `out`. ASCII fast path; UTF-8 text per character;
/// bytes that are not UTF-8 (latin1 columns) fold ASCII letters only.
fn fold_case(out: &mut Vec<u8>, b: &[u8]) {
    if b.is_ascii() {
        out.extend(b.iter().map(u8::to_ascii_lowercase));
        return;
    }
    let Ok(s) = std::str::from_utf8(b) else {
        out.extend(b.iter().map(u8::to_ascii_lowercase));
        return;
    };
    let mut tmp = [0u8; 4];
    for c in s.chars() {
        for l in c.to_lowercase() {
            let l = fold_accent(l);
            out.extend_from_slice(l.encode_utf8(&mut tmp).as_bytes());
        }
    }
}

/// Latin-1 Supplement and Latin Extended-A lower-case letters → their base letter, as the
/// accent-insensitive `_ci` collations (`*_general_ci`, `*_unicode_ci`, `*_uca1400_ai_ci`) weigh them.
fn fold_accent(c: char) -> char {
    const LATIN1: &[u8; 32] = b"aaaaaaaceeeeiiiidnooooo/ouuuuyty";
    match c {
        '\u{e0}'..='\u{ff}' if c != '\u{f7}' => LATIN1[(c as usize) - 0xe0] as char,
        '\u{100}'..='\u{17f}' => fold_latin_ext_a(c),
        _ => c,
    }
}

fn fold_latin_ext_a(c: char) -> char {
    // Latin Extended-A comes in upper/lower pairs; `to_lowercase` already ran, so map the
    // lower-case code points by range.
    match c as u32 {
        0x100..=0x105 => 'a',
        0x106..=0x10d => 'c',
        0x10e..=0x111 => 'd',
        0x112..=0x11b => 'e',
        0x11c..=0x123 => 'g',
        0x124..=0x127 => 'h',
        0x128..=0x131 => 'i',
        0x134..=0x135 => 'j',
        0x136..=0x138 => 'k',
        0x139..=0x142 => 'l',
        0x143..=0x14b => 'n',
        0x14c..=0x151 => 'o',
        0x154..=0x159 => 'r',
        0x15a..=0x161 => 's',
        0x162..=0x167 => 't',
        0x168..=0x173 => 'u',
        0x174..=0x175 => 'w',
        0x176..=0x178 => 'y',
        0x179..=0x17e => 'z',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &Value, fold: Fold) -> Vec<u8> {
        let mut b = Vec::new();
        encode_value(&mut b, v, fold, None);
        b
    }

    const CI: Fold = Fold {
        case: true,
        pad: true,
    };

    #[test]
    fn numbers_by_value() {
        let f = Fold::BINARY;
        assert_eq!(enc(&Value::Int(5), f), enc(&Value::UInt(5), f));
        assert_eq!(
            enc(&Value::Int(5), f),
            enc(&Value::Decimal("005.00".into()), f)
        );
        assert_eq!(
            enc(&Value::Int(0), f),
            enc(&Value::Decimal("-0.0".into()), f)
        );
        assert_eq!(enc(&Value::Int(7), f), enc(&Value::Double(7.0), f));
        assert_ne!(enc(&Value::Int(-1), f), enc(&Value::UInt(u64::MAX), f));
        assert_eq!(
            enc(&Value::Decimal("-1.50".into()), f),
            enc(&Value::Decimal("-01.5".into()), f)
        );
        assert_ne!(
            enc(&Value::Decimal("1.5".into()), f),
            enc(&Value::Decimal("-1.5".into()), f)
        );
    }

    #[test]
    fn ci_strings_fold_case_accents_and_pad() {
        let a = enc(&Value::Bytes("Émile  ".as_bytes().to_vec()), CI);
        let b = enc(&Value::Bytes("emile".as_bytes().to_vec()), CI);
        assert_eq!(a, b);
        let bin = Fold {
            case: false,
            pad: true,
        };
        assert_ne!(
            enc(&Value::Bytes(b"A".to_vec()), bin),
            enc(&Value::Bytes(b"a".to_vec()), bin)
        );
        assert_eq!(
            enc(&Value::Bytes(b"a ".to_vec()), bin),
            enc(&Value::Bytes(b"a".to_vec()), bin)
        );
        assert_ne!(
            enc(&Value::Bytes(b"a ".to_vec()), Fold::BINARY),
            enc(&Value::Bytes(b"a".to_vec()), Fold::BINARY)
        );
    }

    #[test]
    fn tuples_are_unambiguous() {
        let mut x = Vec::new();
        encode_value(&mut x, &Value::Bytes(b"ab".to_vec()), CI, None);
        encode_value(&mut x, &Value::Bytes(b"c".to_vec()), CI, None);
        let mut y = Vec::new();
        encode_value(&mut y, &Value::Bytes(b"a".to_vec()), CI, None);
        encode_value(&mut y, &Value::Bytes(b"bc".to_vec()), CI, None);
        assert_ne!(x, y);
    }

    #[test]
    fn prefix_truncates_characters() {
        let mut x = Vec::new();
        encode_value(
            &mut x,
            &Value::Bytes("ééx".as_bytes().to_vec()),
            CI,
            Some(2),
        );
        let mut y = Vec::new();
        encode_value(
            &mut y,
            &Value::Bytes("EEy".as_bytes().to_vec()),
            CI,
            Some(2),
        );
        assert_eq!(x, y);
    }

    #[test]
    fn collation_names() {
        let mut c = Column {
            name: "c".into(),
            data_type: "varchar".into(),
            column_type: "varchar(10)".into(),
            unsigned: false,
            nullable: false,
            collation: Some("utf8mb4_general_ci".into()),
            auto_increment: false,
            generated: false,
        };
        assert_eq!(Fold::of(&c), CI);
        c.collation = Some("utf8mb4_bin".into());
        assert_eq!(
            Fold::of(&c),
            Fold {
                case: false,
                pad: true
            }
        );
        c.collation = Some("utf8mb4_0900_ai_ci".into());
        assert_eq!(
            Fold::of(&c),
            Fold {
                case: true,
                pad: false
            }
        );
        c.collation = Some("binary".into());
        assert_eq!(Fold::of(&c), Fold::BINARY);
        c.collation = None;
        c.data_type = "varbinary".into();
        assert_eq!(Fold::of(&c), Fold::BINARY);
    }
}
