//! `advisor replay`, `serve`, `validate` and `export`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `advisor replay`.
///
/// Open loop: every request leaves at its trace time (divided by --speed)
/// whether or not earlier ones have returned, and latency counts from that
/// scheduled time. Each request is a POST of the same body: the file given
/// by --payload, synthetic inputs for --model, or `{}` (which `advisor serve`
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
    /// Send synthetic inputs for this model's inputs as a JSON body.
    #[arg(long, value_name = "MODEL.onnx")]
    pub model: Option<PathBuf>,
    /// Extra header on every request, as 'NAME: VALUE' (repeatable; e.g. X-Dtype, X-Shape for a raw payload).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// At most N requests in flight; later ones wait for a slot (the wait counts in their send lag and latency).
    #[arg(long, value_name = "N", default_value_t = crate::live::replay::DEFAULT_CONCURRENCY_LIMIT)]
    pub concurrency_limit: usize,
}

/// Arguments of `advisor serve`.
///
/// POST /predict takes JSON `{"inputs": {"NAME": {"dtype": "float32",
/// "shape": [1,3,224,224], "data": [...]}}}`, an empty body or `{}` for
/// synthetic inputs, or raw little-endian bytes of one input
/// (`Content-Type: application/octet-stream` with `X-Dtype`, `X-Shape: 1,3,224,224`
/// and, for several inputs, `X-Input-Name`). GET /healthz says what is served.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The ONNX model to serve.
    #[arg(required_unless_present = "echo")]
    pub model: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free one); a non-loopback address is reachable from other machines.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
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

/// `--device` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceArg {
    /// The CPU execution provider.
    Cpu,
    /// The CUDA execution provider.
    Cuda,
}

/// Arguments of `advisor validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The ONNX model.
    #[arg(long)]
    pub model: PathBuf,
    /// Trace CSV.
    #[arg(long)]
    pub trace: PathBuf,
}

/// Arguments of `advisor export`.
///
/// Writes a load script that follows the trace's request count per second,
/// for running the same load with Locust (distributed) or k6.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Trace CSV.
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,
    /// Script format.
    #[arg(long, value_enum)]
    pub format: crate::live::export::Format,
    /// Where to write the script.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Endpoint URL the script targets (Locust: its host and path; k6: the URL).
    #[arg(long)]
    pub url: Option<String>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}
