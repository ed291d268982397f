//! `advisor profile`.

use super::args::DeviceArg;
use super::Ctx;
use crate::error::bad_input;
use crate::profile::inputs::PlanDim;
use crate::profile::{self, summary, ProbeRequest, ProfileOptions, ProgressEvent};
use crate::runtime;
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `advisor profile`.
#[derive(Debug, Args)]
#[command(
    after_help = "Inputs are made up per type: floats standard normal (seeded), integer ids \
within the embedding table they index, masks all ones. The batch dim (the first dim when it is \
dynamic) takes each --batch value; a symbolic dim named like seq takes 128. The profile is saved \
to profiles/NAME.toml (NAME: the model's file stem) and never overwritten without --force."
)]
pub struct ProfileArgs {
    /// The ONNX model to measure.
    #[arg(required_unless_present = "probe_only")]
    pub model: Option<PathBuf>,

    /// Intra-op thread counts to measure, comma-separated [default: 1 and all cores].
    #[arg(long, value_delimiter = ',', value_name = "N,..")]
    pub threads: Option<Vec<usize>>,

    /// Batch sizes to measure, comma-separated [default: 1,2,4,8,16].
    #[arg(long, value_delimiter = ',', value_name = "N,..")]
    pub batch: Option<Vec<u32>>,

    /// Exactly N timed runs per point [default: at least 30 runs and 2 s, at most 10 s].
    #[arg(long, value_name = "N")]
    pub runs: Option<u32>,

    /// Where to run the model.
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,

    /// Value of a symbolic dim, e.g. --dim seq=256 (repeatable).
    #[arg(long, value_name = "NAME=VALUE")]
    pub dim: Vec<String>,

    /// Whole shape of an input, e.g. --shape x=batch,3,48,192 (`batch`: each --batch size; repeatable).
    #[arg(long, value_name = "INPUT=D0,D1,..")]
    pub shape: Vec<String>,

    /// Every element of an input set to one value, e.g. --fill sr=16000 (repeatable).
    #[arg(long, value_name = "INPUT=VALUE")]
    pub fill: Vec<String>,

    /// Real values for an input from a NumPy .npy file (repeatable).
    #[arg(long, value_name = "INPUT=FILE.npy")]
    pub input: Vec<String>,

    /// Where to save the profile [default: profiles/NAME.toml].
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Overwrite an existing profile file.
    #[arg(long)]
    pub force: bool,

    /// Fresh-process cold-start trials.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub cold_trials: u32,

    /// Skip measuring graph optimisation disabled vs all.
    #[arg(long)]
    pub no_opt_effect: bool,

    /// Never stop to ask (for scripts): a missing ONNX Runtime is then the
    /// one-line error with its fix instead of an offer to install it.
    #[arg(long)]
    pub yes: bool,

    /// Only time the reference probe (MobileNetV2 and one ALBERT layer, 1 thread,
    /// batch 1) and print it with the CPU's model, cores and vector extensions.
    #[arg(long, conflicts_with = "model")]
    pub probe_only: bool,

    /// Skip the reference probe (about 5 s); the profile's figures then follow
    /// this machine only.
    #[arg(long)]
    pub no_probe: bool,

    /// Internal: run one cold-start probe described by this file and print its timings.
    #[arg(long, hide = true, value_name = "REQUEST")]
    pub cold_probe: Option<PathBuf>,
}

/// Runs `advisor profile`.
pub fn run(ctx: &Ctx, args: ProfileArgs) -> anyhow::Result<()> {
    if let Some(request) = &args.cold_probe {
        return cold_probe(request);
    }
    if args.probe_only {
        let probe = profile::measure_probe(ctx.global.ort_lib.as_deref())?;
        if ctx.global.json {
            return ctx.print_json(&probe);
        }
        outln!("reference probe: {}", probe.summary())?;
        return Ok(());
    }
    let opts = options(ctx, &args)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("profiles").join(format!("{}.toml", opts.name)));
    if out.exists() && !args.force {
        return Err(bad_input(format!(
            "{} already exists; pass --force to overwrite it or --out FILE to save elsewhere",
            out.display()
        )));
    }
    ensure_runtime(ctx, args.yes)?;

    if ctx.tui() {
        return profile_on_screen(opts, out);
    }

    let bar = ctx.progress().then(new_bar);
    let mut on_event = |e: ProgressEvent| {
        if let Some(text) = &e.notice {
            match &bar {
                Some(b) => b.suspend(|| ctx.warn(text)),
                None => ctx.warn(text),
            }
            return;
        }
        if let Some(b) = &bar {
            b.set_length(e.total as u64);
            b.set_position(e.done as u64);
            let eta = e
                .eta
                .map(|d| format!(" (about {} s left)", d.as_secs()))
                .unwrap_or_default();
            b.set_message(format!("{}{eta}", e.phase));
        }
    };
    let result = profile::profile(&opts, &mut on_event);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let measured = result?;
    measured.save(&out)?;
    if ctx.global.json {
        ctx.print_json(&measured)?;
    } else {
        out!("{}", summary::render(&measured))?;
        outln!("\nsaved {}", out.display())?;
    }
    Ok(())
}

/// Profiles with the interactive screen showing progress; the screen goes
/// on to the comparison and the advice. The profile is saved as without it.
fn profile_on_screen(opts: ProfileOptions, out: PathBuf) -> anyhow::Result<()> {
    if !opts.model.is_file() {
        return Err(crate::model::limits::not_a_model_file(&opts.model));
    }
    // A file that is not a model is refused here, with its exit code,
    // rather than on a screen the user must dismiss.
    crate::model::inspect(&opts.model)?;
    let job = crate::tui::ProfileJob {
        options: opts,
        out: out.clone(),
    };
    match crate::tui::run_profile(job)? {
        Some(measured) => {
            out!("{}", summary::render(&measured))?;
            outln!("\nsaved {}", out.display())?;
            Ok(())
        }
        None => anyhow::bail!("profiling stopped before it finished; nothing was saved"),
    }
}

/// Finds ONNX Runtime before anything is measured. When none is found and a
/// person is at the terminal, offers `advisor runtime install` and goes on
/// once it is installed; with `--yes`, `--json` or piped input the answer is
/// the locator's one-line error with its fix (exit 2), the same as the
/// screen would end with.
fn ensure_runtime(ctx: &Ctx, yes: bool) -> anyhow::Result<()> {
    let Err(missing) = runtime::locate(ctx.global.ort_lib.as_deref()) else {
        return Ok(());
    };
    // A library the user named that is not there is theirs to fix.
    let named = ctx.global.ort_lib.is_some()
        || std::env::var_os(runtime::ENV_DYLIB).is_some_and(|v| !v.is_empty());
    let person = std::io::stdin().is_terminal() && ctx.stderr_tty;
    if named || yes || ctx.global.json || !person {
        return Err(missing);
    }
    eprint!(
        "Profiling needs ONNX Runtime and none was found. Install ONNX Runtime {} into {} now \
         (`advisor runtime install`, with pip)? [y/N] ",
        runtime::ORT_RELEASE,
        runtime::install_dir().display()
    );
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        return Err(missing);
    }
    let lib = match runtime::install()? {
        runtime::Installed::AlreadyPresent(p) | runtime::Installed::Installed(p) => p,
    };
    eprintln!("installed {}; profiling goes on", lib.display());
    runtime::locate(ctx.global.ort_lib.as_deref()).map(|_| ())
}

fn new_bar() -> ProgressBar {
    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// The hidden probe: one fresh-process cold start, JSON on stdout.
fn cold_probe(request: &Path) -> anyhow::Result<()> {
    let text = std::fs::read(request)
        .with_context(|| format!("reading the probe request {}", request.display()))?;
    let req: ProbeRequest = serde_json::from_slice(&text)
        .with_context(|| format!("reading the probe request {}", request.display()))?;
    let result = profile::probe(&req)?;
    outln!("{}", serde_json::to_string(&result)?)?;
    Ok(())
}

/// Turns the flags into [`ProfileOptions`]; a malformed flag is bad input naming it.
pub fn options(ctx: &Ctx, args: &ProfileArgs) -> anyhow::Result<ProfileOptions> {
    let model = args
        .model
        .as_ref()
        .ok_or_else(|| bad_input("profile: expected a model file (or --probe-only)"))?;
    let mut opts = ProfileOptions::new(model);
    if let Some(out) = &args.out {
        if let Some(stem) = out.file_stem() {
            opts.name = stem.to_string_lossy().into_owned();
        }
    }
    if let Some(t) = &args.threads {
        if t.contains(&0) {
            return Err(bad_input("--threads: thread counts must be 1 or more"));
        }
        opts.threads = Some(t.clone());
    }
    if let Some(b) = &args.batch {
        if b.contains(&0) {
            return Err(bad_input("--batch: batch sizes must be 1 or more"));
        }
        opts.inputs.batches = Some(b.clone());
    }
    if args.runs == Some(0) {
        return Err(bad_input("--runs: must be 1 or more"));
    }
    opts.runs = args.runs;
    opts.device = args.device.into();
    opts.cold_trials = args.cold_trials;
    opts.optimization = !args.no_opt_effect;
    opts.reference = !args.no_probe;
    opts.ort_lib = ctx.global.ort_lib.clone();
    opts.inputs.dims = pairs("--dim", &args.dim, |v| {
        v.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or("a whole number of 1 or more")
    })?;
    opts.inputs.shapes = pairs("--shape", &args.shape, parse_shape)?;
    opts.inputs.fills = pairs("--fill", &args.fill, parse_fill)?;
    opts.inputs.files = pairs("--input", &args.input, |v| {
        if v.is_empty() {
            Err("a .npy file")
        } else {
            Ok(PathBuf::from(v))
        }
    })?;
    Ok(opts)
}

/// Parses repeated `KEY=VALUE` flags.
fn pairs<T>(
    flag: &str,
    items: &[String],
    parse: impl Fn(&str) -> Result<T, &'static str>,
) -> anyhow::Result<BTreeMap<String, T>> {
    let mut out = BTreeMap::new();
    for item in items {
        let Some((k, v)) = item.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(bad_input(format!("{flag} {item}: expected NAME=VALUE")));
        };
        let value = parse(v.trim())
            .map_err(|what| bad_input(format!("{flag} {item}: expected {what} after '='")))?;
        if out.insert(k.to_string(), value).is_some() {
            return Err(bad_input(format!("{flag} {k}=...: given twice")));
        }
    }
    Ok(out)
}

fn parse_shape(v: &str) -> Result<Vec<PlanDim>, &'static str> {
    const WHAT: &str = "comma-separated whole numbers or `batch` (an empty value means a scalar)";
    if v.is_empty() {
        return Ok(Vec::new());
    }
    v.split(',')
        .map(|d| match d.trim() {
            "batch" => Ok(PlanDim::Batch),
            n => n
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(PlanDim::Fixed)
                .ok_or(WHAT),
        })
        .collect()
}

fn parse_fill(v: &str) -> Result<f64, &'static str> {
    match v.to_ascii_lowercase().as_str() {
        "true" => Ok(1.0),
        "false" => Ok(0.0),
        _ => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or("a number (or true/false)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_flags_parse_and_reject() {
        let dims = pairs("--dim", &["seq=64".into()], |v| {
            v.parse::<i64>().map_err(|_| "n")
        })
        .unwrap();
        assert_eq!(dims["seq"], 64);
        assert!(pairs("--dim", &["seq".into()], |v| v
            .parse::<i64>()
            .map_err(|_| "n"))
        .is_err());
        assert!(pairs("--dim", &["a=1".into(), "a=2".into()], |v| v
            .parse::<i64>()
            .map_err(|_| "n"))
        .is_err());
        assert_eq!(
            parse_shape("batch, 1,128").unwrap(),
            vec![PlanDim::Batch, PlanDim::Fixed(1), PlanDim::Fixed(128)]
        );
        assert_eq!(parse_shape("").unwrap(), Vec::<PlanDim>::new());
        assert!(parse_shape("2,x").is_err());
        assert!(parse_shape("-1").is_err());
        assert_eq!(parse_fill("16000").unwrap(), 16000.0);
        assert_eq!(parse_fill("TRUE").unwrap(), 1.0);
        assert!(parse_fill("nan").is_err());
    }

    #[test]
    fn bad_flag_messages_name_the_flag() {
        let err = pairs("--fill", &["sr=abc".into()], parse_fill).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
        assert_eq!(
            err.to_string(),
            "--fill sr=abc: expected a number (or true/false) after '='"
        );
    }
}
