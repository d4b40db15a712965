//! One sandbox server: its own temporary directory (datadir, my.cnf, socket, error log), a
//! `mariadbd` child on a free loopback port, root connections, and teardown on drop (also when a
//! test panics). Replication between two servers is `Sandbox`'s job, not this file's.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use mysql::prelude::Queryable;

use super::options::{Layout, ServerOptions, render_cnf};
use super::process::{self, StartFailure};
use super::{binaries, datadir, port};
use crate::{Error, ErrorKind, Result};

/// How long a server may take to accept connections after spawning.
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// Clean-shutdown grace period before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(30);
/// Port collisions tolerated before giving up.
const PORT_ATTEMPTS: usize = 8;

/// A running (or deliberately stopped) sandbox `mariadbd`.
#[derive(Debug)]
pub struct Server {
    opts: ServerOptions,
    layout: Layout,
    /// Owns the directory: dropping it deletes everything (unless `keep_dir`).
    dir: Option<tempfile::TempDir>,
    mariadbd: PathBuf,
    port: u16,
    child: Option<Child>,
    /// Cleans up if this process dies without dropping us (see `process::spawn_watchdog`).
    watchdog: Option<Child>,
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.into();
    move |e| Error::new(ErrorKind::Io, context).with_source(e)
}

fn server_err(context: impl Into<String>) -> impl FnOnce(mysql::Error) -> Error {
    let context = context.into();
    move |e| Error::new(ErrorKind::Server, context).with_source(e)
}

impl Server {
    /// Bootstrap a datadir and start a standalone server (no replication).
    pub fn start(opts: ServerOptions) -> Result<Server> {
        let bins = binaries::server_binaries()?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("relay-prefetch-{}-", opts.name))
            .tempdir()
            .map_err(io("creating a sandbox directory"))?;
        let layout = Layout {
            root: dir.path().to_path_buf(),
        };
        fs::create_dir_all(layout.tmpdir()).map_err(io("creating the server tmpdir"))?;
        match &opts.datadir_from {
            Some(from) => datadir::copy_from(from, &layout.datadir())?,
            None => datadir::create(&bins, &layout.datadir())?,
        }
        let mut server = Server {
            opts,
            layout,
            dir: Some(dir),
            mariadbd: bins.mariadbd,
            port: 0,
            child: None,
            watchdog: None,
        };
        server.watchdog = process::spawn_watchdog(
            &server.layout.pid_file(),
            &server.layout.root,
            server.opts.keep_dir,
        );
        server.launch(true)?;
        Ok(server)
    }

    /// Spawn the server; with `pick_port`, on a fresh free port (retrying on collisions),
    /// otherwise on the port it had (restarts keep replication pointing at the right place).
    fn launch(&mut self, pick_port: bool) -> Result<()> {
        for _ in 0..PORT_ATTEMPTS {
            if pick_port {
                self.port = port::free_port()?;
            }
            let cnf = render_cnf(&self.opts, &self.layout, self.port);
            fs::write(self.layout.cnf(), cnf).map_err(io("writing my.cnf"))?;
            let log = self.layout.error_log();
            let log_from = fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
            let mut child = process::spawn(&self.mariadbd, &self.layout.cnf())?;
            let opts = self.opts_builder("root", None);
            let ready = || mysql::Conn::new(opts.clone()).is_ok();
            match process::wait_ready(&mut child, &log, log_from, START_TIMEOUT, ready) {
                Ok(()) => {
                    self.child = Some(child);
                    return Ok(());
                }
                Err(StartFailure::PortInUse) if pick_port => continue,
                Err(StartFailure::PortInUse) => {
                    return Err(Error::new(
                        ErrorKind::Server,
                        format!(
                            "{}: port {} is taken by another process",
                            self.name(),
                            self.port
                        ),
                    ));
                }
                Err(StartFailure::Other(e)) => return Err(e.context(self.name())),
            }
        }
        Err(Error::new(
            ErrorKind::Server,
            format!("{}: every port tried was taken", self.name()),
        ))
    }

    /// The server's name from its options.
    pub fn name(&self) -> &str {
        &self.opts.name
    }

    /// The options it was started with.
    pub fn options(&self) -> &ServerOptions {
        &self.opts
    }

    /// TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `mysql://root@127.0.0.1:PORT` (root has no password in a sandbox).
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    fn opts_builder(&self, user: &str, pass: Option<&str>) -> mysql::OptsBuilder {
        mysql::OptsBuilder::new()
            .ip_or_hostname(Some("127.0.0.1"))
            .tcp_port(self.port)
            .user(Some(user))
            .pass(pass)
            .prefer_socket(false)
            .tcp_connect_timeout(Some(Duration::from_secs(5)))
    }

    /// Connection options for command-line clients that take MySQL-style flags (`mariadb`,
    /// `mariadb-dump`): `--host=127.0.0.1 --port=PORT --user=root --protocol=TCP`.
    pub fn client_args(&self) -> Vec<String> {
        vec![
            "--host=127.0.0.1".into(),
            format!("--port={}", self.port),
            "--user=root".into(),
            "--protocol=TCP".into(),
        ]
    }

    /// The same for sysbench: `--mysql-host=127.0.0.1 --mysql-port=PORT --mysql-user=root`.
    pub fn sysbench_args(&self) -> Vec<String> {
        vec![
            "--mysql-host=127.0.0.1".into(),
            format!("--mysql-port={}", self.port),
            "--mysql-user=root".into(),
        ]
    }

    /// A new connection as root.
    pub fn conn(&self) -> Result<mysql::Conn> {
        self.conn_as("root", None)
    }

    /// A new connection as `user`.
    pub fn conn_as(&self, user: &str, password: Option<&str>) -> Result<mysql::Conn> {
        mysql::Conn::new(self.opts_builder(user, password))
            .map_err(server_err(format!("{}: connecting as {user}", self.name())))
    }

    /// Run statements in order on one root connection.
    pub fn exec(&self, statements: &[&str]) -> Result<()> {
        let mut conn = self.conn()?;
        for sql in statements {
            conn.query_drop(sql)
                .map_err(server_err(format!("{}: {sql}", self.name())))?;
        }
        Ok(())
    }

    /// The first column of the first row of `sql` as text (None for no row or NULL).
    pub fn query_string(&self, sql: &str) -> Result<Option<String>> {
        let mut conn = self.conn()?;
        let v: Option<Option<String>> = conn
            .query_first(sql)
            .map_err(server_err(format!("{}: {sql}", self.name())))?;
        Ok(v.flatten())
    }

    /// The server's private directory.
    pub fn dir(&self) -> &Path {
        &self.layout.root
    }

    /// The datadir.
    pub fn datadir(&self) -> PathBuf {
        self.layout.datadir()
    }

    /// The server's error log (look here when something fails).
    pub fn error_log(&self) -> PathBuf {
        self.layout.error_log()
    }

    /// The last `lines` lines of the error log, for diagnostics in test failures.
    pub fn error_log_tail(&self, lines: usize) -> String {
        process::log_tail(&self.layout.error_log(), 0, lines)
    }

    /// The Unix socket path.
    pub fn socket(&self) -> PathBuf {
        self.layout.socket()
    }

    /// The generated my.cnf.
    pub fn cnf_path(&self) -> PathBuf {
        self.layout.cnf()
    }

    /// The relay-log index file (exists once replication has been configured).
    pub fn relay_log_index(&self) -> PathBuf {
        self.layout.datadir().join("relay-bin.index")
    }

    /// The relay-log files listed in the index, oldest first, as absolute paths.
    pub fn relay_log_files(&self) -> Result<Vec<PathBuf>> {
        self.index_files(&self.relay_log_index())
    }

    /// The binary-log index file (when `log_bin`).
    pub fn binlog_index(&self) -> PathBuf {
        self.layout.datadir().join("binlog.index")
    }

    /// The binary-log files listed in the index, oldest first, as absolute paths.
    pub fn binlog_files(&self) -> Result<Vec<PathBuf>> {
        self.index_files(&self.binlog_index())
    }

    fn index_files(&self, index: &Path) -> Result<Vec<PathBuf>> {
        let text = fs::read_to_string(index).map_err(io(format!("reading {}", index.display())))?;
        let dir = index.parent().unwrap_or(Path::new("."));
        Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let p = Path::new(l.strip_prefix("./").unwrap_or(l));
                if p.is_absolute() {
                    p.to_path_buf()
                } else {
                    dir.join(p)
                }
            })
            .collect())
    }

    /// Create `user` with only SELECT and the privileges to read replication status (what
    /// `run --mode select` needs), without binlogging it. Returns its URL.
    pub fn create_select_user(&self, user: &str, password: &str) -> Result<String> {
        let create = format!("CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'");
        let grant =
            format!("GRANT SELECT, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO '{user}'@'%'");
        self.exec(&["SET SESSION sql_log_bin = 0", &create, &grant])?;
        Ok(format!("mysql://{user}:{password}@127.0.0.1:{}", self.port))
    }

    /// The child's process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// True while the server process is alive.
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Shut the server down cleanly (SIGTERM; SIGKILL and an error if it takes over 30 s).
    pub fn stop(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if process::terminate(&mut child, STOP_GRACE) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Server,
            format!(
                "{}: no clean shutdown within {STOP_GRACE:?}, killed",
                self.name()
            ),
        ))
    }

    /// Start a stopped server again on the same port and datadir.
    pub fn start_again(&mut self) -> Result<()> {
        if self.is_running() {
            return Ok(());
        }
        self.child = None;
        self.launch(false)
    }

    /// `stop` then `start_again`.
    pub fn restart(&mut self) -> Result<()> {
        self.stop()?;
        self.start_again()
    }

    /// Kill the server at once (SIGKILL, no clean shutdown): a crash, for fault tests.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        if let Some(mut child) = self.child.take() {
            process::terminate(&mut child, Duration::from_secs(10));
        }
        // Dropping `dir` deletes it, unless the options say to keep it.
        if let Some(dir) = self.dir.take()
            && self.opts.keep_dir
        {
            let kept = dir.keep();
            eprintln!("sandbox {}: kept {}", self.opts.name, kept.display());
        }
    }
}
