//! How to reach the replica: [`ConnSpec`] (host/port or socket, user, password) → a `mysql::Conn`.
//! Every connection the daemon opens (status poller, workers, schema loader) goes through here so
//! time-outs and statement-cache size are set in one place. Credentials resolution (URL, option
//! file, environment) is `config`'s job, not this module's.

use std::time::Duration;

use mysql::{Conn, Opts, OptsBuilder};

use crate::error::{Error, ErrorKind, Result};

/// Where and as whom to connect.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnSpec {
    /// Host name or IP (ignored when `socket` is set).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Unix socket path.
    pub socket: Option<String>,
    /// User name.
    pub user: Option<String>,
    /// Password.
    pub password: Option<String>,
}

impl std::fmt::Debug for ConnSpec {
    // Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnSpec")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("socket", &self.socket)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl ConnSpec {
    /// "user@host:port" for logs (no password).
    pub fn display(&self) -> String {
        let user = self.user.as_deref().unwrap_or("");
        match &self.socket {
            Some(s) => format!("{user}@{s}"),
            None => format!("{user}@{}:{}", self.host, self.port),
        }
    }

    /// Open a connection. `read_timeout` bounds every round trip (a hung server must not hang a
    /// worker forever); `stmt_cache` is the per-connection prepared-statement cache size.
    pub fn connect(&self, read_timeout: Option<Duration>, stmt_cache: usize) -> Result<Conn> {
        let mut b = OptsBuilder::new()
            .user(self.user.clone())
            .pass(self.password.clone())
            .tcp_connect_timeout(Some(Duration::from_secs(5)))
            .read_timeout(read_timeout)
            .write_timeout(Some(Duration::from_secs(10)))
            .stmt_cache_size(stmt_cache)
            .prefer_socket(false);
        b = match &self.socket {
            Some(s) => b.socket(Some(s.clone())),
            None => b
                .ip_or_hostname(Some(self.host.clone()))
                .tcp_port(self.port),
        };
        Conn::new(Opts::from(b)).map_err(|e| {
            Error::new(
                ErrorKind::Server,
                format!("connecting to {}", self.display()),
            )
            .with_source(e)
        })
    }
}
