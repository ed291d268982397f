//! Cold start, timed in fresh processes.
//!
//! The profiler runs its own executable again with the hidden flag
//! `advisor profile MODEL --cold-probe REQUEST.json`. That process reads the
//! model file, loads ONNX Runtime, creates the session and runs one inference,
//! timing each phase, and prints one JSON [`ProbeResult`] on stdout. Nothing of
//! the parent (loaded library, warmed allocator) leaks into the timings; only
//! the operating system's file cache is shared, as it would be on a warm host.

use super::inputs::Plan;
use super::machine;
use super::warm::{run_once, Feed};
use crate::runtime::{self, Device, OptLevel};
use anyhow::{anyhow, Context};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What a probe process is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProbeRequest {
    /// The model file.
    pub model: PathBuf,
    /// The ONNX Runtime library to load.
    pub ort_lib: PathBuf,
    /// The inputs.
    pub plan: Plan,
    /// Batch size of the first inference.
    pub batch: u32,
    /// Intra-op threads of the session.
    pub threads: usize,
    /// Where the session runs.
    pub device: Device,
}

/// What a probe process measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    /// Reading the model file, ms.
    pub model_read_ms: f64,
    /// Loading the library and creating the environment, ms.
    pub runtime_load_ms: f64,
    /// Creating the session (model load and graph optimisation), ms.
    pub session_create_ms: f64,
    /// The first inference, ms.
    pub first_inference_ms: f64,
    /// Peak resident memory of the probe process, MB.
    pub peak_rss_mb: f64,
}

/// The probe's side: measures and returns the phases.
pub fn probe(req: &ProbeRequest) -> anyhow::Result<ProbeResult> {
    let t = Instant::now();
    let bytes =
        std::fs::read(&req.model).with_context(|| format!("reading {}", req.model.display()))?;
    let model_read_ms = ms(t);
    drop(bytes);

    let t = Instant::now();
    runtime::init(Some(&req.ort_lib))?;
    let runtime_load_ms = ms(t);

    let t = Instant::now();
    let mut session = runtime::session(&req.model, req.threads, OptLevel::All, req.device)?;
    let session_create_ms = ms(t);

    let feed = Feed::new(&session, &req.plan, req.batch)?;
    let model = req.model.display().to_string();
    let first_inference_ms = run_once(&mut session, &feed, &req.plan, &model)?;
    Ok(ProbeResult {
        model_read_ms,
        runtime_load_ms,
        session_create_ms,
        first_inference_ms,
        peak_rss_mb: machine::peak_rss_mb(),
    })
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// The parent's side: runs one probe process and reads its result.
///
/// `exe` is the advisor executable; `request_file` holds the serialized
/// [`ProbeRequest`] for `model`.
pub fn run_probe(exe: &Path, model: &Path, request_file: &Path) -> anyhow::Result<ProbeResult> {
    let out = Command::new(exe)
        .arg("--quiet")
        .arg("profile")
        .arg(model)
        .arg("--cold-probe")
        .arg(request_file)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("starting the cold-start probe {}", exe.display()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let last = last.strip_prefix("error: ").unwrap_or(last);
        let err = anyhow!("cold-start probe failed ({}): {last}", out.status);
        // A probe fails for the same reasons the profiler would: keep the
        // exit code of bad input.
        return Err(if out.status.code() == Some(crate::error::EXIT_BAD_INPUT) {
            crate::error::bad_input(err.to_string())
        } else {
            err
        });
    }
    serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "reading the cold-start probe's output: {}",
            String::from_utf8_lossy(&out.stdout).trim()
        )
    })
}
