//! `advisor recommend` and `advisor report`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `advisor recommend`.
#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// Profile (profiles/NAME.toml).
    #[arg(long)]
    pub profile: PathBuf,
    /// Trace CSV.
    #[arg(long)]
    pub trace: PathBuf,
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
