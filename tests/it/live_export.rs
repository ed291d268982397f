//! `advisor export`: the k6 script's structure, and the Locust file run for
//! real against `advisor serve` with the tiny CNN.

use crate::live_support;

use assert_cmd::cargo::cargo_bin_cmd;
use live_support::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A bursty trace: rates 0..=12 per second in a repeating pattern over 30 s,
/// arrivals spread inside each second.
fn bursty() -> (tempfile::NamedTempFile, u64) {
    let mut times = Vec::new();
    for s in 0..30u64 {
        let n = (s * 7) % 13;
        for i in 0..n {
            times.push(s as f64 + i as f64 / n as f64);
        }
    }
    let n = times.len() as u64;
    (trace(times), n)
}

fn export(trace: &Path, format: &str, out: &Path, extra: &[&str]) -> Value {
    let o = cargo_bin_cmd!("advisor")
        .args(["export", "--json", "--format", format, "--trace"])
        .arg(trace)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The `{ target: N, duration: 'Ms' }` stages of a k6 script.
fn stages(js: &str) -> Vec<(u64, u64)> {
    js.lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("{ target: ")?;
            let (target, rest) = l.split_once(", duration: '")?;
            let (secs, _) = rest.split_once("s'")?;
            Some((target.parse().ok()?, secs.parse().ok()?))
        })
        .collect()
}

#[test]
fn k6_stages_follow_the_trace_rate() {
    let (t, n) = bursty();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("load.js");
    let v = export(
        t.path(),
        "k6",
        &out,
        &["--url", "http://127.0.0.1:9999/predict"],
    );
    assert_eq!(v["requests"], n);
    let js = std::fs::read_to_string(&out).unwrap();
    assert!(js.contains("executor: 'ramping-arrival-rate'"));
    assert!(js.contains("timeUnit: '1s'"));
    assert!(js.contains("__ENV.URL || \"http://127.0.0.1:9999/predict\""));
    let st = stages(&js);
    assert!(!st.is_empty());
    // Holding stages send target x duration; the 0 s stages only step.
    let sent: u64 = st.iter().map(|(t, d)| t * d).sum();
    assert_eq!(sent, n);
    let secs: u64 = st.iter().map(|(_, d)| d).sum();
    assert_eq!(secs, 30);
    // Every step lands on the rate it then holds.
    for w in st.windows(2) {
        if w[0].1 == 0 {
            assert_eq!(w[0].0, w[1].0);
        }
    }
}

#[test]
fn export_does_not_overwrite_without_force() {
    let (t, _) = bursty();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("load.py");
    std::fs::write(&out, "mine").unwrap();
    let o = cargo_bin_cmd!("advisor")
        .args(["export", "--format", "locust", "--trace"])
        .arg(t.path())
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
    export(t.path(), "locust", &out, &["--force"]);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("class TraceShape(LoadTestShape)"));
}

fn locust_available() -> bool {
    Command::new("locust")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn exported_locust_file_runs_against_serve_without_failures() {
    if !locust_available() {
        eprintln!("skipped: locust is not installed (scripts/setup installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = tiny_cnn(dir.path()) else {
        return;
    };
    let mut server = Command::new(env!("CARGO_BIN_EXE_advisor"))
        .arg("serve")
        .arg(&model)
        .args(["--addr", "127.0.0.1:0", "--workers", "2", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = serde_json::from_str::<Value>(&line).unwrap()["addr"]
        .as_str()
        .unwrap()
        .to_string();

    // 5 s at 4 requests per second.
    let t = even(20, 4.0);
    let script = dir.path().join("load.py");
    export(
        t.path(),
        "locust",
        &script,
        &["--url", &format!("http://{addr}/predict")],
    );
    let csv = dir.path().join("run");
    let mut locust = Command::new("locust")
        .arg("-f")
        .arg(&script)
        .args(["--headless", "-t", "5s", "--only-summary", "--host"])
        .arg(format!("http://{addr}"))
        .arg("--csv")
        .arg(&csv)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The shape ends the run after 5 s; allow start-up on a busy machine.
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = locust.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = locust.kill();
            let _ = server.kill();
            panic!("locust did not finish");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = server.kill();
    let _ = server.wait();
    assert!(status.success(), "locust exited with {status:?}");

    let stats = std::fs::read_to_string(dir.path().join("run_stats.csv")).unwrap();
    let mut rows = stats.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (count, fails) = (col("Request Count"), col("Failure Count"));
    let agg: Vec<&str> = rows
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r.get(1) == Some(&"Aggregated"))
        .expect("an Aggregated row");
    let requests: u64 = agg[count].parse().unwrap();
    let failures: u64 = agg[fails].parse().unwrap();
    assert!(requests > 0, "{stats}");
    assert_eq!(failures, 0, "{stats}");
}
