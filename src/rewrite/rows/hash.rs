//! [`KeySet`], a set of byte strings that stores them in one arena instead of one allocation
//! each (the batcher's per-window de-duplication). The keys come from the relay log, but only our
//! own batching consults the sets, so hash flooding could at worst slow planning down, never
//! change a probe.

pub(crate) use crate::fxhash::FxHashMap;
use crate::fxhash::hash_bytes;

/// Bytes per hash-table slot: the hash, the span and the control byte, rounded up.
const ENTRY_BYTES: usize = 24;

/// A set of byte strings kept in one arena.
#[derive(Default)]
pub(crate) struct KeySet {
    /// hash → span in `arena` of the first key with that hash.
    by_hash: FxHashMap<u64, (u32, u32)>,
    arena: Vec<u8>,
}

impl KeySet {
    /// Add `key`; false when it was already present. Two different keys with one hash are both
    /// reported new (the second is not remembered): a duplicate probe, never a lost one.
    pub fn insert(&mut self, key: &[u8]) -> bool {
        self.find_or_insert(key).is_none()
    }

    /// Where `key` was added ([`KeySet::mark`] before it tells whether it came earlier), or
    /// `None` after adding it now (also for a second key with a hash already held, which is not
    /// kept).
    pub fn find_or_insert(&mut self, key: &[u8]) -> Option<usize> {
        let h = hash_bytes(key);
        match self.by_hash.get(&h) {
            Some(&(at, len)) => {
                let (at, len) = (at as usize, len as usize);
                (self.arena[at..at + len] == *key).then_some(at)
            }
            None => {
                let span = (self.arena.len() as u32, key.len() as u32);
                self.arena.extend_from_slice(key);
                self.by_hash.insert(h, span);
                None
            }
        }
    }

    /// A mark to compare [`KeySet::find_or_insert`]'s answers with: keys found at an offset
    /// below it were added before the mark was taken.
    pub fn mark(&self) -> usize {
        self.arena.len()
    }

    /// Memory the set holds, roughly: the keys' bytes plus the hash table's entries.
    pub fn bytes(&self) -> usize {
        self.arena.capacity() + self.by_hash.capacity() * ENTRY_BYTES
    }

    /// Forget every key, keeping the memory for the next window.
    pub fn clear(&mut self) {
        self.by_hash.clear();
        self.arena.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_set_dedupes_by_content() {
        let mut s = KeySet::default();
        assert!(s.insert(b"abc"));
        assert!(!s.insert(b"abc"));
        assert!(s.insert(b"abcd"));
        assert!(s.insert(b""));
        assert!(!s.insert(b""));
    }

    #[test]
    fn the_mark_tells_keys_added_before_it() {
        let mut s = KeySet::default();
        assert_eq!(s.find_or_insert(b"old"), None);
        let mark = s.mark();
        assert_eq!(s.find_or_insert(b"new"), None);
        assert!(s.find_or_insert(b"old").is_some_and(|at| at < mark));
        assert!(s.find_or_insert(b"new").is_some_and(|at| at >= mark));
        let before = s.bytes();
        s.clear();
        assert_eq!(s.mark(), 0);
        assert_eq!(s.bytes(), before, "clearing keeps the memory");
    }
}
