//! `advisor pricing`.

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `advisor pricing ...`
#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// List the offers with their prices and sources.
    Show(ShowArgs),
    /// Read current prices from a provider's price API and write a new dated snapshot.
    ///
    /// Behaviour parameters, and prices the API did not give, are kept from
    /// the base snapshot (`current`). The new file is
    /// `OUT_DIR/PROVIDER-YYYY-MM-DD.toml`; an existing file is never
    /// overwritten without --force. If the API cannot be reached or answers
    /// with an error, nothing is written and the exit code is 1.
    Refresh(RefreshArgs),
}

/// Arguments of `advisor pricing show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Snapshot to list: built in (`current`, `study-2020`) or NAME.toml in the pricing folder.
    #[arg(long, default_value = "current", value_name = "NAME")]
    pub snapshot: String,

    /// A snapshot file to list, or the folder to look for NAME.toml in (default: pricing/).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub pricing: Option<PathBuf>,
}

/// A provider whose price API `pricing refresh` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    /// AWS Price List API (GetProducts), with the standard credential chain.
    Aws,
    /// Google Cloud Billing Catalog API, with an API key.
    Gcp,
}

/// Arguments of `advisor pricing refresh`.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Which provider's prices to read.
    #[arg(long, value_enum)]
    pub provider: Provider,

    /// Base URL of the price API (default: the provider's own).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// AWS only: region of the Price List API endpoint (us-east-1, eu-central-1 or ap-south-1).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Folder the new snapshot is written to.
    #[arg(long, default_value = "pricing", value_name = "DIR")]
    pub out_dir: PathBuf,

    /// Google only: API key for the Billing Catalog API (default: $GOOGLE_API_KEY).
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,

    /// Give up on an API call after this many seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub timeout_s: f64,

    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,

    /// Snapshot whose offers are refreshed and whose behaviour parameters are kept.
    #[arg(long, default_value = "current", value_name = "NAME")]
    pub base: String,

    /// A base snapshot file, or the folder to look for it in.
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub pricing: Option<PathBuf>,

    /// Date of the new snapshot, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}
