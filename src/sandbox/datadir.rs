//! Fresh MariaDB datadirs. `mariadb-install-db` runs once per (server binary, options, user) and
//! its output is kept as a template under the system temp dir; every sandbox server then gets a
//! plain copy of it, which takes tens of milliseconds instead of most of a second. The template is
//! published with an atomic rename, so parallel test processes never see a half-built one.
//! Does not configure or start servers (see `cnf` and `server`).

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::binaries::Binaries;
use crate::{Error, ErrorKind, Result};

/// InnoDB redo log size used for bootstrap and, unless overridden, at run time (small: fast start).
pub const REDO_LOG_SIZE: &str = "16M";

/// Marker written into a template once it is complete.
const COMPLETE: &str = "relay-prefetch-template-complete";

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.into();
    move |e| Error::new(ErrorKind::Io, context).with_source(e)
}

/// Whether this process runs as root (the server then needs `--user=root`).
pub fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

fn os_user() -> String {
    if running_as_root() {
        return "root".into();
    }
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| rustix::process::geteuid().as_raw().to_string())
}

/// Run `mariadb-install-db` into `datadir` (which must not exist or be empty).
///
/// The bootstrap server gets a tmpdir of its own: with the shared `/tmp`, concurrent bootstraps
/// (parallel test binaries on a fresh machine) break each other: a starting server deletes every
/// `#sql*` file in its tmpdir, including another bootstrap's temporary tables, which then fails
/// with `Unknown table 'mysql.tmp_user_sys'`.
pub fn install(bins: &Binaries, datadir: &Path) -> Result<()> {
    let parent = datadir.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(format!("creating {}", parent.display())))?;
    let tmp = tempfile::Builder::new()
        .prefix("bootstrap-tmp-")
        .tempdir_in(parent)
        .map_err(io(format!("creating a tmpdir in {}", parent.display())))?;
    let out = Command::new(&bins.install_db)
        .arg("--no-defaults")
        .arg("--auth-root-authentication-method=normal")
        .arg(format!("--datadir={}", datadir.display()))
        .arg(format!("--user={}", os_user()))
        .arg("--skip-test-db")
        .arg(format!("--innodb-log-file-size={REDO_LOG_SIZE}"))
        .arg("--innodb-buffer-pool-size=16M")
        .arg(format!("--tmpdir={}", tmp.path().display()))
        .output()
        .map_err(io(format!("running {}", bins.install_db.display())))?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stderr) + String::from_utf8_lossy(&out.stdout);
    let tail: String = text.lines().rev().take(15).collect::<Vec<_>>().join("\n");
    Err(Error::new(
        ErrorKind::Server,
        format!(
            "{} --datadir={} failed ({}); last output lines (newest first):\n{tail}",
            bins.install_db.display(),
            datadir.display(),
            out.status
        ),
    ))
}

fn template_key(bins: &Binaries) -> String {
    let mut h = DefaultHasher::new();
    for p in [&bins.mariadbd, &bins.install_db] {
        p.hash(&mut h);
        if let Ok(m) = p.metadata() {
            m.len().hash(&mut h);
            m.modified().ok().hash(&mut h);
        }
    }
    (os_user(), REDO_LOG_SIZE, "v1").hash(&mut h);
    format!("{:016x}", h.finish())
}

fn template_root() -> PathBuf {
    let uid = rustix::process::geteuid().as_raw();
    std::env::temp_dir().join(format!("relay-prefetch-templates-{uid}"))
}

/// The template datadir, built if needed.
fn template(bins: &Binaries) -> Result<PathBuf> {
    let root = template_root();
    let dest = root.join(template_key(bins));
    if dest.join(COMPLETE).is_file() {
        return Ok(dest);
    }
    fs::create_dir_all(&root).map_err(io(format!("creating {}", root.display())))?;
    let work = tempfile::Builder::new()
        .prefix("building-")
        .tempdir_in(&root)
        .map_err(io(format!("creating a directory in {}", root.display())))?;
    let data = work.path().join("data");
    install(bins, &data)?;
    fs::write(data.join(COMPLETE), b"").map_err(io("writing template marker"))?;
    // Losing the race to another process is fine: its template is equally good.
    if fs::rename(&data, &dest).is_err() && !dest.join(COMPLETE).is_file() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("could not publish datadir template {}", dest.display()),
        ));
    }
    Ok(dest)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if entry.file_name() != COMPLETE {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Copy an existing datadir `from` (a stopped server's) to `to` (which must not exist yet).
pub fn copy_from(from: &Path, to: &Path) -> Result<()> {
    copy_tree(from, to).map_err(io(format!(
        "copying datadir {} to {}",
        from.display(),
        to.display()
    )))
}

/// Create a freshly bootstrapped datadir at `datadir` (which must not exist yet).
pub fn create(bins: &Binaries, datadir: &Path) -> Result<()> {
    let template = match template(bins) {
        Err(e) if e.kind() == ErrorKind::Server => return Err(e),
        other => other,
    };
    let copied = template.and_then(|t| {
        copy_tree(&t, datadir).map_err(io(format!(
            "copying datadir template {} to {}",
            t.display(),
            datadir.display()
        )))
    });
    if copied.is_ok() {
        return Ok(());
    }
    // A template removed by a temp cleaner mid-copy, a full disk ...: bootstrap directly instead.
    let _ = fs::remove_dir_all(datadir);
    install(bins, datadir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: parallel test binaries on a fresh machine bootstrap their templates at the same
    /// time; with a shared tmpdir a starting server deleted another's temporary tables. Skips where MariaDB is missing.
    #[test]
    fn concurrent_bootstraps_all_succeed() {
        let bins = match super::super::server_binaries() {
            Ok(b) => b,
            Err(e) => {
                eprintln!("skipped: {e}");
                return;
            }
        };
        let root = tempfile::tempdir().unwrap();
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let (bins, dir) = (&bins, root.path().join(format!("d{i}")));
                    s.spawn(move || {
                        // Staggered, so one server's start-up sweep of `#sql*` files in its
                        // tmpdir lands while another is using its temporary tables.
                        std::thread::sleep(std::time::Duration::from_millis(120 * i));
                        install(bins, &dir)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (i, r) in results.into_iter().enumerate() {
            if let Err(e) = r {
                panic!("bootstrap {i} failed: {e}");
            }
            let grants = root.path().join(format!("d{i}/mysql/global_priv.frm"));
            assert!(grants.exists(), "bootstrap {i} left no grant tables");
        }
    }
}
