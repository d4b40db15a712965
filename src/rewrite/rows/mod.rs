//! Row events → `select`-mode probes: exact key lookups built from the row images (DESIGN §4).
//!
//! The relay log's rows events carry values by column ordinal only (binlog_row_metadata is off by
//! default), so every event is read through the replica's schema: the table map must match the
//! schema's table in column count and column type families, else the schema is stale and the
//! event is skipped (`SchemaDrift`, see `drift.rs`). UNSIGNED columns decoded as negative
//! integers become their two's complement (`table.rs`). From each row `needs.rs` computes the
//! index entries the applier will read; `batch.rs` groups them per (table, index) into prepared
//! `SELECT … IN (…)` queries with bound parameters that take no locks, so the same probes serve
//! every mode.
//!
//! The builder keeps keys across events (and across transactions, when the caller wants) until
//! [`RowProbeBuilder::flush`]; full batches can be taken earlier with
//! [`RowProbeBuilder::take_ready`]. It does not read relay logs, load schemas or run queries.
//!
//! Skips, all typed: table not in the schema; no clustered key (`NoPrimaryKey`: InnoDB clusters
//! on a hidden row id and the applier scans the table for every row — add a primary key);
//! entries whose values are not in the image (`KeyNotInImage`, binlog_row_image=MINIMAL/NOBLOB);
//! unique-index entries with NULLs (`NoIndexUsablePredicate`: the optimizer does not extend
//! unique keys with the primary key, so it cannot locate one NULL entry).

mod batch;
mod drift;
mod follow;
mod hash;
mod needs;
mod table;

use std::sync::Arc;

use crate::event::{Position, RowsEvent, TableMap};
use crate::plan::{Probe, RowKey, Skip, SkipReason};
use crate::schema::{Schema, Table};

use batch::Batcher;
use follow::FollowBatcher;
use hash::FxHashMap;
use needs::{Gaps, RowNeeds, row_needs};
use table::TableInfo;

/// Batching bounds for row probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowProbeConfig {
    /// Most keys in one probe (one round trip). Each key is one IN-list tuple.
    pub max_keys_per_probe: usize,
    /// Most transactions whose row keys are merged into one probe set (see
    /// [`crate::rewrite::planner::Planner::plan_batch`]); 1 = no cross-transaction merging.
    pub max_txns_per_group: usize,
    /// Most distinct keys waiting in one merged group before it is flushed.
    pub max_keys_per_group: usize,
}

impl Default for RowProbeConfig {
    fn default() -> Self {
        RowProbeConfig {
            max_keys_per_probe: 128,
            max_txns_per_group: 256,
            max_keys_per_group: 8192,
        }
    }
}

/// What one rows event contributes besides probes.
#[derive(Debug, Default)]
pub struct RowsOutcome {
    /// Typed skips (whole event or some of its entries).
    pub skips: Vec<Skip>,
    /// Row keys the applier touches (table keys for rows that cannot be keyed).
    pub applier_keys: Vec<RowKey>,
    /// `(db, table)` whose schema disagrees with the relay log: reload it.
    pub stale: Vec<(String, String)>,
    /// Rows seen.
    pub rows: usize,
}

/// Builds probes from rows events; holds pending keys and per-table facts between events.
pub struct RowProbeBuilder {
    batcher: Batcher,
    /// Statements with a phase 2 whose phase 1 is batched (`follow.rs`).
    follows: FollowBatcher,
    /// Keyed by the address of the schema's `Arc<Table>`; the entry holds that Arc, so the
    /// address cannot be reused by another table while cached.
    tables: FxHashMap<usize, Arc<TableInfo>>,
    maps: FxHashMap<usize, MapEntry>,
    scratch: RowNeeds,
}

/// Table maps cached before the cache is cleared (the decoder bounds its own cache similarly).
const MAX_CACHED_MAPS: usize = 8192;

/// What a table map resolved to.
struct MapEntry {
    /// Held so the address keying this entry stays unique.
    _map: Arc<TableMap>,
    schema_version: u64,
    resolved: Option<Resolved>,
}

/// The schema's table for a map, and why they disagree when they do.
type Resolved = (Arc<Table>, Option<Arc<str>>);

impl RowProbeBuilder {
    /// A builder with the given batching bounds.
    pub fn new(config: RowProbeConfig) -> Self {
        RowProbeBuilder {
            batcher: Batcher::new(config.max_keys_per_probe),
            follows: FollowBatcher::new(config.max_keys_per_probe),
            tables: FxHashMap::default(),
            maps: FxHashMap::default(),
            scratch: RowNeeds::default(),
        }
    }

    /// Change the most keys per probe (see [`crate::rewrite::planner::Planner::set_max_keys_per_probe`]).
    pub fn set_max_keys_per_probe(&mut self, n: usize) {
        self.batcher.set_max_keys(n);
        self.follows.set_max_keys(n);
    }

    /// Remember probed keys across flushes in up to `bytes` of sets (all tables and indexes
    /// together), so a key probed in an earlier batch is not probed again (0: off); `forget`
    /// first drops what was remembered (the buffer pool may have lost those pages). Only right
    /// while the buffer pool keeps every page read (it is filling).
    pub fn set_remember(&mut self, bytes: usize, forget: bool) {
        self.batcher.set_remember(bytes, forget);
    }

    /// Keys skipped since the last call because they were remembered from an earlier batch.
    pub fn take_remembered(&mut self) -> u64 {
        self.batcher.take_remembered()
    }

    /// Distinct keys waiting for a probe.
    pub fn pending_keys(&self) -> usize {
        self.batcher.pending() + self.follows.pending()
    }

    /// Full probes completed so far, each with the position of its first contributing event.
    pub fn take_ready(&mut self) -> Vec<(Position, Probe)> {
        let mut out = self.batcher.take_ready();
        out.append(&mut self.follows.take_ready());
        out
    }

    /// Every pending key as probes; ends the de-duplication window.
    pub fn flush(&mut self) -> Vec<(Position, Probe)> {
        let mut out = self.batcher.flush();
        out.append(&mut self.follows.flush());
        out
    }

    /// Take over the clustered-key lookups of a statement probe (select mode): `tuples` are
    /// primary-key values, in primary-key column order, pinned by the statement's WHERE, and
    /// `row_keys` the statement's row keys (one per tuple). They join the pending keys of the
    /// table's clustered index, so statement-format streams batch across transactions exactly
    /// like rows events. Gives the tuples back, taking nothing, when they do not fit that index
    /// (no primary key, a tuple of another length, row keys not one per tuple).
    pub fn add_clustered_keys(
        &mut self,
        table: &Arc<Table>,
        tuples: Vec<Vec<crate::event::Value>>,
        row_keys: &[RowKey],
        pos: &Position,
    ) -> Result<(), Vec<Vec<crate::event::Value>>> {
        self.add_index_keys(table, "PRIMARY", tuples, row_keys, pos)
    }

    /// Take over a statement's read of secondary index `index` (select mode): `tuples` are
    /// whole entry keys (the index columns, then for a non-unique index the primary-key
    /// columns), one per row key in `row_keys`, e.g. the new entries of an INSERT with literal
    /// values. They join the index's pending keys. Gives the tuples back, taking nothing, when
    /// they do not fit the index's entry layout.
    pub fn add_index_keys(
        &mut self,
        table: &Arc<Table>,
        index: &str,
        tuples: Vec<Vec<crate::event::Value>>,
        row_keys: &[RowKey],
        pos: &Position,
    ) -> Result<(), Vec<Vec<crate::event::Value>>> {
        if tuples.is_empty() || row_keys.len() != tuples.len() || table.primary_key().is_none() {
            return Err(tuples);
        }
        let info = self.table_info(table);
        let at = info
            .indexes
            .iter()
            .position(|ix| ix.name.eq_ignore_ascii_case(index));
        let Some(at) = at.filter(|_| !info.unkeyed) else {
            return Err(tuples);
        };
        let width = info.indexes[at].key_cols.len();
        if tuples.iter().any(|t| t.len() != width) {
            return Err(tuples);
        }
        for (tuple, rk) in tuples.into_iter().zip(row_keys) {
            self.batcher.add(&info, at, tuple, rk, pos);
        }
        Ok(())
    }

    /// Take over a statement probe with a phase 2 (select mode): `tuples` are the primary-key
    /// values its WHERE pins (one per row key in `row_keys`) and `follow` its phase-2 builder.
    /// Its clustered read joins a batched `… WHERE pk IN (…)` of the table and its phase 2 a
    /// batched read per index (see `follow.rs`). Gives the tuples back, taking nothing, when the
    /// builder is not the statement rewriter's or the keys do not fit the primary key.
    pub fn add_follow(
        &mut self,
        table: &Arc<Table>,
        tuples: Vec<Vec<crate::event::Value>>,
        row_keys: &[RowKey],
        follow: &crate::plan::FollowUp,
        pos: &Position,
    ) -> Result<(), Vec<Vec<crate::event::Value>>> {
        let any: Arc<dyn std::any::Any + Send + Sync> = follow.clone();
        let Ok(bound) = any.downcast::<crate::rewrite::followup::Bound>() else {
            return Err(tuples);
        };
        if tuples.is_empty()
            || row_keys.len() != tuples.len()
            || table.primary_key().is_none()
            || !Arc::ptr_eq(&bound.spec.table, table)
                && bound.spec.table.qualified_name() != table.qualified_name()
            || bound.spec.layout.iter().any(|&c| c >= table.columns.len())
        {
            return Err(tuples);
        }
        let info = self.table_info(table);
        let fits = info.indexes.first().is_some_and(|ix| {
            !info.unkeyed
                && ix.name == "PRIMARY"
                && tuples.iter().all(|t| {
                    t.len() == ix.key_cols.len() && !t.contains(&crate::event::Value::Null)
                })
        });
        if !fits || row_keys.iter().any(RowKey::is_table) {
            return Err(tuples);
        }
        for (tuple, rk) in tuples.into_iter().zip(row_keys) {
            self.follows.add(&info, tuple, rk, bound.clone(), pos);
        }
        Ok(())
    }

    /// Turn one rows event at `pos` into pending keys, recording skips and applier keys in `out`.
    pub fn add_event(
        &mut self,
        ev: &RowsEvent,
        pos: &Position,
        schema: &Schema,
        out: &mut RowsOutcome,
    ) {
        out.rows += ev.row_count();
        let map = &ev.table;
        let Some((table, drift)) = self.resolve(map, schema) else {
            out.applier_keys.push(coarse_key(&map.db, &map.table));
            out.skips.push(skip(
                SkipReason::UnknownTable,
                format!("table {}.{} not in schema", map.db, map.table),
            ));
            return;
        };
        if let Some(why) = drift {
            out.applier_keys
                .push(crate::rewrite::rowkey::table_key(&table));
            out.stale.push((table.db.clone(), table.name.clone()));
            out.skips.push(skip(
                SkipReason::SchemaDrift,
                format!("{}: {why}: schema is stale", table.qualified_name()),
            ));
            return;
        }
        let info = self.table_info(&table);
        if info.unkeyed {
            out.applier_keys.push(info.encoder.table_key());
            out.skips.push(skip(
                SkipReason::NoPrimaryKey,
                format!(
                    "{}: {} rows in a table without a primary key (the applier scans it; add a primary key)",
                    info.name,
                    ev.row_count()
                ),
            ));
            return;
        }
        self.add_rows(&info, ev, pos, out);
    }

    fn add_rows(
        &mut self,
        info: &Arc<TableInfo>,
        ev: &RowsEvent,
        pos: &Position,
        out: &mut RowsOutcome,
    ) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.gaps = Gaps::default();
        let mut any = false;
        for i in 0..ev.row_count() {
            row_needs(
                info,
                ev.kind,
                ev.before.get(i),
                ev.after.get(i),
                &mut scratch,
            );
            any |= !scratch.needs.is_empty();
            for need in scratch.needs.drain(..) {
                let rk = &scratch.applier[need.row];
                self.batcher.add(info, need.index, need.tuple, rk, pos);
            }
            out.applier_keys.append(&mut scratch.applier);
        }
        gap_skips(info, &scratch.gaps, out);
        if !any && scratch.gaps.is_empty() && ev.row_count() > 0 {
            out.skips.push(skip(
                SkipReason::NothingToPrefetch,
                format!(
                    "{}: inserts at the auto-increment right edge only",
                    info.name
                ),
            ));
        }
        self.scratch = scratch;
    }

    /// The schema's table for a table map. The decoder shares one `Arc<TableMap>` per table
    /// while its map is unchanged, so the answer is cached by that address (the entry holds
    /// the Arc, so the address is not reused) and the schema's version; this keeps the
    /// per-event cost free of name lower-casing and string hashing.
    /// Also whether the map has drifted from the schema's table (see `drift.rs`).
    fn resolve(&mut self, map: &Arc<TableMap>, schema: &Schema) -> Option<Resolved> {
        let key = Arc::as_ptr(map) as usize;
        if let Some(m) = self.maps.get(&key)
            && m.schema_version == schema.version()
        {
            return m.resolved.clone();
        }
        if self.maps.len() >= MAX_CACHED_MAPS {
            self.maps.clear();
        }
        let resolved = schema.get(&map.db, &map.table).map(|t| {
            let why = drift::drift(map, t).map(Arc::from);
            (t.clone(), why)
        });
        self.maps.insert(
            key,
            MapEntry {
                _map: map.clone(),
                schema_version: schema.version(),
                resolved: resolved.clone(),
            },
        );
        resolved
    }

    fn table_info(&mut self, table: &Arc<Table>) -> Arc<TableInfo> {
        let key = Arc::as_ptr(table) as usize;
        if let Some(info) = self.tables.get(&key)
            && Arc::ptr_eq(&info.table, table)
            && info.table.version == table.version
        {
            return info.clone();
        }
        let info = Arc::new(TableInfo::new(table.clone()));
        self.tables.insert(key, info.clone());
        info
    }
}

/// Which columns of `table` the builder reads: every column of the clustered key and of every
/// probed secondary index. The event decoder can skip the others (`event::ColumnSelector`),
/// which is most of a wide row's decode cost.
pub fn needed_columns(table: &Arc<Table>) -> Vec<bool> {
    let info = TableInfo::new(table.clone());
    let mut need = vec![false; table.columns.len()];
    for ix in &info.indexes {
        for &(c, _) in &ix.key_cols {
            if let Some(n) = need.get_mut(c) {
                *n = true;
            }
        }
    }
    need
}

/// A column selector for the event decoder over a fixed schema: decode the columns
/// [`needed_columns`] names; nothing for tables the builder will skip anyway (not in the schema,
/// column count differs, no clustered key).
pub fn column_selector(schema: Arc<Schema>) -> crate::event::ColumnSelector {
    Arc::new(move |map: &crate::event::TableMap| {
        let skip_all = Some(vec![false; map.columns.len()]);
        match schema.get(&map.db, &map.table) {
            Some(t) if t.columns.len() == map.columns.len() => Some(needed_columns(t)),
            _ => skip_all,
        }
    })
}

fn skip(reason: SkipReason, detail: String) -> Skip {
    Skip { reason, detail }
}

/// The coarse key of a table the schema does not know.
fn coarse_key(db: &str, table: &str) -> RowKey {
    RowKey {
        table: Arc::from(format!("{db}.{table}").to_ascii_lowercase()),
        pk: None,
    }
}

/// One skip per (reason, index) with its count.
fn gap_skips(info: &TableInfo, gaps: &Gaps, out: &mut RowsOutcome) {
    if gaps.unkeyed_rows > 0 {
        out.applier_keys.push(info.encoder.table_key());
        out.skips.push(skip(
            SkipReason::KeyNotInImage,
            format!(
                "{}: {} rows without their key in the row image (binlog_row_image?)",
                info.name, gaps.unkeyed_rows
            ),
        ));
    }
    for &(i, n) in &gaps.not_in_image {
        out.skips.push(skip(
            SkipReason::KeyNotInImage,
            format!(
                "{}: {n} entries of index {} not in the row image (binlog_row_image=MINIMAL/NOBLOB)",
                info.name, info.indexes[i].name
            ),
        ));
    }
    for &(i, n) in &gaps.unique_null {
        out.skips.push(skip(
            SkipReason::NoIndexUsablePredicate,
            format!(
                "{}: {n} entries of unique index {} contain NULL (the optimizer cannot locate one NULL entry)",
                info.name, info.indexes[i].name
            ),
        ));
    }
}
