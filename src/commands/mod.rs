//! One file per subcommand: each turns its CLI arguments into a validated configuration and calls
//! the library. `main.rs` only parses the CLI, sets up logging and dispatches here.

use crate::cli::{Cli, Command};

pub mod demo;
pub mod inspect;
pub mod inspect_plan;
pub mod rewrite;
pub mod run;

/// Run the parsed command line. Returns the process exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Rewrite(a) => rewrite::run(a),
        Command::Run(a) => run::run(a),
        Command::Demo(a) => demo::run(a),
    }
}
