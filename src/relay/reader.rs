//! The relay-log reader: frames events one by one across files, with relay positions computed
//! here (event headers carry the source's positions, useless in a relay log).
//!
//! Contract of [`Reader::next`]:
//! - `Event`: a complete, checksum-verified (when the FDE says so) event; the reader moved past it.
//! - `Pending`: the file ends inside an event or exactly at an event boundary with nothing newer
//!   (only with `follow`). Nothing was consumed: call again later (see [`Reader::wait`]).
//! - `Error`: a corrupt or truncated event, naming file and offset. The reader has already moved
//!   on: after a bad length or checksum it scans forward byte by byte for the next event that
//!   frames, checks out and starts a transaction (a GTID event or a `BEGIN` query), so one bad
//!   event costs at most the rest of its transaction, never the stream.
//! - `End`: every file was read (never returned with `follow`).
//!
//! What it does not do: decode bodies (that is `event/`), or decide what a transaction is.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tracing::{info, warn};

use super::fde::FormatDescription;
use super::file::{Fetch, RelayFile};
use super::header::{
    self, CHECKSUM_LEN, FDE_OFFSET, HEADER_LEN, Header, MAGIC, MAGIC_MYSQL_ENCRYPTED, code,
};
use super::source::RelaySource;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Position;

/// Largest event accepted by default (the server's own `max_allowed_packet` ceiling).
pub const DEFAULT_MAX_EVENT_SIZE: u32 = 1 << 30;
/// Largest event considered while resynchronising (GTID events and `BEGIN` are tiny).
const MAX_RESYNC_EVENT: u32 = 64 << 10;

/// Why a MySQL-encrypted file is skipped (its magic says so before any event).
const ENCRYPTED_MYSQL: &str = "encrypted relay log (MySQL binlog_encryption=ON): relay-prefetch \
    reads relay-log files directly and cannot decrypt them; file skipped";
/// Why the rest of a MariaDB-encrypted file is skipped (from its START_ENCRYPTION event on).
const ENCRYPTED_MARIADB: &str = "encrypted relay log (MariaDB encrypt_binlog=ON): the events \
    after this START_ENCRYPTION event cannot be decrypted by relay-prefetch, which reads \
    relay-log files directly; rest of the file skipped";

/// Reader tuning.
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Events longer than this are treated as corrupt.
    pub max_event_size: u32,
    /// Longest single sleep in [`Reader::wait`].
    pub poll_interval: Duration,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            poll_interval: Duration::from_millis(50),
        }
    }
}

/// One framed event: header fields, relay position and body (checksum trailer removed).
#[derive(Debug, Clone)]
pub struct RawEvent {
    /// Relay position of the header.
    pub pos: Position,
    /// Common header fields (`event_len` counts header and checksum).
    pub header: Header,
    /// Bytes after the common header, without the CRC32 trailer.
    pub body: Vec<u8>,
    /// The format description in force for this event (the one at offset 4 or a later one).
    pub fde: Arc<FormatDescription>,
}

impl RawEvent {
    /// Relay offset just past this event.
    pub fn end_offset(&self) -> u64 {
        self.pos.offset + u64::from(self.header.event_len)
    }
}

/// One framed event borrowed from the reader's window (see [`Reader::next_ref`]).
#[derive(Debug, Clone, Copy)]
pub struct RawRef<'a> {
    /// The relay file's name (as in [`Position::file`]).
    pub file: &'a Arc<str>,
    /// Relay offset of the header.
    pub offset: u64,
    /// Common header fields.
    pub header: Header,
    /// Bytes after the common header, without the CRC32 trailer.
    pub body: &'a [u8],
    /// The format description in force for this event.
    pub fde: &'a Arc<FormatDescription>,
}

impl RawRef<'_> {
    /// The relay position of the header.
    pub fn pos(&self) -> Position {
        Position {
            file: self.file.clone(),
            offset: self.offset,
        }
    }

    /// An owned copy.
    pub fn to_owned(&self) -> RawEvent {
        RawEvent {
            pos: self.pos(),
            header: self.header,
            body: self.body.to_vec(),
            fde: self.fde.clone(),
        }
    }
}

impl RawEvent {
    /// A borrowed view, as [`Reader::next_ref`] gives.
    pub fn as_ref(&self) -> RawRef<'_> {
        RawRef {
            file: &self.pos.file,
            offset: self.pos.offset,
            header: self.header,
            body: &self.body,
            fde: &self.fde,
        }
    }
}

/// What [`Reader::next`] (owned events) or [`Reader::next_ref`] (borrowed) produced.
#[derive(Debug)]
pub enum ReadOutcome<E = RawEvent> {
    /// A complete event.
    Event(E),
    /// No complete event yet (live tail): call again later, the offset is unchanged.
    Pending,
    /// Every file was read (not in follow mode).
    End,
    /// A broken event; the reader has already moved past it.
    Error(Error),
}

/// The open file and where in it the reader stands.
struct Cur {
    path: PathBuf,
    name: Arc<str>,
    file: RelayFile,
    offset: u64,
    fde: Option<Arc<FormatDescription>>,
    /// Scanning for a transaction start after corruption.
    resync: bool,
    /// Nothing more to read here: move to the next file.
    exhausted: bool,
    /// In follow mode, the tail was re-checked after seeing a newer file.
    tail_rechecked: bool,
}

impl Cur {
    fn open(path: PathBuf) -> std::io::Result<Cur> {
        let file = RelayFile::open(&path)?;
        Ok(Cur {
            name: Arc::from(path.display().to_string()),
            path,
            file,
            offset: 0,
            fde: None,
            resync: false,
            exhausted: false,
            tail_rechecked: false,
        })
    }

    fn err(&self, kind: ErrorKind, offset: u64, msg: impl std::fmt::Display) -> Error {
        Error::new(kind, format!("{}:{offset}: {msg}", self.name))
    }

    /// The file is MariaDB-encrypted from its START_ENCRYPTION event at `offset` on: the rest is
    /// ciphertext, which framing would only report as corrupt events and scan for nothing.
    fn encrypted_from(&mut self, offset: u64) -> Error {
        self.exhausted = true;
        self.err(ErrorKind::Unsupported, offset, ENCRYPTED_MARIADB)
    }
}

impl<E> ReadOutcome<E> {
    /// The same outcome with the event (if any) passed through `f`.
    pub fn map<F>(self, f: impl FnOnce(E) -> F) -> ReadOutcome<F> {
        match self {
            ReadOutcome::Event(e) => ReadOutcome::Event(f(e)),
            ReadOutcome::Pending => ReadOutcome::Pending,
            ReadOutcome::End => ReadOutcome::End,
            ReadOutcome::Error(e) => ReadOutcome::Error(e),
        }
    }
}

/// Why there is no event (the non-event outcomes of [`ReadOutcome`]).
enum Halt {
    Pending,
    End,
    Error(Error),
}

impl<E> From<Halt> for ReadOutcome<E> {
    fn from(h: Halt) -> Self {
        match h {
            Halt::Pending => ReadOutcome::Pending,
            Halt::End => ReadOutcome::End,
            Halt::Error(e) => ReadOutcome::Error(e),
        }
    }
}

/// One step of the reader: an event framed at `offset` (its body in the window), or a halt.
enum Step {
    Framed {
        offset: u64,
        header: Header,
        body_len: usize,
    },
    Halt(Halt),
}

/// A framed event or why there is none.
enum Framed {
    /// The event's body is `[off + HEADER_LEN, off + HEADER_LEN + body_len)`, in the file's
    /// window until its next fetch.
    Event {
        header: Header,
        body_len: usize,
        fde: Option<FormatDescription>,
    },
    Partial {
        have: usize,
        need: u64,
    },
    Bad(ErrorKind, String),
}

/// Relay-log reader over an index or a list of files. See the module doc for the contract.
pub struct Reader {
    source: RelaySource,
    follow: bool,
    opts: ReaderOptions,
    cur: Option<Cur>,
}

impl Reader {
    /// Open `source`, at `start` (an event boundary) or at the first file's beginning.
    pub fn open(source: RelaySource, start: Option<Position>, follow: bool) -> Result<Reader> {
        Reader::with_options(source, start, follow, ReaderOptions::default())
    }

    /// [`Reader::open`] with explicit options.
    pub fn with_options(
        source: RelaySource,
        start: Option<Position>,
        follow: bool,
        opts: ReaderOptions,
    ) -> Result<Reader> {
        let (path, seek) = match &start {
            Some(p) => (source.find(&p.file)?, Some(p.offset)),
            None => match source.files()?.into_iter().next() {
                Some(p) => (p, None),
                None => return Err(Error::new(ErrorKind::Config, "no relay-log files to read")),
            },
        };
        let cur = Cur::open(path.clone()).map_err(|e| {
            Error::new(ErrorKind::Io, format!("opening {}", path.display())).with_source(e)
        })?;
        let mut reader = Reader {
            source,
            follow,
            opts,
            cur: Some(cur),
        };
        if let Some(off) = seek.filter(|&o| o > FDE_OFFSET) {
            reader.seek(off)?;
        }
        Ok(reader)
    }

    /// Where the next event will be read from.
    pub fn position(&self) -> Option<Position> {
        self.cur.as_ref().map(|c| Position {
            file: c.name.clone(),
            offset: c.offset.max(FDE_OFFSET),
        })
    }

    /// Sleep a little before retrying after `Pending` (at most `max`). Relay logs give no
    /// notification of growth, so a short poll is the only portable wait.
    pub fn wait(&self, max: Duration) {
        std::thread::sleep(max.min(self.opts.poll_interval));
    }

    /// The next event, or why there is none. See the module doc.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> ReadOutcome {
        self.next_ref().map(|r| r.to_owned())
    }

    /// [`Reader::next`] without copying: the event borrows the reader's read window (valid
    /// until the next call). Decoding from the window saves, per event, a body allocation and
    /// copy and the reference-count traffic of an owned position and format description, which
    /// together were about a tenth of decoding a relay log.
    pub fn next_ref(&mut self) -> ReadOutcome<RawRef<'_>> {
        let (offset, header, body_len) = loop {
            let Some(cur) = self.cur.as_mut() else {
                return ReadOutcome::End;
            };
            let step = if cur.exhausted {
                self.advance().map(Step::Halt)
            } else if cur.fde.is_none() {
                self.read_fde().map(Step::Halt)
            } else {
                self.read_event()
            };
            match step {
                None => {}
                Some(Step::Halt(h)) => return h.into(),
                Some(Step::Framed {
                    offset,
                    header,
                    body_len,
                }) => break (offset, header, body_len),
            }
        };
        let cur = self.cur.as_ref().expect("an event was just framed");
        ReadOutcome::Event(RawRef {
            file: &cur.name,
            offset,
            header,
            body: cur.file.window(offset + HEADER_LEN as u64, body_len),
            fde: cur.fde.as_ref().expect("events are framed after the FDE"),
        })
    }

    /// Read the magic and the FDE at offset 4, leaving the offset at 4 so the FDE is emitted.
    fn read_fde(&mut self) -> Option<Halt> {
        let max = self.opts.max_event_size;
        let cur = self.cur.as_mut()?;
        let magic = match cur.file.fetch(0, MAGIC.len()) {
            Ok(Fetch::Full(m)) => {
                if m == MAGIC_MYSQL_ENCRYPTED {
                    cur.exhausted = true;
                    let e = cur.err(ErrorKind::Unsupported, 0, ENCRYPTED_MYSQL);
                    return Some(Halt::Error(e));
                }
                m == MAGIC
            }
            Ok(Fetch::Short { have }) => {
                return self.on_tail(have, "file header", ErrorKind::Truncated);
            }
            Err(e) => return Some(self.io_error(e)),
        };
        if !magic {
            cur.exhausted = true;
            let e = cur.err(
                ErrorKind::Corrupt,
                0,
                "not a binlog/relay-log file (bad magic)",
            );
            return Some(Halt::Error(e));
        }
        cur.offset = FDE_OFFSET;
        match frame(&mut cur.file, FDE_OFFSET, max, false) {
            Ok(Framed::Event {
                header,
                fde: Some(f),
                ..
            }) => {
                // MariaDB writes START_ENCRYPTION right after the FDE of an encrypted file: look
                // now, so a reader starting mid-file (at the applier's position) knows it too.
                let next = FDE_OFFSET + u64::from(header.event_len);
                if let Ok(Framed::Event { header: h, .. }) =
                    frame(&mut cur.file, next, max, f.checksum)
                    && h.type_code == code::MARIA_START_ENCRYPTION
                {
                    return Some(Halt::Error(cur.encrypted_from(next)));
                }
                cur.fde = Some(Arc::new(f));
                cur.offset = FDE_OFFSET;
                None
            }
            Ok(Framed::Event { header, .. }) => {
                cur.exhausted = true;
                let msg = format!(
                    "expected a format description event, found type {}",
                    header.type_code
                );
                Some(Halt::Error(cur.err(ErrorKind::Unsupported, 4, msg)))
            }
            Ok(Framed::Partial { have, .. }) => {
                self.on_tail(have, "format description event", ErrorKind::Truncated)
            }
            Ok(Framed::Bad(kind, msg)) => {
                cur.exhausted = true;
                Some(Halt::Error(cur.err(kind, FDE_OFFSET, msg)))
            }
            Err(e) => Some(self.io_error(e)),
        }
    }

    /// Frame the event at the current offset.
    fn read_event(&mut self) -> Option<Step> {
        let max = self.opts.max_event_size;
        let cur = self.cur.as_mut()?;
        let checksum = cur.fde.as_ref().is_some_and(|f| f.checksum);
        if cur.resync && !could_start_transaction(&mut cur.file, cur.offset) {
            cur.offset += 1;
            return None;
        }
        let limit = if cur.resync { MAX_RESYNC_EVENT } else { max };
        let framed = match frame(&mut cur.file, cur.offset, limit, checksum) {
            Ok(f) => f,
            Err(e) => return Some(Step::Halt(self.io_error(e))),
        };
        match framed {
            Framed::Event {
                header,
                body_len,
                fde,
            } => {
                let body_at = cur.offset + HEADER_LEN as u64;
                if cur.resync && !is_resync_target(&header, cur.file.window(body_at, body_len)) {
                    cur.offset += 1;
                    return None;
                }
                if cur.resync {
                    info!(file = %cur.name, offset = cur.offset, "resynchronised at a transaction start");
                    cur.resync = false;
                }
                if header.type_code == code::MARIA_START_ENCRYPTION {
                    // Met here when the file had only its FDE as `read_fde` looked.
                    let at = cur.offset;
                    return Some(Step::Halt(Halt::Error(cur.encrypted_from(at))));
                }
                if let Some(f) = fde {
                    cur.fde = Some(Arc::new(f));
                }
                let offset = cur.offset;
                cur.offset += u64::from(header.event_len);
                cur.tail_rechecked = false;
                Some(Step::Framed {
                    offset,
                    header,
                    body_len,
                })
            }
            Framed::Partial { have, need } => {
                if cur.resync && !self.follow && have > 0 {
                    cur.offset += 1;
                    return None;
                }
                let what = format!("event (have {have} of {need} bytes)");
                self.on_tail(have, &what, ErrorKind::Truncated)
                    .map(Step::Halt)
            }
            Framed::Bad(kind, msg) => {
                let was_resyncing = cur.resync;
                let e = cur.err(kind, cur.offset, msg);
                cur.resync = true;
                cur.offset += 1;
                (!was_resyncing).then_some(Step::Halt(Halt::Error(e)))
            }
        }
    }

    /// The current file ends after `have` bytes of something: wait, move on, or report.
    fn on_tail(&mut self, have: usize, what: &str, kind: ErrorKind) -> Option<Halt> {
        let newer = match self.cur.as_ref() {
            Some(c) => self.source.next_after(&c.path),
            None => return Some(Halt::End),
        };
        let newer = match newer {
            Ok(n) => n.is_some(),
            Err(e) => return Some(Halt::Error(e)),
        };
        let follow = self.follow;
        let cur = self.cur.as_mut()?;
        if follow && !newer {
            return Some(Halt::Pending);
        }
        if follow && !cur.tail_rechecked {
            // A newer file exists, so this one is complete: read its end once more, since it may
            // have grown between our read and the index check.
            cur.tail_rechecked = true;
            return None;
        }
        cur.exhausted = true;
        let at_boundary = have == 0 && cur.fde.is_some();
        if at_boundary || cur.resync {
            return None;
        }
        let msg = format!("truncated {what}");
        Some(Halt::Error(cur.err(kind, cur.offset, msg)))
    }

    /// Move to the next file, following the index past purged files.
    fn advance(&mut self) -> Option<Halt> {
        let mut from = self.cur.as_ref()?.path.clone();
        loop {
            let next = match self.source.next_after(&from) {
                Ok(n) => n,
                Err(e) => return Some(Halt::Error(e)),
            };
            let Some((path, purged)) = next else {
                if self.follow {
                    return Some(Halt::Pending);
                }
                self.cur = None;
                return Some(Halt::End);
            };
            if purged {
                warn!(file = %from.display(), next = %path.display(),
                    "relay-log file was purged while being read; continuing with the next one in the index");
            }
            match Cur::open(path.clone()) {
                Ok(c) => {
                    self.cur = Some(c);
                    return None;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    warn!(file = %path.display(), "relay-log file vanished before it could be opened");
                    from = path;
                }
                Err(e) => {
                    let msg = format!("{}:0: cannot open", path.display());
                    return Some(Halt::Error(Error::new(ErrorKind::Io, msg).with_source(e)));
                }
            }
        }
    }

    fn io_error(&mut self, e: std::io::Error) -> Halt {
        match self.cur.as_mut() {
            Some(c) => {
                c.exhausted = true;
                Halt::Error(c.err(ErrorKind::Io, c.offset, "read failed").with_source(e))
            }
            None => Halt::Error(Error::new(ErrorKind::Io, "read failed").with_source(e)),
        }
    }

    /// Position at `target` after reading the FDE, checking that it is an event boundary and
    /// picking up any later FDE (a relay log holds the replica's FDE and then the source's).
    fn seek(&mut self, target: u64) -> Result<()> {
        if let Some(Halt::Error(e)) = self.read_fde() {
            return Err(e);
        }
        let max = self.opts.max_event_size;
        let cur = self.cur.as_mut().expect("reader has a file while seeking");
        if cur.fde.is_none() {
            return Err(cur.err(ErrorKind::Truncated, 4, "no format description event yet"));
        }
        let mut off = cur.offset;
        while off < target {
            let fetched = cur.file.fetch(off, HEADER_LEN).map(|f| match f {
                Fetch::Full(b) => Header::from_slice(b),
                Fetch::Short { .. } => None,
            });
            let h = match fetched {
                Ok(Some(h)) => h,
                Ok(None) => {
                    let msg = "start offset is past the end of the file";
                    return Err(cur.err(ErrorKind::Config, target, msg));
                }
                Err(e) => return Err(cur.err(ErrorKind::Io, off, "read failed").with_source(e)),
            };
            if (h.event_len as usize) < HEADER_LEN || h.event_len > max {
                return Err(cur.err(
                    ErrorKind::Corrupt,
                    off,
                    format!("impossible event length {}", h.event_len),
                ));
            }
            if h.type_code == code::FORMAT_DESCRIPTION
                && off > FDE_OFFSET
                && let Ok(Framed::Event { fde: Some(f), .. }) =
                    frame(&mut cur.file, off, max, false)
            {
                cur.fde = Some(Arc::new(f));
            }
            off += u64::from(h.event_len);
        }
        if off != target {
            return Err(cur.err(
                ErrorKind::Config,
                target,
                "start offset is not an event boundary",
            ));
        }
        cur.offset = target;
        Ok(())
    }
}

/// Frame the event at `off`: length bounds, then the CRC32 when `checksum` (or, for an FDE, when
/// the FDE itself says so).
fn frame(file: &mut RelayFile, off: u64, max: u32, checksum: bool) -> std::io::Result<Framed> {
    let header = match file.fetch(off, HEADER_LEN)? {
        Fetch::Full(b) => Header::from_slice(b).expect("fetched 19 bytes"),
        Fetch::Short { have } => {
            return Ok(Framed::Partial {
                have,
                need: HEADER_LEN as u64,
            });
        }
    };
    let len = header.event_len;
    let min = HEADER_LEN + if checksum { CHECKSUM_LEN } else { 0 };
    if (len as usize) < min || len > max {
        let msg = format!("impossible event length {len} (type {})", header.type_code);
        return Ok(Framed::Bad(ErrorKind::Corrupt, msg));
    }
    let bytes = match file.fetch(off, len as usize)? {
        Fetch::Full(b) => b,
        Fetch::Short { have } => {
            return Ok(Framed::Partial {
                have,
                need: u64::from(len),
            });
        }
    };
    let mut fde = None;
    let mut checksum = checksum;
    if header.type_code == code::FORMAT_DESCRIPTION {
        match FormatDescription::parse(&bytes[HEADER_LEN..]) {
            Ok(f) => {
                checksum = f.checksum;
                fde = Some(f);
            }
            Err(msg) => return Ok(Framed::Bad(ErrorKind::Corrupt, msg)),
        }
    }
    let body_end = if checksum {
        let split = len as usize - CHECKSUM_LEN;
        let stored = u32::from_le_bytes(bytes[split..].try_into().expect("4 bytes"));
        let actual = crc(
            &bytes[..split],
            header.type_code == code::FORMAT_DESCRIPTION,
        );
        if stored != actual {
            let msg = format!(
                "checksum mismatch (type {}, length {len}): stored {stored:#010x}, computed {actual:#010x}",
                header.type_code
            );
            return Ok(Framed::Bad(ErrorKind::Checksum, msg));
        }
        split
    } else {
        len as usize
    };
    Ok(Framed::Event {
        header,
        body_len: body_end - HEADER_LEN,
        fde,
    })
}

/// CRC32 of an event. The server computes an FDE's checksum with LOG_EVENT_BINLOG_IN_USE_F
/// (0x1, set while the file is open and cleared when it is closed) cleared, so do the same.
fn crc(bytes: &[u8], fde: bool) -> u32 {
    const IN_USE_FLAG_BYTE: usize = 17;
    if fde && bytes.get(IN_USE_FLAG_BYTE).is_some_and(|b| b & 1 != 0) {
        let mut h = crc32fast::Hasher::new();
        h.update(&bytes[..IN_USE_FLAG_BYTE]);
        h.update(&[bytes[IN_USE_FLAG_BYTE] & !1]);
        h.update(&bytes[IN_USE_FLAG_BYTE + 1..]);
        return h.finalize();
    }
    crc32fast::hash(bytes)
}

/// Cheap pre-check while resynchronising: is the type byte at `off` a transaction start (or a
/// QUERY that may be `BEGIN`)? A short read says yes so that `frame` reports the partial tail.
fn could_start_transaction(file: &mut RelayFile, off: u64) -> bool {
    match file.fetch(off, HEADER_LEN) {
        Ok(Fetch::Full(b)) => {
            let t = b[4];
            header::starts_transaction(t) || t == code::QUERY
        }
        _ => true,
    }
}

/// After corruption, accept only an event that starts a transaction.
fn is_resync_target(h: &Header, body: &[u8]) -> bool {
    if !header::is_known(h.type_code) {
        return false;
    }
    header::starts_transaction(h.type_code) || (h.type_code == code::QUERY && query_is_begin(body))
}

/// Does this QUERY body hold exactly `BEGIN`? (post-header: thread 4, exec time 4, db len 1,
/// error 2, status-vars len 2; then status vars, db, NUL, statement.)
fn query_is_begin(body: &[u8]) -> bool {
    let (Some(&db_len), Some(sv)) = (body.get(8), body.get(11..13)) else {
        return false;
    };
    let start = 13 + usize::from(u16::from_le_bytes([sv[0], sv[1]])) + usize::from(db_len) + 1;
    body.get(start..) == Some(b"BEGIN")
}
