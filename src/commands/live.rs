//! `advisor replay`, `serve`, `validate` and `export`.

use super::Ctx;
use crate::cli::live::{DeviceArg, ExportArgs, ReplayArgs, ServeArgs, ValidateArgs};
use crate::error::bad_input;
use crate::live::export::{self, Format};
use crate::live::payload::{self, Payload};
use crate::live::progress;
use crate::live::replay::{self, ReplayOptions, ReplayReport};
use crate::live::serve::{self, Engine, ServeOptions};
use crate::runtime::Device;
use anyhow::Context;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn tokio_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs `advisor replay`.
pub fn replay(ctx: &Ctx, args: ReplayArgs) -> anyhow::Result<()> {
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
            Payload::synthetic(&payload::signature_of(&info)?)
        }
        (None, None) => Payload::empty_json(),
    };
    let mut opts = ReplayOptions::new(&args.trace, &args.url);
    opts.timeout = Duration::from_secs_f64(args.timeout_s);
    opts.speed = args.speed;
    opts.payload = payload;
    opts.concurrency_limit = Some(args.concurrency_limit);
    for h in &args.headers {
        let (name, value) = replay::parse_header(h)?;
        opts.headers.append(name, value);
    }
    let stop = opts.stop.clone();

    let rt = tokio_runtime()?;
    if ctx.tui() {
        // The live view on this thread, the replay on the runtime's.
        let (tx, rx) = progress::channel();
        let (url, trace) = (args.url.clone(), args.trace.display().to_string());
        let running = rt.spawn(replay::replay(opts, Some(tx)));
        let viewed = crate::tui::replay::run(rx, stop.clone(), &url, &trace);
        stop.store(true, Ordering::Relaxed);
        let report = rt.block_on(running)??;
        viewed?;
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
            "  failures        timeout {}, connect {}, dropped {}, queue full (503) {}, throttled (429) {}, other status {}",
            f.timeout, f.connect, f.dropped, f.queue_full, f.throttled, f.http_status
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
        "  send lag        p50 {:.3} ms  p99 {:.3}  max {:.3} (actual send minus scheduled)",
        r.send_lag_p50_ms, r.send_lag_p99_ms, r.send_lag_max_ms
    )?;
    if r.interrupted {
        writeln!(out, "  stopped early (Ctrl-C)")?;
    }
    Ok(())
}

/// Runs `advisor serve`.
pub fn serve(ctx: &Ctx, args: ServeArgs) -> anyhow::Result<()> {
    if !(args.max_body_mb.is_finite() && args.max_body_mb > 0.0) {
        return Err(bad_input(format!(
            "--max-body-mb {}: expected a size in MB > 0",
            args.max_body_mb
        )));
    }
    if args.threads == 0 {
        return Err(bad_input("--threads: expected at least 1"));
    }
    let engine = match (&args.model, args.echo) {
        (_, true) => Engine::Echo,
        (Some(model), false) => {
            if !model.is_file() {
                return Err(bad_input(format!("{}: no such file", model.display())));
            }
            Engine::Onnx {
                model: model.clone(),
                threads: args.threads,
                device: match args.device {
                    DeviceArg::Cpu => Device::Cpu,
                    DeviceArg::Cuda => Device::Cuda,
                },
                ort_lib: ctx.global.ort_lib.clone(),
            }
        }
        (None, false) => return Err(bad_input("serve: give a MODEL.onnx to serve")),
    };
    let mut opts = ServeOptions::new(engine);
    opts.addr = args.addr;
    opts.workers = args.workers;
    opts.queue = args.queue;
    opts.max_body_bytes = (args.max_body_mb * 1024.0 * 1024.0) as usize;
    if !args.addr.ip().is_loopback() {
        // Printed even with --quiet: exposing the model is worth a line.
        eprintln!(
            "warning: listening on {}, which other machines can reach; anyone who can reach it can run the model",
            args.addr
        );
    }
    let rt = tokio_runtime()?;
    rt.block_on(async {
        let handle = serve::start(opts).await?;
        let addr = handle.addr;
        if !ctx.global.quiet {
            eprintln!(
                "advisor serve: listening on http://{addr} ({}); POST /predict, GET /healthz; Ctrl-C stops",
                handle.serving
            );
        }
        if ctx.global.json {
            // One line, printed once the socket accepts connections, so a
            // script can read it and start sending.
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}",
                serde_json::json!({ "addr": addr.to_string(), "url": format!("http://{addr}/predict") })
            )?;
            out.flush()?;
        }
        shutdown_signal().await;
        if !ctx.global.quiet {
            eprintln!("advisor serve: stopping; finishing requests in flight");
        }
        handle.shutdown().await
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Runs `advisor validate`.
pub fn validate(_ctx: &Ctx, _args: ValidateArgs) -> anyhow::Result<()> {
    anyhow::bail!("validate: not built yet")
}

/// Runs `advisor export`.
pub fn export(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<()> {
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
    write_new(&args.output, script.as_bytes(), args.force)?;
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
    println!(
        "wrote {} ({} requests over {} s, peak {} req/s)",
        args.output.display(),
        requests,
        counts.len(),
        counts.iter().max().copied().unwrap_or(0)
    );
    Ok(())
}

/// Writes a new file, refusing to overwrite one unless `force`.
fn write_new(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    let mut f = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => bad_input(format!(
            "{}: file exists; pass --force to overwrite it",
            path.display()
        )),
        _ => bad_input(format!("{}: cannot create the file: {e}", path.display())),
    })?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))
}
