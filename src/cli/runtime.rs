//! `advisor runtime`.

use clap::Subcommand;

/// `advisor runtime ...`
#[derive(Debug, Subcommand)]
pub enum RuntimeCommand {
    /// Say which ONNX Runtime library would be used, why, its version and providers.
    ///
    /// Looks, in order, at --ort-lib, ORT_DYLIB_PATH, advisor's cache
    /// ($ADVISOR_CACHE_DIR, else $XDG_CACHE_HOME/advisor, else ~/.cache/advisor)
    /// and the onnxruntime package of python3 ($ADVISOR_PYTHON names another
    /// interpreter; ADVISOR_NO_PYTHON=1 skips that step).
    Info,
    /// Install onnxruntime 1.31.1 into advisor's cache with pip (no root needed).
    Install,
}
