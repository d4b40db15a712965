//! When the planner may skip row keys that an earlier batch already probed. While the replica's
//! buffer pool fills (see [`crate::replica::Pressure`]), a page read stays until the applier
//! needs it, so a key probed once needs no second probe — and a key whose probe was dropped or
//! failed is read by the applier itself when it applies that first transaction, before any later
//! one touching it. So remembering is right exactly while the pool fills and nothing else took
//! pages out of it: the memory is dropped when the verdict turns to evicting (or is unknown) and
//! at every new pool epoch (the server restarted, the poller lost its connection, the pool was
//! resized, the free list grew). Bounded by `--remember-mb`. While remembering, the planner also
//! skips a key of a one-integer primary key that shares a leaf-page span with a key already
//! probed (`rewrite::rows`): the page it lives on is in the pool too.
//!
//! Measured on the catch-up benchmark (benches/README.md, "Skipping keys already probed while
//! the pool fills — landed"): after a restart, `update_non_index` ran 27% fewer probes and
//! 1.15–1.28× the applier alone against 1.09–1.12× without; `write_only` within the noise (the
//! first, unsafe version gained it 7–17%); on a small pool nothing is remembered. Skipping keys
//! on a probed page as well ("Skipping keys that share a probed key's leaf page"): 1.14× →
//! 1.24× the applier alone at the scale, 76% → 80% of warm.

use crate::replica::Pressure;

/// What the planner should do with its remembered keys before the next batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remember {
    /// Forget what was remembered first (the pool may have lost those pages).
    pub forget: bool,
    /// Bytes of keys to remember across batches from now on (0: none).
    pub bytes: usize,
}

/// The remembering policy and the epoch it last saw.
#[derive(Debug, Clone)]
pub struct RememberPolicy {
    limit: usize,
    epoch: Option<u64>,
}

impl RememberPolicy {
    /// Remember up to `limit` bytes of keys while the pool fills (0: never).
    pub fn new(limit: usize) -> RememberPolicy {
        RememberPolicy { limit, epoch: None }
    }

    /// Follow the pool's verdict and epoch (none: no snapshot yet).
    pub fn follow(&mut self, pool: Option<Pressure>, epoch: Option<u64>) -> Remember {
        let forget = epoch != self.epoch;
        self.epoch = epoch;
        let bytes = match (pool, epoch) {
            (Some(Pressure::Filling), Some(_)) => self.limit,
            _ => 0,
        };
        Remember { forget, bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_only_while_filling_and_forgets_at_each_new_epoch() {
        let mut p = RememberPolicy::new(1000);
        let filling = Some(Pressure::Filling);
        let r = |forget, bytes| Remember { forget, bytes };
        // Nothing known yet: nothing remembered.
        assert_eq!(p.follow(None, None), r(false, 0));
        assert_eq!(p.follow(filling, Some(3)), r(true, 1000));
        assert_eq!(p.follow(filling, Some(3)), r(false, 1000));
        // Evicting, or no verdict: remember nothing (the planner forgets at 0 bytes).
        assert_eq!(p.follow(Some(Pressure::Evicting), Some(3)), r(false, 0));
        assert_eq!(p.follow(None, Some(3)), r(false, 0));
        assert_eq!(p.follow(filling, Some(3)), r(false, 1000));
        // A new epoch (restart, dropped table) while still filling: forget, keep remembering.
        assert_eq!(p.follow(filling, Some(4)), r(true, 1000));
        // Switched off.
        let mut off = RememberPolicy::new(0);
        assert_eq!(off.follow(filling, Some(1)), r(true, 0));
    }
}
