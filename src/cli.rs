//! Command-line syntax only (clap derive). Validation and defaults live in `config`; no other
//! module sees these types except `commands`, which turns them into a `Config`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// relay-prefetch: make a lagging MySQL/MariaDB replica catch up faster by reading its relay log
/// ahead of the SQL thread and pulling the pages it will need into the buffer pool.
#[derive(Debug, Parser)]
#[command(name = "relay-prefetch", version, about, long_about = None, args_override_self = true)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Human, global = true)]
    pub log_format: LogFormat,
    /// More logging (-v debug, -vv trace). RELAY_PREFETCH_LOG overrides (tracing filter syntax).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object per line.
    Json,
}

/// Prefetch mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Plain index-touching SELECTs in a read-only session (default; works on every server).
    Select,
    /// DANGEROUS on anything but Percona Server 5.5/5.6: the original DML under
    /// innodb_fake_changes=1, always rolled back. Refused where the server lacks the variable.
    FakeChanges,
    /// The original DML in a transaction that is always rolled back. Takes row locks (the
    /// conflict map keeps them away from the applier); InnoDB tables only.
    Rollback,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the transactions and events of relay-log files as the prefetcher sees them.
    Inspect(InspectArgs),
    /// Rewrite SQL statements (one per line on stdin) into prefetch work; JSON lines on stdout.
    Rewrite(RewriteArgs),
    /// Run the prefetch daemon next to a replica.
    Run(RunArgs),
    /// Self-contained demo: a throwaway primary + replica, a backlog, catch-up with and without
    /// prefetching. Needs mariadb-server installed; cleans up after itself.
    Demo(DemoArgs),
}

/// Where schema metadata comes from.
#[derive(Debug, Clone, Args, Default)]
pub struct SchemaArgs {
    /// Read table metadata from a live server: mysql://USER[:PASS]@HOST:PORT[/DB].
    #[arg(long, value_name = "URL")]
    pub schema: Option<String>,
    /// Read table metadata from a file of CREATE TABLE statements (works without a server).
    #[arg(long, value_name = "FILE", conflicts_with = "schema")]
    pub schema_file: Option<PathBuf>,
}

/// `inspect` arguments.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Relay-log files, or one .index file.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Start at FILE:OFFSET (the offset must be an event boundary).
    #[arg(long, value_name = "FILE:OFFSET")]
    pub start: Option<String>,
    /// Keep reading as the relay log grows (tail a live replica's relay log).
    #[arg(long)]
    pub follow: bool,
    /// One JSON object per event (or per probe with --plan) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show the probes each transaction would run instead of the events (needs a schema).
    #[arg(long)]
    pub plan: bool,
    /// Schema source for --plan.
    #[command(flatten)]
    pub schema: SchemaArgs,
    /// Mode for --plan.
    #[arg(long, value_enum, default_value_t = ModeArg::Select)]
    pub mode: ModeArg,
}

/// `rewrite` arguments.
#[derive(Debug, Args)]
pub struct RewriteArgs {
    /// Prefetch mode.
    #[arg(long, value_enum, default_value_t = ModeArg::Select)]
    pub mode: ModeArg,
    /// Schema source (one of the two is required).
    #[command(flatten)]
    pub schema: SchemaArgs,
    /// Default database for unqualified table names.
    #[arg(long, value_name = "DB")]
    pub default_db: Option<String>,
    /// Server version executable comments are decided for, e.g. "10.11.6-MariaDB" or "8.0.36"
    /// (default: unknown — comments whose condition depends on the version are skipped).
    #[arg(long, value_name = "VERSION")]
    pub server_version: Option<String>,
}

/// `run` arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The replica: mysql://[USER[:PASS]@]HOST:PORT. Credentials may instead come from
    /// --defaults-file / ~/.my.cnf ([client]) or MYSQL_USER / MYSQL_PWD.
    #[arg(long, value_name = "URL", env = "RELAY_PREFETCH_REPLICA")]
    pub replica: String,
    /// The replica's relay-log index file (default: asked from the server, relay_log_index,
    /// with the channel's name added as the server adds it).
    #[arg(long, value_name = "PATH")]
    pub relay_log_index: Option<PathBuf>,
    /// The replication channel (MySQL) or named connection (MariaDB multi-source) to follow,
    /// when the replica applies more than one stream; each has its own relay log and applier,
    /// so run one relay-prefetch per lagging channel. Default: the replica's only stream (an
    /// error lists them when there are several).
    #[arg(long, value_name = "NAME")]
    pub channel: Option<String>,
    /// Option file with a [client] section (user, password, host, port, socket).
    #[arg(long, value_name = "FILE")]
    pub defaults_file: Option<PathBuf>,
    /// Prefetch mode.
    #[arg(long, value_enum, default_value_t = ModeArg::Select)]
    pub mode: ModeArg,
    /// Probe worker connections, each with its own session on the replica. Default: 8 next to
    /// a single-threaded applier, 2 next to a parallel one (slave_parallel_threads /
    /// replica_parallel_workers > 0), whose threads already overlap their own reads.
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Log what would run instead of running it.
    #[arg(long)]
    pub dry_run: bool,
    /// Serve Prometheus metrics on this address (e.g. 127.0.0.1:9108).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<String>,
    /// How often to poll the applier's position, in milliseconds (10–1000).
    #[arg(long, default_value_t = 20)]
    pub poll_ms: u64,
    /// Drop probes closer than this many transactions to the applier. With a parallel applier
    /// it counts from the last transaction its threads may be running: its reported position
    /// (the low-water mark) plus its thread count.
    #[arg(long, default_value_t = 2)]
    pub min_ahead: u64,
    /// Never run more than this many transactions ahead of the applier (default: derived).
    #[arg(long)]
    pub max_ahead: Option<u64>,
    /// Never run more than this many seconds of source time ahead of the applier.
    #[arg(long, default_value_t = 30)]
    pub max_ahead_secs: u64,
    /// Never have more than this many (estimated) pages prefetched but not yet used by the
    /// applier: prefetched pages must not be evicted before the applier reads them. Default:
    /// follows the buffer pool — a sixteenth of it while it fills; while it evicts, half the
    /// time a page read now stays in the LRU's old sublist (innodb_old_blocks_pct of the pool
    /// over the pool's disk reads per second) at the rate the applier uses pages, between the
    /// sixteenth and an eighth of the pool; doubled (up to the eighth) whenever the applier
    /// passes the reader while it waits for room. Giving a value fixes it.
    #[arg(long, value_name = "PAGES")]
    pub max_pages: Option<u64>,
    /// Keys per batched key-lookup probe (row events, and statements that pin primary keys).
    /// The server reads the keys of one probe one after another, so smaller probes spread the
    /// reads over more workers; larger ones save round trips.
    #[arg(long, value_name = "N", default_value_t = crate::config::DEFAULT_PROBE_KEYS)]
    pub probe_keys: usize,
    /// Keys per probe while the replica's buffer pool is still filling — pages read stay cached,
    /// as after a restart or with a pool larger than the data (judged every 200 ms from
    /// Innodb_buffer_pool_reads against the free-page count). Nothing is evicted before the
    /// applier reads it then, so fewer, larger probes save round trips and server CPU.
    /// Default: 64, or --probe-keys if larger; set it to --probe-keys to keep one size.
    #[arg(long, value_name = "N")]
    pub probe_keys_filling: Option<usize>,
    /// Memory (MB) for row keys already probed, so that later transactions touching the same
    /// rows are not probed again — only while the replica's buffer pool is filling (pages read
    /// stay cached, as after a restart). Forgotten when the pool starts evicting, when the
    /// replica restarts, and when pages leave the pool otherwise (the pool is resized, the free
    /// list grows). When
    /// full, it starts over. 0: off.
    #[arg(long, value_name = "MB", default_value_t = crate::config::DEFAULT_REMEMBER_MB)]
    pub remember_mb: usize,
    /// Per-probe time limit in milliseconds (max_statement_time / MAX_EXECUTION_TIME).
    #[arg(long, default_value_t = 1000)]
    pub probe_timeout_ms: u64,
    /// Nice value (0-19) for the replica's server threads that run the probes, so that on a
    /// busy host the SQL thread gets the CPU first and the probes run on what is left (19, the
    /// lowest priority, measured best). Applies only when relay-prefetch runs on the replica's
    /// host as root or with CAP_SYS_NICE (it must be able to restore the threads' priority when
    /// it disconnects) and the server runs one thread per connection; otherwise it logs why and
    /// leaves the priority alone. 0: off.
    #[arg(long, value_name = "N", default_value_t = crate::exec::DEFAULT_PROBE_NICE)]
    pub probe_nice: i32,
    /// For benchmarks: prefetch even when the replica is not lagging, or when its buffer pool
    /// reads next to nothing from disk. By default the daemon idles then (the applier is served
    /// from memory); on a delayed replica (MASTER_DELAY) only the lag beyond the delay counts,
    /// and while the applier waits on an event's delay the daemon idles, its reader waiting at
    /// the applier's position.
    #[arg(long)]
    pub always: bool,
    /// DANGEROUS, for benchmarks only: turn the row-key conflict map off.
    #[arg(long)]
    pub no_conflict_map: bool,
    /// Connections that warm whole indexes the backlog reads (the primary key of every table
    /// it touches, and the secondary indexes its probes read) by scanning them in key order
    /// (sequential read-ahead: about a third of the server CPU per page of point reads), only
    /// while the buffer pool's free pages can hold them; once they are swept the table's point
    /// probes stop while the pool fills. A cost gate sweeps a table only when the rest of the
    /// backlog would read enough of its pages at random to cost more (judged from the new keys
    /// the probes see and the pages the pool reads per transaction), and when the sweep can end
    /// in the first half of the remaining catch-up (at the measured apply rate): hot spots and
    /// short backlogs keep their point probes. For a replica restarted with a large, empty pool
    /// and a long backlog spread over the tables; 4 is a good value there. On a pool smaller
    /// than the data nothing is swept. Default 0: off.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub sweep_workers: usize,
    /// With --sweep-workers: sweep every touched table that fits in the free pool, without the
    /// cost gate (for a backlog known to cover most of its tables).
    #[arg(long)]
    pub sweep_always: bool,
    /// Schema from a file instead of the replica's information_schema.
    #[arg(long, value_name = "FILE")]
    pub schema_file: Option<PathBuf>,
    /// Stop after this many seconds (benchmarks, tests).
    #[arg(long)]
    pub duration_secs: Option<u64>,
}

/// `demo` arguments.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Rows per table in the demo data set.
    #[arg(long, default_value_t = 200_000)]
    pub rows: u64,
    /// Transactions in the backlog.
    #[arg(long, default_value_t = 20_000)]
    pub events: u64,
    /// Keep the sandbox directories instead of deleting them.
    #[arg(long)]
    pub keep: bool,
    /// Tables in the demo data set (sysbench sbtest1..N).
    #[arg(long, default_value_t = 4)]
    pub tables: u32,
    /// Run one case with this replica buffer pool, in MiB. Default: two cases — a pool twice
    /// the data, empty at start (a restarted replica), and a 32 MiB pool (much smaller than
    /// the data).
    #[arg(long)]
    pub pool_mb: Option<u64>,
    /// Prefetch worker connections.
    #[arg(long, default_value_t = 8)]
    pub workers: usize,
    /// The prefetcher's window in transactions (default: derived from the buffer pool).
    #[arg(long)]
    pub max_ahead: Option<u64>,
}
