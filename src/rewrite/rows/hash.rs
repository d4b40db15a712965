//! Small, fast, non-cryptographic hashing for the per-row hot path: an Fx-style hasher (the
//! multiply-rotate hash rustc uses) for small integer keys, and [`KeySet`], a set of byte strings
//! that stores them in one arena instead of one allocation each. The keys hashed here come from
//! the relay log, but only our own batching consults the sets, so hash flooding could at worst
//! slow planning down, never change a probe.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// Fx-style hasher.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with the Fx hasher.
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Hash of a byte string.
pub(crate) fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(b);
    h.write_usize(b.len());
    h.finish()
}

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
