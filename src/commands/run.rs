//! `relay-prefetch run`.

use crate::cli::RunArgs;

/// Run `run`.
pub fn run(_args: RunArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`run` is not implemented yet")
}
