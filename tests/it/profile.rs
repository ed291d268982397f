//! `advisor profile` end to end, on models built by `advisor models build`
//! or put together here with the crate's graph builder.
//!
//! The runtime is found through the product's own discovery (CI provisions it
//! with `advisor runtime install`). Profiles are kept small: few runs, two
//! cold trials, one thread.

use advisor::model::build::graph::{GraphBuilder, D};
use advisor::model::proto::data_type;
use advisor::profile::npy::{self, NpyArray};
use advisor::profile::Profile;
use prost::Message;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Few runs, and no reference probe (the tests that need one ask for it).
const SMALL: &[&str] = &[
    "--runs",
    "5",
    "--batch",
    "1,2",
    "--threads",
    "1",
    "--no-probe",
];

/// `extra`, with `--cold-trials 2` added unless it sets the trials itself.
fn with_trials<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = extra.to_vec();
    if !v.contains(&"--cold-trials") {
        v.extend(["--cold-trials", "2"]);
    }
    v
}

use crate::common::advisor_own_runtime as advisor;

fn tiny_cnn(dir: &Path) -> PathBuf {
    let path = dir.join("tiny-cnn.onnx");
    advisor()
        .args(["models", "build", "tiny-cnn", "-o"])
        .arg(&path)
        .assert()
        .success();
    path
}

/// Writes a one-node (or few-node) model made with the graph builder.
fn write_model(dir: &Path, name: &str, build: impl FnOnce(&mut GraphBuilder)) -> PathBuf {
    let mut g = GraphBuilder::new(name, 1);
    build(&mut g);
    let path = dir.join(format!("{name}.onnx"));
    std::fs::write(&path, g.finish(name, "test model").encode_to_vec()).unwrap();
    path
}

/// Runs `advisor profile` and returns the JSON document it printed.
fn profile_json(model: &Path, out: &Path, extra: &[&str]) -> Value {
    let o = advisor()
        .arg("profile")
        .arg(model)
        .args(SMALL)
        .arg("--out")
        .arg(out)
        .args(with_trials(extra))
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("stdout is one JSON document")
}

/// Runs `advisor profile` expecting bad input: exit 2, one line, nothing on stdout.
fn profile_fails(model: &Path, dir: &Path, extra: &[&str]) -> String {
    let o = advisor()
        .arg("profile")
        .arg(model)
        .args(SMALL)
        .arg("--out")
        .arg(dir.join("never.toml"))
        .args(with_trials(extra))
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!dir.join("never.toml").exists());
    err
}

#[test]
fn tiny_cnn_profile_has_the_contract_fields_and_is_saved() {
    let dir = TempDir::new().unwrap();
    let model = tiny_cnn(dir.path());
    let out = dir.path().join("profiles").join("tiny.toml");
    let v = profile_json(&model, &out, &[]);

    assert_eq!(
        v["model"]["size_bytes"],
        std::fs::metadata(&model).unwrap().len()
    );
    assert_eq!(v["model"]["params"], 9098);
    assert!(v["runtime"]["ort_version"]
        .as_str()
        .unwrap()
        .starts_with("1."));
    let cold = &v["cold_start"];
    assert_eq!(cold["trials"], 2);
    for phase in ["runtime_load_ms", "session_create_ms", "first_inference_ms"] {
        assert!(cold[phase].as_f64().unwrap() > 0.0, "{phase}: {cold}");
        let [lo, hi] = [0, 1].map(|i| cold["spread_ms"][phase][i].as_f64().unwrap());
        let median = cold[phase].as_f64().unwrap();
        assert!(lo <= median && median <= hi, "{phase}: {cold}");
    }
    let latency = v["latency"].as_array().unwrap();
    assert_eq!(latency.len(), 2);
    for (p, batch) in latency.iter().zip([1, 2]) {
        assert_eq!(p["device"], "cpu");
        assert_eq!(p["threads"], 1);
        assert_eq!(p["batch"], batch);
        assert_eq!(p["samples"], 5);
        let [p50, p95, p99] = ["p50_ms", "p95_ms", "p99_ms"].map(|k| p[k].as_f64().unwrap());
        assert!(0.0 < p50 && p50 <= p95 && p95 <= p99, "{p}");
        assert!(p["mean_ms"].as_f64().unwrap() > 0.0);
    }
    assert!(v["peak_rss_mb"].as_f64().unwrap() > 10.0);
    assert!(v["optimization"]["all_session_ms"].as_f64().unwrap() > 0.0);

    // The saved TOML is the same profile.
    let saved = Profile::load(&out).unwrap();
    let printed: Profile = serde_json::from_value(v).unwrap();
    assert_eq!(saved, printed);
}

#[test]
fn existing_profile_is_not_overwritten_without_force() {
    let dir = TempDir::new().unwrap();
    let model = tiny_cnn(dir.path());
    let out = dir.path().join("keep.toml");
    std::fs::write(&out, "precious").unwrap();
    let o = advisor()
        .arg("profile")
        .arg(&model)
        .args(SMALL)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("already exists; pass --force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");

    profile_json(
        &model,
        &out,
        &["--force", "--cold-trials", "0", "--no-opt-effect"],
    );
    assert!(Profile::load(&out).is_ok());
}

#[test]
fn default_out_is_profiles_stem_and_plain_output_is_a_table() {
    let dir = TempDir::new().unwrap();
    let model = tiny_cnn(dir.path());
    let o = advisor()
        .current_dir(dir.path())
        .arg("profile")
        .arg(&model)
        .args(SMALL)
        .args(["--cold-trials", "1", "--no-tui"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("p50 ms"), "{text}");
    assert!(text.contains("load runtime"), "{text}");
    assert!(dir.path().join("profiles/tiny-cnn.toml").is_file());
}

#[test]
fn bad_model_files_are_one_line_errors() {
    let dir = TempDir::new().unwrap();
    let err = profile_fails(&dir.path().join("missing.onnx"), dir.path(), &[]);
    assert!(err.contains("missing.onnx: no such file"), "{err}");

    let text = dir.path().join("notes.onnx");
    std::fs::write(&text, "these are not the weights you are looking for").unwrap();
    let err = profile_fails(&text, dir.path(), &[]);
    assert!(err.contains("notes.onnx"), "{err}");

    let model = tiny_cnn(dir.path());
    let bytes = std::fs::read(&model).unwrap();
    let truncated = dir.path().join("truncated.onnx");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let err = profile_fails(&truncated, dir.path(), &[]);
    assert!(err.contains("truncated.onnx"), "{err}");
}

#[test]
fn string_inputs_are_refused() {
    let dir = TempDir::new().unwrap();
    let model = write_model(dir.path(), "strings", |g| {
        let s = g.input("text", data_type::STRING, &[D::S("batch")]);
        g.node("Identity", &[&s], "same", vec![]);
        g.output("same", data_type::STRING, &[D::S("batch")]);
    });
    let err = profile_fails(&model, dir.path(), &[]);
    assert!(err.contains("input 'text' is of type string"), "{err}");
}

#[test]
fn unresolvable_dims_ask_for_the_flag() {
    let dir = TempDir::new().unwrap();
    let model = write_model(dir.path(), "image", |g| {
        let x = g.input(
            "x",
            data_type::FLOAT,
            &[D::S("batch"), D::N(3), D::S("height"), D::S("width")],
        );
        g.node("Relu", &[&x], "y", vec![]);
        g.output(
            "y",
            data_type::FLOAT,
            &[D::S("batch"), D::N(3), D::S("height"), D::S("width")],
        );
    });
    let err = profile_fails(&model, dir.path(), &[]);
    assert!(err.contains("--dim height=N"), "{err}");

    let v = profile_json(
        &model,
        &dir.path().join("image.toml"),
        &[
            "--dim",
            "height=8",
            "--dim",
            "width=8",
            "--cold-trials",
            "1",
            "--no-opt-effect",
        ],
    );
    assert_eq!(v["model"]["inputs"][0], "x: float32[batch,3,8,8]");
}

/// A model whose sequence length must be at least 200: a Conv with a kernel
/// of width 200, like the STFT front end of a voice activity detector.
fn long_kernel_model(dir: &Path) -> PathBuf {
    write_model(dir, "audio", |g| {
        let x = g.input(
            "audio",
            data_type::FLOAT,
            &[D::S("batch"), D::N(1), D::S("seq")],
        );
        let w = g.weight("kernel", &[1, 1, 200], 0.1);
        g.node("Conv", &[&x, &w], "y", vec![]);
        g.output(
            "y",
            data_type::FLOAT,
            &[D::S("batch"), D::N(1), D::S("out")],
        );
    })
}

#[test]
fn a_guess_the_model_rejects_names_the_fix() {
    let dir = TempDir::new().unwrap();
    let model = long_kernel_model(dir.path());
    let err = profile_fails(&model, dir.path(), &[]);
    assert!(
        err.contains("the model failed on the inputs advisor made"),
        "{err}"
    );
    assert!(err.contains("--dim seq=N"), "{err}");

    let v = profile_json(
        &model,
        &dir.path().join("audio.toml"),
        &["--dim", "seq=256", "--cold-trials", "1", "--no-opt-effect"],
    );
    assert_eq!(v["model"]["inputs"][0], "audio: float32[batch,1,256]");
}

#[test]
fn shapes_fills_and_npy_inputs_feed_a_stateful_model() {
    let dir = TempDir::new().unwrap();
    // Shaped like silero-vad: unnamed dynamic dims, a state, a scalar rate.
    let model = write_model(dir.path(), "stateful", |g| {
        let x = g.input("input", data_type::FLOAT, &[D::S("?"), D::S("?")]);
        let s = g.input("state", data_type::FLOAT, &[D::N(2), D::S("?"), D::N(4)]);
        let sr = g.input("sr", data_type::INT64, &[]);
        g.node("Relu", &[&x], "y", vec![]);
        g.node("Neg", &[&s], "s2", vec![]);
        g.node("Identity", &[&sr], "sr2", vec![]);
        g.output("y", data_type::FLOAT, &[D::S("?"), D::S("?")]);
        g.output("s2", data_type::FLOAT, &[D::N(2), D::S("?"), D::N(4)]);
        g.output("sr2", data_type::INT64, &[]);
    });
    let err = profile_fails(&model, dir.path(), &[]);
    assert!(err.contains("pass --shape input="), "{err}");

    let state = dir.path().join("state.npy");
    std::fs::write(
        &state,
        npy::to_bytes(&NpyArray {
            dtype: advisor::model::DType::F32,
            shape: vec![2, 1, 4],
            data: vec![0; 32],
        }),
    )
    .unwrap();
    let v = profile_json(
        &model,
        &dir.path().join("stateful.toml"),
        &[
            "--shape",
            "input=1,512",
            "--input",
            &format!("state={}", state.display()),
            "--fill",
            "sr=16000",
            "--cold-trials",
            "1",
        ],
    );
    let inputs: Vec<&str> = v["model"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        [
            "input: float32[1,512]",
            "state: float32[2,1,4]",
            "sr: int64[]"
        ]
    );
    // No dynamic batch left: one point, and a note saying so.
    assert_eq!(v["latency"].as_array().unwrap().len(), 1);
    let notes = v["notes"].to_string();
    assert!(notes.contains("profiled at batch 1 only"), "{notes}");
    assert!(notes.contains("every element 16000"), "{notes}");

    // A .npy whose shape disagrees with the model is refused, naming both.
    let wrong = dir.path().join("wrong.npy");
    std::fs::write(
        &wrong,
        npy::to_bytes(&NpyArray {
            dtype: advisor::model::DType::F32,
            shape: vec![2, 1, 5],
            data: vec![0; 40],
        }),
    )
    .unwrap();
    let err = profile_fails(
        &model,
        dir.path(),
        &[
            "--shape",
            "input=1,512",
            "--input",
            &format!("state={}", wrong.display()),
        ],
    );
    assert!(err.contains("fixed at 4"), "{err}");
}

#[test]
fn half_precision_and_bool_inputs_run() {
    let dir = TempDir::new().unwrap();
    let model = write_model(dir.path(), "mixed", |g| {
        let h = g.input("h", data_type::FLOAT16, &[D::S("batch"), D::N(4)]);
        let b = g.input("flags", data_type::BOOL, &[D::S("batch"), D::N(4)]);
        g.node("Relu", &[&h], "h2", vec![]);
        g.node("Not", &[&b], "b2", vec![]);
        g.output("h2", data_type::FLOAT16, &[D::S("batch"), D::N(4)]);
        g.output("b2", data_type::BOOL, &[D::S("batch"), D::N(4)]);
    });
    let v = profile_json(
        &model,
        &dir.path().join("mixed.toml"),
        &["--cold-trials", "1"],
    );
    assert_eq!(v["model"]["inputs"][0], "h: float16[batch,4]");
    assert_eq!(v["model"]["inputs"][1], "flags: bool[batch,4]");
    assert_eq!(v["latency"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_flag_values_are_bad_input() {
    let dir = TempDir::new().unwrap();
    let model = tiny_cnn(dir.path());
    for (flag, expect) in [
        (vec!["--dim", "batch"], "expected NAME=VALUE"),
        (vec!["--fill", "input=lots"], "expected a number"),
        (vec!["--fill", "nope=1"], "has no input 'nope'"),
        (
            vec!["--shape", "input=1,x"],
            "comma-separated whole numbers",
        ),
        (vec!["--batch", "0"], "--batch"),
    ] {
        let err = profile_fails(&model, dir.path(), &flag);
        assert!(err.contains(expect), "{flag:?}: {err}");
    }
}

#[test]
fn no_runtime_is_bad_input_that_says_how_to_install_one() {
    let dir = TempDir::new().unwrap();
    let model = tiny_cnn(dir.path());
    let empty = TempDir::new().unwrap();
    let o = advisor()
        .env("ADVISOR_CACHE_DIR", empty.path())
        .env("ADVISOR_NO_PYTHON", "1")
        .arg("profile")
        .arg(&model)
        .args(SMALL)
        .arg("--out")
        .arg(dir.path().join("x.toml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("advisor runtime install"), "{err}");
}

#[test]
fn cuda_without_a_gpu_runtime_profiles_the_cpu_and_says_so() {
    let dir = TempDir::new().unwrap();
    let model = tiny_cnn(dir.path());
    let info = advisor()
        .args(["runtime", "info", "--json"])
        .output()
        .unwrap();
    let info: Value = serde_json::from_slice(&info.stdout).unwrap();
    let o = advisor()
        .arg("profile")
        .arg(&model)
        .args(SMALL)
        .args([
            "--device",
            "cuda",
            "--cold-trials",
            "1",
            "--no-opt-effect",
            "--json",
        ])
        .arg("--out")
        .arg(dir.path().join("gpu.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    if info["cuda"] == true {
        assert_eq!(v["latency"][0]["device"], "cuda");
    } else {
        assert_eq!(v["latency"][0]["device"], "cpu");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("GPU offers will be modelled"), "{err}");
    }
}

#[test]
fn probe_only_times_both_workloads_and_names_the_cpu() {
    let o = advisor()
        .args(["profile", "--probe-only", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(v["version"], 1);
    for k in ["conv_ms", "conv_p95_ms", "matmul_ms", "matmul_p95_ms"] {
        assert!(v[k].as_f64().unwrap() > 0.0, "{k}: {v}");
    }
    assert!(v["conv_ms"].as_f64() <= v["conv_p95_ms"].as_f64(), "{v}");
    for i in 0..2 {
        assert!(v["runs"][i].as_u64().unwrap() >= 10, "{v}");
    }
    assert!(v["cores"].as_u64().unwrap() >= 1);
    assert!(!v["cpu_model"].as_str().unwrap().is_empty());
    assert!(v["features"].is_array());
    // A model is not wanted beside it.
    let o = advisor()
        .args(["profile", "m.onnx", "--probe-only"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_profile_carries_its_probe_and_the_model_operator_mix() {
    let dir = TempDir::new().unwrap();
    let model = tiny_cnn(dir.path());
    let out = dir.path().join("tiny.toml");
    let o = advisor()
        .arg("profile")
        .arg(&model)
        .args(["--runs", "5", "--batch", "1", "--threads", "1"])
        .args(["--cold-trials", "0", "--no-opt-effect", "--out"])
        .arg(&out)
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["probe"]["conv_ms"].as_f64().unwrap() > 0.0, "{v}");
    assert!(v["probe"]["matmul_ms"].as_f64().unwrap() > 0.0, "{v}");
    // Two convolutions and a final fully connected layer: mostly convolution.
    let share = v["model"]["conv_flops_share"].as_f64().unwrap();
    assert!(share > 0.5 && share < 1.0, "{share}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("[probe]"), "{text}");
    assert!(Profile::load(&out).unwrap().probe.is_some());
}

/// The bundled MobileNetV2 profile with its 2-thread batch-1 point made
/// slower than 1 thread and widely spread: what a busy machine measures.
fn noisy_profile(dir: &Path) -> PathBuf {
    let text = include_str!("../../profiles/mobilenetv2.toml");
    let at = text
        .find("device = \"cpu\"\nthreads = 2\nbatch = 1\n")
        .unwrap();
    let (head, tail) = text.split_at(at);
    // The point's first figures of each kind, whatever the bundled values are.
    let mut todo = vec![
        ("mean_ms = ", "12.5"),
        ("p50_ms = ", "12.0"),
        ("p95_ms = ", "30.0"),
        ("p99_ms = ", "31.0"),
    ];
    let tail: String = tail
        .lines()
        .map(
            |line| match todo.iter().position(|(k, _)| line.starts_with(k)) {
                Some(i) => {
                    let (k, v) = todo.remove(i);
                    format!("{k}{v}\n")
                }
                None => format!("{line}\n"),
            },
        )
        .collect();
    let path = dir.join("noisy.toml");
    std::fs::write(&path, format!("{head}{tail}")).unwrap();
    path
}

#[test]
fn noise_warnings_reach_the_screen_text_simulate_and_the_advice() {
    let dir = TempDir::new().unwrap();
    let profile = noisy_profile(dir.path());
    let trace = dir.path().join("t.csv");
    advisor()
        .args(["trace", "gen", "--poisson", "5", "--duration", "20", "-o"])
        .arg(&trace)
        .assert()
        .success();
    let p = Profile::load(&profile).unwrap();
    let text = advisor::profile::summary::render(&p);
    assert!(
        text.contains("! implausible thread scaling: 2 threads measured slower than 1 at batch 1"),
        "{text}"
    );
    assert!(
        text.contains("! noisy measurement: cpu 2 threads, batch 1"),
        "{text}"
    );

    let o = advisor()
        .args([
            "simulate",
            "--offer",
            "aws-lambda-x86",
            "--json",
            "--profile",
        ])
        .arg(&profile)
        .arg("--trace")
        .arg(&trace)
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("warning: implausible thread scaling"), "{err}");
    // The bundled profile carries its reference probe, so no warning says it lacks one.
    assert!(!err.contains("no reference probe"), "{err}");

    let o = advisor()
        .args([
            "recommend",
            "--offer",
            "aws-lambda-x86",
            "--json",
            "--profile",
        ])
        .arg(&profile)
        .arg("--trace")
        .arg(&trace)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let warnings: Vec<&str> = v["profile_warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings
        .iter()
        .all(|w| w.contains("--runs") || w.contains("probe")));
    let notes = v["notes"].to_string();
    assert!(notes.contains("the profile warns (2)"), "{notes}");
}
