//! [`KeySet`], a set of byte strings that stores them in one arena instead of one allocation
//! each (the batcher's per-window de-duplication). The keys come from the relay log, but only our
//! own batching consults the sets, so hash flooding could at worst slow planning down, never
//! change a probe.

pub(crate) use crate::fxhash::FxHashMap;
use crate::fxhash::hash_bytes;

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
        let h = hash_bytes(key);
        match self.by_hash.get(&h) {
            Some(&(at, len)) => {
                let (at, len) = (at as usize, len as usize);
                self.arena[at..at + len] != *key
            }
            None => {
                let span = (self.arena.len() as u32, key.len() as u32);
                self.arena.extend_from_slice(key);
                self.by_hash.insert(h, span);
                true
            }
        }
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
}
