//! Raw relay-log events → the project's own owned vocabulary ([`Event`], [`Transaction`]).
//! The second pipeline stage: it never touches files (that is [`crate::relay`]) and never
//! decides what to prefetch (that is `rewrite/`).
//!
//! Public API:
//! - [`TransactionStream`] (reader + decoder + grouper): `next()` →
//!   [`StreamOutcome`]`::{Transaction, Pending, End, Error}`; transactions carry `seq` (0, 1,
//!   2, …), `gtid`, `start`/`end` relay positions and their events. Use with `follow = true`
//!   to tail a live replica.
//! - [`EventStream`]: the same, one [`Event`] at a time (what `inspect` prints).
//! - [`Decoder`] and [`Grouper`] for callers that drive a [`crate::relay::Reader`] themselves.
//! - [`ColumnSelector`]: decode only some columns per table (e.g. key columns); the others come
//!   out as `None` and cost only a skip.
//!
//! Covered: QUERY with session context (status vars; INTVAR/RAND/USER_VAR folded into the next
//! statement), TABLE_MAP (with optional signedness/name metadata), rows v1/v2 and MySQL partial
//! JSON updates, XID, MySQL GTID (plain, anonymous, tagged), PREVIOUS_GTIDS, MariaDB GTID,
//! GTID_LIST, BINLOG_CHECKPOINT, ANNOTATE_ROWS, MariaDB compressed events 165–171, MySQL
//! TRANSACTION_PAYLOAD (inner events share the payload's position), fake vs real ROTATE.
//! Why hand-written rather than mysql_common: see `decode.rs` and `rows.rs`.

mod compress;
pub(crate) mod cursor;
mod decimal;
mod decode;
mod group;
mod gtid;
mod json;
mod payload;
mod query;
mod rows;
mod stream;
mod table_map;
mod temporal;
mod types;
mod value;

pub use decode::{ColumnSelector, Decoder};
pub use group::Grouper;
pub use stream::{EventOutcome, EventStream, StreamOutcome, TransactionStream};
pub use types::*;

/// Short stable name of an event type, as `inspect --json` prints it.
pub fn type_name(t: u8) -> &'static str {
    use crate::relay::header::code::*;
    match t {
        QUERY | MARIA_QUERY_COMPRESSED => "query",
        STOP => "stop",
        ROTATE => "rotate",
        INTVAR => "intvar",
        RAND => "rand",
        USER_VAR => "user_var",
        FORMAT_DESCRIPTION => "format_description",
        XID => "xid",
        TABLE_MAP => "table_map",
        WRITE_ROWS_V1 | WRITE_ROWS | 166 | 169 => "write_rows",
        UPDATE_ROWS_V1 | UPDATE_ROWS | 167 | 170 => "update_rows",
        DELETE_ROWS_V1 | DELETE_ROWS | 168 | 171 => "delete_rows",
        PARTIAL_UPDATE_ROWS => "partial_update_rows",
        HEARTBEAT => "heartbeat",
        ROWS_QUERY => "rows_query",
        GTID | GTID_TAGGED | MARIA_GTID => "gtid",
        ANONYMOUS_GTID => "anonymous_gtid",
        PREVIOUS_GTIDS => "previous_gtids",
        TRANSACTION_PAYLOAD => "transaction_payload",
        MARIA_ANNOTATE_ROWS => "annotate_rows",
        MARIA_BINLOG_CHECKPOINT => "binlog_checkpoint",
        MARIA_GTID_LIST => "gtid_list",
        MARIA_START_ENCRYPTION => "start_encryption",
        _ => "other",
    }
}
