//! `advisor replay`, `serve`, `validate` and `export`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `advisor replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Trace CSV.
    #[arg(long)]
    pub trace: PathBuf,
    /// Endpoint URL.
    #[arg(long)]
    pub url: String,
}

/// Arguments of `advisor serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The ONNX model to serve.
    pub model: PathBuf,
}

/// Arguments of `advisor validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The ONNX model.
    #[arg(long)]
    pub model: PathBuf,
    /// Trace CSV.
    #[arg(long)]
    pub trace: PathBuf,
}

/// Arguments of `advisor export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Trace CSV.
    #[arg(long)]
    pub trace: PathBuf,
}
