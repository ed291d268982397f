//! `advisor simulate`: what each modelled offer would do and cost on a trace.

use super::args::{apply_run_args, load_profile, select_offers, OfferArgs, RunArgs};
use super::Ctx;
use crate::outcome::Outcome;
use crate::present::{pct, secs, usd, Table};
use crate::sim::Scenario;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `advisor simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Profile (profiles/NAME.toml), as written by `advisor profile`.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,

    /// Trace CSV (`t_s` column), e.g. traces/workload-120.csv.
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,

    /// Which offers.
    #[command(flatten)]
    pub offers: OfferArgs,

    /// Run settings.
    #[command(flatten)]
    pub run: RunArgs,

    /// Include each outcome's time series in the JSON.
    #[arg(long)]
    pub series: bool,
}

#[derive(Serialize)]
struct SimulateReport<'a> {
    profile: &'a str,
    trace: String,
    snapshot: String,
    requests: u64,
    sim_wall_s: f64,
    provenance: &'static str,
    /// The line items asked for (gateway, data transfer out), in words.
    #[serde(skip_serializing_if = "str::is_empty")]
    line_items: &'a str,
    outcomes: Vec<serde_json::Value>,
}

/// Runs `advisor simulate`.
pub fn run(ctx: &Ctx, a: SimulateArgs) -> Result<()> {
    let started = Instant::now();
    let profile = load_profile(&a.profile)?;
    let (snap, offers) = select_offers(&a.offers)?;
    let line_items = offers
        .first()
        .map(|o| o.access.statement.clone())
        .unwrap_or_default();
    let mut scenarios = Vec::with_capacity(offers.len());
    for offer in offers {
        let mut sc = Scenario::new(offer, profile.clone());
        apply_run_args(&mut sc, &a.run)?;
        scenarios.push(sc);
    }
    let (outcomes, warnings) = crate::scenario::simulate_file(&scenarios, &a.trace)?;
    let wall = started.elapsed().as_secs_f64();
    // After every input is read, so that bad input stays a one-line error.
    for w in profile.warnings().iter().chain(&warnings) {
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
            line_items: &line_items,
            outcomes: views,
        });
    }
    outln!(
        "{} requests from {} against {} offer(s) of snapshot {} (modelled; profile {}, measured {})",
        requests,
        a.trace.display(),
        outcomes.len(),
        snap,
        profile.name,
        profile.measured_at
    )?;
    out!("{}", outcome_table(&outcomes))?;
    if !line_items.is_empty() {
        let mut said = line_items.clone();
        said[..1].make_ascii_uppercase();
        outln!("{said}.")?;
    }
    outln!("simulated in {:.2} s", wall)?;
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
