//! `advisor calibrate`: the loop closed on this machine. Serve the tiny CNN,
//! replay a light Poisson load, fit `local-server` to it, predict a bursty
//! load near capacity with the fitted snapshot and replay that too. Timing
//! figures depend on the machine, so only properties that hold on a busy one
//! are asserted; `scripts/check-calibrate` checks the accuracy.

use crate::common::advisor;
use crate::live_support::{tiny_cnn, Server};
use serde_json::Value;
use std::path::Path;

fn json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn gen(dir: &Path, name: &str, args: &[String]) -> std::path::PathBuf {
    let path = dir.join(name);
    advisor()
        .args(["trace", "gen", "--duration", "3", "--seed", "5"])
        .args(args)
        .arg("-o")
        .arg(&path)
        .assert()
        .success();
    path
}

#[test]
fn calibrated_on_one_load_it_predicts_another() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = tiny_cnn(dir.path()) else {
        return;
    };
    let profile = dir.path().join("tiny.toml");
    advisor()
        .arg("profile")
        .arg(&model)
        .args(["--threads", "1", "--batch", "1", "--runs", "30"])
        .args(["--cold-trials", "1", "--no-tui", "-o"])
        .arg(&profile)
        .assert()
        .success();
    let p: toml::Value = toml::from_str(&std::fs::read_to_string(&profile).unwrap()).unwrap();
    let mean_ms = p["latency"][0]["mean_ms"].as_float().unwrap();
    // Far below what HTTP and the replay allow on two busy cores too.
    let capacity = (1000.0 / mean_ms).min(200.0);

    let server = Server::start(&[model.to_str().unwrap(), "--addr", "127.0.0.1:0"]);
    let replay = |trace: &Path| {
        json(
            advisor()
                .args(["replay", "--json", "--model"])
                .arg(&model)
                .arg("--trace")
                .arg(trace)
                .args(["--url", &format!("http://{}/predict", server.addr)]),
        )
    };
    let light = gen(
        dir.path(),
        "light.csv",
        &["--poisson".into(), format!("{:.1}", capacity / 3.0)],
    );
    let measured = replay(&light);
    let measured_file = dir.path().join("light.json");
    std::fs::write(&measured_file, measured.to_string()).unwrap();

    let fitted = dir.path().join("local-fitted.toml");
    let calibrate = || {
        let mut c = advisor();
        c.args(["calibrate", "--offer", "local-server", "--profile"])
            .arg(&profile)
            .arg("--measured")
            .arg(&measured_file)
            .arg("--trace")
            .arg(&light)
            .arg("-o")
            .arg(&fitted);
        c
    };
    // advisor serve says how long each inference took; the replay keeps it
    // and the fit reads the CPU speed off it.
    let timing = &measured["server_inference"];
    assert_eq!(timing["answers"], measured["succeeded"], "{timing}");
    assert!(timing["mean_ms"].as_f64().unwrap() > 0.0, "{timing}");
    let fit = json(calibrate().arg("--json"));
    assert_eq!(fit["fit"]["cpu_speed_from"], "server timing", "{fit}");
    assert!(fit["fit"]["cpu_speed"].as_f64().unwrap() > 0.0, "{fit}");
    assert!(
        fit["fit"]["network_rtt_s"].as_f64().unwrap() >= 0.0,
        "{fit}"
    );
    assert!(fit["fit"]["residuals"]["objective"]
        .as_f64()
        .unwrap()
        .is_finite());

    // The file loads, names its source, and is never overwritten.
    let snap = advisor::pricing::load_snapshot(&fitted).unwrap();
    let offer = snap.offer("local-server").unwrap();
    let src = &offer.sources["spec.cpu_speed"].source;
    assert!(src.starts_with("measured by replay, "), "{src}");
    assert!(src.contains("x-inference-ms"), "{src}");
    assert!(
        src.contains(&format!("{} requests", measured["requests"])),
        "{src}"
    );
    let before = std::fs::read(&fitted).unwrap();
    let again = calibrate().output().unwrap();
    assert!(!again.status.success());
    assert_eq!(std::fs::read(&fitted).unwrap(), before);

    // A bursty load near capacity, predicted with the fitted snapshot.
    let rates = format!("{:.1},{:.1}", capacity * 0.5, capacity);
    let bursty = gen(
        dir.path(),
        "bursty.csv",
        &["--mmpp".into(), rates, "--switch".into(), "1,1".into()],
    );
    let predicted = json(
        advisor()
            .args(["simulate", "--json", "--offer", "local-server", "--pricing"])
            .arg(&fitted)
            .arg("--profile")
            .arg(&profile)
            .arg("--trace")
            .arg(&bursty),
    );
    let measured = replay(&bursty);
    let predicted = &predicted["outcomes"][0];
    assert_eq!(predicted["requests"], measured["requests"]);
    let (a, b) = (
        predicted["success_ratio"].as_f64().unwrap(),
        measured["success_ratio"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 0.25, "predicted success {a}, measured {b}");
}
