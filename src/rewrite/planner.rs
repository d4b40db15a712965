//! Transactions → [`Plan`]s: the rewrite stage's entry point for the daemon and `inspect --plan`.
//!
//! Statement events go to a [`StatementPlanner`] (the statement rewriter) with the event's default
//! database; rows events go to the [`RowProbeBuilder`]. Row events become plain key-lookup
//! SELECTs in **every** mode: a rows event cannot be turned back into the DML text the locking
//! modes replay, and a plain consistent read takes no row locks, so it can never hold a lock the
//! applier needs.
//!
//! Cross-transaction batching: [`Planner::plan_batch`] merges the row keys of up to
//! `max_txns_per_group` consecutive transactions (or `max_keys_per_group` keys) into one probe
//! set attached to the plan of the newest transaction that contributed a key, so one round trip
//! covers many transactions. The scheduler judges a probe by its transaction: attached to the
//! newest, a merged probe is dropped as too late only when the applier is about to apply the
//! last transaction it serves (attached to the oldest, a group whose first transaction sits next
//! to the applier would lose every key, and a stopped applier would leave the window full of
//! dropped work). Plans are submitted together, so this costs no delay. A transaction with DDL
//! ends the batch, so the caller can reload the schema before planning further. In select mode a
//! statement probe that only reads clustered rows by pinned primary-key values joins the same
//! batches (`merge_statement_probe`), so statement-format streams batch like row-format ones.
//!
//! This module owns no SQL parsing and no key logic of its own; it only routes events and
//! assembles plans.

use crate::event::{EventBody, Position, Statement, Transaction};
use crate::plan::{Mode, Plan, Probe, ProbeSql, RowKey, Session, Skip};
use crate::rewrite::rows::{RowProbeBuilder, RowProbeConfig, RowsOutcome};
use crate::rewrite::{StatementRewriter, ddl_tables};
use crate::schema::Schema;

/// What the statement rewriter produces for one statement, in the planner's terms.
#[derive(Debug, Default)]
pub struct StatementPlan {
    /// Probes for the statement.
    pub probes: Vec<Probe>,
    /// Why nothing was produced, when nothing was.
    pub skip: Option<Skip>,
    /// Row keys the applier touches (table keys when rows are not known).
    pub applier_keys: Vec<RowKey>,
    /// `(db, table)` whose definition the statement changes (DDL).
    pub ddl_tables: Vec<(String, String)>,
}

/// The statement half of planning (implemented by the statement rewriter).
pub trait StatementPlanner: Send {
    /// Plan one statement event.
    fn plan_statement(&mut self, statement: &Statement, schema: &Schema) -> StatementPlan;
}

impl StatementPlanner for StatementRewriter {
    fn plan_statement(&mut self, st: &Statement, schema: &Schema) -> StatementPlan {
        let r = self.rewrite(&st.sql, st.db.as_deref(), schema);
        // Only skipped statements can be DDL; name what they change so the caller reloads it.
        let ddl_tables = match &r.skip {
            Some(_) => ddl_tables(&st.sql, st.db.as_deref()).unwrap_or_default(),
            None => Vec::new(),
        };
        StatementPlan {
            probes: r.probes,
            skip: r.skip,
            applier_keys: r.applier_keys,
            ddl_tables,
        }
    }
}

/// A plan with the relay position each probe was derived from (`probes[i]` ↔ `positions[i]`;
/// for a batched probe, the first event that contributed a key).
#[derive(Debug, Clone)]
pub struct DetailedPlan {
    /// The plan.
    pub plan: Plan,
    /// Source event position per probe.
    pub positions: Vec<Position>,
}

/// Turns transactions into plans; keeps per-table caches between calls.
pub struct Planner {
    mode: Mode,
    config: RowProbeConfig,
    statements: Box<dyn StatementPlanner>,
    rows: RowProbeBuilder,
}

impl Planner {
    /// A planner for `mode` using the project's [`StatementRewriter`].
    pub fn new(mode: Mode, config: RowProbeConfig) -> Self {
        Self::with_statements(mode, config, Box::new(StatementRewriter::new(mode)))
    }

    /// A planner for `mode` with the given statement rewriter and row batching bounds.
    pub fn with_statements(
        mode: Mode,
        config: RowProbeConfig,
        statements: Box<dyn StatementPlanner>,
    ) -> Self {
        Planner {
            mode,
            config,
            statements,
            rows: RowProbeBuilder::new(config),
        }
    }

    /// Change the most keys per row probe (from the next probe cut on; probes being filled
    /// may still reach the old size once).
    pub fn set_max_keys_per_probe(&mut self, n: usize) {
        self.config.max_keys_per_probe = n.max(1);
        self.rows.set_max_keys_per_probe(n);
    }

    /// Remember probed row keys across batches (see `RowProbeBuilder::set_remember`).
    pub fn set_remember(&mut self, bytes: usize, forget: bool) {
        self.rows.set_remember(bytes, forget);
    }

    /// Row keys skipped since the last call because an earlier batch probed them.
    pub fn take_remembered(&mut self) -> u64 {
        self.rows.take_remembered()
    }

    /// The mode statements are rewritten for.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Plan one transaction; its row keys are batched within the transaction only.
    pub fn plan(&mut self, txn: &Transaction, schema: &Schema) -> Plan {
        self.plan_detailed(txn, schema).plan
    }

    /// [`Planner::plan`] with each probe's source position.
    pub fn plan_detailed(&mut self, txn: &Transaction, schema: &Schema) -> DetailedPlan {
        let mut d = self.plan_events(txn, schema);
        append(&mut d, self.rows.flush());
        d
    }

    /// Plan consecutive transactions, merging row keys across them (see the module doc).
    /// Returns plans for a prefix of `txns`: it stops after the first transaction with
    /// [`Plan::ddl_tables`], so the caller can reload those tables before planning the rest.
    pub fn plan_batch(&mut self, txns: &[Transaction], schema: &Schema) -> Vec<Plan> {
        self.plan_batch_detailed(txns, schema)
            .into_iter()
            .map(|d| d.plan)
            .collect()
    }

    /// [`Planner::plan_batch`] with each probe's source position.
    pub fn plan_batch_detailed(
        &mut self,
        txns: &[Transaction],
        schema: &Schema,
    ) -> Vec<DetailedPlan> {
        let mut out: Vec<DetailedPlan> = Vec::with_capacity(txns.len());
        let mut group_head = 0;
        // The newest plan whose transaction had row events: merged probes go there (a DDL
        // transaction that ends the group must not receive the keys of the ones before it).
        let mut keyed = 0;
        for txn in txns {
            let d = self.plan_events(txn, schema);
            let ddl = !d.plan.ddl_tables.is_empty();
            let batched = d.plan.batched;
            out.push(d);
            if batched {
                keyed = out.len() - 1;
            }
            let ready = self.rows.take_ready();
            append(&mut out[keyed], ready);
            let group_len = out.len() - group_head;
            if ddl
                || group_len >= self.config.max_txns_per_group
                || self.rows.pending_keys() >= self.config.max_keys_per_group
            {
                let flushed = self.rows.flush();
                append(&mut out[keyed], flushed);
                group_head = out.len();
            }
            if ddl {
                break;
            }
        }
        if !out.is_empty() {
            let flushed = self.rows.flush();
            append(&mut out[keyed], flushed);
        }
        out
    }

    /// Statements planned, row keys left pending in the builder ([`Plan::batched`] when the
    /// transaction gave it any: rows events, or statement probes it took over).
    fn plan_events(&mut self, txn: &Transaction, schema: &Schema) -> DetailedPlan {
        let mut plan = Plan {
            seq: txn.seq,
            start: txn.start.clone(),
            end: txn.end.clone(),
            session: Session::default(),
            probes: Vec::new(),
            applier_keys: Vec::new(),
            skips: Vec::new(),
            ddl_tables: Vec::new(),
            batched: false,
        };
        let mut positions = Vec::new();
        let mut rows_out = RowsOutcome::default();
        let mut have_session = false;
        for ev in &txn.events {
            match &ev.body {
                EventBody::Query(st) if is_transaction_control(&st.sql) => {}
                EventBody::Query(st) => {
                    if !have_session {
                        plan.session = session_of(st);
                        have_session = true;
                    }
                    let sp = self.statements.plan_statement(st, schema);
                    for probe in sp.probes {
                        match self.merge_statement_probe(probe, &ev.pos, schema) {
                            None => plan.batched = true,
                            Some(own) => {
                                positions.push(ev.pos.clone());
                                plan.probes.push(own);
                            }
                        }
                    }
                    plan.skips.extend(sp.skip);
                    plan.applier_keys.extend(sp.applier_keys);
                    plan.ddl_tables.extend(sp.ddl_tables);
                }
                EventBody::Rows(rows) => {
                    self.rows.add_event(rows, &ev.pos, schema, &mut rows_out);
                    plan.batched = true;
                }
                _ => {}
            }
        }
        plan.skips.append(&mut rows_out.skips);
        plan.applier_keys.append(&mut rows_out.applier_keys);
        for t in rows_out.stale {
            if !plan.ddl_tables.contains(&t) {
                plan.ddl_tables.push(t);
            }
        }
        DetailedPlan { plan, positions }
    }

    /// Select mode: a statement probe that reads clustered rows by pinned primary-key values
    /// (`UPDATE … WHERE id = 5`, `DELETE … WHERE id IN (…)`) is handed to the row builder,
    /// whose batched IN-list probe reads the same leaf pages; with a phase 2 (`SET k = k + 1`,
    /// a DELETE from a table with secondary indexes) the phase-2 reads are batched too, and an
    /// INSERT's reads of the entries its literal values create join the index's batch. So a
    /// statement-format stream costs a few round trips per hundred transactions instead of one
    /// or two per statement. Anything else keeps its own probe.
    /// Returns the probe when it keeps its own round trip.
    fn merge_statement_probe(
        &mut self,
        mut probe: Probe,
        pos: &Position,
        schema: &Schema,
    ) -> Option<Probe> {
        if self.mode != Mode::Select
            || probe.phase != 1
            || probe.keys.is_empty()
            || !matches!(probe.sql, ProbeSql::Text(_))
        {
            return Some(probe);
        }
        let Some(table) = schema.get_qualified(&probe.table) else {
            return Some(probe);
        };
        let keys = std::mem::take(&mut probe.keys);
        let clustered = probe.index.is_empty() || probe.index == "PRIMARY";
        let taken = match &probe.follow_up {
            Some(f) if clustered => self.rows.add_follow(table, keys, &probe.row_keys, f, pos),
            Some(_) => Err(keys),
            None if clustered => self
                .rows
                .add_clustered_keys(table, keys, &probe.row_keys, pos),
            None => self
                .rows
                .add_index_keys(table, &probe.index, keys, &probe.row_keys, pos),
        };
        match taken {
            Ok(()) => None,
            Err(keys) => {
                probe.keys = keys;
                Some(probe)
            }
        }
    }
}

fn append(d: &mut DetailedPlan, probes: Vec<(Position, Probe)>) {
    for (pos, probe) in probes {
        d.positions.push(pos);
        d.plan.probes.push(probe);
    }
}

/// BEGIN / COMMIT / ROLLBACK / XA …: the grouper's business, nothing to plan or count.
fn is_transaction_control(sql: &str) -> bool {
    let w = sql.trim_start();
    let word = w
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    ["BEGIN", "COMMIT", "ROLLBACK", "XA"]
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k))
}

fn session_of(st: &Statement) -> Session {
    Session {
        db: st.db.clone(),
        sql_mode: st.context.sql_mode,
        charset: st.context.charset,
    }
}
