//! `advisor runtime install`: provisions ONNX Runtime into advisor's cache with pip.

use super::locate::{cached_library, install_dir, python, NUMPY_RELEASE, ORT_RELEASE};
use anyhow::{anyhow, Context};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What `install` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// The library was already in the cache; nothing ran.
    AlreadyPresent(PathBuf),
    /// pip installed it now.
    Installed(PathBuf),
}

/// Installs `onnxruntime==1.31.1` and the numpy it imports into advisor's
/// cache with `python3 -m pip install --target ... --no-deps`, showing
/// pip's output on stderr (stdout stays free for `--json`).
///
/// Idempotent: when the library and numpy are already there, nothing runs
/// (a cache filled without numpy is filled again). pip writes
/// into a scratch folder that is renamed into place only when it succeeded,
/// so an interrupted install never leaves a half-filled cache behind.
pub fn install() -> anyhow::Result<Installed> {
    let lib = cached_library();
    if lib.is_file() && install_dir().join("numpy").is_dir() {
        return Ok(Installed::AlreadyPresent(lib));
    }
    let target = install_dir();
    let parent = target
        .parent()
        .ok_or_else(|| anyhow!("{}: no parent folder", target.display()))?;
    std::fs::create_dir_all(parent)
        .with_context(|| format!("creating the cache folder {}", parent.display()))?;
    let scratch = parent.join(format!(
        "onnxruntime-{ORT_RELEASE}.partial-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&scratch);

    let py = python();
    let stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .context("duplicating stderr for pip")?;
    let status = Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--disable-pip-version-check",
        ])
        .arg("--target")
        .arg(&scratch)
        .arg(format!("onnxruntime=={ORT_RELEASE}"))
        .arg(format!("numpy=={NUMPY_RELEASE}"))
        .stdin(Stdio::null())
        .stdout(Stdio::from(stderr))
        .status()
        .map_err(|e| {
            anyhow!(
                "cannot run `{py} -m pip` ({e}); install Python 3 with pip, or get \
                 libonnxruntime.so {ORT_RELEASE} another way and pass --ort-lib FILE"
            )
        })?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&scratch);
        return Err(anyhow!(
            "`{py} -m pip install --target ... onnxruntime=={ORT_RELEASE} numpy=={NUMPY_RELEASE}` failed ({status}); \
             see pip's output above"
        ));
    }
    let _ = std::fs::remove_dir_all(&target);
    std::fs::rename(&scratch, &target)
        .with_context(|| format!("moving {} to {}", scratch.display(), target.display()))?;
    if !lib.is_file() {
        return Err(anyhow!(
            "pip finished but {} is missing; the onnxruntime wheel for this platform may \
             not ship it",
            lib.display()
        ));
    }
    Ok(Installed::Installed(lib))
}
