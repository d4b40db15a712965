//! Parse + rewrite throughput of the statement rewriter (select mode), single thread:
//! - sysbench-style OLTP statements whose shapes repeat (template cache warm),
//! - the same statements with the cache off (every statement parsed: "every statement is new"),
//! - the DML lines of ../shared/corpus, cold (cache off) and cached (second pass),
//! - sqlparser alone and the fast parser alone on the sysbench statements, for reference.
//!
//! `cargo bench --bench rewrite` prints one line per figure. Figures are recorded in
//! benches/README.md ("Rewrite").

/// The allocator the `relay-prefetch` binary uses (src/main.rs), so the figures are its.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use relay_prefetch::plan::Mode;
use relay_prefetch::rewrite::{StatementRewriter, parse_create_tables};
use relay_prefetch::schema::Schema;

const SCHEMA: &str = "CREATE TABLE sbtest1 (id int unsigned NOT NULL AUTO_INCREMENT, \
    k int unsigned NOT NULL DEFAULT 0, c char(120) NOT NULL DEFAULT '', \
    pad char(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_1 (k)) ENGINE=InnoDB;";

/// A small deterministic generator (no dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn digits(&mut self, groups: usize) -> String {
        (0..groups)
            .map(|_| format!("{:011}", self.next() % 100_000_000_000))
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// The write statements of sysbench oltp_read_write, values random.
fn sysbench(n: usize) -> Vec<String> {
    let mut r = Lcg(42);
    (0..n)
        .map(|i| {
            let id = r.next() % 1_000_000 + 1;
            match i % 4 {
                0 => format!("UPDATE sbtest1 SET k=k+1 WHERE id={id}"),
                1 => format!("UPDATE sbtest1 SET c='{}' WHERE id={id}", r.digits(10)),
                2 => format!("DELETE FROM sbtest1 WHERE id={id}"),
                _ => format!(
                    "INSERT INTO sbtest1 (id, k, c, pad) VALUES ({id}, {}, '{}', '{}')",
                    r.next() % 1_000_000,
                    r.digits(10),
                    r.digits(5)
                ),
            }
        })
        .collect()
}

fn corpus_dml() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/dml");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in rd.flatten() {
        if let Ok(s) = std::fs::read_to_string(e.path()) {
            out.extend(s.lines().map(str::to_string));
        }
    }
    out
}

/// Run `f` over `stmts` repeatedly for at least `min` and return statements per second.
fn rate(stmts: &[String], min: Duration, mut f: impl FnMut(&str)) -> f64 {
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < min {
        for s in stmts {
            f(s);
        }
        n += stmts.len();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn report(name: &str, per_sec: f64) {
    println!(
        "{name:58} {:>12.0} statements/s  ({:.2} µs each)",
        per_sec,
        1e6 / per_sec
    );
}

fn main() {
    // `cargo test --benches` runs this binary with --bench absent: keep it quick then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let min = Duration::from_millis(if quick { 50 } else { 3000 });
    let schema: Schema = parse_create_tables(SCHEMA, "sbtest").expect("schema");
    let db = Some("sbtest");
    let sb = sysbench(if quick { 400 } else { 20_000 });

    let mut warm = StatementRewriter::new(Mode::Select);
    let mut probes = 0usize;
    report(
        "sysbench writes, cached (shapes repeat)",
        rate(&sb, min, |s| {
            probes += black_box(warm.rewrite(s, db, &schema)).probes.len()
        }),
    );
    let st = warm.cache_stats();
    println!(
        "    cache hits {} misses {}, probes {probes}",
        st.hits, st.misses
    );

    let mut cold = StatementRewriter::new(Mode::Select).with_cache_capacity(0);
    report(
        "sysbench writes, cache off (every statement parsed)",
        rate(&sb, min, |s| {
            black_box(cold.rewrite(s, db, &schema));
        }),
    );

    for (kind, name) in [
        (0, "UPDATE k=k+1"),
        (1, "UPDATE c=…"),
        (2, "DELETE"),
        (3, "INSERT"),
    ] {
        let only: Vec<String> = sb.iter().skip(kind).step_by(4).cloned().collect();
        let mut rw = StatementRewriter::new(Mode::Select).with_cache_capacity(0);
        report(
            &format!("  cache off, {name} only"),
            rate(&only, min, |s| {
                black_box(rw.rewrite(s, db, &schema));
            }),
        );
    }
    report(
        "sqlparser parse only (reference), sysbench writes",
        rate(&sb, min, |s| {
            black_box(relay_prefetch::rewrite::parse::parse_sqlparser(s).ok());
        }),
    );
    report(
        "fast parser only (rewrite::fastparse), sysbench writes",
        rate(&sb, min, |s| {
            black_box(relay_prefetch::rewrite::fastparse::parse(s));
        }),
    );

    let corpus = corpus_dml();
    if corpus.is_empty() {
        println!("corpus: skipped: ../shared/corpus absent");
        return;
    }
    let mut c_cold = StatementRewriter::new(Mode::Select).with_cache_capacity(0);
    report(
        &format!("corpus dml ({} lines), cache off", corpus.len()),
        rate(&corpus, min, |s| {
            black_box(c_cold.rewrite(s, Some("test"), &schema));
        }),
    );
    let mut c_warm = StatementRewriter::new(Mode::Select);
    for s in &corpus {
        c_warm.rewrite(s, Some("test"), &schema);
    }
    report(
        "corpus dml, cached (second and later passes)",
        rate(&corpus, min, |s| {
            black_box(c_warm.rewrite(s, Some("test"), &schema));
        }),
    );
}
