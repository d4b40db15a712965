//! Validated configuration built from the CLI (STYLE §2, phase two): defaults filled, credentials
//! resolved, each stage handed its own options. No module but this one and `cli`/`commands` sees
//! clap types; tests build a [`Config`] directly.
//!
//! Credentials never have to be on the command line: in order of precedence they come from the
//! `--replica` URL, the `[client]` section of `--defaults-file` (else `~/.my.cnf`), then the
//! `MYSQL_USER` / `MYSQL_PWD` environment — as the mysql client reads them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{ModeArg, RunArgs};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::Mode;
use crate::replica::ConnSpec;

/// Default keys per row-event probe (`--probe-keys`).
pub const DEFAULT_PROBE_KEYS: usize = 16;

/// Default keys per probe while the buffer pool is filling (`--probe-keys-filling`).
pub const DEFAULT_PROBE_KEYS_FILLING: usize = 64;
/// Default `--remember-mb`: enough for about 500,000 eight-byte keys.
pub const DEFAULT_REMEMBER_MB: usize = 16;

/// Everything `daemon::run` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The replica.
    pub replica: ConnSpec,
    /// Relay-log index (None: ask the server).
    pub relay_log_index: Option<PathBuf>,
    /// Replication channel / named connection to follow (None: the replica's only one).
    pub channel: Option<String>,
    /// Prefetch mode.
    pub mode: Mode,
    /// Probe worker connections (None: [`Config::DEFAULT_WORKERS`], or
    /// [`Config::DEFAULT_WORKERS_PARALLEL`] next to a parallel applier).
    pub workers: Option<usize>,
    /// Log probes instead of running them.
    pub dry_run: bool,
    /// Prometheus endpoint address.
    pub metrics_addr: Option<String>,
    /// Applier poll interval.
    pub poll_interval: Duration,
    /// Drop probes closer than this to the applier (transactions).
    pub min_ahead: u64,
    /// Window limit in transactions (None: derived from the replica).
    pub max_ahead: Option<u64>,
    /// Window limit in source seconds.
    pub max_ahead_secs: u64,
    /// Window limit in estimated pages (None: derived from the buffer pool).
    pub max_pages: Option<u64>,
    /// Keys per row-event probe (one round trip; the server reads them one after another, so
    /// smaller probes spread the reads over more workers).
    pub probe_keys: usize,
    /// Keys per probe while the buffer pool is filling (pages read stay cached).
    pub probe_keys_filling: usize,
    /// Megabytes of probed row keys remembered across batches while the pool fills (0: off).
    pub remember_mb: usize,
    /// Per-probe time limit.
    pub probe_timeout_ms: u64,
    /// Nice value for the server threads running probes (0: leave them alone).
    pub probe_nice: i32,
    /// Prefetch even when not lagging.
    pub always: bool,
    /// The conflict map (off only for benchmarks).
    pub conflict_map: bool,
    /// Whole-index warm-up while the pool has room (`sweep`); workers 0 = off.
    pub sweep: crate::sweep::SweepOptions,
    /// Schema from a file instead of the server.
    pub schema_file: Option<PathBuf>,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// How often the one-line status is logged.
    pub status_interval: Duration,
}

impl Config {
    /// Probe workers next to a single-threaded applier: enough to keep several reads in flight
    /// ahead of it (benches/README.md, "Scheduler" and "Probe threads yield the CPU").
    pub const DEFAULT_WORKERS: usize = 8;
    /// Probe workers next to a parallel applier, whose own threads already overlap their reads:
    /// more probe connections mostly take CPU from them (benches/README.md, "Fewer probe workers
    /// next to a parallel applier").
    pub const DEFAULT_WORKERS_PARALLEL: usize = 2;

    /// The probe workers to start, given the applier's parallel threads (0: single-threaded).
    pub fn probe_workers(&self, applier_threads: u64) -> usize {
        self.workers.unwrap_or(if applier_threads > 0 {
            Self::DEFAULT_WORKERS_PARALLEL
        } else {
            Self::DEFAULT_WORKERS
        })
    }

    /// Defaults for a replica (tests start from this).
    pub fn new(replica: ConnSpec) -> Config {
        Config {
            replica,
            relay_log_index: None,
            channel: None,
            mode: Mode::Select,
            workers: None,
            dry_run: false,
            metrics_addr: None,
            poll_interval: Duration::from_millis(20),
            min_ahead: 2,
            max_ahead: None,
            max_ahead_secs: 30,
            max_pages: None,
            probe_keys: DEFAULT_PROBE_KEYS,
            probe_keys_filling: DEFAULT_PROBE_KEYS_FILLING,
            remember_mb: DEFAULT_REMEMBER_MB,
            probe_timeout_ms: 1000,
            probe_nice: crate::exec::DEFAULT_PROBE_NICE,
            always: false,
            conflict_map: true,
            sweep: crate::sweep::SweepOptions::default(),
            schema_file: None,
            duration: None,
            status_interval: Duration::from_secs(5),
        }
    }

    /// Validate `run` arguments and resolve credentials.
    pub fn from_run_args(a: &RunArgs) -> Result<Config> {
        let home_cnf = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".my.cnf"));
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let replica = resolve_conn(
            &a.replica,
            a.defaults_file.as_deref(),
            home_cnf.as_deref(),
            (env("MYSQL_USER"), env("MYSQL_PWD")),
        )?;
        if a.workers.is_some_and(|w| w == 0 || w > 256) {
            return Err(cfg("--workers must be between 1 and 256"));
        }
        if !(10..=1000).contains(&a.poll_ms) {
            return Err(cfg("--poll-ms must be between 10 and 1000"));
        }
        if a.probe_timeout_ms == 0 {
            return Err(cfg("--probe-timeout-ms must be positive"));
        }
        if !(0..=19).contains(&a.probe_nice) {
            return Err(cfg("--probe-nice must be between 0 and 19"));
        }
        if a.max_ahead == Some(0) {
            return Err(cfg("--max-ahead must be positive"));
        }
        if a.max_pages == Some(0) {
            return Err(cfg("--max-pages must be positive"));
        }
        if a.sweep_workers > 16 {
            return Err(cfg("--sweep-workers must be between 0 and 16"));
        }
        if a.sweep_always && a.sweep_workers == 0 {
            return Err(cfg("--sweep-always needs --sweep-workers N (N > 0)"));
        }
        if a.remember_mb > 4096 {
            return Err(cfg("--remember-mb must be between 0 and 4096"));
        }
        if !(1..=1024).contains(&a.probe_keys) {
            return Err(cfg("--probe-keys must be between 1 and 1024"));
        }
        let probe_keys_filling = a
            .probe_keys_filling
            .unwrap_or(DEFAULT_PROBE_KEYS_FILLING.max(a.probe_keys));
        if !(1..=1024).contains(&probe_keys_filling) {
            return Err(cfg("--probe-keys-filling must be between 1 and 1024"));
        }
        if let Some(c) = &a.channel
            && (c.is_empty() || c.chars().count() > 64)
        {
            return Err(cfg("--channel must be a name of 1 to 64 characters"));
        }
        Ok(Config {
            relay_log_index: a.relay_log_index.clone(),
            channel: a.channel.clone(),
            mode: match a.mode {
                ModeArg::Select => Mode::Select,
                ModeArg::FakeChanges => Mode::FakeChanges,
                ModeArg::Rollback => Mode::Rollback,
            },
            workers: a.workers,
            dry_run: a.dry_run,
            metrics_addr: a.metrics_addr.clone(),
            poll_interval: Duration::from_millis(a.poll_ms),
            min_ahead: a.min_ahead,
            max_ahead: a.max_ahead,
            max_ahead_secs: a.max_ahead_secs,
            max_pages: a.max_pages,
            probe_keys: a.probe_keys,
            probe_keys_filling,
            remember_mb: a.remember_mb,
            probe_timeout_ms: a.probe_timeout_ms,
            probe_nice: a.probe_nice,
            always: a.always,
            conflict_map: !a.no_conflict_map,
            sweep: crate::sweep::SweepOptions {
                workers: a.sweep_workers,
                always: a.sweep_always,
                ..crate::sweep::SweepOptions::default()
            },
            schema_file: a.schema_file.clone(),
            duration: a.duration_secs.map(Duration::from_secs),
            ..Config::new(replica)
        })
    }
}

fn cfg(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, msg)
}

/// The parts of a `mysql://[user[:pass]@]host[:port][/db]` URL.
#[derive(Debug, Default, PartialEq, Eq)]
struct UrlParts {
    user: Option<String>,
    password: Option<String>,
    host: Option<String>,
    port: Option<u16>,
}

fn parse_url(url: &str) -> Result<UrlParts> {
    let rest = url
        .strip_prefix("mysql://")
        .or_else(|| url.strip_prefix("mariadb://"))
        .ok_or_else(|| {
            cfg(format!(
                "--replica must look like mysql://HOST:PORT, got {url:?}"
            ))
        })?;
    let rest = rest.split(['/', '?']).next().unwrap_or("");
    let (auth, hostport) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let mut p = UrlParts::default();
    if let Some(a) = auth {
        let (u, pw) = match a.split_once(':') {
            Some((u, pw)) => (u, Some(pw)),
            None => (a, None),
        };
        p.user = Some(percent_decode(u)).filter(|s| !s.is_empty());
        p.password = pw.map(percent_decode);
    }
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, port)) => {
            let port = port
                .parse()
                .map_err(|_| cfg(format!("bad port in --replica: {port:?}")))?;
            (h, Some(port))
        }
        None => (hostport, None),
    };
    p.host = Some(host.trim_matches(['[', ']']).to_string()).filter(|s| !s.is_empty());
    p.port = port;
    Ok(p)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `[client]` options from a my.cnf-style file.
#[derive(Debug, Default, PartialEq, Eq)]
struct ClientOptions {
    user: Option<String>,
    password: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    socket: Option<String>,
}

fn read_option_file(path: &Path) -> Result<ClientOptions> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("reading option file {}", path.display()),
        )
        .with_source(e)
    })?;
    Ok(parse_client_section(&text))
}

/// The `[client]` section (the mysql client reads `[client]` first; later sections for other
/// programs are ignored here). Values may be quoted; `#`/`;` start comments.
fn parse_client_section(text: &str) -> ClientOptions {
    let mut o = ClientOptions::default();
    let mut in_client = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            in_client = line
                .trim_matches(['[', ']'])
                .trim()
                .eq_ignore_ascii_case("client");
            continue;
        }
        if !in_client {
            continue;
        }
        let (k, v) = match line.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (line, ""),
        };
        let v = unquote(v);
        match k.replace('_', "-").as_str() {
            "user" => o.user = Some(v),
            "password" => o.password = Some(v),
            "host" => o.host = Some(v),
            "port" => o.port = v.parse().ok(),
            "socket" => o.socket = Some(v),
            _ => {}
        }
    }
    o
}

fn unquote(v: &str) -> String {
    let t = v.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return t[1..t.len() - 1].to_string();
        }
    }
    // An unquoted value ends at a comment.
    t.split(" #").next().unwrap_or(t).trim().to_string()
}

/// Merge URL > option file > environment into a connection spec.
fn resolve_conn(
    url: &str,
    defaults_file: Option<&Path>,
    home_cnf: Option<&Path>,
    env: (Option<String>, Option<String>),
) -> Result<ConnSpec> {
    let u = parse_url(url)?;
    let file = match defaults_file {
        Some(p) => read_option_file(p)?,
        None => match home_cnf {
            Some(p) if p.exists() => read_option_file(p).unwrap_or_default(),
            _ => ClientOptions::default(),
        },
    };
    let user = u
        .user
        .or(file.user)
        .or(env.0)
        .or_else(|| std::env::var("USER").ok());
    let password = u.password.or(file.password).or(env.1);
    let host = u.host.or(file.host).unwrap_or_else(|| "localhost".into());
    let port = u.port.or(file.port).unwrap_or(3306);
    // A socket only when the URL named no TCP endpoint of its own (mysql's "localhost" rule).
    let socket = file
        .socket
        .filter(|_| host == "localhost" && u.port.is_none());
    Ok(ConnSpec {
        host: if host == "localhost" && socket.is_none() {
            "127.0.0.1".into()
        } else {
            host
        },
        port,
        socket,
        user,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts() {
        let p = parse_url("mysql://app:s%40cret@db1.example:3307/x").unwrap();
        assert_eq!(p.user.as_deref(), Some("app"));
        assert_eq!(p.password.as_deref(), Some("s@cret"));
        assert_eq!(p.host.as_deref(), Some("db1.example"));
        assert_eq!(p.port, Some(3307));
        let p = parse_url("mysql://127.0.0.1:3306").unwrap();
        assert_eq!(p.user, None);
        assert!(parse_url("http://x").is_err());
        assert!(parse_url("mysql://h:notaport").is_err());
    }

    #[test]
    fn client_section_only() {
        let o = parse_client_section(
            "[mysqld]\nuser=mysql\n[client]\nuser = monitor\npassword=\"p w#x\"\nport=3310\n\
             socket=/run/m.sock # comment\n[mysqldump]\nuser=dump\n",
        );
        assert_eq!(o.user.as_deref(), Some("monitor"));
        assert_eq!(o.password.as_deref(), Some("p w#x"));
        assert_eq!(o.port, Some(3310));
        assert_eq!(o.socket.as_deref(), Some("/run/m.sock"));
    }

    #[test]
    fn precedence_url_then_file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("my.cnf");
        std::fs::write(&f, "[client]\nuser=fileuser\npassword=filepw\n").unwrap();
        let env = (Some("envuser".to_string()), Some("envpw".to_string()));
        let c = resolve_conn("mysql://127.0.0.1:3307", Some(&f), None, env.clone()).unwrap();
        assert_eq!(c.user.as_deref(), Some("fileuser"));
        assert_eq!(c.password.as_deref(), Some("filepw"));
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 3307));
        let c = resolve_conn("mysql://u:p@127.0.0.1:3307", Some(&f), None, env.clone()).unwrap();
        assert_eq!(
            (c.user.as_deref(), c.password.as_deref()),
            (Some("u"), Some("p"))
        );
        let c = resolve_conn("mysql://127.0.0.1:3307", None, None, env).unwrap();
        assert_eq!(
            (c.user.as_deref(), c.password.as_deref()),
            (Some("envuser"), Some("envpw"))
        );
        assert!(
            resolve_conn(
                "mysql://h:1",
                Some(&dir.path().join("missing")),
                None,
                (None, None)
            )
            .is_err()
        );
        assert!(
            !format!("{c:?}").contains("envpw"),
            "Debug never prints the password"
        );
    }

    fn run_args(extra: &[&str]) -> Result<Config> {
        use clap::Parser;
        let mut argv = vec![
            "relay-prefetch",
            "run",
            "--replica",
            "mysql://127.0.0.1:3306",
        ];
        argv.extend_from_slice(extra);
        let cli = crate::cli::Cli::try_parse_from(argv).expect("arguments parse");
        let crate::cli::Command::Run(a) = cli.command else {
            panic!("not a run command")
        };
        Config::from_run_args(&a)
    }

    #[test]
    fn remember_mb_defaults_validates_and_switches_off() {
        assert_eq!(run_args(&[]).unwrap().remember_mb, DEFAULT_REMEMBER_MB);
        assert_eq!(run_args(&["--remember-mb", "0"]).unwrap().remember_mb, 0);
        let e = run_args(&["--remember-mb", "5000"]).unwrap_err();
        assert!(e.to_string().contains("--remember-mb"), "{e}");
    }

    #[test]
    fn workers_default_follows_the_applier_and_an_explicit_count_wins() {
        let auto = run_args(&[]).unwrap();
        assert_eq!(auto.probe_workers(0), Config::DEFAULT_WORKERS);
        assert_eq!(auto.probe_workers(8), Config::DEFAULT_WORKERS_PARALLEL);
        let given = run_args(&["--workers", "8"]).unwrap();
        assert_eq!(given.probe_workers(8), 8);
        assert_eq!(given.probe_workers(0), 8);
        let e = run_args(&["--workers", "0"]).unwrap_err();
        assert!(e.to_string().contains("--workers"), "{e}");
    }
}
