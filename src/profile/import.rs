//! What a function pays before the model: importing the runtime, and the
//! size of the package it deploys.
//!
//! A Python function imports `onnxruntime` and `numpy` in a fresh interpreter
//! before its handler runs. When the ONNX Runtime library sits inside a Python
//! package (`.../onnxruntime/capi/libonnxruntime.so*`, as `advisor runtime
//! install` and pip leave it), that import is timed in fresh `python3`
//! processes with the package's folder first on `PYTHONPATH`; otherwise (or
//! when the import fails, e.g. numpy is missing) the native library load the
//! cold-start probes timed stands for it. The package is measured on disk:
//! the runtime's folder, numpy's (with its bundled libraries) and the model.

use super::stats::{round3, summarize};
use super::ColdStart;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Bytes in the MB of the profile's sizes (2^20, as the providers' limits use).
const MB: f64 = 1_048_576.0;

/// The runtime import a function would do, and its deployment package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeImport {
    /// What was imported, e.g. "python3 import onnxruntime 1.31.1, numpy 2.4.6"
    /// or "native library load".
    pub what: String,
    /// Median import time in a fresh process on this machine, ms.
    pub import_ms: f64,
    /// [min, max] over the trials, ms.
    pub spread_ms: [f64; 2],
    /// Fresh processes the median comes from.
    pub trials: u32,
    /// The runtime's files on disk (the Python package, or the library), MB.
    pub runtime_mb: f64,
    /// numpy with its bundled libraries, MB (0 without Python).
    pub numpy_mb: f64,
    /// The model file, MB.
    pub model_mb: f64,
}

impl RuntimeImport {
    /// True when this is the Python import a function pays (not the native
    /// library load that stands in without a Python runtime).
    pub fn is_python(&self) -> bool {
        self.what.starts_with("python")
    }

    /// The unzipped deployment package: runtime, numpy and model, MB.
    pub fn package_mb(&self) -> f64 {
        self.runtime_mb + self.numpy_mb + self.model_mb
    }

    /// The package without the model (which a function may download instead), MB.
    pub fn libraries_mb(&self) -> f64 {
        self.runtime_mb + self.numpy_mb
    }
}

/// Measures the import and package (see [`measure`]) into `cold`, whose
/// native library load stands for the import where Python cannot do it.
pub fn attach(
    cold: &mut ColdStart,
    lib: &Path,
    model: &Path,
    trials: u32,
    notes: &mut Vec<String>,
) {
    let spread = cold.spread_ms.get("runtime_load_ms").copied();
    let native = (cold.runtime_load_ms, spread.unwrap_or([0.0; 2]));
    cold.import = measure(lib, model, trials, native, notes);
}

/// Times `trials` fresh-process imports of the runtime at `lib` and sizes the
/// package with `model`. `native_ms` (the probes' library load) stands for
/// the import where no Python package holds the library; `notes` gets why.
pub fn measure(
    lib: &Path,
    model: &Path,
    trials: u32,
    native_ms: (f64, [f64; 2]),
    notes: &mut Vec<String>,
) -> Option<RuntimeImport> {
    if trials == 0 {
        return None;
    }
    let model_mb = file_mb(model);
    let native = |notes: &mut Vec<String>, why: String| {
        notes.push(format!(
            "runtime import: {why}; the native library load stands for it"
        ));
        RuntimeImport {
            what: "native library load".into(),
            import_ms: native_ms.0,
            spread_ms: native_ms.1,
            trials,
            runtime_mb: round3(file_mb(lib)),
            numpy_mb: 0.0,
            model_mb: round3(model_mb),
        }
    };
    let Some(site) = python_site(lib) else {
        return Some(native(
            notes,
            "the library is not inside a Python package".into(),
        ));
    };
    let mut times = Vec::with_capacity(trials as usize);
    let mut last = None;
    for _ in 0..trials {
        match python_import(&site) {
            Ok(r) => {
                times.push(r.import_ms);
                last = Some(r);
            }
            Err(why) => return Some(native(notes, why)),
        }
    }
    let r = last?;
    let s = summarize(&times);
    notes.push(format!(
        "runtime import: {trials} fresh python3 processes, `import onnxruntime, numpy` with {} first on PYTHONPATH",
        site.display()
    ));
    Some(RuntimeImport {
        what: format!(
            "python3 import onnxruntime {}, numpy {}",
            r.onnxruntime, r.numpy
        ),
        import_ms: round3(s.p50),
        spread_ms: [round3(s.min), round3(s.max)],
        trials,
        runtime_mb: round3(dir_mb(Path::new(&r.onnxruntime_dir))),
        numpy_mb: round3(numpy_mb(Path::new(&r.numpy_dir))),
        model_mb: round3(model_mb),
    })
}

/// The folder to put on `PYTHONPATH` when `lib` is
/// `SITE/onnxruntime/capi/libonnxruntime.so*`.
fn python_site(lib: &Path) -> Option<PathBuf> {
    let capi = lib.parent()?;
    let pkg = capi.parent()?;
    (capi.file_name()? == "capi" && pkg.file_name()? == "onnxruntime")
        .then(|| pkg.parent().map(Path::to_path_buf))
        .flatten()
}

/// What one fresh interpreter reported.
#[derive(Debug, Deserialize)]
struct PyImport {
    import_ms: f64,
    onnxruntime: String,
    numpy: String,
    onnxruntime_dir: String,
    numpy_dir: String,
}

/// The import is timed inside the interpreter, so the interpreter's own
/// start (the platform's runtime init, counted apart) is left out.
const SCRIPT: &str = "import time, json, os\n\
t = time.perf_counter()\n\
import onnxruntime, numpy\n\
ms = (time.perf_counter() - t) * 1e3\n\
print(json.dumps({'import_ms': ms, 'onnxruntime': onnxruntime.__version__, 'numpy': numpy.__version__, \
'onnxruntime_dir': os.path.dirname(onnxruntime.__file__), 'numpy_dir': os.path.dirname(numpy.__file__)}))\n";

fn python_import(site: &Path) -> Result<PyImport, String> {
    let path = match std::env::var_os("PYTHONPATH") {
        Some(rest) if !rest.is_empty() => {
            let mut all = vec![site.to_path_buf()];
            all.extend(std::env::split_paths(&rest));
            std::env::join_paths(all).map_err(|e| e.to_string())?
        }
        _ => site.as_os_str().to_owned(),
    };
    let out = Command::new(crate::runtime::python())
        .args(["-c", SCRIPT])
        .env("PYTHONPATH", path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("python3 could not be started ({e})"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
        return Err(format!(
            "`import onnxruntime, numpy` failed ({})",
            crate::escape::escape_controls(last.unwrap_or("no message").trim())
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("python3's report unreadable ({e})"))
}

/// numpy's folder plus the `numpy.libs` beside it (the wheel's bundled BLAS).
fn numpy_mb(dir: &Path) -> f64 {
    let libs = dir.with_file_name("numpy.libs");
    dir_mb(dir) + if libs.is_dir() { dir_mb(&libs) } else { 0.0 }
}

fn file_mb(path: &Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / MB)
        .unwrap_or(0.0)
}

/// Bytes of the regular files under `dir`, MB (links not followed).
pub fn dir_mb(dir: &Path) -> f64 {
    fn walk(dir: &Path) -> u64 {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => walk(&e.path()),
                Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
                _ => 0,
            })
            .sum()
    }
    walk(dir) as f64 / MB
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_python_site_is_found_only_inside_a_package() {
        let lib = Path::new("/x/site/onnxruntime/capi/libonnxruntime.so.1.31.1");
        assert_eq!(python_site(lib), Some(PathBuf::from("/x/site")));
        assert_eq!(python_site(Path::new("/usr/lib/libonnxruntime.so")), None);
    }

    #[test]
    fn a_library_outside_python_falls_back_to_the_native_load() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("libonnxruntime.so");
        let model = dir.path().join("m.onnx");
        std::fs::write(&lib, vec![0u8; 2 * 1_048_576]).unwrap();
        std::fs::write(&model, vec![0u8; 1_048_576]).unwrap();
        let mut notes = Vec::new();
        let r = measure(&lib, &model, 3, (12.5, [11.0, 14.0]), &mut notes).unwrap();
        assert_eq!(r.what, "native library load");
        assert_eq!(r.import_ms, 12.5);
        assert_eq!(r.package_mb(), 3.0);
        assert_eq!(r.libraries_mb(), 2.0);
        assert!(
            notes[0].contains("not inside a Python package"),
            "{notes:?}"
        );
        assert!(measure(&lib, &model, 0, (1.0, [1.0, 1.0]), &mut notes).is_none());
    }

    #[test]
    fn sizes_count_every_file_below_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a"), vec![0u8; 524_288]).unwrap();
        std::fs::write(dir.path().join("sub").join("b"), vec![0u8; 524_288]).unwrap();
        assert_eq!(dir_mb(dir.path()), 1.0);
    }
}
