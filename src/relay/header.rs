//! The v4 common event header (19 bytes) and the event type codes this crate names.
//! Owns only byte layout; deciding what an event means is `event/`'s job.

/// Length of the v4 common header.
pub const HEADER_LEN: usize = 19;
/// Length of the CRC32 trailer when checksums are on.
pub const CHECKSUM_LEN: usize = 4;
/// Every binlog and relay-log file starts with these four bytes.
pub const MAGIC: [u8; 4] = [0xfe, b'b', b'i', b'n'];
/// The magic of a file MySQL 8.0.14+ wrote with `binlog_encryption=ON` (binary and relay logs):
/// an encryption header follows, then events encrypted as a whole.
pub const MAGIC_MYSQL_ENCRYPTED: [u8; 4] = [0xfd, b'b', b'i', b'n'];
/// The format description event always sits right after the magic.
pub const FDE_OFFSET: u64 = 4;

/// Event type codes (MySQL `Log_event_type`, MariaDB additions from 160 on).
pub mod code {
    #![allow(missing_docs)]
    pub const START_V3: u8 = 1;
    pub const QUERY: u8 = 2;
    pub const STOP: u8 = 3;
    pub const ROTATE: u8 = 4;
    pub const INTVAR: u8 = 5;
    pub const RAND: u8 = 13;
    pub const USER_VAR: u8 = 14;
    pub const FORMAT_DESCRIPTION: u8 = 15;
    pub const XID: u8 = 16;
    pub const TABLE_MAP: u8 = 19;
    pub const WRITE_ROWS_V1: u8 = 23;
    pub const UPDATE_ROWS_V1: u8 = 24;
    pub const DELETE_ROWS_V1: u8 = 25;
    pub const HEARTBEAT: u8 = 27;
    pub const ROWS_QUERY: u8 = 29;
    pub const WRITE_ROWS: u8 = 30;
    pub const UPDATE_ROWS: u8 = 31;
    pub const DELETE_ROWS: u8 = 32;
    pub const GTID: u8 = 33;
    pub const ANONYMOUS_GTID: u8 = 34;
    pub const PREVIOUS_GTIDS: u8 = 35;
    pub const PARTIAL_UPDATE_ROWS: u8 = 39;
    pub const TRANSACTION_PAYLOAD: u8 = 40;
    pub const GTID_TAGGED: u8 = 42;
    pub const MARIA_ANNOTATE_ROWS: u8 = 160;
    pub const MARIA_BINLOG_CHECKPOINT: u8 = 161;
    pub const MARIA_GTID: u8 = 162;
    pub const MARIA_GTID_LIST: u8 = 163;
    pub const MARIA_START_ENCRYPTION: u8 = 164;
    pub const MARIA_QUERY_COMPRESSED: u8 = 165;
    pub const MARIA_WRITE_ROWS_COMPRESSED_V1: u8 = 166;
    pub const MARIA_UPDATE_ROWS_COMPRESSED_V1: u8 = 167;
    pub const MARIA_DELETE_ROWS_COMPRESSED_V1: u8 = 168;
    pub const MARIA_WRITE_ROWS_COMPRESSED: u8 = 169;
    pub const MARIA_UPDATE_ROWS_COMPRESSED: u8 = 170;
    pub const MARIA_DELETE_ROWS_COMPRESSED: u8 = 171;
}

/// The fields of the common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Seconds since the epoch when the source wrote the event.
    pub timestamp: u32,
    /// Event type code.
    pub type_code: u8,
    /// Server id of the originating server.
    pub server_id: u32,
    /// Total event length including header and checksum.
    pub event_len: u32,
    /// The *source's* end position of the event (not a relay offset).
    pub log_pos: u32,
    /// Header flags.
    pub flags: u16,
}

impl Header {
    /// Parse the 19 header bytes.
    pub fn parse(b: &[u8; HEADER_LEN]) -> Header {
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Header {
            timestamp: u32_at(0),
            type_code: b[4],
            server_id: u32_at(5),
            event_len: u32_at(9),
            log_pos: u32_at(13),
            flags: u16::from_le_bytes([b[17], b[18]]),
        }
    }

    /// Parse from the start of a slice of at least [`HEADER_LEN`] bytes.
    pub fn from_slice(b: &[u8]) -> Option<Header> {
        let arr: &[u8; HEADER_LEN] = b.get(..HEADER_LEN)?.try_into().ok()?;
        Some(Header::parse(arr))
    }
}

/// True for the events that can begin a transaction: the resynchronisation targets after corruption.
pub fn starts_transaction(type_code: u8) -> bool {
    matches!(
        type_code,
        code::GTID | code::ANONYMOUS_GTID | code::GTID_TAGGED | code::MARIA_GTID
    )
}

/// True for type codes a reader may meet (used to reject noise while resynchronising).
pub fn is_known(type_code: u8) -> bool {
    matches!(type_code, 1..=42 | 160..=171)
}
