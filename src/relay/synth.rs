//! Synthetic binlog writer for tests and benchmarks: builds byte-exact v4 events (MariaDB 10.x
//! style FDE, GTID, QUERY, TABLE_MAP, WRITE/UPDATE rows v1, XID, ROTATE) with or without CRC32
//! trailers, so reader and decoder behaviour (partial tails, corruption, rotation) can be tested
//! without a server. Not used by the daemon.

use super::header::{HEADER_LEN, MAGIC, code};

/// Columns the writer can encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthCol {
    /// INT (4 bytes, signed).
    Int,
    /// VARCHAR(255) (1-byte length prefix).
    Varchar,
}

/// A value for a [`SynthCol`] (`None` = NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SynthVal {
    /// SQL NULL.
    Null,
    /// INT value.
    Int(i32),
    /// VARCHAR value.
    Str(String),
}

/// Builds a binlog file in memory; `offset()` is where the next event will start.
#[derive(Debug, Clone)]
pub struct BinlogWriter {
    buf: Vec<u8>,
    checksum: bool,
    server_id: u32,
    timestamp: u32,
}

impl BinlogWriter {
    /// Magic plus a MariaDB 10.11 FORMAT_DESCRIPTION event (checksum CRC32 when `checksum`).
    pub fn new(checksum: bool) -> BinlogWriter {
        let mut w = BinlogWriter {
            buf: MAGIC.to_vec(),
            checksum,
            server_id: 1,
            timestamp: 1_700_000_000,
        };
        w.fde();
        w
    }

    /// The bytes so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Offset of the next event.
    pub fn offset(&self) -> u64 {
        self.buf.len() as u64
    }

    fn fde(&mut self) {
        let mut b = Vec::new();
        b.extend_from_slice(&4u16.to_le_bytes());
        let mut ver = b"10.11.6-MariaDB-log".to_vec();
        ver.resize(50, 0);
        b.extend_from_slice(&ver);
        b.extend_from_slice(&self.timestamp.to_le_bytes());
        b.push(HEADER_LEN as u8);
        // Post-header lengths for types 1..=171 (only the ones the decoder reads matter).
        let mut phl = vec![0u8; 171];
        phl[usize::from(code::QUERY) - 1] = 13;
        phl[usize::from(code::TABLE_MAP) - 1] = 8;
        for t in [
            code::WRITE_ROWS_V1,
            code::UPDATE_ROWS_V1,
            code::DELETE_ROWS_V1,
        ] {
            phl[usize::from(t) - 1] = 8;
        }
        b.extend_from_slice(&phl);
        // Checksum algorithm byte; the CRC itself is appended by `event` (or zeros when off).
        b.push(u8::from(self.checksum));
        if !self.checksum {
            b.extend_from_slice(&[0; 4]);
        }
        let forced = self.checksum;
        self.event_with(code::FORMAT_DESCRIPTION, &b, forced);
    }

    /// Append one event with `body`.
    pub fn event(&mut self, type_code: u8, body: &[u8]) -> &mut Self {
        let cs = self.checksum;
        self.event_with(type_code, body, cs);
        self
    }

    fn event_with(&mut self, type_code: u8, body: &[u8], checksum: bool) {
        let start = self.buf.len();
        let len = HEADER_LEN + body.len() + if checksum { 4 } else { 0 };
        let end_pos = (start + len) as u32;
        self.buf.extend_from_slice(&self.timestamp.to_le_bytes());
        self.buf.push(type_code);
        self.buf.extend_from_slice(&self.server_id.to_le_bytes());
        self.buf.extend_from_slice(&(len as u32).to_le_bytes());
        self.buf.extend_from_slice(&end_pos.to_le_bytes());
        self.buf.extend_from_slice(&0u16.to_le_bytes());
        self.buf.extend_from_slice(body);
        if checksum {
            let crc = crc32fast::hash(&self.buf[start..]);
            self.buf.extend_from_slice(&crc.to_le_bytes());
        }
    }

    /// MariaDB GTID domain 0, this server, `seq`, opening a transaction (flags
    /// TRANSACTIONAL | ALLOW_PARALLEL; MariaDB writes no BEGIN after it).
    pub fn gtid(&mut self, seq: u64) -> &mut Self {
        self.maria_gtid(seq, 0x0c)
    }

    /// MariaDB GTID of a standalone statement (flags STANDALONE | DDL), as before DDL.
    pub fn gtid_standalone(&mut self, seq: u64) -> &mut Self {
        self.maria_gtid(seq, 0x21)
    }

    fn maria_gtid(&mut self, seq: u64, flags: u8) -> &mut Self {
        let mut b = seq.to_le_bytes().to_vec();
        b.extend_from_slice(&0u32.to_le_bytes());
        b.push(flags);
        b.extend_from_slice(&[0; 6]);
        self.event(code::MARIA_GTID, &b)
    }

    /// QUERY with default database `db`.
    pub fn query(&mut self, db: &str, sql: &str) -> &mut Self {
        let mut b = Vec::new();
        b.extend_from_slice(&7u32.to_le_bytes()); // thread id
        b.extend_from_slice(&0u32.to_le_bytes()); // exec time
        b.push(db.len() as u8);
        b.extend_from_slice(&0u16.to_le_bytes()); // error code
        let status = [1u8, 0, 0, 0, 0, 0, 0, 0, 0]; // Q_SQL_MODE_CODE = 0
        b.extend_from_slice(&(status.len() as u16).to_le_bytes());
        b.extend_from_slice(&status);
        b.extend_from_slice(db.as_bytes());
        b.push(0);
        b.extend_from_slice(sql.as_bytes());
        self.event(code::QUERY, &b)
    }

    /// TABLE_MAP for `db.table` with these columns, all nullable.
    pub fn table_map(&mut self, id: u64, db: &str, table: &str, cols: &[SynthCol]) -> &mut Self {
        let mut b = id.to_le_bytes()[..6].to_vec();
        b.extend_from_slice(&1u16.to_le_bytes());
        for name in [db, table] {
            b.push(name.len() as u8);
            b.extend_from_slice(name.as_bytes());
            b.push(0);
        }
        b.push(cols.len() as u8);
        let mut meta = Vec::new();
        for c in cols {
            match c {
                SynthCol::Int => b.push(3),
                SynthCol::Varchar => {
                    b.push(15);
                    meta.extend_from_slice(&255u16.to_le_bytes());
                }
            }
        }
        b.push(meta.len() as u8);
        b.extend_from_slice(&meta);
        b.extend(std::iter::repeat_n(0xff, cols.len().div_ceil(8)));
        self.event(code::TABLE_MAP, &b)
    }

    /// WRITE_ROWS v1 (insert) of `rows` into table `id`.
    pub fn write_rows(&mut self, id: u64, cols: &[SynthCol], rows: &[Vec<SynthVal>]) -> &mut Self {
        let mut b = rows_head(id, cols.len(), false);
        for r in rows {
            image(&mut b, cols, r);
        }
        self.event(code::WRITE_ROWS_V1, &b)
    }

    /// UPDATE_ROWS v1 of (before, after) pairs in table `id`.
    pub fn update_rows(
        &mut self,
        id: u64,
        cols: &[SynthCol],
        rows: &[(Vec<SynthVal>, Vec<SynthVal>)],
    ) -> &mut Self {
        let mut b = rows_head(id, cols.len(), true);
        for (before, after) in rows {
            image(&mut b, cols, before);
            image(&mut b, cols, after);
        }
        self.event(code::UPDATE_ROWS_V1, &b)
    }

    /// XID (commit).
    pub fn xid(&mut self, xid: u64) -> &mut Self {
        self.event(code::XID, &xid.to_le_bytes())
    }

    /// ROTATE to `next` (a relay log's real end-of-file rotate).
    pub fn rotate(&mut self, next: &str) -> &mut Self {
        let mut b = 4u64.to_le_bytes().to_vec();
        b.extend_from_slice(next.as_bytes());
        self.event(code::ROTATE, &b)
    }
}

fn rows_head(id: u64, width: usize, update: bool) -> Vec<u8> {
    let mut b = id.to_le_bytes()[..6].to_vec();
    b.extend_from_slice(&1u16.to_le_bytes()); // STMT_END
    b.push(width as u8);
    let bitmap = vec![0xffu8; width.div_ceil(8)];
    b.extend_from_slice(&bitmap);
    if update {
        b.extend_from_slice(&bitmap);
    }
    b
}

fn image(b: &mut Vec<u8>, cols: &[SynthCol], row: &[SynthVal]) {
    let mut nulls = vec![0u8; cols.len().div_ceil(8)];
    for (i, v) in row.iter().enumerate() {
        if *v == SynthVal::Null {
            nulls[i / 8] |= 1 << (i % 8);
        }
    }
    b.extend_from_slice(&nulls);
    for v in row {
        match v {
            SynthVal::Null => {}
            SynthVal::Int(i) => b.extend_from_slice(&i.to_le_bytes()),
            SynthVal::Str(s) => {
                b.push(s.len().min(255) as u8);
                b.extend_from_slice(&s.as_bytes()[..s.len().min(255)]);
            }
        }
    }
}
