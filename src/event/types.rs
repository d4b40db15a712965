//! The project's own owned event vocabulary: what every later stage sees of the relay log.
//! No mysql_common type crosses this seam. Positions are *relay* positions (file + byte offset in
//! that relay file), computed by the reader, never the source positions carried in event headers.

use std::sync::Arc;

/// Where an event starts in the relay log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// Relay-log file path as given to / found by the reader.
    pub file: Arc<str>,
    /// Byte offset of the event header in that file.
    pub offset: u64,
}

/// A decoded column value from a row image or a user variable.
///
/// Strings, BLOBs and JSON text are kept as bytes: the relay log does not say their charset
/// unless row metadata is on, and the server compares them by the column's collation anyway.
/// ENUM and SET are their stored numbers (the server compares `enum_col = 2` by index).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// Signed integer types (TINYINT..BIGINT), and YEAR.
    Int(i64),
    /// Unsigned integers (when the schema says UNSIGNED), BIT, SET bitmaps.
    UInt(u64),
    /// FLOAT.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// DECIMAL in its exact text form, e.g. "-12.3400".
    Decimal(String),
    /// CHAR/VARCHAR/TEXT/BLOB/BINARY/JSON (text form)/GEOMETRY bytes.
    Bytes(Vec<u8>),
    /// DATE, DATETIME, TIMESTAMP (TIMESTAMP in UTC).
    DateTime {
        /// Year.
        year: u16,
        /// Month 1-12 (0 allowed for zero dates).
        month: u8,
        /// Day 1-31 (0 allowed).
        day: u8,
        /// Hour.
        hour: u8,
        /// Minute.
        minute: u8,
        /// Second.
        second: u8,
        /// Microseconds.
        micros: u32,
    },
    /// TIME.
    Time {
        /// Negative interval.
        negative: bool,
        /// Hours (may exceed 24).
        hours: u32,
        /// Minutes.
        minutes: u8,
        /// Seconds.
        seconds: u8,
        /// Microseconds.
        micros: u32,
    },
}

/// A row image: one entry per table column, by ordinal. `None` means the column is not in the
/// image (binlog_row_image=MINIMAL/NOBLOB) or was not decoded because no consumer asked for it;
/// `Some(Value::Null)` is a real NULL.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// Values by column ordinal (0-based).
    pub values: Vec<Option<Value>>,
}

/// Which rows event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowsKind {
    /// WRITE_ROWS (insert): after images only.
    Write,
    /// UPDATE_ROWS: before and after images.
    Update,
    /// DELETE_ROWS: before images only.
    Delete,
}

/// Column type information from the TABLE_MAP event, by ordinal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapColumn {
    /// MySQL column type code (MYSQL_TYPE_*), real type for ENUM/SET/STRING.
    pub type_code: u8,
    /// Type metadata from the table map (length/precision/etc.), raw.
    pub meta: u16,
    /// Nullable per the table map.
    pub nullable: bool,
    /// Unsigned, when the table map carries optional signedness metadata.
    pub unsigned: Option<bool>,
    /// Column name, when the table map carries optional metadata (binlog_row_metadata=FULL).
    pub name: Option<String>,
}

/// A TABLE_MAP event's content, cached by table id across relay-file boundaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMap {
    /// The table id the rows events refer to.
    pub table_id: u64,
    /// Database name.
    pub db: String,
    /// Table name.
    pub table: String,
    /// Columns by ordinal.
    pub columns: Vec<MapColumn>,
}

/// A decoded rows event (v1 or v2, MySQL or MariaDB, compressed or not).
#[derive(Debug, Clone, PartialEq)]
pub struct RowsEvent {
    /// What kind of change.
    pub kind: RowsKind,
    /// The table map this event refers to.
    pub table: Arc<TableMap>,
    /// Before images (Update/Delete), empty for Write.
    pub before: Vec<Row>,
    /// After images (Write/Update), empty for Delete. For Update, `before[i]` pairs with `after[i]`.
    pub after: Vec<Row>,
    /// STMT_END flag: the last rows event of its statement.
    pub stmt_end: bool,
}

impl RowsEvent {
    /// Number of changed rows.
    pub fn row_count(&self) -> usize {
        self.before.len().max(self.after.len())
    }
}

/// Session context the applier uses for a statement (from the Query event's status variables and
/// the INTVAR / RAND / USER_VAR events that precede it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionContext {
    /// sql_mode bits.
    pub sql_mode: Option<u64>,
    /// character_set_client, collation_connection, collation_server ids.
    pub charset: Option<(u16, u16, u16)>,
    /// time_zone name.
    pub time_zone: Option<String>,
    /// INSERT_ID intvar.
    pub insert_id: Option<u64>,
    /// LAST_INSERT_ID intvar.
    pub last_insert_id: Option<u64>,
    /// RAND seeds.
    pub rand_seed: Option<(u64, u64)>,
    /// User variables set before the statement, by name (None value = NULL).
    pub user_vars: Vec<(String, Value)>,
    /// The statement's timestamp (seconds) from the event header.
    pub timestamp: u32,
    /// Originating thread id.
    pub thread_id: u32,
}

/// A statement event (QUERY, or MariaDB compressed QUERY) with its context.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Statement {
    /// The default database, empty → None.
    pub db: Option<String>,
    /// Statement text (lossy UTF-8 of the event bytes).
    pub sql: String,
    /// Session context.
    pub context: SessionContext,
}

/// A global transaction id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Gtid {
    /// MariaDB domain-server-seq.
    MariaDb {
        /// Replication domain.
        domain: u32,
        /// Originating server id.
        server_id: u32,
        /// Sequence number.
        seq: u64,
    },
    /// MySQL uuid[:tag]:gno.
    MySql {
        /// Source UUID.
        uuid: [u8; 16],
        /// Optional tag (MySQL 8.3+).
        tag: Option<String>,
        /// Transaction number.
        gno: u64,
    },
    /// MySQL anonymous GTID (gtid_mode=OFF).
    Anonymous,
}

impl std::fmt::Display for Gtid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gtid::MariaDb {
                domain,
                server_id,
                seq,
            } => write!(f, "{domain}-{server_id}-{seq}"),
            Gtid::MySql { uuid, tag, gno } => {
                let h: String = uuid.iter().map(|b| format!("{b:02x}")).collect();
                write!(
                    f,
                    "{}-{}-{}-{}-{}",
                    &h[0..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..32]
                )?;
                if let Some(t) = tag {
                    write!(f, ":{t}")?;
                }
                write!(f, ":{gno}")
            }
            Gtid::Anonymous => write!(f, "ANONYMOUS"),
        }
    }
}

/// What an event says, in our vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub enum EventBody {
    /// FORMAT_DESCRIPTION (15).
    FormatDescription {
        /// Server version string.
        server_version: String,
        /// Binlog format version (4).
        binlog_version: u16,
        /// Whether events carry a CRC32 trailer.
        checksum: bool,
    },
    /// QUERY (2) or compressed QUERY (165), INTVAR/RAND/USER_VAR folded into its context.
    /// BEGIN/COMMIT/ROLLBACK/XA statements appear here too. Boxed: a statement is the largest
    /// body by far, and every event is moved several times between reader and planner.
    Query(Box<Statement>),
    /// TABLE_MAP (19).
    TableMap(Arc<TableMap>),
    /// WRITE/UPDATE/DELETE_ROWS v1/v2, MariaDB compressed rows, MySQL partial updates.
    Rows(RowsEvent),
    /// XID (16): commit.
    Xid(u64),
    /// GTID (MySQL 33 / anonymous 34 / MariaDB 162).
    Gtid {
        /// The id.
        gtid: Gtid,
        /// MariaDB: standalone (no BEGIN follows; DDL) = flags & 0x01.
        standalone: bool,
        /// MariaDB group commit id.
        commit_id: Option<u64>,
    },
    /// MariaDB GTID_LIST (163) / MySQL PREVIOUS_GTIDS (35).
    GtidList(Vec<Gtid>),
    /// ROTATE (4). `fake` when the server wrote it (timestamp 0 / relay-log start), not a source rotate.
    Rotate {
        /// Next file name.
        next_file: String,
        /// Position in the next file.
        position: u64,
        /// Fake (synthetic) rotate.
        fake: bool,
    },
    /// MariaDB ANNOTATE_ROWS (160) / MySQL ROWS_QUERY (29): the statement text behind row events.
    AnnotateRows(String),
    /// MariaDB BINLOG_CHECKPOINT (161).
    BinlogCheckpoint(String),
    /// STOP (3).
    Stop,
    /// Any other event, kept by type code so counts stay exact.
    Other,
}

/// One framed and decoded event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Relay position of the header.
    pub pos: Position,
    /// Total length including header and checksum.
    pub len: u32,
    /// Raw type code.
    pub type_code: u8,
    /// Header timestamp.
    pub timestamp: u32,
    /// Header server id (the source's).
    pub server_id: u32,
    /// Header next-position (the source's, not ours).
    pub log_pos: u32,
    /// Decoded body.
    pub body: EventBody,
}

impl Event {
    /// Offset just past this event in its relay file.
    pub fn end_offset(&self) -> u64 {
        self.pos.offset + u64::from(self.len)
    }
}

/// A transaction as the applier will apply it: GTID/BEGIN … XID/COMMIT, or a single DDL /
/// standalone statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    /// Monotonic sequence number assigned by the grouper (0, 1, 2, …) within a run.
    pub seq: u64,
    /// GTID when the stream has one.
    pub gtid: Option<Gtid>,
    /// Position of the first event of the transaction (the GTID or BEGIN).
    pub start: Position,
    /// Position just past the last event (the XID/COMMIT): where the applier stands after it.
    pub end: Position,
    /// The events inside (statements, table maps, rows, annotate), without GTID/BEGIN/COMMIT.
    pub events: Vec<Event>,
}
