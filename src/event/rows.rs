//! Rows events (WRITE/UPDATE/DELETE v1 23–25, v2 30–32, PARTIAL_UPDATE 39, and MariaDB's
//! compressed 166–171 once inflated) → [`RowsEvent`] with typed images.
//!
//! This is the hot path of the decode benchmark, so it is a lean hand-written decoder over a
//! compiled table map ([`TableEntry`]) rather than mysql_common's generic one: no per-value
//! metadata parsing, and columns outside the consumer's mask are skipped without allocation.

use std::sync::Arc;

use super::cursor::{Cur, DResult, Short};
use super::types::{Row, RowsEvent, RowsKind, TableMap, Value};
use super::value::{self, Col, ty};

/// STMT_END_F: last rows event of a statement.
const STMT_END: u16 = 0x0001;

/// A cached, compiled table map.
#[derive(Debug, Clone)]
pub(crate) struct TableEntry {
    pub(crate) map: Arc<TableMap>,
    pub(crate) cols: Vec<Col>,
    /// Columns to decode (others stay `None`); `None` = all.
    pub(crate) mask: Option<Arc<[bool]>>,
    /// The TABLE_MAP body it came from, to reuse the entry when the same map repeats.
    pub(crate) raw: Vec<u8>,
}

/// The fixed part of a rows body.
pub(crate) struct RowsHead<'a> {
    pub(crate) table_id: u64,
    flags: u16,
    width: usize,
    present: &'a [u8],
    present_after: &'a [u8],
    /// Offset of the row data in the body.
    pub(crate) data_at: usize,
}

/// Parse table id, flags, v2 extra data, column count and the column bitmaps.
pub(crate) fn head(body: &[u8], id_len: usize, v2: bool, kind: RowsKind) -> DResult<RowsHead<'_>> {
    let mut c = Cur::new(body);
    let table_id = c.uint(id_len)?;
    let flags = c.u16()?;
    if v2 {
        let extra = usize::from(c.u16()?);
        c.skip(
            extra
                .checked_sub(2)
                .ok_or_else(|| Short::new("bad v2 extra-data length"))?,
        )?;
    }
    let width = c.lenenc()?;
    if width > 8 * c.remaining() as u64 {
        return Err(Short::new(format!("rows event claims {width} columns")));
    }
    let width = width as usize;
    let present = c.take(width.div_ceil(8))?;
    let present_after = if kind == RowsKind::Update {
        c.take(width.div_ceil(8))?
    } else {
        present
    };
    Ok(RowsHead {
        table_id,
        flags,
        width,
        present,
        present_after,
        data_at: c.pos(),
    })
}

/// Decode every row image in `data` (the row part of the body, inflated if it was compressed).
pub(crate) fn decode(
    h: &RowsHead<'_>,
    data: &[u8],
    t: &TableEntry,
    kind: RowsKind,
    partial: bool,
) -> DResult<RowsEvent> {
    if h.width != t.cols.len() {
        return Err(Short::new(format!(
            "rows event has {} columns, its table map {}.{} has {}",
            h.width,
            t.map.db,
            t.map.table,
            t.cols.len()
        )));
    }
    let before_cols = present_columns(h.present, h.width);
    let after_cols = present_columns(h.present_after, h.width);
    let mut c = Cur::new(data);
    let (mut before, mut after) = (Vec::new(), Vec::new());
    while !c.is_empty() {
        let at = c.pos();
        match kind {
            RowsKind::Write => after.push(image(&mut c, t, &after_cols, None)?),
            RowsKind::Delete => before.push(image(&mut c, t, &before_cols, None)?),
            RowsKind::Update => {
                before.push(image(&mut c, t, &before_cols, None)?);
                let partial_json = if partial {
                    partial_bits(&mut c, t, &after_cols)?
                } else {
                    None
                };
                after.push(image(&mut c, t, &after_cols, partial_json.as_deref())?);
            }
        }
        // A row of no present columns is zero bytes: the data would never be consumed (a
        // corrupt columns-present bitmap; the server never writes one).
        if c.pos() == at {
            return Err(Short::new(format!(
                "rows event: {} bytes of row data but no column present",
                c.remaining()
            )));
        }
    }
    Ok(RowsEvent {
        kind,
        table: t.map.clone(),
        before,
        after,
        stmt_end: h.flags & STMT_END != 0,
    })
}

fn present_columns(bitmap: &[u8], width: usize) -> Vec<usize> {
    (0..width)
        .filter(|&i| bitmap[i / 8] & (1 << (i % 8)) != 0)
        .collect()
}

/// One row image: NULL bitmap over the present columns, then their non-NULL values.
/// `skip_json` marks JSON columns whose value is a partial-update diff (not decoded).
fn image(
    c: &mut Cur<'_>,
    t: &TableEntry,
    cols: &[usize],
    skip_json: Option<&[bool]>,
) -> DResult<Row> {
    let nulls = c.take(cols.len().div_ceil(8))?;
    let mut values: Vec<Option<Value>> = vec![None; t.cols.len()];
    let mask = t.mask.as_deref();
    for (j, &i) in cols.iter().enumerate() {
        let wanted = mask.is_none_or(|m| m.get(i).copied().unwrap_or(false));
        if nulls[j / 8] & (1 << (j % 8)) != 0 {
            if wanted {
                values[i] = Some(Value::Null);
            }
            continue;
        }
        let col = t.cols[i];
        if skip_json.is_some_and(|s| s[i]) {
            let n = c.uint(json_len_bytes(col))? as usize;
            c.skip(n)?;
        } else if wanted {
            values[i] = Some(value::decode(c, col)?);
        } else {
            value::skip(c, col)?;
        }
    }
    Ok(Row { values })
}

fn json_len_bytes(col: Col) -> usize {
    match col {
        Col::Json { len_bytes } => usize::from(len_bytes),
        _ => 4,
    }
}

/// PARTIAL_UPDATE_ROWS after image prefix: value options, and when partial JSON is on, one bit
/// per JSON column of the after image saying its value is a diff. Returns a per-column flag.
fn partial_bits(
    c: &mut Cur<'_>,
    t: &TableEntry,
    after_cols: &[usize],
) -> DResult<Option<Vec<bool>>> {
    let options = c.lenenc()?;
    if options & 1 == 0 {
        return Ok(None);
    }
    let json: Vec<usize> = after_cols
        .iter()
        .copied()
        .filter(|&i| t.map.columns[i].type_code == ty::JSON)
        .collect();
    let bits = c.take(json.len().div_ceil(8))?;
    let mut flags = vec![false; t.cols.len()];
    for (k, &i) in json.iter().enumerate() {
        flags[i] = bits[k / 8] & (1 << (k % 8)) != 0;
    }
    Ok(Some(flags))
}

/// Compile a decoded table map with an optional column mask.
pub(crate) fn entry(map: TableMap, raw: Vec<u8>, mask: Option<Arc<[bool]>>) -> TableEntry {
    TableEntry {
        cols: map.columns.iter().map(value::compile).collect(),
        map: Arc::new(map),
        mask,
        raw,
    }
}
