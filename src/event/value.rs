//! One column value in a row image → [`Value`], by the column's table-map type and metadata.
//! A table map is compiled once into [`Col`]s so the per-value work is one `match` with no
//! metadata re-parsing; [`skip`] walks past a value without building it (column masks).
//!
//! Choices: integers are `Int` (sign-extended) unless the table map's optional signedness says
//! UNSIGNED (then `UInt`); without that metadata consumers reinterpret by schema (`v as u64`).
//! YEAR is `Int` (1901..2155, 0). ENUM/SET are their stored numbers (`UInt`). BIT is `UInt`.
//! JSON (MySQL binary JSON) is converted to its text form (see `json.rs`); MariaDB stores JSON
//! as LONGTEXT, which arrives as a BLOB already in text. GEOMETRY and VECTOR keep their bytes.
//! TIMESTAMP values are UTC.

use super::cursor::{Cur, DResult, Short};
use super::decimal;
use super::types::{MapColumn, Value};

/// MySQL column type codes (`enum_field_types`).
pub(crate) mod ty {
    #![allow(dead_code)]
    pub const DECIMAL: u8 = 0;
    pub const TINY: u8 = 1;
    pub const SHORT: u8 = 2;
    pub const LONG: u8 = 3;
    pub const FLOAT: u8 = 4;
    pub const DOUBLE: u8 = 5;
    pub const NULL: u8 = 6;
    pub const TIMESTAMP: u8 = 7;
    pub const LONGLONG: u8 = 8;
    pub const INT24: u8 = 9;
    pub const DATE: u8 = 10;
    pub const TIME: u8 = 11;
    pub const DATETIME: u8 = 12;
    pub const YEAR: u8 = 13;
    pub const NEWDATE: u8 = 14;
    pub const VARCHAR: u8 = 15;
    pub const BIT: u8 = 16;
    pub const TIMESTAMP2: u8 = 17;
    pub const DATETIME2: u8 = 18;
    pub const TIME2: u8 = 19;
    pub const VECTOR: u8 = 242;
    pub const JSON: u8 = 245;
    pub const NEWDECIMAL: u8 = 246;
    pub const ENUM: u8 = 247;
    pub const SET: u8 = 248;
    pub const TINY_BLOB: u8 = 249;
    pub const MEDIUM_BLOB: u8 = 250;
    pub const LONG_BLOB: u8 = 251;
    pub const BLOB: u8 = 252;
    pub const VAR_STRING: u8 = 253;
    pub const STRING: u8 = 254;
    pub const GEOMETRY: u8 = 255;
}

/// A column compiled for fast decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Int {
        bytes: u8,
        unsigned: bool,
    },
    Year,
    Float,
    Double,
    Decimal {
        precision: u8,
        scale: u8,
    },
    Date,
    Time,
    DateTime,
    Timestamp,
    Time2 {
        fsp: u8,
    },
    DateTime2 {
        fsp: u8,
    },
    Timestamp2 {
        fsp: u8,
    },
    Bit {
        bytes: u8,
    },
    /// Length-prefixed bytes (VARCHAR, CHAR, BLOB, GEOMETRY, VECTOR).
    Bytes {
        len_bytes: u8,
    },
    Json {
        len_bytes: u8,
    },
    /// ENUM or SET stored in `bytes` bytes.
    Number {
        bytes: u8,
    },
    Null,
    Unsupported(u8),
}

/// Compile a table-map column.
pub(crate) fn compile(col: &MapColumn) -> Col {
    let m = col.meta;
    let unsigned = col.unsigned == Some(true);
    let lo = (m & 0xff) as u8;
    match col.type_code {
        ty::TINY => Col::Int { bytes: 1, unsigned },
        ty::SHORT => Col::Int { bytes: 2, unsigned },
        ty::INT24 => Col::Int { bytes: 3, unsigned },
        ty::LONG => Col::Int { bytes: 4, unsigned },
        ty::LONGLONG => Col::Int { bytes: 8, unsigned },
        ty::YEAR => Col::Year,
        ty::FLOAT => Col::Float,
        ty::DOUBLE => Col::Double,
        ty::NEWDECIMAL => Col::Decimal {
            precision: (m >> 8) as u8,
            scale: lo,
        },
        ty::DATE | ty::NEWDATE => Col::Date,
        ty::TIME => Col::Time,
        ty::DATETIME => Col::DateTime,
        ty::TIMESTAMP => Col::Timestamp,
        ty::TIME2 => Col::Time2 { fsp: lo },
        ty::DATETIME2 => Col::DateTime2 { fsp: lo },
        ty::TIMESTAMP2 => Col::Timestamp2 { fsp: lo },
        // meta: low byte = bits in the partial byte, high byte = whole bytes.
        ty::BIT => Col::Bit {
            bytes: ((m >> 8) as u8).saturating_add(u8::from(lo > 0)),
        },
        ty::VARCHAR | ty::VAR_STRING => Col::Bytes {
            len_bytes: if m < 256 { 1 } else { 2 },
        },
        ty::BLOB | ty::TINY_BLOB | ty::MEDIUM_BLOB | ty::LONG_BLOB | ty::GEOMETRY | ty::VECTOR => {
            Col::Bytes { len_bytes: lo }
        }
        ty::JSON => Col::Json { len_bytes: lo },
        ty::ENUM | ty::SET => Col::Number { bytes: lo },
        ty::STRING => compile_string(m),
        ty::NULL => Col::Null,
        t => Col::Unsupported(t),
    }
}

/// STRING's meta packs the real type (CHAR, ENUM, SET) and the max byte length (MySQL's
/// `Field_string::do_save_field_metadata`: lengths ≥ 256 borrow two bits of the type byte).
fn compile_string(m: u16) -> Col {
    let real = (m >> 8) as u8;
    let lo = m & 0xff;
    if real & 0x30 != 0x30 {
        let len = ((u16::from(real & 0x30) ^ 0x30) << 4) | lo;
        return Col::Bytes {
            len_bytes: if len > 255 { 2 } else { 1 },
        };
    }
    match real {
        ty::ENUM | ty::SET => Col::Number { bytes: lo as u8 },
        _ => Col::Bytes {
            len_bytes: if lo > 255 { 2 } else { 1 },
        },
    }
}

/// Decode one non-NULL value.
#[inline]
pub(crate) fn decode(c: &mut Cur<'_>, col: Col) -> DResult<Value> {
    Ok(match col {
        Col::Int { bytes, unsigned } => {
            let v = c.uint(usize::from(bytes))?;
            if unsigned {
                Value::UInt(v)
            } else {
                let shift = 64 - 8 * u32::from(bytes);
                Value::Int(((v << shift) as i64) >> shift)
            }
        }
        Col::Year => match c.u8()? {
            0 => Value::Int(0),
            y => Value::Int(1900 + i64::from(y)),
        },
        Col::Float => Value::Float(f32::from_bits(c.u32()?)),
        Col::Double => Value::Double(f64::from_bits(c.u64()?)),
        Col::Decimal { precision, scale } => Value::Decimal(decimal::decode(c, precision, scale)?),
        Col::Bytes { len_bytes } => {
            let n = len_prefix(c, len_bytes)?;
            Value::Bytes(c.take(n)?.to_vec())
        }
        Col::Json { len_bytes } => {
            let n = len_prefix(c, len_bytes)?;
            Value::Bytes(super::json::to_text(c.take(n)?))
        }
        Col::Number { bytes } | Col::Bit { bytes } => Value::UInt(c.uint_be_or_le(col, bytes)?),
        Col::Null => Value::Null,
        Col::Unsupported(t) => return Err(Short::new(format!("unsupported column type {t}"))),
        _ => super::temporal::decode(c, col)?,
    })
}

/// Walk past one non-NULL value.
#[inline]
pub(crate) fn skip(c: &mut Cur<'_>, col: Col) -> DResult<()> {
    let n = match col {
        Col::Int { bytes, .. } | Col::Number { bytes } | Col::Bit { bytes } => usize::from(bytes),
        Col::Year => 1,
        Col::Float => 4,
        Col::Double => 8,
        Col::Decimal { precision, scale } => decimal::size(precision, scale)?,
        Col::Bytes { len_bytes } | Col::Json { len_bytes } => len_prefix(c, len_bytes)?,
        Col::Date | Col::Time => 3,
        Col::DateTime => 8,
        Col::Timestamp => 4,
        Col::Time2 { fsp } => 3 + frac_bytes(fsp),
        Col::DateTime2 { fsp } => 5 + frac_bytes(fsp),
        Col::Timestamp2 { fsp } => 4 + frac_bytes(fsp),
        Col::Null => 0,
        Col::Unsupported(t) => return Err(Short::new(format!("unsupported column type {t}"))),
    };
    c.skip(n)
}

/// A little-endian length prefix of 1–4 bytes.
#[inline]
fn len_prefix(c: &mut Cur<'_>, len_bytes: u8) -> DResult<usize> {
    if !(1..=4).contains(&len_bytes) {
        return Err(Short::new(format!("bad length-prefix size {len_bytes}")));
    }
    Ok(c.uint(usize::from(len_bytes))? as usize)
}

/// Bytes of fractional seconds for a precision 0–6.
pub(crate) fn frac_bytes(fsp: u8) -> usize {
    usize::from(fsp.min(6)).div_ceil(2)
}

impl Cur<'_> {
    /// BIT is big-endian, ENUM/SET little-endian.
    fn uint_be_or_le(&mut self, col: Col, bytes: u8) -> DResult<u64> {
        if bytes > 8 {
            return Err(Short::new(format!("{bytes}-byte integer column")));
        }
        match col {
            Col::Bit { .. } => self.uint_be(usize::from(bytes)),
            _ => self.uint(usize::from(bytes)),
        }
    }
}
