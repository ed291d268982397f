//! `models inspect --check`: whether ONNX Runtime itself accepts a model.
//!
//! The decoder here only checks the protobuf; ONNX Runtime also checks the
//! graph (types, shapes, operators), which is what serving will need.

use crate::commands::Ctx;
use crate::runtime::{self, Device, OptLevel};
use std::path::Path;

/// `Some(true)` when ONNX Runtime loads `file`; a bad-input error naming the
/// file when it refuses; `None` (after a warning) when no runtime is found.
pub fn accepts(ctx: &Ctx, file: &Path) -> anyhow::Result<Option<bool>> {
    if let Err(e) = runtime::init(None) {
        ctx.warn(&format!("--check skipped: {}", crate::error::one_line(&e)));
        return Ok(None);
    }
    runtime::session(file, 1, OptLevel::default(), Device::Cpu)?;
    Ok(Some(true))
}
