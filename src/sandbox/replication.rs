//! GTID replication inside a [`Sandbox`]: the replication user, CHANGE MASTER / START SLAVE, the
//! replica's status, and waiting until the replica has received or applied everything the primary
//! wrote. Note: with MASTER_USE_GTID the replica discards its relay logs whenever it restarts (or
//! the IO thread is restarted), as MariaDB documents.

use std::time::{Duration, Instant};

use mysql::prelude::Queryable;

use super::gtid_pos::{self, DomainSeqs};
use super::{REPL_PASSWORD, REPL_USER, Sandbox};
use crate::{Error, ErrorKind, Result};

/// What `SHOW SLAVE STATUS` says, reduced to what tests and tools look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// Slave_IO_Running = Yes.
    pub io_running: bool,
    /// Slave_IO_Running as reported: "Yes", "No" or "Connecting" (retrying).
    pub io_thread: String,
    /// Slave_SQL_Running = Yes.
    pub sql_running: bool,
    /// Relay_Log_File (the file the SQL thread is in).
    pub relay_log_file: String,
    /// Relay_Log_Pos.
    pub relay_log_pos: u64,
    /// Gtid_IO_Pos: the last GTIDs the IO thread received.
    pub gtid_io_pos: String,
    /// Last_IO_Error.
    pub last_io_error: String,
    /// Last_SQL_Error.
    pub last_sql_error: String,
    /// Seconds_Behind_Master (None when NULL).
    pub seconds_behind: Option<u64>,
}

fn server_err(context: impl Into<String>) -> impl FnOnce(mysql::Error) -> Error {
    let context = context.into();
    move |e| Error::new(ErrorKind::Server, context).with_source(e)
}

fn text(row: &mysql::Row, column: &str) -> String {
    row.get_opt::<Option<String>, _>(column)
        .and_then(|r| r.ok())
        .flatten()
        .unwrap_or_default()
}

impl Sandbox {
    pub(super) fn create_repl_user(&self) -> Result<()> {
        self.primary.exec(&[
            "SET SESSION sql_log_bin = 0",
            &format!("CREATE USER '{REPL_USER}'@'%' IDENTIFIED BY '{REPL_PASSWORD}'"),
            &format!("GRANT REPLICATION SLAVE ON *.* TO '{REPL_USER}'@'%'"),
        ])
    }

    /// CHANGE MASTER TO the primary with MASTER_USE_GTID=slave_pos, then START SLAVE (or only
    /// its IO thread when `sql_thread` is false, to build a relay-log backlog).
    pub fn start_replication(&self, sql_thread: bool) -> Result<()> {
        let change = format!(
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='{REPL_USER}', \
             MASTER_PASSWORD='{REPL_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            self.primary.port()
        );
        let start = if sql_thread {
            "START SLAVE"
        } else {
            "START SLAVE IO_THREAD"
        };
        self.replica.exec(&[&change, start])
    }

    /// STOP SLAVE SQL_THREAD: the applier pauses, the relay log keeps growing.
    pub fn stop_sql_thread(&self) -> Result<()> {
        self.replica.exec(&["STOP SLAVE SQL_THREAD"])
    }

    /// START SLAVE SQL_THREAD.
    pub fn start_sql_thread(&self) -> Result<()> {
        self.replica.exec(&["START SLAVE SQL_THREAD"])
    }

    /// The replica's `SHOW SLAVE STATUS`.
    pub fn replica_status(&self) -> Result<ReplicaStatus> {
        status_on(&mut self.replica.conn()?)
    }

    fn primary_pos(&self) -> Result<DomainSeqs> {
        let pos = self
            .primary
            .query_string("SELECT @@GLOBAL.gtid_binlog_pos")?;
        gtid_pos::parse(&pos.unwrap_or_default())
    }

    /// Wait until the replica has *applied* everything the primary has written so far
    /// (`@@gtid_slave_pos` covers the primary's `@@gtid_binlog_pos` in every domain).
    pub fn wait_for_replica_catch_up(&self, timeout: Duration) -> Result<()> {
        let want = self.primary_pos()?;
        self.wait_until(timeout, "applied", &want, |conn| {
            let pos: Option<Option<String>> = conn
                .query_first("SELECT @@GLOBAL.gtid_slave_pos")
                .map_err(server_err("replica: SELECT @@gtid_slave_pos"))?;
            gtid_pos::parse(&pos.flatten().unwrap_or_default())
        })
    }

    /// Wait until the replica's IO thread has *received* everything the primary has written so
    /// far (`Gtid_IO_Pos` covers `@@gtid_binlog_pos`): the relay log then holds it all.
    pub fn wait_for_relay_log_catch_up(&self, timeout: Duration) -> Result<()> {
        let want = self.primary_pos()?;
        self.wait_until(timeout, "received", &want, |conn| {
            gtid_pos::parse(&status_on(conn)?.gtid_io_pos)
        })
    }

    /// Poll on one replica connection every 20 ms until `have` covers `want`; fail early when a
    /// replication thread has stopped on an error (an IO thread that is only reconnecting,
    /// `Slave_IO_Running: Connecting`, is waited for).
    fn wait_until(
        &self,
        timeout: Duration,
        what: &str,
        want: &DomainSeqs,
        mut have: impl FnMut(&mut mysql::Conn) -> Result<DomainSeqs>,
    ) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let mut conn = self.replica.conn()?;
        loop {
            let got = have(&mut conn)?;
            if gtid_pos::covers(&got, want) {
                return Ok(());
            }
            let status = status_on(&mut conn)?;
            let sql_failed = !status.sql_running && !status.last_sql_error.is_empty();
            let io_failed = status.io_thread == "No" && !status.last_io_error.is_empty();
            if sql_failed || io_failed {
                return Err(Error::new(
                    ErrorKind::Server,
                    format!(
                        "replica stopped with an error (io: {:?}, sql: {:?}); error log {}",
                        status.last_io_error,
                        status.last_sql_error,
                        self.replica.error_log().display()
                    ),
                ));
            }
            if Instant::now() >= deadline {
                return Err(Error::new(
                    ErrorKind::Server,
                    format!(
                        "replica has not {what} {want:?} within {timeout:?} (has {got:?}, \
                         io thread {}, sql running {})",
                        status.io_thread, status.sql_running
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn status_on(conn: &mut mysql::Conn) -> Result<ReplicaStatus> {
    let row: Option<mysql::Row> = conn
        .query_first("SHOW SLAVE STATUS")
        .map_err(server_err("replica: SHOW SLAVE STATUS"))?;
    let Some(row) = row else {
        return Ok(ReplicaStatus::default());
    };
    let io_thread = text(&row, "Slave_IO_Running");
    Ok(ReplicaStatus {
        io_running: io_thread == "Yes",
        io_thread,
        sql_running: text(&row, "Slave_SQL_Running") == "Yes",
        relay_log_file: text(&row, "Relay_Log_File"),
        relay_log_pos: text(&row, "Relay_Log_Pos").parse().unwrap_or(0),
        gtid_io_pos: text(&row, "Gtid_IO_Pos"),
        last_io_error: text(&row, "Last_IO_Error"),
        last_sql_error: text(&row, "Last_SQL_Error"),
        seconds_behind: text(&row, "Seconds_Behind_Master").parse().ok(),
    })
}
