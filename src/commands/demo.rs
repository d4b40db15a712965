//! `relay-prefetch demo`.

use crate::cli::DemoArgs;

/// Run `demo`.
pub fn run(_args: DemoArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`demo` is not implemented yet")
}
