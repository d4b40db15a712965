//! `relay-prefetch inspect`.

use crate::cli::InspectArgs;

/// Run `inspect`.
pub fn run(_args: InspectArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`inspect` is not implemented yet")
}
