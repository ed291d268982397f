//! The whole measurement: cold start in fresh processes, the effect of graph
//! optimisation, and warm latency over threads x batch sizes.

use super::cold::{self, ProbeRequest, ProbeResult};
use super::inputs::{self, InputChoices, Plan};
use super::machine;
use super::noise;
use super::progress::{ProgressEvent, Step, Steps};
use super::reference::ReferenceProbe;
use super::stats::{median, round3, summarize};
use super::warm::{measure, Budget, Feed, Timings};
use super::{
    ColdStart, LatencyPoint, Machine, ModelSummary, OptimizationEffect, Profile, RuntimeInfo,
};
use crate::model::{self, ModelInfo};
use crate::runtime::{self, Device, OptLevel, RuntimeHandle};
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Fresh-process cold-start trials when not told otherwise.
pub const DEFAULT_COLD_TRIALS: u32 = 5;

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileOptions {
    /// The model file.
    pub model: PathBuf,
    /// Profile name (the file stem under `profiles/`).
    pub name: String,
    /// Intra-op thread counts (`None`: 1 and all cores).
    pub threads: Option<Vec<usize>>,
    /// Input shapes and values.
    pub inputs: InputChoices,
    /// Exactly this many timed runs per point (`None`: at least 30 and 2 s, capped at 10 s).
    pub runs: Option<u32>,
    /// Where to run.
    pub device: Device,
    /// Fresh-process cold-start trials (0 skips them).
    pub cold_trials: u32,
    /// The ONNX Runtime library (`None`: the discovery order).
    pub ort_lib: Option<PathBuf>,
    /// Whether to measure graph optimisation disabled vs all.
    pub optimization: bool,
    /// The advisor executable that runs cold-start probes (`None`: this one).
    pub exe: Option<PathBuf>,
    /// Whether to time the reference probe (what carries the latencies to
    /// other CPUs; about 5 s).
    pub reference: bool,
}

impl ProfileOptions {
    /// Defaults for `model`: name from the file stem, default threads,
    /// batches and runs, CPU, 5 cold trials, optimisation effect measured.
    pub fn new(model: impl Into<PathBuf>) -> Self {
        let model = model.into();
        let name = model
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        ProfileOptions {
            model,
            name,
            threads: None,
            inputs: InputChoices::default(),
            runs: None,
            device: Device::Cpu,
            cold_trials: DEFAULT_COLD_TRIALS,
            ort_lib: None,
            optimization: true,
            exe: None,
            reference: true,
        }
    }
}

/// Measures the model as `opts` says, reporting progress to `progress`.
pub fn profile(
    opts: &ProfileOptions,
    progress: &mut dyn FnMut(ProgressEvent),
) -> anyhow::Result<Profile> {
    let shown = opts.model.display().to_string();
    if !opts.model.is_file() {
        return Err(crate::model::limits::not_a_model_file(&opts.model));
    }
    let info = model::inspect(&opts.model)?;
    let plan = inputs::plan(&shown, &info.inputs, &info.id_ranges, &opts.inputs)?;
    let rt = runtime::init(opts.ort_lib.as_deref())?;

    let mut notes = plan.notes.clone();
    let cores = machine::cores();
    let threads = thread_counts(opts.threads.as_deref(), cores as usize);
    let budget = opts.runs.map(Budget::exactly).unwrap_or(Budget::LATENCY);
    let quick = opts.runs.map(Budget::exactly).unwrap_or(Budget::QUICK);
    let first_batch = plan.batches[0];
    let order = step_order(opts, &threads, &plan);
    let mut steps = Steps::new(order, budget, quick, progress);

    let device = choose_device(opts.device, &opts.model, &rt, &mut notes, &mut steps);
    let probe_threads = *threads.iter().max().unwrap_or(&1);

    let probes = cold_trials(
        opts,
        &rt,
        &plan,
        first_batch,
        probe_threads,
        device,
        &mut steps,
    )?;
    let probe = reference_probe(opts, &mut steps)?;
    let grid = Grid {
        model: &opts.model,
        shown: &shown,
        plan: &plan,
        threads: &threads,
        device,
        budget: &budget,
    };
    let latency = latency_grid(&grid, &mut steps, &mut notes)?;
    let (probe, drift) = probe_again(opts, &mut steps, probe)?;

    // After the grid, so that neither level pays the process's first-session costs.
    let optimization = if opts.optimization {
        Some(optimization_effect(
            opts,
            &plan,
            first_batch,
            device,
            &quick,
            &mut steps,
        )?)
    } else {
        None
    };
    let mut cold_start = cold_summary(&probes, probe_threads, first_batch);
    super::import::attach(
        &mut cold_start,
        &rt.located.path,
        &opts.model,
        opts.cold_trials,
        &mut notes,
    );
    describe_runs(&mut notes, probes.len(), probe_threads, first_batch, &plan);
    let peak_probe = probes.iter().map(|p| p.peak_rss_mb).fold(0.0, f64::max);
    let flops = flops_per_item(&opts.model, &info, &opts.inputs.dims);
    let warnings = warnings(&latency, probe.as_ref(), drift);
    for w in &warnings {
        steps.notice(w.clone());
    }
    let mut model = summary(&opts.model, &info, &plan, flops);
    model.conv_flops_share = conv_share(&opts.model, &opts.inputs.dims);
    Ok(Profile {
        name: opts.name.clone(),
        source: format!(
            "measured by advisor {} with ONNX Runtime {}",
            env!("CARGO_PKG_VERSION"),
            rt.version
        ),
        measured_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        model,
        machine: machine_info(cores, device),
        runtime: runtime_info(&rt, device),
        cold_start,
        latency,
        optimization,
        peak_rss_mb: round3(machine::peak_rss_mb().max(peak_probe)),
        notes,
        warnings,
        probe,
    })
}

/// The notes that say how the cold starts were measured and why each input
/// has its shape.
fn describe_runs(
    notes: &mut Vec<String>,
    cold_runs: usize,
    probe_threads: usize,
    first_batch: u32,
    plan: &inputs::Plan,
) {
    if cold_runs > 0 {
        notes.push(format!(
            "cold start: {cold_runs} fresh process{}, {probe_threads} thread{}, batch {first_batch}, graph optimisation all",
            if cold_runs == 1 { "" } else { "es" },
            plural(probe_threads)
        ));
    }
    notes.extend(
        plan.inputs
            .iter()
            .map(|i| format!("input {}: {}", i.describe(), i.why)),
    );
}

/// The reference probe, when asked for.
fn reference_probe(
    opts: &ProfileOptions,
    steps: &mut Steps<'_>,
) -> anyhow::Result<Option<ReferenceProbe>> {
    if !opts.reference {
        return Ok(None);
    }
    steps.begin("reference probe: MobileNetV2 and one ALBERT layer, 1 thread, batch 1".into());
    let r = super::reference::measure_probe(opts.ort_lib.as_deref())?;
    steps.finish(None);
    Ok(Some(r))
}

/// The probe timed again after the model, so that a machine whose load
/// changed meanwhile is seen and the two straddle the model's measurement;
/// with the drift warning, if any.
fn probe_again(
    opts: &ProfileOptions,
    steps: &mut Steps<'_>,
    before: Option<ReferenceProbe>,
) -> anyhow::Result<(Option<ReferenceProbe>, Option<String>)> {
    let Some(before) = before else {
        return Ok((None, None));
    };
    let Some(after) = reference_probe(opts, steps)? else {
        return Ok((Some(before), None));
    };
    let (p, w) = super::reference::combine(&before, &after);
    Ok((Some(p), w))
}

/// The noise warnings of a fresh measurement: the latency table's, the
/// probe's drift between its two timings and its own spread.
fn warnings(
    latency: &[LatencyPoint],
    probe: Option<&ReferenceProbe>,
    drift: Option<String>,
) -> Vec<String> {
    let mut out = noise::assess(latency);
    out.extend(drift);
    if let Some(r) = probe {
        for (name, p50, p95) in [
            ("conv", r.conv_ms, r.conv_p95_ms),
            ("matmul", r.matmul_ms, r.matmul_p95_ms),
        ] {
            if noise::is_noisy(p50, p95) {
                out.push(format!(
                    "noisy reference probe: {name} p95 {p95:.2} ms is {:.1} x its median {p50:.2} ms; {}",
                    p95 / p50,
                    noise::ADVICE
                ));
            }
        }
    }
    out
}

/// The share of the model's FLOPs in convolutions at the bound dims.
fn conv_share(path: &Path, dims: &BTreeMap<String, i64>) -> Option<f64> {
    let (m, _) = model::read_model(path).ok()?;
    let by_op = model::flops::flops_by_op(&m, dims)?;
    let total: f64 = by_op.values().sum();
    let conv: f64 = by_op
        .iter()
        .filter(|(op, _)| op.contains("Conv"))
        .map(|(_, f)| f)
        .sum();
    (total > 0.0).then(|| round3(conv / total))
}

/// Every step in the order they run, so that progress can show how far along it is.
fn step_order(opts: &ProfileOptions, threads: &[usize], plan: &Plan) -> Vec<Step> {
    let first_batch = plan.batches[0];
    let mut order = vec![Step::Probe; opts.cold_trials as usize];
    if opts.reference {
        order.push(Step::Reference);
    }
    for _ in threads {
        order.extend(plan.batches.iter().map(|b| Step::Point(*b)));
    }
    if opts.reference {
        order.push(Step::Reference);
    }
    if opts.optimization {
        order.extend([Step::Opt(first_batch), Step::Opt(first_batch)]);
    }
    order
}

/// What the warm-latency grid is measured with.
struct Grid<'a> {
    model: &'a Path,
    /// The model as named in messages.
    shown: &'a str,
    plan: &'a Plan,
    threads: &'a [usize],
    device: Device,
    budget: &'a Budget,
}

/// Warm latency over threads x batch sizes, one session per thread count;
/// points that hit the time cap are noted, since they have fewer runs.
fn latency_grid(
    g: &Grid<'_>,
    steps: &mut Steps<'_>,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<LatencyPoint>> {
    let mut latency = Vec::new();
    for &t in g.threads {
        let mut session = runtime::session(g.model, t, OptLevel::All, g.device)?;
        for &b in &g.plan.batches {
            steps.begin(format!("latency: {t} thread{}, batch {b}", plural(t)));
            let feed = Feed::new(&session, g.plan, b)?;
            let mut timings = measure(&mut session, &feed, g.plan, g.shown, g.budget)?;
            // A point disturbed by other work is measured once more and the
            // steadier of the two kept; what stays noisy is flagged later.
            if spread_is_large(&timings) {
                let again = measure(&mut session, &feed, g.plan, g.shown, g.budget)?;
                notes.push(format!(
                    "{t} thread{}, batch {b}: measured twice (the first runs spread widely)",
                    plural(t)
                ));
                if noise::cv(&again.samples_ms) < noise::cv(&timings.samples_ms) {
                    timings = again;
                }
            }
            if timings.capped {
                notes.push(format!(
                    "{t} thread{}, batch {b}: {} runs (stopped at the {} s cap)",
                    plural(t),
                    timings.samples_ms.len(),
                    g.budget.max_time.as_secs()
                ));
            }
            let p = point(g.device, t, b, &timings);
            steps.finish(Some(p.mean_ms / b as f64));
            latency.push(p);
        }
    }
    Ok(latency)
}

/// True when runs spread more than a steady measurement's (p95 / p50 or the
/// coefficient of variation over their thresholds).
fn spread_is_large(t: &Timings) -> bool {
    let s = summarize(&t.samples_ms);
    noise::is_noisy(s.p50, s.p95) || noise::cv(&t.samples_ms) > noise::MAX_CV
}

/// The machine measured on; the GPU is named only when it was used.
fn machine_info(cores: u32, device: Device) -> Machine {
    Machine {
        cpu_model: machine::cpu_model(),
        cores,
        gpu: if device == Device::Cuda {
            machine::gpu_name().or_else(|| Some("CUDA device 0".into()))
        } else {
            None
        },
    }
}

/// The runtime and the execution providers in the order sessions used them.
fn runtime_info(rt: &RuntimeHandle, device: Device) -> RuntimeInfo {
    RuntimeInfo {
        ort_version: rt.version.clone(),
        providers: match device {
            Device::Cpu => vec!["CPUExecutionProvider".into()],
            Device::Cuda => vec![
                "CUDAExecutionProvider".into(),
                "CPUExecutionProvider".into(),
            ],
        },
        library_mb: round3(rt.library_mb()),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The thread counts to measure: as given, or 1 and all cores.
pub fn thread_counts(given: Option<&[usize]>, cores: usize) -> Vec<usize> {
    let mut t: Vec<usize> = match given {
        Some(g) if !g.is_empty() => g.to_vec(),
        _ => vec![1, cores.max(1)],
    };
    t.sort_unstable();
    t.dedup();
    t
}

/// The device to profile: CUDA only when asked for and usable; otherwise
/// the CPU, with a notice that GPU offers will be modelled.
fn choose_device(
    wanted: Device,
    model: &Path,
    rt: &RuntimeHandle,
    notes: &mut Vec<String>,
    steps: &mut Steps<'_>,
) -> Device {
    if wanted == Device::Cpu {
        return Device::Cpu;
    }
    let why = if !rt.has_cuda() {
        format!(
            "the ONNX Runtime at {} has no CUDA execution provider",
            rt.located.path.display()
        )
    } else {
        // Built with CUDA; whether a GPU and its libraries are here shows
        // only when a session tries.
        match runtime::session(model, 1, OptLevel::Disabled, Device::Cuda) {
            Ok(_) => return Device::Cuda,
            Err(e) => format!("the CUDA execution provider cannot start ({e:#})"),
        }
    };
    steps.notice(format!(
        "{why}: GPU offers will be modelled; profiling the CPU"
    ));
    notes.push(
        "--device cuda asked, but CUDA was not usable here: GPU offers are modelled, CPU profiled"
            .into(),
    );
    Device::Cpu
}

fn cold_trials(
    opts: &ProfileOptions,
    rt: &RuntimeHandle,
    plan: &Plan,
    batch: u32,
    threads: usize,
    device: Device,
    steps: &mut Steps<'_>,
) -> anyhow::Result<Vec<ProbeResult>> {
    if opts.cold_trials == 0 {
        return Ok(Vec::new());
    }
    let exe = match &opts.exe {
        Some(e) => e.clone(),
        None => std::env::current_exe()
            .context("finding advisor's own executable for the cold-start probes")?,
    };
    let model = std::fs::canonicalize(&opts.model).unwrap_or_else(|_| opts.model.clone());
    let request = ProbeRequest {
        model: model.clone(),
        ort_lib: rt.located.path.clone(),
        plan: plan.clone(),
        batch,
        threads,
        device,
    };
    let file = RequestFile::write(&request)?;
    let mut results = Vec::with_capacity(opts.cold_trials as usize);
    for i in 0..opts.cold_trials {
        steps.begin(format!(
            "cold start: fresh process {}/{}",
            i + 1,
            opts.cold_trials
        ));
        let r = cold::run_probe(&exe, &model, &file.0)?;
        steps.finish(Some(r.first_inference_ms / batch as f64));
        results.push(r);
    }
    Ok(results)
}

/// A probe request in the temp folder, removed when dropped.
struct RequestFile(PathBuf);

impl RequestFile {
    fn write(req: &ProbeRequest) -> anyhow::Result<RequestFile> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path =
            std::env::temp_dir().join(format!("advisor-probe-{}-{nanos}.json", std::process::id()));
        std::fs::write(&path, serde_json::to_vec(req)?)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(RequestFile(path))
    }
}

impl Drop for RequestFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn optimization_effect(
    opts: &ProfileOptions,
    plan: &Plan,
    batch: u32,
    device: Device,
    budget: &Budget,
    steps: &mut Steps<'_>,
) -> anyhow::Result<OptimizationEffect> {
    let shown = opts.model.display().to_string();
    let mut one = |level: OptLevel, label: &str| -> anyhow::Result<(f64, f64)> {
        steps.begin(format!(
            "graph optimisation {label}: 1 thread, batch {batch}"
        ));
        let t = Instant::now();
        let mut session = runtime::session(&opts.model, 1, level, device)?;
        let create_ms = t.elapsed().as_secs_f64() * 1e3;
        let feed = Feed::new(&session, plan, batch)?;
        let timings = measure(&mut session, &feed, plan, &shown, budget)?;
        let p50 = median(&timings.samples_ms);
        steps.finish(Some(p50 / batch as f64));
        Ok((create_ms, p50))
    };
    let (disabled_session_ms, disabled_p50_ms) = one(OptLevel::Disabled, "disabled")?;
    let (all_session_ms, all_p50_ms) = one(OptLevel::All, "all")?;
    Ok(OptimizationEffect {
        disabled_session_ms: round3(disabled_session_ms),
        all_session_ms: round3(all_session_ms),
        disabled_p50_ms: round3(disabled_p50_ms),
        all_p50_ms: round3(all_p50_ms),
    })
}

fn point(device: Device, threads: usize, batch: u32, t: &Timings) -> LatencyPoint {
    let s = summarize(&t.samples_ms);
    LatencyPoint {
        device: device.as_str().into(),
        threads: threads as u32,
        batch,
        mean_ms: round3(s.mean),
        p50_ms: round3(s.p50),
        p95_ms: round3(s.p95),
        p99_ms: round3(s.p99),
        samples: s.n as u32,
        items_per_s: round3(batch as f64 / (s.mean / 1e3)),
    }
}

/// Medians and [min, max] of the probes' phases.
pub fn cold_summary(probes: &[ProbeResult], threads: usize, batch: u32) -> ColdStart {
    let phase = |f: fn(&ProbeResult) -> f64| -> (f64, [f64; 2]) {
        let v: Vec<f64> = probes.iter().map(f).collect();
        if v.is_empty() {
            return (0.0, [0.0, 0.0]);
        }
        let s = summarize(&v);
        (round3(s.p50), [round3(s.min), round3(s.max)])
    };
    let (model_read_ms, read_spread) = phase(|p| p.model_read_ms);
    let (runtime_load_ms, load_spread) = phase(|p| p.runtime_load_ms);
    let (session_create_ms, session_spread) = phase(|p| p.session_create_ms);
    let (first_inference_ms, first_spread) = phase(|p| p.first_inference_ms);
    let (process_rss_mb, _) = phase(|p| p.peak_rss_mb);
    let spread_ms = if probes.is_empty() {
        BTreeMap::new()
    } else {
        BTreeMap::from([
            ("model_read_ms".to_string(), read_spread),
            ("runtime_load_ms".to_string(), load_spread),
            ("session_create_ms".to_string(), session_spread),
            ("first_inference_ms".to_string(), first_spread),
        ])
    };
    ColdStart {
        trials: probes.len() as u32,
        model_read_ms,
        runtime_load_ms,
        session_create_ms,
        first_inference_ms,
        spread_ms,
        threads: threads as u32,
        batch,
        process_rss_mb,
        import: None,
    }
}

fn summary(path: &Path, info: &ModelInfo, plan: &Plan, flops: Option<f64>) -> ModelSummary {
    ModelSummary {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size_bytes: info.size_bytes,
        params: info.params,
        opset: info.opset,
        flops_per_item: flops,
        conv_flops_share: None,
        ops: info.ops.clone(),
        inputs: plan.inputs.iter().map(|i| i.describe()).collect(),
    }
}

/// FLOPs per item at the dims the user bound (the inspection's own estimate
/// when none were).
fn flops_per_item(path: &Path, info: &ModelInfo, dims: &BTreeMap<String, i64>) -> Option<f64> {
    if dims.is_empty() {
        return info.flops_per_item;
    }
    let (m, _) = model::read_model(path).ok()?;
    model::flops_per_item(&m, dims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_threads_are_one_and_all_cores() {
        assert_eq!(thread_counts(None, 8), vec![1, 8]);
        assert_eq!(thread_counts(None, 1), vec![1]);
        assert_eq!(thread_counts(Some(&[4, 1, 4]), 8), vec![1, 4]);
    }

    #[test]
    fn cold_summary_takes_medians_and_spread() {
        let p = |x: f64| ProbeResult {
            model_read_ms: x,
            runtime_load_ms: 10.0 * x,
            session_create_ms: 100.0 * x,
            first_inference_ms: x + 1.0,
            peak_rss_mb: 50.0,
        };
        let c = cold_summary(&[p(3.0), p(1.0), p(2.0)], 2, 1);
        assert_eq!(c.trials, 3);
        assert_eq!(c.runtime_load_ms, 20.0);
        assert_eq!(c.session_create_ms, 200.0);
        assert_eq!(c.spread_ms["first_inference_ms"], [2.0, 4.0]);
        assert_eq!(c.process_rss_mb, 50.0);
        assert_eq!(c.threads, 2);
    }
}
