//! `advisor runtime`.

use clap::Subcommand;

/// `advisor runtime ...`
#[derive(Debug, Subcommand)]
pub enum RuntimeCommand {
    /// Say which ONNX Runtime library would be used, and why.
    Info,
    /// Install onnxruntime into advisor's own cache with pip (no root needed).
    Install,
}
