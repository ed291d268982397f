//! `advisor package`: a deployable package for one option.

use super::args::load_profile;
use super::Ctx;
use crate::error::bad_input;
use crate::package::{self, Request};
use crate::pricing::snapshot;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `advisor package`.
///
/// Function offers (AWS Lambda, Cloud Run functions) get a Python handler
/// (`handler.handler(event, context)`), pinned requirements checked against
/// the unzipped size limit, a README and an AWS SAM template or a `gcloud`
/// script; other offers get a Dockerfile that runs `advisor serve`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// The offer to package for (see `advisor pricing show`).
    #[arg(long, value_name = "ID")]
    pub offer: String,
    /// The ONNX model.
    #[arg(long, value_name = "M.onnx")]
    pub model: PathBuf,
    /// The model's profile (profiles/NAME.toml).
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Advice to apply (`advisor recommend --json` output): its option on this offer.
    #[arg(long, value_name = "ADVICE.json")]
    pub from_advice: Option<PathBuf>,
    /// The folder to write; must be empty or absent unless --force.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a folder that is not empty (files of the same names are replaced).
    #[arg(long)]
    pub force: bool,
    /// Price snapshot the offer comes from.
    #[arg(long, default_value = "current", value_name = "NAME")]
    pub snapshot: String,
    /// A snapshot file, or the folder to look for NAME.toml in (default: pricing/).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub pricing: Option<PathBuf>,
}

/// Runs `advisor package`.
pub fn run(ctx: &Ctx, a: PackageArgs) -> anyhow::Result<()> {
    if !a.model.is_file() {
        return Err(crate::model::limits::not_a_model_file(&a.model));
    }
    let snap = snapshot::find(&a.snapshot, a.pricing.as_deref())?;
    let offer = snap.offer(&a.offer).ok_or_else(|| {
        bad_input(format!(
            "--offer {}: no such offer in snapshot {} (see `advisor pricing show --snapshot {}`)",
            a.offer, snap.name, snap.name
        ))
    })?;
    let profile = load_profile(&a.profile)?;
    let advice = match &a.from_advice {
        None => None,
        Some(p) => Some(read_advice(p)?),
    };
    let req = Request {
        offer,
        model: &a.model,
        profile: &profile,
        advice: advice.as_ref(),
        ort_lib: ctx.global.ort_lib.clone(),
    };
    let written = package::write_package(&req, &a.out, a.force)?;
    if ctx.global.json {
        return ctx.print_json(&written);
    }
    outln!(
        "advisor package: wrote {} for {} ({:?}): {}",
        written.dir,
        written.settings.offer,
        written.settings.form,
        written.files.join(", ")
    )?;
    for n in &written.notes {
        outln!("  {n}")?;
    }
    Ok(())
}

fn read_advice(path: &std::path::Path) -> anyhow::Result<crate::advise::Advice> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("{}: cannot read the advice: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        bad_input(format!(
            "{}: line {}: not an advice (`advisor recommend --json` output): {e}",
            path.display(),
            e.line()
        ))
    })
}
