//! Finding (and if asked, provisioning) the ONNX Runtime library, loading it
//! once per process, and building sessions on it.
//!
//! Discovery order: `--ort-lib`, `ORT_DYLIB_PATH`, advisor's own cache
//! (`$ADVISOR_CACHE_DIR`, else `$XDG_CACHE_HOME/advisor`, else
//! `~/.cache/advisor`), then the `onnxruntime` package of `python3`
//! (`$ADVISOR_PYTHON` names another interpreter; `ADVISOR_NO_PYTHON=1` skips
//! this step). [`locate`] applies it; [`init`] loads the library it found.

mod ffi;
mod install;
mod locate;

pub use install::{install, Installed};
pub use locate::{
    cache_dir, cached_library, install_dir, locate, python, FoundBy, Located, ENV_CACHE, ENV_DYLIB,
    ENV_NO_PYTHON, ENV_PYTHON, ORT_RELEASE,
};

use crate::error::bad_input;
use anyhow::{anyhow, Context};
use ort::environment::Environment;
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};
use ort::session::Session;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// The loaded runtime: which library, its version, and ort's environment.
#[derive(Debug, Clone)]
pub struct RuntimeHandle {
    /// The library file and the rule that found it.
    pub located: Located,
    /// The library's own version string, e.g. "1.31.1".
    pub version: String,
    /// Size of the library file in bytes.
    pub library_bytes: u64,
    /// Wall time this process spent loading the library and creating the
    /// environment, ms.
    pub load_ms: f64,
    env: Environment,
}

impl RuntimeHandle {
    /// ort's environment, to build sessions on.
    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// Execution providers the library was built with.
    pub fn providers(&self) -> anyhow::Result<Vec<String>> {
        ffi::available_providers()
    }

    /// True when the library was built with the CUDA execution provider
    /// (whether a GPU is present is only known when a session tries it).
    pub fn has_cuda(&self) -> bool {
        self.providers()
            .map(|p| p.iter().any(|n| n == "CUDAExecutionProvider"))
            .unwrap_or(false)
    }

    /// Size of the library file in MB (2^20 bytes).
    pub fn library_mb(&self) -> f64 {
        self.library_bytes as f64 / (1024.0 * 1024.0)
    }
}

static RUNTIME: Mutex<Option<RuntimeHandle>> = Mutex::new(None);

/// Locates and loads ONNX Runtime, and creates ort's environment.
///
/// Idempotent: the first successful call loads the library; later calls
/// return the same handle whatever they pass, because a process can hold only
/// one ONNX Runtime.
pub fn init(explicit: Option<&Path>) -> anyhow::Result<RuntimeHandle> {
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(handle) = slot.as_ref() {
        return Ok(handle.clone());
    }
    let located = locate(explicit)?;
    let handle = load(located)?;
    *slot = Some(handle.clone());
    Ok(handle)
}

/// The handle of the runtime this process loaded, if any.
pub fn current() -> Option<RuntimeHandle> {
    RUNTIME.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

fn load(located: Located) -> anyhow::Result<RuntimeHandle> {
    let what = format!(
        "ONNX Runtime library {} (found by {})",
        located.path.display(),
        located.found_by
    );
    let library_bytes = std::fs::metadata(&located.path)
        .with_context(|| what.clone())?
        .len();
    let start = Instant::now();
    let version = ffi::library_version(&located.path).map_err(|e| bad_input(e.to_string()))?;
    let minor: u32 = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if minor < ort::MINOR_VERSION {
        return Err(bad_input(format!(
            "{what} is version {version}; advisor needs 1.{}.x or newer: run `advisor runtime install` \
             or pass --ort-lib FILE",
            ort::MINOR_VERSION
        )));
    }
    let env = ort::init_from(&located.path)
        .map_err(|e| bad_input(format!("{what}: {e}")))?
        .with_name("advisor")
        .build()
        .map_err(|e| anyhow!("{what}: creating the environment: {e}"))?;
    let load_ms = start.elapsed().as_secs_f64() * 1e3;
    Ok(RuntimeHandle {
        located,
        version,
        library_bytes,
        load_ms,
        env,
    })
}

/// Graph optimisation level of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OptLevel {
    /// No graph optimisation.
    Disabled,
    /// Constant folding and redundant-node removal.
    Basic,
    /// Basic plus complex node fusions.
    Extended,
    /// Everything, layout optimisations included (ONNX Runtime's default).
    #[default]
    All,
}

impl From<OptLevel> for GraphOptimizationLevel {
    fn from(o: OptLevel) -> Self {
        match o {
            OptLevel::Disabled => GraphOptimizationLevel::Disable,
            OptLevel::Basic => GraphOptimizationLevel::Level1,
            OptLevel::Extended => GraphOptimizationLevel::Level2,
            OptLevel::All => GraphOptimizationLevel::All,
        }
    }
}

/// Where a session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    /// The CPU execution provider.
    #[default]
    Cpu,
    /// The CUDA execution provider on GPU 0.
    Cuda,
}

impl Device {
    /// The name used in profiles: "cpu" or "cuda".
    pub fn as_str(self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Cuda => "cuda",
        }
    }
}

/// Builds a session for `model` with `threads` intra-op threads.
///
/// Uses the runtime [`init`] loaded (loading one by the discovery order when
/// none is). A model ONNX Runtime refuses (not ONNX, truncated, invalid
/// graph, unsupported operator) is reported as bad input naming the file.
pub fn session(
    model: &Path,
    threads: usize,
    opt: OptLevel,
    device: Device,
) -> anyhow::Result<Session> {
    let rt = init(None)?;
    if !model.is_file() {
        return Err(crate::model::limits::not_a_model_file(model));
    }
    let mut builder = configure(&rt, threads, opt).map_err(|e| anyhow!("session options: {e}"))?;
    if device == Device::Cuda {
        ffi::append_cuda(&mut builder).context("enabling the CUDA execution provider")?;
    }
    builder.commit_from_file(model).map_err(|e| {
        let text = e.message().replace('\n', " ");
        let hint = if text.contains("Could not find an implementation") {
            "; ONNX Runtime has no kernel for this operator at the model's opset: \
             re-export the model with a recent opset"
        } else {
            ""
        };
        let msg = format!(
            "{}: ONNX Runtime cannot load this model: {text}{hint}",
            model.display()
        );
        use ort::ErrorCode as C;
        match e.code() {
            C::InvalidProtobuf
            | C::InvalidGraph
            | C::NoSuchFile
            | C::NoModel
            | C::InvalidArgument
            | C::NotImplemented
            | C::GenericFailure => bad_input(msg),
            _ => anyhow!(msg),
        }
    })
}

fn configure(rt: &RuntimeHandle, threads: usize, opt: OptLevel) -> ort::Result<SessionBuilder> {
    Ok(Session::builder(rt.environment())?
        .with_intra_threads(threads)?
        .with_optimization_level(opt.into())?)
}
