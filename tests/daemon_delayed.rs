//! The daemon on a delayed replica (`MASTER_DELAY`), against a real MariaDB primary + replica.
//! Such a replica keeps its delay's worth of relay log unapplied on purpose, and its
//! Seconds_Behind_Master counts from the events' time, so it looks like a lagging replica. On
//! schedule (the applier waiting for the next event's delay) the daemon must leave it alone:
//! no probes, and the reader waits at the applier instead of reading the backlog through
//! unplanned, also across a replica restart. When the applier stops (here: the SQL thread stopped, as after an error), the
//! waiting transactions are planned from the one the reader held, none read through. Nothing
//! is written.

mod daemon_support;

use std::time::Duration;

use daemon_support as s;
use relay_prefetch::plan::Mode;
use relay_prefetch::sandbox::SandboxOptions;

const ROWS: u64 = 2000;
const TXNS: u64 = 200;

#[test]
fn a_delayed_replica_on_schedule_is_left_alone_and_its_backlog_kept_for_later() {
    let Some(mut sb) = s::sandbox(SandboxOptions::default()) else {
        return;
    };
    s::load(&sb, ROWS);
    sb.replica
        .exec(&[
            "STOP SLAVE",
            "CHANGE MASTER TO MASTER_DELAY=3600",
            "START SLAVE",
        ])
        .unwrap();
    s::write_updates(&sb, ROWS, TXNS, 0);
    sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
        .unwrap();

    let run = s::start(s::config(&sb, Mode::Select));
    run.wait_for("the first transaction read", Duration::from_secs(30), |m| {
        m.transactions_read.get() >= 1
    });
    // Several poll and status intervals with the applier waiting on its delay.
    std::thread::sleep(Duration::from_secs(3));
    let m = &run.metrics;
    assert_eq!(m.probes_run(), 0, "probes on a replica on schedule");
    assert_eq!(m.active.get(), 0);
    assert!(
        m.transactions_read.get() <= 2,
        "the reader read {} of {TXNS} transactions through instead of waiting at the applier",
        m.transactions_read.get()
    );

    // A replica restart under the held reader: the daemon reconnects and, the applier waiting
    // on its delay again, is idle without having read the backlog through. (Should the SQL
    // thread show as stopped for a moment while the server starts, a stopped applier's next
    // window, 64 pages here, is prefetched: so probes are not counted here, and the bound on
    // what was read is half the backlog.)
    let read_before = m.transactions_read.get();
    sb.replica.restart().unwrap();
    sb.wait_for_relay_log_catch_up(Duration::from_secs(60))
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    run.wait_for(
        "idle again after the restart",
        Duration::from_secs(30),
        |m| m.active.get() == 0,
    );
    assert!(
        m.transactions_read.get() <= read_before + TXNS / 2,
        "read {} transactions through after the restart",
        m.transactions_read.get() - read_before
    );

    // The applier stops: what it will apply next is now worth having in memory. Planning
    // starts from the transaction the reader held on (up to the window: a stopped applier
    // does not move it).
    sb.stop_sql_thread().unwrap();
    run.wait_for("the held backlog planned", Duration::from_secs(30), |m| {
        m.active.get() == 1 && m.probes_submitted.get() > 0 && m.transactions_read.get() > 2
    });
    let sum = run.stop();
    // Read-through would leave nearly all of them unplanned. At most one is: the transaction
    // held when the restart re-opened the relay log at the applier, which is read again there.
    assert!(
        sum.metrics.transactions_not_planned.get() <= 1,
        "{} transactions read through unplanned",
        sum.metrics.transactions_not_planned.get()
    );

    sb.replica
        .exec(&[
            "STOP SLAVE",
            "CHANGE MASTER TO MASTER_DELAY=0",
            "START SLAVE",
        ])
        .unwrap();
    sb.wait_for_replica_catch_up(Duration::from_secs(60))
        .unwrap();
    assert_eq!(s::checksums(&sb.primary), s::checksums(&sb.replica));
}
