//! TABLE_MAP (19) bodies → [`TableMap`], including the optional metadata block of MySQL 8 /
//! MariaDB 10.5 (`binlog_row_metadata`): signedness and column names. Column metadata is kept
//! raw in [`MapColumn::meta`] with the byte order MySQL's `table_def` uses (documented per type
//! in `value.rs`, which interprets it).

use super::cursor::{Cur, DResult, Short};
use super::types::{MapColumn, TableMap};
use super::value::ty;

/// Optional metadata field codes (`Table_map_log_event::Optional_metadata_field_type`).
const META_SIGNEDNESS: u8 = 1;
const META_COLUMN_NAME: u8 = 4;

/// Decode a TABLE_MAP body. `id_len` is 6 (or 4 for servers before 5.1.15: post-header 6).
pub(crate) fn decode(body: &[u8], id_len: usize) -> DResult<TableMap> {
    let mut c = Cur::new(body);
    let table_id = c.uint(id_len)?;
    let _flags = c.u16()?;
    let db = name(&mut c)?;
    let table = name(&mut c)?;
    let n = c.lenenc_len()?;
    let types = c.take(n)?;
    let meta_len = c.lenenc_len()?;
    let mut meta = Cur::new(c.take(meta_len)?);
    let nulls = c.take(n.div_ceil(8))?;
    let mut columns = Vec::with_capacity(n);
    for (i, &t) in types.iter().enumerate() {
        columns.push(MapColumn {
            type_code: t,
            meta: read_meta(&mut meta, t)?,
            nullable: nulls[i / 8] & (1 << (i % 8)) != 0,
            unsigned: None,
            name: None,
        });
    }
    optional_metadata(&mut c, &mut columns)?;
    Ok(TableMap {
        table_id,
        db,
        table,
        columns,
    })
}

/// u8 length, bytes, NUL.
fn name(c: &mut Cur<'_>) -> DResult<String> {
    let len = usize::from(c.u8()?);
    let s = String::from_utf8_lossy(c.take(len)?).into_owned();
    if c.u8()? != 0 {
        return Err(Short::new("table map name is not NUL-terminated"));
    }
    Ok(s)
}

/// Per-type metadata bytes, combined as MySQL's `table_def` does.
fn read_meta(m: &mut Cur<'_>, t: u8) -> DResult<u16> {
    Ok(match t {
        ty::FLOAT
        | ty::DOUBLE
        | ty::BLOB
        | ty::TINY_BLOB
        | ty::MEDIUM_BLOB
        | ty::LONG_BLOB
        | ty::GEOMETRY
        | ty::JSON
        | ty::VECTOR
        | ty::TIMESTAMP2
        | ty::DATETIME2
        | ty::TIME2 => u16::from(m.u8()?),
        ty::VARCHAR | ty::VAR_STRING | ty::BIT => m.u16()?,
        ty::NEWDECIMAL | ty::STRING | ty::ENUM | ty::SET => {
            let hi = m.u8()?;
            (u16::from(hi) << 8) | u16::from(m.u8()?)
        }
        _ => 0,
    })
}

fn is_numeric(t: u8) -> bool {
    matches!(
        t,
        ty::TINY
            | ty::SHORT
            | ty::INT24
            | ty::LONG
            | ty::LONGLONG
            | ty::NEWDECIMAL
            | ty::FLOAT
            | ty::DOUBLE
            | ty::DECIMAL
    )
}

/// The TLV block after the null bitmap (absent on older servers).
fn optional_metadata(c: &mut Cur<'_>, cols: &mut [MapColumn]) -> DResult<()> {
    while !c.is_empty() {
        let kind = c.u8()?;
        let len = c.lenenc_len()?;
        let mut v = Cur::new(c.take(len)?);
        match kind {
            META_SIGNEDNESS => {
                let bits = v.rest();
                let numeric = cols.iter_mut().filter(|col| is_numeric(col.type_code));
                for (i, col) in numeric.enumerate() {
                    let byte = bits.get(i / 8).copied().unwrap_or(0);
                    col.unsigned = Some(byte & (0x80 >> (i % 8)) != 0);
                }
            }
            META_COLUMN_NAME => {
                for col in cols.iter_mut() {
                    if v.is_empty() {
                        break;
                    }
                    let l = v.lenenc_len()?;
                    col.name = Some(String::from_utf8_lossy(v.take(l)?).into_owned());
                }
            }
            _ => {}
        }
    }
    Ok(())
}
