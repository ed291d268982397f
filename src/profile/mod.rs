//! Profiles: what was measured of a model on this machine.
//!
//! A [`Profile`] is written to `profiles/NAME.toml` and read back by the
//! simulator, the advice and the TUI. Every figure in it was measured by
//! running the model with ONNX Runtime; the file says where, when and with
//! which runtime.

pub mod bundled;
pub mod check;
mod cold;
mod file;
pub mod import;
pub mod inputs;
pub mod machine;
mod measure;
pub mod noise;
pub mod npy;
pub mod progress;
pub mod reference;
pub mod stats;
pub mod summary;
pub mod tensor;
pub mod warm;

pub use cold::{probe, ProbeRequest, ProbeResult};
pub use inputs::{InputChoices, Plan};
pub use measure::{cold_summary, profile, thread_counts, ProfileOptions, DEFAULT_COLD_TRIALS};
pub use progress::ProgressEvent;
pub use reference::{measure_probe, ReferenceProbe};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything measured of one model on one machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Profile name (the file stem under `profiles/`).
    pub name: String,
    /// How these figures were obtained, e.g. "measured by advisor 0.1.0".
    pub source: String,
    /// When the measurement ran (RFC 3339).
    pub measured_at: String,
    /// The model that was measured.
    pub model: ModelSummary,
    /// The machine it ran on.
    pub machine: Machine,
    /// The runtime that ran it.
    pub runtime: RuntimeInfo,
    /// Cold start phases, each timed in fresh processes.
    pub cold_start: ColdStart,
    /// Warm latency per device x threads x batch.
    pub latency: Vec<LatencyPoint>,
    /// Effect of graph optimisation, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimization: Option<OptimizationEffect>,
    /// Peak resident memory of the largest single process of the profiling
    /// (the profiler or a cold-start probe), MB (2^20 bytes).
    pub peak_rss_mb: f64,
    /// Notes on what was assumed or could not be measured.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Why some figures may not be trusted (noisy or implausible
    /// measurements), each with what to do about it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The reference probe measured beside the model (`None` in profiles
    /// written before it existed: their figures follow their own machine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ReferenceProbe>,
}

/// The model part of a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    /// File name of the model as given.
    pub file: String,
    /// File size in bytes.
    pub size_bytes: u64,
    /// Parameter count.
    pub params: u64,
    /// Default-domain opset.
    pub opset: i64,
    /// FLOPs per item, when shapes allowed an estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flops_per_item: Option<f64>,
    /// Share of the counted FLOPs in convolutions (the rest is matrix
    /// multiplication), when shapes allowed an estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conv_flops_share: Option<f64>,
    /// Operator histogram.
    #[serde(default)]
    pub ops: BTreeMap<String, u64>,
    /// The inputs as they were fed: `name: dtype[d0,d1,..]` with resolved dims.
    #[serde(default)]
    pub inputs: Vec<String>,
}

/// The machine a profile was measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name from the operating system.
    pub cpu_model: String,
    /// Logical cores available to the process.
    pub cores: u32,
    /// GPU name when one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<String>,
}

impl Machine {
    /// "AMD EPYC, 2 cores" (and the GPU when there is one), as screens and
    /// reports name the profiling machine.
    pub fn summary(&self) -> String {
        let gpu = self
            .gpu
            .as_ref()
            .map(|g| format!(", {g}"))
            .unwrap_or_default();
        format!("{}, {} cores{gpu}", self.cpu_model, self.cores)
    }
}

/// The runtime that ran the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeInfo {
    /// ONNX Runtime version, e.g. "1.31.1".
    pub ort_version: String,
    /// Execution providers used.
    #[serde(default)]
    pub providers: Vec<String>,
    /// Size of the runtime library on disk, MB (drives the package-size advice).
    #[serde(default)]
    pub library_mb: f64,
}

/// Cold start phases, medians over fresh-process trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColdStart {
    /// Fresh-process trials the medians come from.
    pub trials: u32,
    /// Reading the model file from disk, ms.
    pub model_read_ms: f64,
    /// Loading the ONNX Runtime library, ms.
    pub runtime_load_ms: f64,
    /// Creating the session (model load + graph optimisation), ms.
    pub session_create_ms: f64,
    /// The first inference in the fresh session, ms.
    pub first_inference_ms: f64,
    /// Min and max of each phase across trials: phase name -> [min, max] ms.
    #[serde(default)]
    pub spread_ms: BTreeMap<String, [f64; 2]>,
    /// Intra-op threads of the probe's session.
    #[serde(default)]
    pub threads: u32,
    /// Batch size of the probe's first inference.
    #[serde(default)]
    pub batch: u32,
    /// Median peak resident memory of a probe process (runtime, session and
    /// one inference: what a serving process needs), MB.
    #[serde(default)]
    pub process_rss_mb: f64,
    /// The runtime import a function would do and its deployment package
    /// (absent in profiles from before it was measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import: Option<import::RuntimeImport>,
}

/// Warm latency at one device x threads x batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyPoint {
    /// "cpu" or "cuda".
    pub device: String,
    /// Intra-op threads.
    pub threads: u32,
    /// Batch size.
    pub batch: u32,
    /// Mean latency of one run of the batch, ms.
    pub mean_ms: f64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Timed runs.
    pub samples: u32,
    /// Items per second at this batch (batch / mean).
    pub items_per_s: f64,
}

/// Graph optimisation disabled vs all, measured on one thread at batch 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizationEffect {
    /// Session creation with optimisations disabled, ms.
    pub disabled_session_ms: f64,
    /// Session creation with all optimisations, ms.
    pub all_session_ms: f64,
    /// p50 latency with optimisations disabled, ms.
    pub disabled_p50_ms: f64,
    /// p50 latency with all optimisations, ms.
    pub all_p50_ms: f64,
}

impl Profile {
    /// The measured point for a device, thread count and batch, if any.
    pub fn point(&self, device: &str, threads: u32, batch: u32) -> Option<&LatencyPoint> {
        self.latency
            .iter()
            .find(|p| p.device == device && p.threads == threads && p.batch == batch)
    }
}
