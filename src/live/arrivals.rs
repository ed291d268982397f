//! Arrival times of a trace CSV, streamed: a `t_s` column, one request per
//! row, seconds from the start, in order.

use crate::error::bad_input;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Streams the `t_s` column of a trace file, checking each value.
pub struct Arrivals {
    path: PathBuf,
    rows: csv::StringRecordsIntoIter<File>,
    column: usize,
    previous: f64,
}

impl Arrivals {
    /// Opens `path` and finds its `t_s` column.
    pub fn open(path: &Path) -> anyhow::Result<Arrivals> {
        let file = File::open(path)
            .map_err(|e| bad_input(format!("{}: cannot open the trace: {e}", path.display())))?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(file);
        let headers = reader
            .headers()
            .map_err(|e| bad_input(format!("{}: cannot read the header: {e}", path.display())))?;
        let column = headers.iter().position(|h| h == "t_s").ok_or_else(|| {
            bad_input(format!(
                "{}: line 1: no t_s column (expected a header naming t_s, arrival time in seconds)",
                path.display()
            ))
        })?;
        Ok(Arrivals {
            path: path.to_path_buf(),
            rows: reader.into_records(),
            column,
            previous: 0.0,
        })
    }

    /// Counts the rows and finds the last arrival, in one streaming pass.
    pub fn summary(path: &Path) -> anyhow::Result<(u64, f64)> {
        let mut n = 0;
        let mut last = 0.0;
        for t in Arrivals::open(path)? {
            last = t?;
            n += 1;
        }
        Ok((n, last))
    }
}

impl Iterator for Arrivals {
    type Item = anyhow::Result<f64>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.rows.next()?;
        let item = row
            .map_err(|e| bad_input(format!("{}: {e}", self.path.display())))
            .and_then(|r| {
                let line = r.position().map_or(0, |p| p.line());
                let field = r.get(self.column).unwrap_or("");
                let t: f64 = field.parse().ok().filter(|t: &f64| t.is_finite() && *t >= 0.0).ok_or_else(|| {
                    bad_input(format!(
                        "{}: line {line}: t_s '{field}' is not a time in seconds (a number >= 0)",
                        self.path.display()
                    ))
                })?;
                if t < self.previous {
                    return Err(bad_input(format!(
                        "{}: line {line}: t_s {t} is earlier than the row before ({}); the trace must be sorted by t_s",
                        self.path.display(),
                        self.previous
                    )));
                }
                self.previous = t;
                Ok(t)
            });
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, EXIT_BAD_INPUT};

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn reads_t_s_among_other_columns() {
        let f = file("id,t_s\na,0.5\nb,1.25\n");
        let t: Vec<f64> = Arrivals::open(f.path())
            .unwrap()
            .collect::<anyhow::Result<_>>()
            .unwrap();
        assert_eq!(t, vec![0.5, 1.25]);
        assert_eq!(Arrivals::summary(f.path()).unwrap(), (2, 1.25));
    }

    #[test]
    fn bad_rows_name_the_line() {
        let f = file("t_s\n0.5\nsoon\n");
        let e = Arrivals::open(f.path())
            .unwrap()
            .collect::<anyhow::Result<Vec<_>>>()
            .unwrap_err();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT);
        assert!(e.to_string().contains("line 3: t_s 'soon'"), "{e}");

        let f = file("t_s\n2\n1\n");
        let e = Arrivals::summary(f.path()).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(e.to_string().contains("sorted"), "{e}");

        let f = file("time\n1\n");
        let e = Arrivals::open(f.path()).err().unwrap();
        assert!(e.to_string().contains("no t_s column"), "{e}");
    }
}
