//! Start-up feature detection on the replica: flavor, innodb_fake_changes, read_only, the relay-log
//! index path, buffer-pool size, parallel appliers, and whether the status statement is allowed.
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
    /// `@@innodb_old_blocks_pct`: the share of the pool where newly read pages enter the LRU
    /// (37 by default); a prefetched page must be used before it falls off that sublist.
    pub old_blocks_pct: u64,
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
        old_blocks_pct,
    })
}
