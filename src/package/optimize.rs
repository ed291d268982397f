//! The model optimised offline: ONNX Runtime's graph optimisations applied
//! once here and saved (`optimized_model_filepath`), so the deployed
//! session skips that work at every cold start.
//!
//! The level is "extended" (constant folding, redundant-node removal and the
//! operator fusions of the CPU execution provider), not "all": the layout
//! optimisations that "all" adds depend on the CPU's vector width (NCHWc
//! blocks), so a model saved with them on this machine may not run on the
//! platform's. The handler loads the saved model with optimisations off.

use crate::runtime;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use std::path::Path;

/// The model to ship and a sentence saying what it is: the optimised model,
/// or the model as given (with why) when the runtime cannot save it.
pub fn optimised_model(model: &Path, ort_lib: Option<&Path>) -> anyhow::Result<(Vec<u8>, String)> {
    let original = std::fs::read(model).map_err(|e| {
        crate::error::bad_input(format!("{}: cannot read the model: {e}", model.display()))
    })?;
    match save_optimised(model, ort_lib) {
        Ok((bytes, version)) => {
            let how = format!(
                "model optimised offline by ONNX Runtime {version} at level extended ({} -> {} bytes); load it with optimisations off",
                original.len(),
                bytes.len()
            );
            Ok((bytes, how))
        }
        Err(e) => Ok((
            original,
            format!(
                "model shipped as given, not optimised offline ({}); set ORT_OPTIMIZATION=all to optimise at load",
                e.to_string().replace('\n', " ")
            ),
        )),
    }
}

fn save_optimised(model: &Path, ort_lib: Option<&Path>) -> anyhow::Result<(Vec<u8>, String)> {
    let rt = runtime::init(ort_lib)?;
    let out = std::env::temp_dir().join(format!(
        "advisor-optimised-{}-{}.onnx",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let bytes = save_into(&rt, model, &out)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .and_then(|()| Ok(std::fs::read(&out)?));
    let _ = std::fs::remove_file(&out);
    Ok((bytes?, rt.version.clone()))
}

/// Opens `model` at level extended, ONNX Runtime writing the result to `out`.
fn save_into(rt: &runtime::RuntimeHandle, model: &Path, out: &Path) -> ort::Result<()> {
    let mut b = Session::builder(rt.environment())?
        .with_optimization_level(GraphOptimizationLevel::Level2)?
        .with_optimized_model_path(out)?;
    b.commit_from_file(model)?;
    Ok(())
}
