//! One sweep worker: its own read-only connection, the room check against the buffer pool, and
//! the chunk loop (paused while the applier is not lagging, chunk size adapted to a target
//! duration, stopped when the pool fills up). Errors end one index's sweep with a logged reason;
//! the worker reconnects for the next.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::{Conn, Params, Row, Value};

use super::chunk::{ChunkSql, NotSweepable, chunk_sql};
use super::gate::{Verdict, Wait};
use super::{SweepShared, Target};
use crate::error::{Error, ErrorKind, Result};
use crate::exec::Outcome;
use crate::exec::setup_statements;
use crate::fxhash::FxHashMap;
use crate::plan::Mode;

/// A chunk faster than this doubles the next one; slower than `SLOW` halves it.
const FAST: Duration = Duration::from_millis(50);
const SLOW: Duration = Duration::from_millis(400);
const MIN_ROWS: u64 = 500;
/// At most this many entries per chunk: the pool is checked between chunks, so a chunk bounds
/// how far a sweep can overshoot its share (50,000 sysbench rows ≈ 11 MB).
const MAX_ROWS: u64 = 50_000;

/// How a sweep of one index ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SweepEnd {
    /// Every entry read.
    Done {
        /// Index entries read (approximate: chunks × chunk size).
        rows: u64,
    },
    /// Not started: the index does not fit in the pool's free pages.
    NoRoom {
        /// Estimated size of the index.
        bytes: u64,
        /// Free bytes in the pool when checked.
        free: u64,
    },
    /// Not started: keyset pagination cannot walk this index.
    NotSweepable(NotSweepable),
    /// Stopped part-way (pool filled up, shutdown).
    Stopped(&'static str),
    /// A server error ended it.
    Failed(String),
}

/// The pool's page size and size in pages, read once per connection.
#[derive(Debug, Clone, Copy)]
struct Pool {
    page_size: u64,
    pages: u64,
}

/// A sweep worker's connection.
pub(super) struct Runner {
    shared: Arc<SweepShared>,
    conn: Option<(Conn, Pool)>,
    /// Clustered-index pages per table ("db.tbl"), read once per definition for the gate.
    pages: FxHashMap<(String, u64), u64>,
}

impl Runner {
    pub(super) fn new(shared: Arc<SweepShared>) -> Runner {
        Runner {
            shared,
            conn: None,
            pages: FxHashMap::default(),
        }
    }

    /// `Innodb_buffer_pool_reads`, for the gate's measured read rate: at most every 250 ms
    /// over all workers; None when not due or not readable (the gate then keeps its last rate).
    fn pool_reads_due(&mut self) -> Option<u64> {
        {
            let mut at = self
                .shared
                .reads_at
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if at.is_some_and(|t| t.elapsed() < Duration::from_millis(250)) {
                return None;
            }
            *at = Some(Instant::now());
        }
        let (conn, _) = self.connect().ok()?;
        pool_state(conn).ok().map(|(_, reads)| reads)
    }

    /// Ask the gate whether `t` may be swept now: a primary key when its table's sweep pays, a
    /// secondary index once its table's primary key was admitted. When the table's size cannot
    /// be read the sweep goes ahead (and reports the error itself).
    pub(super) fn admit(&mut self, t: &Target) -> std::result::Result<(), Wait> {
        if self.shared.opts.always {
            return Ok(());
        }
        let name = t.table.qualified_name();
        if !t.is_primary() {
            let g = self.shared.gate.lock().unwrap_or_else(|p| p.into_inner());
            return if g.admitted(&name) {
                Ok(())
            } else {
                Err(Wait::Evidence)
            };
        }
        let key = (name.clone(), t.table.version);
        let pages = match self.pages.get(&key) {
            Some(p) => *p,
            None => {
                let Ok((conn, pool)) = self.connect() else {
                    return Ok(());
                };
                let page_size = pool.page_size;
                let Ok(bytes) = index_bytes(conn, t) else {
                    return Ok(());
                };
                let p = bytes / page_size;
                self.pages.insert(key, p);
                p
            }
        };
        let tps = self.shared.metrics.apply_tps.get();
        let reads = self.pool_reads_due();
        let mut g = self.shared.gate.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = reads {
            g.set_pool_reads(r);
        }
        let before = g.admitted(&name);
        match g.decide(&name, pages, Some(tps)) {
            Verdict::Sweep => {
                if !before {
                    let reads_per_txn = g.read_rate().map(|r| format!("{r:.2}"));
                    tracing::info!(table = %name, pages, apply_tps = tps as u64, reads_per_txn,
                        "sweeping: cheaper than point probes for the rest of the backlog");
                }
                Ok(())
            }
            Verdict::Wait(w) => Err(w),
        }
    }

    fn connect(&mut self) -> Result<&mut (Conn, Pool)> {
        if self.conn.is_none() {
            let s = &self.shared;
            let read_timeout = Duration::from_millis(s.opts.timeout_ms) + Duration::from_secs(10);
            let mut conn = s.spec.connect(Some(read_timeout), 8)?;
            // A sweep is a plain SELECT in a read-only session, whatever the probes' mode.
            for st in setup_statements(Mode::Select, &s.flavor, s.opts.timeout_ms) {
                if let Err(e) = conn.query_drop(&st.sql)
                    && st.required
                {
                    return Err(Error::new(
                        ErrorKind::Server,
                        format!("sweep session set-up: {}", st.sql),
                    )
                    .with_source(e));
                }
            }
            let (page_size, pool_bytes): (u64, u64) = conn
                .query_first("SELECT @@innodb_page_size, @@innodb_buffer_pool_size")
                .map_err(|e| Error::new(ErrorKind::Server, "reading the pool size").with_source(e))?
                .unwrap_or((16384, 0));
            let pool = Pool {
                page_size: page_size.max(1),
                pages: pool_bytes / page_size.max(1),
            };
            self.conn = Some((conn, pool));
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    /// Why the pool has no room any more (free pages under the floor), checked only while some
    /// table is marked cached; a failed check counts as no room.
    pub(super) fn pool_lost_room(&mut self) -> Option<String> {
        let cached = !self
            .shared
            .cached
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty();
        if !cached {
            return None;
        }
        let (conn, pool) = match self.connect() {
            Ok(c) => c,
            Err(e) => return Some(format!("cannot check the pool: {e}")),
        };
        let floor = floor_pages(*pool);
        match pool_state(conn) {
            Ok((f, _)) if f >= floor => None,
            Ok((f, _)) => Some(format!("{f} free pages, under the floor of {floor}")),
            Err(e) => {
                let why = format!("cannot check the pool: {e}");
                self.failed(e);
                Some(why)
            }
        }
    }

    /// Sweep one index (or decide not to).
    pub(super) fn sweep(&mut self, t: &Target) -> SweepEnd {
        let shared = self.shared.clone();
        let sql = match chunk_sql(&t.table, &t.index) {
            Ok(s) => s,
            Err(why) => return SweepEnd::NotSweepable(why),
        };
        let (conn, pool) = match self.connect() {
            Ok(c) => c,
            Err(e) => return SweepEnd::Failed(e.to_string()),
        };
        let pool = *pool;
        let bytes = match index_bytes(conn, t) {
            Ok(b) => b,
            Err(e) => return self.failed(e),
        };
        let (free_pages, reads) = match pool_state(conn) {
            Ok(s) => s,
            Err(e) => return self.failed(e),
        };
        let free = free_pages * pool.page_size;
        if !claim(&shared.claimed, bytes, free, shared.opts.pool_share) {
            return SweepEnd::NoRoom { bytes, free };
        }
        let end = self.scan(&sql, pool, (free_pages, reads));
        let mut c = shared.claimed.lock().unwrap_or_else(|p| p.into_inner());
        *c = c.saturating_sub(bytes);
        end
    }

    fn failed(&mut self, e: mysql::Error) -> SweepEnd {
        if Outcome::from_mysql(&e) == Outcome::ServerGone {
            self.conn = None;
        }
        SweepEnd::Failed(e.to_string())
    }

    fn scan(
        &mut self,
        sql: &ChunkSql,
        pool: Pool,
        (free_at_start, reads_at_start): (u64, u64),
    ) -> SweepEnd {
        let shared = self.shared.clone();
        let mut rows = shared.opts.chunk_rows.clamp(MIN_ROWS, MAX_ROWS);
        // Stop when the pool's free pages fall under this: something else is filling it, and a
        // sweep must never be the reason a page is evicted.
        let floor = floor_pages(pool);
        let mut boundary: Option<Vec<Value>> = None;
        let mut total = 0u64;
        loop {
            if !shared.wait_until_active() {
                return SweepEnd::Stopped("shutdown");
            }
            let Some((conn, _)) = self.conn.as_mut() else {
                return SweepEnd::Failed("connection lost".into());
            };
            // Before every chunk: the size estimate comes from table statistics, which can be
            // stale (a table just bulk-loaded); what the pool really has left is the rule. Pages
            // used = free pages gone or pages read since the start, whichever is more (a small
            // pool keeps its free list topped up by evicting, so free pages alone can hide it;
            // reads by others count too, which only stops a sweep earlier).
            match pool_state(conn) {
                Ok((f, _)) if f < floor => return SweepEnd::Stopped("buffer pool filling up"),
                Ok((f, r))
                    if !within_share(
                        free_at_start,
                        free_at_start
                            .saturating_sub(f)
                            .max(r.saturating_sub(reads_at_start)),
                        shared.opts.pool_share,
                    ) =>
                {
                    return SweepEnd::Stopped("index larger than its share of the free pages");
                }
                Ok(_) => {}
                Err(e) => return self.failed(e),
            }
            let offset = Value::UInt(rows - 1);
            let t0 = Instant::now();
            let got: std::result::Result<Option<Row>, mysql::Error> = match &boundary {
                None => conn.exec_first(&sql.first, Params::Positional(vec![offset])),
                Some(b) => {
                    let mut params: Vec<Value> =
                        sql.param_order.iter().map(|&i| b[i].clone()).collect();
                    params.push(offset);
                    conn.exec_first(&sql.next, Params::Positional(params))
                }
            };
            let took = t0.elapsed();
            match got {
                Ok(Some(row)) => {
                    let values = row.unwrap();
                    shared.metrics.sweep_rows.add(rows);
                    total += rows;
                    if values.len() != sql.width || values.contains(&Value::NULL) {
                        // A NULL key part cannot be compared past: stop here (what was read stays).
                        return SweepEnd::Stopped("NULL in the index key");
                    }
                    boundary = Some(values);
                }
                Ok(None) => return SweepEnd::Done { rows: total },
                Err(e) if Outcome::from_mysql(&e) == Outcome::Timeout && rows > MIN_ROWS => {
                    rows = (rows / 4).max(MIN_ROWS);
                    continue;
                }
                Err(e) => return self.failed(e),
            }
            if took < FAST {
                rows = (rows * 2).min(MAX_ROWS);
            } else if took > SLOW {
                rows = (rows / 2).max(MIN_ROWS);
            }
        }
    }
}

/// Free pages under which sweeps stop and swept tables count as cached no more: 2% of the pool.
fn floor_pages(pool: Pool) -> u64 {
    (pool.pages / 50).max(64)
}

/// Whether a sweep that started with `start` free pages and has since used `used` pages stays
/// within `share` of them.
pub(super) fn within_share(start: u64, used: u64, share: f64) -> bool {
    used as f64 <= start as f64 * share
}

/// Reserve `bytes` of the pool's free space for a sweep, if `bytes` plus what running sweeps
/// reserved fits in `share` of `free`.
pub(super) fn claim(claimed: &Mutex<u64>, bytes: u64, free: u64, share: f64) -> bool {
    let mut c = claimed.lock().unwrap_or_else(|p| p.into_inner());
    if (bytes + *c) as f64 > free as f64 * share {
        return false;
    }
    *c += bytes;
    true
}

/// (`Innodb_buffer_pool_pages_free`, `Innodb_buffer_pool_reads`), as the applier poller reads
/// them.
fn pool_state(conn: &mut Conn) -> std::result::Result<(u64, u64), mysql::Error> {
    crate::replica::fetch_pool(conn).map(|s| (s.free, s.reads))
}

/// The index's size from information_schema.TABLES: DATA_LENGTH is InnoDB's clustered index;
/// INDEX_LENGTH is all secondary indexes together, shared out evenly (an estimate: the server
/// keeps per-index sizes only in mysql.innodb_index_stats, which a SELECT-only user cannot read).
fn index_bytes(conn: &mut Conn, t: &Target) -> std::result::Result<u64, mysql::Error> {
    let row: Option<(Option<u64>, Option<u64>)> = conn.exec_first(
        "SELECT DATA_LENGTH, INDEX_LENGTH FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        (t.table.db.as_str(), t.table.name.as_str()),
    )?;
    let (data, index) = row.unwrap_or((None, None));
    let secondaries = t.table.indexes.iter().filter(|i| !i.primary).count() as u64;
    Ok(if t.is_primary() {
        data.unwrap_or(0)
    } else {
        index.unwrap_or(0) / secondaries.max(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_add_up_against_the_share_of_free_space() {
        let c = Mutex::new(0);
        assert!(claim(&c, 40, 100, 0.5));
        assert!(!claim(&c, 20, 100, 0.5), "40 + 20 > 50");
        assert!(claim(&c, 10, 100, 0.5));
        assert_eq!(*c.lock().unwrap(), 50);
        assert!(!claim(&Mutex::new(0), 1, 0, 0.5), "no free page, no sweep");
    }

    #[test]
    fn a_sweep_stops_when_it_used_its_share_of_the_free_pages() {
        assert!(within_share(1000, 0, 0.5));
        assert!(within_share(1000, 500, 0.5));
        assert!(!within_share(1000, 501, 0.5));
        assert!(!within_share(0, 1, 0.5));
    }
}
