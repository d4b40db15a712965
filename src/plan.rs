//! The seam between the rewrite stage and the scheduler/executor: a [`Plan`] of [`Probe`]s per
//! transaction, each carrying its row keys for the conflict map. Both statement rewriting and
//! row-event probe building produce these; `schedule/` and `exec/` consume them. No sqlparser or
//! mysql type appears here.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::event::{Position, Value};

/// How prefetch work is expressed and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Plain, index-touching SELECTs in a read-only session (default; every server).
    #[default]
    Select,
    /// The original DML under Percona Server's innodb_fake_changes=1, always rolled back.
    FakeChanges,
    /// The original DML in a transaction that is always rolled back (InnoDB only).
    Rollback,
}

impl Mode {
    /// The CLI/JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Select => "select",
            Mode::FakeChanges => "fake-changes",
            Mode::Rollback => "rollback",
        }
    }

    /// Whether probes in this mode take row locks (and so must keep away from the applier's keys).
    pub fn takes_locks(self) -> bool {
        !matches!(self, Mode::Select)
    }
}

/// A key for the conflict map: a table plus primary-key bytes, or the whole table when the rows a
/// statement touches are not known. Key bytes are a canonical encoding of the PK values (strings
/// folded the way their collation compares them, so collation-equal keys collide on purpose).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey {
    /// "db.tbl", lower case.
    pub table: Arc<str>,
    /// Canonical PK encoding; `None` = the whole table (coarse key).
    pub pk: Option<Box<[u8]>>,
}

impl RowKey {
    /// True when this is a coarse, whole-table key.
    pub fn is_table(&self) -> bool {
        self.pk.is_none()
    }

    /// Whether two keys may refer to the same row (a table key overlaps every row of its table).
    pub fn overlaps(&self, other: &RowKey) -> bool {
        self.table == other.table
            && (self.pk.is_none() || other.pk.is_none() || self.pk == other.pk)
    }
}

/// Why a statement or rows event produced no probe. Every skip is typed and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// CREATE/ALTER/DROP/RENAME/TRUNCATE ...
    Ddl,
    /// No predicate an index can serve: the prefetch would be a full scan.
    NoIndexUsablePredicate,
    /// SLEEP, GET_LOCK, NEXTVAL, RAND(), user-variable assignment, LOAD_FILE, ...
    NonDeterministic,
    /// A temporary table (exists only in the applier's session).
    TemporaryTable,
    /// LOAD DATA.
    LoadData,
    /// Table not in the schema.
    UnknownTable,
    /// SQL the parser cannot read, or syntax we do not rewrite.
    Unparsable,
    /// Not a data change: SET, BEGIN/COMMIT, SHOW, GRANT, CALL, a plain SELECT, ...
    NotDml,
    /// A non-transactional table in a locking mode.
    NonTransactional,
    /// Row image without the key columns (MINIMAL/NOBLOB image that cannot be keyed).
    KeyNotInImage,
    /// Table without a primary key: the applier scans it; add a primary key to fix.
    NoPrimaryKey,
    /// Only hot pages would be touched (auto-increment right edge) – nothing to gain.
    NothingToPrefetch,
    /// The generated query failed the safety guard.
    UnsafeOutput,
    /// Statement too large or too deeply nested to handle safely.
    TooLarge,
    /// The relay log's table map disagrees with the loaded schema (column count): the schema is
    /// stale (DDL not yet seen, or a different replica). Reload the table.
    SchemaDrift,
}

impl SkipReason {
    /// Stable snake_case name for logs, JSON and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Ddl => "ddl",
            SkipReason::NoIndexUsablePredicate => "no_index_usable_predicate",
            SkipReason::NonDeterministic => "non_deterministic",
            SkipReason::TemporaryTable => "temporary_table",
            SkipReason::LoadData => "load_data",
            SkipReason::UnknownTable => "unknown_table",
            SkipReason::Unparsable => "unparsable",
            SkipReason::NotDml => "not_dml",
            SkipReason::NonTransactional => "non_transactional",
            SkipReason::KeyNotInImage => "key_not_in_image",
            SkipReason::NoPrimaryKey => "no_primary_key",
            SkipReason::NothingToPrefetch => "nothing_to_prefetch",
            SkipReason::UnsafeOutput => "unsafe_output",
            SkipReason::TooLarge => "too_large",
            SkipReason::SchemaDrift => "schema_drift",
        }
    }

    /// Every reason, for metrics registration.
    pub const ALL: &'static [SkipReason] = &[
        SkipReason::Ddl,
        SkipReason::NoIndexUsablePredicate,
        SkipReason::NonDeterministic,
        SkipReason::TemporaryTable,
        SkipReason::LoadData,
        SkipReason::UnknownTable,
        SkipReason::Unparsable,
        SkipReason::NotDml,
        SkipReason::NonTransactional,
        SkipReason::KeyNotInImage,
        SkipReason::NoPrimaryKey,
        SkipReason::NothingToPrefetch,
        SkipReason::UnsafeOutput,
        SkipReason::TooLarge,
        SkipReason::SchemaDrift,
    ];
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A skip with its reason and a short human detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// Typed reason.
    pub reason: SkipReason,
    /// Human detail ("table sbtest.t9 not in schema").
    pub detail: String,
}

/// Builds phase-2 probes from the rows a phase-1 probe returned (e.g. the new secondary-index entry
/// of `k = k + 1` computed from the old `k`). Opaque to the scheduler, which only calls
/// [`PhaseTwo::probes`]; the rewrite stage may look inside its own implementations (through
/// `Any`) to merge the follow-ups of many statements into one batched probe.
pub trait PhaseTwo: Any + Send + Sync {
    /// The phase-2 probes for the rows phase 1 returned.
    fn probes(&self, rows: &[Vec<Value>]) -> Vec<Probe>;
}

impl<F> PhaseTwo for F
where
    F: Fn(&[Vec<Value>]) -> Vec<Probe> + Send + Sync + 'static,
{
    fn probes(&self, rows: &[Vec<Value>]) -> Vec<Probe> {
        self(rows)
    }
}

/// A shared phase-2 builder.
pub type FollowUp = Arc<dyn PhaseTwo>;

/// What a probe runs.
#[derive(Clone)]
pub enum ProbeSql {
    /// A read-only SELECT, as text, runnable as is (select mode, statement rewrites).
    Text(String),
    /// A read-only SELECT with `?` placeholders and its bound parameters (binary protocol;
    /// values never spliced into SQL text). The text is reused as the prepared-statement cache key.
    Prepared {
        /// SELECT with `?` placeholders.
        sql: Arc<str>,
        /// Parameters in placeholder order.
        params: Vec<Value>,
    },
    /// Locking modes: the original DML statements, run inside a transaction that the executor
    /// always rolls back (with innodb_fake_changes=1 in fake-changes mode).
    Dml(Vec<String>),
}

impl fmt::Debug for ProbeSql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeSql::Text(s) => f.debug_tuple("Text").field(s).finish(),
            ProbeSql::Prepared { sql, params } => f
                .debug_struct("Prepared")
                .field("sql", sql)
                .field("params", params)
                .finish(),
            ProbeSql::Dml(s) => f.debug_tuple("Dml").field(s).finish(),
        }
    }
}

/// One unit of prefetch work.
#[derive(Clone)]
pub struct Probe {
    /// "db.tbl".
    pub table: String,
    /// The index it reads: "PRIMARY", a secondary index name, or "" when the server picks.
    pub index: String,
    /// 1 = runnable now; 2 = derived from phase-1 results.
    pub phase: u8,
    /// What to run.
    pub sql: ProbeSql,
    /// The key tuples this probe reads (for `inspect --plan`, metrics and tests).
    pub keys: Vec<Vec<Value>>,
    /// Row keys for the conflict map.
    pub row_keys: Vec<RowKey>,
    /// Phase-2 builder, run on this probe's result rows.
    pub follow_up: Option<FollowUp>,
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Probe")
            .field("table", &self.table)
            .field("index", &self.index)
            .field("phase", &self.phase)
            .field("sql", &self.sql)
            .field("keys", &self.keys)
            .field("row_keys", &self.row_keys)
            .field("follow_up", &self.follow_up.is_some())
            .finish()
    }
}

/// Session settings a probe must run under, taken from the event (default db, sql_mode, charset).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    /// Default database (`USE db`).
    pub db: Option<String>,
    /// sql_mode bits.
    pub sql_mode: Option<u64>,
    /// character_set_client, collation_connection, collation_server.
    pub charset: Option<(u16, u16, u16)>,
}

/// The prefetch plan of one transaction.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Transaction sequence number (from [`crate::event::Transaction::seq`]).
    pub seq: u64,
    /// Where the transaction starts in the relay log.
    pub start: Position,
    /// Where the applier stands once it has applied this transaction.
    pub end: Position,
    /// Session for the probes.
    pub session: Session,
    /// The probes, in the order the applier will need their pages.
    pub probes: Vec<Probe>,
    /// Every row key the *applier* will touch in this transaction (for the locking modes' rule
    /// "never hold a key the applier is about to touch").
    pub applier_keys: Vec<RowKey>,
    /// Statements/events that produced nothing, with why.
    pub skips: Vec<Skip>,
    /// Tables whose cached definition is stale once this transaction is applied: targets of DDL,
    /// and tables whose relay table map disagreed with the schema. The caller reloads or
    /// invalidates them before planning later transactions. `(db, table)`; an empty table name
    /// means the whole database (DROP/ALTER DATABASE).
    pub ddl_tables: Vec<(String, String)>,
    /// Its keys went into batched probes shared across transactions, which ride on the plan of
    /// the newest transaction they serve (possibly this one). A batched transaction without
    /// probes of its own counts as a hit when that later plan's probes finished in time.
    pub batched: bool,
}
