//! Worker connections to the replica: per-mode session set-up, running one probe, classifying its
//! outcome, reconnecting with back-off. The [`Executor`] trait is the seam the scheduler drives:
//! [`MysqlExecutor`] is the real one, [`DryRunExecutor`] logs instead, and tests plug in fakes.
//! Deciding *which* probe runs *when* is the scheduler's job, not this module's.

mod dml;
mod outcome;
mod priority;
mod session;
mod values;
mod worker;

pub use dml::{END as DML_END, Failure, SqlRunner, check_dml, run_rolled_back};
pub use outcome::Outcome;
pub use priority::{DEFAULT_PROBE_NICE, ProbePriority};
pub use session::{SessionChange, SessionState, SetupStmt, setup_statements, sql_mode_text};
pub use worker::{ExecOptions, MysqlExecutor};

use crate::event::Value;
use crate::plan::{Probe, ProbeSql, Session};

/// One probe to run, as the scheduler hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The transaction the probe belongs to.
    pub seq: u64,
    /// The probe.
    pub probe: &'a Probe,
    /// Session context of its transaction.
    pub session: &'a Session,
    /// Collect result rows (the probe has a phase-2 follow-up).
    pub want_rows: bool,
    /// The applier's transaction sequence number when the scheduler dispatched the job (every
    /// transaction before it is applied).
    pub applier_seq: u64,
}

/// What running a probe produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    /// How it ended.
    pub outcome: Outcome,
    /// Result rows when asked for (`Job::want_rows`) and the probe succeeded.
    pub rows: Vec<Vec<Value>>,
}

impl ProbeResult {
    /// A result without rows.
    pub fn of(outcome: Outcome) -> ProbeResult {
        ProbeResult {
            outcome,
            rows: Vec::new(),
        }
    }
}

/// Runs probes on one connection. One executor per worker thread; never shared.
pub trait Executor: Send {
    /// Run one probe. Must not panic on server errors: classify them.
    fn run(&mut self, job: &Job<'_>) -> ProbeResult;
}

/// `--dry-run`: logs each probe it would run and runs nothing.
#[derive(Debug, Default)]
pub struct DryRunExecutor;

impl Executor for DryRunExecutor {
    fn run(&mut self, job: &Job<'_>) -> ProbeResult {
        let sql = match &job.probe.sql {
            ProbeSql::Text(s) => s.clone(),
            ProbeSql::Prepared { sql, params } => format!("{sql} -- params {params:?}"),
            ProbeSql::Dml(v) => format!("BEGIN; {}; ROLLBACK", v.join("; ")),
        };
        tracing::info!(seq = job.seq, table = %job.probe.table, index = %job.probe.index, %sql, "dry-run: would run");
        ProbeResult::of(Outcome::DryRun)
    }
}
