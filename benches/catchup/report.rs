//! Aggregation and presentation: medians over runs per (workload, format, condition), ratios to
//! the cold and warm conditions of the same backlog, and a markdown table. Does not run anything.

use std::fmt::Write as _;

use crate::apply::RunResult;

/// One measured run with what it belongs to.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Workload name.
    pub workload: &'static str,
    /// Binlog format.
    pub format: &'static str,
    /// Condition name.
    pub condition: &'static str,
    /// Rows in the backlog (the primary's count).
    pub rows: u64,
    /// Transactions in the backlog.
    pub events: u64,
    /// The run, or why it failed.
    pub result: Result<RunResult, String>,
}

impl Sample {
    fn rate(&self) -> Option<f64> {
        let r = self.result.as_ref().ok()?;
        Some(self.rows as f64 / r.secs.max(1e-3))
    }
}

/// Median of `v` (None when empty).
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Median over the successful runs of `group` of `get`.
fn med(group: &[&Sample], get: impl Fn(&Sample, &RunResult) -> Option<f64>) -> Option<f64> {
    median(
        group
            .iter()
            .filter_map(|s| get(s, s.result.as_ref().ok()?))
            .collect(),
    )
}

fn rate_of(group: &[&Sample]) -> Option<f64> {
    med(group, |s, _| s.rate())
}

fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

/// The markdown summary table of `samples` (in first-seen order of backlogs and conditions).
pub fn table(samples: &[Sample]) -> String {
    let mut out = String::from(
        "| workload | fmt | condition | runs | rows/s (median) | range | × cold | % warm | \
         disk reads / row | disk writes / row | server CPU s | prefetcher CPU ms / 1k events | host busy | \
         row-lock waits | row-lock ms | hit rate | applier reads / row | applier on CPU | applier waits for CPU |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut backlogs: Vec<(&str, &str)> = Vec::new();
    for s in samples {
        if !backlogs.contains(&(s.workload, s.format)) {
            backlogs.push((s.workload, s.format));
        }
    }
    for (w, f) in backlogs {
        let of = |c: &str| -> Vec<&Sample> {
            samples
                .iter()
                .filter(|s| s.workload == w && s.format == f && s.condition == c)
                .collect()
        };
        let mut conds: Vec<&str> = Vec::new();
        for s in samples.iter().filter(|s| s.workload == w && s.format == f) {
            if !conds.contains(&s.condition) {
                conds.push(s.condition);
            }
        }
        let cold = rate_of(&of("cold"));
        let warm = rate_of(&of("warm"));
        for c in conds {
            let g = of(c);
            let _ = writeln!(
                out,
                "| {w} | {f} | {c} | {} |",
                cells(&g, cold, warm).join(" | ")
            );
        }
    }
    out
}

/// InnoDB's default page size: `read_bytes` over this is pages.
const PAGE: f64 = 16384.0;

fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.0}%", 100.0 * v))
}

fn cells(g: &[&Sample], cold: Option<f64>, warm: Option<f64>) -> Vec<String> {
    let ok = g.iter().filter(|s| s.result.is_ok()).count();
    let failed = g.len() - ok;
    let rates: Vec<f64> = g.iter().filter_map(|s| s.rate()).collect();
    let rate = median(rates.clone());
    let min = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let max = rates.iter().copied().fold(0.0, f64::max);
    let per_row = |s: &Sample, v: u64| Some(v as f64 / s.rows.max(1) as f64);
    vec![
        if failed > 0 {
            format!("{ok} ({failed} failed)")
        } else {
            ok.to_string()
        },
        fmt_opt(rate, 0),
        if ok > 0 {
            format!("{min:.0}–{max:.0}")
        } else {
            "-".into()
        },
        fmt_opt(rate.zip(cold).map(|(r, c)| r / c), 2),
        fmt_opt(rate.zip(warm).map(|(r, w)| 100.0 * r / w), 0),
        fmt_opt(med(g, |s, r| per_row(s, r.data_reads)), 2),
        fmt_opt(med(g, |s, r| per_row(s, r.data_writes)), 2),
        fmt_opt(med(g, |_, r| Some(r.server_cpu)), 1),
        fmt_opt(
            med(g, |s, r| {
                r.prefetch_cpu.map(|c| 1e6 * c / s.events.max(1) as f64)
            }),
            0,
        ),
        fmt_opt(med(g, |_, r| Some(100.0 * r.host_busy)), 0) + "%",
        fmt_opt(med(g, |_, r| Some(r.lock_waits as f64)), 0),
        fmt_opt(med(g, |_, r| Some(r.lock_time_ms as f64)), 0),
        fmt_opt(med(g, |_, r| r.hit_rate), 2),
        fmt_opt(
            med(g, |s, r| {
                r.applier
                    .map(|a| a.read_bytes as f64 / PAGE / s.rows.max(1) as f64)
            }),
            2,
        ),
        pct(med(g, |_, r| {
            r.applier.map(|a| a.cpu_secs / r.secs.max(1e-3))
        })),
        pct(med(g, |_, r| {
            r.applier.map(|a| a.runqueue_secs / r.secs.max(1e-3))
        })),
    ]
}

/// One CSV line per run (raw data, for the record).
pub fn csv(samples: &[Sample]) -> String {
    let mut out = String::from(
        "workload,format,condition,rows,events,secs,rows_per_s,replica_rows,pool_reads,data_reads,data_writes,wait_free,\
         server_cpu_s,prefetch_cpu_s,host_busy,lock_waits,lock_time_ms,hit_rate,\
         applier_read_bytes,applier_cpu_s,applier_runqueue_s,error\n",
    );
    for s in samples {
        let (r, err) = match &s.result {
            Ok(r) => (r.clone(), String::new()),
            Err(e) => (RunResult::default(), e.replace([',', '\n'], ";")),
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{:.3},{},{},{},{},{},{},{:.2},{},{:.3},{},{},{},{},{},{},{}",
            s.workload,
            s.format,
            s.condition,
            s.rows,
            s.events,
            r.secs,
            fmt_opt(s.rate(), 0),
            r.replica_rows,
            r.pool_reads,
            r.data_reads,
            r.data_writes,
            r.wait_free,
            r.server_cpu,
            fmt_opt(r.prefetch_cpu, 2),
            r.host_busy,
            r.lock_waits,
            r.lock_time_ms,
            fmt_opt(r.hit_rate, 3),
            r.applier
                .map_or(String::new(), |a| a.read_bytes.to_string()),
            fmt_opt(r.applier.map(|a| a.cpu_secs), 3),
            fmt_opt(r.applier.map(|a| a.runqueue_secs), 3),
            err
        );
    }
    out
}
