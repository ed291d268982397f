//! `advisor export`: a trace as a Locust or k6 load script.

use super::Ctx;
use crate::live::export::{self, Format};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `advisor export`.
///
/// Writes a load script that follows the trace's request count per second,
/// for running the same load with Locust (distributed) or k6.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Trace CSV.
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,
    /// Script format.
    #[arg(long, value_enum)]
    pub format: crate::live::export::Format,
    /// Where to write the script.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Endpoint URL the script targets (Locust: its host and path; k6: the URL).
    #[arg(long)]
    pub url: Option<String>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs `advisor export`.
pub fn run(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<()> {
    let counts = export::per_second(&args.trace)?;
    let source = args
        .trace
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.trace.display().to_string());
    let script = match args.format {
        Format::Locust => export::locust(&counts, args.url.as_deref(), &source)?,
        Format::K6 => export::k6(&counts, args.url.as_deref(), &source)?,
    };
    super::write_new(&args.output, script.as_bytes(), args.force)?;
    let requests: u64 = counts.iter().sum();
    if ctx.global.json {
        return ctx.print_json(&serde_json::json!({
            "file": args.output.display().to_string(),
            "format": match args.format { Format::Locust => "locust", Format::K6 => "k6" },
            "requests": requests,
            "duration_s": counts.len(),
            "peak_rps": counts.iter().max().copied().unwrap_or(0),
        }));
    }
    outln!(
        "wrote {} ({} requests over {} s, peak {} req/s)",
        args.output.display(),
        requests,
        counts.len(),
        counts.iter().max().copied().unwrap_or(0)
    )?;
    Ok(())
}
