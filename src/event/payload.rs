//! MySQL TRANSACTION_PAYLOAD (40, `binlog_transaction_compression`): a header of
//! (type, length, value) fields in `net_field_length` encoding, then the payload — a zstd
//! frame (compression type 0) or plain bytes (255) holding whole events, each with a 19-byte
//! header and no checksum of their own (the outer event carries it).

use super::cursor::{Cur, DResult, Short};
use crate::relay::header::{HEADER_LEN, Header};

const FIELD_END: u64 = 0;
const FIELD_SIZE: u64 = 1;
const FIELD_COMPRESSION: u64 = 2;
const FIELD_UNCOMPRESSED: u64 = 3;
const COMPRESSION_ZSTD: u64 = 0;
const COMPRESSION_NONE: u64 = 255;

/// The inflated bytes of a payload event body.
pub(crate) fn inflate(body: &[u8]) -> DResult<Vec<u8>> {
    let mut c = Cur::new(body);
    let (mut size, mut algo, mut plain) = (None, None, None);
    loop {
        let field = c.lenenc()?;
        if field == FIELD_END {
            break;
        }
        let len = c.lenenc_len()?;
        let mut v = Cur::new(c.take(len)?);
        match field {
            FIELD_SIZE => size = Some(v.lenenc()?),
            FIELD_COMPRESSION => algo = Some(v.lenenc()?),
            FIELD_UNCOMPRESSED => plain = Some(v.lenenc()?),
            _ => {}
        }
    }
    let size = size.ok_or_else(|| Short::new("payload header without a size"))?;
    let data = c.take(usize::try_from(size).unwrap_or(usize::MAX))?;
    match algo {
        Some(COMPRESSION_ZSTD) => {
            let max = plain.unwrap_or(super::compress::MAX_INFLATED);
            super::compress::zstd(data, max)
        }
        Some(COMPRESSION_NONE) => Ok(data.to_vec()),
        other => Err(Short::new(format!("unknown payload compression {other:?}"))),
    }
}

/// Split inflated payload bytes into (header, body) pairs.
pub(crate) fn split(bytes: &[u8]) -> DResult<Vec<(Header, &[u8])>> {
    let mut out = Vec::new();
    let mut c = Cur::new(bytes);
    while !c.is_empty() {
        let h =
            Header::from_slice(c.take(HEADER_LEN)?).ok_or_else(|| Short::new("short header"))?;
        let body_len = (h.event_len as usize)
            .checked_sub(HEADER_LEN)
            .ok_or_else(|| Short::new(format!("inner event length {}", h.event_len)))?;
        out.push((h, c.take(body_len)?));
    }
    Ok(out)
}
