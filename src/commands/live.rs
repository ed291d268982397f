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
                return Err(crate::model::limits::not_a_model_file(model));
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
pub fn validate(ctx: &Ctx, a: ValidateArgs) -> anyhow::Result<()> {
    use crate::live::validate::{self, ValidateOptions};
    use crate::text::{pct, secs, Table};
    if a.threads == 0 || a.workers == Some(0) || a.queue == 0 {
        return Err(bad_input(
            "--workers, --threads and --queue: expected whole numbers >= 1",
        ));
    }
    if !(a.duration.is_finite() && a.duration > 0.0) {
        return Err(bad_input("--duration: expected seconds > 0"));
    }
    if !(a.timeout_s.is_finite() && a.timeout_s > 0.0) {
        return Err(bad_input("--timeout-s: expected seconds > 0"));
    }
    if a.load.iter().any(|l| !(l.is_finite() && *l > 0.0)) {
        return Err(bad_input(
            "--load: expected fractions of capacity > 0, e.g. 0.5,1.5",
        ));
    }
    for t in &a.trace {
        if !t.is_file() {
            return Err(bad_input(format!("--trace {}: no such file", t.display())));
        }
    }
    let cores = crate::profile::machine::cores() as usize;
    let workers = a.workers.unwrap_or(cores.saturating_sub(1).max(1));
    let loads = if a.load.is_empty() && a.trace.is_empty() {
        vec![0.5, 1.5]
    } else {
        a.load.clone()
    };
    let say = |m: &str| {
        if !ctx.global.quiet && !ctx.global.json {
            eprintln!("validate: {m}");
        }
    };
    let profile = match &a.profile {
        Some(p) => std::sync::Arc::new(crate::profile::Profile::load(p)?),
        None => {
            say(&format!(
                "profiling {} (batch 1, {} thread(s))",
                a.model.display(),
                a.threads
            ));
            let mut po = crate::profile::ProfileOptions::new(&a.model);
            po.threads = Some(vec![a.threads]);
            po.inputs.batches = Some(vec![1]);
            po.cold_trials = 0;
            po.optimization = false;
            po.ort_lib = ctx.global.ort_lib.clone();
            std::sync::Arc::new(crate::profile::profile(&po, &mut |_| {})?)
        }
    };
    let work_dir = validate::default_work_dir();
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating {}", work_dir.display()))?;
    let opts = ValidateOptions {
        model: a.model.clone(),
        profile,
        workers,
        threads: a.threads,
        queue: a.queue,
        loads,
        traces: a.trace.clone(),
        duration_s: a.duration,
        timeout_s: a.timeout_s,
        seed: a.seed,
        ort_lib: ctx.global.ort_lib.clone(),
        work_dir: work_dir.clone(),
    };
    let rt = tokio_runtime()?;
    let report = rt.block_on(validate::validate(&opts, say));
    let _ = std::fs::remove_dir_all(&work_dir);
    let report = report?;
    if ctx.global.json {
        return ctx.print_json(&report);
    }
    println!(
        "{} served by {} worker(s) x {} thread(s) on this machine; modelled service {} per request (the idle server measured {}), capacity {:.1} req/s; overhead besides inference {} (measured at idle)",
        report.model,
        report.workers,
        report.threads,
        secs(report.service_s),
        secs(report.idle_inference_s),
        report.capacity_rps,
        secs(report.rtt_s)
    );
    let mut t = Table::new(&[
        "load",
        "",
        ">avg",
        ">p95",
        ">p99",
        ">success",
        ">avg error",
        ">p95 error",
        ">success diff",
    ]);
    for c in &report.comparisons {
        for (what, o) in [("measured", &c.measured), ("modelled", &c.modelled)] {
            let modelled = what == "modelled";
            t.row(vec![
                if modelled {
                    String::new()
                } else {
                    c.load.clone()
                },
                what.to_string(),
                secs(o.avg_latency_s),
                secs(o.p95_latency_s),
                secs(o.p99_latency_s),
                pct(o.success_ratio),
                if modelled {
                    format!("{:+.0}%", c.avg_latency_error * 100.0)
                } else {
                    String::new()
                },
                if modelled {
                    format!("{:+.0}%", c.p95_latency_error * 100.0)
                } else {
                    String::new()
                },
                if modelled {
                    format!("{:+.1} pts", c.success_points)
                } else {
                    String::new()
                },
            ]);
        }
    }
    print!("{}", t.render());
    println!(
        "measured: replay against the local server; modelled: the simulator with the offer above"
    );
    Ok(())
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
    println!(
        "wrote {} ({} requests over {} s, peak {} req/s)",
        args.output.display(),
        requests,
        counts.len(),
        counts.iter().max().copied().unwrap_or(0)
    );
    Ok(())
}
