//! `advisor models build` and `advisor models inspect`, end to end.

use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

use crate::common::advisor;

fn build(model: &str, out: &Path) {
    advisor()
        .args(["models", "build", model, "-o"])
        .arg(out)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("wrote {model}")));
}

fn inspect_json(file: &Path, extra: &[&str]) -> Value {
    let out = advisor()
        .args(["models", "inspect", "--json"])
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

/// Runs `models inspect FILE` and checks the bad-input contract: exit 2, one
/// line on stderr naming the file, nothing on stdout.
fn inspect_fails(file: &Path) -> String {
    let out = advisor()
        .args(["models", "inspect"])
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("error: {}: ", file.display())),
        "{err}"
    );
    err
}

#[test]
fn tiny_cnn_builds_the_same_bytes_twice() {
    let dir = TempDir::new().unwrap();
    let (a, b) = (dir.path().join("a.onnx"), dir.path().join("b.onnx"));
    build("tiny-cnn", &a);
    build("tiny-cnn", &b);
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());
    assert!(bytes.len() < 200_000);
}

#[test]
fn build_refuses_to_overwrite_without_force() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("model.onnx");
    std::fs::write(&out, b"keep me").unwrap();
    let res = advisor()
        .args(["models", "build", "tiny-cnn", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8(res.stderr).unwrap();
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("already exists; pass --force"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");

    advisor()
        .args(["models", "build", "tiny-cnn", "--force", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert_ne!(std::fs::read(&out).unwrap(), b"keep me");
}

#[test]
fn build_into_a_missing_directory_is_bad_input() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("no/such/dir/model.onnx");
    advisor()
        .args(["models", "build", "tiny-cnn", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("directory does not exist"));
}

#[test]
fn build_json_is_one_document() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("t.onnx");
    let res = advisor()
        .args(["models", "build", "tiny-cnn", "--json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(res.status.success());
    let v: Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(v["model"], "tiny-cnn");
    assert_eq!(v["params"], 9098);
    assert_eq!(v["size_bytes"], std::fs::metadata(&out).unwrap().len());
}

#[test]
fn mobilenetv2_inspects_as_built() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("mobilenetv2.onnx");
    build("mobilenetv2", &out);
    let v = inspect_json(&out, &[]);
    assert_eq!(v["size_bytes"], std::fs::metadata(&out).unwrap().len());
    let params = v["params"].as_u64().unwrap();
    assert!((3_400_000..3_600_000).contains(&params), "{params}");
    assert_eq!(v["opset"], 17);
    assert_eq!(v["ops"]["Conv"], 52);
    assert_eq!(v["ops"]["Gemm"], 1);
    assert_eq!(v["inputs"][0]["name"], "input");
    assert_eq!(v["inputs"][0]["dtype"], "f32");
    assert_eq!(
        v["inputs"][0]["dims"],
        serde_json::json!([{"symbolic": "batch"}, {"fixed": 3}, {"fixed": 224}, {"fixed": 224}])
    );
    let gflops = v["flops_per_item"].as_f64().unwrap() / 1e9;
    assert!((0.58..0.62).contains(&gflops), "{gflops}");
    assert_eq!(v["flops_dims"]["batch"], 1);
    // Per item: binding the batch does not change the figure.
    let v4 = inspect_json(&out, &["--dim", "batch=4"]);
    assert_eq!(v4["flops_per_item"], v["flops_per_item"]);
    assert_eq!(v4["flops_dims"]["batch"], 4);
}

#[test]
fn albert_base_inspects_as_built() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("albert.onnx");
    build("albert-base", &out);
    let v = inspect_json(&out, &[]);
    let params = v["params"].as_u64().unwrap();
    assert!((11_000_000..12_000_000).contains(&params), "{params}");
    let names: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["input_ids", "attention_mask", "token_type_ids"]);
    assert!(v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["dtype"] == "i64"));
    assert_eq!(v["id_ranges"]["input_ids"], 30000);
    assert_eq!(v["id_ranges"]["token_type_ids"], 2);
    assert_eq!(v["ops"]["Softmax"], 12);
    assert_eq!(v["flops_dims"]["seq"], 128);
    // Longer sequences cost more than proportionally (attention is quadratic).
    let at128 = v["flops_per_item"].as_f64().unwrap();
    let at256 = inspect_json(&out, &["--dim", "seq=256"])["flops_per_item"]
        .as_f64()
        .unwrap();
    assert!(at256 > 2.0 * at128, "{at128} -> {at256}");
}

#[test]
fn inspect_prints_a_readable_summary() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("tiny.onnx");
    build("tiny-cnn", &out);
    advisor()
        .args(["models", "inspect"])
        .arg(&out)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("parameters  9,098")
                .and(predicate::str::contains("input  f32 [batch, 1, 28, 28]"))
                .and(predicate::str::contains("Conv 2")),
        );
}

#[test]
fn missing_file_is_bad_input() {
    let dir = TempDir::new().unwrap();
    let err = inspect_fails(&dir.path().join("absent.onnx"));
    assert!(err.contains("no such file"), "{err}");
}

#[test]
fn empty_file_is_bad_input() {
    let dir = TempDir::new().unwrap();
    let f = dir.path().join("empty.onnx");
    std::fs::write(&f, b"").unwrap();
    let err = inspect_fails(&f);
    assert!(err.contains("empty file"), "{err}");
}

#[test]
fn text_and_png_files_are_not_onnx() {
    let dir = TempDir::new().unwrap();
    let text = dir.path().join("notes.onnx");
    std::fs::write(&text, "name,value\nbatch,4\n").unwrap();
    assert!(inspect_fails(&text).contains("not an ONNX model"));
    let png = dir.path().join("image.png");
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 1, 0, 0, 0, 1, 0]);
    std::fs::write(&png, bytes).unwrap();
    assert!(inspect_fails(&png).contains("not an ONNX model"));
}

#[test]
fn truncated_model_is_bad_input() {
    let dir = TempDir::new().unwrap();
    let full = dir.path().join("full.onnx");
    build("tiny-cnn", &full);
    let bytes = std::fs::read(&full).unwrap();
    for (name, cut) in [
        ("half.onnx", bytes.len() / 2),
        ("most.onnx", bytes.len() - 5),
    ] {
        let f = dir.path().join(name);
        std::fs::write(&f, &bytes[..cut]).unwrap();
        let err = inspect_fails(&f);
        assert!(err.contains("truncated"), "{err}");
    }
}

#[test]
fn a_directory_is_bad_input() {
    let dir = TempDir::new().unwrap();
    inspect_fails(dir.path());
}

#[test]
fn bad_dim_flag_is_a_usage_error() {
    advisor()
        .args(["models", "inspect", "x.onnx", "--dim", "seq"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NAME=VALUE"));
}
