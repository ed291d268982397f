//! `advisor recommend` and the demo from the command line: the JSON
//! contract, bad flags, and the demo without a terminal.

use serde_json::Value;

use crate::common::advisor;

/// A small trace file: 20 requests per second for 30 s.
fn small_trace(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("small.csv");
    let mut text = String::from("t_s\n");
    for i in 0..600 {
        text.push_str(&format!("{:.6}\n", i as f64 * 0.05));
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn recommend(args: &[&str], trace: &std::path::Path) -> std::process::Output {
    advisor()
        .args([
            "recommend",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
        ])
        .arg(trace)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn json_has_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let out = recommend(
        &[
            "--json",
            "--slo-p95-ms",
            "200",
            "--offer",
            "aws-lambda-x86",
            "--offer",
            "aws-ec2-c7i.xlarge",
            "--offer",
            "aws-sagemaker-ml.c5.xlarge",
        ],
        &small_trace(&dir),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    for key in [
        "ranked",
        "best",
        "reasons",
        "batching",
        "memory",
        "runtime",
        "break_even",
        "pareto",
        "runners_up",
        "sensitivity",
        "constraints",
        "workload",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["provenance"], "modelled");
    let ranked = v["ranked"].as_array().unwrap();
    assert!(ranked.len() >= 3);
    for r in ranked {
        for key in [
            "offer",
            "kind",
            "cost_per_trace_usd",
            "cost_per_million_usd",
            "cost_per_month_usd",
            "avg_latency_s",
            "p95_latency_s",
            "p99_latency_s",
            "success_ratio",
            "meets_slo",
            "why_not",
        ] {
            assert!(r.get(key).is_some(), "ranked[] lacks {key}");
        }
        assert_eq!(
            r["meets_slo"].as_bool().unwrap(),
            r["why_not"].as_array().unwrap().is_empty()
        );
    }
    assert_eq!(v["constraints"]["slo_p95_s"], 0.2);
    assert_eq!(v["workload"]["requests"], 600);
    assert!(v["best"]["offer"].is_string());
    let reason = &v["reasons"][0];
    assert!(reason["text"].is_string() && reason["figures"].is_object());
    assert!(!v["break_even"].as_array().unwrap().is_empty());
    assert!(v["break_even"][0]["method"].is_string());
}

#[test]
fn plain_output_is_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let out = recommend(
        &["--offer", "aws-lambda-x86", "--offer", "aws-ec2-c7i.xlarge"],
        &small_trace(&dir),
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Best: "), "{text}");
    assert!(text.contains("Why:"), "{text}");
    assert!(text.contains("per month"), "{text}");
    assert!(text.contains("How a month is counted: 730 h"), "{text}");
    // The headline names the option in words; its id follows for --offer.
    let best = text.lines().find(|l| l.starts_with("Best: ")).unwrap();
    assert!(!best.contains("by default"), "{best}");
    assert!(!best.contains('@'), "{best}");
    assert!(text.contains("as --offer takes it"), "{text}");
}

fn bad(args: &[&str], needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = recommend(args, &small_trace(&dir));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_flags_exit_2_with_one_line() {
    bad(&["--slo-p95-ms", "-5"], "--slo-p95-ms");
    bad(&["--slo-avg-ms", "0"], "--slo-avg-ms");
    bad(&["--min-success", "1.5"], "--min-success");
    bad(&["--budget", "-1"], "--budget");
    bad(&["--offer", "no-such-offer"], "no-such-offer");
}

#[test]
fn a_missing_trace_is_bad_input() {
    let out = advisor()
        .args([
            "recommend",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
            "no/such/trace.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no/such/trace.csv"), "{err}");
}

#[test]
fn the_demo_without_a_terminal_says_what_it_is_and_matches_recommend() {
    let out = advisor().output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("Demo:"), "{first}");
    assert!(first.contains("advisor recommend --profile"), "{first}");
    // The verdict says what to set for batching whether or not it batches.
    let best = text.lines().find(|l| l.starts_with("Best: ")).unwrap();
    assert!(
        best.contains("no batching") || best.contains("batching up to"),
        "{best}"
    );
    assert!(!best.contains("by default"), "{best}");

    // One code path: the demo's JSON ranks exactly as `recommend` on the
    // same profile, trace and prices.
    let demo: Value =
        serde_json::from_slice(&advisor().arg("--json").output().unwrap().stdout).unwrap();
    let rec = advisor()
        .args([
            "recommend",
            "--profile",
            "profiles/mobilenetv2.toml",
            "--trace",
            "traces/workload-120.csv",
            "--json",
        ])
        .output()
        .unwrap();
    let rec: Value = serde_json::from_slice(&rec.stdout).unwrap();
    assert_eq!(demo["ranked"], rec["ranked"]);
    assert_eq!(demo["best"], rec["best"]);
}

#[test]
fn the_advice_reports_the_burstiness_trace_stats_shows() {
    // A bursty trace: quiet seconds, then a burst, so 1-s and 10-s windows differ.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bursty.csv");
    let mut text = String::from("t_s\n");
    for s in 0..60 {
        let n = if (20..25).contains(&s) { 40 } else { 2 };
        for i in 0..n {
            text.push_str(&format!("{:.6}\n", s as f64 + i as f64 / n as f64));
        }
    }
    std::fs::write(&path, text).unwrap();
    let stats = advisor()
        .args(["trace", "stats", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(stats.status.success());
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    let out = recommend(&["--json", "--slo-p95-ms", "200"], &path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let advice: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = stats["burstiness"].as_f64().unwrap();
    assert!(expected > 2.0, "the trace should be bursty: {expected}");
    assert_eq!(advice["workload"]["burstiness"].as_f64(), Some(expected));
}

#[test]
fn no_latency_target_reports_the_stated_default_and_the_best_meets_it() {
    let o = recommend(&["--json"], std::path::Path::new("traces/workload-120.csv"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let target = v["constraints"]["slo_p95_s"].as_f64().unwrap();
    assert_eq!(target, advisor::advise::target::INTERACTIVE_P95_S);
    assert!(v["constraints"]["slo_p95_default"].is_string());
    assert!(v["best"]["p95_latency_s"].as_f64().unwrap() <= target);
    assert!(v["best"]["meets_slo"].as_bool().unwrap());
}
