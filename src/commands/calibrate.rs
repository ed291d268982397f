//! `advisor calibrate`: fit an offer to a live replay and write the fitted
//! offer as a new price snapshot.

use super::args::load_profile;
use super::Ctx;
use crate::calibrate::{self, snapshot, Problem};
use crate::error::bad_input;
use crate::live::replay::ServerTiming;
use crate::outcome::Outcome;
use crate::pricing::snapshot as snapshots;
use crate::workload::Trace;
use clap::Args;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Arguments of `advisor calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The profile of the model the endpoint served.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The offer the endpoint is an instance of (e.g. local-server).
    #[arg(long, value_name = "ID")]
    pub offer: String,
    /// What `advisor replay --json` printed for the replay.
    #[arg(long, value_name = "REPLAY.json")]
    pub measured: PathBuf,
    /// The trace that was replayed.
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,
    /// The calibrated snapshot to write (never overwritten).
    #[arg(short = 'o', long = "out", value_name = "FILE.toml")]
    pub out: PathBuf,
    /// The snapshot the offer comes from.
    #[arg(long, default_value = "local", value_name = "NAME")]
    pub snapshot: String,
    /// A snapshot file, or the folder to look for NAME.toml in (default: pricing/).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub pricing: Option<PathBuf>,
    /// Seed of the simulations.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    fit: &'a calibrate::Fit,
    written: String,
}

/// Runs `advisor calibrate`.
pub fn run(ctx: &Ctx, args: CalibrateArgs) -> anyhow::Result<()> {
    let profile = load_profile(&args.profile)?;
    let snap = snapshots::find(&args.snapshot, args.pricing.as_deref())?;
    let offer = snap.offer(&args.offer).ok_or_else(|| {
        bad_input(format!(
            "--offer {}: no such offer in snapshot {} (see `advisor pricing show --snapshot {}`)",
            args.offer, snap.name, snap.name
        ))
    })?;
    let (measured, server_p50_s) = read_replay(&args.measured)?;
    let (trace, warnings) = Trace::load(&args.trace)?;
    for w in &warnings {
        ctx.warn(w);
    }
    if trace.times.len() as u64 != measured.requests {
        return Err(bad_input(format!(
            "{}: the replay measured {} requests but the trace {} has {}; give the trace that was replayed",
            args.measured.display(),
            measured.requests,
            args.trace.display(),
            trace.times.len()
        )));
    }
    let problem = Problem {
        profile,
        offer,
        times: &trace.times,
        measured: &measured,
        server_p50_s,
        seed: args.seed,
    };
    let fit = calibrate::fit(&problem)?;
    let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let replay = args
        .measured
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = snapshot::name_for(&args.out);
    let calibrated = snapshot::calibrated(&name, offer, &fit, &date, &replay);
    let text = snapshot::to_toml(&calibrated, &fit)?;
    crate::fsio::write_new(&args.out, text.as_bytes(), false)?;
    if ctx.global.json {
        return ctx.print_json(&Report {
            fit: &fit,
            written: args.out.display().to_string(),
        });
    }
    print_fit(&fit, &args.out)
}

/// Reads `advisor replay --json` output (extra fields are ignored): the
/// outcome, and the server's median inference time, s, when its answers gave one.
fn read_replay(path: &Path) -> anyhow::Result<(Outcome, Option<f64>)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("{}: cannot read the replay ({e})", path.display())))?;
    let bad = |e: serde_json::Error| {
        bad_input(format!(
            "{}: line {}: {e}; expected what `advisor replay --json` prints",
            path.display(),
            e.line()
        ))
    };
    let o: Outcome = serde_json::from_str(&text).map_err(bad)?;
    if o.requests == 0 || o.succeeded == 0 {
        return Err(bad_input(format!(
            "{}: the replay has no successful request to fit to",
            path.display()
        )));
    }
    #[derive(serde::Deserialize)]
    struct Timed {
        server_inference: Option<ServerTiming>,
    }
    let timed: Timed = serde_json::from_str(&text).map_err(bad)?;
    // The median, as `calibrate::Problem::speed_from_server` says why.
    let server_s = timed
        .server_inference
        .and_then(|t| (t.answers > 0 && t.p50_ms > 0.0).then_some(t.p50_ms / 1e3));
    Ok((o, server_s))
}

fn print_fit(fit: &calibrate::Fit, out: &Path) -> anyhow::Result<()> {
    let r = &fit.residuals;
    outln!(
        "calibrated {} on {} measured requests:",
        fit.offer,
        fit.requests
    )?;
    outln!(
        "  cpu_speed      {:.3} x ({})",
        fit.cpu_speed,
        fit.cpu_speed_from
    )?;
    outln!("  network_rtt    {:.2} ms", fit.network_rtt_s * 1e3)?;
    if let Some(i) = fit.platform_init_s {
        outln!("  platform init  {i:.3} s")?;
    }
    outln!(
        "residuals (modelled against measured): mean {:+.1}%, p95 {:+.1}%, success {:+.2} points, series rms {:.1}%",
        r.avg_latency_rel * 1e2,
        r.p95_latency_rel * 1e2,
        r.success_ratio_diff * 1e2,
        r.series_rms_rel * 1e2
    )?;
    outln!(
        "wrote {} (use it with --pricing {} --offer {})",
        out.display(),
        out.display(),
        fit.offer
    )?;
    Ok(())
}
