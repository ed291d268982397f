//! `advisor recommend` and `advisor report`.

use super::simulate::OfferArgs;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

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
}

/// What `--budget` is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BudgetPerArg {
    /// A month of 730 h at the trace's mean rate.
    Month,
    /// The run over the trace.
    Trace,
}

/// Arguments of `advisor report`: what `recommend` takes, and where to write.
#[derive(Debug, Args)]
#[command(
    after_help = "The report says what was measured, the workload, the targets, the decision \
and its reasons, the comparison, the batching, memory and break-even findings and runtime \
suggestions, and which figures are modelled and which measured. HTML is one file with inline \
CSS and SVG charts; JSON reads back as the advice; CSV holds the comparison table. An existing \
file is never overwritten without --force."
)]
pub struct ReportArgs {
    /// The model, the trace, the offers and the targets, as for `advisor recommend`.
    #[command(flatten)]
    pub inputs: RecommendArgs,
    /// Format of the report [default: from the extension of -o].
    #[arg(long, value_enum)]
    pub format: Option<crate::report::Format>,
    /// Where to write the report.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}
