//! Throwaway MariaDB primary + replica on loopback ports with their own temporary datadirs, used by
//! the tests, the benchmarks and `relay-prefetch demo`.
//!
//! [`Server`] is one `mariadbd` (bootstrapped datadir, generated my.cnf, free port, teardown on
//! drop, also on panic); [`Sandbox`] is a primary and a replica joined by GTID replication. Test
//! infrastructure only: nothing in the prefetch pipeline depends on this module. It never installs
//! MariaDB: when `mariadbd` is missing, starting fails with an [`ErrorKind::Config`] error that
//! says to run `scripts/setup.sh`.
//!
//! [`ErrorKind::Config`]: crate::ErrorKind::Config

mod binaries;
mod datadir;
mod gtid_pos;
mod options;
mod port;
mod process;
mod replication;
mod server;

pub use binaries::{BIN_DIR_ENV, mariadb_binlog, server_binaries};
pub use options::ServerOptions;
pub use replication::ReplicaStatus;
pub use server::Server;

use crate::Result;

/// Replication user created on the primary.
pub const REPL_USER: &str = "repl";
/// Its password.
pub const REPL_PASSWORD: &str = "repl-sandbox";

/// How to build a primary + replica pair.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Primary `binlog_format`: ROW, STATEMENT or MIXED.
    pub binlog_format: String,
    /// Primary `binlog_row_image`: FULL, MINIMAL or NOBLOB.
    pub binlog_row_image: String,
    /// Primary `log_bin_compress` (the replica then relays compressed events 165-171).
    pub log_bin_compress: bool,
    /// Primary `innodb_buffer_pool_size` in bytes.
    pub primary_buffer_pool_size: u64,
    /// Replica `innodb_buffer_pool_size` in bytes.
    pub replica_buffer_pool_size: u64,
    /// Replica `max_relay_log_size` in bytes (small values force relay-log rotation).
    pub max_relay_log_size: Option<u64>,
    /// Primary `max_binlog_size` in bytes.
    pub max_binlog_size: Option<u64>,
    /// Give the replica a binary log too (`log_bin` + `log_slave_updates`). MariaDB's replica
    /// then also asks for ANNOTATE_ROWS events, so they appear in its relay log.
    pub replica_log_bin: bool,
    /// Extra my.cnf lines for the primary.
    pub primary_extra_cnf: Vec<String>,
    /// Extra my.cnf lines for the replica (e.g. `slave_parallel_threads=8`).
    pub replica_extra_cnf: Vec<String>,
    /// Configure and start replication (otherwise call [`Sandbox::start_replication`] later).
    pub start_replication: bool,
    /// Start the replica's SQL thread too. `false` starts only the IO thread, so the relay log
    /// accumulates a backlog the applier has not touched. A replica restart starts both threads
    /// again unless `skip-slave-start` is in `replica_extra_cnf`; and with MASTER_USE_GTID the
    /// restarted replica discards its relay logs and fetches again from `gtid_slave_pos`.
    pub start_sql_thread: bool,
    /// Keep both servers' directories after drop.
    pub keep_dirs: bool,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            binlog_format: "ROW".into(),
            binlog_row_image: "FULL".into(),
            log_bin_compress: false,
            primary_buffer_pool_size: 32 << 20,
            replica_buffer_pool_size: 16 << 20,
            max_relay_log_size: None,
            max_binlog_size: None,
            replica_log_bin: false,
            primary_extra_cnf: Vec::new(),
            replica_extra_cnf: Vec::new(),
            start_replication: true,
            start_sql_thread: true,
            keep_dirs: false,
        }
    }
}

impl SandboxOptions {
    fn primary(&self) -> ServerOptions {
        ServerOptions {
            name: "primary".into(),
            server_id: 1,
            log_bin: true,
            binlog_format: self.binlog_format.clone(),
            binlog_row_image: self.binlog_row_image.clone(),
            log_bin_compress: self.log_bin_compress,
            buffer_pool_size: self.primary_buffer_pool_size,
            max_binlog_size: self.max_binlog_size,
            extra_cnf: self.primary_extra_cnf.clone(),
            keep_dir: self.keep_dirs,
            ..ServerOptions::default()
        }
    }

    fn replica(&self) -> ServerOptions {
        ServerOptions {
            name: "replica".into(),
            server_id: 2,
            log_bin: self.replica_log_bin,
            log_slave_updates: self.replica_log_bin,
            binlog_format: self.binlog_format.clone(),
            binlog_row_image: self.binlog_row_image.clone(),
            buffer_pool_size: self.replica_buffer_pool_size,
            max_relay_log_size: self.max_relay_log_size,
            read_only: true,
            extra_cnf: self.replica_extra_cnf.clone(),
            keep_dir: self.keep_dirs,
            ..ServerOptions::default()
        }
    }
}

/// A primary and a replica. Dropping it stops both (replica first) and deletes their directories.
#[derive(Debug)]
pub struct Sandbox {
    /// The source of replication.
    pub primary: Server,
    /// The replica whose relay log the prefetcher reads.
    pub replica: Server,
}

impl Sandbox {
    /// Start both servers (in parallel) and, unless told not to, GTID replication between them.
    pub fn start(opts: SandboxOptions) -> Result<Sandbox> {
        let (primary, replica) = std::thread::scope(|s| {
            let r = s.spawn(|| Server::start(opts.replica()));
            let p = Server::start(opts.primary());
            let r = r.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (p, r)
        });
        let sb = Sandbox {
            primary: primary?,
            replica: replica?,
        };
        sb.create_repl_user()?;
        if opts.start_replication {
            sb.start_replication(opts.start_sql_thread)?;
        }
        Ok(sb)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Replica first, so it does not spend its shutdown retrying a vanished primary.
        let _ = self.replica.stop();
    }
}
