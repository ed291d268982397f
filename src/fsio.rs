//! Writing files so that a failed, refused or interrupted write leaves nothing behind.
//!
//! Every output goes to a hidden temporary file in the target's folder (so the
//! final rename stays on one filesystem and is atomic), registered so that
//! SIGINT, SIGTERM and SIGHUP remove it before the process exits
//! ([`install_signal_cleanup`]), and removed on every error path. A file the
//! user already has is replaced only when they passed `--force`.

use crate::error::bad_input;
use anyhow::Context;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Temporary files still being written, removed by the signal handler.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Makes temporary names unique within the process.
static SEQ: AtomicU64 = AtomicU64::new(0);

fn register(p: &Path) {
    // Installed with the first temporary file, not at start-up: a process-wide
    // signal handler would take Ctrl-C away from `serve` and `replay`, which
    // stop gracefully on it and never write through here while running.
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(install_signal_cleanup);
    if let Ok(mut v) = PENDING.lock() {
        v.push(p.to_path_buf());
    }
}

fn unregister(p: &Path) {
    if let Ok(mut v) = PENDING.lock() {
        v.retain(|q| q != p);
    }
}

/// Removes every temporary file still registered; returns how many there were.
pub fn remove_pending() -> usize {
    let Ok(mut v) = PENDING.lock() else {
        return 0;
    };
    let n = v.len();
    for p in v.drain(..) {
        let _ = std::fs::remove_file(p);
    }
    n
}

/// On SIGINT, SIGTERM or SIGHUP removes the temporary files being written,
/// then exits with 128 + the signal number as a shell would report it.
///
/// Without this, a killed `trace gen` or `trace import` leaves its hidden
/// partial output (gigabytes, for a big one) beside the target. It is
/// installed by the first temporary file a process creates, so commands that
/// handle Ctrl-C themselves (`serve`, `replay`) keep their own handling; the
/// TUI puts the terminal in raw mode, where Ctrl-C is a key, not a signal.
pub fn install_signal_cleanup() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            remove_pending();
            std::process::exit(128 + sig);
        }
    });
}

/// The hidden temporary name beside `path`.
fn temp_beside(path: &Path) -> anyhow::Result<PathBuf> {
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    Ok(path.with_file_name(format!(
        ".{}.partial-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )))
}

/// Refuses, before any work, a target that exists without `force` or is a directory.
pub fn check_target(path: &Path, force: bool) -> anyhow::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(bad_input(format!(
            "{}: is a directory; expected a file name",
            path.display()
        ))),
        Ok(_) if !force => Err(bad_input(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        ))),
        _ => Ok(()),
    }
}

fn open_error(path: &Path, e: std::io::Error) -> anyhow::Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => bad_input(format!(
            "{}: cannot create the file: its directory does not exist",
            path.display()
        )),
        std::io::ErrorKind::PermissionDenied
        | std::io::ErrorKind::IsADirectory
        | std::io::ErrorKind::NotADirectory
        | std::io::ErrorKind::ReadOnlyFilesystem => {
            bad_input(format!("{}: cannot create the file: {e}", path.display()))
        }
        _ => anyhow::Error::new(e).context(format!("creating {}", path.display())),
    }
}

/// A new file being written under a temporary name; [`NewFile::commit`] moves
/// it into place, dropping it uncommitted removes it.
pub struct NewFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
    force: bool,
}

impl NewFile {
    /// Starts writing `path`; fails at once (bad input) when it exists and
    /// `force` is off, is a directory, or its folder cannot take a new file.
    pub fn create(path: &Path, force: bool) -> anyhow::Result<Self> {
        check_target(path, force)?;
        let temp = temp_beside(path)?;
        register(&temp);
        let file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(f) => f,
            Err(e) => {
                unregister(&temp);
                return Err(open_error(path, e));
            }
        };
        Ok(NewFile {
            target: path.to_path_buf(),
            temp,
            file: Some(file),
            force,
        })
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The open temporary file.
    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("open until commit")
    }

    /// Takes the file out (to wrap it in a buffered writer); [`NewFile::commit`]
    /// still moves the temporary into place, so flush and drop the writer first.
    pub fn take_file(&mut self) -> File {
        self.file.take().expect("open until commit")
    }

    /// Syncs and moves the file into place. Without `force`, a file that
    /// appeared meanwhile is kept and this fails.
    pub fn commit(mut self) -> anyhow::Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all()
                .with_context(|| format!("writing {}", self.target.display()))?;
        }
        if self.force {
            std::fs::rename(&self.temp, &self.target).map_err(|e| open_error(&self.target, e))?;
        } else {
            // A hard link never replaces an existing file, unlike rename.
            match std::fs::hard_link(&self.temp, &self.target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.temp);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(bad_input(format!(
                        "{} already exists; pass --force to overwrite it",
                        self.target.display()
                    )));
                }
                // Filesystems without hard links: check, then rename.
                Err(_) => {
                    check_target(&self.target, false)?;
                    std::fs::rename(&self.temp, &self.target)
                        .map_err(|e| open_error(&self.target, e))?;
                }
            }
        }
        unregister(&self.temp);
        Ok(())
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        // After a successful commit the temporary is gone and this is a no-op.
        self.file.take();
        let _ = std::fs::remove_file(&self.temp);
        unregister(&self.temp);
    }
}

/// Writes `bytes` to a new file at `path` atomically; an existing file is
/// replaced only with `force`. On any failure nothing is left behind.
pub fn write_new(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    let mut f = NewFile::create(path, force)?;
    f.file()
        .write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn writes_and_refuses_to_overwrite() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.txt");
        write_new(&p, b"one", false).unwrap();
        let e = write_new(&p, b"two", false).unwrap_err();
        assert_eq!(crate::error::exit_code(&e), 2);
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_new(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(count(d.path()), 1);
    }

    #[test]
    fn directory_target_is_bad_input_even_with_force() {
        let d = tempfile::tempdir().unwrap();
        let e = write_new(d.path(), b"x", true).unwrap_err();
        assert_eq!(crate::error::exit_code(&e), 2, "{e}");
        assert!(e.to_string().contains("is a directory"), "{e}");
        assert_eq!(count(d.path()), 0);
    }

    #[test]
    fn uncommitted_file_is_removed_and_unregistered() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("b.txt");
        let mut f = NewFile::create(&p, false).unwrap();
        f.file().write_all(b"half").unwrap();
        assert_eq!(count(d.path()), 1);
        drop(f);
        assert_eq!(count(d.path()), 0);
        assert!(!PENDING
            .lock()
            .unwrap()
            .iter()
            .any(|q| q.starts_with(d.path())));
    }

    #[test]
    fn missing_folder_is_bad_input() {
        let e = write_new(Path::new("no/such/dir/x.txt"), b"x", false).unwrap_err();
        assert_eq!(crate::error::exit_code(&e), 2);
    }
}
