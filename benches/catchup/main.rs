//! The end-to-end catch-up benchmark (issue 5, items 5 and 6): one sysbench backlog per workload
//! and binlog format, applied by a MariaDB replica from a cold small buffer pool with and without
//! `relay-prefetch run`, from a warm pool (the upper bound), with MariaDB's parallel applier, with
//! both, and after a restart with an empty but large pool; plus a hot-spot backlog in `rollback`
//! mode with and without the conflict map. Prints a markdown table of medians.
//!
//! Run it with `bash benches/catchup/run.sh [--quick] [options]` (builds the prefetcher first).
//! `cargo test --all-targets` also executes this binary, without `--bench`: it then does nothing.
//! Owns orchestration and options only; servers come from the project's sandbox.

mod apply;
mod data;
mod report;
mod spec;
mod sql;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::apply::Tools;
use crate::report::Sample;
use crate::spec::{Sizes, WORKLOADS, Workload};

const USAGE: &str = "usage: catchup [--quick] [--runs N] [--table-size N] [--events-scale X]
               [--small-pool-mb N] [--big-pool-mb N]
               [--rand-type uniform|special|pareto|gaussian]
               [--workloads a,b] [--formats ROW,STATEMENT] [--conditions a,b]
workloads: update_non_index update_index write_only hot_update
conditions: cold prefetch warm warm+prefetch parallel par+prefetch restart restart+prefetch restart+sweep
            restart+parallel restart+par+prefetch
            rollback rollback-nomap";

struct Options {
    sizes: Sizes,
    workloads: Option<Vec<String>>,
    formats: Option<Vec<String>>,
    conditions: Option<Vec<String>>,
}

fn list(v: Option<String>) -> Result<Vec<String>> {
    Ok(v.context("missing value")?
        .split(',')
        .map(str::to_string)
        .collect())
}

fn parse_args(args: Vec<String>) -> Result<Options> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = Options {
        sizes: if quick { Sizes::quick() } else { Sizes::full() },
        workloads: quick.then(|| vec!["update_non_index".into(), "hot_update".into()]),
        formats: quick.then(|| vec!["ROW".into()]),
        conditions: None,
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--bench" | "--quick" => {}
            "--runs" => o.sizes.runs = it.next().context("--runs N")?.parse()?,
            "--table-size" => o.sizes.table_size = it.next().context("--table-size")?.parse()?,
            "--small-pool-mb" => {
                o.sizes.small_pool = it.next().context("--small-pool-mb N")?.parse::<u64>()? << 20
            }
            "--big-pool-mb" => {
                o.sizes.big_pool = it.next().context("--big-pool-mb N")?.parse::<u64>()? << 20
            }
            "--events-scale" => {
                o.sizes.events_scale = it.next().context("--events-scale")?.parse()?
            }
            "--rand-type" => o.sizes.rand_type = Some(it.next().context("--rand-type")?),
            "--workloads" => o.workloads = Some(list(it.next())?),
            "--formats" => o.formats = Some(list(it.next())?),
            "--conditions" => o.conditions = Some(list(it.next())?),
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(o)
}

fn wanted(filter: &Option<Vec<String>>, name: &str) -> bool {
    filter.as_ref().is_none_or(|f| f.iter().any(|x| x == name))
}

fn tools(root: &Path, out: &Path) -> Result<Tools> {
    let relay_prefetch = apply::default_binary(root);
    if !relay_prefetch.is_file() {
        eprintln!(
            "catchup: {} missing (cargo build --release): prefetch conditions will fail",
            relay_prefetch.display()
        );
    }
    let clk = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    let log_dir = out.join("logs");
    std::fs::create_dir_all(&log_dir)?;
    Ok(Tools {
        relay_prefetch,
        log_dir,
        clk_tck: clk,
    })
}

/// Build `w`'s backlog in `format` and apply it `runs` times under every wanted condition,
/// rotating the order of conditions from run to run.
fn bench_backlog(
    o: &Options,
    data: &Path,
    tools: &Tools,
    w: &Workload,
    format: &'static str,
    samples: &mut Vec<Sample>,
) -> Result<()> {
    let conds: Vec<_> = w
        .conditions
        .iter()
        .filter(|c| wanted(&o.conditions, c.name))
        .collect();
    if conds.is_empty() {
        return Ok(());
    }
    let backlog = data::build_backlog(data, &o.sizes, w, format)?;
    for run in 0..o.sizes.runs {
        for i in 0..conds.len() {
            let c = conds[(i + run) % conds.len()];
            let tag = format!("{}-{format}-{}-{run}", w.name, c.name).replace('+', "_");
            let result = apply::run_one(&backlog, c, &o.sizes, tools, &tag);
            let s = Sample {
                workload: w.name,
                format,
                condition: c.name,
                rows: backlog.rows,
                events: backlog.events,
                result: result.map_err(|e| format!("{e:#}")),
            };
            match &s.result {
                Ok(r) => eprintln!(
                    "catchup: {tag}: {:.1} s, {:.0} rows/s, pool reads {}, data reads {}, \
                     writes {}, wait_free {}, lock waits {}, prefetcher cpu {:?}",
                    r.secs,
                    s.rows as f64 / r.secs,
                    r.pool_reads,
                    r.data_reads,
                    r.data_writes,
                    r.wait_free,
                    r.lock_waits,
                    r.prefetch_cpu
                ),
                Err(e) => eprintln!("catchup: {tag}: FAILED: {e}"),
            }
            samples.push(s);
        }
    }
    Ok(())
}

fn save(out: &Path, stamp: u64, samples: &[Sample]) -> Result<PathBuf> {
    let md = out.join(format!("results-{stamp}.md"));
    std::fs::write(&md, report::table(samples))?;
    std::fs::write(
        out.join(format!("results-{stamp}.csv")),
        report::csv(samples),
    )?;
    Ok(md)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("catchup: a benchmark, not a test; run `bash benches/catchup/run.sh --quick`");
        return Ok(());
    }
    let o = parse_args(args)?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target/bench-catchup");
    let tools = tools(&root, &out)?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let t = Instant::now();
    let data = data::loaded_data(&o.sizes, &out)?;
    let mut samples = Vec::new();
    for w in WORKLOADS.iter().filter(|w| wanted(&o.workloads, w.name)) {
        for &format in w.formats.iter().filter(|f| wanted(&o.formats, f)) {
            bench_backlog(&o, &data, &tools, w, format, &mut samples)?;
            save(&out, stamp, &samples)?;
        }
    }
    let md = save(&out, stamp, &samples)?;
    println!(
        "\ncatch-up: {} x {} rows, pools {} MB / {} MB, --rand-type {}, {} run(s) each, {:.0} s total\n",
        o.sizes.tables,
        o.sizes.table_size,
        o.sizes.small_pool >> 20,
        o.sizes.big_pool >> 20,
        o.sizes.rand_type.as_deref().unwrap_or("default (special)"),
        o.sizes.runs,
        t.elapsed().as_secs_f64()
    );
    println!("{}", report::table(&samples));
    eprintln!(
        "catchup: saved {} (+ .csv, logs in {})",
        md.display(),
        tools.log_dir.display()
    );
    Ok(())
}
