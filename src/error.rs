//! The crate's one error type: an [`ErrorKind`] saying what went wrong, a human context naming the
//! file/offset/table/server involved, and an optional source. Stages return it; only the binary's edge
//! turns it into a message and an exit code. Handle an error or return it with context, never both.

use std::fmt;

/// What went wrong, coarse enough to decide what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing a file or socket failed.
    Io,
    /// Bytes that do not frame or decode as the format says (bad magic, impossible lengths, bad fields).
    Corrupt,
    /// A CRC32 checksum did not match.
    Checksum,
    /// The data ends before a complete event/value: on a live file this means "retry later".
    Truncated,
    /// A well-formed construct this version does not handle.
    Unsupported,
    /// SQL that the parser cannot read.
    Parse,
    /// Schema metadata missing or unusable.
    Schema,
    /// The server refused, failed, or went away.
    Server,
    /// Invalid configuration or command line.
    Config,
    /// Something that would not be safe to run (a write, DDL, a locking read ...).
    Unsafe,
}

impl ErrorKind {
    /// Short stable name, used in logs and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Checksum => "checksum",
            ErrorKind::Truncated => "truncated",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Parse => "parse",
            ErrorKind::Schema => "schema",
            ErrorKind::Server => "server",
            ErrorKind::Config => "config",
            ErrorKind::Unsafe => "unsafe",
        }
    }
}

/// The crate's error: a kind plus context.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    context: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` with a context message.
    pub fn new(kind: ErrorKind, context: impl Into<String>) -> Self {
        Error {
            kind,
            context: context.into(),
            source: None,
        }
    }

    /// Attach the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Prefix more context (outermost first in the message).
    pub fn context(mut self, outer: impl fmt::Display) -> Self {
        self.context = format!("{outer}: {}", self.context);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The context message without the source.
    pub fn message(&self) -> &str {
        &self.context
    }

    /// True when retrying the same operation later may succeed (a live tail, a server that went away).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Truncated | ErrorKind::Server | ErrorKind::Io
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.context)?;
        if let Some(src) = &self.source {
            write!(f, ": {src}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
