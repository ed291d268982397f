//! What each command does: reads its inputs, calls the library, prints.
//!
//! One file per command group; `main` only parses and calls [`run`].

pub mod live;
pub mod models;
pub mod pricing;
pub mod profile;
pub mod recommend;
pub mod runtime;
pub mod simulate;
pub mod trace;

use crate::cli::{Cli, Command, Global};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// How a command should talk to the user.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The global flags.
    pub global: Global,
    /// Whether stdout is a terminal.
    pub stdout_tty: bool,
    /// Whether stderr is a terminal (progress bars only then).
    pub stderr_tty: bool,
}

impl Ctx {
    /// The context for this process.
    pub fn new(global: Global) -> Self {
        Ctx {
            global,
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
        }
    }

    /// True when the interactive screen should open.
    pub fn tui(&self) -> bool {
        self.stdout_tty && !self.global.no_tui && !self.global.json
    }

    /// True when progress may be drawn on stderr.
    pub fn progress(&self) -> bool {
        self.stderr_tty && !self.global.quiet
    }

    /// Prints a warning on stderr unless `--quiet`.
    pub fn warn(&self, msg: &str) {
        if !self.global.quiet {
            eprintln!("warning: {msg}");
        }
    }

    /// Prints `value` as one pretty JSON document on stdout.
    pub fn print_json<T: Serialize>(&self, value: &T) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value).map_err(|e| match e.io_error_kind() {
            // Keep the I/O error's kind (a closed pipe) for `main` to see.
            Some(kind) => anyhow::Error::new(std::io::Error::from(kind)),
            None => e.into(),
        })?;
        writeln!(out)?;
        Ok(())
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx::new(cli.global);
    match cli.command {
        None => recommend::demo(&ctx),
        Some(Command::Profile(a)) => profile::run(&ctx, a),
        Some(Command::Trace(c)) => trace::run(&ctx, c),
        Some(Command::Pricing(c)) => pricing::run(&ctx, c),
        Some(Command::Runtime(c)) => runtime::run(&ctx, c),
        Some(Command::Models(c)) => models::run(&ctx, c),
        Some(Command::Simulate(a)) => simulate::run(&ctx, a),
        Some(Command::Reproduce(c)) => simulate::reproduce(&ctx, c),
        Some(Command::Recommend(a)) => recommend::run(&ctx, a),
        Some(Command::Report(a)) => recommend::report(&ctx, a),
        Some(Command::Replay(a)) => live::replay(&ctx, a),
        Some(Command::Serve(a)) => live::serve(&ctx, a),
        Some(Command::Validate(a)) => live::validate(&ctx, a),
        Some(Command::Export(a)) => live::export(&ctx, a),
    }
}

/// Writes `bytes` to `path`, refusing to replace a file unless `force`.
pub(crate) fn write_new(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    crate::fsio::write_new(path, bytes, force)
}
