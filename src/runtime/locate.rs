//! Where the ONNX Runtime library is: the discovery order and the rule that found it.

use crate::error::bad_input;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The ONNX Runtime release advisor is built against and provisions.
pub const ORT_RELEASE: &str = "1.31.1";

/// The numpy installed beside it: ONNX Runtime's Python package imports
/// numpy, and a function's cold start pays for both, so the profiler times
/// `import onnxruntime, numpy` from the same folder.
pub const NUMPY_RELEASE: &str = "2.4.6";

/// Environment variable naming the library file (shared with the `ort` crate).
pub const ENV_DYLIB: &str = "ORT_DYLIB_PATH";
/// Environment variable overriding advisor's cache folder.
pub const ENV_CACHE: &str = "ADVISOR_CACHE_DIR";
/// Environment variable naming the Python interpreter to ask (default `python3`).
pub const ENV_PYTHON: &str = "ADVISOR_PYTHON";
/// Set to any non-empty value to skip asking Python for its `onnxruntime` package.
pub const ENV_NO_PYTHON: &str = "ADVISOR_NO_PYTHON";

/// Which discovery rule found the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// The `--ort-lib` flag.
    Flag,
    /// The `ORT_DYLIB_PATH` environment variable.
    Env,
    /// advisor's own cache, filled by `advisor runtime install`.
    Cache,
    /// The `onnxruntime` package of the active Python.
    Python,
}

impl fmt::Display for FoundBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FoundBy::Flag => "--ort-lib",
            FoundBy::Env => ENV_DYLIB,
            FoundBy::Cache => "advisor's runtime cache",
            FoundBy::Python => "python3's onnxruntime package",
        })
    }
}

/// A runtime library file and the rule that found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// The library file (absolute when it could be made so).
    pub path: PathBuf,
    /// The rule that found it.
    pub found_by: FoundBy,
}

/// advisor's cache folder: `$ADVISOR_CACHE_DIR`, else `$XDG_CACHE_HOME/advisor`,
/// else `~/.cache/advisor`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = non_empty_env(ENV_CACHE) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = non_empty_env("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("advisor");
    }
    let home = non_empty_env("HOME").unwrap_or_else(|| ".".into());
    PathBuf::from(home).join(".cache").join("advisor")
}

/// The folder `advisor runtime install` fills (pip's `--target`).
pub fn install_dir() -> PathBuf {
    cache_dir().join(format!("onnxruntime-{ORT_RELEASE}"))
}

/// Where the library sits inside the provisioned folder.
pub fn cached_library() -> PathBuf {
    install_dir()
        .join("onnxruntime")
        .join("capi")
        .join(format!("libonnxruntime.so.{ORT_RELEASE}"))
}

/// Finds the library: `explicit` (the `--ort-lib` flag), then `ORT_DYLIB_PATH`,
/// then advisor's cache, then the `onnxruntime` package of `python3`.
///
/// A flag or variable naming a file that does not exist is an error rather
/// than a reason to look further: the user asked for that file.
pub fn locate(explicit: Option<&Path>) -> anyhow::Result<Located> {
    if let Some(path) = explicit {
        return existing(path, FoundBy::Flag, "--ort-lib");
    }
    if let Some(value) = non_empty_env(ENV_DYLIB) {
        return existing(Path::new(&value), FoundBy::Env, ENV_DYLIB);
    }
    let cached = cached_library();
    if cached.is_file() {
        return Ok(Located {
            path: cached,
            found_by: FoundBy::Cache,
        });
    }
    if let Some(path) = python_library() {
        return Ok(Located {
            path,
            found_by: FoundBy::Python,
        });
    }
    Err(bad_input(format!(
        "no ONNX Runtime library found (looked in: --ort-lib, {ENV_DYLIB}, {}, python3's onnxruntime); \
         run `advisor runtime install` or pass --ort-lib FILE",
        install_dir().display()
    )))
}

fn existing(path: &Path, found_by: FoundBy, what: &str) -> anyhow::Result<Located> {
    if !path.is_file() {
        return Err(bad_input(format!(
            "{what} {}: no such file; expected the ONNX Runtime library (libonnxruntime.so)",
            path.display()
        )));
    }
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(Located { path, found_by })
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The Python interpreter to ask: `$ADVISOR_PYTHON` or `python3`.
pub fn python() -> String {
    non_empty_env(ENV_PYTHON).unwrap_or_else(|| "python3".into())
}

/// The library inside the active Python's `onnxruntime` package, if any.
///
/// Asks for the package's folder without importing it: importing would pull
/// in numpy and take longer than the rest of the lookup.
fn python_library() -> Option<PathBuf> {
    if non_empty_env(ENV_NO_PYTHON).is_some() {
        return None;
    }
    let script = "import importlib.util as u\n\
                  s = u.find_spec('onnxruntime')\n\
                  print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')";
    let out = Command::new(python()).args(["-c", script]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8(out.stdout).ok()?;
    let dir = dir.trim();
    if dir.is_empty() {
        return None;
    }
    library_in(&Path::new(dir).join("capi"))
}

/// The runtime library in a wheel's `capi` folder: the versioned file when
/// present (the unversioned name is not shipped in the wheel).
pub fn library_in(capi: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(capi)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so"))
        })
        .collect();
    // The longest name is the most specific (libonnxruntime.so.1.31.1).
    found.sort_by_key(|p| p.as_os_str().len());
    found.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_in_prefers_the_versioned_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("libonnxruntime.so"), b"x").unwrap();
        std::fs::write(dir.path().join("libonnxruntime.so.1.31.1"), b"x").unwrap();
        std::fs::write(dir.path().join("libother.so"), b"x").unwrap();
        let got = library_in(dir.path()).unwrap();
        assert_eq!(got.file_name().unwrap(), "libonnxruntime.so.1.31.1");
    }

    #[test]
    fn library_in_empty_folder_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(library_in(dir.path()), None);
        assert_eq!(library_in(&dir.path().join("missing")), None);
    }

    #[test]
    fn explicit_missing_file_is_bad_input_naming_the_flag() {
        let err = locate(Some(Path::new("/nonexistent/libonnxruntime.so"))).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
        let msg = err.to_string();
        assert!(msg.contains("--ort-lib"), "{msg}");
        assert!(msg.contains("no such file"), "{msg}");
    }

    #[test]
    fn explicit_existing_file_is_found_by_flag() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("libonnxruntime.so");
        std::fs::write(&lib, b"x").unwrap();
        let got = locate(Some(&lib)).unwrap();
        assert_eq!(got.found_by, FoundBy::Flag);
        assert!(got.path.ends_with("libonnxruntime.so"));
    }
}
