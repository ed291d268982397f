//! `advisor simulate` and `advisor reproduce`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Which offers to use: a snapshot, optionally narrowed to some ids.
#[derive(Debug, Clone, Args)]
pub struct OfferArgs {
    /// Price snapshot: built in (`current`, `study-2020`) or NAME.toml in the pricing folder.
    #[arg(long, default_value = "current", value_name = "NAME")]
    pub snapshot: String,

    /// A snapshot file, or the folder to look for NAME.toml in (default: pricing/).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub pricing: Option<PathBuf>,

    /// Only these offers (repeat the flag; default: every offer of the snapshot).
    #[arg(long = "offer", value_name = "ID")]
    pub offers: Vec<String>,
}

/// Settings of a simulated run that apply to every offer.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Client-side batching: requests per invocation (1 = none).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub batch: u32,

    /// Client-side batching: longest a request waits for its batch to fill, ms.
    #[arg(long, default_value_t = 0.0, value_name = "MS")]
    pub batch_wait: f64,

    /// Serverless memory size, MB (default: each offer's own).
    #[arg(long, value_name = "MB")]
    pub memory_mb: Option<f64>,

    /// Serverless instances kept initialised (provisioned concurrency).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub provisioned: u32,

    /// Server instances (default: each offer's own).
    #[arg(long, value_name = "N")]
    pub instances: Option<u32>,

    /// Target CPU speed relative to the offer's (0.7 = 30% slower).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub cpu_speed: f64,

    /// Replace the profile's service time: const:S, exp:MEAN or lognormal:MEAN,P95 (seconds).
    #[arg(long, value_name = "DIST")]
    pub service: Option<String>,

    /// Replace a cold request's whole run (cold start and service), same forms as --service.
    #[arg(long, value_name = "DIST")]
    pub cold_service: Option<String>,

    /// Seed of the simulation's random numbers.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
}

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
