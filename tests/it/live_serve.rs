//! `advisor serve` on loopback: the HTTP contract, checked with fake backends
//! and with the tiny CNN on ONNX Runtime.

use crate::live_support;

use advisor::live::serve::{start, Engine, ServeOptions};
use advisor::live::tensor::TensorData;
use live_support::*;
use serde_json::{json, Value};
use std::sync::Arc;

fn opts(engine: Engine) -> ServeOptions {
    let mut o = ServeOptions::new(engine);
    o.addr = "127.0.0.1:0".parse().unwrap();
    o
}

fn doubler() -> Engine {
    Engine::Custom(Arc::new(DoublerFactory(fake_signature())))
}

async fn post_json(url: impl AsRef<str>, body: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = reqwest::Client::new()
        .post(url.as_ref())
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let v: Value = r.json().await.expect("every answer is JSON");
    (status, headers, v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_request_is_answered_with_outputs_and_timings() {
    let h = start(opts(doubler())).await.unwrap();
    let url = format!("http://{}/predict", h.addr);
    let (status, headers, v) = post_json(
        &url,
        r#"{"inputs":{"x":{"dtype":"float32","shape":[2,2],"data":[1,2,3,4.5]}}}"#,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["outputs"]["y"],
        json!({"dtype":"float32","shape":[2,2],"elements":4,"data":[2.0,4.0,6.0,9.0]})
    );
    for name in ["x-queue-ms", "x-inference-ms"] {
        let ms: f64 = headers[name].to_str().unwrap().parse().unwrap();
        assert!(ms >= 0.0, "{name}: {ms}");
    }
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_body_and_empty_object_use_synthetic_inputs() {
    let h = start(opts(doubler())).await.unwrap();
    let url = format!("http://{}/predict", h.addr);
    for body in ["", "{}", "  \n"] {
        let (status, _, v) = post_json(&url, body).await;
        assert_eq!(status, 200, "{body:?}: {v}");
        // Synthetic: free dims 1, floats 0.5, doubled by the backend.
        assert_eq!(v["outputs"]["y"]["shape"], json!([1, 2]));
        assert_eq!(v["outputs"]["y"]["data"], json!([1.0, 1.0]));
    }
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_tensor_bytes_are_accepted() {
    let h = start(opts(doubler())).await.unwrap();
    let url = format!("http://{}/predict", h.addr);
    let body = TensorData::F32(vec![1.0, -1.0, 0.25, 8.0]).to_le_bytes();
    let r = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/octet-stream")
        .header("x-input-name", "x")
        .header("x-dtype", "float32")
        .header("x-shape", "2,2")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["outputs"]["y"]["data"], json!([2.0, -2.0, 0.5, 16.0]));

    // The wrong shape for the bytes sent.
    let r = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/octet-stream")
        .header("x-dtype", "float32")
        .header("x-shape", "3,2")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"].as_str().unwrap().contains("16 bytes"),
        "{}",
        v["error"]
    );
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payloads_that_do_not_fit_the_model_get_400_with_a_reason() {
    let h = start(opts(doubler())).await.unwrap();
    let url = format!("http://{}/predict", h.addr);
    let cases = [
        (
            r#"{"inputs":{"image":{"dtype":"float32","shape":[1,2],"data":[1,2]}}}"#,
            "unknown input 'image'; the model takes: x: float32[batch,2]",
        ),
        (
            r#"{"inputs":{"x":{"dtype":"int64","shape":[1,2],"data":[1,2]}}}"#,
            "input 'x' has dtype int64; the model expects float32",
        ),
        (
            r#"{"inputs":{"x":{"dtype":"float32","shape":[1,3],"data":[1,2,3]}}}"#,
            "input 'x' has shape [1, 3]; the model expects x: float32[batch,2]",
        ),
        (
            r#"{"inputs":{"x":{"dtype":"float32","shape":[1,2],"data":[1]}}}"#,
            "input 'x' has 1 elements in data; shape [1, 2] needs 2",
        ),
        ("{bad json", "malformed JSON body"),
        (r#"{"input": {}}"#, "malformed JSON body"),
    ];
    for (body, expected) in cases {
        let (status, _, v) = post_json(&url, body).await;
        assert_eq!(status, 400, "{body}");
        let msg = v["error"].as_str().expect("error is a string");
        assert!(msg.contains(expected), "{body}: {msg}");
    }
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_gets_413() {
    let mut o = opts(doubler());
    o.max_body_bytes = 1024;
    let h = start(o).await.unwrap();
    let url = format!("http://{}/predict", h.addr);
    let r = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .body(vec![b' '; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"].is_string(), "{v}");
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503() {
    let (factory, started, go) = GatedFactory::new();
    let mut o = opts(Engine::Custom(factory));
    o.workers = 1;
    o.queue = 1;
    let h = start(o).await.unwrap();
    let url = format!("http://{}/predict", h.addr);
    let first = tokio::spawn(post_json_owned(url.clone()));
    // The worker holds the first request; the second waits in the queue.
    tokio::task::spawn_blocking(move || started.recv().unwrap())
        .await
        .unwrap();
    // Of two more, one takes the queue's only place and the other is refused.
    let second = tokio::spawn(post_json(url.clone(), "{}"));
    let third = tokio::spawn(post_json(url.clone(), "{}"));
    let refused = loop {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        if second.is_finished() {
            break second.await.unwrap();
        }
        if third.is_finished() {
            break third.await.unwrap();
        }
    };
    assert_eq!(refused.0, 503, "{}", refused.2);
    let msg = refused.2["error"].as_str().unwrap();
    assert!(msg.contains("queue full"), "{msg}");
    go.send(()).unwrap();
    go.send(()).unwrap();
    assert_eq!(first.await.unwrap(), 200);
    h.shutdown().await.unwrap();
}

async fn post_json_owned(url: String) -> u16 {
    post_json(&url, "{}").await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_requests_in_flight() {
    let (factory, started, go) = GatedFactory::new();
    let h = start(opts(Engine::Custom(factory))).await.unwrap();
    let addr = h.addr;
    let url = format!("http://{addr}/predict");
    let in_flight = tokio::spawn(post_json_owned(url.clone()));
    tokio::task::spawn_blocking(move || started.recv().unwrap())
        .await
        .unwrap();
    let stopping = tokio::spawn(h.shutdown());
    // Let the inference finish only after the shutdown has begun.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    go.send(()).unwrap();
    assert_eq!(in_flight.await.unwrap(), 200);
    stopping.await.unwrap().unwrap();
    // Nothing listens any more.
    assert!(reqwest::get(format!("http://{addr}/healthz"))
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_says_what_is_served() {
    let h = start(opts(doubler())).await.unwrap();
    let v: Value = reqwest::get(format!("http://{}/healthz", h.addr))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["serving"], "doubler");
    assert_eq!(v["inputs"], json!(["x: float32[batch,2]"]));
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_engine_answers_without_a_model() {
    let h = start(opts(Engine::Echo)).await.unwrap();
    let (status, headers, v) = post_json(&format!("http://{}/predict", h.addr), "{}").await;
    assert_eq!(status, 200);
    assert_eq!(v, json!({"outputs": {}}));
    assert_eq!(headers["x-inference-ms"], "0.000");
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiny_cnn_runs_on_onnx_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = tiny_cnn(dir.path()) else {
        return;
    };
    let mut o = opts(Engine::Onnx {
        model,
        threads: 1,
        device: advisor::runtime::Device::Cpu,
        ort_lib: None,
    });
    o.workers = 2;
    let h = start(o).await.unwrap();
    let url = format!("http://{}/predict", h.addr);
    let (status, _, v) = post_json(&url, "{}").await;
    assert_eq!(status, 200, "{v}");
    let (name, out) = v["outputs"].as_object().unwrap().iter().next().unwrap();
    assert!(!name.is_empty());
    assert_eq!(out["dtype"], "float32");
    assert_eq!(out["shape"], json!([1, 10]));
    assert_eq!(out["data"].as_array().unwrap().len(), 10);

    // A batch of two explicit images gives two rows.
    let body = json!({"inputs": {"input": {"dtype": "float32", "shape": [2, 1, 28, 28],
        "data": vec![0.1f32; 2 * 28 * 28]}}});
    let (status, _, v) = post_json(&url, &body.to_string()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["outputs"][name]["shape"], json!([2, 10]));

    // The wrong image size names the input and the model's shape.
    let body = json!({"inputs": {"input": {"dtype": "float32", "shape": [1, 1, 27, 28],
        "data": vec![0.1f32; 27 * 28]}}});
    let (status, _, v) = post_json(&url, &body.to_string()).await;
    assert_eq!(status, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("the model expects input: float32["),
        "{v}"
    );
    h.shutdown().await.unwrap();
}
