//! Locates the MariaDB programs the sandbox runs (`mariadbd`, `mariadb-install-db`,
//! `mariadb-binlog`). Only finds them; never installs anything — that is `scripts/setup.sh`'s job,
//! and the error says so.

use std::env;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::{Error, ErrorKind, Result};

/// Environment variable naming a directory searched first for the MariaDB programs.
pub const BIN_DIR_ENV: &str = "RELAY_PREFETCH_MARIADB_BIN";

/// Paths of the server-side programs.
#[derive(Debug, Clone)]
pub struct Binaries {
    /// The server (`mariadbd`, or `mysqld` from MariaDB).
    pub mariadbd: PathBuf,
    /// The datadir bootstrapper (`mariadb-install-db` / `mysql_install_db`).
    pub install_db: PathBuf,
}

/// Directories searched after `$RELAY_PREFETCH_MARIADB_BIN` and `$PATH`: Debian puts the server in
/// /usr/sbin, which is not on a non-root user's PATH.
const EXTRA_DIRS: &[&str] = &[
    "/usr/sbin",
    "/usr/local/sbin",
    "/usr/bin",
    "/usr/local/bin",
    "/usr/local/mysql/bin",
];

fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = env::var_os(BIN_DIR_ENV) {
        dirs.push(PathBuf::from(d));
    }
    if let Some(p) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&p));
    }
    dirs.extend(EXTRA_DIRS.iter().map(PathBuf::from));
    dirs
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    find_in(&search_dirs(), names)
}

fn find_in(dirs: &[PathBuf], names: &[&str]) -> Option<PathBuf> {
    dirs.iter()
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn not_installed(what: &str) -> Error {
    Error::new(
        ErrorKind::Config,
        format!(
            "{what} not found (searched ${BIN_DIR_ENV}, $PATH, {}): MariaDB server is not \
             installed; run `bash scripts/setup.sh` (installs mariadb-server, mariadb-client)",
            EXTRA_DIRS.join(", ")
        ),
    )
}

/// The server programs, looked up once per process.
pub fn server_binaries() -> Result<Binaries> {
    static FOUND: OnceLock<Result<Binaries, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| lookup(&search_dirs()).map_err(|e| e.message().to_string()))
        .clone()
        .map_err(|m| Error::new(ErrorKind::Config, m))
}

fn lookup(dirs: &[PathBuf]) -> Result<Binaries> {
    Ok(Binaries {
        mariadbd: find_in(dirs, &["mariadbd", "mysqld"])
            .ok_or_else(|| not_installed("mariadbd"))?,
        install_db: find_in(dirs, &["mariadb-install-db", "mysql_install_db"])
            .ok_or_else(|| not_installed("mariadb-install-db"))?,
    })
}

/// `mariadb-binlog` (or `mysqlbinlog`), used by tests to cross-check the decoder.
pub fn mariadb_binlog() -> Result<PathBuf> {
    find_program(&["mariadb-binlog", "mysqlbinlog"]).ok_or_else(|| not_installed("mariadb-binlog"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_server_is_a_config_error_pointing_at_setup() {
        let empty = tempfile::tempdir().unwrap();
        let e = lookup(&[empty.path().to_path_buf()]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("mariadbd not found"), "{e}");
        assert!(e.message().contains("scripts/setup.sh"), "{e}");
    }

    #[test]
    fn finds_executables_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mariadbd");
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        let dirs = [dir.path().to_path_buf()];
        assert_eq!(find_in(&dirs, &["mariadbd"]), None, "not executable yet");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_in(&dirs, &["mysqld", "mariadbd"]), Some(p));
    }
}
