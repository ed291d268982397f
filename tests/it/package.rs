//! `advisor package`: the function handler run locally with Python and ONNX
//! Runtime on a function URL event, the container's command run as
//! `advisor serve`, and the folder rules.

use crate::common::advisor;
use crate::live_support::{tiny_cnn, Server};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Python that imports onnxruntime (advisor's cached package first on
/// `PYTHONPATH`) and numpy, with that `PYTHONPATH`; `None` after saying why.
fn python_with_onnxruntime() -> Option<(PathBuf, String)> {
    let lib = advisor::runtime::locate(None).ok()?.path;
    // SITE/onnxruntime/capi/libonnxruntime.so*: SITE goes on PYTHONPATH.
    let site = lib.parent()?.parent()?.parent()?.to_path_buf();
    let cache_venv = advisor::runtime::cache_dir()
        .join("venv")
        .join("bin")
        .join("python");
    let candidates = [
        std::env::var("ADVISOR_PYTHON").ok().map(PathBuf::from),
        Some(cache_venv),
        Some(PathBuf::from("python3")),
    ];
    for py in candidates.into_iter().flatten() {
        let ok = Command::new(&py)
            .args(["-c", "import onnxruntime, numpy"])
            .env("PYTHONPATH", &site)
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some((py, site.display().to_string()));
        }
    }
    eprintln!("skipped: no Python with onnxruntime and numpy; scripts/setup installs numpy into advisor's venv");
    None
}

/// A deterministic Open Inference Protocol body for the tiny CNN.
fn oip_body(seed: usize, batch: usize) -> Value {
    let n = batch * 28 * 28;
    let data: Vec<f64> = (0..n)
        .map(|i| ((i * 7 + seed * 13) % 17) as f64 / 17.0 - 0.4)
        .collect();
    json!({"id": format!("r{seed}"), "inputs": [{"name": "input", "shape": [batch, 1, 28, 28], "datatype": "FP32", "data": data}]})
}

/// Runs the handler on function URL events (body base64-encoded, as a
/// function URL sends binary-safe bodies) and returns each answer.
fn run_handler(
    py: &Path,
    site: &str,
    pkg: &Path,
    bodies: &[Value],
    env: &[(&str, &str)],
) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let bodies_file = dir.path().join("bodies.json");
    std::fs::write(&bodies_file, serde_json::to_vec(bodies).unwrap()).unwrap();
    let script = r#"
import base64, json, sys
sys.path.insert(0, sys.argv[1])
import handler
out = []
for body in json.load(open(sys.argv[2])):
    event = {"version": "2.0", "routeKey": "$default", "rawPath": "/", "headers": {"Content-Type": "application/json"},
             "requestContext": {"http": {"method": "POST", "path": "/"}},
             "body": base64.b64encode(json.dumps(body).encode()).decode(), "isBase64Encoded": True}
    out.append(handler.handler(event, None))
print(json.dumps(out))
"#;
    let mut cmd = Command::new(py);
    cmd.args(["-c", script])
        .arg(pkg)
        .arg(&bodies_file)
        .env("PYTHONPATH", site);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "handler failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    answers
        .into_iter()
        .map(|a| {
            assert_eq!(a["statusCode"], 200, "{a}");
            assert_eq!(a["isBase64Encoded"], false);
            serde_json::from_str(a["body"].as_str().unwrap()).unwrap()
        })
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn assert_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{x} vs {y}");
    }
}

/// The advice for the tiny workload on one offer, as `recommend --json` writes it.
fn advice_for(dir: &Path, offer: &str) -> PathBuf {
    let out = advisor()
        .args([
            "recommend",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
            "traces/workload-40.csv",
        ])
        .args(["--offer", offer, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("advice.json");
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lambda_handler_answers_what_onnx_runtime_computes() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = tiny_cnn(dir.path()) else {
        return;
    };
    let Some((py, site)) = python_with_onnxruntime() else {
        return;
    };
    let advice = advice_for(dir.path(), "aws-lambda-arm64");
    let pkg = dir.path().join("pkg");
    let out = advisor()
        .args([
            "package",
            "--offer",
            "aws-lambda-arm64",
            "--profile",
            "profiles/mobilenetv2.toml",
        ])
        .arg("--model")
        .arg(&model)
        .arg("--from-advice")
        .arg(&advice)
        .arg("-o")
        .arg(&pkg)
        .args(["--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a: Value = serde_json::from_str(&std::fs::read_to_string(&advice).unwrap()).unwrap();
    let best = &a["best"];
    // The template carries the advice's memory and the offer's architecture.
    let template = std::fs::read_to_string(pkg.join("template.yaml")).unwrap();
    let memory = best["variant"]["memory_mb"]
        .as_f64()
        .unwrap_or(2048.0)
        .round();
    assert!(
        template.contains(&format!("MemorySize: {memory}")),
        "{template}"
    );
    assert!(template.contains("Architectures: [arm64]"), "{template}");
    assert_eq!(written["settings"]["memory_mb"], memory as u64);
    let reqs = std::fs::read_to_string(pkg.join("requirements.txt")).unwrap();
    assert!(
        reqs.contains("onnxruntime==1.31.1") && reqs.contains("numpy==2.4.6"),
        "{reqs}"
    );
    let readme = std::fs::read_to_string(pkg.join("README.md")).unwrap();
    assert!(readme.contains("250 MB limit"), "{readme}");
    let notes = written["notes"].to_string();
    assert!(notes.contains("optimised offline"), "{notes}");

    // One OIP body through a function URL event, against advisor serve.
    let body = oip_body(1, 1);
    let answers = run_handler(&py, &site, &pkg, std::slice::from_ref(&body), &[]);
    let got = &answers[0];
    assert_eq!(got["model_name"], "tiny-cnn");
    assert_eq!(got["id"], "r1");
    assert_eq!(got["outputs"][0]["shape"], json!([1, 10]));
    let server = Server::start(&[model.to_str().unwrap(), "--addr", "127.0.0.1:0"]);
    let served: Value = reqwest::Client::new()
        .post(format!("http://{}/v2/models/tiny-cnn/infer", server.addr))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_close(
        &floats(&got["outputs"][0]["data"]),
        &floats(&served["outputs"][0]["data"]),
    );

    // A client-side batch of three, run two at a time: each answer as alone.
    let singles: Vec<Value> = (2..5).map(|s| oip_body(s, 1)).collect();
    let alone = run_handler(&py, &site, &pkg, &singles, &[]);
    let batch = json!({"batch": singles});
    let batched = run_handler(&py, &site, &pkg, &[batch], &[("BATCH_SIZE", "2")]);
    let list = batched[0]["batch"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    for (b, a) in list.iter().zip(&alone) {
        assert_eq!(b["id"], a["id"]);
        assert_close(
            &floats(&b["outputs"][0]["data"]),
            &floats(&a["outputs"][0]["data"]),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_container_runs_advisor_serve_with_the_advised_workers() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = tiny_cnn(dir.path()) else {
        return;
    };
    let pkg = dir.path().join("image");
    advisor()
        .args([
            "package",
            "--offer",
            "aws-sagemaker-ml.c5.xlarge",
            "--profile",
            "profiles/mobilenetv2.toml",
        ])
        .arg("--model")
        .arg(&model)
        .arg("-o")
        .arg(&pkg)
        .assert()
        .success();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(pkg.join("advisor-package.json")).unwrap())
            .unwrap();
    let args: Vec<String> = manifest["serve_args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    // 4 vCPU and 4 requests per instance: 4 workers of 1 thread.
    assert_eq!(args[1..5], ["--workers", "4", "--threads", "1"]);
    let script = std::fs::read_to_string(pkg.join("serve.sh")).unwrap();
    assert!(
        script.contains(&format!("exec advisor serve {} \"$@\"", args.join(" "))),
        "{script}"
    );
    let dockerfile = std::fs::read_to_string(pkg.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("ENTRYPOINT [\"/opt/advisor/serve.sh\"]"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("ENV PORT=8080"), "{dockerfile}");
    let readme = std::fs::read_to_string(pkg.join("README.md")).unwrap();
    assert!(readme.contains("InstanceType=ml.c5.xlarge"), "{readme}");

    // The same command line, the model in the image swapped for the file here.
    let mut run: Vec<String> = args.clone();
    run[0] = model.display().to_string();
    run.extend(["--addr".to_string(), "127.0.0.1:0".to_string()]);
    let refs: Vec<&str> = run.iter().map(String::as_str).collect();
    let server = Server::start(&refs);
    let client = reqwest::Client::new();
    let ping = client
        .get(format!("http://{}/ping", server.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(ping.status(), 200);
    let r: Value = client
        .post(format!("http://{}/invocations", server.addr))
        .json(&oip_body(1, 2))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["outputs"][0]["shape"], json!([2, 10]), "{r}");
}

#[test]
fn a_folder_with_files_is_refused_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.onnx");
    let proto = advisor::model::build::Builtin::TinyCnn.model();
    std::fs::write(&model, prost::Message::encode_to_vec(&proto)).unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("mine.txt"), "keep").unwrap();
    let package = || {
        let mut c = advisor();
        c.args([
            "package",
            "--offer",
            "aws-lambda-x86",
            "--profile",
            "profiles/mobilenetv2.toml",
        ])
        .arg("--model")
        .arg(&model)
        .arg("-o")
        .arg(&pkg);
        c
    };
    let out = package().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is not empty") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&pkg).unwrap().count(), 1);
    // Nothing half-written beside it either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    package().arg("--force").assert().success();
    assert_eq!(
        std::fs::read_to_string(pkg.join("mine.txt")).unwrap(),
        "keep"
    );
    assert!(pkg.join("handler.py").is_file() && pkg.join("template.yaml").is_file());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    let bad = advisor()
        .args([
            "package",
            "--offer",
            "no-such-offer",
            "--profile",
            "profiles/mobilenetv2.toml",
        ])
        .arg("--model")
        .arg(&model)
        .arg("-o")
        .arg(dir.path().join("other"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--offer no-such-offer"));
}
