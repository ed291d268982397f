//! The reference probe: two fixed workloads timed beside every profile, so
//! that a profile's latencies can be carried to another CPU.
//!
//! A latency measured here says as much about this machine (its CPU, and
//! whatever else runs on it) as about the model. The probe runs the same
//! deterministic models everywhere: MobileNetV2 (convolution-heavy) and one
//! ALBERT-base layer at 128 tokens (matmul- and attention-heavy), both as
//! `advisor models build` makes them, one intra-op thread, batch 1. The
//! model's time divided by the probe's time is then a property of the model,
//! and the CPU table (`pricing/cpus.toml`) gives the probe's time on each
//! offer's CPU.

use super::inputs::{self, InputChoices};
use super::machine;
use super::stats::{round3, summarize};
use super::warm::{measure, Budget, Feed};
use crate::model::build::{albert_block, mobilenetv2};
use crate::model::proto::ModelProto;
use crate::runtime::{self, Device, OptLevel};
use anyhow::Context;
use prost::Message;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Version of the probe's workloads; figures of different versions do not
/// compare (a profile with another version is read as having no probe).
pub const PROBE_VERSION: u32 = 1;

/// Timed runs of each probe workload: at least 40 runs and 1 s, at most 3 s
/// (about 5 s in all with session creation); the probe runs before and after
/// the model, so about 10 s per profile.
pub const PROBE_BUDGET: Budget = Budget {
    min_runs: 40,
    min_time: Duration::from_secs(1),
    max_time: Duration::from_secs(3),
    floor_runs: 10,
    max_runs: 2_000,
};

/// What the probe measured: the `[probe]` table of a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceProbe {
    /// Version of the workloads ([`PROBE_VERSION`]).
    pub version: u32,
    /// MobileNetV2, 1 thread, batch 1: median ms.
    pub conv_ms: f64,
    /// Its 95th percentile, ms.
    pub conv_p95_ms: f64,
    /// One ALBERT-base layer, 128 tokens, 1 thread, batch 1: median ms.
    pub matmul_ms: f64,
    /// Its 95th percentile, ms.
    pub matmul_p95_ms: f64,
    /// Timed runs of each workload.
    pub runs: [u32; 2],
    /// Vector and matrix extensions of the CPU (AVX2, AVX-512, AMX, NEON, SVE, ...).
    #[serde(default)]
    pub features: Vec<String>,
    /// CPU model name from the operating system.
    pub cpu_model: String,
    /// Logical cores available to the process.
    pub cores: u32,
}

impl ReferenceProbe {
    /// "conv 8.61 ms, matmul 12.30 ms (AMD EPYC, 2 cores; avx2, avx512f)".
    pub fn summary(&self) -> String {
        let features = if self.features.is_empty() {
            String::new()
        } else {
            format!("; {}", self.features.join(", "))
        };
        format!(
            "conv {:.2} ms, matmul {:.2} ms ({}, {} cores{features})",
            self.conv_ms, self.matmul_ms, self.cpu_model, self.cores
        )
    }
}

/// Largest relative change between the probe before and after the latency
/// grid read as a steady machine.
pub const MAX_DRIFT: f64 = 0.15;

/// The probe timed before and after the model, as one: means of the medians,
/// the larger tails, all the runs; and a warning when the machine's speed
/// changed between the two by more than [`MAX_DRIFT`].
pub fn combine(
    before: &ReferenceProbe,
    after: &ReferenceProbe,
) -> (ReferenceProbe, Option<String>) {
    let mean = |a: f64, b: f64| round3((a + b) / 2.0);
    let drift = |a: f64, b: f64| (a - b).abs() / a.min(b).max(1e-9);
    let worst = drift(before.conv_ms, after.conv_ms).max(drift(before.matmul_ms, after.matmul_ms));
    let warning = (worst > MAX_DRIFT).then(|| {
        format!(
            "the machine's speed changed while profiling: the reference probe took {:.2}/{:.2} ms (conv/matmul) before the model and {:.2}/{:.2} ms after; {}",
            before.conv_ms,
            before.matmul_ms,
            after.conv_ms,
            after.matmul_ms,
            super::noise::ADVICE
        )
    });
    let probe = ReferenceProbe {
        conv_ms: mean(before.conv_ms, after.conv_ms),
        conv_p95_ms: before.conv_p95_ms.max(after.conv_p95_ms),
        matmul_ms: mean(before.matmul_ms, after.matmul_ms),
        matmul_p95_ms: before.matmul_p95_ms.max(after.matmul_p95_ms),
        runs: [
            before.runs[0] + after.runs[0],
            before.runs[1] + after.runs[1],
        ],
        ..before.clone()
    };
    (probe, warning)
}

/// Times both workloads on this machine with the ONNX Runtime already
/// initialised (or found as `ort_lib` says).
pub fn measure_probe(ort_lib: Option<&Path>) -> anyhow::Result<ReferenceProbe> {
    runtime::init(ort_lib)?;
    let dir = ProbeDir::new()?;
    let (conv, conv_runs) = time_model(&dir, "mobilenetv2", &mobilenetv2())?;
    let (matmul, matmul_runs) = time_model(&dir, "albert-block", &albert_block())?;
    Ok(ReferenceProbe {
        version: PROBE_VERSION,
        conv_ms: round3(conv.0),
        conv_p95_ms: round3(conv.1),
        matmul_ms: round3(matmul.0),
        matmul_p95_ms: round3(matmul.1),
        runs: [conv_runs, matmul_runs],
        features: machine::vector_features(),
        cpu_model: machine::cpu_model(),
        cores: machine::cores(),
    })
}

/// (median, p95) ms and the runs of one workload at 1 thread, batch 1.
fn time_model(dir: &ProbeDir, name: &str, model: &ModelProto) -> anyhow::Result<((f64, f64), u32)> {
    let path = dir.0.join(format!("{name}.onnx"));
    std::fs::write(&path, model.encode_to_vec())
        .with_context(|| format!("writing the probe model {}", path.display()))?;
    let shown = format!("probe {name}");
    let info = crate::model::inspect(&path)?;
    let choices = InputChoices {
        batches: Some(vec![1]),
        ..InputChoices::default()
    };
    let plan = inputs::plan(&shown, &info.inputs, &info.id_ranges, &choices)?;
    let mut session = runtime::session(&path, 1, OptLevel::All, Device::Cpu)?;
    let feed = Feed::new(&session, &plan, 1)?;
    let t = measure(&mut session, &feed, &plan, &shown, &PROBE_BUDGET)?;
    let s = summarize(&t.samples_ms);
    Ok(((s.p50, s.p95), s.n as u32))
}

/// A private folder for the probe's model files, removed when dropped.
struct ProbeDir(PathBuf);

impl ProbeDir {
    fn new() -> anyhow::Result<ProbeDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "advisor-reference-probe-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(ProbeDir(path))
    }
}

impl Drop for ProbeDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(conv_ms: f64, matmul_ms: f64) -> ReferenceProbe {
        ReferenceProbe {
            version: PROBE_VERSION,
            conv_ms,
            conv_p95_ms: conv_ms * 1.1,
            matmul_ms,
            matmul_p95_ms: matmul_ms * 1.1,
            runs: [50, 40],
            features: vec![],
            cpu_model: "cpu".into(),
            cores: 2,
        }
    }

    #[test]
    fn before_and_after_are_averaged_and_drift_is_flagged() {
        let (p, w) = combine(&probe(10.0, 20.0), &probe(11.0, 21.0));
        assert_eq!((p.conv_ms, p.matmul_ms), (10.5, 20.5));
        assert_eq!(p.runs, [100, 80]);
        assert!((p.conv_p95_ms - 12.1).abs() < 1e-9);
        assert!(w.is_none());
        let (_, w) = combine(&probe(10.0, 20.0), &probe(10.0, 30.0));
        assert!(w
            .unwrap()
            .starts_with("the machine's speed changed while profiling"));
    }
}
