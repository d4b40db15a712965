//! The `relay-prefetch` binary: parse the CLI, set up logging, dispatch. Everything else is in the
//! library so tests can call it.

use clap::Parser;
use relay_prefetch::{cli::Cli, commands, logging};

fn main() {
    let cli = Cli::parse();
    logging::init(cli.log_format, cli.verbose);
    match commands::dispatch(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("relay-prefetch: error: {e:#}");
            std::process::exit(1);
        }
    }
}
