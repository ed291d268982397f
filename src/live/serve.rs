//! `advisor serve`: an HTTP inference server in front of a pool of backends.
//!
//! # The HTTP interface
//!
//! `POST /predict` takes the inputs in one of two forms:
//!
//! - JSON (any content type but `application/octet-stream`):
//!   `{"inputs": {"input": {"dtype": "float32", "shape": [1, 3, 224, 224], "data": [...]}}}`
//!   with every input the model declares, `data` flat and row-major. An
//!   empty body or `{}` (no `inputs`) means "use synthetic inputs": free
//!   dimensions 1, floats 0.5, integers 0. That is what load tests send.
//! - Raw (`Content-Type: application/octet-stream`): the bytes of one input,
//!   little-endian, row-major, with `X-Dtype: float32`, `X-Shape: 1,3,224,224`
//!   and, for a model with more than one input, `X-Input-Name`.
//!
//! It answers `200` with `{"outputs": {"name": {"dtype", "shape", "elements",
//! "data"}}}` (a `summary` with min, max, mean and argmax replaces `data` for
//! outputs larger than [`ServeOptions::max_output_elements`]) and the headers
//! `X-Queue-Ms` (time waiting for a worker) and `X-Inference-Ms` (time the
//! backend ran). Errors are `{"error": "..."}` with `400` (malformed JSON, or
//! inputs that do not match the model: the message names the input and what
//! the model expects), `413` (body over the limit), `503` (every worker busy
//! and the queue full) or `500` (inference failed).
//!
//! `GET /healthz` answers `{"status": "ok", "serving": ..., "workers": N,
//! "queue": Q}`.
//!
//! `POST /predict` also takes the other protocols' JSON bodies, told by
//! content ([`super::protocol`]): an Open Inference Protocol body
//! (`inputs` a list) is answered in that protocol, `{"instances": [...]}`
//! with `{"predictions": [...]}`.
//!
//! # The platforms' container contracts
//!
//! - SageMaker bring-your-own-container: `GET /ping` (200 when ready) and
//!   `POST /invocations` (the same bodies as `/predict`).
//! - Open Inference Protocol (KServe v2, Triton): `GET /v2/health/live`,
//!   `GET /v2/health/ready`, `GET /v2` (server metadata),
//!   `GET /v2/models/NAME` (model metadata), `GET /v2/models/NAME/ready`
//!   and `POST /v2/models/NAME/infer`; NAME is the model file's stem and
//!   any other name is a 404.
//! - Cloud Run: the command line listens on `0.0.0.0:$PORT` when `$PORT` is
//!   set and no address is given.

use super::backend::BackendFactory;
use super::onnx::OnnxFactory;
use super::pool::{Pool, QueueFull};
use super::protocol::{self, Protocol};
use super::signature::{PayloadError, Signature};
use super::tensor::PredictRequest;
use crate::runtime::Device;
use anyhow::Context;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What the server runs.
#[derive(Clone)]
pub enum Engine {
    /// An ONNX model on ONNX Runtime, one session per worker.
    Onnx {
        /// The model file.
        model: PathBuf,
        /// Intra-op threads per session.
        threads: usize,
        /// CPU or CUDA.
        device: Device,
        /// The ONNX Runtime library, when not found the usual way.
        ort_lib: Option<PathBuf>,
    },
    /// Answers `200 {}` at once without running anything: a trivial endpoint
    /// for measuring the load generator itself.
    Echo,
    /// Any other backend (tests plug in fakes here).
    Custom(Arc<dyn BackendFactory>),
}

/// How to run the server.
#[derive(Clone)]
pub struct ServeOptions {
    /// Address to listen on; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Worker threads, each with its own backend.
    pub workers: usize,
    /// Requests that may wait for a worker before the server answers 503.
    pub queue: usize,
    /// Largest request body accepted, bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Outputs with more elements than this are summarised, not sent.
    pub max_output_elements: usize,
    /// What to run.
    pub engine: Engine,
    /// The model's name in `/v2/models/NAME`; `None`: the model file's stem
    /// (`model` for other engines).
    pub model_name: Option<String>,
}

impl ServeOptions {
    /// Defaults for `engine`: loopback port 8080, one worker, a queue of 128,
    /// 16 MiB bodies, outputs up to 1000 elements sent in full.
    pub fn new(engine: Engine) -> Self {
        ServeOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: 1,
            queue: 128,
            max_body_bytes: 16 << 20,
            max_output_elements: 1000,
            engine,
            model_name: None,
        }
    }
}

/// A running server.
pub struct ServerHandle {
    /// The address it listens on (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// What it serves, in one line.
    pub serving: String,
    stop: Option<oneshot::Sender<()>>,
    serving_loop: JoinHandle<std::io::Result<()>>,
    state: Arc<AppState>,
}

impl ServerHandle {
    /// Stops accepting connections, lets in-flight requests finish, then
    /// stops the workers.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let served = (&mut self.serving_loop).await;
        let state = Arc::clone(&self.state);
        tokio::task::spawn_blocking(move || {
            if let Some(pool) = &state.pool {
                pool.shutdown();
            }
        })
        .await?;
        served??;
        Ok(())
    }
}

struct AppState {
    pool: Option<Pool>,
    signature: Signature,
    serving: String,
    model_name: String,
    workers: usize,
    queue: usize,
    max_output_elements: usize,
}

/// Starts the server in the current tokio runtime: opens the backends (one
/// per worker), binds the address, and returns once it accepts connections.
pub async fn start(opts: ServeOptions) -> anyhow::Result<ServerHandle> {
    if opts.workers == 0 {
        crate::bail_input!("--workers must be at least 1");
    }
    let factory: Option<Arc<dyn BackendFactory>> = match &opts.engine {
        Engine::Echo => None,
        Engine::Custom(f) => Some(Arc::clone(f)),
        Engine::Onnx {
            model,
            threads,
            device,
            ort_lib,
        } => {
            let (model, threads, device, ort_lib) =
                (model.clone(), *threads, *device, ort_lib.clone());
            let f = tokio::task::spawn_blocking(move || {
                OnnxFactory::new(&model, threads, device, ort_lib.as_deref())
            })
            .await??;
            Some(Arc::new(f))
        }
    };
    let (pool, signature, serving) = match factory {
        None => (None, Signature::default(), "echo (no model)".to_string()),
        Some(f) => {
            let workers = opts.workers;
            let f2 = Arc::clone(&f);
            let pool = tokio::task::spawn_blocking(move || -> anyhow::Result<Pool> {
                let backends = (0..workers)
                    .map(|i| f2.create(i))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                Ok(Pool::start(backends, opts.queue)?)
            })
            .await??;
            (Some(pool), f.signature().clone(), f.describe())
        }
    };
    let state = Arc::new(AppState {
        pool,
        signature,
        serving: serving.clone(),
        model_name: model_name(&opts),
        workers: opts.workers,
        queue: opts.queue,
        max_output_elements: opts.max_output_elements,
    });
    let app = router(Arc::clone(&state), opts.max_body_bytes);
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .with_context(|| format!("cannot listen on {}", opts.addr))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving_loop = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(ServerHandle {
        addr,
        serving,
        stop: Some(stop),
        serving_loop,
        state,
    })
}

/// The name the Open Inference Protocol routes serve the model under.
fn model_name(opts: &ServeOptions) -> String {
    if let Some(n) = &opts.model_name {
        return n.clone();
    }
    match &opts.engine {
        Engine::Onnx { model, .. } => model
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("model")
            .to_string(),
        Engine::Echo => "echo".to_string(),
        Engine::Custom(_) => "model".to_string(),
    }
}

fn router(state: Arc<AppState>, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/predict", post(predict))
        .route("/invocations", post(predict))
        .route("/healthz", get(healthz))
        .route("/ping", get(healthz))
        .route("/v2", get(oip_server))
        .route("/v2/health/live", get(|| async { StatusCode::OK }))
        .route("/v2/health/ready", get(|| async { StatusCode::OK }))
        .route("/v2/models/{name}", get(oip_model))
        .route("/v2/models/{name}/ready", get(oip_model_ready))
        .route("/v2/models/{name}/infer", post(oip_infer))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

async fn healthz(State(st): State<Arc<AppState>>) -> Response {
    Json(json!({
        "status": "ok",
        "serving": st.serving,
        "workers": st.workers,
        "queue": st.queue,
        "inputs": st.signature.inputs.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
    }))
    .into_response()
}

fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({ "error": msg.into() }))).into_response()
}

fn ms(d: Duration) -> HeaderValue {
    HeaderValue::from_str(&format!("{:.3}", d.as_secs_f64() * 1e3))
        .expect("a formatted number is a valid header value")
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, PayloadError> {
    headers
        .get(name)
        .map(|v| {
            v.to_str()
                .map_err(|_| PayloadError(format!("header {name} is not text")))
        })
        .transpose()
}

/// A request's tensors and how to answer it.
struct Decoded {
    inputs: Vec<super::tensor::Tensor>,
    answer: Answer,
}

/// The protocol an answer is written in.
enum Answer {
    Advisor,
    Oip(Option<String>),
    Predictions(usize),
}

fn decode(
    st: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    oip_only: bool,
) -> Result<Decoded, PayloadError> {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/octet-stream"));
    if raw && !oip_only {
        let inputs = st.signature.from_raw(
            header_str(headers, "x-input-name")?,
            header_str(headers, "x-dtype")?,
            header_str(headers, "x-shape")?,
            body,
        )?;
        return Ok(Decoded {
            inputs,
            answer: Answer::Advisor,
        });
    }
    let blank = body.iter().all(u8::is_ascii_whitespace);
    let protocol = if oip_only {
        Protocol::Oip
    } else if blank {
        Protocol::Advisor
    } else {
        protocol::detect_json(body)
    };
    let malformed = |e: serde_json::Error| PayloadError(format!("malformed JSON body: {e}"));
    let (req, answer) = match protocol {
        Protocol::Oip => {
            let r = serde_json::from_slice::<protocol::OipRequest>(body).map_err(|e| {
                PayloadError(format!(
                    "malformed Open Inference Protocol body: {e} (expected {{\"inputs\": [{{\"name\", \"shape\", \"datatype\", \"data\"}}]}})"
                ))
            })?;
            let id = r.id.clone();
            (r.into_predict()?, Answer::Oip(id))
        }
        Protocol::Instances => {
            let r =
                serde_json::from_slice::<protocol::InstancesRequest>(body).map_err(malformed)?;
            let names: Vec<(String, super::tensor::ElemType)> = st
                .signature
                .inputs
                .iter()
                .map(|i| (i.name.clone(), i.elem))
                .collect();
            let (n, req) = r.into_predict(&names)?;
            (req, Answer::Predictions(n))
        }
        Protocol::Advisor | Protocol::Raw => {
            let req = if blank {
                PredictRequest::default()
            } else {
                serde_json::from_slice::<PredictRequest>(body).map_err(malformed)?
            };
            (req, Answer::Advisor)
        }
    };
    Ok(Decoded {
        inputs: st.signature.from_json(req)?,
        answer,
    })
}

/// `POST /predict` and `POST /invocations`: any protocol, told by content.
async fn predict(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    infer(&st, &headers, body, false).await
}

/// `POST /v2/models/NAME/infer`: Open Inference Protocol only.
async fn oip_infer(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(r) = unknown_model(&st, &name) {
        return r;
    }
    infer(&st, &headers, body, true).await
}

/// The 404 for a model name this server does not serve.
fn unknown_model(st: &AppState, name: &str) -> Option<Response> {
    if name == st.model_name {
        None
    } else {
        Some(error(
            StatusCode::NOT_FOUND,
            format!(
                "unknown model '{name}'; this server serves '{}'",
                st.model_name
            ),
        ))
    }
}

/// `GET /v2/models/NAME`: the model's metadata.
async fn oip_model(State(st): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    if let Some(r) = unknown_model(&st, &name) {
        return r;
    }
    let inputs: Vec<serde_json::Value> = st
        .signature
        .inputs
        .iter()
        .map(|i| {
            json!({
                "name": i.name,
                "datatype": protocol::oip_datatype(i.elem),
                "shape": i.dims.iter().map(|d| match d {
                    super::signature::DimSpec::Fixed(n) => *n,
                    super::signature::DimSpec::Free(_) => -1,
                }).collect::<Vec<i64>>(),
            })
        })
        .collect();
    Json(json!({
        "name": st.model_name,
        "versions": ["1"],
        "platform": "onnxruntime_onnx",
        "inputs": inputs,
        // The server learns its outputs' shapes only by running the model.
        "outputs": [],
    }))
    .into_response()
}

/// `GET /v2/models/NAME/ready`.
async fn oip_model_ready(State(st): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    unknown_model(&st, &name).unwrap_or_else(|| StatusCode::OK.into_response())
}

/// `GET /v2`: the server's metadata.
async fn oip_server() -> Response {
    Json(json!({
        "name": "advisor",
        "version": env!("CARGO_PKG_VERSION"),
        "extensions": [],
    }))
    .into_response()
}

async fn infer(
    st: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    oip_only: bool,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(rejection) => return error(rejection.status(), rejection.body_text()),
    };
    let Some(pool) = &st.pool else {
        let mut r = Json(json!({ "outputs": {} })).into_response();
        r.headers_mut().insert("x-queue-ms", ms(Duration::ZERO));
        r.headers_mut().insert("x-inference-ms", ms(Duration::ZERO));
        return r;
    };
    let Decoded { inputs, answer } = match decode(st, headers, &body, oip_only) {
        Ok(t) => t,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.0),
    };
    drop(body);
    let rx = match pool.submit(inputs) {
        Ok(rx) => rx,
        Err(QueueFull) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "queue full: {} worker(s) busy and {} request(s) waiting",
                    st.workers, st.queue
                ),
            )
        }
    };
    let Ok(done) = rx.await else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "the worker stopped");
    };
    let outputs = match done.outputs {
        Ok(o) => o,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("inference failed: {e:#}"),
            )
        }
    };
    let value = match answer {
        Answer::Advisor => advisor_response(&outputs, st.max_output_elements),
        Answer::Oip(id) => protocol::oip_response(&st.model_name, id.as_deref(), &outputs),
        Answer::Predictions(n) => protocol::predictions_response(n, &outputs),
    };
    let mut r = Json(value).into_response();
    r.headers_mut().insert("x-queue-ms", ms(done.queue));
    r.headers_mut().insert("x-inference-ms", ms(done.inference));
    r
}

fn advisor_response(
    outputs: &[super::tensor::Tensor],
    max_output_elements: usize,
) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = outputs
        .iter()
        .map(|t| {
            let wire = t.to_wire(max_output_elements);
            (
                t.name.clone(),
                serde_json::to_value(wire).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect();
    json!({ "outputs": map })
}
