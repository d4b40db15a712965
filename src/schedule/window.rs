//! The window of transactions between the applier and the reader (DESIGN §5 rule 5): one slot per
//! submitted transaction, oldest first, retired as the applier passes them. Retiring a slot
//! settles its hit/miss, forgets its first-touch entries and feeds the apply-rate meter. The
//! limits checked here (transactions, source seconds, pages, probes) are what keeps memory
//! bounded whatever the backlog: the reader blocks in `submit` until there is room.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::task::TxnShared;
use crate::plan::RowKey;
use crate::replica::RelayCoord;
use crate::throttle::RateMeter;

/// How far past a batched transaction without probes of its own retirement looks for the batch
/// that carries its keys (batches span at most `max_txns_per_group` transactions, 256 by
/// default); beyond it the transaction counts as a miss.
const MAX_CARRIER_SCAN: usize = 1024;

/// One transaction in the window.
pub struct Slot {
    /// Sequence number.
    pub seq: u64,
    /// Relay position just past it: the applier has applied it once its position reaches this.
    pub end: RelayCoord,
    /// Source timestamp of its first event.
    pub timestamp: u32,
    /// Events in it (apply rate in events/s).
    pub events: u64,
    /// Estimated pages its probes touch.
    pub pages: u64,
    /// Keys the applier touches in it (locking modes keep away from these).
    pub applier_keys: Vec<RowKey>,
    /// Its keys went into batched probes carried by this or a later transaction's slot.
    pub batched: bool,
    /// Shared with its tasks.
    pub txn: Arc<TxnShared>,
}

/// What retiring slots found, for metrics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Retired {
    /// Transactions retired.
    pub txns: u64,
    /// Of which every probe had finished.
    pub hits: u64,
    /// Of which some probe had not finished or failed.
    pub misses: u64,
    /// Of which there was nothing to probe.
    pub empty: u64,
}

/// The window. Guarded by the scheduler's window mutex (helpers needing it are `_locked` there).
pub struct Window {
    /// Invariant: strictly increasing `seq`; every slot's transaction is not yet applied as far
    /// as the last applier position seen.
    pub slots: VecDeque<Slot>,
    /// Invariant: only increases; the newest applier position reported.
    pub applier: Option<RelayCoord>,
    /// Sum of `pages` over `slots`.
    pub pages: u64,
    /// The applier-rate meter, fed at retirement.
    pub rate: RateMeter,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            slots: VecDeque::new(),
            applier: None,
            pages: 0,
            rate: RateMeter::new(Duration::from_secs(1)),
        }
    }
}

impl Window {
    /// Whether a transaction of `pages` starting at source time `ts` may enter now.
    /// An empty window always admits, and a window whose transactions hold no pages admits any
    /// page count (one transaction larger than the budget must still pass, also behind
    /// transactions with nothing to probe).
    pub fn has_room(
        &self,
        seq: u64,
        applier_seq: u64,
        ts: u32,
        pages: u64,
        limits: (u64, u64, u64),
    ) -> bool {
        let (max_txns, max_secs, max_pages) = limits;
        let Some(front) = self.slots.front() else {
            return true;
        };
        seq < applier_seq + max_txns
            && u64::from(ts.saturating_sub(front.timestamp)) <= max_secs
            && (self.pages == 0 || self.pages + pages <= max_pages)
    }

    /// Retire every slot the applier has passed (`end <= coord`). Returns the new applier
    /// sequence number (the oldest unapplied transaction) when it moved, and the tally.
    pub fn retire_until(
        &mut self,
        coord: RelayCoord,
        now: Instant,
    ) -> (Option<u64>, Retired, Vec<Arc<TxnShared>>) {
        if self.applier.is_none_or(|a| coord > a) {
            self.applier = Some(coord);
        }
        let mut tally = Retired::default();
        let mut gone = Vec::new();
        let mut events = 0;
        let mut pages = 0;
        let mut next = None;
        while let Some(front) = self.slots.front() {
            if front.end > coord {
                break;
            }
            let s = self.slots.pop_front().expect("front exists");
            self.pages -= s.pages;
            pages += s.pages;
            events += s.events;
            tally.txns += 1;
            let registered = s.txn.registered.load(Ordering::Acquire);
            let deduped = s.txn.deduped.load(Ordering::Acquire);
            let outstanding = s.txn.outstanding.load(Ordering::Acquire);
            let incomplete = s.txn.incomplete.load(Ordering::Acquire);
            if registered == 0 && deduped == 0 {
                if s.batched {
                    // Served by the batch riding on a later transaction: the first later
                    // batched transaction that has probes (or had them deduplicated).
                    let carrier = self.slots.iter().take(MAX_CARRIER_SCAN).find(|n| {
                        n.batched
                            && (n.txn.registered.load(Ordering::Acquire) > 0
                                || n.txn.deduped.load(Ordering::Acquire) > 0)
                    });
                    match carrier {
                        Some(c)
                            if c.txn.outstanding.load(Ordering::Acquire) == 0
                                && !c.txn.incomplete.load(Ordering::Acquire) =>
                        {
                            tally.hits += 1
                        }
                        _ => tally.misses += 1,
                    }
                } else {
                    tally.empty += 1;
                }
            } else if outstanding == 0 && !incomplete {
                tally.hits += 1;
            } else {
                tally.misses += 1;
            }
            next = Some(s.seq + 1);
            gone.push(s.txn);
        }
        if tally.txns > 0 {
            self.rate.record(tally.txns, events, pages, now);
        }
        (next, tally, gone)
    }

    /// Whether any of `keys` (a DML probe of transaction `own`) overlaps a key the applier
    /// touches in a transaction it applies before `own`: `[applier_seq, own)`. A hot row touched
    /// anywhere between the applier and the probe would make one of the two wait. (Later
    /// transactions are the distance rule's business: the probe is over long before the
    /// applier passes `own`.)
    pub fn near_applier_keys(&self, keys: &[RowKey], applier_seq: u64, own: u64) -> bool {
        self.slots
            .iter()
            .take_while(|s| s.seq < own)
            .filter(|s| s.seq >= applier_seq)
            .any(|s| {
                s.applier_keys
                    .iter()
                    .any(|a| keys.iter().any(|k| k.overlaps(a)))
            })
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn slot(seq: u64, registered: u32, outstanding: u32, incomplete: bool) -> Slot {
        let txn = TxnShared::new(seq);
        txn.registered.store(registered, Ordering::Release);
        txn.outstanding.store(outstanding, Ordering::Release);
        txn.incomplete.store(incomplete, Ordering::Release);
        Slot {
            seq,
            end: RelayCoord {
                file_no: 1,
                offset: 100 * (seq + 1),
            },
            timestamp: 1000 + seq as u32,
            events: 2,
            pages: 3,
            applier_keys: Vec::new(),
            batched: false,
            txn,
        }
    }

    #[test]
    fn retirement_settles_hits_misses_and_empties() {
        let mut w = Window::default();
        for s in [
            slot(0, 2, 0, false),
            slot(1, 1, 1, false),
            slot(2, 1, 0, true),
            slot(3, 0, 0, false),
            slot(4, 1, 0, false),
        ] {
            w.pages += s.pages;
            w.slots.push_back(s);
        }
        let (next, tally, gone) = w.retire_until(
            RelayCoord {
                file_no: 1,
                offset: 400,
            },
            Instant::now(),
        );
        assert_eq!(next, Some(4));
        assert_eq!(
            tally,
            Retired {
                txns: 4,
                hits: 1,
                misses: 2,
                empty: 1
            }
        );
        assert_eq!(gone.len(), 4);
        assert_eq!(w.pages, 3);
        // The applier position never goes backwards inside the window.
        let (next, tally, _) = w.retire_until(
            RelayCoord {
                file_no: 1,
                offset: 10,
            },
            Instant::now(),
        );
        assert_eq!((next, tally.txns), (None, 0));
        assert_eq!(
            w.applier,
            Some(RelayCoord {
                file_no: 1,
                offset: 400
            })
        );
        // Room: transactions, seconds and pages.
        assert!(w.has_room(5, 4, 1005, 3, (8, 30, 10)));
        assert!(!w.has_room(12, 4, 1005, 3, (8, 30, 10)));
        assert!(!w.has_room(5, 4, 1100, 3, (8, 30, 10)));
        assert!(!w.has_room(5, 4, 1005, 8, (8, 30, 10)));
        // Behind slots that hold no pages, a transaction over the page budget still enters,
        // within the transaction limit.
        let mut e = Window::default();
        let mut s = slot(0, 0, 0, false);
        s.pages = 0;
        e.slots.push_back(s);
        assert!(e.has_room(1, 0, 1000, 50, (8, 30, 10)));
        assert!(!e.has_room(9, 0, 1000, 50, (8, 30, 10)));
    }

    #[test]
    fn batched_transactions_are_settled_by_the_batch_that_carries_their_keys() {
        let mut w = Window::default();
        let b = |mut s: Slot| {
            s.batched = true;
            s
        };
        for s in [
            b(slot(0, 0, 0, false)),
            b(slot(1, 0, 0, false)),
            b(slot(2, 1, 0, false)), // carrier of 0..=2, finished
            slot(3, 0, 0, false),    // nothing to probe
            b(slot(4, 0, 0, false)),
            b(slot(5, 2, 1, false)), // carrier of 4..=5, still running
        ] {
            w.pages += s.pages;
            w.slots.push_back(s);
        }
        let (_, tally, _) = w.retire_until(
            RelayCoord {
                file_no: 1,
                offset: 500,
            },
            Instant::now(),
        );
        assert_eq!(
            tally,
            Retired {
                txns: 5,
                hits: 3,
                misses: 1,
                empty: 1
            }
        );
        // A batched transaction whose carrier is not in the window is a miss.
        let (_, tally, _) = w.retire_until(
            RelayCoord {
                file_no: 1,
                offset: 600,
            },
            Instant::now(),
        );
        assert_eq!(
            (tally.misses, tally.hits),
            (1, 0),
            "carrier 5 had not finished"
        );
    }
}
