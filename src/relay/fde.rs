//! The FORMAT_DESCRIPTION event: header length, post-header lengths and, since MySQL 5.6.1 and
//! MariaDB 5.3, the checksum algorithm. Parsed by the reader itself because framing (is there a
//! CRC32 trailer?) depends on it; `event/` reuses the parsed value through [`super::RawEvent::fde`].

/// Binlog checksum algorithm code for CRC32 (`binlog_checksum=CRC32`).
const ALG_CRC32: u8 = 1;
/// binlog_version u16 + server_version[50] + create_timestamp u32 + header_length u8.
const FIXED_LEN: usize = 2 + 50 + 4 + 1;

/// What a format description event says about the events after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatDescription {
    /// Binlog format version (4 for every server this crate reads).
    pub binlog_version: u16,
    /// Server version string, e.g. "10.11.6-MariaDB-log" or "8.0.36".
    pub server_version: String,
    /// Common header length (19).
    pub header_len: u8,
    /// Post-header length by event type code minus one.
    pub post_header_lens: Vec<u8>,
    /// Events after this one (and this one) end in a CRC32 trailer.
    pub checksum: bool,
    /// Written by a MariaDB server.
    pub mariadb: bool,
}

impl FormatDescription {
    /// Parse an FDE body (the bytes after the common header, checksum trailer included if any).
    pub fn parse(body: &[u8]) -> Result<FormatDescription, String> {
        if body.len() < FIXED_LEN {
            return Err(format!(
                "format description body is {} bytes, need at least {FIXED_LEN}",
                body.len()
            ));
        }
        let binlog_version = u16::from_le_bytes([body[0], body[1]]);
        let raw_version = &body[2..52];
        let end = raw_version.iter().position(|&b| b == 0).unwrap_or(50);
        let server_version = String::from_utf8_lossy(&raw_version[..end]).into_owned();
        let header_len = body[56];
        if binlog_version != 4 || header_len as usize != super::header::HEADER_LEN {
            return Err(format!(
                "unsupported binlog format: version {binlog_version}, header length {header_len}"
            ));
        }
        let mariadb = server_version.contains("MariaDB");
        let mut rest = &body[FIXED_LEN..];
        let mut checksum = false;
        if has_checksum_alg(&server_version, mariadb) {
            // alg byte, then the (possibly unused) 4-byte CRC.
            if rest.len() < 5 {
                return Err("format description too short for its checksum algorithm".into());
            }
            checksum = rest[rest.len() - 5] == ALG_CRC32;
            rest = &rest[..rest.len() - 5];
        }
        Ok(FormatDescription {
            binlog_version,
            server_version,
            header_len,
            post_header_lens: rest.to_vec(),
            checksum,
            mariadb,
        })
    }

    /// Post-header length for an event type, if this FDE lists it.
    pub fn post_header_len(&self, type_code: u8) -> Option<u8> {
        let i = usize::from(type_code).checked_sub(1)?;
        self.post_header_lens.get(i).copied()
    }
}

/// Servers from MySQL 5.6.1 and MariaDB 5.3 on append the checksum algorithm to the FDE.
fn has_checksum_alg(version: &str, mariadb: bool) -> bool {
    let nums: Vec<u32> = version
        .split(|c: char| !c.is_ascii_digit())
        .take(3)
        .map(|s| s.parse().unwrap_or(0))
        .collect();
    let v = (
        nums.first().copied().unwrap_or(0),
        nums.get(1).copied().unwrap_or(0),
        nums.get(2).copied().unwrap_or(0),
    );
    if mariadb {
        v >= (5, 3, 0)
    } else {
        v >= (5, 6, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_gate() {
        assert!(has_checksum_alg("5.6.1", false));
        assert!(!has_checksum_alg("5.6.0-log", false));
        assert!(has_checksum_alg("8.0.36", false));
        assert!(has_checksum_alg("5.5.5-10.11.6-MariaDB", true));
        assert!(!has_checksum_alg("5.1.23-rc-debug", false));
    }
}
