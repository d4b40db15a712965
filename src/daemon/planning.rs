//! The planning stage of the daemon: transactions → plans, with the schema kept in step with the
//! DDL in the stream. Wraps the rewrite stage ([`Planner`] with the statement rewriter) so that
//! * a panic inside planning (unexpected input reaching the parser) costs one batch, is logged
//!   once and counted, and never the daemon;
//! * DDL seen ahead of the applier makes its tables unknown (probes on them are skipped) until the
//!   applier has applied it; only then are they reloaded from the server — reloading earlier
//!   would read the *old* definition;
//! * locking modes never get a DML probe on a non-InnoDB table.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Result;
use crate::event::{ColumnSelector, Statement, Transaction};
use crate::metrics::Metrics;
use crate::plan::{Mode, Plan, ProbeSql, SkipReason};
use crate::replica::{ConnSpec, Flavor, RelayCoord};
use crate::rewrite::planner::{Planner, StatementPlan, StatementPlanner};
use crate::rewrite::rows::{RowProbeConfig, column_selector};
use crate::rewrite::{StatementRewriter, ddl_tables};
use crate::schema::Schema;

use super::logonce::LogOnce;

/// Where table definitions come from.
#[derive(Debug, Clone)]
pub enum SchemaSource {
    /// The replica's information_schema.
    Server(ConnSpec),
    /// A file of CREATE TABLE statements (tables changed by DDL stay unknown afterwards).
    File(PathBuf),
}

impl SchemaSource {
    fn load(&self, dbs: &[String]) -> Result<Schema> {
        match self {
            SchemaSource::Server(spec) => {
                let mut conn = spec.connect(Some(Duration::from_secs(30)), 0)?;
                crate::schema::load_with(&mut conn, dbs)
            }
            SchemaSource::File(p) => crate::schema::load_from_file(p),
        }
    }
}

/// The statement half of planning: the rewriter plus DDL detection.
struct Statements(StatementRewriter);

impl StatementPlanner for Statements {
    fn plan_statement(&mut self, st: &Statement, schema: &Schema) -> StatementPlan {
        let r = self.0.rewrite(&st.sql, st.db.as_deref(), schema);
        StatementPlan {
            probes: r.probes,
            skip: r.skip,
            applier_keys: r.applier_keys,
            ddl_tables: ddl_tables(&st.sql, st.db.as_deref()).unwrap_or_default(),
        }
    }
}

/// Transactions → plans, schema in step with DDL.
pub struct PlanStage {
    mode: Mode,
    flavor: Flavor,
    rows: RowProbeConfig,
    planner: Planner,
    schema: Arc<Schema>,
    source: SchemaSource,
    /// DDL read but not yet applied: (transaction end, db, table; "" = whole db).
    pending_ddl: Vec<(RelayCoord, String, String)>,
    /// Bytes of probed row keys remembered across batches (0: off); kept across planner
    /// rebuilds.
    remember_bytes: usize,
    log: LogOnce,
}

impl PlanStage {
    /// Load the schema and build the planner.
    pub fn new(
        mode: Mode,
        flavor: Flavor,
        source: SchemaSource,
        rows: RowProbeConfig,
    ) -> Result<PlanStage> {
        let schema = Arc::new(source.load(&[])?);
        tracing::info!(tables = schema.tables().count(), "schema loaded");
        Ok(PlanStage {
            planner: new_planner(mode, &flavor, rows),
            rows,
            mode,
            flavor,
            schema,
            source,
            pending_ddl: Vec::new(),
            remember_bytes: 0,
            log: LogOnce::default(),
        })
    }

    /// Decoder column selector for the current schema (select mode decodes key columns only;
    /// the locking modes need whole rows).
    pub fn selector(&self) -> Option<ColumnSelector> {
        (self.mode == Mode::Select).then(|| column_selector(self.schema.clone()))
    }

    /// The current definition of the table a probe names ("db.tbl").
    pub fn table(&self, qualified: &str) -> Option<Arc<crate::schema::Table>> {
        self.schema.get_qualified(qualified).cloned()
    }

    /// Change the most keys per row probe; kept across planner rebuilds.
    pub fn set_probe_keys(&mut self, n: usize) {
        self.rows.max_keys_per_probe = n;
        self.planner.set_max_keys_per_probe(n);
    }

    /// Follow the remembering policy (`super::remember`): how many bytes of probed row keys to
    /// keep across batches, and whether to drop those kept so far.
    pub fn set_remember(&mut self, r: super::remember::Remember) {
        self.remember_bytes = r.bytes;
        self.planner.set_remember(r.bytes, r.forget);
    }

    /// Plan consecutive transactions (row keys merged across them). Never panics.
    pub fn plan(&mut self, txns: &[Transaction], metrics: &Metrics) -> Vec<Plan> {
        let mut out = Vec::with_capacity(txns.len());
        let mut rest = txns;
        while !rest.is_empty() {
            let schema = self.schema.clone();
            let planned = catch_unwind(AssertUnwindSafe(|| self.planner.plan_batch(rest, &schema)));
            let plans = match planned {
                Ok(p) if !p.is_empty() => p,
                Ok(_) => break,
                Err(_) => {
                    if self.log.first("planner-panic") {
                        tracing::error!(
                            seq = rest[0].seq,
                            "planning panicked; batch skipped (logged once)"
                        );
                    }
                    metrics.bad_input.add(rest.len() as u64);
                    self.planner = new_planner(self.mode, &self.flavor, self.rows);
                    self.planner.set_remember(self.remember_bytes, false);
                    break;
                }
            };
            rest = &rest[plans.len()..];
            metrics.keys_remembered.add(self.planner.take_remembered());
            for mut plan in plans {
                self.note_ddl(&plan);
                self.filter_locking(&mut plan);
                for s in &plan.skips {
                    metrics.skipped(s.reason).inc();
                }
                out.push(plan);
            }
        }
        out
    }

    /// DDL in `plan`: forget its tables now; reload once the applier has applied it.
    fn note_ddl(&mut self, plan: &Plan) {
        if plan.ddl_tables.is_empty() {
            return;
        }
        let Some(end) = RelayCoord::new(&plan.end.file, plan.end.offset) else {
            return;
        };
        let schema = Arc::make_mut(&mut self.schema);
        for (db, table) in &plan.ddl_tables {
            if table.is_empty() {
                schema.invalidate_db(db);
            } else {
                schema.invalidate(db, table);
            }
            tracing::info!(
                seq = plan.seq,
                db,
                table,
                "DDL ahead of the applier: table unknown until applied"
            );
            self.pending_ddl.push((end, db.clone(), table.clone()));
        }
    }

    /// Reload tables whose DDL the applier has passed. Returns true when the schema changed
    /// (the caller refreshes the decoder's column selector).
    pub fn after_applier(&mut self, passed: impl Fn(RelayCoord) -> bool) -> bool {
        let (done, keep): (Vec<_>, Vec<_>) =
            self.pending_ddl.drain(..).partition(|(e, _, _)| passed(*e));
        self.pending_ddl = keep;
        if done.is_empty() {
            return false;
        }
        if let SchemaSource::File(_) = self.source {
            return false;
        }
        let mut dbs: Vec<String> = done.iter().map(|(_, d, _)| d.clone()).collect();
        dbs.dedup();
        match self.source.load(&dbs) {
            Ok(fresh) => {
                let schema = Arc::make_mut(&mut self.schema);
                for (_, db, table) in &done {
                    for t in fresh.tables() {
                        let same_db = t.db.eq_ignore_ascii_case(db);
                        if same_db && (table.is_empty() || t.name.eq_ignore_ascii_case(table)) {
                            schema.insert((**t).clone());
                        }
                    }
                }
                tracing::info!(tables = done.len(), "reloaded tables after applied DDL");
                true
            }
            Err(e) => {
                if self.log.first("schema-reload") {
                    tracing::warn!(error = %e, "reloading tables after DDL failed; they stay unknown (logged once)");
                }
                false
            }
        }
    }

    /// Locking modes: drop DML probes on tables that are not InnoDB (they would write for real
    /// under fake changes, and cannot be rolled back).
    fn filter_locking(&self, plan: &mut Plan) {
        if !self.mode.takes_locks() {
            return;
        }
        let schema = &self.schema;
        let mut dropped = Vec::new();
        plan.probes.retain(|p| {
            let innodb = schema
                .get_qualified(&p.table)
                .is_some_and(|t| t.is_innodb());
            let keep = !matches!(p.sql, ProbeSql::Dml(_)) || innodb;
            if !keep {
                dropped.push(p.table.clone());
            }
            keep
        });
        for t in dropped {
            plan.skips.push(crate::plan::Skip {
                reason: SkipReason::NonTransactional,
                detail: format!("{t} is not InnoDB: refused in {} mode", self.mode.as_str()),
            });
        }
    }
}

fn new_planner(mode: Mode, flavor: &Flavor, rows: RowProbeConfig) -> Planner {
    let (a, b, c) = flavor.version;
    let n = a * 10000 + b * 100 + c;
    let lex = if flavor.is_mariadb() {
        crate::rewrite::Flavor::MariaDb(n)
    } else {
        crate::rewrite::Flavor::MySql(n)
    };
    let statements = Statements(StatementRewriter::new(mode).with_flavor(lex));
    Planner::with_statements(mode, rows, Box::new(statements))
}
