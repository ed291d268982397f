//! The serving protocols and the platforms' container contracts of
//! `advisor serve`: SageMaker's `/ping` and `/invocations`, the Open Inference
//! Protocol's `/v2/...` routes, `{"instances": [...]}`, and `$PORT`.

use crate::live_support;

use advisor::live::payload::Payload;
use advisor::live::protocol::Protocol;
use advisor::live::replay::{replay, ReplayOptions};
use advisor::live::serve::{start, Engine, ServeOptions};
use assert_cmd::cargo::cargo_bin_cmd;
use live_support::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

fn doubler_opts() -> ServeOptions {
    let mut o = ServeOptions::new(Engine::Custom(Arc::new(DoublerFactory(fake_signature()))));
    o.addr = "127.0.0.1:0".parse().unwrap();
    o
}

async fn post(url: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    (status, v)
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

const OIP: &str = r#"{"id": "r1", "inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4.5]}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oip_and_instances_bodies_are_answered_in_kind_on_every_inference_route() {
    let h = start(doubler_opts()).await.unwrap();
    let base = format!("http://{}", h.addr);
    let want = json!({"model_name": "model", "id": "r1", "outputs": [
        {"name": "y", "shape": [2, 2], "datatype": "FP32", "data": [2.0, 4.0, 6.0, 9.0]}]});
    for route in ["/v2/models/model/infer", "/invocations", "/predict"] {
        let (status, v) = post(&format!("{base}{route}"), OIP).await;
        assert_eq!((status, &v), (200, &want), "{route}");
    }
    // Nested data is the same tensor.
    let nested = OIP.replace("[1, 2, 3, 4.5]", "[[1, 2], [3, 4.5]]");
    let (_, v) = post(&format!("{base}/invocations"), &nested).await;
    assert_eq!(v, want);

    let (status, v) = post(
        &format!("{base}/invocations"),
        r#"{"instances": [[1, 2], [3, 4.5]]}"#,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, json!({"predictions": [[2.0, 4.0], [6.0, 9.0]]}));

    let (status, v) = post(
        &format!("{base}/invocations"),
        r#"{"inputs":{"x":{"dtype":"float32","shape":[2,2],"data":[1,2,3,4.5]}}}"#,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["outputs"]["y"]["data"], json!([2.0, 4.0, 6.0, 9.0]));
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metadata_routes_follow_the_contracts() {
    let h = start(doubler_opts()).await.unwrap();
    let base = format!("http://{}", h.addr);
    let (status, body) = get(&format!("{base}/ping")).await;
    assert_eq!(status, 200, "{body}");
    for route in [
        "/v2/health/ready",
        "/v2/health/live",
        "/v2/models/model/ready",
    ] {
        let (status, body) = get(&format!("{base}{route}")).await;
        assert_eq!((status, body.as_str()), (200, ""), "{route}");
    }
    let (status, body) = get(&format!("{base}/v2/models/model")).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["name"], "model");
    assert_eq!(
        v["inputs"],
        json!([{"name": "x", "datatype": "FP32", "shape": [-1, 2]}])
    );
    let (status, body) = get(&format!("{base}/v2")).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["name"],
        "advisor"
    );

    let (status, v) = post(&format!("{base}/v2/models/other/infer"), OIP).await;
    assert_eq!(status, 404);
    assert!(v["error"].as_str().unwrap().contains("'other'"), "{v}");
    h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_do_not_fit_get_400_naming_what_is_wrong() {
    let h = start(doubler_opts()).await.unwrap();
    let base = format!("http://{}", h.addr);
    let cases = [
        (
            "/v2/models/model/infer",
            r#"{"inputs": {"x": {}}}"#,
            "Open Inference Protocol",
        ),
        ("/invocations", &OIP.replace("FP32", "FP16"), "FP16"),
        (
            "/invocations",
            &OIP.replace("[2, 2]", "[2, 3]"),
            "the model expects",
        ),
        (
            "/invocations",
            r#"{"instances": [[1, 2], [3]]}"#,
            "instances[0] has",
        ),
        ("/invocations", r#"{"instances": []}"#, "at least one"),
    ];
    for (route, body, says) in cases {
        let (status, v) = post(&format!("{base}{route}"), body).await;
        assert_eq!(status, 400, "{body}: {v}");
        let e = v["error"].as_str().unwrap();
        assert!(e.contains(says), "{body}: {e}");
    }
    h.shutdown().await.unwrap();
}

/// A loopback port free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn serve_on_port_answers_the_container_contracts_as_predict_does() {
    if let Err(e) = advisor::runtime::locate(None) {
        eprintln!("skipped: no ONNX Runtime ({e}); scripts/setup installs one");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tiny-cnn.onnx");
    cargo_bin_cmd!("advisor")
        .args(["models", "build", "tiny-cnn", "-o"])
        .arg(&model)
        .assert()
        .success();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_advisor"))
        .arg("serve")
        .arg(&model)
        .arg("--json")
        .env("PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let printed: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(printed["addr"], format!("0.0.0.0:{port}"));

    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        assert_eq!(get(&format!("{base}/ping")).await.0, 200);
        assert_eq!(get(&format!("{base}/v2/health/ready")).await, (200, String::new()));
        let image: Vec<f32> = (0..28 * 28).map(|i| (i % 17) as f32 / 17.0).collect();
        let advisor_body = json!({"inputs": {"input": {"dtype": "float32", "shape": [1, 1, 28, 28], "data": image}}});
        let (status, want) = post(&format!("{base}/predict"), &advisor_body.to_string()).await;
        assert_eq!(status, 200, "{want}");
        let (name, want) = want["outputs"].as_object().unwrap().iter().next().unwrap();
        let oip = json!({"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32", "data": image}]})
            .to_string();
        for route in ["/v2/models/tiny-cnn/infer", "/invocations"] {
            let (status, v) = post(&format!("{base}{route}"), &oip).await;
            assert_eq!(status, 200, "{route}: {v}");
            assert_eq!(v["model_name"], "tiny-cnn");
            let out = &v["outputs"][0];
            assert_eq!(out["name"], name.as_str());
            assert_eq!(out["datatype"], "FP32");
            assert_eq!(out["shape"], want["shape"]);
            assert_eq!(out["data"], want["data"], "{route}");
        }
    });
    let trace = even(20, 100.0);
    let out = cargo_bin_cmd!("advisor")
        .args(["replay", "--json", "--protocol", "oip", "--model"])
        .arg(&model)
        .arg("--trace")
        .arg(trace.path())
        .args(["--url", &format!("{base}/v2/models/tiny-cnn/infer")])
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["requests"].as_u64(), v["succeeded"].as_u64()),
        (Some(20), Some(20)),
        "{v}"
    );
}

fn replay_opts(trace: &tempfile::NamedTempFile, url: String) -> ReplayOptions {
    let mut o = ReplayOptions::new(trace.path(), url);
    o.timeout = std::time::Duration::from_secs(10);
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_sends_every_protocol_and_the_answers_pass_the_shape_check() {
    let h = start(doubler_opts()).await.unwrap();
    let trace = even(20, 200.0);
    for p in [
        Protocol::Advisor,
        Protocol::Oip,
        Protocol::Instances,
        Protocol::Raw,
    ] {
        let mut o = replay_opts(&trace, format!("http://{}/invocations", h.addr));
        o.payload = Payload::synthetic_as(&fake_signature(), p).unwrap();
        o.check_answers = Some(p);
        let r = replay(o, None).await.unwrap();
        assert_eq!(
            r.outcome.succeeded, 20,
            "{p:?}: {:?} {:?}",
            r.outcome.failures, r.bad_answer_example
        );
    }
    h.shutdown().await.unwrap();
}

/// Answers every request 200 with `body`, recording the bodies received.
async fn recording_server(body: &'static str) -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = Arc::clone(&seen);
    let app = axum::Router::new().fallback(move |b: String| {
        let seen = Arc::clone(&s2);
        async move {
            seen.lock().unwrap().push(b);
            ([("content-type", "application/json")], body)
        }
    });
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrongly_shaped_answer_is_a_failure_with_its_reason() {
    let (addr, _) = recording_server(
        r#"{"outputs": [{"name": "y", "shape": [1, 3], "datatype": "FP32", "data": [1]}]}"#,
    )
    .await;
    let trace = even(5, 100.0);
    let mut o = replay_opts(&trace, format!("http://{addr}/infer"));
    o.payload = Payload::synthetic_as(&fake_signature(), Protocol::Oip).unwrap();
    o.check_answers = Some(Protocol::Oip);
    let r = replay(o, None).await.unwrap();
    assert_eq!(r.outcome.succeeded, 0);
    assert_eq!(r.outcome.failures.bad_answer, 5);
    let why = r.bad_answer_example.unwrap();
    assert!(
        why.contains("output 'y'") && why.contains("needs 3"),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payload_folder_is_sent_round_robin_by_weight() {
    let (addr, seen) = recording_server("{}").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), r#"{"instances": [[1, 2]]}"#).unwrap();
    std::fs::write(dir.path().join("b.w2.json"), OIP).unwrap();
    std::fs::write(dir.path().join(".hidden"), "x").unwrap();
    let trace = even(9, 100.0);
    let mut o = replay_opts(&trace, format!("http://{addr}/"));
    o.payloads = Payload::from_dir(dir.path()).unwrap();
    let r = replay(o, None).await.unwrap();
    assert_eq!(r.outcome.succeeded, 9);
    let seen = seen.lock().unwrap();
    let a = seen.iter().filter(|b| b.contains("instances")).count();
    let b = seen.iter().filter(|b| b.as_str() == OIP).count();
    // b.w2.json weighs 2: twice a's share.
    assert_eq!((a, b, seen.len()), (3, 6, 9), "{seen:?}");
    let empty = tempfile::tempdir().unwrap();
    let e = Payload::from_dir(empty.path()).unwrap_err().to_string();
    assert!(e.contains("at least one request file"), "{e}");
}
