//! Session set-up per mode (the statements a worker connection runs once after connecting) and
//! the per-probe session context (default db, sql_mode, charset) with only the changes applied.
//! Pure: produces statements and decisions; the connection code in `worker` runs them.

use crate::plan::{Mode, Session};
use crate::replica::Flavor;

/// One set-up statement and whether the mode is unsafe without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupStmt {
    /// The statement.
    pub sql: String,
    /// Refuse to run probes on this connection when it fails.
    pub required: bool,
}

fn stmt(sql: impl Into<String>, required: bool) -> SetupStmt {
    SetupStmt {
        sql: sql.into(),
        required,
    }
}

/// The statements that make a fresh connection safe for `mode`.
///
/// * select: `SET SESSION TRANSACTION READ ONLY` is required — the server then rejects any write
///   from this session whatever SQL reaches it.
/// * fake-changes / rollback: `autocommit = 0` is required, so a DML statement can never be
///   committed implicitly: the executor brackets it with BEGIN … ROLLBACK, and a dropped
///   connection rolls back too. fake-changes additionally requires `innodb_fake_changes = 1`.
/// * every mode: the shortest row-lock wait the server allows (`innodb_lock_wait_timeout` 0 on
///   MariaDB 10.3+, i.e. never wait: a probe that meets the applier's lock gives up at once
///   instead of queueing; 1 s elsewhere) and a 1 s metadata-lock wait (`lock_wait_timeout`), a
///   statement time limit, and `sql_log_bin = 0` where the user may set it.
/// * select: `eq_range_index_dive_limit = 1`. Almost every select-mode probe names its index
///   (`FORCE INDEX`), yet MariaDB (and MySQL before 8.0.17) still estimates each IN-list value
///   by descending the index ("index dive") before reading it; with the limit at 1 the estimate
///   comes from index statistics. Measured on MariaDB 10.11 with a warm pool: a 16-entry
///   secondary-index probe cost 122 µs of server CPU instead of 167 µs (primary-key lists are
///   not dived). The few probes without `FORCE INDEX` (a statement's own WHERE on non-pinned
///   rows) may then pick their index from statistics rather than dives: only what gets
///   prefetched can differ, never what is written. The DML modes run the original statement
///   and keep the server's setting, so their plans match the applier's.
pub fn setup_statements(mode: Mode, flavor: &Flavor, timeout_ms: u64) -> Vec<SetupStmt> {
    let mut v = Vec::new();
    match mode {
        Mode::Select => {
            v.push(stmt("SET SESSION TRANSACTION READ ONLY", true));
            v.push(stmt("SET SESSION eq_range_index_dive_limit = 1", false));
        }
        Mode::FakeChanges => {
            v.push(stmt("SET SESSION autocommit = 0", true));
            v.push(stmt("SET SESSION innodb_fake_changes = 1", true));
        }
        Mode::Rollback => v.push(stmt("SET SESSION autocommit = 0", true)),
    }
    v.push(stmt(
        format!(
            "SET SESSION innodb_lock_wait_timeout = {}",
            flavor.min_innodb_lock_wait_timeout()
        ),
        false,
    ));
    v.push(stmt("SET SESSION lock_wait_timeout = 1", false));
    if let Some(sql) = flavor.statement_time_limit_sql(timeout_ms) {
        v.push(stmt(sql, false));
    }
    // Needs SUPER / BINLOG ADMIN; a read-only session writes nothing to the binlog anyway.
    v.push(stmt(
        "SET SESSION sql_log_bin = 0",
        mode.takes_locks() && flavor.percona,
    ));
    v
}

/// sql_mode bits (from the Query event's status variables) that change how a statement parses or
/// evaluates in a SELECT; the others (strictness, zero dates, engine substitution ...) only matter
/// for writes and are left at the server default. Values from MySQL's `sql_mode` bit layout, which
/// MariaDB shares for these bits.
const PARSE_MODES: &[(u64, &str)] = &[
    (1, "REAL_AS_FLOAT"),
    (2, "PIPES_AS_CONCAT"),
    (4, "ANSI_QUOTES"),
    (8, "IGNORE_SPACE"),
    (64, "NO_UNSIGNED_SUBTRACTION"),
    (1 << 20, "NO_BACKSLASH_ESCAPES"),
    (1 << 29, "HIGH_NOT_PRECEDENCE"),
    (1 << 31, "PAD_CHAR_TO_FULL_LENGTH"),
];

/// The `sql_mode` value to set for a statement logged with `bits`.
pub fn sql_mode_text(bits: u64) -> String {
    PARSE_MODES
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

/// What the connection currently has, so only changes are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionState {
    db: Option<String>,
    sql_mode: Option<u64>,
    charset: Option<(u16, u16, u16)>,
}

/// The changes needed to run a probe under `want`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionChange {
    /// `USE` this database (COM_INIT_DB, no quoting needed).
    pub use_db: Option<String>,
    /// SET statements to run.
    pub set: Vec<String>,
}

impl SessionState {
    /// Forget everything (after a reconnect).
    pub fn reset(&mut self) {
        *self = SessionState::default();
    }

    /// What to send before a probe needing `want`; `collation` maps a collation id to its
    /// (collation name, character set name) (ids the server does not know are left alone).
    /// Records the new state.
    pub fn change_to(
        &mut self,
        want: &Session,
        collation: impl Fn(u16) -> Option<(String, String)>,
    ) -> SessionChange {
        let mut ch = SessionChange::default();
        if want.db.is_some() && want.db != self.db {
            ch.use_db = want.db.clone();
            self.db = want.db.clone();
        }
        if let Some(bits) = want.sql_mode {
            let bits = parse_bits(bits);
            if self.sql_mode != Some(bits) {
                ch.set
                    .push(format!("SET SESSION sql_mode = '{}'", sql_mode_text(bits)));
                self.sql_mode = Some(bits);
            }
        }
        if let Some(cs @ (client, conn, _)) = want.charset
            && self.charset != Some(cs)
        {
            if let (Some((_, client_cs)), Some((conn_coll, _))) =
                (collation(client), collation(conn))
            {
                // Names come from the server's own collation table: identifiers, not user data.
                ch.set.push(format!(
                    "SET SESSION character_set_client = '{client_cs}', \
                     collation_connection = '{conn_coll}'"
                ));
            }
            self.charset = Some(cs);
        }
        ch
    }
}

fn parse_bits(bits: u64) -> u64 {
    PARSE_MODES
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .fold(0, |a, (b, _)| a | b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_session_is_read_only_with_limits() {
        let f = Flavor::parse("10.11.6-MariaDB", "");
        let v = setup_statements(Mode::Select, &f, 800);
        assert_eq!(v[0].sql, "SET SESSION TRANSACTION READ ONLY");
        assert!(v[0].required);
        assert!(
            v.iter()
                .any(|s| s.sql == "SET SESSION max_statement_time = 0.800")
        );
        assert!(
            v.iter()
                .any(|s| s.sql == "SET SESSION eq_range_index_dive_limit = 1" && !s.required)
        );
        assert!(
            v.iter()
                .any(|s| s.sql == "SET SESSION innodb_lock_wait_timeout = 0")
        );
        let m = setup_statements(Mode::Select, &Flavor::parse("8.0.36", ""), 800);
        assert!(
            m.iter()
                .any(|s| s.sql == "SET SESSION innodb_lock_wait_timeout = 1")
        );
        assert!(
            m.iter()
                .any(|s| s.sql == "SET SESSION max_execution_time = 800")
        );
    }

    #[test]
    fn dml_modes_never_autocommit() {
        let f = Flavor::parse("5.6.51-91.0", "Percona Server");
        for mode in [Mode::Rollback, Mode::FakeChanges] {
            let v = setup_statements(mode, &f, 1000);
            assert!(
                v.iter()
                    .any(|s| s.sql == "SET SESSION autocommit = 0" && s.required)
            );
            assert!(!v.iter().any(|s| s.sql.contains("READ ONLY")));
            assert!(
                !v.iter()
                    .any(|s| s.sql.contains("eq_range_index_dive_limit"))
            );
        }
        let v = setup_statements(Mode::FakeChanges, &f, 1000);
        assert!(
            v.iter()
                .any(|s| s.sql.contains("innodb_fake_changes = 1") && s.required)
        );
    }

    #[test]
    fn only_changes_are_sent() {
        let mut st = SessionState::default();
        let want = Session {
            db: Some("sbtest".into()),
            sql_mode: Some(4 | (1 << 21)), // ANSI_QUOTES | STRICT_TRANS_TABLES
            charset: Some((45, 45, 8)),
        };
        let names =
            |id: u16| (id == 45).then(|| ("utf8mb4_general_ci".to_string(), "utf8mb4".to_string()));
        let ch = st.change_to(&want, names);
        assert_eq!(ch.use_db.as_deref(), Some("sbtest"));
        assert_eq!(ch.set[0], "SET SESSION sql_mode = 'ANSI_QUOTES'");
        assert_eq!(
            ch.set[1],
            "SET SESSION character_set_client = 'utf8mb4', collation_connection = 'utf8mb4_general_ci'"
        );
        assert_eq!(st.change_to(&want, names), SessionChange::default());
        let other = Session {
            db: Some("other".into()),
            ..want.clone()
        };
        let ch = st.change_to(&other, names);
        assert_eq!(ch.use_db.as_deref(), Some("other"));
        assert!(ch.set.is_empty());
    }
}
