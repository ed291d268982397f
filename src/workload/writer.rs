//! Writing a trace CSV row by row, in constant memory.

use super::parse::{format_micros, MAX_TIME_S};
use super::reader::{CLASS_COLUMN, TIME_COLUMN};
use anyhow::{Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Writes a trace CSV (`t_s` with 6 decimals, and `class` when asked) row by row.
///
/// Rows go to a hidden file beside the target, renamed into place by
/// [`TraceWriter::finish`], so a failed or interrupted run never leaves half a
/// trace under the requested name. Dropping the writer unfinished removes the
/// hidden file.
pub struct TraceWriter {
    target: PathBuf,
    partial: PathBuf,
    w: Option<csv::Writer<File>>,
    with_class: bool,
    rows: u64,
    last_s: f64,
}

impl TraceWriter {
    /// Starts a trace at `path`; `with_class` adds a `class` column.
    pub fn create(path: &Path, with_class: bool) -> Result<Self> {
        let name = path
            .file_name()
            .with_context(|| format!("{}: not a file name", path.display()))?;
        let partial = path.with_file_name(format!(
            ".{}.partial-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&partial)
            .with_context(|| format!("{}: cannot create the trace", path.display()))?;
        let mut w = csv::WriterBuilder::new()
            .buffer_capacity(1 << 17)
            .from_writer(file);
        let header: &[&str] = if with_class {
            &[TIME_COLUMN, CLASS_COLUMN]
        } else {
            &[TIME_COLUMN]
        };
        let mut this = TraceWriter {
            target: path.to_path_buf(),
            partial,
            w: None,
            with_class,
            rows: 0,
            last_s: 0.0,
        };
        w.write_record(header).map_err(|e| this.io_error(e))?;
        this.w = Some(w);
        Ok(this)
    }

    /// Appends one arrival (and its class when the trace has a `class` column).
    #[inline]
    pub fn push(&mut self, t_s: f64, class: Option<&str>) -> Result<()> {
        let mut buf = [0u8; 32];
        let Some(n) = format_micros(t_s, &mut buf) else {
            anyhow::bail!(
                "{}: arrival time {t_s} s is outside 0..={MAX_TIME_S} s and cannot be written",
                self.target.display()
            );
        };
        let w = self.w.as_mut().expect("writer is open until finish");
        let res = if self.with_class {
            w.write_record([&buf[..n], class.unwrap_or("").as_bytes()])
        } else {
            w.write_record(std::iter::once(&buf[..n]))
        };
        if let Err(e) = res {
            return Err(self.io_error(e));
        }
        self.rows += 1;
        self.last_s = t_s;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The time of the last row written (0 before any).
    pub fn last_s(&self) -> f64 {
        self.last_s
    }

    /// Flushes and moves the trace into place; returns the number of rows.
    pub fn finish(mut self) -> Result<u64> {
        let w = self.w.take().expect("writer is open until finish");
        let file = w.into_inner().map_err(|e| {
            anyhow::anyhow!("{}: cannot write: {}", self.target.display(), e.error())
        })?;
        file.sync_all().ok();
        drop(file);
        std::fs::rename(&self.partial, &self.target).with_context(|| {
            format!(
                "{}: cannot move the trace into place",
                self.target.display()
            )
        })?;
        Ok(self.rows)
    }

    #[cold]
    fn io_error(&self, e: csv::Error) -> anyhow::Error {
        anyhow::anyhow!("{}: cannot write: {e}", self.target.display())
    }
}

impl Drop for TraceWriter {
    fn drop(&mut self) {
        if self.w.is_some() {
            self.w = None;
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_six_decimals_and_moves_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = TraceWriter::create(&path, false).unwrap();
        assert!(!path.exists(), "nothing under the final name until finish");
        w.push(0.0, None).unwrap();
        w.push(1.5, None).unwrap();
        w.push(2.0000004, None).unwrap();
        assert_eq!(w.finish().unwrap(), 3);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "t_s\n0.000000\n1.500000\n2.000000\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn class_column_is_quoted_when_needed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = TraceWriter::create(&path, true).unwrap();
        w.push(1.0, Some("a,b")).unwrap();
        w.push(2.0, None).unwrap();
        w.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "t_s,class\n1.000000,\"a,b\"\n2.000000,\n");
    }

    #[test]
    fn unfinished_writer_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = TraceWriter::create(&path, false).unwrap();
        w.push(1.0, None).unwrap();
        assert!(w.push(f64::INFINITY, None).is_err());
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
