//! `advisor recommend` and `advisor report`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `advisor recommend`.
#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// Profile (profiles/NAME.toml).
    #[arg(long)]
    pub profile: PathBuf,
    /// Trace CSV.
    #[arg(long)]
    pub trace: PathBuf,
}

/// Arguments of `advisor report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Profile (profiles/NAME.toml).
    #[arg(long)]
    pub profile: PathBuf,
    /// Trace CSV.
    #[arg(long)]
    pub trace: PathBuf,
}
