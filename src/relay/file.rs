//! One open relay-log file read through a sliding window buffer with positioned reads
//! (`read_at`), so a reader can retry the same offset after the file grew (live tail) without
//! seek bookkeeping, and so an unlinked (purged) file stays readable through its open descriptor.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Minimum bytes fetched from disk at a time.
const CHUNK: usize = 1 << 20;

/// What a fetch found.
pub(crate) enum Fetch<'a> {
    /// All requested bytes.
    Full(&'a [u8]),
    /// The file currently ends after `have` of the requested bytes.
    Short { have: usize },
}

/// A relay-log file with a window `[win_off, win_off + buf.len())` of its bytes in memory.
pub(crate) struct RelayFile {
    file: File,
    buf: Vec<u8>,
    win_off: u64,
}

impl RelayFile {
    /// Open for reading.
    pub(crate) fn open(path: &Path) -> io::Result<RelayFile> {
        Ok(RelayFile {
            file: File::open(path)?,
            buf: Vec::new(),
            win_off: 0,
        })
    }

    /// The bytes `[off, off + len)`, reading from disk as needed.
    pub(crate) fn fetch(&mut self, off: u64, len: usize) -> io::Result<Fetch<'_>> {
        let win_end = self.win_off + self.buf.len() as u64;
        if off < self.win_off || off > win_end {
            self.buf.clear();
            self.win_off = off;
        } else if off + len as u64 > win_end {
            // Slide: keep what we have from `off` on, read the rest.
            let drop = (off - self.win_off) as usize;
            self.buf.drain(..drop);
            self.win_off = off;
        }
        let start = (off - self.win_off) as usize;
        if self.buf.len() < start + len {
            self.fill(start + len)?;
        }
        if self.buf.len() >= start + len {
            Ok(Fetch::Full(&self.buf[start..start + len]))
        } else {
            Ok(Fetch::Short {
                have: self.buf.len().saturating_sub(start),
            })
        }
    }

    /// The bytes `[off, off + len)` of a range the last [`RelayFile::fetch`] returned in full
    /// (or part of it).
    ///
    /// # Panics
    /// When the range is not in the window: a caller bug, not a property of the file.
    pub(crate) fn window(&self, off: u64, len: usize) -> &[u8] {
        let start = (off - self.win_off) as usize;
        &self.buf[start..start + len]
    }

    /// Read until the window holds at least `want` bytes or the file ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        // Never allocate (or zero) past the end of the file: a corrupt length or a poll at
        // the live tail must stay cheap.
        let file_len = self.file.metadata()?.len();
        let avail = file_len.saturating_sub(self.win_off) as usize;
        let target = want.max(self.buf.len() + CHUNK).min(avail);
        if target <= self.buf.len() {
            return Ok(());
        }
        while self.buf.len() < want.min(target) {
            let have = self.buf.len();
            self.buf.resize(target, 0);
            let n = loop {
                match self
                    .file
                    .read_at(&mut self.buf[have..], self.win_off + have as u64)
                {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.buf.truncate(have);
                        return Err(e);
                    }
                    Ok(n) => break n,
                }
            };
            self.buf.truncate(have + n);
            if n == 0 {
                break;
            }
        }
        Ok(())
    }
}
