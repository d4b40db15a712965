//! How a probe ended, and the mapping from server errors to that classification. Every probe has
//! exactly one [`Outcome`]; the scheduler counts them. The error codes are the servers' own:
//! MariaDB ER_STATEMENT_TIMEOUT 1969, MySQL ER_QUERY_TIMEOUT 3024 (max_execution_time),
//! ER_LOCK_WAIT_TIMEOUT 1205, ER_LOCK_DEADLOCK 1213, and the ways a connection dies.

/// How a probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Ran to completion.
    Ok,
    /// Stopped by the statement time limit (or interrupted by KILL QUERY).
    Timeout,
    /// Gave up waiting for a row or metadata lock.
    LockWait,
    /// Chosen as a deadlock victim.
    Deadlock,
    /// The connection was lost or could not be made (the executor reconnects with back-off).
    ServerGone,
    /// Any other server error (syntax, missing table after DDL, privileges ...).
    Error,
    /// Not run: `--dry-run` logged it instead.
    DryRun,
}

impl Outcome {
    /// Every outcome, in metric-label order.
    pub const ALL: [Outcome; 7] = [
        Outcome::Ok,
        Outcome::Timeout,
        Outcome::LockWait,
        Outcome::Deadlock,
        Outcome::ServerGone,
        Outcome::Error,
        Outcome::DryRun,
    ];

    /// Metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Timeout => "timeout",
            Outcome::LockWait => "lock_wait",
            Outcome::Deadlock => "deadlock",
            Outcome::ServerGone => "server_gone",
            Outcome::Error => "error",
            Outcome::DryRun => "dry_run",
        }
    }

    /// Position in [`Outcome::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the page work it stood for can count as done (for the hit rate).
    pub fn finished(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::DryRun)
    }

    /// Classify a server error code.
    pub fn from_code(code: u16) -> Outcome {
        match code {
            // ER_STATEMENT_TIMEOUT (MariaDB), ER_QUERY_TIMEOUT (MySQL 5.7.8+), ER_QUERY_INTERRUPTED.
            1969 | 3024 | 1317 => Outcome::Timeout,
            // ER_LOCK_WAIT_TIMEOUT (row locks and, with lock_wait_timeout, metadata locks).
            1205 => Outcome::LockWait,
            1213 => Outcome::Deadlock,
            // ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED (MariaDB), ER_NEW_ABORTING_CONNECTION,
            // CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_CONN_HOST_ERROR.
            1053 | 1927 | 1184 | 2006 | 2013 | 2003 => Outcome::ServerGone,
            _ => Outcome::Error,
        }
    }

    /// Classify a client error.
    pub fn from_mysql(e: &mysql::Error) -> Outcome {
        match e {
            mysql::Error::MySqlError(m) => Outcome::from_code(m.code),
            mysql::Error::IoError(_) | mysql::Error::CodecError(_) => Outcome::ServerGone,
            mysql::Error::DriverError(
                mysql::DriverError::ConnectTimeout
                | mysql::DriverError::CouldNotConnect(_)
                | mysql::DriverError::PacketOutOfSync
                | mysql::DriverError::UnexpectedPacket
                | mysql::DriverError::Timeout,
            ) => Outcome::ServerGone,
            _ => Outcome::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classify() {
        assert_eq!(Outcome::from_code(1969), Outcome::Timeout);
        assert_eq!(Outcome::from_code(3024), Outcome::Timeout);
        assert_eq!(Outcome::from_code(1205), Outcome::LockWait);
        assert_eq!(Outcome::from_code(1213), Outcome::Deadlock);
        assert_eq!(Outcome::from_code(1927), Outcome::ServerGone);
        assert_eq!(Outcome::from_code(1146), Outcome::Error);
        let io = mysql::Error::IoError(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(Outcome::from_mysql(&io), Outcome::ServerGone);
        for (i, o) in Outcome::ALL.iter().enumerate() {
            assert_eq!(o.index(), i);
        }
    }
}
