//! [`MysqlExecutor`]: one worker's connection to the replica. Connects lazily, runs the mode's
//! session set-up, applies each probe's session context (db, sql_mode, charset) when it changes,
//! runs the probe (text, prepared — cached per connection by the client library — or a
//! rolled-back DML batch) and classifies the outcome. A lost connection is reconnected with
//! exponential back-off; while backing off, probes fail fast as `ServerGone` instead of stalling
//! the worker (a stalled worker would only make its queue stale).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::{Conn, Params};

use super::dml::{Failure, SqlRunner, run_rolled_back};
use super::priority::{Lowered, ProbePriority};
use super::session::{SessionState, setup_statements};
use super::values::{from_mysql, to_mysql};
use super::{Executor, Job, Outcome, ProbeResult};
use crate::error::{Error, ErrorKind, Result};
use crate::metrics::Metrics;
use crate::plan::{Mode, ProbeSql};
use crate::replica::{ConnSpec, Flavor};

/// Rows kept from one probe for its follow-up (bounds memory on a surprising result).
const MAX_ROWS: usize = 1000;
/// Prepared statements cached per connection (by SQL text, in the client library).
const STMT_CACHE: usize = 256;

/// What every worker connection needs to know.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// Prefetch mode.
    pub mode: Mode,
    /// The server's flavor (time-limit dialect).
    pub flavor: Flavor,
    /// Per-probe time limit.
    pub probe_timeout_ms: u64,
    /// Lower the priority of each connection's server thread (None: leave it).
    pub priority: Option<ProbePriority>,
}

/// A worker's connection and its state.
pub struct MysqlExecutor {
    spec: ConnSpec,
    opts: Arc<ExecOptions>,
    metrics: Arc<Metrics>,
    conn: Option<Conn>,
    state: SessionState,
    /// Collation id → (collation name, character set name), read once per connection.
    collations: HashMap<u16, (String, String)>,
    /// Consecutive failed connection attempts (0 = healthy); drives back-off and logging once
    /// per outage.
    failures: u32,
    next_try: Instant,
    /// Whether this executor ever had a working connection (reconnects are counted after that).
    was_connected: bool,
    /// The connection's server thread, while its priority is lowered (restored on drop).
    lowered: Option<Lowered>,
}

impl MysqlExecutor {
    /// A worker executor; connects on first use.
    pub fn new(spec: ConnSpec, opts: Arc<ExecOptions>, metrics: Arc<Metrics>) -> MysqlExecutor {
        MysqlExecutor {
            spec,
            opts,
            metrics,
            conn: None,
            state: SessionState::default(),
            collations: HashMap::new(),
            failures: 0,
            next_try: Instant::now(),
            was_connected: false,
            lowered: None,
        }
    }

    /// Connect and set the session up now (start-up check: fails when the mode's required
    /// settings are refused).
    pub fn connect_now(&mut self) -> Result<()> {
        let conn = self.open()?;
        self.conn = Some(conn);
        self.was_connected = true;
        Ok(())
    }

    fn open(&mut self) -> Result<Conn> {
        let read_timeout =
            Duration::from_millis(self.opts.probe_timeout_ms) + Duration::from_secs(10);
        let mut conn = self.spec.connect(Some(read_timeout), STMT_CACHE)?;
        for s in setup_statements(
            self.opts.mode,
            &self.opts.flavor,
            self.opts.probe_timeout_ms,
        ) {
            if let Err(e) = conn.query_drop(&s.sql)
                && s.required
            {
                return Err(Error::new(
                    ErrorKind::Server,
                    format!(
                        "session set-up for {} mode: {}",
                        self.opts.mode.as_str(),
                        s.sql
                    ),
                )
                .with_source(e));
            }
        }
        if self.collations.is_empty() {
            let rows: Vec<(u16, String, String)> = conn
                .query(
                    "SELECT ID, COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS \
                     WHERE ID IS NOT NULL",
                )
                .unwrap_or_default();
            self.collations = rows.into_iter().map(|(i, c, s)| (i, (c, s))).collect();
        }
        self.lowered = None;
        if let Some(p) = &self.opts.priority {
            match p.lower(&mut conn) {
                Ok(l) => self.lowered = Some(l),
                Err(e) => tracing::debug!(error = %e, "probe thread keeps its priority"),
            }
        }
        self.state.reset();
        Ok(conn)
    }

    /// The connection, (re)connecting when due. `Err` while backing off or when it fails.
    fn ensure_conn(&mut self) -> std::result::Result<(), Outcome> {
        if self.conn.is_some() {
            return Ok(());
        }
        if Instant::now() < self.next_try {
            return Err(Outcome::ServerGone);
        }
        match self.open() {
            Ok(c) => {
                if self.failures > 0 {
                    tracing::info!(failures = self.failures, "worker reconnected");
                }
                if self.was_connected {
                    self.metrics.reconnects.inc();
                }
                self.conn = Some(c);
                self.failures = 0;
                self.was_connected = true;
                Ok(())
            }
            Err(e) => {
                if self.failures == 0 {
                    tracing::warn!(error = %e, "worker cannot connect; retrying with back-off");
                }
                self.failures += 1;
                let backoff = Duration::from_millis(100) * 2u32.pow(self.failures.min(6));
                self.next_try = Instant::now() + backoff.min(Duration::from_secs(5));
                Err(Outcome::ServerGone)
            }
        }
    }

    fn run_on_conn(
        &mut self,
        job: &Job<'_>,
    ) -> std::result::Result<Vec<Vec<crate::event::Value>>, Failure> {
        let collations = &self.collations;
        let change = self
            .state
            .change_to(job.session, |id| collations.get(&id).cloned());
        let conn = self.conn.as_mut().expect("ensure_conn connected");
        if let Some(db) = &change.use_db {
            conn.select_db(db).map_err(failure)?;
        }
        for s in &change.set {
            conn.query_drop(s).map_err(failure)?;
        }
        // With autocommit=0 (locking modes) a SELECT opens a transaction that would keep its
        // read view and metadata locks — blocking the applier's DDL — until ended: end it.
        let end_read = self.opts.mode.takes_locks();
        match &job.probe.sql {
            ProbeSql::Text(sql) => {
                let result = conn.query_iter(sql.as_str()).map_err(failure);
                let rows = result.and_then(|r| collect(r, job.want_rows));
                end_read_txn(conn, end_read, rows)
            }
            ProbeSql::Prepared { sql, params } => {
                let params = Params::Positional(params.iter().map(to_mysql).collect());
                let result = conn.exec_iter(sql.as_ref(), params).map_err(failure);
                let rows = result.and_then(|r| collect(r, job.want_rows));
                end_read_txn(conn, end_read, rows)
            }
            ProbeSql::Dml(stmts) => {
                if !self.opts.mode.takes_locks() {
                    return Err(Failure {
                        outcome: Outcome::Error,
                        message: "DML probe refused in select mode".into(),
                    });
                }
                match run_rolled_back(&mut ConnRunner(conn), stmts) {
                    Outcome::Ok => Ok(Vec::new()),
                    outcome => Err(Failure {
                        outcome,
                        message: "locking-mode batch failed".into(),
                    }),
                }
            }
        }
    }
}

impl Executor for MysqlExecutor {
    fn run(&mut self, job: &Job<'_>) -> ProbeResult {
        if let Err(o) = self.ensure_conn() {
            return ProbeResult::of(o);
        }
        match self.run_on_conn(job) {
            Ok(rows) => ProbeResult {
                outcome: Outcome::Ok,
                rows,
            },
            Err(f) => {
                if f.outcome == Outcome::ServerGone {
                    // Next probe reconnects at once; later failures back off.
                    self.conn = None;
                    self.lowered = None;
                    self.state.reset();
                    self.next_try = Instant::now();
                } else if f.outcome == Outcome::Error {
                    // Session state may be half-applied (e.g. USE of a dropped db): resend next time.
                    self.state.reset();
                    tracing::debug!(seq = job.seq, table = %job.probe.table, error = %f.message, "probe failed");
                }
                ProbeResult::of(f.outcome)
            }
        }
    }
}

type Rows = Vec<Vec<crate::event::Value>>;

/// ROLLBACK after a read in a locking-mode session (never COMMIT; nothing was written).
fn end_read_txn(
    conn: &mut Conn,
    end: bool,
    rows: std::result::Result<Rows, Failure>,
) -> std::result::Result<Rows, Failure> {
    let gone = rows
        .as_ref()
        .is_err_and(|f| f.outcome == Outcome::ServerGone);
    if end && !gone {
        conn.query_drop(super::dml::END).map_err(failure)?;
    }
    rows
}

fn failure(e: mysql::Error) -> Failure {
    Failure {
        outcome: Outcome::from_mysql(&e),
        message: e.to_string(),
    }
}

fn collect<P: mysql::prelude::Protocol>(
    mut result: mysql::QueryResult<'_, '_, '_, P>,
    want: bool,
) -> std::result::Result<Vec<Vec<crate::event::Value>>, Failure> {
    let mut rows = Vec::new();
    while let Some(set) = result.iter() {
        for row in set {
            let row = row.map_err(failure)?;
            if want && rows.len() < MAX_ROWS {
                rows.push(row.unwrap().into_iter().map(from_mysql).collect());
            }
        }
    }
    Ok(rows)
}

/// The DML bracket's view of a connection.
struct ConnRunner<'a>(&'a mut Conn);

impl SqlRunner for ConnRunner<'_> {
    fn exec(&mut self, sql: &str) -> std::result::Result<(), Failure> {
        self.0.query_drop(sql).map_err(failure)
    }
}
