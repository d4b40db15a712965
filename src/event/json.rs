//! MySQL binary JSON (column type 245) → JSON text. The binary format (nested offsets, inlined
//! scalars, opaque values) is exactly what mysql_common's `jsonb` module implements, so it is
//! used here on the already length-checked bytes of one value. mysql_common may panic on
//! malformed input (measured on truncated binlogs), so the call runs under `catch_unwind`: a
//! value it cannot convert keeps its raw binary bytes instead of crashing the reader.

use mysql_common::binlog::jsonb;
use mysql_common::io::ParseBuf;

/// JSON text of a binary JSON value; the raw bytes when they do not parse.
pub(crate) fn to_text(bin: &[u8]) -> Vec<u8> {
    if bin.is_empty() {
        // MySQL writes an empty value for JSON NULL-ish defaults; show it as JSON null.
        return b"null".to_vec();
    }
    let converted = std::panic::catch_unwind(|| -> Option<String> {
        let v: jsonb::Value<'_> = ParseBuf(bin).parse(()).ok()?;
        let dom = v.parse().ok()?;
        Some(serde_json::Value::from(dom).to_string())
    });
    match converted {
        Ok(Some(s)) => s.into_bytes(),
        _ => bin.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_and_garbage() {
        // type 0x05 (int16) value 7
        assert_eq!(to_text(&[0x05, 7, 0]), b"7");
        // literal true
        assert_eq!(to_text(&[0x04, 0x01]), b"true");
        let junk = [0x00, 0xff, 0xff];
        assert_eq!(to_text(&junk), junk.to_vec());
    }
}
