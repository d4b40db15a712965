//! The applier's position and state: flavor detection, which replication channel to follow
//! (`channel.rs`), SHOW REPLICA STATUS / SHOW SLAVE STATUS parsed by column name, start-up feature detection, and a poller thread publishing the latest
//! position on a connection of its own, with the buffer pool's filling-or-evicting verdict (and
//! whether it reads from disk at all) sampled on the same connection (`pool.rs`). Does not decide anything: `schedule`, `throttle`
//! and the daemon's probe sizing act on what this module reports.

mod channel;
mod connect;
mod features;
mod flavor;
mod poller;
mod pool;
mod status;

pub use channel::Channel;
pub use connect::ConnSpec;
pub use features::{ServerInfo, detect};
pub use flavor::{Family, Flavor};
pub use poller::{ApplierSnapshot, Poller, fetch_status};
pub use pool::{PoolSample, PoolWatch, Pressure, fetch_pool};
pub use status::{RelayCoord, ReplicaStatus};
