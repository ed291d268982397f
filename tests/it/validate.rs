//! `advisor validate`: the model served and replayed on this machine beside
//! the simulator's prediction, end to end with the tiny CNN.

use crate::common::advisor;

#[test]
fn measured_and_modelled_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tiny.onnx");
    advisor()
        .args(["models", "build", "tiny-cnn", "-o"])
        .arg(&model)
        .assert()
        .success();
    let trace = dir.path().join("t.csv");
    advisor()
        .args(["trace", "gen", "--poisson", "40", "--duration", "3", "-o"])
        .arg(&trace)
        .assert()
        .success();
    let out = advisor()
        .args(["validate", "--model"])
        .arg(&model)
        .arg("--trace")
        .arg(&trace)
        .args(["--workers", "1", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["capacity_rps"].as_f64().unwrap() > 40.0);
    assert!(v["rtt_s"].as_f64().unwrap() > 0.0);
    let c = &v["comparisons"][0];
    assert_eq!(c["measured"]["provenance"], "measured");
    assert_eq!(c["modelled"]["provenance"], "modelled");
    // The same trace on both sides: every request of it, answered, at a
    // load far below capacity.
    assert_eq!(c["measured"]["requests"], c["modelled"]["requests"]);
    assert_eq!(c["measured"]["success_ratio"], 1.0);
    assert_eq!(c["modelled"]["success_ratio"], 1.0);
    assert!(c["avg_latency_error"].as_f64().unwrap().is_finite());
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        vec!["--model", "no/such.onnx", "--workers", "0"],
        vec!["--model", "no/such.onnx", "--load", "-1"],
        vec!["--model", "no/such.onnx", "--trace", "no/such.csv"],
    ] {
        let out = advisor().arg("validate").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
