//! `advisor trace`.

use clap::Subcommand;
use std::path::PathBuf;

/// `advisor trace ...`
#[derive(Debug, Subcommand)]
pub enum TraceCommand {
    /// Describe a trace: requests, duration, rates, burstiness.
    Stats {
        /// Trace CSV.
        file: PathBuf,
    },
}
