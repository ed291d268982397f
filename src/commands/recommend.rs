//! `advisor recommend`, `advisor report` and the demo.

use super::Ctx;
use crate::advise::{Constraints, Request};
use crate::cli::recommend::{RecommendArgs, ReportArgs};
use crate::error::bad_input;
use crate::report::{self, Format};
use crate::workload::Trace;
use serde::Serialize;

/// Runs `advisor` with no command: the demo.
pub fn demo(ctx: &Ctx) -> anyhow::Result<()> {
    if ctx.tui() {
        return crate::tui::run_demo(crate::tui::demo_setup()?);
    }
    anyhow::bail!("demo: not built yet")
}

/// Runs `advisor recommend`.
pub fn run(_ctx: &Ctx, _args: RecommendArgs) -> anyhow::Result<()> {
    anyhow::bail!("recommend: not built yet")
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
pub fn report(ctx: &Ctx, args: ReportArgs) -> anyhow::Result<()> {
    let format = report_format(&args)?;
    // Refused before the simulations, so a taken name costs nothing.
    if args.out.exists() && !args.force {
        return Err(bad_input(format!(
            "{} already exists; pass --force to overwrite it or -o to write elsewhere",
            args.out.display()
        )));
    }
    let a = &args.inputs;
    let profile = super::simulate::load_profile(&a.profile)?;
    let snap = crate::pricing::builtin("current")
        .ok_or_else(|| anyhow::anyhow!("the built-in `current` snapshot does not parse"))?;
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
    let seed = 1;
    let req = Request {
        profile: profile.clone(),
        trace,
        trace_name: a.trace.display().to_string(),
        snapshot: snap.name.clone(),
        offers: snap.offers.clone(),
        constraints: Constraints::default(),
        seed,
    };
    let advice = crate::advise::advise(&req)?;
    let r = report::assemble(report::Inputs {
        profile: &profile,
        trace: &req.trace,
        offers: &req.offers,
        advice,
        generated_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        seed,
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
        println!("wrote {}", args.out.display());
    }
    Ok(())
}
