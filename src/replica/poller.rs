//! The applier tracker: a thread with its own connection that reads the replica status every
//! `interval` (10–50 ms by default), publishes the latest [`ApplierSnapshot`] and hands each one
//! to a callback (the scheduler's window). Connection loss is logged once per transition and
//! retried with exponential back-off; the last good snapshot stays published meanwhile.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mysql::Conn;
use mysql::prelude::Queryable;

use super::pool::{PoolWatch, Pressure, fetch_pool};
use super::{Channel, ConnSpec, RelayCoord, ReplicaStatus};
use crate::daemon::Shutdown;
use crate::error::{Error, ErrorKind, Result};

/// One observation of the applier.
#[derive(Debug, Clone)]
pub struct ApplierSnapshot {
    /// The parsed status row.
    pub status: ReplicaStatus,
    /// The applier's relay position, comparable.
    pub coord: Option<RelayCoord>,
    /// When it was read.
    pub at: Instant,
    /// What the buffer pool does with pages read (sampled ten times a second; none until
    /// the first sample, or when the server does not report it).
    pub pool: Option<Pressure>,
    /// The buffer pool reads (almost) nothing from disk: the applier is served from memory.
    pub pool_cached: bool,
    /// The pool's epoch ([`crate::replica::pool::PoolWatch::epoch`]): a change means pages may
    /// have left the pool other than by eviction (the server restarted, a table was dropped).
    pub pool_epoch: u64,
    /// Pages the pool reads from disk per second ([`PoolWatch::read_rate`]).
    pub pool_read_rate: Option<f64>,
}

/// Read one status row. `Ok(None)` when the server is not a replica (empty result).
pub fn fetch_status(conn: &mut Conn, channel: &Channel) -> Result<Option<ReplicaStatus>> {
    let stmt = channel.statement();
    let mut result = conn.query_iter(stmt).map_err(|e| status_error(stmt, e))?;
    let Some(set) = result.iter() else {
        return Ok(None);
    };
    let columns = set.columns();
    let names: Vec<String> = columns
        .as_ref()
        .iter()
        .map(|c| c.name_str().into_owned())
        .collect();
    let mut first = None;
    for row in set {
        let row = row.map_err(|e| status_error(stmt, e))?;
        if first.is_none() {
            first = Some(row);
        }
    }
    let Some(row) = first else { return Ok(None) };
    let values: Vec<Option<String>> = (0..names.len())
        .map(|i| match row.as_ref(i) {
            Some(mysql::Value::NULL) | None => None,
            Some(mysql::Value::Bytes(b)) => Some(String::from_utf8_lossy(b).into_owned()),
            Some(v) => Some(v.as_sql(true).trim_matches('\'').to_string()),
        })
        .collect();
    ReplicaStatus::from_columns(
        names
            .iter()
            .map(String::as_str)
            .zip(values.iter().map(|v| v.as_deref())),
    )
    .map(Some)
}

pub(super) fn status_error(stmt: &str, e: mysql::Error) -> Error {
    let hint = match &e {
        mysql::Error::MySqlError(m) if m.code == 1227 || m.code == 1045 || m.code == 1142 => {
            " (the user needs REPLICATION CLIENT on MySQL, or SLAVE MONITOR / REPLICA MONITOR \
             on MariaDB 10.5+)"
        }
        _ => "",
    };
    Error::new(ErrorKind::Server, format!("{stmt} failed{hint}")).with_source(e)
}

/// A running poller.
pub struct Poller {
    /// Invariant: replaced wholesale by the poller thread only; readers clone the Arc.
    latest: Arc<Mutex<Option<Arc<ApplierSnapshot>>>>,
    handle: Option<JoinHandle<()>>,
}

impl Poller {
    /// Start polling on a connection of its own. `on_update` runs on the poller thread after each
    /// successful read.
    pub fn spawn(
        spec: ConnSpec,
        channel: Channel,
        interval: Duration,
        shutdown: Shutdown,
        mut on_update: Box<dyn FnMut(&ApplierSnapshot) + Send>,
    ) -> Poller {
        let latest = Arc::new(Mutex::new(None));
        let published = latest.clone();
        let handle = std::thread::Builder::new()
            .name("replica-poller".into())
            .spawn(move || {
                let mut state = PollState::default();
                while !shutdown.is_triggered() {
                    if let Some(snap) = state.poll_once(&spec, &channel) {
                        let snap = Arc::new(snap);
                        *published.lock().unwrap_or_else(|p| p.into_inner()) = Some(snap.clone());
                        on_update(&snap);
                    }
                    shutdown.wait_timeout(state.next_wait(interval));
                }
            })
            .expect("spawning the poller thread");
        Poller {
            latest,
            handle: Some(handle),
        }
    }

    /// The latest snapshot, if any poll has succeeded.
    pub fn latest(&self) -> Option<Arc<ApplierSnapshot>> {
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Wait for the thread (after shutdown was triggered).
    pub fn join(mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Connection and back-off state of the poller thread.
#[derive(Default)]
struct PollState {
    conn: Option<Conn>,
    /// Consecutive failures; 0 when healthy. Drives back-off and once-per-transition logging.
    failures: u32,
    pool: PoolWatch,
    /// When the pool was last sampled.
    pool_at: Option<Instant>,
    /// The last read of the pool counters failed (logged once per transition).
    pool_failed: bool,
}

/// How often the buffer-pool counters are sampled.
const POOL_EVERY: Duration = Duration::from_millis(100);

impl PollState {
    fn poll_once(&mut self, spec: &ConnSpec, channel: &Channel) -> Option<ApplierSnapshot> {
        let res = self.read(spec, channel);
        match res {
            Ok(Some(status)) => {
                if self.failures > 0 {
                    tracing::info!(failures = self.failures, "replica status readable again");
                }
                self.failures = 0;
                let now = Instant::now();
                self.sample_pool(now);
                Some(ApplierSnapshot {
                    coord: status.relay_coord(),
                    status,
                    at: now,
                    pool: self.pool.verdict(),
                    pool_cached: self.pool.cached(),
                    pool_epoch: self.pool.epoch(),
                    pool_read_rate: self.pool.read_rate(),
                })
            }
            Ok(None) => {
                if self.failures == 0 {
                    tracing::warn!("replica status is empty: the server is not a replica");
                }
                self.failures += 1;
                None
            }
            Err(e) => {
                if self.failures == 0 {
                    tracing::warn!(error = %e, "replica status unavailable; retrying with back-off");
                }
                self.failures += 1;
                self.conn = None;
                // The server may restart before we reconnect: what the pool held is unknown.
                self.pool.restart();
                None
            }
        }
    }

    fn read(&mut self, spec: &ConnSpec, channel: &Channel) -> Result<Option<ReplicaStatus>> {
        if self.conn.is_none() {
            self.conn = Some(spec.connect(Some(Duration::from_secs(5)), 0)?);
        }
        let conn = self.conn.as_mut().expect("connected above");
        fetch_status(conn, channel)
    }

    /// Sample the buffer pool when due (on the status connection; a failure costs nothing but
    /// the verdict, logged once).
    fn sample_pool(&mut self, now: Instant) {
        if self
            .pool_at
            .is_some_and(|t| now.saturating_duration_since(t) < POOL_EVERY)
        {
            return;
        }
        self.pool_at = Some(now);
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        match fetch_pool(conn) {
            Ok(s) => {
                self.pool_failed = false;
                if let Some(p) = self.pool.observe(s, now) {
                    tracing::info!(
                        pool = p.as_str(),
                        free_pages = s.free,
                        total_pages = s.total,
                        "buffer pool verdict"
                    );
                }
            }
            Err(e) => {
                if !self.pool_failed {
                    tracing::warn!(error = %e, "buffer-pool counters unreadable; probes use --probe-keys until they are readable again");
                    self.pool_failed = true;
                }
                // No verdict without counters: the conservative size.
                self.pool.restart();
            }
        }
    }

    /// The poll interval while healthy; exponential back-off (to 2 s) after failures.
    fn next_wait(&self, interval: Duration) -> Duration {
        if self.failures == 0 {
            return interval;
        }
        let exp = self.failures.min(8);
        (Duration::from_millis(50) * 2u32.pow(exp)).min(Duration::from_secs(2))
    }
}
