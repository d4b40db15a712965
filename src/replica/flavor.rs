//! Server flavor and version from `SELECT VERSION()`: MariaDB vs MySQL, and which replica-status
//! statement and column names that server speaks. Pure parsing; no connection here.

use std::fmt;

/// Which server family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// MariaDB (any version): SHOW SLAVE STATUS (SHOW REPLICA STATUS exists from 10.5.1, with the
    /// same old column names, so we keep the one statement every version accepts).
    MariaDb,
    /// MySQL or Percona Server.
    MySql,
}

/// A detected server flavor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flavor {
    /// Family.
    pub family: Family,
    /// (major, minor, patch).
    pub version: (u32, u32, u32),
    /// Percona Server (from the version string or @@version_comment).
    pub percona: bool,
    /// The full version string as the server reported it.
    pub raw: String,
}

impl Flavor {
    /// Parse `VERSION()` (and optionally `@@version_comment`): "10.11.6-MariaDB-log",
    /// "5.5.5-10.11.6-MariaDB" (the replication-compatible prefix), "8.0.36", "8.4.0",
    /// "5.6.51-91.0-log" with comment "Percona Server (GPL), ...".
    pub fn parse(version: &str, comment: &str) -> Flavor {
        let lower = version.to_ascii_lowercase();
        let mariadb = lower.contains("mariadb") || comment.to_ascii_lowercase().contains("mariadb");
        let mut v = version;
        // MariaDB may present "5.5.5-" before the real version for old clients.
        if mariadb && v.starts_with("5.5.5-") {
            v = &v[6..];
        }
        let version_tuple = parse_triplet(v);
        let percona = lower.contains("percona") || comment.to_ascii_lowercase().contains("percona");
        Flavor {
            family: if mariadb {
                Family::MariaDb
            } else {
                Family::MySql
            },
            version: version_tuple,
            percona,
            raw: version.to_string(),
        }
    }

    /// True for MariaDB.
    pub fn is_mariadb(&self) -> bool {
        self.family == Family::MariaDb
    }

    /// The replica status statement this server accepts. MySQL 8.0.22 added SHOW REPLICA STATUS
    /// (with Source/Replica column names) and 8.4 removed SHOW SLAVE STATUS; MySQL 5.7 and every
    /// MariaDB use SHOW SLAVE STATUS.
    pub fn status_statement(&self) -> &'static str {
        match self.family {
            Family::MySql if self.version >= (8, 0, 22) => "SHOW REPLICA STATUS",
            _ => "SHOW SLAVE STATUS",
        }
    }

    /// The SET statement bounding one statement's run time, in this server's dialect:
    /// `max_statement_time` (seconds, MariaDB 10.1+) or `max_execution_time` (ms, MySQL 5.7.8+,
    /// SELECT only). `None` when the server has neither.
    pub fn statement_time_limit_sql(&self, millis: u64) -> Option<String> {
        match self.family {
            Family::MariaDb if self.version >= (10, 1, 1) => Some(format!(
                "SET SESSION max_statement_time = {}.{:03}",
                millis / 1000,
                millis % 1000
            )),
            Family::MySql if self.version >= (5, 7, 8) => {
                Some(format!("SET SESSION max_execution_time = {millis}"))
            }
            _ => None,
        }
    }

    /// The smallest `innodb_lock_wait_timeout` this server accepts: 0 on MariaDB 10.3+ (a
    /// conflicting row lock fails the statement at once, and — measured on 10.11 — is not
    /// counted in `Innodb_row_lock_waits`), 1 second on MySQL and older MariaDB.
    pub fn min_innodb_lock_wait_timeout(&self) -> u32 {
        match self.family {
            Family::MariaDb if self.version >= (10, 3, 0) => 0,
            _ => 1,
        }
    }

    /// Name of the variable holding the number of parallel applier threads.
    pub fn parallel_workers_variable(&self) -> &'static str {
        match self.family {
            Family::MariaDb => "slave_parallel_threads",
            Family::MySql if self.version >= (8, 0, 26) => "replica_parallel_workers",
            Family::MySql => "slave_parallel_workers",
        }
    }

    /// The variable bounding how many transactions a parallel applier may have applied past the
    /// position SHOW REPLICA STATUS reports: MySQL's multithreaded applier moves that position
    /// only at checkpoints, at least every `replica_checkpoint_group` transactions (or sooner,
    /// every `replica_checkpoint_period` ms). None for MariaDB, which moves it at every in-order
    /// commit.
    pub fn checkpoint_group_variable(&self) -> Option<&'static str> {
        match self.family {
            Family::MariaDb => None,
            Family::MySql if self.version >= (8, 0, 26) => Some("replica_checkpoint_group"),
            Family::MySql => Some("slave_checkpoint_group"),
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.version;
        let name = match (self.family, self.percona) {
            (Family::MariaDb, _) => "MariaDB",
            (Family::MySql, true) => "Percona Server",
            (Family::MySql, false) => "MySQL",
        };
        write!(f, "{name} {a}.{b}.{c}")
    }
}

/// "10.11.6-MariaDB-log" → (10, 11, 6); missing parts are 0.
fn parse_triplet(v: &str) -> (u32, u32, u32) {
    let head: &str = v
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .unwrap_or("");
    let mut it = head.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mariadb_versions() {
        let f = Flavor::parse("10.11.6-MariaDB-0+deb12u1-log", "Debian 12");
        assert_eq!(f.family, Family::MariaDb);
        assert_eq!(f.version, (10, 11, 6));
        assert_eq!(f.status_statement(), "SHOW SLAVE STATUS");
        let f = Flavor::parse("5.5.5-10.6.16-MariaDB", "");
        assert_eq!(f.version, (10, 6, 16));
        assert!(f.is_mariadb());
        assert_eq!(
            f.statement_time_limit_sql(1500).unwrap(),
            "SET SESSION max_statement_time = 1.500"
        );
    }

    #[test]
    fn mysql_versions_choose_statement() {
        let f = Flavor::parse("8.0.36", "MySQL Community Server - GPL");
        assert_eq!(f.status_statement(), "SHOW REPLICA STATUS");
        assert_eq!(f.parallel_workers_variable(), "replica_parallel_workers");
        assert_eq!(
            f.checkpoint_group_variable(),
            Some("replica_checkpoint_group")
        );
        assert_eq!(
            Flavor::parse("8.0.21", "").status_statement(),
            "SHOW SLAVE STATUS"
        );
        assert_eq!(
            Flavor::parse("8.4.0", "").status_statement(),
            "SHOW REPLICA STATUS"
        );
        let f = Flavor::parse("5.7.44-log", "");
        assert_eq!(f.status_statement(), "SHOW SLAVE STATUS");
        assert_eq!(f.parallel_workers_variable(), "slave_parallel_workers");
        assert_eq!(
            f.checkpoint_group_variable(),
            Some("slave_checkpoint_group")
        );
        assert_eq!(
            f.statement_time_limit_sql(250).unwrap(),
            "SET SESSION max_execution_time = 250"
        );
        let p = Flavor::parse("5.6.51-91.0-log", "Percona Server (GPL), Release 91.0");
        assert!(p.percona);
        assert_eq!(p.to_string(), "Percona Server 5.6.51");
        assert!(p.statement_time_limit_sql(10).is_none());
    }
}
