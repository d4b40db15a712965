//! Small SQL helpers the catch-up benchmark needs on sandbox servers: global status counters and
//! the replication positions from SHOW SLAVE STATUS / SHOW MASTER STATUS. No timing, no policy.

use std::collections::HashMap;

use anyhow::{Context, Result, bail};
use mysql::prelude::Queryable;

/// Status counters read before and after each catch-up.
pub const COUNTERS: &[&str] = &[
    "Handler_update",
    "Handler_write",
    "Handler_delete",
    "Innodb_row_lock_waits",
    "Innodb_row_lock_time",
    "Innodb_buffer_pool_reads",
    "Innodb_buffer_pool_wait_free",
    "Innodb_data_reads",
    "Innodb_data_writes",
];

/// `SHOW GLOBAL STATUS` values for `COUNTERS`.
pub fn counters(conn: &mut mysql::Conn) -> Result<HashMap<String, u64>> {
    let list = COUNTERS
        .iter()
        .map(|c| format!("'{c}'"))
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<(String, String)> = conn
        .query(format!(
            "SHOW GLOBAL STATUS WHERE Variable_name IN ({list})"
        ))
        .context("SHOW GLOBAL STATUS")?;
    Ok(rows
        .into_iter()
        .map(|(k, v)| (k, v.parse().unwrap_or(0)))
        .collect())
}

/// `after - before` for one counter.
pub fn delta(before: &HashMap<String, u64>, after: &HashMap<String, u64>, name: &str) -> u64 {
    let b = before.get(name).copied().unwrap_or(0);
    after.get(name).copied().unwrap_or(0).saturating_sub(b)
}

/// Rows changed between two counter snapshots: handler row writes, updates and deletes (MariaDB
/// 10.11 has no Innodb_rows_* counters). On a replica this includes its mysql.gtid_slave_pos rows.
pub fn rows_changed(before: &HashMap<String, u64>, after: &HashMap<String, u64>) -> u64 {
    ["Handler_update", "Handler_write", "Handler_delete"]
        .iter()
        .map(|n| delta(before, after, n))
        .sum()
}

/// A binlog coordinate of the source.
pub type Coord = (String, u64);

/// The replica's view of replication.
#[derive(Debug, Clone, Default)]
pub struct SlaveStatus {
    /// Master_Log_File / Read_Master_Log_Pos: what the IO thread has fetched.
    pub read: Coord,
    /// Relay_Master_Log_File / Exec_Master_Log_Pos: what the applier has executed.
    pub exec: Coord,
    /// Slave_SQL_Running = Yes.
    pub sql_running: bool,
    /// Last_IO_Error and Last_SQL_Error, joined.
    pub error: String,
}

fn text(row: &mysql::Row, column: &str) -> String {
    row.get_opt::<Option<String>, _>(column)
        .and_then(|r| r.ok())
        .flatten()
        .unwrap_or_default()
}

/// `SHOW SLAVE STATUS`.
pub fn slave_status(conn: &mut mysql::Conn) -> Result<SlaveStatus> {
    let Some(row) = conn
        .query_first::<mysql::Row, _>("SHOW SLAVE STATUS")
        .context("SHOW SLAVE STATUS")?
    else {
        bail!("SHOW SLAVE STATUS is empty: replication is not configured");
    };
    let num = |c: &str| text(&row, c).parse::<u64>().unwrap_or(0);
    let errors = [text(&row, "Last_IO_Error"), text(&row, "Last_SQL_Error")];
    Ok(SlaveStatus {
        read: (text(&row, "Master_Log_File"), num("Read_Master_Log_Pos")),
        exec: (
            text(&row, "Relay_Master_Log_File"),
            num("Exec_Master_Log_Pos"),
        ),
        sql_running: text(&row, "Slave_SQL_Running") == "Yes",
        error: errors
            .into_iter()
            .filter(|e| !e.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    })
}

/// `SHOW MASTER STATUS`: the end of the source's binary log.
pub fn master_end(conn: &mut mysql::Conn) -> Result<Coord> {
    let row: mysql::Row = conn
        .query_first("SHOW MASTER STATUS")
        .context("SHOW MASTER STATUS")?
        .context("SHOW MASTER STATUS is empty: is log_bin on?")?;
    Ok((text(&row, "File"), text(&row, "Position").parse()?))
}

/// The source's first binary log file name.
pub fn first_binlog(conn: &mut mysql::Conn) -> Result<String> {
    let row: Option<mysql::Row> = conn
        .query_first("SHOW BINARY LOGS")
        .context("SHOW BINARY LOGS")?;
    let name = row.map(|r| text(&r, "Log_name")).unwrap_or_default();
    if name.is_empty() {
        bail!("the source has no binary log");
    }
    Ok(name)
}

/// The InnoDB history list length and dirty pages when the applier has caught up (every run),
/// and, when the replica runs with `performance_schema=ON` and wait instruments enabled, where
/// the applier's threads spent their waits (one line per instrument: thread, event, count,
/// milliseconds), the server's top waits overall, synchronisation waits by thread kind and
/// reads per file. The instrumentation is an experiment knob
/// (`CATCHUP_REPLICA_CNF="performance_schema=ON;performance-schema-instrument=wait/%=ON"`), off
/// in recorded runs because it costs the server CPU.
pub fn wait_profile(conn: &mut mysql::Conn) -> String {
    let mut out = String::new();
    let queries = [
        "SELECT t.NAME, w.EVENT_NAME, w.COUNT_STAR, w.SUM_TIMER_WAIT DIV 1000000000 \
         FROM performance_schema.events_waits_summary_by_thread_by_event_name w \
         JOIN performance_schema.threads t USING (THREAD_ID) \
         WHERE w.COUNT_STAR > 0 AND t.NAME IN ('thread/sql/slave_sql', 'thread/sql/slave_worker') \
         ORDER BY w.SUM_TIMER_WAIT DESC LIMIT 40",
        "SELECT 'all threads', EVENT_NAME, COUNT_STAR, SUM_TIMER_WAIT DIV 1000000000 \
         FROM performance_schema.events_waits_summary_global_by_event_name \
         WHERE COUNT_STAR > 0 ORDER BY SUM_TIMER_WAIT DESC LIMIT 30",
        // Who waits on the synchronisation objects (by thread kind): the applier's latch waits
        // are only half the story without the threads it shares them with (purge, probes).
        "SELECT t.NAME, w.EVENT_NAME, CAST(SUM(w.COUNT_STAR) AS UNSIGNED), \
         CAST(SUM(w.SUM_TIMER_WAIT) DIV 1000000000 AS UNSIGNED) \
         FROM performance_schema.events_waits_summary_by_thread_by_event_name w \
         JOIN performance_schema.threads t USING (THREAD_ID) \
         WHERE w.COUNT_STAR > 0 AND w.EVENT_NAME LIKE 'wait/synch/%' \
         GROUP BY t.NAME, w.EVENT_NAME ORDER BY 4 DESC LIMIT 20",
        // How far purge is behind when the applier has caught up.
        "SELECT 'status', VARIABLE_NAME, CAST(VARIABLE_VALUE AS UNSIGNED), 0 \
         FROM information_schema.GLOBAL_STATUS \
         WHERE VARIABLE_NAME IN ('INNODB_HISTORY_LIST_LENGTH', 'INNODB_BUFFER_POOL_PAGES_DIRTY')",
        // Which files the reads went to (all threads): undo and system pages live in ibdata1.
        "SELECT 'file reads', FILE_NAME, COUNT_READ, SUM_TIMER_READ DIV 1000000000 \
         FROM performance_schema.file_summary_by_instance \
         WHERE COUNT_READ > 0 ORDER BY SUM_TIMER_READ DESC LIMIT 10",
    ];
    for q in queries {
        let rows: Vec<(String, String, u64, u64)> = conn.query(q).unwrap_or_default();
        for (thread, event, count, ms) in rows {
            out.push_str(&format!("{thread}\t{event}\t{count}\t{ms} ms\n"));
        }
    }
    out
}
