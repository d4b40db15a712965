//! `relay-prefetch rewrite`.

use crate::cli::RewriteArgs;

/// Run `rewrite`.
pub fn run(_args: RewriteArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`rewrite` is not implemented yet")
}
