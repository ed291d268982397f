//! `advisor trace`.

use crate::workload::generate::Preset;
use crate::workload::import::Spread;
use clap::{ArgGroup, Args, Subcommand};
use std::path::PathBuf;

/// `advisor trace ...`
#[derive(Debug, Subcommand)]
pub enum TraceCommand {
    /// Generate a trace: a preset of the study, an MMPP, Poisson, a diurnal day or steps.
    Gen(GenArgs),
    /// Describe a trace: requests, duration, rates, burstiness, gaps, rate over time.
    Stats(StatsArgs),
    /// Reshape a trace: cut a window, change its speed, scale its rate (applied in that order).
    Transform(TransformArgs),
    /// Join traces one after the other.
    Concat(ConcatArgs),
    /// Build a trace from counts per interval or from the Azure Functions 2019 trace.
    #[command(subcommand)]
    Import(ImportCommand),
}

/// Where a command writes its trace.
#[derive(Debug, Args)]
pub struct OutArgs {
    /// Trace CSV to write (`t_s` with 6 decimals).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `advisor trace gen`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("kind")
        .required(true)
        .args(["preset", "mmpp", "poisson", "diurnal", "steps"])
))]
pub struct GenArgs {
    /// One of the study's workloads (a scheduled MMPP fitted to its counts, durations and peaks).
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// Markov-modulated Poisson process: the rate in each state, req/s (`5,40`).
    #[arg(long, value_name = "RATES", requires = "switch")]
    pub mmpp: Option<String>,
    /// Rate of leaving each MMPP state, per second (`0.02,0.05`); with more
    /// than two states the next state is drawn uniformly among the others.
    #[arg(long, value_name = "RATES", requires = "mmpp")]
    pub switch: Option<String>,
    /// Poisson process at RATE req/s.
    #[arg(long, allow_negative_numbers = true, value_name = "RATE")]
    pub poisson: Option<f64>,
    /// A sinusoidal day around MEAN_RPS req/s: quiet at t = 0, busiest half a period later.
    #[arg(long, allow_negative_numbers = true, value_name = "MEAN_RPS")]
    pub diurnal: Option<f64>,
    /// Relative amplitude of the diurnal rate, 0 to 1.
    #[arg(
        long,
        allow_negative_numbers = true,
        requires = "diurnal",
        default_value_t = 0.5
    )]
    pub amplitude: f64,
    /// Period of the diurnal rate, seconds [default: the duration].
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "SECONDS",
        requires = "diurnal"
    )]
    pub period: Option<f64>,
    /// Steps and bursts: from each time (s) on, the rate (req/s), as `0:5,60:50,120:5`.
    #[arg(long, value_name = "T:RATE,..")]
    pub steps: Option<String>,
    /// Length of the trace, seconds (not with --preset).
    #[arg(
        long,
        value_name = "SECONDS",
        allow_negative_numbers = true,
        required_unless_present = "preset",
        conflicts_with = "preset"
    )]
    pub duration: Option<f64>,
    /// Seed of the random stream: the same seed gives the same trace.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output.
    #[command(flatten)]
    pub out: OutArgs,
}

/// Arguments of `advisor trace stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Trace CSV.
    pub file: PathBuf,
    /// Window for the second peak rate, the burstiness and the rate series, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub window: f64,
}

/// Arguments of `advisor trace transform`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("change")
        .required(true)
        .multiple(true)
        .args(["cut", "speed", "scale_rate"])
))]
pub struct TransformArgs {
    /// Trace CSV to read.
    pub input: PathBuf,
    /// Keep only [START, END) seconds (`60:120`, or `60:` to the end), re-based to start at 0.
    #[arg(long, value_name = "START:END")]
    pub cut: Option<String>,
    /// With --cut, keep the original times instead of re-basing them to 0.
    #[arg(long, requires = "cut")]
    pub keep_time: bool,
    /// Play X times faster (times divided by X).
    #[arg(long, allow_negative_numbers = true, value_name = "X")]
    pub speed: Option<f64>,
    /// Multiply the rate by X, keeping the shape: thinning below 1, replication above (seeded).
    #[arg(long, allow_negative_numbers = true, value_name = "X")]
    pub scale_rate: Option<f64>,
    /// Seed for --scale-rate.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output.
    #[command(flatten)]
    pub out: OutArgs,
}

/// Arguments of `advisor trace concat`.
#[derive(Debug, Args)]
pub struct ConcatArgs {
    /// Trace CSVs, in order; each starts after the last arrival of the one before.
    #[arg(num_args = 2.., required = true)]
    pub inputs: Vec<PathBuf>,
    /// Seconds between the last arrival of one trace and the start of the next.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    pub gap: f64,
    /// Output.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `advisor trace import ...`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A count series: CSV `t_s,count`, one row per second, minute or any interval.
    Counts(CountsArgs),
    /// The Azure Functions 2019 invocation trace (per-minute counts per function).
    Azure(AzureArgs),
}

/// How imported counts become arrivals.
#[derive(Debug, Args)]
pub struct SpreadArgs {
    /// Placement inside each interval: uniform (exact count, random times),
    /// even (exact count, evenly spaced), poisson (random count).
    #[arg(long, value_enum, default_value_t = Spread::Uniform)]
    pub spread: Spread,
    /// Seed for the uniform and poisson placements.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Most requests the import may write (guards against a stray huge count).
    #[arg(long, value_name = "N", default_value_t = crate::workload::import::limits::DEFAULT_MAX_IMPORT_REQUESTS)]
    pub max_requests: u64,
}

/// Arguments of `advisor trace import counts`.
#[derive(Debug, Args)]
pub struct CountsArgs {
    /// Count series CSV with columns `t_s` (interval start, seconds) and `count`.
    pub file: PathBuf,
    /// Interval of each row, seconds [default: the difference of the first two rows].
    #[arg(long, value_name = "SECONDS")]
    pub interval: Option<f64>,
    /// Placement.
    #[command(flatten)]
    pub spread: SpreadArgs,
    /// Output.
    #[command(flatten)]
    pub out: OutArgs,
}

/// Arguments of `advisor trace import azure`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("select")
        .required(true)
        .args(["function", "top", "all"])
))]
pub struct AzureArgs {
    /// invocations_per_function_md.anon.dNN.csv (HashOwner,HashApp,HashFunction,Trigger,1..1440).
    pub file: PathBuf,
    /// The function with this HashFunction.
    #[arg(long, value_name = "HASH")]
    pub function: Option<String>,
    /// The N functions with the most invocations, summed.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// All functions, summed.
    #[arg(long)]
    pub all: bool,
    /// Placement.
    #[command(flatten)]
    pub spread: SpreadArgs,
    /// Output.
    #[command(flatten)]
    pub out: OutArgs,
}
