//! `advisor reproduce`: the study's grid.

use super::args::load_profile;
use super::Ctx;
use crate::present::{pct, secs, usd, Table};
use crate::pricing::snapshot;
use crate::study;
use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// `advisor reproduce ...`
#[derive(Debug, Subcommand)]
pub enum ReproduceCommand {
    /// The study's grid (2 models x 3 workloads x 8 systems) from the study-2020 snapshot,
    /// with the study's Table 2 costs beside the serverless cells.
    Paper(PaperArgs),
}

/// Arguments of `advisor reproduce paper`.
#[derive(Debug, Args)]
pub struct PaperArgs {
    /// Folder holding mobilenetv2.toml and albert-base.toml (default: the bundled reference profiles).
    #[arg(long, value_name = "DIR")]
    pub profiles: Option<PathBuf>,

    /// A study snapshot file to use instead of the built-in study-2020 (to try other calibrations).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,

    /// Seed of the simulation's random numbers.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
}

/// Runs `advisor reproduce ...`.
pub fn run(ctx: &Ctx, cmd: ReproduceCommand) -> Result<()> {
    match cmd {
        ReproduceCommand::Paper(a) => paper(ctx, a),
    }
}

fn paper(ctx: &Ctx, a: PaperArgs) -> Result<()> {
    let (mobilenet, albert) = match &a.profiles {
        Some(dir) => (
            load_profile(&dir.join("mobilenetv2.toml"))?,
            load_profile(&dir.join("albert-base.toml"))?,
        ),
        None => (
            Arc::new(crate::profile::bundled::get("mobilenetv2")?),
            Arc::new(crate::profile::bundled::get("albert-base")?),
        ),
    };
    let started = Instant::now();
    let snap = match &a.pricing {
        Some(f) => snapshot::load_snapshot(f)?,
        None => snapshot::builtin("study-2020").expect("study-2020 is built in"),
    };
    let report = study::reproduce(mobilenet, albert, &snap, a.seed)?;
    let checks = study::checks(&report);
    if ctx.global.json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            report: &'a study::StudyReport,
            checks: &'a [study::Check],
            provenance: &'static str,
            sim_wall_s: f64,
        }
        return ctx.print_json(&Out {
            report: &report,
            checks: &checks,
            provenance: "modelled",
            sim_wall_s: started.elapsed().as_secs_f64(),
        });
    }
    outln!(
        "The study's grid, modelled from snapshot {} (profiles: {})",
        report.snapshot,
        report.profiles.join("; ")
    )?;
    let mut t = Table::new(&[
        "model", ">wl", "cloud", "system", "runtime", ">avg", ">p95", ">success", ">cost",
        ">study", ">error", ">inst",
    ]);
    for r in &report.rows {
        t.row(vec![
            r.model.to_string(),
            r.workload.to_string(),
            r.cloud.to_string(),
            format!("{}{}", r.system, if r.in_study { "" } else { "*" }),
            r.runtime.to_string(),
            secs(r.avg_latency_s),
            secs(r.p95_latency_s),
            pct(r.success_ratio),
            usd(r.cost_usd),
            r.study_cost_usd.map(usd).unwrap_or_default(),
            r.cost_error
                .map(|e| format!("{:+.0}%", e * 100.0))
                .unwrap_or_default(),
            r.instances_created.to_string(),
        ]);
    }
    out!("{}", t.render())?;
    outln!("* not run in the study (managed: not at workload-200, nor ALBERT at workload-120)")?;
    outln!("\nThe study's findings:")?;
    for c in &checks {
        outln!(
            "  [{}] {}\n        {}",
            if c.passed { "ok" } else { "MISS" },
            c.finding,
            c.detail
        )?;
    }
    let missed = checks.iter().filter(|c| !c.passed).count();
    outln!(
        "{} of {} findings reproduced; every figure above is modelled",
        checks.len() - missed,
        checks.len()
    )?;
    Ok(())
}
