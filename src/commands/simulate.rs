//! `advisor simulate` and `advisor reproduce`.

use super::Ctx;
use crate::cli::simulate::{OfferArgs, PaperArgs, ReproduceCommand, RunArgs, SimulateArgs};
use crate::error::bad_input;
use crate::outcome::Outcome;
use crate::pricing::{snapshot, Offer};
use crate::profile::Profile;
use crate::sim::sampler::Dist;
use crate::sim::{self, Scenario};
use crate::study;
use crate::text::{pct, secs, usd, Table};
use anyhow::Result;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The offers the flags select, in snapshot order; unknown ids are bad input.
pub fn select_offers(a: &OfferArgs) -> Result<(String, Vec<Offer>)> {
    let snap = snapshot::find(&a.snapshot, a.pricing.as_deref())?;
    if a.offers.is_empty() {
        return Ok((snap.name.clone(), snap.offers));
    }
    let mut out = Vec::new();
    for id in &a.offers {
        match snap.offer(id) {
            Some(o) => out.push(o.clone()),
            None => {
                return Err(bad_input(format!(
                    "--offer {id}: no such offer in snapshot {} (see `advisor pricing show --snapshot {}`)",
                    snap.name, snap.name
                )))
            }
        }
    }
    Ok((snap.name, out))
}

/// Loads a profile, as bad input when it cannot be read.
pub fn load_profile(path: &Path) -> Result<Arc<Profile>> {
    Ok(Arc::new(Profile::load(path)?))
}

/// Applies the run flags to a scenario.
pub fn apply_run_args(sc: &mut Scenario, r: &RunArgs) -> Result<()> {
    if r.batch == 0 || r.batch > 1024 {
        return Err(bad_input(format!(
            "--batch {}: expected 1 to 1024 requests per invocation",
            r.batch
        )));
    }
    if !(r.batch_wait.is_finite() && r.batch_wait >= 0.0) {
        return Err(bad_input("--batch-wait: expected milliseconds >= 0"));
    }
    if !(r.cpu_speed.is_finite() && r.cpu_speed > 0.0) {
        return Err(bad_input("--cpu-speed: expected a factor > 0, e.g. 0.7"));
    }
    if let Some(m) = r.memory_mb {
        if !(m.is_finite() && m > 0.0) {
            return Err(bad_input("--memory-mb: expected a size in MB > 0"));
        }
    }
    sc.settings.batch_size = r.batch;
    sc.settings.batch_wait_s = r.batch_wait / 1e3;
    sc.settings.memory_mb = r.memory_mb;
    sc.settings.provisioned = r.provisioned;
    sc.settings.instances = r.instances;
    sc.cpu_factor = r.cpu_speed;
    sc.seed = r.seed;
    let dist = |flag: &str, v: &Option<String>| -> Result<Option<Dist>> {
        v.as_deref()
            .map(|s| Dist::parse(s).map_err(|e| bad_input(format!("{flag} {e}"))))
            .transpose()
    };
    sc.warm = dist("--service", &r.service)?;
    sc.cold = dist("--cold-service", &r.cold_service)?;
    Ok(())
}

/// Runs every scenario over the trace file, in parallel, each streaming the
/// file itself so memory does not grow with the trace.
///
/// The file is read once per scenario: rows are checked as they stream by
/// (a bad row stops the run with its line number), and when a time is out of
/// order the scenario falls back to loading and sorting the file, with a
/// warning that says how many were out of order (returned once).
pub fn simulate_file(scenarios: &[Scenario], trace: &Path) -> Result<(Vec<Outcome>, Vec<String>)> {
    use rayon::prelude::*;
    let results: Vec<Result<(Outcome, Vec<String>)>> = scenarios
        .par_iter()
        .map(|sc| {
            let streamed = crate::workload::ArrivalReader::open(trace)
                .and_then(|reader| sim::simulate(sc, reader));
            match streamed {
                Err(e) if e.downcast_ref::<sim::engine::Unsorted>().is_some() => {
                    let (arrivals, warnings) = crate::workload::sorted_arrivals(trace)?;
                    Ok((sim::simulate(sc, arrivals)?, warnings))
                }
                other => Ok((other?, Vec::new())),
            }
        })
        .collect();
    let mut outcomes = Vec::with_capacity(results.len());
    let mut warnings = Vec::new();
    for r in results {
        let (o, w) = r?;
        if warnings.is_empty() {
            warnings = w;
        }
        outcomes.push(o);
    }
    Ok((outcomes, warnings))
}

#[derive(Serialize)]
struct SimulateReport<'a> {
    profile: &'a str,
    trace: String,
    snapshot: String,
    requests: u64,
    sim_wall_s: f64,
    provenance: &'static str,
    outcomes: Vec<serde_json::Value>,
}

/// Runs `advisor simulate`.
pub fn run(ctx: &Ctx, a: SimulateArgs) -> Result<()> {
    let started = Instant::now();
    let profile = load_profile(&a.profile)?;
    let (snap, offers) = select_offers(&a.offers)?;
    let mut scenarios = Vec::with_capacity(offers.len());
    for offer in offers {
        let mut sc = Scenario::new(offer, profile.clone());
        apply_run_args(&mut sc, &a.run)?;
        scenarios.push(sc);
    }
    let (outcomes, warnings) = simulate_file(&scenarios, &a.trace)?;
    let wall = started.elapsed().as_secs_f64();
    for w in &warnings {
        ctx.warn(w);
    }
    let requests = outcomes.first().map(|o| o.requests).unwrap_or(0);
    if ctx.global.json {
        let mut views = Vec::with_capacity(outcomes.len());
        for o in &outcomes {
            let mut v = serde_json::to_value(o)?;
            if !a.series {
                if let Some(m) = v.as_object_mut() {
                    m.remove("series");
                }
            }
            views.push(v);
        }
        return ctx.print_json(&SimulateReport {
            profile: &profile.name,
            trace: a.trace.display().to_string(),
            snapshot: snap,
            requests,
            sim_wall_s: wall,
            provenance: "modelled",
            outcomes: views,
        });
    }
    println!(
        "{} requests from {} against {} offer(s) of snapshot {} (modelled; profile {}, measured {})",
        requests,
        a.trace.display(),
        outcomes.len(),
        snap,
        profile.name,
        profile.measured_at
    );
    print!("{}", outcome_table(&outcomes));
    println!("simulated in {:.2} s", wall);
    Ok(())
}

/// The readable comparison table of outcomes.
pub fn outcome_table(outcomes: &[Outcome]) -> String {
    let mut t = Table::new(&[
        "offer",
        "kind",
        ">avg",
        ">p95",
        ">p99",
        ">success",
        ">cost",
        ">instances",
        ">cold starts",
    ]);
    for o in outcomes {
        t.row(vec![
            o.offer.clone(),
            o.kind.clone(),
            secs(o.avg_latency_s),
            secs(o.p95_latency_s),
            secs(o.p99_latency_s),
            pct(o.success_ratio),
            usd(o.cost_usd),
            o.instances_created.to_string(),
            o.cold_starts.to_string(),
        ]);
    }
    t.render()
}

/// Runs `advisor reproduce ...`.
pub fn reproduce(ctx: &Ctx, cmd: ReproduceCommand) -> Result<()> {
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
    println!(
        "The study's grid, modelled from snapshot {} (profiles: {})",
        report.snapshot,
        report.profiles.join("; ")
    );
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
    print!("{}", t.render());
    println!("* not run in the study (managed: not at workload-200, nor ALBERT at workload-120)");
    println!("\nThe study's findings:");
    for c in &checks {
        println!(
            "  [{}] {}\n        {}",
            if c.passed { "ok" } else { "MISS" },
            c.finding,
            c.detail
        );
    }
    let missed = checks.iter().filter(|c| !c.passed).count();
    println!(
        "{} of {} findings reproduced; every figure above is modelled",
        checks.len() - missed,
        checks.len()
    );
    Ok(())
}
