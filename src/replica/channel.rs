//! Which replication stream the daemon follows. A replica may apply several at once — MySQL's
//! replication channels (5.7+), MariaDB's named connections (multi-source, 10.0+) — each with its
//! own relay log and its own applier, and the daemon follows exactly one: the relay log it reads
//! and the position it compares against must belong to the same stream.
//!
//! Owns: listing the streams (`SHOW ALL SLAVES STATUS` on MariaDB, one row per channel of `SHOW
//! REPLICA STATUS` on MySQL), choosing one (`--channel NAME`; with no name the only stream, and a
//! clear error naming them all when there are several), the status statement for it (`SHOW SLAVE
//! 'name' STATUS`, `… FOR CHANNEL 'name'`), and the name the server gives that stream's relay-log
//! index. A plain `SHOW SLAVE STATUS` on MariaDB answers for `@@default_master_connection` only,
//! so a replica whose one connection is named looked like no replica at all before this.

use std::path::{Path, PathBuf};

use mysql::Conn;
use mysql::prelude::Queryable;

use super::flavor::{Family, Flavor};
use crate::error::{Error, ErrorKind, Result};

/// The stream the daemon follows and how to ask for its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// `None`: the server's default stream (MySQL's channel `''`, MariaDB's connection `''`).
    name: Option<String>,
    family: Family,
    statement: String,
}

impl Channel {
    /// The default stream: the statement without a channel clause.
    pub fn default_of(flavor: &Flavor) -> Channel {
        Channel {
            name: None,
            family: flavor.family,
            statement: flavor.status_statement().to_string(),
        }
    }

    /// The stream called `name` (the empty name is the default stream).
    pub fn named(flavor: &Flavor, name: &str) -> Channel {
        if name.is_empty() {
            return Channel::default_of(flavor);
        }
        let quoted = string_literal(name);
        let statement = match flavor.family {
            Family::MariaDb => format!("SHOW SLAVE {quoted} STATUS"),
            Family::MySql => format!("{} FOR CHANNEL {quoted}", flavor.status_statement()),
        };
        Channel {
            name: Some(name.to_string()),
            family: flavor.family,
            statement,
        }
    }

    /// The stream's name; `None` for the default one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The statement returning this stream's one status row.
    pub fn statement(&self) -> &str {
        &self.statement
    }

    /// This stream's relay-log index, given the server's `@@relay_log_index` (the default
    /// stream's). Both servers insert `-NAME` before the extension; MariaDB lower-cases the
    /// connection name first (it compares names case-insensitively). Names with characters
    /// other than letters, digits and `_` are encoded by the server for the file system in a way
    /// not reproduced here: the caller checks the file exists and otherwise asks for
    /// `--relay-log-index`.
    pub fn relay_log_index(&self, server_index: &Path) -> PathBuf {
        let Some(name) = &self.name else {
            return server_index.to_path_buf();
        };
        let name = match self.family {
            Family::MariaDb => name.to_lowercase(),
            Family::MySql => name.clone(),
        };
        let file = server_index
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let renamed = match file.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{name}.{ext}"),
            _ => format!("{file}-{name}"),
        };
        server_index.with_file_name(renamed)
    }

    /// List the replica's streams on `conn` and choose the one to follow: `requested`
    /// (`--channel`, matched case-insensitively as both servers do), else the only one. Errors
    /// name the streams there are when `requested` is not one of them, or when there are
    /// several and none was requested. No stream at all yields the default one (its status
    /// read then reports that the server is not a replica).
    pub fn resolve(conn: &mut Conn, flavor: &Flavor, requested: Option<&str>) -> Result<Channel> {
        let (stmt, column) = match flavor.family {
            Family::MariaDb => ("SHOW ALL SLAVES STATUS", "Connection_name"),
            Family::MySql => (flavor.status_statement(), "Channel_Name"),
        };
        let rows: Vec<mysql::Row> = conn
            .query(stmt)
            .map_err(|e| super::poller::status_error(stmt, e))?;
        let names: Vec<String> = rows
            .iter()
            .map(|row| {
                // MySQL 5.6 has no channels (and no such column): its one row is the default.
                row.columns_ref()
                    .iter()
                    .position(|c| c.name_str().eq_ignore_ascii_case(column))
                    .and_then(|i| row.as_ref(i))
                    .map(|v| match v {
                        mysql::Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                        _ => String::new(),
                    })
                    .unwrap_or_default()
            })
            .collect();
        choose(flavor, &names, requested)
    }

    /// Whether the server encodes this name in file names (see [`Channel::relay_log_index`]).
    pub fn name_is_plain(&self) -> bool {
        self.name
            .as_deref()
            .is_none_or(|n| n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    }
}

/// A string literal for `name`.
fn string_literal(name: &str) -> String {
    format!("'{}'", name.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Choose the stream to follow among those the replica has (`available`, as the server spells
/// them; `""` is the default stream). `requested` is `--channel`, matched case-insensitively as
/// both servers do.
fn choose(flavor: &Flavor, available: &[String], requested: Option<&str>) -> Result<Channel> {
    let word = match flavor.family {
        Family::MariaDb => "connection",
        Family::MySql => "channel",
    };
    match requested {
        Some(want) => available
            .iter()
            .find(|n| n.eq_ignore_ascii_case(want))
            .map(|n| Channel::named(flavor, n))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Config,
                    format!(
                        "the replica has no replication {word} {} (it has: {})",
                        string_literal(want),
                        list(available)
                    ),
                )
            }),
        None => match available {
            // Not a replica: the caller's status read says so, as before.
            [] => Ok(Channel::default_of(flavor)),
            [only] => Ok(Channel::named(flavor, only)),
            several => Err(Error::new(
                ErrorKind::Config,
                format!(
                    "the replica applies {} replication streams ({word}s {}): choose one with \
                     --channel NAME, and run one relay-prefetch per {word} that lags",
                    several.len(),
                    list(several)
                ),
            )),
        },
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| string_literal(n.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mariadb() -> Flavor {
        Flavor::parse("10.11.14-MariaDB-0+deb12u2", "")
    }
    fn mysql8() -> Flavor {
        Flavor::parse("8.0.36", "MySQL Community Server - GPL")
    }
    fn mysql57() -> Flavor {
        Flavor::parse("5.7.44-log", "MySQL Community Server (GPL)")
    }
    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn statements_name_the_stream_in_each_dialect() {
        assert_eq!(
            Channel::named(&mariadb(), "Src1").statement(),
            "SHOW SLAVE 'Src1' STATUS"
        );
        assert_eq!(
            Channel::named(&mysql8(), "east").statement(),
            "SHOW REPLICA STATUS FOR CHANNEL 'east'"
        );
        assert_eq!(
            Channel::named(&mysql57(), "east").statement(),
            "SHOW SLAVE STATUS FOR CHANNEL 'east'"
        );
        assert_eq!(
            Channel::named(&mysql8(), "").statement(),
            "SHOW REPLICA STATUS"
        );
        assert_eq!(Channel::named(&mysql8(), "").name(), None);
        // Quotes and backslashes cannot end the literal.
        assert_eq!(
            Channel::named(&mariadb(), r"a'b\").statement(),
            r"SHOW SLAVE 'a\'b\\' STATUS"
        );
    }

    #[test]
    fn relay_log_index_follows_each_servers_naming() {
        let idx = Path::new("/var/lib/mysql/relay-bin.index");
        assert_eq!(Channel::default_of(&mariadb()).relay_log_index(idx), idx);
        assert_eq!(
            Channel::named(&mariadb(), "Src1").relay_log_index(idx),
            Path::new("/var/lib/mysql/relay-bin-src1.index")
        );
        assert_eq!(
            Channel::named(&mysql8(), "East").relay_log_index(idx),
            Path::new("/var/lib/mysql/relay-bin-East.index")
        );
        assert_eq!(
            Channel::named(&mysql8(), "east").relay_log_index(Path::new("/d/relaylog")),
            Path::new("/d/relaylog-east")
        );
        assert!(Channel::named(&mysql8(), "east_1").name_is_plain());
        assert!(!Channel::named(&mysql8(), "east-1").name_is_plain());
    }

    #[test]
    fn one_stream_is_followed_without_being_named() {
        let c = choose(&mariadb(), &names(&["Src1"]), None).unwrap();
        assert_eq!(c.name(), Some("Src1"));
        let c = choose(&mysql8(), &names(&[""]), None).unwrap();
        assert_eq!(c.name(), None);
        assert_eq!(c.statement(), "SHOW REPLICA STATUS");
        // No stream at all: the status read reports "not a replica".
        assert_eq!(choose(&mysql8(), &[], None).unwrap().name(), None);
    }

    #[test]
    fn several_streams_need_a_name() {
        let err = choose(&mysql8(), &names(&["", "east", "west"]), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--channel"), "{err}");
        assert!(err.contains("'', 'east', 'west'"), "{err}");
        let c = choose(&mysql8(), &names(&["", "east", "west"]), Some("WEST")).unwrap();
        assert_eq!(c.name(), Some("west"));
        assert_eq!(c.statement(), "SHOW REPLICA STATUS FOR CHANNEL 'west'");
        let c = choose(&mysql8(), &names(&["", "east"]), Some("")).unwrap();
        assert_eq!(c.name(), None);
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_known_ones() {
        let err = choose(&mariadb(), &names(&["a", "b"]), Some("c"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no replication connection 'c' (it has: 'a', 'b')"),
            "{err}"
        );
        let err = choose(&mysql8(), &[], Some("c")).unwrap_err().to_string();
        assert!(err.contains("(it has: none)"), "{err}");
    }
}
