//! `advisor simulate` and `advisor reproduce`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `advisor simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Profile (profiles/NAME.toml).
    #[arg(long)]
    pub profile: PathBuf,
    /// Trace CSV.
    #[arg(long)]
    pub trace: PathBuf,
}

/// `advisor reproduce ...`
#[derive(Debug, Subcommand)]
pub enum ReproduceCommand {
    /// The study's grid from the study-2020 snapshot.
    Paper,
}
