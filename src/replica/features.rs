//! Start-up feature detection on the replica: flavor, innodb_fake_changes, read_only, the relay-log
//! index path, buffer-pool size, parallel appliers, relay-log encryption, and whether the status
//! statement is allowed.
//! Decides up front what the chosen mode can do, so refusals are clear and happen once.

use std::path::PathBuf;

use mysql::Conn;
use mysql::prelude::Queryable;

use super::Flavor;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::Mode;

/// What the replica offers, detected once at start-up.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    /// Flavor and version.
    pub flavor: Flavor,
    /// `innodb_fake_changes` exists (Percona Server 5.5/5.6).
    pub fake_changes: bool,
    /// `@@read_only` is on (expected on a replica; informational).
    pub read_only: bool,
    /// The relay-log index file, absolute (relative values are resolved against the datadir).
    pub relay_log_index: Option<PathBuf>,
    /// `@@datadir`.
    pub datadir: PathBuf,
    /// `@@innodb_buffer_pool_size` in bytes.
    pub buffer_pool_bytes: u64,
    /// `@@innodb_page_size` in bytes.
    pub page_size: u64,
    /// Parallel applier threads (0 = single-threaded applier).
    pub parallel_workers: u64,
    /// Transactions a parallel applier may have applied past the position it reports, beyond
    /// the one each thread may be running: MySQL's `replica_checkpoint_group` (its
    /// multithreaded applier reports checkpoints); 0 for MariaDB (it reports every in-order
    /// commit) and for a single-threaded applier.
    pub checkpoint_lag: u64,
    /// `@@innodb_old_blocks_pct`: the share of the pool where newly read pages enter the LRU
    /// (37 by default); a prefetched page must be used before it falls off that sublist.
    pub old_blocks_pct: u64,
    /// The variable that is ON when the server encrypts its binary and relay logs (MariaDB
    /// `encrypt_binlog`, MySQL 8.0.14+ `binlog_encryption`); `None` when they are plain.
    pub encrypted_logs: Option<&'static str>,
}

impl ServerInfo {
    /// Buffer-pool size in pages.
    pub fn buffer_pool_pages(&self) -> u64 {
        self.buffer_pool_bytes / self.page_size.max(1)
    }

    /// Pages in the LRU's old sublist, where pages read (by probes too) enter.
    pub fn old_sublist_pages(&self) -> u64 {
        self.buffer_pool_pages() * self.old_blocks_pct.clamp(5, 95) / 100
    }

    /// Refuse a mode this server cannot run safely, with a message saying what to do instead.
    pub fn check_mode(&self, mode: Mode) -> Result<()> {
        if mode == Mode::FakeChanges && !self.fake_changes {
            return Err(Error::new(
                ErrorKind::Config,
                format!(
                    "innodb_fake_changes is not available on this server ({}): fake-changes \
                     mode needs Percona Server 5.5/5.6; use --mode select",
                    self.flavor
                ),
            ));
        }
        Ok(())
    }

    /// Refuse a replica whose relay logs are encrypted: the reader reads the files themselves
    /// and cannot decrypt them, so there would be nothing to prefetch from.
    pub fn check_relay_logs_readable(&self) -> Result<()> {
        match self.encrypted_logs {
            None => Ok(()),
            Some(var) => Err(Error::new(
                ErrorKind::Config,
                format!(
                    "the replica encrypts its relay logs ({var}=ON, {}): relay-prefetch reads \
                     relay-log files directly and cannot decrypt them, so it has nothing to \
                     prefetch from; it helps only replicas whose relay logs are not encrypted",
                    self.flavor
                ),
            )),
        }
    }
}

/// Detect everything on one connection.
pub fn detect(conn: &mut Conn) -> Result<ServerInfo> {
    let q = |e: mysql::Error, what: &str| {
        Error::new(
            ErrorKind::Server,
            format!("detecting server features: {what}"),
        )
        .with_source(e)
    };
    let (version, comment): (String, String) = conn
        .query_first("SELECT VERSION(), @@version_comment")
        .map_err(|e| q(e, "version"))?
        .unwrap_or_default();
    let flavor = Flavor::parse(&version, &comment);
    let fake: Option<(String, String)> = conn
        .query_first("SHOW VARIABLES LIKE 'innodb_fake_changes'")
        .map_err(|e| q(e, "innodb_fake_changes"))?;
    let (read_only, datadir, pool, page, index): (u64, String, u64, u64, Option<String>) = conn
        .query_first(
            "SELECT @@read_only, @@datadir, @@innodb_buffer_pool_size, @@innodb_page_size, \
             @@relay_log_index",
        )
        .map_err(|e| q(e, "variables"))?
        .ok_or_else(|| Error::new(ErrorKind::Server, "server returned no variables"))?;
    // Not on every server build (an old or exotic one may lack it): InnoDB's default then.
    let old_blocks_pct = conn
        .query_first::<u64, _>("SELECT @@innodb_old_blocks_pct")
        .ok()
        .flatten()
        .unwrap_or(37);
    let workers_sql = format!("SELECT @@{}", flavor.parallel_workers_variable());
    let parallel_workers = conn
        .query_first::<u64, _>(workers_sql)
        .ok()
        .flatten()
        .unwrap_or(0);
    let checkpoint_lag = match flavor.checkpoint_group_variable() {
        Some(v) if parallel_workers > 0 => conn
            .query_first::<u64, _>(format!("SELECT @@{v}"))
            .ok()
            .flatten()
            // MySQL's default, should the variable be unreadable.
            .unwrap_or(512),
        _ => 0,
    };
    // Relay logs are encrypted with the binary logs. Each server has one of these variables; a
    // missing one is an error here, which means "not encrypted".
    let encrypted_logs = ["encrypt_binlog", "binlog_encryption"]
        .into_iter()
        .find(|v| {
            conn.query_first::<u64, _>(format!("SELECT @@{v}"))
                .ok()
                .flatten()
                == Some(1)
        });
    let datadir = PathBuf::from(datadir);
    let relay_log_index = index.filter(|s| !s.is_empty()).map(|s| {
        let p = PathBuf::from(s);
        if p.is_absolute() { p } else { datadir.join(p) }
    });
    Ok(ServerInfo {
        flavor,
        fake_changes: fake.is_some(),
        read_only: read_only != 0,
        relay_log_index,
        datadir,
        buffer_pool_bytes: pool,
        page_size: page,
        parallel_workers,
        checkpoint_lag,
        old_blocks_pct,
        encrypted_logs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(encrypted_logs: Option<&'static str>) -> ServerInfo {
        ServerInfo {
            flavor: Flavor::parse("8.0.36", "MySQL Community Server - GPL"),
            fake_changes: false,
            read_only: true,
            relay_log_index: None,
            datadir: PathBuf::from("/var/lib/mysql"),
            buffer_pool_bytes: 128 << 20,
            page_size: 16 << 10,
            parallel_workers: 0,
            checkpoint_lag: 0,
            old_blocks_pct: 37,
            encrypted_logs,
        }
    }

    #[test]
    fn encrypted_relay_logs_are_refused_naming_the_variable() {
        assert!(info(None).check_relay_logs_readable().is_ok());
        let e = info(Some("binlog_encryption"))
            .check_relay_logs_readable()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("binlog_encryption=ON"), "{e}");
        assert!(e.to_string().contains("cannot decrypt"), "{e}");
    }
}
