//! `advisor runtime info` and `advisor runtime install`: discovery order,
//! provisioning into the cache, and the errors when nothing is found.
//!
//! These tests find the real runtime through the same discovery the product
//! uses (CI provisions it with `advisor runtime install` first).

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

use crate::common::advisor_own_runtime as advisor;

/// The library the default discovery finds on this machine.
fn real_library() -> PathBuf {
    let out = advisor()
        .args(["runtime", "info", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "no ONNX Runtime found; run `advisor runtime install` first: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    PathBuf::from(v["library"].as_str().unwrap())
}

fn info_json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.args(["runtime", "info", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// Runs and checks the bad-input contract: exit 2, one line on stderr.
fn fails_with_bad_input(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// A cache folder holding the real library where `runtime install` puts it.
fn cache_with_library(lib: &Path) -> TempDir {
    let cache = TempDir::new().unwrap();
    let capi = cache.path().join("onnxruntime-1.31.1/onnxruntime/capi");
    std::fs::create_dir_all(&capi).unwrap();
    std::os::unix::fs::symlink(lib, capi.join("libonnxruntime.so.1.31.1")).unwrap();
    cache
}

#[test]
fn info_reports_library_version_and_cpu_provider() {
    let v = info_json(&mut advisor());
    assert!(v["ort_version"].as_str().unwrap().starts_with("1."), "{v}");
    let providers: Vec<&str> = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(providers.contains(&"CPUExecutionProvider"), "{v}");
    assert!(v["library_mb"].as_f64().unwrap() > 1.0);
    assert!(["flag", "env", "cache", "python"].contains(&v["found_by"].as_str().unwrap()));
}

#[test]
fn discovery_order_flag_env_cache() {
    let lib = real_library();
    let empty = TempDir::new().unwrap();
    let cache = cache_with_library(&lib);

    // The cache is used when nothing more specific is given.
    let v = info_json(
        advisor()
            .env("ADVISOR_CACHE_DIR", cache.path())
            .env("ADVISOR_NO_PYTHON", "1"),
    );
    assert_eq!(v["found_by"], "cache");

    // ORT_DYLIB_PATH wins over the cache.
    let v = info_json(
        advisor()
            .env("ADVISOR_CACHE_DIR", cache.path())
            .env("ORT_DYLIB_PATH", &lib),
    );
    assert_eq!(v["found_by"], "env");

    // --ort-lib wins over everything.
    let v = info_json(
        advisor()
            .env("ADVISOR_CACHE_DIR", empty.path())
            .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
            .arg("--ort-lib")
            .arg(&lib),
    );
    assert_eq!(v["found_by"], "flag");
}

#[test]
fn nothing_found_says_how_to_fix_it() {
    let empty = TempDir::new().unwrap();
    let err = fails_with_bad_input(
        advisor()
            .env("ADVISOR_CACHE_DIR", empty.path())
            .env("ADVISOR_NO_PYTHON", "1")
            .args(["runtime", "info"]),
    );
    assert!(err.contains("no ONNX Runtime library found"), "{err}");
    assert!(
        err.contains("run `advisor runtime install` or pass --ort-lib FILE"),
        "{err}"
    );
}

#[test]
fn a_python_without_onnxruntime_is_passed_over() {
    let empty = TempDir::new().unwrap();
    let bin = TempDir::new().unwrap();
    let python = bin.path().join("python3");
    std::fs::write(&python, "#!/bin/sh\necho ''\n").unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = fails_with_bad_input(
        advisor()
            .env("ADVISOR_CACHE_DIR", empty.path())
            .env("ADVISOR_PYTHON", &python)
            .args(["runtime", "info"]),
    );
    assert!(err.contains("no ONNX Runtime library found"), "{err}");
}

#[test]
fn wrong_library_files_are_clear_errors() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("libonnxruntime.so");
    let err = fails_with_bad_input(
        advisor()
            .arg("--ort-lib")
            .arg(&missing)
            .args(["runtime", "info"]),
    );
    assert!(
        err.contains("--ort-lib") && err.contains("no such file"),
        "{err}"
    );

    let err = fails_with_bad_input(
        advisor()
            .env("ORT_DYLIB_PATH", &missing)
            .args(["runtime", "info"]),
    );
    assert!(err.contains("ORT_DYLIB_PATH"), "{err}");

    let text = dir.path().join("notalib.so");
    std::fs::write(&text, "not a library").unwrap();
    let err = fails_with_bad_input(
        advisor()
            .arg("--ort-lib")
            .arg(&text)
            .args(["runtime", "info"]),
    );
    assert!(err.contains("not a loadable library"), "{err}");
}

/// A stand-in for `python3 -m pip install --target DIR ...` that creates the
/// library file where the wheel would, and records that it ran.
fn fake_pip(dir: &Path) -> PathBuf {
    let script = dir.join("python3");
    std::fs::write(
        &script,
        "#!/bin/sh\n\
         echo \"$@\" >> \"$(dirname \"$0\")/calls\"\n\
         while [ $# -gt 0 ]; do\n\
           if [ \"$1\" = --target ]; then t=\"$2\"; fi\n\
           shift\n\
         done\n\
         mkdir -p \"$t/onnxruntime/capi\" \"$t/numpy\" && echo lib > \"$t/onnxruntime/capi/libonnxruntime.so.1.31.1\"\n\
         echo 'Successfully installed onnxruntime-1.31.1'\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn install_puts_the_library_in_the_cache_once() {
    let cache = TempDir::new().unwrap();
    let bin = TempDir::new().unwrap();
    let python = fake_pip(bin.path());
    let run = || {
        let out = advisor()
            .env("ADVISOR_CACHE_DIR", cache.path())
            .env("ADVISOR_PYTHON", &python)
            .args(["runtime", "install", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // pip's own output goes to stderr, keeping stdout one JSON document.
        assert!(String::from_utf8_lossy(&out.stderr).contains("Successfully installed"));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let first = run();
    assert_eq!(first["installed_now"], true);
    let lib = cache
        .path()
        .join("onnxruntime-1.31.1/onnxruntime/capi/libonnxruntime.so.1.31.1");
    assert!(lib.is_file());
    let calls = std::fs::read_to_string(bin.path().join("calls")).unwrap();
    assert!(calls.contains("-m pip install --no-deps"), "{calls}");
    assert!(calls.contains("onnxruntime==1.31.1"), "{calls}");
    // The numpy ONNX Runtime imports comes along: the profiler times both.
    assert!(calls.contains("numpy==2.4.6"), "{calls}");

    // Second time: already there, pip not run again.
    let out = advisor()
        .env("ADVISOR_CACHE_DIR", cache.path())
        .env("ADVISOR_PYTHON", &python)
        .args(["runtime", "install"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("already installed"));
    let calls = std::fs::read_to_string(bin.path().join("calls")).unwrap();
    assert_eq!(calls.lines().count(), 1);
    // No scratch folder left behind.
    let leftovers: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn install_without_python_fails_and_leaves_no_cache() {
    let cache = TempDir::new().unwrap();
    let out = advisor()
        .env("ADVISOR_CACHE_DIR", cache.path())
        .env("ADVISOR_PYTHON", "/nonexistent/python3")
        .args(["runtime", "install"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot run"), "{err}");
    assert!(!cache.path().join("onnxruntime-1.31.1").exists());
}
