//! Hostile and degenerate inputs end quickly with exit 0 or 2, one line on
//! stderr, no raw control bytes and no file left behind.

use advisor::model::build::graph::{GraphBuilder, D};
use advisor::model::proto::data_type;
use prost::Message;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

const PROFILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/mobilenetv2.toml");

use crate::common::advisor_own_runtime as advisor;

fn run(dir: &Path, args: &[&str]) -> Output {
    advisor().current_dir(dir).args(args).output().unwrap()
}

/// Exit 2 with one escaped line on stderr; returns that line.
fn bad_input(dir: &Path, args: &[&str]) -> String {
    let o = run(dir, args);
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line expected: {err}");
    assert!(
        !err.trim_end().chars().any(|c| c.is_control()),
        "raw control bytes: {err:?}"
    );
    err
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn recommend_on_one_or_two_requests_succeeds() {
    let d = TempDir::new().unwrap();
    write(d.path(), "one.csv", "t_s\n0.5\n");
    write(d.path(), "two.csv", "t_s\n0.5\n1.0\n");
    for t in ["one.csv", "two.csv"] {
        let o = run(
            d.path(),
            &["recommend", "--profile", PROFILE, "--trace", t, "--json"],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["ranked"].is_array());
    }
}

#[test]
fn trace_times_past_the_span_limit_are_refused_at_read() {
    let d = TempDir::new().unwrap();
    write(d.path(), "far.csv", "t_s\n0\n1e12\n");
    write(d.path(), "huge.csv", "t_s\n0\n1e300\n");
    let err = bad_input(d.path(), &["trace", "stats", "huge.csv"]);
    assert!(
        err.contains("huge.csv line 3") && err.contains("largest trace span"),
        "{err}"
    );
    // Would tick through 1e12 s of empty time if the limit were not checked first.
    let err = bad_input(
        d.path(),
        &[
            "simulate",
            "--profile",
            PROFILE,
            "--trace",
            "far.csv",
            "--offer",
            "aws-sagemaker-ml.m5.xlarge",
        ],
    );
    assert!(err.contains("far.csv line 3"), "{err}");
    bad_input(
        d.path(),
        &["recommend", "--profile", PROFILE, "--trace", "far.csv"],
    );
}

#[test]
fn a_long_but_allowed_span_finishes() {
    // 300 days between two requests: cheap unless the simulator walks idle time.
    let d = TempDir::new().unwrap();
    write(d.path(), "long.csv", "t_s\n0\n25920000\n");
    let o = run(
        d.path(),
        &[
            "simulate",
            "--profile",
            PROFILE,
            "--trace",
            "long.csv",
            "--offer",
            "aws-sagemaker-ml.m5.xlarge",
            "--json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn profiles_with_impossible_figures_name_file_and_field() {
    let d = TempDir::new().unwrap();
    let good = std::fs::read_to_string(PROFILE).unwrap();
    let cases = [
        ("mean_ms = ", "mean_ms = nan #", "mean_ms"),
        ("p95_ms = ", "p95_ms = -1.0 #", "p95_ms"),
        ("p50_ms = ", "p50_ms = 0.0 #", "p50_ms"),
        ("mean_ms = ", "mean_ms = 1e300 #", "mean_ms"),
        ("batch = ", "batch = 0 #", "batch"),
        ("samples = ", "samples = 0 #", "samples"),
        ("cores = ", "cores = 0 #", "machine.cores"),
        ("peak_rss_mb = ", "peak_rss_mb = nan #", "peak_rss_mb"),
        (
            "runtime_load_ms = ",
            "runtime_load_ms = inf #",
            "runtime_load_ms",
        ),
        ("device = \"cpu\"", "device = \"cuda\"", "CPU latency point"),
    ];
    for (i, (from, to, field)) in cases.iter().enumerate() {
        // Latency fields are changed in the latency points, not in `cold_start`.
        let at = if [
            "batch = ",
            "samples = ",
            "mean_ms = ",
            "p95_ms = ",
            "p50_ms = ",
        ]
        .contains(from)
        {
            good.find("[[latency]]").unwrap()
        } else {
            0
        };
        let (head, tail) = good.split_at(at);
        let text = if *from == "device = \"cpu\"" {
            good.replace(from, to)
        } else {
            format!("{head}{}", tail.replacen(from, to, 1))
        };
        let name = format!("p{i}.toml");
        write(d.path(), &name, &text);
        write(d.path(), "t.csv", "t_s\n0.1\n0.2\n");
        let err = bad_input(
            d.path(),
            &["simulate", "--profile", &name, "--trace", "t.csv"],
        );
        assert!(err.contains(&name) && err.contains(field), "{field}: {err}");
    }
}

#[test]
fn control_bytes_in_input_are_escaped_in_errors() {
    let d = TempDir::new().unwrap();
    write(d.path(), "esc.csv", "t_s\n\u{1b}[2J\u{1b}[31m\n");
    let err = bad_input(d.path(), &["trace", "stats", "esc.csv"]);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("\\u{1b}"), "{err}");
    // A flag value reaches the message through clap.
    let err = bad_input(
        d.path(),
        &["trace", "stats", "esc.csv", "--window", "\u{1b}[2J"],
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn counts_import_is_capped_and_names_the_input_row() {
    let d = TempDir::new().unwrap();
    write(d.path(), "c.csv", "t_s,count\n0,1000000000\n");
    let err = bad_input(
        d.path(),
        &[
            "trace",
            "import",
            "counts",
            "c.csv",
            "--interval",
            "1",
            "-o",
            "out.csv",
        ],
    );
    assert!(
        err.contains("c.csv line 2") && err.contains("--max-requests"),
        "{err}"
    );
    write(d.path(), "far.csv", "t_s,count\n0,1\n1e13,1\n");
    let err = bad_input(
        d.path(),
        &["trace", "import", "counts", "far.csv", "-o", "out.csv"],
    );
    assert!(err.contains("far.csv line"), "{err}");
    assert!(!err.contains("out.csv"), "{err}");
    assert_eq!(names(d.path()), ["c.csv", "far.csv"]);
    // The flag raises the cap.
    write(d.path(), "small.csv", "t_s,count\n0,20\n");
    let err = bad_input(
        d.path(),
        &[
            "trace",
            "import",
            "counts",
            "small.csv",
            "--interval",
            "1",
            "--max-requests",
            "10",
            "-o",
            "s.csv",
        ],
    );
    assert!(err.contains("10"), "{err}");
    let o = run(
        d.path(),
        &[
            "trace",
            "import",
            "counts",
            "small.csv",
            "--interval",
            "1",
            "--max-requests",
            "20",
            "-o",
            "s.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn directory_output_is_bad_input_and_leaves_nothing() {
    let d = TempDir::new().unwrap();
    std::fs::create_dir(d.path().join("out")).unwrap();
    write(d.path(), "c.csv", "t_s,count\n0,3\n1,4\n");
    let err = bad_input(
        d.path(),
        &["trace", "import", "counts", "c.csv", "-o", "out", "--force"],
    );
    assert!(err.contains("is a directory"), "{err}");
    bad_input(
        d.path(),
        &[
            "trace",
            "gen",
            "--poisson",
            "5",
            "--duration",
            "2",
            "-o",
            "out",
            "--force",
        ],
    );
    assert!(names(&d.path().join("out")).is_empty());
    assert_eq!(names(d.path()), ["c.csv", "out"]);
}

#[test]
fn a_killed_trace_gen_leaves_nothing_behind() {
    let d = TempDir::new().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_advisor"))
        .current_dir(d.path())
        .args([
            "trace",
            "gen",
            "--poisson",
            "100000",
            "--duration",
            "9000",
            "-o",
            "big.csv",
        ])
        .spawn()
        .unwrap();
    // Wait until the partial file exists, then interrupt.
    for _ in 0..200 {
        if !names(d.path()).is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    send_signal(child.id() as i32, 15);
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
}

fn send_signal(pid: i32, sig: i32) {
    let ok = std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn directories_and_non_models_are_named_for_what_they_are() {
    let d = TempDir::new().unwrap();
    std::fs::create_dir(d.path().join("dir.onnx")).unwrap();
    let err = bad_input(d.path(), &["profile", "dir.onnx", "--no-tui"]);
    assert!(err.contains("is a directory"), "{err}");
    let err = bad_input(d.path(), &["models", "inspect", "dir.onnx"]);
    assert!(err.contains("is a directory"), "{err}");
    // A big file that is not a model is refused from its first bytes.
    let f = std::fs::File::create(d.path().join("sparse.onnx")).unwrap();
    f.set_len(1 << 30).unwrap();
    let err = bad_input(d.path(), &["models", "inspect", "sparse.onnx"]);
    assert!(err.contains("not an ONNX model"), "{err}");
}

#[test]
fn huge_input_dims_are_refused_before_allocating() {
    let d = TempDir::new().unwrap();
    let mut g = GraphBuilder::new("huge", 1);
    let x = g.input("x", data_type::FLOAT, &[D::N(1 << 62), D::N(4)]);
    g.node("Identity", &[&x], "y", vec![]);
    g.output("y", data_type::FLOAT, &[D::N(1 << 62), D::N(4)]);
    std::fs::write(
        d.path().join("huge.onnx"),
        g.finish("huge", "test model").encode_to_vec(),
    )
    .unwrap();
    let err = bad_input(
        d.path(),
        &["profile", "huge.onnx", "--no-tui", "--out", "p.toml"],
    );
    assert!(err.contains("input 'x'") && err.contains("bytes"), "{err}");
    assert!(!d.path().join("p.toml").exists());
}

fn runtime_available() -> bool {
    advisor()
        .args(["runtime", "info"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn inspect_check_asks_onnx_runtime() {
    if !runtime_available() {
        eprintln!("skipped: no ONNX Runtime");
        return;
    }
    let d = TempDir::new().unwrap();
    let o = run(d.path(), &["models", "build", "tiny-cnn", "-o", "t.onnx"]);
    assert!(o.status.success());
    let bytes = std::fs::read(d.path().join("t.onnx")).unwrap();
    // Same length, so the protobuf still decodes; the operator does not exist.
    let needle = b"Relu";
    let mut bad = bytes.clone();
    let mut i = 0;
    while i + needle.len() <= bad.len() {
        if &bad[i..i + needle.len()] == needle {
            bad[i..i + needle.len()].copy_from_slice(b"Rzzz");
        }
        i += 1;
    }
    std::fs::write(d.path().join("bad.onnx"), bad).unwrap();
    assert!(run(d.path(), &["models", "inspect", "bad.onnx"])
        .status
        .success());
    let err = bad_input(d.path(), &["models", "inspect", "--check", "bad.onnx"]);
    assert!(
        err.contains("bad.onnx") && err.contains("ONNX Runtime"),
        "{err}"
    );
    let o = run(
        d.path(),
        &["models", "inspect", "--check", "t.onnx", "--json"],
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["runtime_accepts"], true);
}

#[test]
fn huge_price_figures_are_refused_naming_the_field() {
    let d = TempDir::new().unwrap();
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/pricing/current.toml"))
            .unwrap();
    // The first price value in the file.
    let at = text.find("usd").expect("a USD unit in the shipped prices");
    let line_start = text[..at].rfind('\n').unwrap() + 1;
    let line_end = at + text[at..].find('\n').unwrap();
    let line = &text[line_start..line_end];
    let v0 = line.find("value = ").expect("value on the unit's line") + "value = ".len();
    let v1 = v0 + line[v0..].find([',', ' ', '}']).unwrap();
    let new_line = format!("{}1e308{}", &line[..v0], &line[v1..]);
    let text = text.replacen(line, &new_line, 1);
    write(d.path(), "p.toml", &text);
    write(d.path(), "t.csv", "t_s\n0.1\n0.2\n");
    let err = bad_input(
        d.path(),
        &[
            "simulate",
            "--profile",
            PROFILE,
            "--trace",
            "t.csv",
            "--pricing",
            "p.toml",
        ],
    );
    assert!(err.contains("p.toml") && err.contains("too large"), "{err}");
}
