//! `advisor trace gen|stats|transform|concat` end to end.

use predicates::str::contains;
use serde_json::Value;
use std::path::Path;

use crate::common::advisor;

fn stats_json(path: &Path) -> Value {
    let out = advisor()
        .args(["trace", "stats", "--json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("exactly one JSON document on stdout")
}

fn rows(path: &Path) -> Vec<f64> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.parse().unwrap())
        .collect()
}

#[test]
fn poisson_trace_has_its_rate_and_the_same_seed_gives_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a.csv"),
        dir.path().join("b.csv"),
        dir.path().join("c.csv"),
    );
    for (path, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        advisor()
            .args([
                "trace",
                "gen",
                "--poisson",
                "100",
                "--duration",
                "2000",
                "--seed",
                seed,
                "-o",
            ])
            .arg(path)
            .assert()
            .success()
            .stdout(contains("requests over"));
    }
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());
    assert_ne!(bytes, std::fs::read(&c).unwrap());
    let s = stats_json(&a);
    // 200 000 expected arrivals: sd 0.22%, so 1% is 4.5 sd.
    let mean = s["mean_rps"].as_f64().unwrap();
    assert!((mean / 100.0 - 1.0).abs() < 0.01, "{mean}");
    // Poisson counts: index of dispersion near 1.
    let b = s["burstiness"].as_f64().unwrap();
    assert!((0.8..1.2).contains(&b), "{b}");
    // Six decimals in the file.
    let text = String::from_utf8(bytes).unwrap();
    let first = text.lines().nth(1).unwrap();
    assert_eq!(first.split('.').nth(1).unwrap().len(), 6, "{first}");
}

#[test]
fn stats_json_has_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, "t_s\n0.0\n0.5\n2.0\n2.1\n2.2\n2.3\n3.5\n").unwrap();
    let s = stats_json(&path);
    assert_eq!(s["requests"], 7);
    assert_eq!(s["duration_s"], 3.5);
    assert_eq!(s["mean_rps"], 2.0);
    assert_eq!(s["peak_rps"], 4.0);
    assert_eq!(s["peak_at_s"], 2.0);
    for key in [
        "window_s",
        "peak_rps_window",
        "burstiness",
        "interarrival_p50_ms",
        "interarrival_p90_ms",
        "interarrival_p99_ms",
        "interarrival_max_ms",
        "rate_series_step_s",
        "rate_series_rps",
    ] {
        assert!(s.get(key).is_some(), "{key} missing: {s}");
    }
}

#[test]
fn stats_table_and_window_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, "t_s\n0\n1\n2\n3\n").unwrap();
    advisor()
        .args(["trace", "stats", "--window", "2"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("requests        4"))
        .stdout(contains("in 2 s windows"));
    advisor()
        .args(["trace", "stats", "--window", "0"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("--window"));
}

#[test]
fn mmpp_diurnal_and_steps_generate() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 4] = [
        &[
            "--mmpp",
            "5,40",
            "--switch",
            "0.02,0.05",
            "--duration",
            "600",
        ],
        &[
            "--mmpp",
            "1,10,50",
            "--switch",
            "0.1,0.1,0.1",
            "--duration",
            "300",
        ],
        &[
            "--diurnal",
            "20",
            "--amplitude",
            "0.8",
            "--period",
            "600",
            "--duration",
            "600",
        ],
        &["--steps", "0:5,60:50,120:5", "--duration", "180"],
    ];
    for (i, args) in cases.iter().enumerate() {
        let path = dir.path().join(format!("{i}.csv"));
        advisor()
            .args(["trace", "gen"])
            .args(*args)
            .arg("-o")
            .arg(&path)
            .assert()
            .success();
        let s = stats_json(&path);
        assert!(s["requests"].as_u64().unwrap() > 100, "{args:?}: {s}");
    }
    // The steps trace: the 60-120 s burst holds about 3000 of about 3600 requests.
    let steps = rows(&dir.path().join("3.csv"));
    let burst = steps
        .iter()
        .filter(|&&t| (60.0..120.0).contains(&t))
        .count();
    assert!((2800..3200).contains(&burst), "{burst}");
}

#[test]
fn generator_flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let bad: [(&[&str], &str); 6] = [
        (
            &["--mmpp", "5,40", "--switch", "0.1", "--duration", "10"],
            "--switch",
        ),
        (
            &["--mmpp", "5,x", "--switch", "0.1,0.1", "--duration", "10"],
            "--mmpp",
        ),
        (&["--poisson", "-3", "--duration", "10"], "--poisson"),
        (&["--poisson", "5", "--duration", "0"], "--duration"),
        (
            &["--diurnal", "5", "--amplitude", "2", "--duration", "10"],
            "--amplitude",
        ),
        (&["--poisson", "1e9", "--duration", "1e9"], "at most"),
    ];
    for (args, flag) in bad {
        advisor()
            .args(["trace", "gen"])
            .args(args)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains(flag));
    }
    assert!(!out.exists());
    // clap's own usage errors exit with 2 too.
    advisor()
        .args(["trace", "gen", "-o"])
        .arg(&out)
        .assert()
        .code(2);
}

#[test]
fn existing_files_are_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    std::fs::write(&out, "keep me").unwrap();
    advisor()
        .args(["trace", "gen", "--poisson", "5", "--duration", "10", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    advisor()
        .args([
            "trace",
            "gen",
            "--poisson",
            "5",
            "--duration",
            "10",
            "--force",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("t_s\n"));
}

#[test]
fn gen_json_reports_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let o = advisor()
        .args(["trace", "gen", "--preset", "workload-200", "--json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["requests"], 18000);
    assert_eq!(v["seed"], 1);
    assert!(v["duration_s"].as_f64().unwrap() > 188.0);
}

#[test]
fn transform_cuts_speeds_and_scales() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let text: String = std::iter::once("t_s".to_string())
        .chain((0..100).map(|i| format!("{i}.5")))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&input, text + "\n").unwrap();
    let out = dir.path().join("out.csv");
    let run = |args: &[&str]| {
        advisor()
            .args(["trace", "transform"])
            .arg(&input)
            .args(args)
            .arg("--force")
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        rows(&out)
    };
    assert_eq!(run(&["--cut", "10:13"]), vec![0.5, 1.5, 2.5]);
    assert_eq!(
        run(&["--cut", "10:13", "--keep-time"]),
        vec![10.5, 11.5, 12.5]
    );
    // Cut, then speed: 0.5, 1.5, 2.5 played twice as fast.
    assert_eq!(
        run(&["--cut", "10:13", "--speed", "2"]),
        vec![0.25, 0.75, 1.25]
    );
    assert_eq!(run(&["--scale-rate", "2"]).len(), 200);
    let thinned = run(&["--scale-rate", "0.5", "--seed", "3"]);
    assert!(
        thinned.len() > 25 && thinned.len() < 75,
        "{}",
        thinned.len()
    );
    assert_eq!(thinned, run(&["--scale-rate", "0.5", "--seed", "3"]));
    advisor()
        .args(["trace", "transform"])
        .arg(&input)
        .args(["--cut", "5:1", "-o"])
        .arg(dir.path().join("y.csv"))
        .assert()
        .code(2)
        .stderr(contains("--cut"));
}

#[test]
fn concat_joins_after_the_last_arrival() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, out) = (
        dir.path().join("a.csv"),
        dir.path().join("b.csv"),
        dir.path().join("o.csv"),
    );
    std::fs::write(&a, "t_s\n0\n2\n").unwrap();
    std::fs::write(&b, "t_s\n0.5\n1\n").unwrap();
    advisor()
        .args(["trace", "concat"])
        .args([&a, &b, &a])
        .args(["--gap", "1", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(rows(&out), vec![0.0, 2.0, 3.5, 4.0, 5.0, 7.0]);
}

#[test]
fn transforms_that_would_explode_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "t_s\n1\n2\n").unwrap();
    let out = dir.path().join("out.csv");
    advisor()
        .args(["trace", "transform"])
        .arg(&input)
        .args(["--scale-rate", "1e12", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("--scale-rate"));
    advisor()
        .args(["trace", "transform"])
        .arg(&input)
        .args(["--speed", "1e-15", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("cannot be written"));
    assert!(!out.exists());
}
