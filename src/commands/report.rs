//! `advisor report`: advise as `recommend` does, then write the decision report.

use super::recommend::{request, RecommendArgs};
use super::Ctx;
use crate::advise::{self};
use crate::error::bad_input;
use crate::report::{self, Format};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

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

/// The format a report file is written in: the flag, else the extension.
pub fn report_format(args: &ReportArgs) -> anyhow::Result<Format> {
    if let Some(f) = args.format {
        return Ok(f);
    }
    let ext = args
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("md") | Some("markdown") => Ok(Format::Md),
        Some("html") | Some("htm") => Ok(Format::Html),
        Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        _ => Err(bad_input(format!(
            "-o {}: cannot tell the format from the extension; pass --format md|html|json|csv",
            args.out.display()
        ))),
    }
}

/// Runs `advisor report`: advises as `recommend` does, then writes the report.
pub fn run(ctx: &Ctx, args: ReportArgs) -> anyhow::Result<()> {
    let format = report_format(&args)?;
    // Refused before the simulations, so a taken name costs nothing.
    if args.out.exists() && !args.force {
        return Err(bad_input(format!(
            "{} already exists; pass --force to overwrite it or -o to write elsewhere",
            args.out.display()
        )));
    }
    let req = request(ctx, &args.inputs)?;
    let advice = advise::advise(&req)?;
    let r = report::assemble(report::Inputs {
        profile: &req.profile,
        trace: &req.trace,
        offers: &req.offers,
        advice,
        generated_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        seed: req.seed,
    })?;
    report::write(&args.out, &report::render(&r, format)?, args.force)?;
    if ctx.global.json {
        #[derive(Serialize)]
        struct Written<'a> {
            report: String,
            format: Format,
            best: Option<&'a str>,
        }
        return ctx.print_json(&Written {
            report: args.out.display().to_string(),
            format,
            best: r.advice.best.as_ref().map(|b| b.id.as_str()),
        });
    }
    if !ctx.global.quiet {
        outln!("wrote {}", args.out.display())?;
    }
    Ok(())
}
