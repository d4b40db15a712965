//! What the catch-up benchmark measures: data sizes (quick and full), the sysbench workloads that
//! build a backlog, the conditions a backlog is applied under, and the replica's my.cnf tuning.
//! Pure data: nothing here starts a server or runs a command (see `data` and `apply`).

/// Data set and backlog sizes for one invocation.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// sysbench `--tables`.
    pub tables: u32,
    /// sysbench `--table-size`.
    pub table_size: u64,
    /// The small replica buffer pool (cold, prefetch, parallel), bytes.
    pub small_pool: u64,
    /// A buffer pool larger than all the data (warm, restart), bytes.
    pub big_pool: u64,
    /// Multiplies every workload's `events` (sizes the backlog to the machine).
    pub events_scale: f64,
    /// Runs of every condition (medians are reported).
    pub runs: usize,
    /// sysbench `--rand-type` for workloads that do not set their own (None: sysbench's default,
    /// `special`, which sends 75% of the accesses to 1% of the rows).
    pub rand_type: Option<String>,
}

impl Sizes {
    /// A smoke run that finishes in a few minutes: ~70 MB of data on an 8 MB pool.
    pub fn quick() -> Sizes {
        Sizes {
            tables: 2,
            table_size: 150_000,
            small_pool: 8 << 20,
            big_pool: 512 << 20,
            events_scale: 0.1,
            runs: 1,
            rand_type: None,
        }
    }

    /// The recorded run: ~700 MB of data on a 64 MB pool (11×).
    pub fn full() -> Sizes {
        Sizes {
            tables: 2,
            table_size: 1_500_000,
            small_pool: 64 << 20,
            big_pool: 2048 << 20,
            events_scale: 1.0,
            runs: 3,
            rand_type: None,
        }
    }
}

/// A sysbench workload that generates the backlog on the primary.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Short name used in tables and filters.
    pub name: &'static str,
    /// The sysbench test (`oltp_update_non_index`, ...).
    pub test: &'static str,
    /// Transactions at `events_scale` 1.
    pub events: u64,
    /// Extra sysbench options (hot-spot distributions).
    pub extra: &'static [&'static str],
    /// The conditions this backlog is applied under.
    pub conditions: &'static [Condition],
    /// Primary binlog formats to build this backlog in.
    pub formats: &'static [&'static str],
}

const BOTH: &[&str] = &["ROW", "STATEMENT"];

/// How a backlog is applied on a fresh copy of the snapshot replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    /// Name in tables and filters.
    pub name: &'static str,
    /// Buffer pool larger than the data (else the small pool).
    pub big_pool: bool,
    /// Scan every table and index before starting the applier (the warm upper bound).
    pub prewarm: bool,
    /// MariaDB parallel replication: slave_parallel_threads=8, optimistic.
    pub parallel: bool,
    /// Run `relay-prefetch run` with these extra arguments (None: no prefetcher).
    pub prefetch: Option<&'static [&'static str]>,
}

/// The daemon's own default for `--workers`: 8 probe workers, 2 next to a parallel applier.
const SELECT: &[&str] = &["--mode", "select"];
const SELECT_SWEEP: &[&str] = &["--mode", "select", "--workers", "8", "--sweep-workers", "4"];
const ROLLBACK: &[&str] = &["--mode", "rollback", "--workers", "8"];
const ROLLBACK_NO_MAP: &[&str] = &["--mode", "rollback", "--workers", "8", "--no-conflict-map"];

const fn cond(name: &'static str, big: bool, warm: bool, par: bool) -> Condition {
    Condition {
        name,
        big_pool: big,
        prewarm: warm,
        parallel: par,
        prefetch: None,
    }
}

const fn with_prefetch(c: Condition, args: &'static [&'static str]) -> Condition {
    Condition {
        prefetch: Some(args),
        ..c
    }
}

/// Cold small pool, no prefetch: the baseline every ratio divides by.
pub const COLD: Condition = cond("cold", false, false, false);
/// Everything in memory before the applier starts: the upper bound.
pub const WARM: Condition = cond("warm", true, true, false);
/// The main catch-up matrix.
pub const MATRIX: &[Condition] = &[
    COLD,
    with_prefetch(cond("prefetch", false, false, false), SELECT),
    WARM,
    // Everything cached already: what the prefetcher costs when there is nothing to prefetch.
    with_prefetch(cond("warm+prefetch", true, true, false), SELECT),
    cond("parallel", false, false, true),
    with_prefetch(cond("par+prefetch", false, false, true), SELECT),
    cond("restart", true, false, false),
    with_prefetch(cond("restart+prefetch", true, false, false), SELECT),
    with_prefetch(cond("restart+sweep", true, false, false), SELECT_SWEEP),
    // Parallel replication after a restart, alone and with the prefetcher (since 2026-12-06).
    cond("restart+parallel", true, false, true),
    with_prefetch(cond("restart+par+prefetch", true, false, true), SELECT),
];
/// Hot-spot backlog in rollback mode: the conflict map on and off.
pub const HOT: &[Condition] = &[
    COLD,
    with_prefetch(cond("rollback", false, false, false), ROLLBACK),
    with_prefetch(cond("rollback-nomap", false, false, false), ROLLBACK_NO_MAP),
];

/// Every workload, in the order they run (most important first, so a cut-short run still has
/// them).
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "update_non_index",
        test: "oltp_update_non_index",
        events: 60_000,
        extra: &[],
        conditions: MATRIX,
        formats: BOTH,
    },
    Workload {
        name: "hot_update",
        test: "oltp_update_non_index",
        events: 40_000,
        // sysbench's pareto (h = 0.2) sends ~38% of the updates to the lowest 0.1% of the ids
        // and ~19% to the lowest ten: transactions close together in the relay log keep touching
        // the same rows, which is where a locking prefetcher collides with the applier.
        extra: &["--rand-type=pareto"],
        conditions: HOT,
        // STATEMENT: rollback mode re-runs the original UPDATE (X locks); ROW images have no
        // statement to re-run, so there it reads by key and takes no locks.
        formats: BOTH,
    },
    Workload {
        name: "update_index",
        test: "oltp_update_index",
        events: 20_000,
        extra: &[],
        conditions: MATRIX,
        formats: BOTH,
    },
    Workload {
        name: "write_only",
        test: "oltp_write_only",
        events: 12_000,
        extra: &[],
        conditions: MATRIX,
        formats: BOTH,
    },
];

/// Redo log size of every server built from the loaded data (set once at load time: changing it
/// later would make each restored copy rebuild its redo log at start-up).
pub const REDO_LOG: &str = "innodb_log_file_size=256M";

/// my.cnf lines for the measured replica, as one would run a replica on SSD. See the Catch-up
/// section of benches/README.md for why each is there.
pub fn replica_tuning() -> Vec<String> {
    [
        REDO_LOG,
        "innodb_flush_method=O_DIRECT",
        "innodb_io_capacity=2000",
        "innodb_io_capacity_max=4000",
        "innodb_read_io_threads=8",
        "innodb_write_io_threads=4",
        "innodb_buffer_pool_load_at_startup=OFF",
        "innodb_buffer_pool_dump_at_shutdown=OFF",
        "skip-slave-start",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Extra replica lines for a condition. `CATCHUP_REPLICA_CNF` (lines separated by `;`) is
/// appended to every measured replica's my.cnf, for trying other settings.
pub fn condition_cnf(c: &Condition) -> Vec<String> {
    let mut v = replica_tuning();
    if let Ok(extra) = std::env::var("CATCHUP_REPLICA_CNF") {
        v.extend(
            extra
                .split(';')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    if c.parallel {
        v.push("slave_parallel_threads=8".into());
        v.push("slave_parallel_mode=optimistic".into());
    }
    v
}

/// Rows one sysbench event changes (updates + inserts + deletes), for CPU-per-event figures.
pub fn rows_per_event(test: &str) -> u64 {
    match test {
        "oltp_write_only" => 4,
        _ => 1,
    }
}
