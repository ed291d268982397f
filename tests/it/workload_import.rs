//! `advisor trace import` on the bundled samples: counts are preserved exactly.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::str::contains;
use std::path::{Path, PathBuf};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("traces/samples")
        .join(name)
}

fn rows(path: &Path) -> Vec<f64> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.parse().unwrap())
        .collect()
}

/// Arrivals per `len_s` bin, `n` bins.
fn binned(times: &[f64], len_s: f64, n: usize) -> Vec<u64> {
    let mut c = vec![0; n];
    for t in times {
        c[(t / len_s) as usize] += 1;
    }
    c
}

fn sample_counts() -> Vec<u64> {
    std::fs::read_to_string(sample("counts-per-second.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn counts_per_second_are_preserved_exactly() {
    let dir = tempfile::tempdir().unwrap();
    for spread in ["uniform", "even"] {
        let out = dir.path().join(format!("{spread}.csv"));
        cargo_bin_cmd!("advisor")
            .args(["trace", "import", "counts"])
            .arg(sample("counts-per-second.csv"))
            .args(["--spread", spread, "-o"])
            .arg(&out)
            .assert()
            .success()
            .stdout(contains("wrote 1250 requests"));
        let times = rows(&out);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(binned(&times, 1.0, 120), sample_counts(), "{spread}");
    }
}

#[test]
fn a_given_interval_stretches_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "t_s,count\n0,3\n60,0\n120,5\n").unwrap();
    let out = dir.path().join("out.csv");
    cargo_bin_cmd!("advisor")
        .args(["trace", "import", "counts"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(binned(&rows(&out), 60.0, 3), vec![3, 0, 5]);
    // With --interval 1, the rows cover [0,1), [60,61), [120,121).
    cargo_bin_cmd!("advisor")
        .args(["trace", "import", "counts", "--interval", "1", "--force"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let times = rows(&out);
    assert!(times[..3].iter().all(|&t| t < 1.0));
    assert!(times[3..].iter().all(|&t| (120.0..121.0).contains(&t)));
}

/// The per-minute counts of the named sample rows, summed.
fn azure_minutes(functions: &[&str]) -> Vec<u64> {
    let text = std::fs::read_to_string(sample("azure-functions-2019-sample.csv")).unwrap();
    let mut sum = vec![0u64; 1440];
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if functions.contains(&fields[2]) {
            for (s, c) in sum.iter_mut().zip(&fields[4..]) {
                *s += c.parse::<u64>().unwrap();
            }
        }
    }
    sum
}

#[test]
fn azure_selection_by_hash_top_and_all_keeps_every_minute() {
    let dir = tempfile::tempdir().unwrap();
    let all = [
        "synthetic-fn-http-daily",
        "synthetic-fn-timer-5min",
        "synthetic-fn-queue-burst",
        "synthetic-fn-event-rare",
    ];
    let cases: [(&[&str], &[&str]); 3] = [
        (&["--function", "synthetic-fn-queue-burst"], &all[2..3]),
        // The two busiest: 28 799 and 4 000 invocations.
        (&["--top", "2"], &[all[0], all[2]]),
        (&["--all"], &all),
    ];
    for (i, (args, functions)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("{i}.csv"));
        cargo_bin_cmd!("advisor")
            .args(["trace", "import", "azure"])
            .arg(sample("azure-functions-2019-sample.csv"))
            .args(*args)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        assert_eq!(
            binned(&rows(&out), 60.0, 1440),
            azure_minutes(functions),
            "{args:?}"
        );
    }
}

#[test]
fn azure_unknown_hash_and_zero_top_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    for (args, msg) in [
        (
            &["--function", "nope"][..],
            "no row has HashFunction \"nope\"",
        ),
        (&["--top", "0"][..], "--top"),
    ] {
        cargo_bin_cmd!("advisor")
            .args(["trace", "import", "azure"])
            .arg(sample("azure-functions-2019-sample.csv"))
            .args(args)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains(msg));
    }
}
