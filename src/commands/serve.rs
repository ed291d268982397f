//! `advisor serve`: the local inference server.

use super::args::DeviceArg;
use super::Ctx;
use crate::error::bad_input;
use crate::live::serve::{self, Engine, ServeOptions};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `advisor serve`.
///
/// POST /predict takes JSON `{"inputs": {"NAME": {"dtype": "float32",
/// "shape": [1,3,224,224], "data": [...]}}}`, an empty body or `{}` for
/// synthetic inputs, or raw little-endian bytes of one input
/// (`Content-Type: application/octet-stream` with `X-Dtype`, `X-Shape: 1,3,224,224`
/// and, for several inputs, `X-Input-Name`); Open Inference Protocol and
/// `{"instances": [...]}` bodies are answered in kind. GET /healthz says what
/// is served. The platforms' container contracts: GET /ping and POST
/// /invocations (SageMaker), GET /v2/health/ready, GET /v2/models/NAME and POST
/// /v2/models/NAME/infer (Open Inference Protocol, NAME the model file's stem).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The ONNX model to serve.
    #[arg(required_unless_present = "echo")]
    pub model: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free one); a non-loopback address is reachable from other machines.
    /// Default: 0.0.0.0:$PORT when the PORT environment variable is set (as Cloud Run sets it; this exposes the
    /// server beyond loopback), else 127.0.0.1:8080.
    #[arg(long)]
    pub addr: Option<std::net::SocketAddr>,
    /// Worker threads, each with its own ONNX Runtime session.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub workers: usize,
    /// Intra-op threads per session.
    #[arg(long, default_value_t = 1, value_name = "T")]
    pub threads: usize,
    /// Requests that may wait for a worker; beyond that the server answers 503.
    #[arg(long, default_value_t = 128, value_name = "Q")]
    pub queue: usize,
    /// Largest request body, MB (413 beyond).
    #[arg(long, default_value_t = 16.0, value_name = "M")]
    pub max_body_mb: f64,
    /// Run the model on the CPU or with CUDA.
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Answer every request at once without a model (for measuring load generators).
    #[arg(long, hide = true)]
    pub echo: bool,
}

/// Runs `advisor serve`.
pub fn run(ctx: &Ctx, args: ServeArgs) -> anyhow::Result<()> {
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
                device: args.device.into(),
                ort_lib: ctx.global.ort_lib.clone(),
            }
        }
        (None, false) => return Err(bad_input("serve: give a MODEL.onnx to serve")),
    };
    let addr = listen_addr(args.addr, std::env::var("PORT").ok().as_deref())?;
    let mut opts = ServeOptions::new(engine);
    opts.addr = addr;
    opts.workers = args.workers;
    opts.queue = args.queue;
    opts.max_body_bytes = (args.max_body_mb * 1024.0 * 1024.0) as usize;
    if !addr.ip().is_loopback() {
        // Printed even with --quiet: exposing the model is worth a line.
        eprintln!(
            "warning: listening on {}, which other machines can reach; anyone who can reach it can run the model",
            addr
        );
    }
    let rt = super::tokio_runtime()?;
    rt.block_on(async {
        // Listening for the signals starts before the address is announced:
        // a client that reads it and at once sends Ctrl-C must not find the
        // process without a handler (where SIGINT is ignored, as in a
        // shell's background job, the signal would be lost).
        let stop = shutdown_signal()?;
        let handle = serve::start(opts).await?;
        let addr = handle.addr;
        if !ctx.global.quiet {
            eprintln!(
                "advisor serve: listening on http://{addr} ({}); POST /predict, /invocations, /v2/models/NAME/infer, GET /healthz, /ping, /v2/health/ready; Ctrl-C stops",
                handle.serving
            );
        }
        if ctx.global.json {
            // One line, printed once the socket accepts connections, so a
            // script can read it and start sending.
            let url = format!("http://{addr}/predict");
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}",
                serde_json::json!({ "addr": addr.to_string(), "url": url })
            )?;
            out.flush()?;
        }
        stop.await;
        if !ctx.global.quiet {
            eprintln!("advisor serve: stopping; finishing requests in flight");
        }
        handle.shutdown().await
    })
}

/// `--addr` when given, else every interface on `$PORT` (the Cloud Run
/// contract), else loopback port 8080.
fn listen_addr(
    addr: Option<std::net::SocketAddr>,
    port: Option<&str>,
) -> anyhow::Result<std::net::SocketAddr> {
    if let Some(a) = addr {
        return Ok(a);
    }
    match port {
        None => Ok(std::net::SocketAddr::from(([127, 0, 0, 1], 8080))),
        Some(p) => {
            let port: u16 = p.trim().parse().map_err(|_| {
                bad_input(format!(
                    "environment variable PORT='{p}': expected a port number 0-65535"
                ))
            })?;
            Ok(std::net::SocketAddr::from(([0, 0, 0, 0], port)))
        }
    }
}

/// A future that resolves on Ctrl-C or SIGTERM, with both handlers
/// registered when it is made, not when it is first polled.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

/// A future that resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_from_the_environment_applies_only_without_addr() {
        let given = "127.0.0.1:9".parse().unwrap();
        assert_eq!(listen_addr(Some(given), Some("5")).unwrap(), given);
        assert_eq!(
            listen_addr(None, Some("8081")).unwrap(),
            "0.0.0.0:8081".parse().unwrap()
        );
        assert_eq!(
            listen_addr(None, None).unwrap(),
            "127.0.0.1:8080".parse().unwrap()
        );
        let e = listen_addr(None, Some("http")).unwrap_err().to_string();
        assert!(e.contains("PORT='http'"), "{e}");
    }
}
