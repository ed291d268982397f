//! `advisor profile`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `advisor profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The ONNX model to measure.
    pub model: PathBuf,
}
