//! `advisor validate`: measure a local server beside the model's prediction.

use super::Ctx;
use crate::error::bad_input;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `advisor validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The ONNX model to serve and measure.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Its profile on this machine (default: measure one now, batch 1, the --threads given).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// A trace to replay (repeatable); without any, --load decides.
    #[arg(long, value_name = "FILE")]
    pub trace: Vec<PathBuf>,
    /// Poisson loads as fractions of the modelled capacity (default: 0.5 and 1.5 when no --trace).
    #[arg(long, value_name = "X", value_delimiter = ',')]
    pub load: Vec<f64>,
    /// Length of each generated load, seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub duration: f64,
    /// Server workers (default: one less than the cores, at least 1, so the
    /// replay keeps a core).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Intra-op threads per worker.
    #[arg(long, default_value_t = 1, value_name = "T")]
    pub threads: usize,
    /// Requests that may wait for a worker before the server answers 503.
    #[arg(long, default_value_t = 64, value_name = "Q")]
    pub queue: usize,
    /// Client timeout per request, seconds.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout_s: f64,
    /// Seed of the generated loads and of the simulation.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
}

/// Runs `advisor validate`.
pub fn run(ctx: &Ctx, a: ValidateArgs) -> anyhow::Result<()> {
    use crate::live::validate::{self, ValidateOptions};
    check_args(&a)?;
    let cores = crate::profile::machine::cores() as usize;
    let workers = a.workers.unwrap_or(cores.saturating_sub(1).max(1));
    let loads = if a.load.is_empty() && a.trace.is_empty() {
        vec![0.5, 1.5]
    } else {
        a.load.clone()
    };
    let say = |m: &str| {
        if !ctx.global.quiet && !ctx.global.json {
            eprintln!("validate: {m}");
        }
    };
    let profile = load_or_measure_profile(ctx, &a, say)?;
    let work_dir = validate::default_work_dir();
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating {}", work_dir.display()))?;
    let opts = ValidateOptions {
        model: a.model.clone(),
        profile,
        workers,
        threads: a.threads,
        queue: a.queue,
        loads,
        traces: a.trace.clone(),
        duration_s: a.duration,
        timeout_s: a.timeout_s,
        seed: a.seed,
        ort_lib: ctx.global.ort_lib.clone(),
        work_dir: work_dir.clone(),
    };
    let rt = super::tokio_runtime()?;
    let report = rt.block_on(validate::validate(&opts, say));
    let _ = std::fs::remove_dir_all(&work_dir);
    let report = report?;
    if ctx.global.json {
        return ctx.print_json(&report);
    }
    print_report(&report)
}

/// Rejects bad arguments before anything is profiled or served.
fn check_args(a: &ValidateArgs) -> anyhow::Result<()> {
    if a.threads == 0 || a.workers == Some(0) || a.queue == 0 {
        return Err(bad_input(
            "--workers, --threads and --queue: expected whole numbers >= 1",
        ));
    }
    if !(a.duration.is_finite() && a.duration > 0.0) {
        return Err(bad_input("--duration: expected seconds > 0"));
    }
    if !(a.timeout_s.is_finite() && a.timeout_s > 0.0) {
        return Err(bad_input("--timeout-s: expected seconds > 0"));
    }
    if a.load.iter().any(|l| !(l.is_finite() && *l > 0.0)) {
        return Err(bad_input(
            "--load: expected fractions of capacity > 0, e.g. 0.5,1.5",
        ));
    }
    for t in &a.trace {
        if !t.is_file() {
            return Err(bad_input(format!("--trace {}: no such file", t.display())));
        }
    }
    Ok(())
}

/// The profile given, or a quick one measured now (batch 1, the --threads
/// given, no cold start or optimisation effect: only the warm service time
/// matters to the comparison).
fn load_or_measure_profile(
    ctx: &Ctx,
    a: &ValidateArgs,
    say: impl Fn(&str),
) -> anyhow::Result<std::sync::Arc<crate::profile::Profile>> {
    let profile = match &a.profile {
        Some(p) => crate::profile::Profile::load(p)?,
        None => {
            say(&format!(
                "profiling {} (batch 1, {} thread(s))",
                a.model.display(),
                a.threads
            ));
            let mut po = crate::profile::ProfileOptions::new(&a.model);
            po.threads = Some(vec![a.threads]);
            po.inputs.batches = Some(vec![1]);
            po.cold_trials = 0;
            po.optimization = false;
            po.ort_lib = ctx.global.ort_lib.clone();
            crate::profile::profile(&po, &mut |_| {})?
        }
    };
    Ok(std::sync::Arc::new(profile))
}

/// The plain-text report: the offer, then measured and modelled rows per load.
fn print_report(report: &crate::live::validate::ValidateReport) -> anyhow::Result<()> {
    use crate::present::secs;
    outln!(
        "{} served by {} worker(s) x {} thread(s) on this machine; modelled service {} per request (the idle server measured {}), capacity {:.1} req/s; overhead besides inference {} (measured at idle)",
        report.model,
        report.workers,
        report.threads,
        secs(report.service_s),
        secs(report.idle_inference_s),
        report.capacity_rps,
        secs(report.rtt_s)
    )?;
    out!("{}", comparison_table(&report.comparisons).render())?;
    outln!(
        "measured: replay against the local server; modelled: the simulator with the offer above"
    )?;
    Ok(())
}

/// Two rows per load: what was measured, then what was modelled with its errors.
fn comparison_table(comparisons: &[crate::live::validate::Comparison]) -> crate::present::Table {
    use crate::present::{pct, secs, Table};
    let mut t = Table::new(&[
        "load",
        "",
        ">avg",
        ">p95",
        ">p99",
        ">success",
        ">avg error",
        ">p95 error",
        ">success diff",
    ]);
    for c in comparisons {
        for (what, o) in [("measured", &c.measured), ("modelled", &c.modelled)] {
            let modelled = what == "modelled";
            // Errors belong to the modelled row only; the load label to the first.
            let only_modelled = |v: String| if modelled { v } else { String::new() };
            t.row(vec![
                if modelled {
                    String::new()
                } else {
                    c.load.clone()
                },
                what.to_string(),
                secs(o.avg_latency_s),
                secs(o.p95_latency_s),
                secs(o.p99_latency_s),
                pct(o.success_ratio),
                only_modelled(format!("{:+.0}%", c.avg_latency_error * 100.0)),
                only_modelled(format!("{:+.0}%", c.p95_latency_error * 100.0)),
                only_modelled(format!("{:+.1} pts", c.success_points)),
            ]);
        }
    }
    t
}
