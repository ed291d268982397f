//! `advisor simulate` as a user runs it: the contract's JSON, streaming,
//! unsorted traces, and bad input.

use std::path::Path;

use crate::common::advisor;

fn write_trace(dir: &Path, name: &str, times: &[f64]) -> std::path::PathBuf {
    let p = dir.join(name);
    let mut s = String::from("t_s\n");
    for t in times {
        s.push_str(&format!("{t:.6}\n"));
    }
    std::fs::write(&p, s).unwrap();
    p
}

fn simulate_json(trace: &Path, extra: &[&str]) -> serde_json::Value {
    let out = advisor()
        .args([
            "simulate",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
        ])
        .arg(trace)
        .args(extra)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_has_the_contract_fields_for_every_offer() {
    let v = simulate_json(Path::new("traces/workload-120.csv"), &[]);
    assert_eq!(v["requests"], 15000);
    assert!(v["sim_wall_s"].as_f64().unwrap() > 0.0);
    let outcomes = v["outcomes"].as_array().unwrap();
    assert!(outcomes.len() >= 25, "{} offers", outcomes.len());
    for o in outcomes {
        for f in [
            "offer",
            "kind",
            "avg_latency_s",
            "p50_latency_s",
            "p95_latency_s",
            "p99_latency_s",
            "success_ratio",
            "cost_usd",
            "instances_created",
            "cold_starts",
        ] {
            assert!(!o[f].is_null(), "{f} missing in {}", o["offer"]);
        }
        let p50 = o["p50_latency_s"].as_f64().unwrap();
        let p99 = o["p99_latency_s"].as_f64().unwrap();
        assert!(p50 <= p99 + 1e-9);
        assert_eq!(o["provenance"], "modelled");
        assert!(o.get("series").is_none(), "series only with --series");
    }
}

#[test]
fn unsorted_trace_is_sorted_with_a_warning_and_gives_the_same_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let times: Vec<f64> = (0..2000).map(|i| i as f64 * 0.05).collect();
    let mut shuffled = times.clone();
    shuffled.swap(10, 500);
    shuffled.swap(700, 1999);
    let sorted = write_trace(dir.path(), "sorted.csv", &times);
    let unsorted = write_trace(dir.path(), "unsorted.csv", &shuffled);
    let a = simulate_json(&sorted, &["--offer", "aws-lambda-x86"]);
    let out = advisor()
        .args([
            "simulate",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
        ])
        .arg(&unsorted)
        .args(["--offer", "aws-lambda-x86", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("out of order"), "{stderr}");
    let b: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (oa, ob) = (&a["outcomes"][0], &b["outcomes"][0]);
    for f in [
        "avg_latency_s",
        "p95_latency_s",
        "cost_usd",
        "instances_created",
    ] {
        assert_eq!(oa[f], ob[f], "{f}");
    }
}

#[test]
fn a_bad_row_late_in_the_trace_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    let mut s = String::from("t_s\n");
    for i in 0..5000 {
        s.push_str(&format!("{}\n", i as f64 * 0.01));
    }
    s.push_str("fifty\n");
    std::fs::write(&p, s).unwrap();
    let out = advisor()
        .args([
            "simulate",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
        ])
        .arg(&p)
        .args(["--offer", "aws-lambda-x86"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 5002"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_flags_exit_2_with_one_line() {
    for args in [
        vec!["--offer", "no-such-offer"],
        vec!["--batch", "0"],
        vec!["--cpu-speed=-1"],
        vec!["--cpu-speed", "-1"],
        vec!["--service", "weibull:3"],
    ] {
        let out = advisor()
            .args(["simulate", "--profile", "profiles/mobilenetv2.toml"])
            .args(["--trace", "traces/workload-40.csv"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
    let out = advisor()
        .args(["simulate", "--profile", "no/such/profile.toml"])
        .args(["--trace", "traces/workload-40.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn batching_is_counted_per_original_request() {
    let v1 = simulate_json(
        Path::new("traces/workload-120.csv"),
        &["--offer", "aws-lambda-x86"],
    );
    let v8 = simulate_json(
        Path::new("traces/workload-120.csv"),
        &[
            "--offer",
            "aws-lambda-x86",
            "--batch",
            "8",
            "--batch-wait",
            "200",
        ],
    );
    let (a, b) = (&v1["outcomes"][0], &v8["outcomes"][0]);
    assert_eq!(a["requests"], b["requests"]);
    assert_eq!(b["succeeded"], 15000);
    // Requests wait for their batch: latency rises; fewer invocations cost less.
    assert!(b["avg_latency_s"].as_f64().unwrap() > a["avg_latency_s"].as_f64().unwrap());
    assert!(b["cost_usd"].as_f64().unwrap() < a["cost_usd"].as_f64().unwrap());
}
