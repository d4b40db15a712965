//! The daemon: `run(config, shutdown)` wires reader → planner → scheduler, the replica poller, the
//! throttle and the metrics endpoint, and stops them all cleanly on shutdown.

mod shutdown;

pub use shutdown::Shutdown;
