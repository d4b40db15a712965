//! Validated configuration built from the CLI: defaults filled, each stage handed its own options.
//! No module but this one and `cli` sees clap types.
