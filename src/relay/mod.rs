//! Relay-log files → framed raw events with their relay positions. The first stage of the
//! pipeline; it knows bytes and files, not what events mean (that is [`crate::event`]).
//!
//! Public API:
//! - [`RelaySource`]: an `.index` file (re-read at every file end, so rotation and purge are
//!   followed) or a fixed list of files.
//! - [`Reader::open`]`(source, start, follow)`: reads the FORMAT_DESCRIPTION event at offset 4
//!   before seeking to `start`, then [`Reader::next`] yields [`ReadOutcome`]s:
//!   `Event(RawEvent)`, `Pending` (live tail: retry at the same offset, see [`Reader::wait`]),
//!   `End`, or `Error` (naming file and offset; the reader already moved on, resynchronising at
//!   the next transaction start after a bad checksum or length).
//! - [`RawEvent`]: relay [`Position`](crate::event::Position), [`Header`] fields, the body
//!   without its CRC32 trailer, and the [`FormatDescription`] in force.
//!
//! Why not mysql_common here: it does not verify CRC32, cannot tell a partial tail from EOF and
//! panics on truncated input; framing is simple enough to own.

pub mod fde;
mod file;
pub mod header;
mod reader;
mod source;
pub mod synth;
#[cfg(test)]
mod tests;

pub use fde::FormatDescription;
pub use header::Header;
pub use reader::{DEFAULT_MAX_EVENT_SIZE, RawEvent, RawRef, ReadOutcome, Reader, ReaderOptions};
pub use source::RelaySource;

use crate::error::{Error, ErrorKind, Result};
use crate::event::Position;

/// Parse a `FILE:OFFSET` start position (the offset after the last colon).
pub fn parse_position(s: &str) -> Result<Position> {
    let bad = || {
        Error::new(
            ErrorKind::Config,
            format!("bad position {s:?}: expected FILE:OFFSET"),
        )
    };
    let (file, off) = s.rsplit_once(':').ok_or_else(bad)?;
    let offset = off.parse().map_err(|_| bad())?;
    if file.is_empty() {
        return Err(bad());
    }
    Ok(Position {
        file: file.into(),
        offset,
    })
}
