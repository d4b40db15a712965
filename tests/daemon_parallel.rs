//! Next to a parallel applier (MariaDB `slave_parallel_threads`): the daemon follows the
//! applier's low-water mark, starts two probe workers unless `--workers` says otherwise (eight
//! probe connections mostly take CPU from the applier's own threads, benches/README.md "Fewer
//! probe workers next to a parallel applier"), prefetches the backlog, and writes nothing.

mod daemon_support;

use std::time::Duration;

use daemon_support as s;
use relay_prefetch::config::Config;
use relay_prefetch::exec::Outcome;
use relay_prefetch::plan::Mode;
use relay_prefetch::sandbox::SandboxOptions;

const ROWS: u64 = 2000;
const TXNS: u64 = 200;
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn parallel_applier_gets_two_probe_workers_unless_told_otherwise() {
    let Some(sb) = s::sandbox(SandboxOptions {
        replica_extra_cnf: vec![
            "slave_parallel_threads=4".into(),
            "slave_parallel_mode=optimistic".into(),
        ],
        ..SandboxOptions::default()
    }) else {
        return;
    };
    s::load(&sb, ROWS);
    s::backlog(&sb, ROWS, TXNS);

    let mut config = s::config(&sb, Mode::Select);
    config.workers = None;
    let d = s::start(config);
    d.wait_for("probes on the backlog", WAIT, |m| {
        m.probe(Outcome::Ok).get() > 0
    });
    assert_eq!(
        d.metrics.probe_workers.get(),
        Config::DEFAULT_WORKERS_PARALLEL as i64
    );
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    let sum = d.stop();
    assert_eq!(sum.metrics.probe(Outcome::Error).get(), 0);
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));

    // An explicit count wins over the default.
    s::backlog_from(&sb, ROWS, TXNS, 1000);
    let mut config = s::config(&sb, Mode::Select);
    config.workers = Some(3);
    let d = s::start(config);
    d.wait_for("probes on the second backlog", WAIT, |m| {
        m.probe(Outcome::Ok).get() > 0
    });
    assert_eq!(d.metrics.probe_workers.get(), 3);
    sb.start_sql_thread().unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    d.stop();
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}
