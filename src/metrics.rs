//! Every counter and gauge in one place (one `Arc<Metrics>` handed to each stage; no global
//! state), their Prometheus text exposition, and a tiny `std::net` HTTP endpoint serving it.
//! Stages only increment; this module owns names, help texts and rendering.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::daemon::Shutdown;
use crate::error::{Error, ErrorKind, Result};
use crate::exec::Outcome;
use crate::plan::SkipReason;

/// A monotonically increasing count.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Add one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Relaxed);
    }
    /// Add `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }
    /// Current value.
    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// A value that goes up and down.
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    /// Set.
    pub fn set(&self, v: i64) {
        self.0.store(v, Relaxed);
    }
    /// Current value.
    pub fn get(&self) -> i64 {
        self.0.load(Relaxed)
    }
}

/// A floating-point gauge (f64 bits in an atomic).
#[derive(Debug, Default)]
pub struct GaugeF(AtomicU64);

impl GaugeF {
    /// Set.
    pub fn set(&self, v: f64) {
        self.0.store(v.to_bits(), Relaxed);
    }
    /// Current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Relaxed))
    }
}

/// Why the scheduler dropped a probe it had accepted (planner skips are [`SkipReason`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// Within `min_ahead` of the applier when its turn came (DESIGN §5 rule 1).
    TooLate,
    /// The applier had already passed its transaction (skip forward).
    BehindApplier,
    /// Locking mode: it would hold a key the applier is about to touch (rule 3).
    ApplierConflict,
    /// The daemon was stopping.
    Shutdown,
}

impl DropReason {
    /// Every reason, in label order.
    pub const ALL: [DropReason; 4] = [
        DropReason::TooLate,
        DropReason::BehindApplier,
        DropReason::ApplierConflict,
        DropReason::Shutdown,
    ];
    /// Metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::TooLate => "too_late",
            DropReason::BehindApplier => "behind_applier",
            DropReason::ApplierConflict => "applier_conflict",
            DropReason::Shutdown => "shutdown",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// The registry. Fields are public so stages increment directly; all are atomics.
#[derive(Debug)]
pub struct Metrics {
    /// Relay-log events read.
    pub events_read: Counter,
    /// Transactions read.
    pub transactions_read: Counter,
    /// Transactions read but not planned (applier not lagging, or already passed by the applier).
    pub transactions_not_planned: Counter,
    /// Unreadable input (corrupt relay data, planner errors) logged and stepped over.
    pub bad_input: Counter,
    /// Probes handed to the scheduler (phase 1 and phase 2).
    pub probes_submitted: Counter,
    probes_by_outcome: Vec<Counter>,
    skipped: Vec<Counter>,
    dropped: Vec<Counter>,
    /// Probes not run because every key they read was already probed or in flight earlier in
    /// the window (first touch wins).
    pub probes_deduplicated: Counter,
    /// Key tuples deduplicated (inside deduplicated and partially deduplicated probes).
    pub keys_deduplicated: Counter,
    /// Row keys not probed because an earlier batch probed them while the buffer pool was
    /// filling (their pages stay cached).
    pub keys_remembered: Counter,
    /// Probes that waited for an earlier probe on the same row key (never two at once).
    pub conflicts_waited: Counter,
    /// Transactions the reader held back because the window was full.
    pub window_full_waits: Counter,
    /// Worker reconnects after a lost connection.
    pub reconnects: Counter,
    /// Transactions whose probes all finished before the applier reached them (for a
    /// transaction whose keys went into a batch carried by a later transaction: that batch).
    pub txns_hit: Counter,
    /// Transactions with probes that had not all finished when the applier reached them.
    pub txns_missed: Counter,
    /// Transactions that produced no probe.
    pub txns_without_probes: Counter,
    /// Transactions the applier had already applied when the reader got to them, while
    /// prefetching: nothing was prefetched for them (misses in the hit rate).
    pub txns_passed: Counter,
    /// Transactions between the applier and the newest planned transaction.
    pub ahead_txns: Gauge,
    /// Source-time seconds between the applier and the newest planned transaction.
    pub ahead_secs: Gauge,
    /// Probes queued or running.
    pub probes_pending: Gauge,
    /// Probe worker connections started (`--workers`, or its default for the applier found).
    pub probe_workers: Gauge,
    /// Keys per probe now (follows the buffer pool: `--probe-keys` or `--probe-keys-filling`).
    pub probe_keys: Gauge,
    /// The window's page budget now (follows the buffer pool's eviction rate: `--max-pages`).
    pub window_pages: Gauge,
    /// 1 while prefetching, 0 while idle (applier not lagging).
    pub active: Gauge,
    /// Applier rate, transactions per second.
    pub apply_tps: GaugeF,
    /// Applier rate, events per second.
    pub apply_eps: GaugeF,
    /// Index entries read by sweeps (whole-index warm-up).
    pub sweep_rows: Counter,
    /// Indexes swept completely.
    pub sweeps_done: Counter,
    /// Indexes not swept or stopped part-way (no room in the pool, not sweepable, shutdown).
    pub sweeps_skipped: Counter,
    /// Sweeps ended by a server error.
    pub sweeps_failed: Counter,
    /// Tables whose sweep the cost gate holds back for now.
    pub sweeps_waiting: Gauge,
    /// Probes not run because a sweep had put their whole table in the pool.
    pub probes_cached: Counter,
    /// What this daemon follows, set once at start-up: rendered as the labels of
    /// `relay_prefetch_info` (several daemons, one per channel, are told apart by them).
    info: std::sync::OnceLock<RunInfo>,
}

/// A label value in the exposition format: backslash, double quote and newline escaped.
fn label_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The labels of `relay_prefetch_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// Prefetch mode (`select`, `fake-changes`, `rollback`).
    pub mode: String,
    /// Replication channel / named connection followed; empty for the default one.
    pub channel: String,
    /// The replica's version string.
    pub server: String,
}

impl Default for Metrics {
    fn default() -> Self {
        let n = |k: usize| (0..k).map(|_| Counter::default()).collect::<Vec<_>>();
        Metrics {
            events_read: Counter::default(),
            transactions_read: Counter::default(),
            transactions_not_planned: Counter::default(),
            bad_input: Counter::default(),
            probes_submitted: Counter::default(),
            probes_by_outcome: n(Outcome::ALL.len()),
            skipped: n(SkipReason::ALL.len()),
            dropped: n(DropReason::ALL.len()),
            probes_deduplicated: Counter::default(),
            keys_deduplicated: Counter::default(),
            keys_remembered: Counter::default(),
            conflicts_waited: Counter::default(),
            window_full_waits: Counter::default(),
            reconnects: Counter::default(),
            txns_hit: Counter::default(),
            txns_missed: Counter::default(),
            txns_without_probes: Counter::default(),
            txns_passed: Counter::default(),
            ahead_txns: Gauge::default(),
            probe_workers: Gauge::default(),
            probe_keys: Gauge::default(),
            window_pages: Gauge::default(),
            ahead_secs: Gauge::default(),
            probes_pending: Gauge::default(),
            active: Gauge::default(),
            apply_tps: GaugeF::default(),
            apply_eps: GaugeF::default(),
            sweep_rows: Counter::default(),
            sweeps_done: Counter::default(),
            sweeps_skipped: Counter::default(),
            sweeps_failed: Counter::default(),
            sweeps_waiting: Gauge::default(),
            probes_cached: Counter::default(),
            info: std::sync::OnceLock::new(),
        }
    }
}

impl Metrics {
    /// A fresh registry.
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics::default())
    }

    /// Count a finished probe.
    pub fn probe(&self, outcome: Outcome) -> &Counter {
        &self.probes_by_outcome[outcome.index()]
    }

    /// Counter of planner skips for `reason`.
    pub fn skipped(&self, reason: SkipReason) -> &Counter {
        let i = SkipReason::ALL
            .iter()
            .position(|r| *r == reason)
            .expect("SkipReason::ALL lists every reason");
        &self.skipped[i]
    }

    /// Counter of scheduler drops for `reason`.
    pub fn dropped(&self, reason: DropReason) -> &Counter {
        &self.dropped[reason.index()]
    }

    /// Record what this run follows (the first call wins: it is fixed for the run).
    pub fn set_info(&self, info: RunInfo) {
        let _ = self.info.set(info);
    }

    /// Probes run, all outcomes.
    pub fn probes_run(&self) -> u64 {
        self.probes_by_outcome.iter().map(Counter::get).sum()
    }

    /// Probes dropped, all reasons.
    pub fn probes_dropped(&self) -> u64 {
        self.dropped.iter().map(Counter::get).sum()
    }

    /// Share of transactions (with probes) whose probes all finished before the applier reached
    /// them; transactions the applier passed before the reader could plan them count as misses.
    /// `None` before any such transaction retired.
    pub fn hit_rate(&self) -> Option<f64> {
        let h = self.txns_hit.get();
        let m = self.txns_missed.get() + self.txns_passed.get();
        (h + m > 0).then(|| h as f64 / (h + m) as f64)
    }

    /// Prometheus text exposition format 0.0.4.
    pub fn render(&self) -> String {
        let mut o = String::with_capacity(4096);
        let c = |o: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(
                o,
                "# HELP relay_prefetch_{name} {help}\n# TYPE relay_prefetch_{name} counter\nrelay_prefetch_{name} {v}"
            );
        };
        let g = |o: &mut String, name: &str, help: &str, v: f64| {
            let _ = writeln!(
                o,
                "# HELP relay_prefetch_{name} {help}\n# TYPE relay_prefetch_{name} gauge\nrelay_prefetch_{name} {v}"
            );
        };
        if let Some(i) = self.info.get() {
            let _ = writeln!(
                o,
                "# HELP relay_prefetch_info What this daemon follows (always 1).\n\
                 # TYPE relay_prefetch_info gauge\n\
                 relay_prefetch_info{{mode=\"{}\",channel=\"{}\",server=\"{}\"}} 1",
                label_value(&i.mode),
                label_value(&i.channel),
                label_value(&i.server)
            );
        }
        c(
            &mut o,
            "events_read_total",
            "Relay-log events read.",
            self.events_read.get(),
        );
        c(
            &mut o,
            "transactions_read_total",
            "Transactions read.",
            self.transactions_read.get(),
        );
        c(
            &mut o,
            "transactions_not_planned_total",
            "Transactions read while idle or behind the applier.",
            self.transactions_not_planned.get(),
        );
        c(
            &mut o,
            "bad_input_total",
            "Unreadable relay data or planner failures stepped over.",
            self.bad_input.get(),
        );
        c(
            &mut o,
            "probes_submitted_total",
            "Probes handed to the scheduler.",
            self.probes_submitted.get(),
        );
        let _ = writeln!(
            o,
            "# HELP relay_prefetch_probes_run_total Probes run, by outcome.\n# TYPE relay_prefetch_probes_run_total counter"
        );
        for oc in Outcome::ALL {
            let _ = writeln!(
                o,
                "relay_prefetch_probes_run_total{{outcome=\"{}\"}} {}",
                oc.as_str(),
                self.probe(oc).get()
            );
        }
        let _ = writeln!(
            o,
            "# HELP relay_prefetch_skipped_total Statements or rows events that produced no probe, by reason.\n# TYPE relay_prefetch_skipped_total counter"
        );
        for r in SkipReason::ALL {
            let _ = writeln!(
                o,
                "relay_prefetch_skipped_total{{reason=\"{}\"}} {}",
                r.as_str(),
                self.skipped(*r).get()
            );
        }
        let _ = writeln!(
            o,
            "# HELP relay_prefetch_probes_dropped_total Accepted probes the scheduler did not run, by reason.\n# TYPE relay_prefetch_probes_dropped_total counter"
        );
        for r in DropReason::ALL {
            let _ = writeln!(
                o,
                "relay_prefetch_probes_dropped_total{{reason=\"{}\"}} {}",
                r.as_str(),
                self.dropped(r).get()
            );
        }
        c(
            &mut o,
            "probes_deduplicated_total",
            "Probes whose keys were all probed earlier in the window.",
            self.probes_deduplicated.get(),
        );
        c(
            &mut o,
            "keys_deduplicated_total",
            "Key tuples already probed earlier in the window.",
            self.keys_deduplicated.get(),
        );
        c(
            &mut o,
            "window_full_waits_total",
            "Transactions the reader held back until the applier made room in the window.",
            self.window_full_waits.get(),
        );
        c(
            &mut o,
            "keys_remembered_total",
            "Row keys not probed while the buffer pool was filling because an earlier probe read them, or read a key close enough to share their leaf page.",
            self.keys_remembered.get(),
        );
        c(
            &mut o,
            "conflicts_waited_total",
            "Probes serialized behind an earlier probe on the same row key.",
            self.conflicts_waited.get(),
        );
        c(
            &mut o,
            "conflicts_avoided_total",
            "Locking-mode probes not run because the applier is about to touch their keys.",
            self.dropped(DropReason::ApplierConflict).get(),
        );
        c(
            &mut o,
            "sweep_rows_total",
            "Index entries read by sweeps (whole-index warm-up while the pool has room).",
            self.sweep_rows.get(),
        );
        c(
            &mut o,
            "sweeps_done_total",
            "Indexes swept completely.",
            self.sweeps_done.get(),
        );
        c(
            &mut o,
            "sweeps_skipped_total",
            "Indexes not swept (no room in the pool, not sweepable) or stopped part-way.",
            self.sweeps_skipped.get(),
        );
        c(
            &mut o,
            "sweeps_failed_total",
            "Sweeps ended by a server error.",
            self.sweeps_failed.get(),
        );
        c(
            &mut o,
            "probes_cached_total",
            "Probes not run: a sweep had put their whole table in the buffer pool.",
            self.probes_cached.get(),
        );
        c(
            &mut o,
            "reconnects_total",
            "Worker reconnects.",
            self.reconnects.get(),
        );
        c(
            &mut o,
            "transactions_hit_total",
            "Transactions whose probes all finished before the applier reached them.",
            self.txns_hit.get(),
        );
        c(
            &mut o,
            "transactions_missed_total",
            "Transactions the applier reached before their probes finished.",
            self.txns_missed.get(),
        );
        c(
            &mut o,
            "transactions_passed_unplanned_total",
            "Transactions the applier had applied before the reader could plan them, while prefetching (misses in the hit rate).",
            self.txns_passed.get(),
        );
        c(
            &mut o,
            "transactions_without_probes_total",
            "Transactions that produced no probe.",
            self.txns_without_probes.get(),
        );
        g(
            &mut o,
            "hit_rate",
            "Share of transactions with something to prefetch whose probes (own, or the batch carrying their keys) all finished before the applier reached them; transactions the applier passed before they were planned count as misses.",
            self.hit_rate().unwrap_or(0.0),
        );
        g(
            &mut o,
            "ahead_transactions",
            "Transactions between the applier and the newest planned one.",
            self.ahead_txns.get() as f64,
        );
        g(
            &mut o,
            "ahead_seconds",
            "Source-time seconds between the applier and the newest planned transaction.",
            self.ahead_secs.get() as f64,
        );
        g(
            &mut o,
            "sweeps_waiting",
            "Tables whose sweep waits at the cost gate (point probes cost less, or too early to tell).",
            self.sweeps_waiting.get() as f64,
        );
        g(
            &mut o,
            "probe_workers",
            "Probe worker connections: --workers, or by default 8 next to a single-threaded applier and 2 next to a parallel one.",
            self.probe_workers.get() as f64,
        );
        g(
            &mut o,
            "probe_keys",
            "Keys per probe now: --probe-keys, or --probe-keys-filling while the buffer pool fills.",
            self.probe_keys.get() as f64,
        );
        g(
            &mut o,
            "window_max_pages",
            "Page budget of the window ahead of the applier now: follows how fast the buffer pool evicts, unless --max-pages fixes it.",
            self.window_pages.get() as f64,
        );
        g(
            &mut o,
            "probes_pending",
            "Probes queued or running.",
            self.probes_pending.get() as f64,
        );
        g(
            &mut o,
            "active",
            "1 while prefetching, 0 while idle.",
            self.active.get() as f64,
        );
        g(
            &mut o,
            "applier_transactions_per_second",
            "The applier's measured rate.",
            self.apply_tps.get(),
        );
        g(
            &mut o,
            "applier_events_per_second",
            "The applier's measured rate in events.",
            self.apply_eps.get(),
        );
        if let Some(cpu) = process_cpu_seconds() {
            g(
                &mut o,
                "process_cpu_seconds",
                "User+system CPU time of this process.",
                cpu,
            );
        }
        o
    }
}

/// User+system CPU seconds of this whole process, from /proc/self/stat (Linux; USER_HZ = 100,
/// which is what every mainstream Linux kernel exports to user space).
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// A running metrics endpoint.
pub struct MetricsServer {
    /// The bound address (useful when the configured port was 0).
    pub addr: std::net::SocketAddr,
    handles: Vec<JoinHandle<()>>,
}

impl MetricsServer {
    /// Bind `addr` and serve `GET /metrics` (any path) until `shutdown`.
    pub fn start(addr: &str, metrics: Arc<Metrics>, shutdown: Shutdown) -> Result<MetricsServer> {
        let listener = TcpListener::bind(addr).map_err(|e| {
            Error::new(ErrorKind::Config, format!("binding metrics address {addr}")).with_source(e)
        })?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::new(ErrorKind::Io, "metrics listener address").with_source(e))?;
        let stop = shutdown.clone();
        let server = std::thread::Builder::new()
            .name("metrics".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if stop.is_triggered() {
                        break;
                    }
                    if let Ok(s) = stream {
                        // A slow or broken client only affects its own response.
                        let _ = respond(s, &metrics);
                    }
                }
            })
            .map_err(|e| Error::new(ErrorKind::Io, "spawning metrics thread").with_source(e))?;
        // `accept` blocks; wake it with one connection once shutdown is triggered.
        let waker = std::thread::Builder::new()
            .name("metrics-waker".into())
            .spawn(move || {
                while !shutdown.wait_timeout(Duration::from_secs(3600)) {}
                let _ = TcpStream::connect_timeout(&local, Duration::from_secs(1));
            })
            .map_err(|e| Error::new(ErrorKind::Io, "spawning metrics thread").with_source(e))?;
        Ok(MetricsServer {
            addr: local,
            handles: vec![server, waker],
        })
    }

    /// Wait for the threads (after shutdown was triggered).
    pub fn join(self) {
        for h in self.handles {
            let _ = h.join();
        }
    }
}

/// Fetch the text exposition from a metrics endpoint at `addr` (benchmarks and tests scrape
/// the daemon with it). `None` when it cannot be reached or does not answer within 2 s.
pub fn scrape(addr: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    // One write: a request split over segments is a common way to lose a response.
    s.write_all(format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    Some(body)
}

/// The value of the sample `name` (with its labels, if any, written as the exposition writes
/// them: `name{label="v"}`) in an exposition text.
pub fn sample_value(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Largest request head read; the rest of a longer request is ignored.
const MAX_REQUEST: usize = 8192;

fn respond(mut s: TcpStream, metrics: &Metrics) -> std::io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.set_write_timeout(Some(Duration::from_secs(2)))?;
    // Read the whole request head (it may arrive in several segments): closing a socket with
    // unread request bytes makes the kernel send a reset, which can destroy the response
    // before the client has read it.
    let mut req = Vec::with_capacity(512);
    let mut buf = [0u8; 2048];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") && req.len() < MAX_REQUEST {
        match s.read(&mut buf)? {
            0 => break,
            n => req.extend_from_slice(&buf[..n]),
        }
    }
    let body = metrics.render();
    write!(
        s,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    s.flush()?;
    // Close our side, then let the client close first: no reset for anything it still sends.
    s.shutdown(std::net::Shutdown::Write)?;
    s.set_read_timeout(Some(Duration::from_millis(500)))?;
    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family() {
        let m = Metrics::new();
        m.events_read.add(7);
        m.probe(Outcome::Timeout).inc();
        m.skipped(SkipReason::Ddl).add(2);
        m.txns_hit.add(3);
        m.txns_missed.add(1);
        let text = m.render();
        assert!(text.contains("relay_prefetch_events_read_total 7"));
        assert!(text.contains("relay_prefetch_probes_run_total{outcome=\"timeout\"} 1"));
        assert!(text.contains("relay_prefetch_skipped_total{reason=\"ddl\"} 2"));
        assert!(text.contains("relay_prefetch_hit_rate 0.75"));
        assert_eq!(m.probes_run(), 1);
        // Passed by the applier before they were planned: misses too.
        m.txns_passed.add(2);
        let text = m.render();
        assert!(text.contains("relay_prefetch_transactions_passed_unplanned_total 2"));
        assert!(text.contains("relay_prefetch_hit_rate 0.5"));
    }

    #[test]
    fn info_labels_say_what_is_followed_escaped() {
        let m = Metrics::new();
        assert!(
            !m.render().contains("relay_prefetch_info"),
            "no labels before start-up"
        );
        m.set_info(RunInfo {
            mode: "select".into(),
            channel: "east\"1".into(),
            server: "10.11.14-MariaDB".into(),
        });
        // Fixed for the run: a second call changes nothing.
        m.set_info(RunInfo {
            mode: "rollback".into(),
            channel: String::new(),
            server: String::new(),
        });
        let text = m.render();
        assert!(
            text.contains(
                "relay_prefetch_info{mode=\"select\",channel=\"east\\\"1\",server=\"10.11.14-MariaDB\"} 1"
            ),
            "{text}"
        );
    }

    #[test]
    fn serves_over_http_and_stops() {
        let m = Metrics::new();
        m.transactions_read.add(42);
        let sd = Shutdown::new();
        let srv = MetricsServer::start("127.0.0.1:0", m, sd.clone()).unwrap();
        let mut s = TcpStream::connect(srv.addr).unwrap();
        s.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 200 OK"));
        assert!(out.contains("relay_prefetch_transactions_read_total 42"));
        let text = scrape(&srv.addr.to_string()).expect("scrape");
        assert_eq!(
            sample_value(&text, "relay_prefetch_transactions_read_total"),
            Some(42.0)
        );
        assert_eq!(
            sample_value(&text, "relay_prefetch_probes_run_total{outcome=\"ok\"}"),
            Some(0.0)
        );
        // A request head in pieces (as a slow client or a proxy sends it) is read whole
        // before the answer: the response arrives intact, with no connection reset.
        for _ in 0..20 {
            let mut s = TcpStream::connect(srv.addr).unwrap();
            s.set_nodelay(true).unwrap();
            s.write_all(b"GET /metrics HTTP/1.1\r\n").unwrap();
            std::thread::sleep(Duration::from_millis(30));
            s.write_all(b"Host: x\r\nUser-Agent: t\r\n\r\n").unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            assert!(out.contains("relay_prefetch_transactions_read_total 42"));
        }
        sd.trigger();
        srv.join();
    }

    #[test]
    fn cpu_seconds_readable() {
        assert!(process_cpu_seconds().is_some_and(|s| s >= 0.0));
    }
}
