//! Bad trace files: a one-line error naming the file and line, exit code 2.
//! Unsorted times are not an error: they are sorted, with a warning.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::str::contains;

/// Runs `trace stats` on a file holding `text`; checks exit code 2, a single
/// line on stderr naming the file, and that it contains `expected`.
fn refused(text: &str, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, text).unwrap();
    let out = cargo_bin_cmd!("advisor")
        .args(["trace", "stats"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{text:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("bad.csv"), "names the file: {err}");
    assert!(err.contains(expected), "{expected:?} not in {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn non_numeric_time() {
    refused("t_s\n1.0\nsoon\n", "line 3, column 1 (`t_s`)");
}

#[test]
fn negative_time() {
    refused("t_s\n1.0\n-2\n", "line 3, column 1 (`t_s`): expected an arrival time in seconds (a finite number >= 0), found a negative time");
}

#[test]
fn nan_and_infinite_times() {
    refused("t_s\nNaN\n", "line 2, column 1");
    refused("t_s\n1\ninf\n", "line 3, column 1");
    refused("t_s\n1\n-infinity\n", "line 3, column 1");
}

#[test]
fn missing_header() {
    refused("0.5\n1.0\n", "line 1: missing header");
    refused("time,class\n0.5,a\n", "line 1: no `t_s` column");
}

#[test]
fn empty_file() {
    refused("", "empty file");
}

#[test]
fn ragged_row() {
    refused(
        "t_s,class\n1,a\n2,b,extra\n",
        "line 3: found 3 fields; expected 2",
    );
}

#[test]
fn bad_row_deep_in_a_long_file() {
    let mut text = String::from("t_s\n");
    for i in 0..10_000 {
        text.push_str(&format!("{i}.25\n"));
    }
    text.push_str("oops\n");
    refused(&text, "line 10002");
}

#[test]
fn count_with_a_fraction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counts.csv");
    std::fs::write(&path, "t_s,count\n0,4\n1,2.5\n").unwrap();
    cargo_bin_cmd!("advisor")
        .args(["trace", "import", "counts"])
        .arg(&path)
        .arg("-o")
        .arg(dir.path().join("out.csv"))
        .assert()
        .code(2)
        .stderr(contains(
            "counts.csv line 3, column 2 (`count`): expected a whole number",
        ));
    assert!(
        !dir.path().join("out.csv").exists(),
        "no half-written trace"
    );
}

#[test]
fn ragged_azure_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("azure.csv");
    std::fs::write(
        &path,
        "HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,2,3\no,a,g,http,1,2\n",
    )
    .unwrap();
    cargo_bin_cmd!("advisor")
        .args(["trace", "import", "azure", "--all"])
        .arg(&path)
        .arg("-o")
        .arg(dir.path().join("out.csv"))
        .assert()
        .code(2)
        .stderr(contains("azure.csv line 3: found 6 fields; expected 7"));
}

#[test]
fn unsorted_times_are_sorted_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unsorted.csv");
    std::fs::write(&path, "t_s\n3\n1\n2\n4\n").unwrap();
    let out = cargo_bin_cmd!("advisor")
        .args(["trace", "stats", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning: ") && err.contains("2 arrival times out of order"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["requests"], 4);
    assert_eq!(v["interarrival_max_ms"], 1000.0);
}

#[test]
fn missing_file() {
    cargo_bin_cmd!("advisor")
        .args(["trace", "stats", "no-such-trace.csv"])
        .assert()
        .code(2)
        .stderr(contains("no-such-trace.csv: cannot open the trace"));
}
