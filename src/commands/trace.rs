//! `advisor trace`: generate, describe, reshape and import request traces.

use super::Ctx;
use crate::error::bad_input;
use crate::workload::generate::Preset;
use crate::workload::generate::{spec, Generator};
use crate::workload::import::Spread;
use crate::workload::import::{azure, counts::CountSeries, Spreader};
use crate::workload::{stats_file, transform, Trace, TraceStats, TraceWriter};
use anyhow::Result;
use clap::{ArgGroup, Args, Subcommand};
use serde::Serialize;
use std::path::Path;
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
    #[arg(long, value_name = "SECONDS", default_value_t = crate::workload::stats::DEFAULT_WINDOW_S)]
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

/// Most requests a generator may be asked for (about 12 GB of CSV): a typo in
/// a rate or a duration should fail at once, not fill the disk.
const MAX_EXPECTED_REQUESTS: f64 = 1e9;

/// Runs `advisor trace ...`.
pub fn run(ctx: &Ctx, cmd: TraceCommand) -> Result<()> {
    match cmd {
        TraceCommand::Gen(a) => gen(ctx, a),
        TraceCommand::Stats(a) => stats(ctx, a),
        TraceCommand::Transform(a) => transform(ctx, a),
        TraceCommand::Concat(a) => concat(ctx, a),
        TraceCommand::Import(ImportCommand::Counts(a)) => import_counts(ctx, a),
        TraceCommand::Import(ImportCommand::Azure(a)) => import_azure(ctx, a),
    }
}

/// What a command that writes a trace reports.
#[derive(Debug, Serialize)]
struct Written {
    output: String,
    requests: u64,
    duration_s: f64,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    functions: Vec<String>,
}

impl Written {
    fn new(out: &OutArgs, requests: u64, duration_s: f64, source: String) -> Self {
        Written {
            output: out.out.display().to_string(),
            requests,
            duration_s,
            source,
            seed: None,
            functions: Vec::new(),
        }
    }

    fn report(&self, ctx: &Ctx) -> Result<()> {
        if ctx.global.json {
            return ctx.print_json(self);
        }
        outln!(
            "wrote {} requests over {:.3} s to {} ({})",
            self.requests,
            self.duration_s,
            self.output,
            self.source
        )?;
        Ok(())
    }
}

/// Refuses to replace an existing file unless `--force`.
fn check_out(out: &OutArgs) -> Result<()> {
    if out.out.exists() && !out.force {
        return Err(bad_input(format!(
            "{}: already exists; pass --force to replace it",
            out.out.display()
        )));
    }
    Ok(())
}

/// Writes ascending arrivals to `path`; returns (requests, last arrival).
fn write_arrivals<I: Iterator<Item = Result<f64>>>(path: &Path, arrivals: I) -> Result<(u64, f64)> {
    let mut w = TraceWriter::create(path, false)?;
    for t in arrivals {
        w.push(t?, None)?;
    }
    let last = w.last_s();
    Ok((w.finish()?, last))
}

fn generator(a: &GenArgs) -> Result<(Generator, String)> {
    if let Some(p) = a.preset {
        return Ok((Generator::Preset(p), format!("preset {}", p.name())));
    }
    let duration_s = spec::positive("--duration", a.duration.unwrap_or(0.0))?;
    if let Some(rate) = a.poisson {
        let rate_rps = spec::non_negative("--poisson", rate)?;
        return Ok((
            Generator::Poisson {
                rate_rps,
                duration_s,
            },
            format!("Poisson {rate_rps} req/s"),
        ));
    }
    if let (Some(rates), Some(switch)) = (&a.mmpp, &a.switch) {
        let g = Generator::Mmpp {
            rates_rps: spec::parse_rates("--mmpp", rates)?,
            switch_per_s: spec::parse_rates("--switch", switch)?,
            duration_s,
        };
        return Ok((g, format!("MMPP rates {rates} req/s, switch {switch} /s")));
    }
    if let Some(mean) = a.diurnal {
        let mean_rps = spec::non_negative("--diurnal", mean)?;
        if !(0.0..=1.0).contains(&a.amplitude) {
            return Err(bad_input(format!(
                "--amplitude: expected a relative amplitude from 0 to 1, found {}",
                a.amplitude
            )));
        }
        let period_s = spec::positive("--period", a.period.unwrap_or(duration_s))?;
        let g = Generator::Diurnal {
            mean_rps,
            amplitude: a.amplitude,
            period_s,
            duration_s,
        };
        return Ok((
            g,
            format!(
                "diurnal {mean_rps} req/s, amplitude {}, period {period_s} s",
                a.amplitude
            ),
        ));
    }
    if let Some(steps) = &a.steps {
        let segments = spec::parse_steps(steps, duration_s)?;
        return Ok((Generator::Steps { segments }, format!("steps {steps}")));
    }
    unreachable!("clap requires one generator")
}

fn gen(ctx: &Ctx, a: GenArgs) -> Result<()> {
    check_out(&a.out)?;
    let (g, source) = generator(&a)?;
    let expected = g.expected_requests();
    if expected > MAX_EXPECTED_REQUESTS {
        return Err(bad_input(format!(
            "the rate and --duration ask for about {expected:.3e} requests; expected at most {MAX_EXPECTED_REQUESTS:.0e} per trace"
        )));
    }
    let (requests, last) = write_arrivals(&a.out.out, g.arrivals(a.seed)?.map(Ok))?;
    let mut w = Written::new(&a.out, requests, last, source);
    w.seed = Some(a.seed);
    w.report(ctx)
}

/// `trace stats --json`: the file, then the statistics.
#[derive(Serialize)]
struct StatsReport<'a> {
    trace: String,
    #[serde(flatten)]
    stats: &'a TraceStats,
}

fn stats(ctx: &Ctx, a: StatsArgs) -> Result<()> {
    let window_s = spec::positive("--window", a.window)?;
    let (s, warnings) = stats_file(&a.file, window_s)?;
    for w in &warnings {
        ctx.warn(w);
    }
    if ctx.global.json {
        return ctx.print_json(&StatsReport {
            trace: a.file.display().to_string(),
            stats: &s,
        });
    }
    out!("{}", stats_table(&a.file, &s))?;
    Ok(())
}

/// The readable form of [`TraceStats`].
fn stats_table(file: &Path, s: &TraceStats) -> String {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    let mut out = String::new();
    let mut row = |k: &str, v: String| out.push_str(&format!("{k:<16}{v}\n"));
    row("trace", file.display().to_string());
    row("requests", s.requests.to_string());
    row(
        "duration",
        format!(
            "{:.3} s (first arrival at {:.3} s)",
            s.duration_s, s.first_arrival_s
        ),
    );
    row("mean rate", format!("{:.2} req/s", s.mean_rps));
    row(
        "peak rate",
        format!(
            "{:.0} req/s in 1 s windows (at t = {:.0} s)",
            s.peak_rps, s.peak_at_s
        ),
    );
    row(
        "",
        format!("{:.2} req/s in {} s windows", s.peak_rps_window, s.window_s),
    );
    row(
        "burstiness",
        format!(
            "{} (variance / mean of the counts per {} s window; 1 = Poisson)",
            opt(s.burstiness),
            s.window_s
        ),
    );
    row(
        "inter-arrival",
        format!(
            "mean {:.3} ms, p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms, cv {}",
            s.interarrival_mean_ms,
            s.interarrival_p50_ms,
            s.interarrival_p90_ms,
            s.interarrival_p99_ms,
            s.interarrival_max_ms,
            opt(s.interarrival_cv)
        ),
    );
    if !s.rate_series_rps.is_empty() {
        let (line, step) = sparkline(&s.rate_series_rps, s.rate_series_step_s, 60);
        row("rate over time", format!("{line}  ({step} s a mark)"));
    }
    out
}

/// Draws `series` in at most `width` block characters (averaging neighbours);
/// returns the line and the seconds each mark covers.
fn sparkline(series: &[f64], step_s: f64, width: usize) -> (String, f64) {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let group = series.len().div_ceil(width).max(1);
    let marks: Vec<f64> = series
        .chunks(group)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    let max = marks.iter().copied().fold(0.0, f64::max);
    let line = marks
        .iter()
        .map(|&m| {
            if max <= 0.0 {
                BLOCKS[0]
            } else {
                BLOCKS[((m / max) * 7.0).round() as usize]
            }
        })
        .collect();
    (line, step_s * group as f64)
}

/// Reads `START:END` (END may be empty) for `--cut`.
fn parse_cut(text: &str) -> Result<(f64, Option<f64>)> {
    let bad = || {
        bad_input(format!(
            "--cut: expected START:END in seconds with 0 <= START < END (or START: for the rest), found \"{text}\""
        ))
    };
    let (start, end) = text.split_once(':').ok_or_else(bad)?;
    let start: f64 = start.trim().parse().map_err(|_| bad())?;
    let end: Option<f64> = match end.trim() {
        "" => None,
        e => Some(e.parse().map_err(|_| bad())?),
    };
    if !(start.is_finite() && start >= 0.0) || end.is_some_and(|e| !e.is_finite() || e <= start) {
        return Err(bad());
    }
    Ok((start, end))
}

fn load(ctx: &Ctx, path: &Path) -> Result<Trace> {
    let (trace, warnings) = Trace::load(path)?;
    for w in &warnings {
        ctx.warn(w);
    }
    Ok(trace)
}

fn transform(ctx: &Ctx, a: TransformArgs) -> Result<()> {
    check_out(&a.out)?;
    let cut = a.cut.as_deref().map(parse_cut).transpose()?;
    let speed = a.speed.map(|x| spec::positive("--speed", x)).transpose()?;
    let scale = a
        .scale_rate
        .map(|x| spec::positive("--scale-rate", x))
        .transpose()?;
    let mut trace = load(ctx, &a.input)?;
    if let Some(x) = scale {
        let expected = trace.len() as f64 * x;
        if expected > MAX_EXPECTED_REQUESTS {
            return Err(bad_input(format!(
                "--scale-rate: {x} times {} requests is about {expected:.3e}; expected at most {MAX_EXPECTED_REQUESTS:.0e} per trace",
                trace.len()
            )));
        }
    }
    let mut steps = Vec::new();
    if let Some((start, end)) = cut {
        trace = transform::cut(trace, start, end, !a.keep_time);
        steps.push(format!("cut {}", a.cut.as_deref().unwrap_or_default()));
    }
    if let Some(x) = speed {
        trace = transform::speed(trace, x);
        steps.push(format!("speed x{x}"));
    }
    if let Some(x) = scale {
        trace = transform::scale_rate(trace, x, a.seed);
        steps.push(format!("rate x{x}"));
    }
    trace.write_csv(&a.out.out)?;
    let source = format!("{}: {}", a.input.display(), steps.join(", "));
    let mut w = Written::new(&a.out, trace.len() as u64, trace.duration_s(), source);
    w.seed = scale.map(|_| a.seed);
    w.report(ctx)
}

fn concat(ctx: &Ctx, a: ConcatArgs) -> Result<()> {
    check_out(&a.out)?;
    let gap_s = spec::non_negative("--gap", a.gap)?;
    let mut joined: Option<Trace> = None;
    for input in &a.inputs {
        let next = load(ctx, input)?;
        joined = Some(match joined {
            None => next,
            Some(prev) => transform::concat(prev, next, gap_s),
        });
    }
    let trace = joined.unwrap_or_default();
    trace.write_csv(&a.out.out)?;
    let names: Vec<String> = a.inputs.iter().map(|p| p.display().to_string()).collect();
    Written::new(
        &a.out,
        trace.len() as u64,
        trace.duration_s(),
        format!("concat {}", names.join(" + ")),
    )
    .report(ctx)
}

fn import_counts(ctx: &Ctx, a: CountsArgs) -> Result<()> {
    check_out(&a.out)?;
    let interval = a
        .interval
        .map(|x| spec::positive("--interval", x))
        .transpose()?;
    let mut series = CountSeries::open(&a.file, interval)?;
    series.set_max_requests(a.spread.max_requests);
    let interval_s = series.interval_s();
    let arrivals = Spreader::new(series, a.spread.spread, a.spread.seed);
    let (requests, last) = write_arrivals(&a.out.out, arrivals)?;
    let source = format!(
        "{}: counts per {interval_s} s, {} spread",
        a.file.display(),
        a.spread.spread.name()
    );
    let mut w = Written::new(&a.out, requests, last, source);
    w.seed = Some(a.spread.seed);
    w.report(ctx)
}

fn import_azure(ctx: &Ctx, a: AzureArgs) -> Result<()> {
    check_out(&a.out)?;
    let select = match (&a.function, a.top, a.all) {
        (Some(h), _, _) => azure::Select::Function(h.clone()),
        (_, Some(0), _) => {
            return Err(bad_input(
                "--top: expected a number of functions >= 1, found 0",
            ))
        }
        (_, Some(n), _) => azure::Select::Top(n),
        _ => azure::Select::All,
    };
    let selection = azure::read(&a.file, &select)?;
    crate::workload::import::limits::check_total(
        &a.file,
        selection.total(),
        a.spread.max_requests,
    )?;
    let arrivals = Spreader::new(selection.intervals(), a.spread.spread, a.spread.seed);
    let (requests, last) = write_arrivals(&a.out.out, arrivals)?;
    let source = format!(
        "{}: {} function(s), {} invocations",
        a.file.display(),
        selection.functions.len(),
        selection.total()
    );
    let mut w = Written::new(&a.out, requests, last, source);
    w.seed = Some(a.spread.seed);
    w.functions = selection.functions;
    w.report(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_ranges() {
        assert_eq!(parse_cut("60:120").unwrap(), (60.0, Some(120.0)));
        assert_eq!(parse_cut("5:").unwrap(), (5.0, None));
        for bad in ["120:60", "x:1", "-1:5", "5", "5:5"] {
            assert!(
                parse_cut(bad).unwrap_err().to_string().starts_with("--cut"),
                "{bad}"
            );
        }
    }

    #[test]
    fn sparkline_scales_to_the_highest_mark() {
        let (line, step) = sparkline(&[0.0, 5.0, 10.0], 10.0, 60);
        assert_eq!(line, "▁▅█");
        assert_eq!(step, 10.0);
        let (line, step) = sparkline(&vec![1.0; 120], 1.0, 60);
        assert_eq!(line.chars().count(), 60);
        assert_eq!(step, 2.0);
    }

    #[test]
    fn table_names_every_figure() {
        let s = crate::workload::stats([0.0, 0.5, 1.5], 1.0);
        let t = stats_table(Path::new("t.csv"), &s);
        for key in [
            "requests        3",
            "mean rate",
            "peak rate",
            "burstiness",
            "inter-arrival",
            "rate over time",
        ] {
            assert!(t.contains(key), "{key} missing in\n{t}");
        }
    }
}
