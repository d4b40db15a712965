//! Which relay-log files to read and in what order: the lines of a relay-log `.index` file
//! (re-read whenever the reader reaches the end of a file, so rotation and purge are seen), or a
//! fixed list of files given by the user. Owns no file handles.

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

/// Where the relay-log files come from.
#[derive(Debug, Clone)]
pub enum RelaySource {
    /// A relay-log `.index` file: one file per line, relative names resolved against its folder.
    Index(PathBuf),
    /// These files, in this order.
    Files(Vec<PathBuf>),
}

impl RelaySource {
    /// A source from command-line paths: one `.index` file, or relay-log files.
    pub fn from_paths(paths: &[PathBuf]) -> RelaySource {
        match paths {
            [one] if one.extension().is_some_and(|e| e == "index") => {
                RelaySource::Index(one.clone())
            }
            _ => RelaySource::Files(paths.to_vec()),
        }
    }

    /// The current list of files, in order.
    pub fn files(&self) -> Result<Vec<PathBuf>> {
        match self {
            RelaySource::Files(v) => Ok(v.clone()),
            RelaySource::Index(index) => read_index(index),
        }
    }

    /// The file to read after `cur`, and whether `cur` had vanished from the index (purged).
    pub fn next_after(&self, cur: &Path) -> Result<Option<(PathBuf, bool)>> {
        let files = self.files()?;
        if let Some(i) = files.iter().position(|f| same_file(f, cur)) {
            return Ok(files.get(i + 1).map(|p| (p.clone(), false)));
        }
        // Purged: continue with the first listed file numbered after it.
        let n = seq_number(cur);
        Ok(files
            .into_iter()
            .find(|f| seq_number(f) > n)
            .map(|p| (p, true)))
    }

    /// Bytes of relay log after `offset` in `cur`: the rest of that file plus every file listed
    /// after it (files that vanished count as empty). An estimate of the backlog ahead of a
    /// reader at that position; None when `cur` is not listed.
    pub fn bytes_after(&self, cur: &Path, offset: u64) -> Result<Option<u64>> {
        let files = self.files()?;
        let Some(i) = files.iter().position(|f| same_file(f, cur)) else {
            return Ok(None);
        };
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let rest: u64 = files[i + 1..].iter().map(|f| size(f)).sum();
        Ok(Some(size(&files[i]).saturating_sub(offset) + rest))
    }

    /// Resolve a user-given file name (full path or just the file name) against the source.
    pub fn find(&self, name: &str) -> Result<PathBuf> {
        let files = self.files()?;
        let want = Path::new(name);
        files
            .iter()
            .find(|f| *f == want)
            .or_else(|| files.iter().find(|f| same_file(f, want)))
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Config,
                    format!("start file {name} is not among the relay-log files"),
                )
            })
    }
}

/// Read a relay-log index: one path per line; relative paths are relative to the index's folder.
fn read_index(index: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(index).map_err(|e| {
        Error::new(ErrorKind::Io, format!("reading index {}", index.display())).with_source(e)
    })?;
    let dir = index.parent().unwrap_or(Path::new("."));
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let p = Path::new(l);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p.strip_prefix("./").unwrap_or(p))
            }
        })
        .collect())
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || (a.file_name() == b.file_name() && a.file_name().is_some())
}

/// The numeric extension of `relay-bin.000123` (0 when there is none).
fn seq_number(p: &Path) -> u64 {
    p.extension()
        .and_then(|e| e.to_str())
        .and_then(|e| e.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_resolution_and_purge() {
        let dir = tempfile::tempdir().unwrap();
        let idx = dir.path().join("relay.index");
        std::fs::write(&idx, "./relay.000002\n./relay.000004\n").unwrap();
        let src = RelaySource::Index(idx);
        let f = src.files().unwrap();
        assert_eq!(f[0], dir.path().join("relay.000002"));
        let (next, purged) = src.next_after(&f[0]).unwrap().unwrap();
        assert_eq!((next.clone(), purged), (f[1].clone(), false));
        let (next, purged) = src
            .next_after(&dir.path().join("relay.000003"))
            .unwrap()
            .unwrap();
        assert_eq!((next, purged), (f[1].clone(), true));
        std::fs::write(&f[0], vec![0u8; 1000]).unwrap();
        std::fs::write(&f[1], vec![0u8; 300]).unwrap();
        assert_eq!(src.bytes_after(&f[0], 400).unwrap(), Some(900));
        assert_eq!(src.bytes_after(&f[1], 300).unwrap(), Some(0));
        assert_eq!(
            src.bytes_after(&dir.path().join("relay.000003"), 0)
                .unwrap(),
            None
        );
        assert!(src.next_after(&f[1]).unwrap().is_none());
    }
}
