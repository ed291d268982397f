//! What each command does: reads its inputs, calls the library, prints.
//!
//! One file per subcommand: its clap args, their checks into domain types,
//! and its `run`; `main` only parses and calls [`run`].

/// Prints to stdout like `print!`, but returns the write's `io::Result`
/// instead of panicking, so a closed stdout (`advisor ... | head`) reaches
/// `main` as a `BrokenPipe` error, which it treats as a quiet exit.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// Prints a line to stdout like `println!`; see [`out!`] for why.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

pub mod args;
pub mod calibrate;
pub mod export;
pub mod models;
pub mod package;
pub mod pricing;
pub mod profile;
pub mod recommend;
pub mod replay;
pub mod report;
pub mod reproduce;
pub mod runtime;
pub mod serve;
pub mod simulate;
pub mod trace;
pub mod validate;

use anyhow::Context;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::path::PathBuf;

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
            // Warnings quote the user's files, which may hold terminal escapes.
            eprintln!("warning: {}", crate::escape::escape_controls(msg));
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

/// Options every command accepts.
#[derive(Debug, Clone, clap::Args, Default)]
pub struct Global {
    /// Print one JSON document on stdout and nothing else.
    #[arg(long, global = true)]
    pub json: bool,

    /// Plain output instead of the interactive screen (implied when stdout is not a terminal).
    #[arg(long, global = true)]
    pub no_tui: bool,

    /// ONNX Runtime library to load (libonnxruntime.so); overrides ORT_DYLIB_PATH.
    #[arg(long, global = true, value_name = "FILE")]
    pub ort_lib: Option<PathBuf>,

    /// No progress bars or warnings on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// The async runtime for the commands that talk HTTP.
pub(crate) fn tokio_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Writes `bytes` to `path`, refusing to replace a file unless `force`.
pub(crate) fn write_new(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    crate::fsio::write_new(path, bytes, force)
}
