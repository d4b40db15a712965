//! One row of SHOW REPLICA STATUS / SHOW SLAVE STATUS, parsed by column name so the same code reads
//! MySQL 8.0.22+'s Source/Replica names and the older Master/Slave names (MySQL 5.7, 8.0 before
//! 8.0.22, every MariaDB). Also [`RelayCoord`], the comparable form of a relay-log position.
//!
//! Parallel appliers (MariaDB `slave_parallel_threads`, MySQL `replica_parallel_workers`):
//! `Relay_Log_Pos` is then the low-water mark — every transaction before it is applied, some after
//! it may be too (one per applier thread; on MySQL up to a checkpoint group more, as its
//! multithreaded applier reports only checkpoints). Treating it as the applier's position is the
//! safe side for prefetching: probes for transactions just past it may be late (harmless), never
//! wrongly dropped as "already applied". The daemon keeps probes that distance further ahead
//! (`daemon::applier_distances`).

use crate::error::{Error, ErrorKind, Result};

/// A relay-log position in comparable form: the relay file's sequence number (the numeric
/// extension, `relay-bin.000042` → 42) and the byte offset in it. Comparing file *numbers* lets a
/// path from the reader ("/var/lib/mysql/relay-bin.000042") and a name from the server
/// ("./relay-bin.000042") agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RelayCoord {
    /// Numeric extension of the relay file.
    pub file_no: u64,
    /// Byte offset in that file.
    pub offset: u64,
}

impl RelayCoord {
    /// Build from a file name or path and an offset; `None` when the name has no numeric
    /// extension.
    pub fn new(file: &str, offset: u64) -> Option<RelayCoord> {
        let ext = file.rsplit_once('.')?.1;
        if ext.is_empty() || !ext.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(RelayCoord {
            file_no: ext.parse().ok()?,
            offset,
        })
    }
}

impl std::fmt::Display for RelayCoord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:06}:{}", self.file_no, self.offset)
    }
}

/// What the applier is doing, from one status row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// Relay_Log_File: the relay file the SQL thread is applying from.
    pub relay_log_file: String,
    /// Relay_Log_Pos: where the SQL thread stands in it (the start of the next transaction; the
    /// low-water mark with parallel appliers).
    pub relay_log_pos: u64,
    /// Relay_Source_Log_File / Relay_Master_Log_File: source binlog of the last applied event.
    pub exec_source_file: String,
    /// Exec_Source_Log_Pos / Exec_Master_Log_Pos.
    pub exec_source_pos: u64,
    /// Replica_IO_Running / Slave_IO_Running is "Yes".
    pub io_running: bool,
    /// Replica_SQL_Running / Slave_SQL_Running is "Yes".
    pub sql_running: bool,
    /// Seconds_Behind_Source / Seconds_Behind_Master (NULL while the SQL thread is stopped).
    pub seconds_behind: Option<u64>,
    /// Last_SQL_Errno when non-zero.
    pub last_sql_errno: Option<u32>,
    /// Executed_Gtid_Set (MySQL) or Gtid_Slave_Pos (MariaDB), when present.
    pub executed_gtids: Option<String>,
    /// SQL_Delay: the configured delay (`MASTER_DELAY` / `SOURCE_DELAY`) in seconds; 0 when none.
    pub sql_delay: u64,
    /// SQL_Remaining_Delay: set while the applier waits for an event's delay to expire (it is
    /// on schedule then, not lagging); NULL otherwise.
    pub sql_remaining_delay: Option<u64>,
}

impl ReplicaStatus {
    /// Parse one row given as (column name, value) pairs; NULL is `None`. Either column set works.
    pub fn from_columns<'a, I>(cols: I) -> Result<ReplicaStatus>
    where
        I: IntoIterator<Item = (&'a str, Option<&'a str>)>,
    {
        let row: Vec<(&str, Option<&str>)> = cols.into_iter().collect();
        let get = |names: &[&str]| -> Option<&str> {
            row.iter()
                .find(|(n, _)| names.iter().any(|w| n.eq_ignore_ascii_case(w)))
                .and_then(|(_, v)| *v)
        };
        let need = |names: &[&str]| -> Result<&str> {
            get(names).ok_or_else(|| {
                Error::new(
                    ErrorKind::Server,
                    format!("replica status has no value for {}", names[0]),
                )
            })
        };
        let num = |names: &[&str]| -> Result<u64> {
            let v = need(names)?;
            v.trim().parse().map_err(|_| {
                Error::new(
                    ErrorKind::Server,
                    format!("replica status {} is not a number: {v:?}", names[0]),
                )
            })
        };
        let yes = |names: &[&str]| get(names).is_some_and(|v| v.eq_ignore_ascii_case("yes"));
        Ok(ReplicaStatus {
            relay_log_file: need(&["Relay_Log_File"])?.to_string(),
            relay_log_pos: num(&["Relay_Log_Pos"])?,
            exec_source_file: get(&["Relay_Source_Log_File", "Relay_Master_Log_File"])
                .unwrap_or("")
                .to_string(),
            exec_source_pos: num(&["Exec_Source_Log_Pos", "Exec_Master_Log_Pos"]).unwrap_or(0),
            io_running: yes(&["Replica_IO_Running", "Slave_IO_Running"]),
            sql_running: yes(&["Replica_SQL_Running", "Slave_SQL_Running"]),
            seconds_behind: get(&["Seconds_Behind_Source", "Seconds_Behind_Master"])
                .and_then(|v| v.trim().parse().ok()),
            last_sql_errno: get(&["Last_SQL_Errno"])
                .and_then(|v| v.trim().parse().ok())
                .filter(|&n: &u32| n != 0),
            executed_gtids: get(&["Executed_Gtid_Set", "Gtid_Slave_Pos"])
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            sql_delay: get(&["SQL_Delay"])
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            sql_remaining_delay: get(&["SQL_Remaining_Delay"]).and_then(|v| v.trim().parse().ok()),
        })
    }

    /// How far the applier is behind beyond its configured delay: Seconds_Behind counts from
    /// the event's time, so on a delayed replica that is on schedule it equals the delay.
    pub fn lag_beyond_delay(&self) -> Option<u64> {
        self.seconds_behind
            .map(|s| s.saturating_sub(self.sql_delay))
    }

    /// The applier's position in comparable form.
    pub fn relay_coord(&self) -> Option<RelayCoord> {
        RelayCoord::new(&self.relay_log_file, self.relay_log_pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Column names and values of a MySQL 8.0.36 `SHOW REPLICA STATUS` row (abridged to the
    /// columns that matter plus neighbours, in server order).
    const MYSQL8_REPLICA: &[(&str, Option<&str>)] = &[
        ("Replica_IO_State", Some("Waiting for source to send event")),
        ("Source_Host", Some("10.0.0.5")),
        ("Source_User", Some("repl")),
        ("Source_Port", Some("3306")),
        ("Connect_Retry", Some("60")),
        ("Source_Log_File", Some("binlog.000012")),
        ("Read_Source_Log_Pos", Some("98765432")),
        ("Relay_Log_File", Some("replica-relay-bin.000034")),
        ("Relay_Log_Pos", Some("4567")),
        ("Relay_Source_Log_File", Some("binlog.000011")),
        ("Replica_IO_Running", Some("Yes")),
        ("Replica_SQL_Running", Some("Yes")),
        ("Last_Errno", Some("0")),
        ("Last_Error", Some("")),
        ("Skip_Counter", Some("0")),
        ("Exec_Source_Log_Pos", Some("123456")),
        ("Relay_Log_Space", Some("99999999")),
        ("Seconds_Behind_Source", Some("742")),
        ("Last_SQL_Errno", Some("0")),
        ("Last_SQL_Error", Some("")),
        ("Source_UUID", Some("3e11fa47-71ca-11e1-9e33-c80aa9429562")),
        ("SQL_Delay", Some("0")),
        ("SQL_Remaining_Delay", None),
        (
            "Executed_Gtid_Set",
            Some("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5000"),
        ),
    ];

    /// The same server answering `SHOW SLAVE STATUS` (deprecated names), SQL thread stopped.
    const MYSQL8_SLAVE: &[(&str, Option<&str>)] = &[
        ("Slave_IO_State", Some("Waiting for source to send event")),
        ("Master_Host", Some("10.0.0.5")),
        ("Master_Log_File", Some("binlog.000012")),
        ("Read_Master_Log_Pos", Some("98765432")),
        ("Relay_Log_File", Some("./replica-relay-bin.000035")),
        ("Relay_Log_Pos", Some("4")),
        ("Relay_Master_Log_File", Some("binlog.000012")),
        ("Slave_IO_Running", Some("Yes")),
        ("Slave_SQL_Running", Some("No")),
        ("Exec_Master_Log_Pos", Some("157")),
        ("Seconds_Behind_Master", None),
        ("Last_SQL_Errno", Some("1146")),
        (
            "Last_SQL_Error",
            Some("Error executing row event: 'Table 'a.b' doesn't exist'"),
        ),
        ("Executed_Gtid_Set", Some("")),
    ];

    #[test]
    fn parses_show_replica_status_names() {
        let s = ReplicaStatus::from_columns(MYSQL8_REPLICA.iter().copied()).unwrap();
        assert_eq!(s.relay_log_file, "replica-relay-bin.000034");
        assert_eq!(s.relay_log_pos, 4567);
        assert_eq!(s.exec_source_file, "binlog.000011");
        assert_eq!(s.exec_source_pos, 123456);
        assert!(s.io_running && s.sql_running);
        assert_eq!(s.seconds_behind, Some(742));
        assert_eq!(s.last_sql_errno, None);
        assert_eq!(
            s.relay_coord(),
            Some(RelayCoord {
                file_no: 34,
                offset: 4567
            })
        );
        assert!(s.executed_gtids.unwrap().ends_with(":1-5000"));
    }

    #[test]
    fn parses_show_slave_status_names() {
        let s = ReplicaStatus::from_columns(MYSQL8_SLAVE.iter().copied()).unwrap();
        assert_eq!(s.relay_log_file, "./replica-relay-bin.000035");
        assert_eq!(s.exec_source_pos, 157);
        assert!(s.io_running);
        assert!(!s.sql_running);
        assert_eq!(s.seconds_behind, None);
        assert_eq!(s.last_sql_errno, Some(1146));
        assert_eq!(s.executed_gtids, None);
        assert_eq!(s.relay_coord().unwrap().file_no, 35);
    }

    #[test]
    fn a_delayed_replica_lags_only_beyond_its_delay() {
        let plain = ReplicaStatus::from_columns(MYSQL8_REPLICA.iter().copied()).unwrap();
        assert_eq!((plain.sql_delay, plain.sql_remaining_delay), (0, None));
        assert_eq!(plain.lag_beyond_delay(), Some(742));
        // MariaDB 10.11, MASTER_DELAY=3600 (Slave_SQL_Running and the rest left out).
        let delayed = |behind: &'static str, remaining: Option<&'static str>| {
            ReplicaStatus::from_columns([
                ("Relay_Log_File", Some("relay-bin.000002")),
                ("Relay_Log_Pos", Some("552")),
                ("Seconds_Behind_Master", Some(behind)),
                ("SQL_Delay", Some("3600")),
                ("SQL_Remaining_Delay", remaining),
            ])
            .unwrap()
        };
        // The applier waiting on the next event's delay.
        let waiting = delayed("3598", Some("2"));
        assert_eq!(waiting.sql_delay, 3600);
        assert_eq!(waiting.sql_remaining_delay, Some(2));
        assert_eq!(waiting.lag_beyond_delay(), Some(0));
        let late = delayed("3700", None);
        assert_eq!(late.lag_beyond_delay(), Some(100));
    }

    #[test]
    fn missing_relay_position_is_an_error() {
        let e = ReplicaStatus::from_columns([("Slave_SQL_Running", Some("Yes"))]).unwrap_err();
        assert!(e.message().contains("Relay_Log_File"));
        let e = ReplicaStatus::from_columns([
            ("Relay_Log_File", Some("r.000001")),
            ("Relay_Log_Pos", Some("x")),
        ])
        .unwrap_err();
        assert!(e.message().contains("not a number"));
    }

    #[test]
    fn relay_coords_compare_across_spellings() {
        let a = RelayCoord::new("/var/lib/mysql/relay-bin.000042", 100).unwrap();
        let b = RelayCoord::new("./relay-bin.000042", 100).unwrap();
        assert_eq!(a, b);
        assert!(RelayCoord::new("relay-bin.000043", 4).unwrap() > a);
        assert!(RelayCoord::new("relay-bin.index", 4).is_none());
    }
}
