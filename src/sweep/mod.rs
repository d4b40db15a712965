//! Table warm-up by sequential index scans ("sweeps"), while the buffer pool has room for them.
//!
//! Just after a restart the pool is large and empty, and a backlog of writes will touch most pages
//! of the tables it writes. Point probes fetch those pages one random 16 KiB read at a time, at
//! the depth of the worker pool, and every read costs the server CPU. Scanning an index in key
//! order instead lets InnoDB's linear read-ahead fetch whole extents asynchronously: far fewer
//! round trips and statements per page. So, next to the point probes (which serve what the
//! applier needs next), the sweeper reads whole indexes of the tables the plans touch (what it
//! will need later): every primary key first, then the secondary indexes the probes read (an
//! index the backlog never reads is not worth a page: `update_non_index` never reads `k`).
//!
//! Rules (a sweep must pay for itself, and never cost the replica a cached page or hold back
//! purge):
//! * a table is swept only when the cost model in `gate` says reading all of it in key order
//!   costs the server less than the point probes the rest of the backlog would need, and the
//!   sweep can end in the first half of the remaining catch-up (hot spots and short backlogs
//!   keep their point probes); its secondary indexes follow once its primary key is admitted;
//! * an index is swept only when it fits in `pool_share` of the pool's *free* pages, counting
//!   what running sweeps reserved; on a pool smaller than the data nothing is swept;
//! * a sweep stops when free pages fall under 2% of the pool (something else is filling it), or
//!   when it has used its share of the free pages it started with — free pages gone or pages
//!   read since, whichever is more (statistics can understate a table's size, and a small pool
//!   keeps its free list topped up by evicting; the pool is checked before every chunk);
//! * it runs in short chunks (`chunk`: keyset pagination, one autocommit SELECT each, chunk size
//!   adapted to ~50–400 ms), so no read view lives longer than a chunk;
//! * it pauses while the applier is not lagging (the reader's throttle decision);
//! * its connections are read-only sessions with a statement time limit, in every mode.
//!
//! Once every index of a table the probes read has been swept, they are in the pool and stay
//! there while the pool has free pages: point probes on the table would only cost the server
//! CPU, so the reader drops them ([`Sweeper::is_cached`]) while the pool's verdict is "filling"
//! and until free pages fall under the floor. A probe that names no index (the server picks) is
//! dropped only once every index of its table is swept.
//!
//! Owns: the queues of indexes to sweep and the worker threads (`runner`). Does not decide what
//! the plans touch (the reader calls [`Sweeper::notice`]).

mod chunk;
mod gate;
mod runner;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};

pub use chunk::{ChunkSql, NotSweepable, chunk_sql};
pub use gate::Backlog;
pub use runner::SweepEnd;

use crate::daemon::Shutdown;
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::metrics::Metrics;
use crate::replica::{ConnSpec, Flavor};
use crate::schema::Table;

/// Sweeper settings.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Worker connections (0: no sweeping).
    pub workers: usize,
    /// Index entries in the first chunk (then adapted).
    pub chunk_rows: u64,
    /// Share of the pool's free pages that sweeps may fill.
    pub pool_share: f64,
    /// Statement time limit for a chunk.
    pub timeout_ms: u64,
    /// Sweep every touched table that fits, without asking the cost gate.
    pub always: bool,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            workers: 0,
            chunk_rows: 10_000,
            pool_share: 0.5,
            timeout_ms: 5_000,
            always: false,
        }
    }
}

/// One index to sweep.
#[derive(Debug, Clone)]
pub struct Target {
    /// The table's definition when it was noticed.
    pub table: Arc<Table>,
    /// Index name ("PRIMARY" for the clustered index).
    pub index: String,
}

impl Target {
    fn is_primary(&self) -> bool {
        self.index.eq_ignore_ascii_case("PRIMARY")
    }
}

/// What the workers share.
struct SweepShared {
    spec: ConnSpec,
    flavor: Flavor,
    opts: SweepOptions,
    metrics: Arc<Metrics>,
    shutdown: Shutdown,
    /// Bytes of the pool reserved by running sweeps.
    claimed: Mutex<u64>,
    /// Whether the applier lags (set by the reader through [`Sweeper::set_active`]).
    active: AtomicBool,
    /// Indexes swept completely, per table ("db.tbl" → index names), and a generation bumped
    /// on every change.
    cached: RwLock<Arc<Cached>>,
    cached_gen: AtomicU64,
    /// Whether each table's sweep pays (fed by the reader, asked by the workers).
    gate: Mutex<gate::Gate>,
    /// When a worker last read the pool's read counter for the gate.
    reads_at: Mutex<Option<std::time::Instant>>,
    /// Targets the gate turned away for now (the workers ask again when idle), and the reason
    /// last logged per table.
    deferred: Mutex<(Vec<Target>, FxHashMap<String, gate::Wait>)>,
}

impl SweepShared {
    /// Record a finished index (its table counts as cached once every index its probes read is).
    fn index_done(&self, t: &Target) {
        let name = t.table.qualified_name();
        let mut c = self.cached.write().unwrap_or_else(|p| p.into_inner());
        let mut map = (**c).clone();
        let e = map.entry(name).or_default();
        if e.0 != t.table.version {
            *e = (t.table.version, FxHashSet::default());
        }
        e.1.insert(t.index.to_ascii_lowercase());
        *c = Arc::new(map);
        self.cached_gen.fetch_add(1, Ordering::AcqRel);
    }

    /// Forget one table (its definition changed: a rebuilt table's pages are new).
    fn uncache(&self, name: &str) {
        self.gate
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .forget(name);
        let mut c = self.cached.write().unwrap_or_else(|p| p.into_inner());
        if c.contains_key(name) {
            let mut map = (**c).clone();
            map.remove(name);
            *c = Arc::new(map);
            self.cached_gen.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Forget every cached table (the pool is filling up: pages may be evicted).
    fn uncache_all(&self, why: &str) {
        let mut c = self.cached.write().unwrap_or_else(|p| p.into_inner());
        if !c.is_empty() {
            tracing::info!(tables = c.len(), reason = why, "probing swept tables again");
            *c = Arc::new(Cached::default());
            self.cached_gen.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Block while idle; false on shutdown.
    fn wait_until_active(&self) -> bool {
        loop {
            if self.shutdown.is_triggered() {
                return false;
            }
            if self.active.load(Ordering::Acquire) {
                return true;
            }
            if self.shutdown.wait_timeout(Duration::from_millis(100)) {
                return false;
            }
        }
    }
}

/// Swept indexes per table ("db.tbl" → (definition version, index names in lower case)).
type Cached = FxHashMap<String, (u64, FxHashSet<String>)>;

/// What the reader queued for one table.
#[derive(Debug)]
struct Queued {
    /// The definition's schema version.
    version: u64,
    /// How many indexes it has.
    indexes: usize,
    /// Indexes queued (lower case).
    names: FxHashSet<String>,
}

/// Queues of indexes to sweep (primary keys first) and the workers that sweep them.
pub struct Sweeper {
    shared: Arc<SweepShared>,
    primary: Option<Sender<Target>>,
    secondary: Option<Sender<Target>>,
    /// Indexes already queued per table (by "db.tbl" as probes name them).
    queued: FxHashMap<String, Queued>,
    /// The reader's copy of the swept indexes and their generation.
    cached: (u64, Arc<Cached>),
    workers: Vec<JoinHandle<()>>,
}

impl Sweeper {
    /// Start `opts.workers` sweep workers (none when 0: `notice` then does nothing).
    pub fn start(
        spec: ConnSpec,
        flavor: Flavor,
        opts: SweepOptions,
        metrics: Arc<Metrics>,
        shutdown: Shutdown,
    ) -> Sweeper {
        let shared = Arc::new(SweepShared {
            spec,
            flavor,
            metrics,
            shutdown,
            claimed: Mutex::new(0),
            active: AtomicBool::new(false),
            cached: RwLock::new(Arc::new(Cached::default())),
            cached_gen: AtomicU64::new(0),
            gate: Mutex::new(gate::Gate::default()),
            reads_at: Mutex::new(None),
            deferred: Mutex::new((Vec::new(), FxHashMap::default())),
            opts,
        });
        let (ptx, prx) = crossbeam_channel::bounded::<Target>(1024);
        let (stx, srx) = crossbeam_channel::bounded::<Target>(4096);
        let workers = (0..shared.opts.workers)
            .map(|i| {
                let (sh, p, s) = (shared.clone(), prx.clone(), srx.clone());
                std::thread::Builder::new()
                    .name(format!("sweep-{i}"))
                    .spawn(move || work(sh, p, s))
                    .expect("spawning a sweep worker")
            })
            .collect::<Vec<_>>();
        let enabled = !workers.is_empty();
        Sweeper {
            shared,
            primary: enabled.then_some(ptx),
            secondary: enabled.then_some(stx),
            queued: FxHashMap::default(),
            cached: (0, Arc::new(Cached::default())),
            workers,
        }
    }

    /// Whether sweep workers run (`notice` and `is_cached` are no-ops otherwise).
    pub fn enabled(&self) -> bool {
        !self.workers.is_empty()
    }

    /// Whether the applier lags (sweeps pause otherwise).
    pub fn set_active(&self, active: bool) {
        self.shared.active.store(active, Ordering::Release);
    }

    /// A probe reads `index` of `table` ("" when the server picks): queue the table's primary
    /// key, and `index` when it is a secondary one, unless they were queued for this definition
    /// already. Never blocks.
    pub fn notice(&mut self, table: &Arc<Table>, index: &str) {
        let (Some(p), Some(s)) = (&self.primary, &self.secondary) else {
            return;
        };
        let name = table.qualified_name();
        let stale = self
            .queued
            .get(&name)
            .is_some_and(|q| q.version != table.version);
        if stale {
            // A new definition (DDL reloaded it): what was swept may be gone.
            self.shared.uncache(&name);
            self.queued.remove(&name);
        }
        let queued = self.queued.entry(name).or_insert_with(|| Queued {
            version: table.version,
            indexes: table.indexes.len(),
            names: FxHashSet::default(),
        });
        for ix in &table.indexes {
            let key = ix.name.to_ascii_lowercase();
            if !(ix.primary || ix.name.eq_ignore_ascii_case(index)) || queued.names.contains(&key) {
                continue;
            }
            let t = Target {
                table: table.clone(),
                index: ix.name.clone(),
            };
            let q = if ix.primary { p } else { s };
            // A full queue: asked again by the next probe on this index.
            if q.try_send(t).is_ok() {
                queued.names.insert(key);
            }
        }
    }

    /// The probes of one planned batch: which rows of which tables they read (the gate's
    /// evidence). One lock per call.
    pub fn observe(&self, probes: &[&crate::plan::Probe]) {
        if !self.enabled() {
            return;
        }
        let mut g = self.shared.gate.lock().unwrap_or_else(|p| p.into_inner());
        for p in probes {
            g.observe(
                &p.table,
                p.row_keys.iter().filter_map(|k| k.pk.as_deref()).map(|pk| {
                    let mut h = crate::fxhash::FxHasher::default();
                    std::hash::Hasher::write(&mut h, pk);
                    std::hash::Hasher::finish(&h)
                }),
            );
        }
    }

    /// The reader's view of the backlog (transactions read, and still to read).
    pub fn set_backlog(&self, b: Backlog) {
        if self.enabled() {
            self.shared
                .gate
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .set_backlog(b);
        }
    }

    /// Whether a probe on `index` of `table` ("db.tbl", as probes name it) would be wasted:
    /// every index of the table the probes read so far was swept and the pool still has room.
    /// Table by table, not index by index: a pool too small for the table may still take a
    /// small index whole, and pages swept into a pool that then evicts are the first to go. A
    /// probe naming no index (the server picks) needs every index of the table swept.
    pub fn is_cached(&mut self, table: &str, index: &str) -> bool {
        let g = self.shared.cached_gen.load(Ordering::Acquire);
        if g != self.cached.0 {
            let set = self
                .shared
                .cached
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            self.cached = (g, set);
        }
        let Some((_, swept)) = self.cached.1.get(table) else {
            return false;
        };
        let Some(q) = self.queued.get(table) else {
            return false;
        };
        if index.is_empty() {
            return swept.len() >= q.indexes;
        }
        !q.names.is_empty() && q.names.iter().all(|n| swept.contains(n))
    }

    /// Stop accepting work and wait for the workers (they stop at the next chunk on shutdown).
    pub fn join(mut self) {
        self.primary = None;
        self.secondary = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Hold `target` back at the gate (logged when a table's reason changes).
fn defer(shared: &SweepShared, target: Target, wait: gate::Wait) {
    let mut d = shared.deferred.lock().unwrap_or_else(|p| p.into_inner());
    if target.is_primary() {
        let name = target.table.qualified_name();
        log_wait(&mut d.1, name, wait);
    }
    d.0.push(target);
    publish_waiting(shared, &d.0);
}

/// Tables held back at the gate (one primary-key target each), for the gauge.
fn publish_waiting(shared: &SweepShared, held: &[Target]) {
    let waiting = held.iter().filter(|t| t.is_primary()).count();
    shared.metrics.sweeps_waiting.set(waiting as i64);
}

/// Log a table's wait the first time and when it turns into a judgement (a rate that drops to
/// nothing at the end of a backlog sends it back to "too early": not worth a line).
fn log_wait(last: &mut FxHashMap<String, gate::Wait>, name: String, w: gate::Wait) {
    let prev = last.insert(name.clone(), w);
    if prev.is_none() || (prev != Some(w) && w != gate::Wait::Evidence) {
        tracing::info!(table = %name, reason = w.why(), "not sweeping yet");
    }
}

/// The first held-back target the gate admits now: primary keys first (a secondary index waits
/// for its table's primary key).
fn next_admitted(shared: &SweepShared, runner: &mut runner::Runner) -> Option<Target> {
    let mut d = shared.deferred.lock().unwrap_or_else(|p| p.into_inner());
    let order = (0..d.0.len())
        .filter(|&i| d.0[i].is_primary())
        .chain((0..d.0.len()).filter(|&i| !d.0[i].is_primary()))
        .collect::<Vec<_>>();
    let mut verdicts = Vec::new();
    let found = order.into_iter().find(|&i| match runner.admit(&d.0[i]) {
        Ok(()) => true,
        Err(w) => {
            verdicts.push((i, w));
            false
        }
    });
    for (i, w) in verdicts {
        if d.0[i].is_primary() {
            let name = d.0[i].table.qualified_name();
            log_wait(&mut d.1, name, w);
        }
    }
    let i = found?;
    let t = d.0.remove(i);
    publish_waiting(shared, &d.0);
    Some(t)
}

/// A worker: primary keys before secondary indexes, until shutdown or both queues close.
fn work(shared: Arc<SweepShared>, primary: Receiver<Target>, secondary: Receiver<Target>) {
    let mut runner = runner::Runner::new(shared.clone());
    loop {
        if shared.shutdown.is_triggered() {
            return;
        }
        let target = match primary.try_recv() {
            Ok(t) => t,
            Err(_) => crossbeam_channel::select! {
                recv(primary) -> t => match t { Ok(t) => t, Err(_) => return },
                recv(secondary) -> t => match t { Ok(t) => t, Err(_) => return },
                default(Duration::from_millis(250)) => {
                    if let Some(why) = runner.pool_lost_room() {
                        shared.uncache_all(&why);
                    }
                    match next_admitted(&shared, &mut runner) {
                        Some(t) => t,
                        None => continue,
                    }
                }
            },
        };
        if let Err(wait) = runner.admit(&target) {
            defer(&shared, target, wait);
            continue;
        }
        let label = format!(
            "{}.{} ({})",
            target.table.db, target.table.name, target.index
        );
        match runner.sweep(&target) {
            SweepEnd::Done { rows } => {
                shared.metrics.sweeps_done.inc();
                tracing::info!(index = %label, rows, "swept into the buffer pool");
                shared.index_done(&target);
            }
            SweepEnd::NoRoom { bytes, free } => {
                shared.metrics.sweeps_skipped.inc();
                tracing::info!(index = %label, mb = bytes >> 20, free_mb = free >> 20,
                    "not sweeping: the index does not fit in the buffer pool's free pages");
            }
            SweepEnd::NotSweepable(why) => {
                shared.metrics.sweeps_skipped.inc();
                tracing::debug!(index = %label, ?why, "not sweepable");
            }
            SweepEnd::Stopped(why) => {
                shared.metrics.sweeps_skipped.inc();
                tracing::info!(index = %label, reason = why, "sweep stopped");
            }
            SweepEnd::Failed(e) => {
                shared.metrics.sweeps_failed.inc();
                tracing::warn!(index = %label, error = %e, "sweep failed; the probes go on");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::chunk::tests::{idx, table as chunk_table};
    use super::*;

    fn table(version: u64) -> Arc<Table> {
        let mut t = chunk_table(vec![idx("PRIMARY", &[0], true), idx("k", &[1], false)]);
        t.version = version;
        Arc::new(t)
    }

    #[test]
    fn swept_indexes_are_cached_and_forgotten_when_redefined() {
        let sd = Shutdown::new();
        // Nothing listens on port 1: the worker's sweeps fail, which this test does not need.
        let spec = ConnSpec {
            host: "127.0.0.1".into(),
            port: 1,
            socket: None,
            user: None,
            password: None,
        };
        let flavor = Flavor::parse("10.11.14-MariaDB", "");
        let opts = SweepOptions {
            workers: 1,
            ..SweepOptions::default()
        };
        let mut s = Sweeper::start(spec, flavor, opts, Metrics::new(), sd.clone());
        let v1 = table(1);
        let queued = |s: &Sweeper| {
            let mut n: Vec<_> = s.queued["db.t"].names.iter().cloned().collect();
            n.sort();
            n
        };
        // A probe on the primary key queues it alone: the secondary index is never read.
        s.notice(&v1, "PRIMARY");
        assert_eq!(queued(&s), ["primary"]);
        assert!(!s.is_cached("db.t", "PRIMARY"));
        s.shared.index_done(&Target {
            table: v1.clone(),
            index: "PRIMARY".into(),
        });
        assert!(
            s.is_cached("db.t", "PRIMARY"),
            "all the probes read is swept"
        );
        assert!(
            !s.is_cached("db.t", ""),
            "the server may pick the unswept index"
        );
        assert!(!s.is_cached("db.other", "PRIMARY"));
        // A probe on the secondary index queues it too; until it is swept, no probe on the
        // table is dropped.
        s.notice(&v1, "K");
        assert_eq!(queued(&s), ["k", "primary"]);
        assert!(!s.is_cached("db.t", "PRIMARY"));
        assert!(!s.is_cached("db.t", "k"));
        s.shared.index_done(&Target {
            table: v1.clone(),
            index: "k".into(),
        });
        assert!(s.is_cached("db.t", "K"));
        assert!(s.is_cached("db.t", "PRIMARY"));
        assert!(s.is_cached("db.t", ""), "every index swept");
        s.notice(&v1, "PRIMARY");
        assert!(
            s.is_cached("db.t", "PRIMARY"),
            "same definition: still cached"
        );
        s.notice(&table(2), "PRIMARY");
        assert!(
            !s.is_cached("db.t", "PRIMARY"),
            "a new definition is not cached"
        );
        assert_eq!(queued(&s), ["primary"], "and is queued again");
        s.shared.index_done(&Target {
            table: table(2),
            index: "PRIMARY".into(),
        });
        assert!(s.is_cached("db.t", "PRIMARY"));
        s.shared.uncache_all("test");
        assert!(!s.is_cached("db.t", "PRIMARY"), "the pool filled up");
        sd.trigger();
        s.join();
    }
}
