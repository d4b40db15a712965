//! Log a recurring problem once per kind (then count it quietly), so a corrupt relay file or a
//! flapping server produces one warning with its reason, not one per event.

use std::collections::HashSet;

/// Remembers which kinds were logged.
#[derive(Debug, Default)]
pub struct LogOnce {
    seen: HashSet<String>,
}

impl LogOnce {
    /// True the first time `kind` is seen (the caller logs then).
    pub fn first(&mut self, kind: &str) -> bool {
        if self.seen.len() > 1024 {
            // Bound memory on pathological input; worst case a kind is logged again.
            self.seen.clear();
        }
        self.seen.insert(kind.to_string())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn once_per_kind() {
        let mut l = super::LogOnce::default();
        assert!(l.first("corrupt"));
        assert!(!l.first("corrupt"));
        assert!(l.first("gone"));
    }
}
