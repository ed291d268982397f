//! `advisor recommend`, `advisor report` and the demo.
//!
//! `recommend` and the demo share one path ([`recommend`]): build an
//! [`advise::Request`], call [`advise::advise`], print the verdict or the JSON.

use super::args::{load_profile, select_offers, OfferArgs};
use super::Ctx;
use crate::advise::{self, render, Advice, BudgetPer, Constraints, Request};
use crate::error::bad_input;
use crate::workload::Trace;
use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `advisor recommend`.
#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// Profile (profiles/NAME.toml), as written by `advisor profile`.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Trace CSV (`t_s` column), e.g. traces/workload-120.csv.
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,
    /// Which offers (default: every offer of the `current` snapshot).
    #[command(flatten)]
    pub offers: OfferArgs,
    /// Highest acceptable p95 latency, ms.
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    pub slo_p95_ms: Option<f64>,
    /// Highest acceptable mean latency, ms.
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    pub slo_avg_ms: Option<f64>,
    /// Lowest acceptable success ratio, 0 to 1.
    #[arg(
        long,
        default_value_t = 0.999,
        value_name = "R",
        allow_negative_numbers = true
    )]
    pub min_success: f64,
    /// Most to spend, USD (per month unless --budget-per trace).
    #[arg(long, value_name = "USD", allow_negative_numbers = true)]
    pub budget: Option<f64>,
    /// What the budget is per.
    #[arg(long, value_enum, default_value_t = BudgetPerArg::Month)]
    pub budget_per: BudgetPerArg,
    /// Seed of the simulations' random numbers.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Take the providers' monthly free allowances (Lambda, Cloud Run, Cloud
    /// Functions) off the month's cost, as if nothing else in the account used
    /// them; off by default, and stated in the verdict when on.
    #[arg(long)]
    pub free_tier: bool,
}

/// What `--budget` is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BudgetPerArg {
    /// A month of 730 h at the trace's mean rate.
    Month,
    /// The run over the trace.
    Trace,
}

/// The first line of the demo's plain output.
pub const DEMO_HEADER: &str =
    "Demo: the bundled MobileNetV2 profile on workload-120 with the built-in `current` prices. \
For your own model: `advisor profile MODEL.onnx --out profiles/NAME.toml`, then \
`advisor recommend --profile profiles/NAME.toml --trace TRACE.csv`.";

/// Runs `advisor` with no command: the demo. Without a terminal it prints
/// the recommendation as `advisor recommend` does, after a line saying what
/// it is and how to run it on one's own model.
pub fn demo(ctx: &Ctx) -> Result<()> {
    if ctx.tui() {
        return crate::tui::run_demo(crate::tui::demo_setup()?);
    }
    let req = crate::demo::demo_request()?;
    let header = (!ctx.global.json).then_some(DEMO_HEADER);
    recommend(ctx, &req, header)
}

/// Runs `advisor recommend`.
pub fn run(ctx: &Ctx, a: RecommendArgs) -> Result<()> {
    let req = request(ctx, &a)?;
    recommend(ctx, &req, None)
}

/// The advice request the flags describe: targets checked first, then the
/// profile, the offers and the trace loaded (its warnings shown).
pub(crate) fn request(ctx: &Ctx, a: &RecommendArgs) -> Result<Request> {
    let constraints = constraints(a)?;
    let profile = load_profile(&a.profile)?;
    let (snap, offers) = select_offers(&a.offers)?;
    let (trace, warnings) = Trace::load(&a.trace)?;
    for w in &warnings {
        ctx.warn(w);
    }
    if trace.is_empty() {
        return Err(bad_input(format!(
            "{}: the trace has no requests",
            a.trace.display()
        )));
    }
    // After every input is read, so that bad input stays a one-line error.
    for w in profile.warnings() {
        ctx.warn(&w);
    }
    Ok(Request {
        profile,
        trace,
        trace_name: a.trace.display().to_string(),
        snapshot: snap,
        offers,
        constraints,
        seed: a.seed,
        free_tier: a.free_tier,
    })
}

/// The targets from the flags; a nonsensical value is bad input naming its flag.
pub fn constraints(a: &RecommendArgs) -> Result<Constraints> {
    let positive = |flag: &str, v: Option<f64>, what: &str| -> Result<()> {
        match v {
            Some(x) if !(x.is_finite() && x > 0.0) => {
                Err(bad_input(format!("{flag} {x}: expected {what} > 0")))
            }
            _ => Ok(()),
        }
    };
    positive("--slo-p95-ms", a.slo_p95_ms, "a latency in ms")?;
    positive("--slo-avg-ms", a.slo_avg_ms, "a latency in ms")?;
    positive("--budget", a.budget, "an amount in USD")?;
    if !(a.min_success.is_finite() && (0.0..=1.0).contains(&a.min_success)) {
        return Err(bad_input(format!(
            "--min-success {}: expected a ratio from 0 to 1, e.g. 0.999",
            a.min_success
        )));
    }
    Ok(Constraints {
        slo_p95_s: a.slo_p95_ms.map(|x| x / 1e3),
        slo_avg_s: a.slo_avg_ms.map(|x| x / 1e3),
        min_success_ratio: a.min_success,
        budget_usd: a.budget,
        budget_per: match a.budget_per {
            BudgetPerArg::Month => BudgetPer::Month,
            BudgetPerArg::Trace => BudgetPer::Trace,
        },
        slo_p95_default: None,
    })
}

#[derive(Serialize)]
struct Out<'a> {
    #[serde(flatten)]
    advice: &'a Advice,
    sim_wall_s: f64,
}

/// Advises on `req` and prints the result: JSON with `--json`, else the
/// verdict, after `header` when given.
pub fn recommend(ctx: &Ctx, req: &Request, header: Option<&str>) -> Result<()> {
    let started = Instant::now();
    let advice = advise::advise(req)?;
    let wall = started.elapsed().as_secs_f64();
    if ctx.global.json {
        return ctx.print_json(&Out {
            advice: &advice,
            sim_wall_s: wall,
        });
    }
    let mut text = String::new();
    if let Some(h) = header {
        text.push_str(h);
        text.push('\n');
    }
    text.push_str(&render::verdict(&advice));
    text.push_str(&format!("Simulated in {wall:.2} s.\n"));
    write_stdout(&text)
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}
