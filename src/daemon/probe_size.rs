//! How large probes are, from what the buffer pool does with pages read (see
//! [`crate::replica::Pressure`]). While the pool fills, a page read early stays until the
//! applier needs it, so fewer, larger probes cost the server and the prefetcher less per key
//! (`--probe-keys-filling`); while it evicts, a large probe reads its keys one after another for
//! longer than the lead lasts and pages go before use, so probes stay small (`--probe-keys`).
//! Measured on the catch-up benchmark (benches/README.md, "Probe size follows the buffer pool"):
//! fixed 64-key probes cost a third of the hit rate on a pool 11× smaller than the data; the
//! adaptive size lifted catch-up after a restart from 0.99–1.30× of the applier alone (16 keys)
//! to 1.15–1.55×, and stayed level with 16 keys on the small pool.
//!
//! The planning batch (transactions whose keys are merged before probes are cut) grows with the
//! probe size, so a stream of one-row transactions can fill the larger probes.

use crate::replica::Pressure;

/// Fewest transactions planned together.
const MIN_BATCH_TXNS: usize = 32;

/// The probe-size policy and its current choice.
#[derive(Debug, Clone)]
pub struct ProbeSize {
    evicting: usize,
    filling: usize,
    current: usize,
}

impl ProbeSize {
    /// `evicting` keys per probe while the pool evicts (or nothing is known), `filling` while
    /// it fills.
    pub fn new(evicting: usize, filling: usize) -> ProbeSize {
        ProbeSize {
            evicting,
            filling,
            current: evicting,
        }
    }

    /// Keys per probe now.
    pub fn keys(&self) -> usize {
        self.current
    }

    /// Transactions to plan together now.
    pub fn batch_txns(&self) -> usize {
        (self.current * 2).max(MIN_BATCH_TXNS)
    }

    /// Follow the pool's verdict; returns the new size when it changed.
    pub fn follow(&mut self, pool: Option<Pressure>) -> Option<usize> {
        let want = match pool {
            Some(Pressure::Filling) => self.filling,
            Some(Pressure::Evicting) | None => self.evicting,
        };
        (want != self.current).then(|| {
            self.current = want;
            want
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_pool_and_reports_only_changes() {
        let mut p = ProbeSize::new(16, 64);
        assert_eq!((p.keys(), p.batch_txns()), (16, 32));
        assert_eq!(p.follow(None), None);
        assert_eq!(p.follow(Some(Pressure::Filling)), Some(64));
        assert_eq!((p.keys(), p.batch_txns()), (64, 128));
        assert_eq!(p.follow(Some(Pressure::Filling)), None);
        assert_eq!(p.follow(Some(Pressure::Evicting)), Some(16));
        // Unknown again (counters unreadable): the conservative size.
        p.follow(Some(Pressure::Filling));
        assert_eq!(p.follow(None), Some(16));
    }

    #[test]
    fn equal_sizes_turn_adaptation_off() {
        let mut p = ProbeSize::new(16, 16);
        assert_eq!(p.follow(Some(Pressure::Filling)), None);
        assert_eq!(p.keys(), 16);
    }
}
