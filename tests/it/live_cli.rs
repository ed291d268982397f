//! `advisor serve` and `advisor replay` as processes: start-up line, JSON
//! contract, exit codes, Ctrl-C.

use crate::live_support;

use assert_cmd::cargo::cargo_bin_cmd;
use live_support::*;
use serde_json::Value;

#[test]
fn replay_json_carries_the_outcome_fields_and_serve_stops_on_ctrl_c() {
    let server = Server::start(&["--echo", "--addr", "127.0.0.1:0"]);
    assert!(server.addr.starts_with("127.0.0.1:"));
    assert!(!server.addr.ends_with(":0"), "the real port is printed");
    let t = even(100, 200.0);
    let out = cargo_bin_cmd!("advisor")
        .args(["replay", "--json", "--trace"])
        .arg(t.path())
        .args(["--url", &format!("http://{}/predict", server.addr)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    for field in [
        "avg_latency_s",
        "p50_latency_s",
        "p95_latency_s",
        "p99_latency_s",
        "success_ratio",
        "cost_usd",
        "instances_created",
        "cold_starts",
        "send_lag_p50_ms",
        "send_lag_p99_ms",
        "latency_from_send_avg_ms",
        "latency_from_send_p50_ms",
        "latency_from_send_p95_ms",
        "latency_from_send_p99_ms",
        "requests",
    ] {
        assert!(v[field].is_number(), "{field} missing: {v}");
    }
    assert_eq!(v["requests"], 100);
    assert_eq!(v["success_ratio"], 1.0);
    assert_eq!(v["kind"], "live");
    assert_eq!(v["provenance"], "measured");
    assert_eq!(v["offer"], format!("http://{}/predict", server.addr));

    let (status, err) = server.interrupt();
    assert!(status.success(), "{status:?}: {err}");
    assert!(err.contains("listening on http://127.0.0.1:"), "{err}");
    assert!(err.contains("stopping"), "{err}");
}

#[test]
fn replay_prints_a_readable_summary() {
    let server = Server::start(&["--echo", "--addr", "127.0.0.1:0"]);
    let t = even(20, 100.0);
    let out = cargo_bin_cmd!("advisor")
        .args(["replay", "--trace"])
        .arg(t.path())
        .args(["--url", &format!("http://{}/predict", server.addr)])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("replayed 20 of 20 requests"), "{text}");
    assert!(text.contains("success         20/20 (100.00%)"), "{text}");
    assert!(text.contains("send lag"), "{text}");
    let _ = server.interrupt();
}

#[test]
fn non_loopback_address_is_warned_about() {
    let server = Server::start(&["--echo", "--addr", "0.0.0.0:0"]);
    let (_, err) = server.interrupt();
    assert!(
        err.contains("warning: listening on 0.0.0.0:0, which other machines can reach"),
        "{err}"
    );
}

/// Runs advisor with `args` and checks the bad-input contract: exit 2,
/// nothing on stdout, one line on stderr; returns that line.
fn bad_input(args: &[&str]) -> String {
    let out = cargo_bin_cmd!("advisor").args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

#[test]
fn bad_input_exits_with_2_and_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.onnx");
    let err = bad_input(&["serve", missing.to_str().unwrap()]);
    assert!(err.contains("missing.onnx: no such file"), "{err}");

    let t = even(3, 10.0);
    let trace = t.path().to_str().unwrap();
    let err = bad_input(&["replay", "--trace", trace, "--url", "localhost"]);
    assert!(err.contains("--url 'localhost'"), "{err}");
    let err = bad_input(&[
        "replay",
        "--trace",
        trace,
        "--url",
        "http://127.0.0.1:1/",
        "--timeout-s",
        "0",
    ]);
    assert!(err.contains("--timeout-s"), "{err}");
    let err = bad_input(&[
        "replay",
        "--trace",
        trace,
        "--url",
        "http://127.0.0.1:1/",
        "--speed",
        "0",
    ]);
    assert!(err.contains("--speed"), "{err}");

    let bad = trace_text("t_s\n0.1\nsoon\n");
    let err = bad_input(&[
        "replay",
        "--trace",
        bad.path().to_str().unwrap(),
        "--url",
        "http://127.0.0.1:1/",
    ]);
    assert!(err.contains("line 3"), "{err}");
}

fn trace_text(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

#[test]
fn replay_against_nothing_reports_failures_not_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = even(5, 100.0);
    let out = cargo_bin_cmd!("advisor")
        .args(["replay", "--json", "--timeout-s", "0.5", "--trace"])
        .arg(t.path())
        .args(["--url", &format!("http://127.0.0.1:{port}/predict")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["success_ratio"], 0.0);
    assert_eq!(v["failures"]["connect"], 5);
}

#[test]
fn replay_with_a_model_sends_its_synthetic_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = tiny_cnn(dir.path()) else {
        return;
    };
    let server = Server::start(&[model.to_str().unwrap(), "--addr", "127.0.0.1:0"]);
    let t = even(10, 50.0);
    let out = cargo_bin_cmd!("advisor")
        .args(["replay", "--json", "--model"])
        .arg(&model)
        .arg("--trace")
        .arg(t.path())
        .args(["--url", &format!("http://{}/predict", server.addr)])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["success_ratio"], 1.0, "{v}");
    assert_eq!(v["server_inference"]["answers"], 10, "{v}");
    let _ = server.interrupt();
}
