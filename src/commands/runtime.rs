//! `advisor runtime`.

use super::Ctx;
use crate::runtime::{self, FoundBy, Installed};
use clap::Subcommand;
use serde::Serialize;
use std::path::PathBuf;

/// `advisor runtime ...`
#[derive(Debug, Subcommand)]
pub enum RuntimeCommand {
    /// Say which ONNX Runtime library would be used, why, its version and providers.
    ///
    /// Looks, in order, at --ort-lib, ORT_DYLIB_PATH, advisor's cache
    /// ($ADVISOR_CACHE_DIR, else $XDG_CACHE_HOME/advisor, else ~/.cache/advisor)
    /// and the onnxruntime package of python3 ($ADVISOR_PYTHON names another
    /// interpreter; ADVISOR_NO_PYTHON=1 skips that step).
    Info,
    /// Install onnxruntime 1.31.1 into advisor's cache with pip (no root needed).
    Install,
}

/// What `advisor runtime info` reports.
#[derive(Debug, Serialize)]
pub struct RuntimeReport {
    /// The library that would be used.
    pub library: PathBuf,
    /// The rule that found it.
    pub found_by: FoundBy,
    /// The rule in words.
    pub found_by_text: String,
    /// The library's version string.
    pub ort_version: String,
    /// Size of the library file, MB (2^20 bytes).
    pub library_mb: f64,
    /// Execution providers the library was built with.
    pub providers: Vec<String>,
    /// Whether the CUDA execution provider is built in.
    pub cuda: bool,
    /// advisor's cache folder (where `advisor runtime install` puts it).
    pub cache_dir: PathBuf,
}

/// Runs `advisor runtime ...`.
pub fn run(ctx: &Ctx, cmd: RuntimeCommand) -> anyhow::Result<()> {
    match cmd {
        RuntimeCommand::Info => info(ctx),
        RuntimeCommand::Install => install(ctx),
    }
}

fn info(ctx: &Ctx) -> anyhow::Result<()> {
    let rt = runtime::init(ctx.global.ort_lib.as_deref())?;
    let providers = rt.providers()?;
    let report = RuntimeReport {
        library: rt.located.path.clone(),
        found_by: rt.located.found_by,
        found_by_text: rt.located.found_by.to_string(),
        ort_version: rt.version.clone(),
        library_mb: (rt.library_mb() * 10.0).round() / 10.0,
        cuda: providers.iter().any(|p| p == "CUDAExecutionProvider"),
        providers,
        cache_dir: runtime::cache_dir(),
    };
    if ctx.global.json {
        return ctx.print_json(&report);
    }
    outln!("library:    {}", report.library.display())?;
    outln!("found by:   {}", report.found_by_text)?;
    outln!("version:    {}", report.ort_version)?;
    outln!("size:       {:.1} MB", report.library_mb)?;
    outln!("providers:  {}", report.providers.join(", "))?;
    outln!(
        "GPU:        {}",
        if report.cuda {
            "CUDA execution provider built in"
        } else {
            "no CUDA execution provider in this build; GPU offers are modelled"
        }
    )?;
    outln!("cache:      {}", report.cache_dir.display())?;
    Ok(())
}

fn install(ctx: &Ctx) -> anyhow::Result<()> {
    let outcome = runtime::install()?;
    let (path, installed_now) = match &outcome {
        Installed::AlreadyPresent(p) => (p.clone(), false),
        Installed::Installed(p) => (p.clone(), true),
    };
    if ctx.global.json {
        #[derive(Serialize)]
        struct Out {
            library: PathBuf,
            installed_now: bool,
            ort_version: &'static str,
        }
        return ctx.print_json(&Out {
            library: path,
            installed_now,
            ort_version: runtime::ORT_RELEASE,
        });
    }
    if installed_now {
        outln!(
            "installed ONNX Runtime {} at {}",
            runtime::ORT_RELEASE,
            path.display()
        )?;
    } else {
        outln!(
            "ONNX Runtime {} is already installed at {}",
            runtime::ORT_RELEASE,
            path.display()
        )?;
    }
    Ok(())
}
