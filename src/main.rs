//! The `advisor` binary: parse the command line, run it, map errors to exit codes.

use advisor::error::{exit_code, one_line};
use clap::Parser;

fn main() {
    let cli = advisor::cli::Cli::parse();
    if let Err(err) = advisor::commands::run(cli) {
        eprintln!("error: {}", one_line(&err));
        std::process::exit(exit_code(&err));
    }
}
