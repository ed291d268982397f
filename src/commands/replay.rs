//! `advisor replay`: an open-loop replay of a trace against a live endpoint.

use super::Ctx;
use crate::error::bad_input;
use crate::live::auth::Auth;
use crate::live::payload::{self, Payload};
use crate::live::progress;
use crate::live::protocol::Protocol;
use crate::live::replay::{self, ReplayOptions, ReplayReport};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Arguments of `advisor replay`.
///
/// Open loop: every request leaves at its trace time (divided by --speed)
/// whether or not earlier ones have returned, and latency counts from that
/// scheduled time. Each request is a POST of one body: the file given
/// by --payload, the files of --payload-dir in turn, synthetic inputs for
/// --model (in --protocol's format), or `{}` (which `advisor serve`
/// answers with synthetic inputs).
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Trace CSV (a `t_s` column: arrival times in seconds from the start).
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,
    /// Endpoint URL, e.g. http://127.0.0.1:8080/predict.
    #[arg(long)]
    pub url: String,
    /// Seconds allowed per request, from its scheduled send to the end of the answer.
    #[arg(long, default_value_t = 30.0, value_name = "S")]
    pub timeout_s: f64,
    /// Replay speed: 2 sends the trace twice as fast.
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub speed: f64,
    /// Send this file as every request's body (JSON when it parses as JSON, else raw bytes).
    #[arg(long, value_name = "FILE", conflicts_with = "model")]
    pub payload: Option<PathBuf>,
    /// Send synthetic inputs for this model's inputs (in --protocol's body; advisor JSON by default).
    #[arg(long, value_name = "MODEL.onnx")]
    pub model: Option<PathBuf>,
    /// Send the files of this folder (sorted by name, hidden files skipped) in turn, round-robin;
    /// a file named NAME.wN.EXT (e.g. big.w3.json) is sent N times per round.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["payload", "model"])]
    pub payload_dir: Option<PathBuf>,
    /// The body format sent with --model (advisor, oip: Open Inference Protocol / KServe v2, instances:
    /// {"instances": [...]}, raw: little-endian bytes with X-Dtype and X-Shape); when given, every 2xx answer
    /// is checked for that protocol's shape and a wrong one counts as a failure (bad_answer) with its reason.
    #[arg(long, value_enum, value_name = "PROTOCOL")]
    pub protocol: Option<Protocol>,
    /// Extra header on every request, as 'NAME: VALUE' (repeatable; e.g. X-Dtype, X-Shape for a raw payload).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// At most N requests in flight; later ones wait for a slot (the wait counts in their send lag and latency).
    #[arg(long, value_name = "N", default_value_t = crate::live::replay::DEFAULT_CONCURRENCY_LIMIT)]
    pub concurrency_limit: usize,
    /// Sign every request with AWS Signature V4 for this service (e.g. sagemaker, lambda), with
    /// credentials from the standard AWS chain (environment, profile files, SSO, instance role).
    #[arg(long, value_name = "SERVICE", conflicts_with_all = ["bearer_cmd", "bearer_file"])]
    pub aws_sigv4: Option<String>,
    /// The region signed for with --aws-sigv4 (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's).
    #[arg(long, value_name = "REGION", requires = "aws_sigv4")]
    pub aws_region: Option<String>,
    /// Send 'Authorization: Bearer TOKEN' with the token this shell command prints
    /// (e.g. 'gcloud auth print-identity-token'), run again before the token expires.
    #[arg(long, value_name = "COMMAND", conflicts_with = "bearer_file")]
    pub bearer_cmd: Option<String>,
    /// Like --bearer-cmd, with the token read from this file (read again before it expires).
    #[arg(long, value_name = "FILE")]
    pub bearer_file: Option<PathBuf>,
    /// Lifetime of a bearer token that is not a JWT (a JWT's own exp claim is used), seconds;
    /// default 3300 (55 min, for one-hour tokens).
    #[arg(long, value_name = "S", default_value_t = 3300.0)]
    pub bearer_ttl_s: f64,
    /// Add one entry per second (by scheduled send) with its counts and latency and time-to-first-byte
    /// p50/p95/p99 (`per_second` in --json; a table in the text summary).
    #[arg(long)]
    pub series: bool,
}

/// The authentication asked for, fetched once (inside the runtime) so that a
/// missing credential fails before any load is sent.
async fn auth(args: &ReplayArgs) -> anyhow::Result<Option<std::sync::Arc<Auth>>> {
    use crate::live::auth::bearer::{Bearer, Source};
    let source = match (&args.bearer_cmd, &args.bearer_file) {
        (Some(c), _) => Some(Source::Command(c.clone())),
        (None, Some(f)) => Some(Source::File(f.clone())),
        (None, None) => None,
    };
    let auth = if let Some(service) = &args.aws_sigv4 {
        let s = crate::live::auth::sigv4::SigV4::start(service, args.aws_region.as_deref())
            .await
            .map_err(bad_input)?;
        Auth::SigV4(s)
    } else if let Some(source) = source {
        if !(args.bearer_ttl_s.is_finite() && args.bearer_ttl_s > 0.0) {
            return Err(bad_input(format!(
                "--bearer-ttl-s {}: expected a number of seconds > 0",
                args.bearer_ttl_s
            )));
        }
        let ttl = Duration::from_secs_f64(args.bearer_ttl_s);
        Auth::Bearer(Bearer::start(source, ttl).await.map_err(bad_input)?)
    } else {
        return Ok(None);
    };
    if args.headers.iter().any(|h| {
        h.trim_start()
            .to_ascii_lowercase()
            .starts_with("authorization:")
    }) {
        return Err(bad_input(
            "--header Authorization: not with --aws-sigv4, --bearer-cmd or --bearer-file, which set it",
        ));
    }
    Ok(Some(std::sync::Arc::new(auth)))
}

/// Runs `advisor replay`.
pub fn run(ctx: &Ctx, args: ReplayArgs) -> anyhow::Result<()> {
    if !(args.timeout_s.is_finite() && args.timeout_s > 0.0) {
        return Err(bad_input(format!(
            "--timeout-s {}: expected a number of seconds > 0",
            args.timeout_s
        )));
    }
    let payload = match (&args.payload, &args.model) {
        (Some(file), _) => Payload::from_file(file)?,
        (None, Some(model)) => {
            let info = crate::model::inspect(model)?;
            let sig = payload::signature_of(&info)?;
            Payload::synthetic_as(&sig, args.protocol.unwrap_or(Protocol::Advisor))?
        }
        (None, None) => match args.protocol {
            None | Some(Protocol::Advisor) => Payload::empty_json(),
            Some(p) if args.payload_dir.is_none() => {
                return Err(bad_input(format!(
                    "--protocol {}: give --model (synthetic inputs), --payload or --payload-dir",
                    p.name()
                )))
            }
            Some(_) => Payload::empty_json(),
        },
    };
    let mut opts = ReplayOptions::new(&args.trace, &args.url);
    opts.timeout = Duration::from_secs_f64(args.timeout_s);
    opts.speed = args.speed;
    opts.payload = payload;
    if let Some(dir) = &args.payload_dir {
        opts.payloads = Payload::from_dir(dir)?;
    }
    opts.check_answers = args.protocol;
    opts.concurrency_limit = Some(args.concurrency_limit);
    opts.per_second = args.series;
    for h in &args.headers {
        let (name, value) = replay::parse_header(h)?;
        opts.headers.append(name, value);
    }
    let stop = opts.stop.clone();

    let rt = super::tokio_runtime()?;
    opts.auth = rt.block_on(auth(&args))?;
    let auth_used = opts.auth.clone();
    if ctx.tui() {
        // The live view on this thread, the replay on the runtime's.
        let (tx, rx) = progress::channel();
        let (url, trace) = (args.url.clone(), args.trace.display().to_string());
        let running = rt.spawn(replay::replay(opts, Some(tx)));
        let viewed = crate::tui::replay::run(rx, stop.clone(), &url, &trace);
        stop.store(true, Ordering::Relaxed);
        let report = rt.block_on(running)??;
        viewed?;
        warn_auth(ctx, auth_used.as_deref());
        drop(auth_used);
        rt.shutdown_background();
        for w in &report.warnings {
            ctx.warn(w);
        }
        return print_report(&report);
    }
    let report = rt.block_on(async move {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::Relaxed);
            }
        });
        let (tx, rx) = progress::channel();
        let bar = ctx.progress().then(|| tokio::spawn(progress::draw_bar(rx)));
        let report = replay::replay(opts, Some(tx)).await;
        if let Some(bar) = bar {
            let _ = bar.await;
        }
        report
    })?;
    warn_auth(ctx, auth_used.as_deref());
    // The refresh task goes with the runtime.
    drop(auth_used);
    // The Ctrl-C listener may still be waiting; do not wait for it.
    rt.shutdown_background();
    for w in &report.warnings {
        ctx.warn(w);
    }
    if ctx.global.json {
        return ctx.print_json(&report);
    }
    print_report(&report)
}

fn warn_auth(ctx: &Ctx, auth: Option<&Auth>) {
    if let Some(p) = auth.and_then(Auth::problem) {
        ctx.warn(&p);
    }
}

fn print_report(r: &ReplayReport) -> anyhow::Result<()> {
    let o = &r.outcome;
    let f = &o.failures;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "replayed {} of {} requests against {} (measured, open loop, speed {})",
        r.sent, r.trace_requests, r.url, r.speed
    )?;
    writeln!(
        out,
        "  rate            offered {:.1} req/s, sent {:.1} req/s, wall {:.2} s",
        r.offered_rps, r.sent_rps, r.wall_s
    )?;
    writeln!(
        out,
        "  success         {}/{} ({:.2}%)",
        o.succeeded,
        o.requests,
        o.success_ratio * 100.0
    )?;
    if f.total() > 0 {
        writeln!(
            out,
            "  failures        timeout {}, connect {}, dropped {}, queue full (503) {}, throttled (429) {}, other status {}, bad answer {}",
            f.timeout, f.connect, f.dropped, f.queue_full, f.throttled, f.http_status, f.bad_answer
        )?;
    }
    if let Some(why) = &r.bad_answer_example {
        writeln!(
            out,
            "  first bad answer {}",
            crate::escape::escape_controls(why)
        )?;
    }
    writeln!(
        out,
        "  latency         avg {:.2} ms  p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2} (from the scheduled send)",
        o.avg_latency_s * 1e3,
        o.p50_latency_s * 1e3,
        o.p95_latency_s * 1e3,
        o.p99_latency_s * 1e3,
        o.max_latency_s * 1e3
    )?;
    writeln!(
        out,
        "  from send       avg {:.2} ms  p50 {:.2}  p95 {:.2}  p99 {:.2}",
        r.latency_from_send_avg_ms,
        r.latency_from_send_p50_ms,
        r.latency_from_send_p95_ms,
        r.latency_from_send_p99_ms
    )?;
    writeln!(
        out,
        "  first byte      p50 {:.2} ms  p95 {:.2}  p99 {:.2} (from send to the answer's head)",
        r.ttfb_p50_ms, r.ttfb_p95_ms, r.ttfb_p99_ms
    )?;
    writeln!(
        out,
        "  send lag        p50 {:.3} ms  p99 {:.3}  max {:.3} (actual send minus scheduled)",
        r.send_lag_p50_ms, r.send_lag_p99_ms, r.send_lag_max_ms
    )?;
    if r.interrupted {
        writeln!(out, "  stopped early (Ctrl-C)")?;
    }
    if let Some(seconds) = &r.per_second {
        print_seconds(&mut out, seconds)?;
    }
    Ok(())
}

/// The `--series` table: one line per second of the replay.
fn print_seconds(
    out: &mut impl Write,
    seconds: &[crate::outcome::SecondStats],
) -> anyhow::Result<()> {
    writeln!(
        out,
        "  per second (by scheduled send; latency from it, first byte from the send), ms"
    )?;
    writeln!(
        out,
        "  {:>6} {:>8} {:>7} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "t_s", "requests", "failed", "p50", "p95", "p99", "ttfb p50", "ttfb p95", "ttfb p99"
    )?;
    for s in seconds {
        writeln!(
            out,
            "  {:>6.0} {:>8} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>9.2} {:>9.2} {:>9.2}",
            s.t_s,
            s.requests,
            s.failed,
            s.p50_ms,
            s.p95_ms,
            s.p99_ms,
            s.ttfb_p50_ms,
            s.ttfb_p95_ms,
            s.ttfb_p99_ms
        )?;
    }
    Ok(())
}
