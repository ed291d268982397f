//! Writing a package folder: refused when it holds anything unless
//! `--force`; written beside it under a hidden name, then moved into place,
//! so a failed write leaves nothing half-made.

use super::{build, Request, Written};
use crate::error::bad_input;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// One file of a package.
pub struct PackageFile {
    /// Its name in the folder.
    pub name: &'static str,
    /// Its content.
    pub bytes: Vec<u8>,
    /// Whether it is a script to run.
    pub executable: bool,
}

impl PackageFile {
    /// A text file.
    pub fn text(name: &'static str, s: &str) -> Self {
        PackageFile {
            name,
            bytes: s.as_bytes().to_vec(),
            executable: false,
        }
    }
    /// A binary file.
    pub fn bytes(name: &'static str, bytes: Vec<u8>) -> Self {
        PackageFile {
            name,
            bytes,
            executable: false,
        }
    }
    /// A script.
    pub fn executable(name: &'static str, s: &str) -> Self {
        PackageFile {
            executable: true,
            ..Self::text(name, s)
        }
    }
}

/// Removes the staging folder unless it was moved into place.
struct Staging(Option<PathBuf>);

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

fn is_empty_dir(dir: &Path) -> anyhow::Result<Option<bool>> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(Some(entries.next().is_none())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(bad_input(format!(
            "{}: is a file; expected a folder for the package",
            dir.display()
        ))),
        Err(e) => Err(bad_input(format!("{}: cannot read it: {e}", dir.display()))),
    }
}

/// Checks `dir`, builds the package and writes it there.
pub fn write_package(req: &Request, dir: &Path, force: bool) -> anyhow::Result<Written> {
    let state = is_empty_dir(dir)?;
    if state == Some(false) && !force {
        return Err(bad_input(format!(
            "{} is not empty; pass --force to write the package into it (files of the same names are replaced)",
            dir.display()
        )));
    }
    let (settings, files, notes) = build(req)?;
    let name = dir
        .file_name()
        .with_context(|| format!("{}: not a folder name", dir.display()))?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = parent.join(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::create_dir(&staging).map_err(|e| {
        bad_input(format!(
            "{}: cannot create the package folder: {e}",
            dir.display()
        ))
    })?;
    let mut guard = Staging(Some(staging.clone()));
    for f in &files {
        let path = staging.join(f.name);
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
        if f.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    match state {
        None => std::fs::rename(&staging, dir),
        Some(true) => std::fs::remove_dir(dir).and_then(|()| std::fs::rename(&staging, dir)),
        Some(false) => files
            .iter()
            .try_for_each(|f| std::fs::rename(staging.join(f.name), dir.join(f.name))),
    }
    .with_context(|| format!("moving the package into {}", dir.display()))?;
    if state != Some(false) {
        guard.0 = None;
    }
    Ok(Written {
        dir: dir.display().to_string(),
        settings,
        files: files.iter().map(|f| f.name.to_string()).collect(),
        notes,
    })
}
