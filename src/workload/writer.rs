//! Writing a trace CSV row by row, in constant memory.

use super::parse::{format_micros, MAX_TIME_S};
use super::reader::{CLASS_COLUMN, TIME_COLUMN};
use crate::error::bad_input;
use crate::fsio::NewFile;
use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Output buffer size.
const BUF_BYTES: usize = 1 << 17;

/// Where rows go: bytes straight into a buffer when every field is a number
/// (nothing to quote, twice as fast), the `csv` writer when class names need quoting.
enum Sink {
    Plain(BufWriter<File>),
    Csv(Box<csv::Writer<File>>),
}

/// Writes a trace CSV (`t_s` with 6 decimals, and `class` when asked) row by row.
///
/// Rows go to a hidden file beside the target, renamed into place by
/// [`TraceWriter::finish`], so a failed or interrupted run never leaves half a
/// trace under the requested name. Dropping the writer unfinished removes the
/// hidden file.
pub struct TraceWriter {
    target: PathBuf,
    partial: Option<NewFile>,
    sink: Option<Sink>,
    rows: u64,
    last_s: f64,
}

impl TraceWriter {
    /// Starts a trace at `path`; `with_class` adds a `class` column.
    pub fn create(path: &Path, with_class: bool) -> Result<Self> {
        // Callers ask about replacing an existing file before generating anything.
        let mut partial = NewFile::create(path, true)?;
        let file = partial.take_file();
        let mut this = TraceWriter {
            target: path.to_path_buf(),
            partial: Some(partial),
            sink: None,
            rows: 0,
            last_s: 0.0,
        };
        let sink = if with_class {
            let mut w = csv::WriterBuilder::new()
                .buffer_capacity(BUF_BYTES)
                .from_writer(file);
            w.write_record([TIME_COLUMN, CLASS_COLUMN])
                .map_err(|e| this.io_error(e))?;
            Sink::Csv(Box::new(w))
        } else {
            let mut w = BufWriter::with_capacity(BUF_BYTES, file);
            writeln!(w, "{TIME_COLUMN}").map_err(|e| this.io_error(e))?;
            Sink::Plain(w)
        };
        this.sink = Some(sink);
        Ok(this)
    }

    /// Appends one arrival (and its class when the trace has a `class` column).
    #[inline]
    pub fn push(&mut self, t_s: f64, class: Option<&str>) -> Result<()> {
        let mut buf = [0u8; 32];
        let Some(n) = format_micros(t_s, &mut buf) else {
            // Such a time comes from the user's input or flags (a tiny --speed, say).
            return Err(bad_input(format!(
                "{}: arrival time {t_s} s is outside 0..={MAX_TIME_S} s and cannot be written",
                self.target.display()
            )));
        };
        let res = match self.sink.as_mut().expect("writer is open until finish") {
            Sink::Plain(w) => {
                buf[n] = b'\n';
                w.write_all(&buf[..=n]).map_err(csv::Error::from)
            }
            Sink::Csv(w) => w.write_record([&buf[..n], class.unwrap_or("").as_bytes()]),
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
        let flushed = match self.sink.take().expect("writer is open until finish") {
            Sink::Plain(w) => w.into_inner().map(drop).map_err(|e| e.into_error()),
            Sink::Csv(w) => w.into_inner().map(drop).map_err(|e| e.into_error()),
        };
        if let Err(e) = flushed {
            anyhow::bail!("{}: cannot write: {e}", self.target.display());
        }
        let partial = self.partial.take().expect("open until finish");
        partial.commit().with_context(|| {
            format!(
                "{}: cannot move the trace into place",
                self.target.display()
            )
        })?;
        Ok(self.rows)
    }

    #[cold]
    fn io_error(&self, e: impl std::fmt::Display) -> anyhow::Error {
        anyhow::anyhow!("{}: cannot write: {e}", self.target.display())
    }
}

impl Drop for TraceWriter {
    fn drop(&mut self) {
        // Close the file before the NewFile in `partial` removes it.
        self.sink.take();
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
    fn unwritable_path_is_bad_input() {
        let e = TraceWriter::create(Path::new("no/such/dir/t.csv"), false)
            .err()
            .unwrap();
        assert_eq!(crate::error::exit_code(&e), crate::error::EXIT_BAD_INPUT);
        assert!(e.to_string().contains("no/such/dir/t.csv"), "{e}");
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
