//! Inflating compressed event payloads: MariaDB's zlib-compressed query and rows events
//! (165–171, `log_bin_compress`) and MySQL's zstd TRANSACTION_PAYLOAD (40). Output is bounded by
//! the declared size and a hard cap, so a corrupt header cannot make the reader allocate
//! without limit.

use std::io::Read;

use super::cursor::{Cur, DResult, Short};

/// Largest inflated payload accepted (MySQL's and MariaDB's own limit is max_allowed_packet, 1 GiB).
pub(crate) const MAX_INFLATED: u64 = 1 << 30;

/// MariaDB compressed data: byte0 = 0x80 | lenlen, lenlen big-endian bytes of the uncompressed
/// length, then a zlib stream.
pub(crate) fn mariadb(data: &[u8]) -> DResult<Vec<u8>> {
    let mut c = Cur::new(data);
    let b0 = c.u8()?;
    let lenlen = usize::from(b0 & 0x07);
    if b0 & 0x80 == 0 || !(1..=4).contains(&lenlen) {
        return Err(Short::new(format!("bad compression header byte {b0:#04x}")));
    }
    let len = c.uint_be(lenlen)?;
    if len > MAX_INFLATED {
        return Err(Short::new(format!(
            "declared uncompressed length {len} is too large"
        )));
    }
    let out = read_bounded(flate2::read::ZlibDecoder::new(c.rest()), len, "zlib")?;
    if out.len() as u64 != len {
        return Err(Short::new(format!(
            "inflated {} bytes, header says {len}",
            out.len()
        )));
    }
    Ok(out)
}

/// zstd frame → bytes, at most `max` of them.
pub(crate) fn zstd(data: &[u8], max: u64) -> DResult<Vec<u8>> {
    let dec =
        zstd::stream::read::Decoder::new(data).map_err(|e| Short::new(format!("zstd: {e}")))?;
    read_bounded(dec, max.min(MAX_INFLATED), "zstd")
}

fn read_bounded(r: impl Read, max: u64, what: &str) -> DResult<Vec<u8>> {
    let mut out = Vec::with_capacity(max.min(1 << 20) as usize);
    r.take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| Short::new(format!("{what}: {e}")))?;
    if out.len() as u64 > max {
        return Err(Short::new(format!(
            "{what}: more than the declared {max} bytes"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn mariadb_roundtrip_and_lies() {
        let text = b"INSERT INTO t VALUES (1),(2),(3)";
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(text).unwrap();
        let mut data = vec![0x81, text.len() as u8];
        data.extend(z.finish().unwrap());
        assert_eq!(mariadb(&data).unwrap(), text);
        data[1] += 1;
        assert!(mariadb(&data).is_err());
        assert!(mariadb(&[0x01, 2]).is_err());
    }
}
