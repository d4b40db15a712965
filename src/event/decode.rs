//! [`Decoder`]: one [`RawEvent`] → zero or more [`Event`]s (a TRANSACTION_PAYLOAD expands to its
//! inner events). Holds the state decoding needs across events: the table-map cache (kept
//! across relay-file boundaries and rotates, because a transaction can be split between two
//! relay files; bounded by clearing it at a transaction start once it grows large), the session
//! context of INTVAR/RAND/USER_VAR events waiting for their statement, and the column selector.
//!
//! Every decoder here is hand-written over a bounds-checked cursor, so no input panics; errors
//! name the relay file and offset. mysql_common is used only for binary JSON (see `json.rs`).

use std::sync::Arc;

use super::cursor::{DResult, Short};
use super::rows::{self, TableEntry};
use super::types::{Event, EventBody, RowsKind, SessionContext, TableMap};
use super::{compress, gtid, payload, query, table_map};
use crate::error::{Error, ErrorKind, Result};
use crate::fxhash::FxHashMap;
use crate::relay::header::{Header, code};
use crate::relay::{FormatDescription, RawEvent, RawRef};

/// Chooses, per table, which columns a consumer needs decoded (`true` = decode). Called once
/// per new table map; `None` decodes every column. Columns not decoded come out as `None` in
/// [`super::Row::values`] (their bytes are skipped, which is much cheaper than decoding).
pub type ColumnSelector = Arc<dyn Fn(&TableMap) -> Option<Vec<bool>> + Send + Sync>;

/// Table-map cache size above which it is cleared at the next transaction start.
const MAX_CACHED_TABLES: usize = 4096;
/// ROTATE header flag LOG_EVENT_ARTIFICIAL_F: written by the server, not in the source binlog.
const ARTIFICIAL: u16 = 0x20;

/// Stateful event decoder. See the module doc.
pub struct Decoder {
    /// Table maps by id (Fx-hashed: every rows event looks its table up).
    tables: FxHashMap<u64, TableEntry>,
    pending: SessionContext,
    selector: Option<ColumnSelector>,
    /// Keep the statement text of ANNOTATE_ROWS / ROWS_QUERY events (on by default).
    keep_annotations: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            tables: FxHashMap::default(),
            pending: SessionContext::default(),
            selector: None,
            keep_annotations: true,
        }
    }
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("tables", &self.tables.len())
            .field("selector", &self.selector.is_some())
            .finish()
    }
}

impl Decoder {
    /// A decoder that decodes every column.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decode only the columns `selector` asks for (applies to table maps seen from now on).
    pub fn set_column_selector(&mut self, selector: Option<ColumnSelector>) {
        self.selector = selector;
        self.tables.clear();
    }

    /// Whether ANNOTATE_ROWS / ROWS_QUERY events keep their statement text. The planner never
    /// reads it (the rows events that follow say exactly what changes), and on MariaDB, which
    /// annotates every row-based statement by default, copying and validating that text was a
    /// few percent of decoding; without it the event is `AnnotateRows("")`.
    pub fn set_keep_annotations(&mut self, keep: bool) {
        self.keep_annotations = keep;
    }

    /// The cached table map for a table id.
    pub fn table(&self, table_id: u64) -> Option<Arc<TableMap>> {
        self.tables.get(&table_id).map(|t| t.map.clone())
    }

    /// Decode `raw`, appending the resulting events to `out`. On error nothing is appended.
    pub fn decode(&mut self, raw: &RawEvent, out: &mut Vec<Event>) -> Result<()> {
        self.decode_ref(raw.as_ref(), out)
    }

    /// [`Decoder::decode`] of an event borrowed from the reader's window.
    pub fn decode_ref(&mut self, raw: RawRef<'_>, out: &mut Vec<Event>) -> Result<()> {
        let t = raw.header.type_code;
        if t == code::TRANSACTION_PAYLOAD {
            return self.decode_payload(raw, out);
        }
        let body = self
            .body(&raw.header, raw.body, raw.fde)
            .map_err(|s| error(&raw, t, s))?;
        out.push(event(&raw, &raw.header, body));
        Ok(())
    }

    /// The payload event itself (as `Other`) followed by its inner events, all at its position.
    fn decode_payload(&mut self, raw: RawRef<'_>, out: &mut Vec<Event>) -> Result<()> {
        let raw = &raw;
        let bytes =
            payload::inflate(raw.body).map_err(|s| error(raw, code::TRANSACTION_PAYLOAD, s))?;
        let inner = payload::split(&bytes).map_err(|s| error(raw, code::TRANSACTION_PAYLOAD, s))?;
        let mark = out.len();
        out.push(event(raw, &raw.header, EventBody::Other));
        for (h, body) in inner {
            match self.body(&h, body, raw.fde) {
                Ok(b) => {
                    // Inner events have no relay position of their own: they take the
                    // payload's position and length, so a transaction's end is the payload's.
                    let mut ev = event(raw, &h, b);
                    ev.len = raw.header.event_len;
                    out.push(ev);
                }
                Err(s) => {
                    out.truncate(mark);
                    return Err(error(raw, h.type_code, s));
                }
            }
        }
        Ok(())
    }

    fn body(&mut self, h: &Header, body: &[u8], fde: &FormatDescription) -> DResult<EventBody> {
        let t = h.type_code;
        Ok(match t {
            code::FORMAT_DESCRIPTION => EventBody::FormatDescription {
                server_version: fde.server_version.clone(),
                binlog_version: fde.binlog_version,
                checksum: fde.checksum,
            },
            code::QUERY | code::MARIA_QUERY_COMPRESSED => self.query(h, body, t)?,
            code::INTVAR => fold(query::intvar(body, &mut self.pending))?,
            code::RAND => fold(query::rand(body, &mut self.pending))?,
            code::USER_VAR => fold(query::user_var(body, &mut self.pending))?,
            code::TABLE_MAP => self.table_map(body, fde)?,
            code::XID => EventBody::Xid(exact_u64(body, "XID")?),
            code::GTID => self.gtid(gtid::mysql(body)?),
            code::GTID_TAGGED => self.gtid(gtid::mysql_tagged(body)?),
            code::ANONYMOUS_GTID => self.gtid(anonymous(body)?),
            code::MARIA_GTID => self.gtid(gtid::mariadb(body, h.server_id)?),
            code::PREVIOUS_GTIDS => gtid::previous(body)?,
            code::MARIA_GTID_LIST => gtid::mariadb_list(body)?,
            code::ROTATE => rotate(h, body)?,
            code::MARIA_ANNOTATE_ROWS | code::ROWS_QUERY if !self.keep_annotations => {
                EventBody::AnnotateRows(String::new())
            }
            code::MARIA_ANNOTATE_ROWS => EventBody::AnnotateRows(lossy(body)),
            code::ROWS_QUERY => EventBody::AnnotateRows(lossy(body.get(1..).unwrap_or_default())),
            code::MARIA_BINLOG_CHECKPOINT => checkpoint(body)?,
            code::STOP => EventBody::Stop,
            _ => match rows_kind(t) {
                Some((kind, compressed)) => self.rows(body, fde, t, kind, compressed)?,
                None => EventBody::Other,
            },
        })
    }

    fn gtid(&mut self, b: EventBody) -> EventBody {
        if self.tables.len() > MAX_CACHED_TABLES {
            self.tables.clear();
        }
        self.pending = SessionContext::default();
        b
    }

    fn query(&mut self, h: &Header, body: &[u8], t: u8) -> DResult<EventBody> {
        let (mut stmt, at) = query::decode_head(body)?;
        let text = &body[at..];
        stmt.sql = if t == code::MARIA_QUERY_COMPRESSED {
            String::from_utf8_lossy(&compress::mariadb(text)?).into_owned()
        } else {
            lossy(text)
        };
        let pending = std::mem::take(&mut self.pending);
        let ctx = &mut stmt.context;
        ctx.insert_id = pending.insert_id;
        ctx.last_insert_id = pending.last_insert_id;
        ctx.rand_seed = pending.rand_seed;
        ctx.user_vars = pending.user_vars;
        ctx.timestamp = h.timestamp;
        Ok(EventBody::Query(Box::new(stmt)))
    }

    fn table_map(&mut self, body: &[u8], fde: &FormatDescription) -> DResult<EventBody> {
        let id_len = if fde.post_header_len(code::TABLE_MAP) == Some(6) {
            4
        } else {
            6
        };
        let id = crate::event::cursor::Cur::new(body).uint(id_len)?;
        if let Some(e) = self.tables.get(&id).filter(|e| e.raw == body) {
            return Ok(EventBody::TableMap(e.map.clone()));
        }
        let map = table_map::decode(body, id_len)?;
        let mask = self
            .selector
            .as_ref()
            .and_then(|s| s(&map))
            .map(Arc::<[bool]>::from);
        let entry = rows::entry(map, body.to_vec(), mask);
        let arc = entry.map.clone();
        self.tables.insert(id, entry);
        Ok(EventBody::TableMap(arc))
    }

    fn rows(
        &mut self,
        body: &[u8],
        fde: &FormatDescription,
        t: u8,
        kind: RowsKind,
        compressed: bool,
    ) -> DResult<EventBody> {
        let phl = fde.post_header_len(t);
        let id_len = if phl == Some(6) { 4 } else { 6 };
        let v2 = phl.map_or(matches!(t, 30..=32 | 39), |l| l == 10);
        let head = rows::head(body, id_len, v2, kind)?;
        let entry = self.tables.get(&head.table_id).ok_or_else(|| {
            Short::new(format!("rows event for unknown table id {}", head.table_id))
        })?;
        let data = &body[head.data_at..];
        let ev = if compressed {
            rows::decode(&head, &compress::mariadb(data)?, entry, kind, false)?
        } else {
            rows::decode(&head, data, entry, kind, t == code::PARTIAL_UPDATE_ROWS)?
        };
        Ok(EventBody::Rows(ev))
    }
}

/// INTVAR/RAND/USER_VAR were folded into the pending context; the event itself is `Other`.
fn fold(r: DResult<()>) -> DResult<EventBody> {
    r.map(|()| EventBody::Other)
}

/// Rows event kind and whether it is MariaDB-compressed.
fn rows_kind(t: u8) -> Option<(RowsKind, bool)> {
    Some(match t {
        code::WRITE_ROWS_V1 | code::WRITE_ROWS => (RowsKind::Write, false),
        code::UPDATE_ROWS_V1 | code::UPDATE_ROWS | code::PARTIAL_UPDATE_ROWS => {
            (RowsKind::Update, false)
        }
        code::DELETE_ROWS_V1 | code::DELETE_ROWS => (RowsKind::Delete, false),
        166 | 169 => (RowsKind::Write, true),
        167 | 170 => (RowsKind::Update, true),
        168 | 171 => (RowsKind::Delete, true),
        _ => return None,
    })
}

fn event(raw: &RawRef<'_>, h: &Header, body: EventBody) -> Event {
    Event {
        pos: raw.pos(),
        len: h.event_len,
        type_code: h.type_code,
        timestamp: h.timestamp,
        server_id: h.server_id,
        log_pos: h.log_pos,
        body,
    }
}

fn error(raw: &RawRef<'_>, t: u8, s: Short) -> Error {
    let kind = ErrorKind::Corrupt;
    Error::new(
        kind,
        format!(
            "{}:{}: {} event: {}",
            raw.file,
            raw.offset,
            super::type_name(t),
            s.0
        ),
    )
}

/// Text of a statement: valid UTF-8 (the usual case) is validated by the fast path of
/// `str::from_utf8`; anything else is repaired lossily.
fn lossy(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

fn exact_u64(body: &[u8], what: &str) -> DResult<u64> {
    let arr: [u8; 8] = body
        .try_into()
        .map_err(|_| Short::new(format!("{what} body is {} bytes, expected 8", body.len())))?;
    Ok(u64::from_le_bytes(arr))
}

fn anonymous(body: &[u8]) -> DResult<EventBody> {
    if body.len() < 25 {
        return Err(Short::new(format!(
            "anonymous GTID body is {} bytes",
            body.len()
        )));
    }
    Ok(EventBody::Gtid {
        gtid: super::types::Gtid::Anonymous,
        standalone: false,
        commit_id: None,
    })
}

/// ROTATE: position u64, then the next file's name. Fake when the server made it up (artificial
/// flag, or timestamp 0 as MariaDB and old MySQL write it) rather than copying the source's.
fn rotate(h: &Header, body: &[u8]) -> DResult<EventBody> {
    let mut c = crate::event::cursor::Cur::new(body);
    let position = c.u64()?;
    Ok(EventBody::Rotate {
        next_file: lossy(c.rest()),
        position,
        fake: h.flags & ARTIFICIAL != 0 || h.timestamp == 0,
    })
}

fn checkpoint(body: &[u8]) -> DResult<EventBody> {
    let mut c = crate::event::cursor::Cur::new(body);
    let n = c.u32()? as usize;
    Ok(EventBody::BinlogCheckpoint(lossy(c.take(n)?)))
}
