//! Streaming a trace CSV: one arrival time at a time, in constant memory.

use super::parse::{parse_time, show_field, TimeError};
use crate::error::bad_input;
use anyhow::Result;
use csv::ByteRecord;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The column that holds arrival times, in seconds from the start.
pub const TIME_COLUMN: &str = "t_s";
/// The optional column that names each request's class.
pub const CLASS_COLUMN: &str = "class";

/// Streams arrival times (seconds from the start) from a trace CSV in constant memory.
///
/// The file starts with a header naming a `t_s` column; other columns are
/// allowed (a `class` column is read by [`ArrivalReader::class`]). Times come
/// out in file order: see [`super::sorted_arrivals`] for sorted ones. Every
/// error names the file and the line, and is a
/// [`BadInput`](crate::error::BadInput). After the first error the iterator ends.
pub struct ArrivalReader {
    path: PathBuf,
    rdr: csv::Reader<File>,
    rec: ByteRecord,
    time_col: usize,
    class_col: Option<usize>,
    done: bool,
}

impl ArrivalReader {
    /// Opens `path` and checks its header.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| {
            bad_input(format!(
                "{}: cannot open the trace: {e}; expected a CSV file with a `t_s` column",
                path.display()
            ))
        })?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .buffer_capacity(1 << 18)
            .from_reader(file);
        let mut rec = ByteRecord::new();
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => {
                return Err(bad_input(format!(
                    "{}: empty file; expected a header line `t_s` then one arrival time per line",
                    path.display()
                )))
            }
            Err(e) => return Err(csv_error(path, e)),
        }
        let names = header_names(&rec);
        let time_col = match names.iter().position(|n| n == TIME_COLUMN) {
            Some(i) => i,
            None => return Err(header_error(path, &names)),
        };
        let class_col = names.iter().position(|n| n == CLASS_COLUMN);
        Ok(ArrivalReader {
            path: path.to_path_buf(),
            rdr,
            rec,
            time_col,
            class_col,
            done: false,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file has a `class` column.
    pub fn has_class(&self) -> bool {
        self.class_col.is_some()
    }

    /// The line of the row read last (1 is the header).
    pub fn line(&self) -> u64 {
        self.rec.position().map_or(1, |p| p.line())
    }

    /// The `class` of the row read last; `None` when the file has no `class` column.
    pub fn class(&self) -> Result<Option<&str>> {
        let Some(col) = self.class_col else {
            return Ok(None);
        };
        let raw = self.rec.get(col).unwrap_or_default();
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(Some(s.trim())),
            Err(_) => Err(bad_input(format!(
                "{} line {}, column {} (`{CLASS_COLUMN}`): not valid UTF-8; expected a class name",
                self.path.display(),
                self.line(),
                col + 1
            ))),
        }
    }

    #[cold]
    fn time_error(&self, why: TimeError) -> anyhow::Error {
        let field = self.rec.get(self.time_col).unwrap_or_default();
        let found = match why {
            TimeError::Empty => "an empty field".to_string(),
            TimeError::Negative => format!("a negative time \"{}\"", show_field(field)),
            TimeError::NotFinite | TimeError::NotANumber => format!("\"{}\"", show_field(field)),
        };
        bad_input(format!(
            "{} line {}, column {} (`{TIME_COLUMN}`): expected an arrival time in seconds (a finite number >= 0), found {found}",
            self.path.display(),
            self.line(),
            self.time_col + 1,
        ))
    }
}

impl Iterator for ArrivalReader {
    type Item = Result<f64>;

    #[inline]
    fn next(&mut self) -> Option<Result<f64>> {
        if self.done {
            return None;
        }
        match self.rdr.read_byte_record(&mut self.rec) {
            Ok(true) => {
                // `flexible(false)` guarantees every row has the header's width.
                let field = &self.rec[self.time_col];
                match parse_time(field) {
                    Ok(t) => Some(Ok(t)),
                    Err(why) => {
                        self.done = true;
                        Some(Err(self.time_error(why)))
                    }
                }
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(csv_error(&self.path, e)))
            }
        }
    }
}

/// Header names, trimmed, with a UTF-8 byte order mark removed.
pub(crate) fn header_names(rec: &ByteRecord) -> Vec<String> {
    rec.iter()
        .enumerate()
        .map(|(i, f)| {
            let f = if i == 0 {
                f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f)
            } else {
                f
            };
            String::from_utf8_lossy(f).trim().to_string()
        })
        .collect()
}

#[cold]
fn header_error(path: &Path, names: &[String]) -> anyhow::Error {
    let first = names.first().map(String::as_str).unwrap_or("");
    if first.parse::<f64>().is_ok() {
        bad_input(format!(
            "{} line 1: missing header: found the number \"{}\"; expected a header line naming a `t_s` column (arrival times in seconds)",
            path.display(),
            show_field(first.as_bytes())
        ))
    } else {
        bad_input(format!(
            "{} line 1: no `t_s` column in the header (found: {}); expected a column `t_s` of arrival times in seconds",
            path.display(),
            show_field(names.join(", ").as_bytes())
        ))
    }
}

/// Turns a CSV error into a one-line [`BadInput`](crate::error::BadInput)
/// naming the file and line (an I/O failure stays an ordinary error).
#[cold]
pub(crate) fn csv_error(path: &Path, e: csv::Error) -> anyhow::Error {
    let line = e.position().map(|p| p.line());
    let at = match line {
        Some(l) => format!("{} line {l}", path.display()),
        None => path.display().to_string(),
    };
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => bad_input(format!(
            "{at}: found {len} fields; expected {expected_len} like the header"
        )),
        csv::ErrorKind::Io(io) => anyhow::anyhow!("{at}: cannot read: {io}"),
        _ => bad_input(format!("{at}: malformed CSV: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, EXIT_BAD_INPUT};
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    fn read_all(text: &str) -> Result<Vec<f64>> {
        let f = file(text);
        ArrivalReader::open(f.path())?.collect()
    }

    fn error_of(text: &str) -> String {
        let e = read_all(text).unwrap_err();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT, "{e}");
        e.to_string()
    }

    #[test]
    fn reads_times_from_any_column_position() {
        assert_eq!(read_all("t_s\n0.5\n1.25\n").unwrap(), vec![0.5, 1.25]);
        assert_eq!(
            read_all("id,t_s,class\n1,0.5,a\n2,3,b\n").unwrap(),
            vec![0.5, 3.0]
        );
        assert_eq!(read_all("\u{feff}t_s\r\n2\r\n").unwrap(), vec![2.0]);
        assert!(read_all("t_s\n").unwrap().is_empty());
    }

    #[test]
    fn class_column_is_available_per_row() {
        let f = file("t_s,class\n0.5,small\n1,large\n");
        let mut r = ArrivalReader::open(f.path()).unwrap();
        assert!(r.has_class());
        assert_eq!(r.next().unwrap().unwrap(), 0.5);
        assert_eq!(r.class().unwrap(), Some("small"));
        assert_eq!(r.line(), 2);
        assert_eq!(r.next().unwrap().unwrap(), 1.0);
        assert_eq!(r.class().unwrap(), Some("large"));
        assert!(r.next().is_none());
    }

    #[test]
    fn bad_values_name_file_line_and_column() {
        let e = error_of("t_s\n1\nabc\n");
        assert!(e.contains("line 3, column 1 (`t_s`)"), "{e}");
        assert!(e.contains("\"abc\""), "{e}");
        let e = error_of("x,t_s\n1,1\n2,-4\n");
        assert!(
            e.contains("line 3, column 2") && e.contains("negative"),
            "{e}"
        );
        assert!(error_of("t_s\nNaN\n").contains("line 2"));
        assert!(error_of("t_s\ninf\n").contains("line 2"));
        assert!(error_of("t_s,x\n,1\n").contains("empty field"));
    }

    #[test]
    fn header_problems_are_reported_on_line_1() {
        let e = error_of("0.5\n1.0\n");
        assert!(e.contains("line 1: missing header"), "{e}");
        let e = error_of("time,class\n0.5,a\n");
        assert!(
            e.contains("line 1: no `t_s` column") && e.contains("time, class"),
            "{e}"
        );
        let e = error_of("");
        assert!(e.contains("empty file"), "{e}");
    }

    #[test]
    fn ragged_rows_are_reported_with_their_line() {
        let e = error_of("t_s,class\n1,a\n2\n");
        assert!(e.contains("line 3: found 1 fields; expected 2"), "{e}");
    }

    #[test]
    fn missing_file_is_bad_input() {
        let e = ArrivalReader::open(Path::new("no/such/trace.csv"))
            .err()
            .unwrap();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT);
        assert!(e.to_string().contains("no/such/trace.csv"));
    }

    #[test]
    fn iteration_stops_after_an_error() {
        let f = file("t_s\nx\n1\n");
        let mut r = ArrivalReader::open(f.path()).unwrap();
        assert!(r.next().unwrap().is_err());
        assert!(r.next().is_none());
    }
}
