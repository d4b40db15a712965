//! The reader loop: relay log → transactions → (planning) → scheduler, on the daemon's main
//! thread. Tracks the last complete transaction (never a byte offset inside one), renumbers
//! transactions so sequence numbers stay increasing across re-opens, reads through (without
//! planning) what the applier has already passed or while the throttle says idle (on a delayed
//! replica on schedule it waits instead, ahead of the applier), re-opens at
//! the applier's position when the applier is far ahead, and logs each kind of bad input once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result};
use crate::event::{Position, StreamOutcome, Transaction, TransactionStream};
use crate::metrics::Metrics;
use crate::relay::RelaySource;
use crate::replica::{Poller, Pressure, RelayCoord, ReplicaStatus};
use crate::schedule::{Scheduler, TxnMeta};
use crate::sweep::{Backlog, Sweeper};
use crate::throttle::{Decision, Throttle};

use super::Shutdown;
use super::lead::LeadBudget;
use super::logonce::LogOnce;
use super::planning::PlanStage;
use super::probe_size::ProbeSize;
use super::remember::RememberPolicy;

/// Re-open at the applier when it is this far past the reader in the same file.
const SKIP_BYTES: u64 = 64 << 20;

/// Everything the loop uses.
pub struct ReaderLoop<'a> {
    pub(super) source: RelaySource,
    pub(super) stream: TransactionStream,
    pub(super) stage: PlanStage,
    pub(super) sched: &'a Arc<Scheduler>,
    pub(super) poller: &'a Poller,
    pub(super) sweeper: &'a mut Sweeper,
    pub(super) metrics: &'a Arc<Metrics>,
    pub(super) throttle: Throttle,
    pub(super) shutdown: &'a Shutdown,
    /// Sequence number for the next transaction (ours, not the stream's: it survives re-opens).
    pub(super) next_seq: u64,
    /// End of the last complete transaction read.
    pub(super) last_end: Option<Position>,
    /// Set by the poller when the applier's position went backwards (relay log reset).
    pub(super) relay_reset: Arc<AtomicBool>,
    pub(super) log: LogOnce,
    /// Relay-log bytes and transactions measured between consecutive transaction ends in one
    /// file (the backlog estimate for the sweep gate).
    pub(super) txn_bytes: (u64, u64),
    /// When the sweep gate last got a backlog estimate (it reads the relay-log file list).
    pub(super) backlog_at: Option<Instant>,
    /// Keys per probe and transactions planned together, from the buffer pool's verdict.
    pub(super) probe_size: ProbeSize,
    /// Whether keys probed in earlier batches are skipped, from the pool's verdict and epoch.
    pub(super) remember: RememberPolicy,
    /// The window's page budget, from how fast the pool evicts.
    pub(super) lead: LeadBudget,
    /// Transactions the applier passed unplanned since the reader last planned one.
    pub(super) passed_run: u64,
    /// `window_full_waits` when the reader last planned a transaction without being passed: a
    /// larger count when a run of passed transactions ends means the reader was waiting for
    /// room while the applier ran past it.
    pub(super) full_waits_seen: u64,
    /// The start-up status of a delayed replica (`MASTER_DELAY`), used until the poller's first
    /// reading so that the first transactions are not prefetched before the throttle knows.
    pub(super) delayed_at_start: Option<ReplicaStatus>,
}

impl ReaderLoop<'_> {
    /// Run until shutdown. Errors only when the scheduler's pool failed (a worker panic).
    pub fn run(mut self) -> Result<()> {
        self.refresh_selector();
        let mut batch: Vec<Transaction> = Vec::new();
        let mut last_maint = Instant::now();
        while !self.shutdown.is_triggered() {
            match self.stream.next() {
                StreamOutcome::Transaction(mut tx) => {
                    tx.seq = self.next_seq;
                    self.next_seq += 1;
                    self.metrics.transactions_read.inc();
                    self.metrics.events_read.add(tx.events.len() as u64);
                    if let Some(prev) = &self.last_end
                        && prev.file == tx.end.file
                        && tx.end.offset > prev.offset
                    {
                        self.txn_bytes.0 += tx.end.offset - prev.offset;
                        self.txn_bytes.1 += 1;
                    }
                    self.last_end = Some(tx.end.clone());
                    if self.wanted(&tx) || self.held_for_delay(&tx, &mut batch)? {
                        batch.push(tx);
                    } else {
                        self.metrics.transactions_not_planned.inc();
                    }
                    if batch.len() >= self.probe_size.batch_txns() {
                        self.flush(&mut batch)?;
                    }
                }
                StreamOutcome::Pending | StreamOutcome::End => {
                    self.flush(&mut batch)?;
                    self.maintain();
                    last_maint = Instant::now();
                    self.stream.wait(Duration::from_millis(20));
                }
                StreamOutcome::Error(e) => {
                    self.metrics.bad_input.inc();
                    let kind = format!("relay-{}", e.kind().as_str());
                    if self.log.first(&kind) {
                        tracing::warn!(error = %e, "unreadable relay data skipped; later ones of this kind are counted, not logged");
                    }
                }
            }
            if last_maint.elapsed() > Duration::from_millis(200) {
                self.flush(&mut batch)?;
                self.maintain();
                last_maint = Instant::now();
            }
        }
        Ok(())
    }

    /// Plan this transaction? Not when the applier already passed it or the throttle idles.
    fn wanted(&mut self, tx: &Transaction) -> bool {
        let Some(end) = RelayCoord::new(&tx.end.file, tx.end.offset) else {
            return false;
        };
        if self.sched.applier_passed(end) {
            if self.throttle.state() == Decision::Prefetch {
                // Too late while prefetching: the applier outran the reader.
                self.metrics.txns_passed.inc();
                self.passed_run += 1;
            }
            return false;
        }
        self.after_passed_run();
        let latest = self.poller.latest();
        self.throttle
            .set_cached(latest.as_ref().is_some_and(|s| s.pool_cached));
        let mut behind = self.next_seq.saturating_sub(self.sched.applier_seq());
        if behind < 4 && self.throttle.state() == Decision::Prefetch {
            // The applier is at the reader, which may only mean the reader paused: the lag is
            // what the applier still has to apply, up to the end of the relay log. (Without
            // this, a reader passed for an instant flipped the throttle to idle in mid-backlog.)
            behind += self.remaining_txns().unwrap_or(0);
        }
        let status = latest
            .as_ref()
            .map(|s| &s.status)
            .or(self.delayed_at_start.as_ref());
        let d = self.throttle.decide(status, behind);
        self.metrics.active.set(i64::from(d == Decision::Prefetch));
        self.sweeper.set_active(d == Decision::Prefetch);
        d == Decision::Prefetch
    }

    /// On a delayed replica (`MASTER_DELAY`) on schedule, the relay log holds the delay's worth
    /// of transactions on purpose and the throttle idles. Reading through them unplanned would
    /// leave the reader at the end of the relay log, with nothing ahead of the applier
    /// prefetched, when the applier falls behind its schedule: instead wait here with `tx`
    /// until the throttle wants it (true) or the applier passes it (false).
    fn held_for_delay(&mut self, tx: &Transaction, batch: &mut Vec<Transaction>) -> Result<bool> {
        if !self.delayed() {
            return Ok(false);
        }
        let Some(end) = RelayCoord::new(&tx.end.file, tx.end.offset) else {
            return Ok(false);
        };
        let mut last_maint: Option<Instant> = None;
        loop {
            if !self.delayed() || self.shutdown.is_triggered() || self.sched.applier_passed(end) {
                return Ok(false);
            }
            if self.wanted(tx) {
                return Ok(true);
            }
            if last_maint.is_none_or(|t| t.elapsed() > Duration::from_millis(200)) {
                self.flush(batch)?;
                self.maintain();
                last_maint = Some(Instant::now());
                if self.last_end.as_ref() != Some(&tx.end) {
                    // Maintenance re-opened the relay log (a reset): `tx` is from the old one.
                    return Ok(false);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the replica applies with a configured delay (`MASTER_DELAY`).
    fn delayed(&self) -> bool {
        match self.poller.latest() {
            Some(s) => s.status.sql_delay > 0,
            None => self.delayed_at_start.is_some(),
        }
    }

    /// The reader plans again. If the applier passed it while it waited for room in the window,
    /// the page budget does not outlast one applier-position poll: lengthen it.
    fn after_passed_run(&mut self) {
        let waits = self.metrics.window_full_waits.get();
        let passed = std::mem::take(&mut self.passed_run);
        let waited = waits > self.full_waits_seen;
        self.full_waits_seen = waits;
        if passed == 0 {
            return;
        }
        if waited && let Some(pages) = self.lead.passed_while_full() {
            tracing::info!(
                pages,
                passed,
                "the applier passed the reader while it waited for room in the window: page budget raised"
            );
            self.sched.set_max_pages(pages);
        } else {
            tracing::debug!(
                passed,
                waited,
                "the applier had passed the reader: transactions read through unplanned"
            );
        }
    }

    /// Size probes for what the buffer pool does now (before planning, and while idle so the
    /// gauge does not lag).
    fn follow_pool(&mut self) {
        let latest = self.poller.latest();
        let pool = latest.as_ref().and_then(|s| s.pool);
        let epoch = latest.as_ref().map(|s| s.pool_epoch);
        let remember = self.remember.follow(pool, epoch);
        if remember.forget {
            tracing::debug!(
                ?epoch,
                "buffer pool epoch changed: remembered row keys forgotten"
            );
        }
        self.stage.set_remember(remember);
        let read_rate = latest.as_ref().and_then(|s| s.pool_read_rate);
        let page_rate = self.sched.applied_page_rate();
        if let Some(pages) = self.lead.follow(pool, read_rate, page_rate) {
            tracing::debug!(
                pages,
                pool = pool.map_or("unknown", |p| p.as_str()),
                ?read_rate,
                ?page_rate,
                "page budget changed with the buffer pool's eviction rate"
            );
            self.sched.set_max_pages(pages);
        }
        if let Some(n) = self.probe_size.follow(pool) {
            tracing::info!(
                keys = n,
                pool = pool.map_or("unknown", |p| p.as_str()),
                "probe size changed with the buffer pool"
            );
            self.stage.set_probe_keys(n);
            self.metrics.probe_keys.set(n as i64);
        }
    }

    /// Plan and submit the batch.
    fn flush(&mut self, batch: &mut Vec<Transaction>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.follow_pool();
        let mut plans = self.stage.plan(batch, self.metrics);
        self.notice_tables(&mut plans);
        let mut metas = batch.iter().map(|t| (t.seq, meta_of(t)));
        for plan in plans {
            let Some((_, Some(meta))) = metas.find(|(s, _)| *s == plan.seq) else {
                continue;
            };
            if let Err(e) = self.sched.submit(plan, meta) {
                batch.clear();
                return if self.shutdown.is_triggered() {
                    Ok(())
                } else {
                    Err(e)
                };
            }
        }
        batch.clear();
        Ok(())
    }

    /// Hand the indexes this batch's probes read to the sweeper (it queues each index once), and
    /// drop the probes on tables whose probed indexes it has all swept, while the pool fills
    /// (their pages are in it; a pool that evicts may have lost them).
    fn notice_tables(&mut self, plans: &mut [crate::plan::Plan]) {
        if !self.sweeper.enabled() {
            return;
        }
        let probes: Vec<&crate::plan::Probe> = plans.iter().flat_map(|p| &p.probes).collect();
        self.sweeper.observe(&probes);
        let filling = self.poller.latest().and_then(|s| s.pool) == Some(Pressure::Filling);
        let mut seen: Vec<(String, String, bool)> = Vec::new();
        for plan in plans.iter_mut() {
            let before = plan.probes.len();
            plan.probes.retain(|p| {
                let cached = match seen.iter().find(|(t, i, _)| *t == p.table && *i == p.index) {
                    Some((_, _, c)) => *c,
                    None => {
                        if let Some(t) = self.stage.table(&p.table) {
                            self.sweeper.notice(&t, &p.index);
                        }
                        let c = filling && self.sweeper.is_cached(&p.table, &p.index);
                        seen.push((p.table.clone(), p.index.clone(), c));
                        c
                    }
                };
                !cached
            });
            self.metrics
                .probes_cached
                .add((before - plan.probes.len()) as u64);
        }
    }

    /// Periodic work: schema reloads after applied DDL; skip forward when far behind; the
    /// backlog estimate for the sweep gate.
    fn maintain(&mut self) {
        self.follow_pool();
        // maintain() runs every 20 ms while the reader waits for the relay log; the estimate
        // lists and stats the relay-log files, and the gate looks at it every 250 ms.
        if self.sweeper.enabled()
            && self
                .backlog_at
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(250))
        {
            self.backlog_at = Some(Instant::now());
            self.sweeper.set_backlog(Backlog {
                read: self.next_seq,
                remaining: self.remaining_txns(),
            });
        }
        let sched = self.sched;
        if self.stage.after_applier(|c| sched.applier_passed(c)) {
            self.refresh_selector();
        }
        if self.relay_reset.swap(false, Ordering::AcqRel) {
            self.restart_at_applier();
        } else {
            self.skip_forward();
        }
    }

    /// Transactions still in the relay log ahead of the reader: bytes left over the average
    /// transaction's size so far.
    fn remaining_txns(&self) -> Option<u64> {
        let end = self.last_end.as_ref()?;
        let (bytes, n) = self.txn_bytes;
        if n == 0 {
            return None;
        }
        let left = self
            .source
            .bytes_after(std::path::Path::new(&*end.file), end.offset)
            .ok()??;
        Some((left as f64 * n as f64 / bytes.max(1) as f64) as u64)
    }

    /// The relay log was reset under us: void the window and read again from the applier.
    fn restart_at_applier(&mut self) {
        let Some(snap) = self.poller.latest() else {
            return;
        };
        let Some(coord) = snap.coord else { return };
        match open_at_applier(
            &self.source,
            &snap.status.relay_log_file,
            snap.status.relay_log_pos,
        ) {
            Ok(s) => {
                tracing::warn!(at = %coord, "relay log reset (replica restarted?): re-reading from the applier's position");
                self.stream = s;
                self.refresh_selector();
                self.sched.reset(coord, self.next_seq);
                self.last_end = None;
            }
            Err(e) => {
                // Try again at the next maintenance tick.
                self.relay_reset.store(true, Ordering::Release);
                if self.log.first("relay-reset") {
                    tracing::warn!(error = %e, "cannot re-open the relay log after a reset; retrying (logged once)");
                }
            }
        }
    }

    fn refresh_selector(&mut self) {
        self.stream.set_column_selector(self.stage.selector());
        self.stream.set_keep_annotations(false);
    }

    /// Re-open at the applier's position when it is in a later relay file or far ahead in the
    /// same one: reading through would only burn CPU on transactions already applied.
    fn skip_forward(&mut self) {
        let Some(snap) = self.poller.latest() else {
            return;
        };
        let (Some(applier), Some(end)) = (snap.coord, self.last_end.as_ref()) else {
            return;
        };
        let Some(reader) = RelayCoord::new(&end.file, end.offset) else {
            return;
        };
        let far = applier.file_no > reader.file_no
            || applier.offset > reader.offset.saturating_add(SKIP_BYTES);
        if applier <= reader || !far {
            return;
        }
        let start = Position {
            file: Arc::from(base_name(&snap.status.relay_log_file)),
            offset: snap.status.relay_log_pos,
        };
        match TransactionStream::open(self.source.clone(), Some(start.clone()), true) {
            Ok(s) => {
                tracing::info!(from = %reader, to = %applier, "applier passed the reader: skipping forward");
                self.stream = s;
                self.refresh_selector();
                self.last_end = Some(start);
            }
            Err(e) => {
                if self.log.first("skip-forward") {
                    tracing::warn!(error = %e, "cannot re-open at the applier's position; reading through (logged once)");
                }
            }
        }
    }
}

fn meta_of(tx: &Transaction) -> Option<TxnMeta> {
    Some(TxnMeta {
        end: RelayCoord::new(&tx.end.file, tx.end.offset)?,
        timestamp: tx.events.first().map_or(0, |e| e.timestamp),
        events: tx.events.len() as u64,
    })
}

/// "./relay-bin.000003" → "relay-bin.000003".
pub fn base_name(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// Open the stream where the applier stands; when that position is not an event boundary, at
/// the start of its file; when the file is gone (purged between the status read and the open),
/// at the start of the index.
pub fn open_at_applier(source: &RelaySource, file: &str, pos: u64) -> Result<TransactionStream> {
    let start = Position {
        file: Arc::from(base_name(file)),
        offset: pos,
    };
    match TransactionStream::open(source.clone(), Some(start.clone()), true) {
        Ok(s) => Ok(s),
        Err(e) if e.kind() == ErrorKind::Config => {
            // The position is not an event boundary (seen right after CHANGE MASTER TO
            // RELAY_LOG_POS on MariaDB) or the file is gone. Read that file from its start —
            // what the applier already passed is skipped — or else the first listed file.
            let file_start = Position {
                offset: crate::relay::header::FDE_OFFSET,
                ..start
            };
            if let Ok(s) = TransactionStream::open(source.clone(), Some(file_start), true) {
                tracing::warn!(error = %e, "cannot start at the applier's relay position; reading its relay file from the start");
                return Ok(s);
            }
            tracing::warn!(error = %e, "applier's relay file not found; starting at the first listed file");
            TransactionStream::open(source.clone(), None, true)
        }
        Err(e) => Err(Error::new(e.kind(), "opening the relay log").with_source(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::StreamOutcome;
    use crate::relay::synth::BinlogWriter;

    /// Two files of two transactions each, listed in an index.
    fn relay_dir() -> (tempfile::TempDir, RelaySource) {
        let dir = tempfile::tempdir().unwrap();
        for (n, first) in [(1, 1u64), (2, 3)] {
            let mut w = BinlogWriter::new(true);
            for seq in first..first + 2 {
                w.gtid(seq).query("db", "UPDATE t SET c = 1 WHERE id = 1");
                w.xid(seq);
            }
            std::fs::write(dir.path().join(format!("relay-bin.00000{n}")), w.bytes()).unwrap();
        }
        let index = dir.path().join("relay-bin.index");
        std::fs::write(&index, "./relay-bin.000001\n./relay-bin.000002\n").unwrap();
        (dir, RelaySource::Index(index))
    }

    fn first_gtid(s: &mut TransactionStream) -> u64 {
        match s.next() {
            StreamOutcome::Transaction(t) => match t.gtid {
                Some(crate::event::Gtid::MariaDb { seq, .. }) => seq,
                other => panic!("{other:?}"),
            },
            _ => panic!("no transaction"),
        }
    }

    #[test]
    fn a_position_off_an_event_boundary_reads_that_file_from_its_start() {
        let (_d, src) = relay_dir();
        let mut s = open_at_applier(&src, "./relay-bin.000002", 7).unwrap();
        assert_eq!(first_gtid(&mut s), 3);
        let mut s = open_at_applier(&src, "./relay-bin.000009", 4).unwrap();
        assert_eq!(
            first_gtid(&mut s),
            1,
            "a missing file: the start of the index"
        );
    }
}
