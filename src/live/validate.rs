//! Measured against modelled: serve the model on this machine, replay a load
//! below and a load above its capacity, simulate the same traces against an
//! offer that describes this machine, and compare.
//!
//! The offer: one server with `workers` workers of `threads` intra-op
//! threads each on this machine's cores (CPU speed 1: it is the profiling
//! machine), the server's queue bound with the drop policy (the server
//! answers 503 when its queue is full), the replay's timeout, and as network
//! round trip the fixed per-request overhead measured first on the idle
//! server: the median of sequential `POST /predict` round trips less the
//! inference time the server reports for each (`X-Inference-Ms`): network,
//! HTTP, request and answer handling. Service times come from the profile;
//! nothing is fitted to the replays the model is compared with.

use super::replay::{self, ReplayOptions, ReplayReport};
use super::serve::{self, Engine, ServeOptions};
use crate::outcome::Outcome;
use crate::platform::service_time;
use crate::pricing::{Offer, Queue, QueuePolicy};
use crate::profile::Profile;
use crate::runtime::Device;
use crate::sim::{self, fixtures, Scenario};
use crate::workload::generate::Poisson;
use crate::workload::Trace;
use anyhow::{Context, Result};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to validate.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// The model to serve.
    pub model: PathBuf,
    /// Its profile (measured on this machine).
    pub profile: Arc<Profile>,
    /// Server workers.
    pub workers: usize,
    /// Intra-op threads per worker.
    pub threads: usize,
    /// Requests that may wait for a worker before the server answers 503.
    pub queue: usize,
    /// Loads as fractions of the modelled capacity (Poisson traces).
    pub loads: Vec<f64>,
    /// Traces to replay as they are, besides the loads.
    pub traces: Vec<PathBuf>,
    /// Length of each generated trace, seconds.
    pub duration_s: f64,
    /// Client timeout, seconds.
    pub timeout_s: f64,
    /// Seed of the generated traces and of the simulation.
    pub seed: u64,
    /// The ONNX Runtime library, when not found the usual way.
    pub ort_lib: Option<PathBuf>,
    /// Where generated traces are written.
    pub work_dir: PathBuf,
}

/// One load, measured and modelled.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// What the load is ("0.5 x capacity, 45.2 req/s" or the trace's file name).
    pub load: String,
    /// Mean offered rate, requests per second.
    pub rate_rps: f64,
    /// The replay's outcome (measured).
    pub measured: Outcome,
    /// Send lag p99 of the replay, ms (how late requests left).
    pub send_lag_p99_ms: f64,
    /// The simulator's outcome for the same trace (modelled).
    pub modelled: Outcome,
    /// (modelled - measured) / measured average latency.
    pub avg_latency_error: f64,
    /// (modelled - measured) / measured p95 latency.
    pub p95_latency_error: f64,
    /// Modelled minus measured success ratio, in points (percent).
    pub success_points: f64,
}

/// The whole validation.
#[derive(Debug, Clone, Serialize)]
pub struct ValidateReport {
    /// The model file.
    pub model: String,
    /// Server workers and threads.
    pub workers: usize,
    /// Intra-op threads per worker.
    pub threads: usize,
    /// Modelled service time of one request, s.
    pub service_s: f64,
    /// Modelled capacity: workers / service time, requests per second.
    pub capacity_rps: f64,
    /// Per-request overhead besides inference, measured on the idle server, s
    /// (the offer's network round trip).
    pub rtt_s: f64,
    /// Median inference time the idle server reported, s (the profile says `service_s`).
    pub idle_inference_s: f64,
    /// The offer describing this machine.
    pub offer: Offer,
    /// One comparison per load.
    pub comparisons: Vec<Comparison>,
}

/// The offer that describes a server of `workers` x `threads` on this machine.
pub fn this_machine(
    cores: u32,
    workers: usize,
    threads: usize,
    queue: usize,
    rtt_s: f64,
    timeout_s: f64,
) -> Offer {
    let mut o = fixtures::ideal_server(workers as u32);
    o.id = "this-machine".to_string();
    o.name = format!("this machine: {workers} worker(s) x {threads} thread(s), {cores} cores");
    o.spec.vcpu = cores as f64;
    o.behaviour.threads_per_request = Some(threads as u32);
    o.behaviour.network_rtt_s = rtt_s;
    o.behaviour.timeout_s = timeout_s;
    o.behaviour.queue = Queue {
        capacity_per_instance: queue as u32,
        policy: QueuePolicy::Drop,
    };
    o
}

/// Runs the validation: serve, measure the round trip, replay each load,
/// simulate it.
pub async fn validate(opts: &ValidateOptions, mut say: impl FnMut(&str)) -> Result<ValidateReport> {
    let mut serve_opts = ServeOptions::new(Engine::Onnx {
        model: opts.model.clone(),
        threads: opts.threads,
        device: Device::Cpu,
        ort_lib: opts.ort_lib.clone(),
    });
    serve_opts.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    serve_opts.workers = opts.workers;
    serve_opts.queue = opts.queue;
    say("starting the server");
    let server = serve::start(serve_opts).await?;
    let url = format!("http://{}/predict", server.addr);
    let result = run_loads(opts, &url, server.addr, &mut say).await;
    server.shutdown().await?;
    result
}

async fn run_loads(
    opts: &ValidateOptions,
    url: &str,
    addr: SocketAddr,
    say: &mut impl FnMut(&str),
) -> Result<ValidateReport> {
    let (rtt_s, idle_inference_s) = idle_overhead(url).await?;
    let _ = addr;
    let cores = crate::profile::machine::cores();
    let offer = this_machine(
        cores,
        opts.workers,
        opts.threads,
        opts.queue,
        rtt_s,
        opts.timeout_s,
    );
    let slots = service_time::slots(&offer, offer.spec.vcpu);
    let service = service_time::cpu_service(&opts.profile, &offer, slots, 1)
        .context("the profile has no CPU latency for batch 1")?;
    let capacity = opts.workers as f64 / service.mean_s;

    let mut plans: Vec<(String, PathBuf)> = Vec::new();
    for (i, load) in opts.loads.iter().enumerate() {
        let rate = load * capacity;
        let path = opts.work_dir.join(format!("validate-load-{i}.csv"));
        let times: Vec<f64> = Poisson::new(rate, opts.duration_s, opts.seed + i as u64).collect();
        Trace::from_times(times).write_csv(&path)?;
        plans.push((format!("{load} x capacity, {rate:.1} req/s"), path));
    }
    for t in &opts.traces {
        plans.push((t.display().to_string(), t.clone()));
    }

    let mut comparisons = Vec::new();
    for (label, path) in plans {
        say(&format!("replaying {label}"));
        let mut ro = ReplayOptions::new(&path, url);
        ro.timeout = Duration::from_secs_f64(opts.timeout_s);
        let measured: ReplayReport = replay::replay(ro, None).await?;
        let (trace, _) = Trace::load(&path)?;
        let mut sc = Scenario::new(offer.clone(), opts.profile.clone());
        sc.seed = opts.seed;
        let modelled = sim::simulate_times(&sc, &trace.times)?;
        let m = &measured.outcome;
        comparisons.push(Comparison {
            load: label,
            rate_rps: trace.len() as f64 / trace.duration_s().max(1e-9),
            avg_latency_error: rel(modelled.avg_latency_s, m.avg_latency_s),
            p95_latency_error: rel(modelled.p95_latency_s, m.p95_latency_s),
            success_points: (modelled.success_ratio - m.success_ratio) * 100.0,
            send_lag_p99_ms: measured.send_lag_p99_ms,
            measured: measured.outcome,
            modelled,
        });
    }
    Ok(ValidateReport {
        model: opts.model.display().to_string(),
        workers: opts.workers,
        threads: opts.threads,
        service_s: service.mean_s,
        capacity_rps: capacity,
        rtt_s,
        idle_inference_s,
        offer,
        comparisons,
    })
}

fn rel(model: f64, measured: f64) -> f64 {
    if measured > 0.0 {
        (model - measured) / measured
    } else {
        0.0
    }
}

/// Sequential `POST /predict` requests on the idle server (after a few to
/// warm it): the median round trip less the inference time the server
/// reports, and the median reported inference time, seconds.
async fn idle_overhead(url: &str) -> Result<(f64, f64)> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let (mut overhead, mut inference) = (Vec::new(), Vec::new());
    for i in 0..40 {
        let t = Instant::now();
        let r = client
            .post(url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .context("the server did not answer an idle request")?;
        let inf_ms: f64 = r
            .headers()
            .get("x-inference-ms")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        r.bytes().await.context("reading the idle answer")?;
        let total = t.elapsed().as_secs_f64();
        if i >= 10 {
            overhead.push((total - inf_ms / 1e3).max(0.0));
            inference.push(inf_ms / 1e3);
        }
    }
    Ok((median(&mut overhead), median(&mut inference)))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Where generated traces go when the caller does not say.
pub fn default_work_dir() -> PathBuf {
    std::env::temp_dir().join(format!("advisor-validate-{}", std::process::id()))
}
