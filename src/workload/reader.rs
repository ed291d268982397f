//! Streaming a trace CSV: one arrival time at a time, in constant memory.

use super::parse::{parse_plain_decimal, parse_time, show_field, TimeError};
use super::records::{header_names, Records};
use crate::error::bad_input;
use anyhow::Result;
use std::path::Path;

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
///
/// The common file, a lone `t_s` column of plain decimals, takes a fast path:
/// each line is parsed whole without being split into fields.
pub struct ArrivalReader {
    records: Records,
    time_col: usize,
    class_col: Option<usize>,
    width: usize,
    done: bool,
    rows: u64,
}

impl ArrivalReader {
    /// Opens `path` and checks its header.
    pub fn open(path: &Path) -> Result<Self> {
        let mut records = Records::open(path, "trace")?;
        if !records.next_line()? {
            return Err(bad_input(format!(
                "{}: empty file; expected a header line `t_s` then one arrival time per line",
                path.display()
            )));
        }
        records.split()?;
        let names = header_names(&records);
        let time_col = match names.iter().position(|n| n == TIME_COLUMN) {
            Some(i) => i,
            None => return Err(header_error(path, &names)),
        };
        let class_col = names.iter().position(|n| n == CLASS_COLUMN);
        Ok(ArrivalReader {
            records,
            time_col,
            class_col,
            width: names.len(),
            done: false,
            rows: 0,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        self.records.path()
    }

    /// Whether the file has a `class` column.
    pub fn has_class(&self) -> bool {
        self.class_col.is_some()
    }

    /// The line of the row read last (1 is the header).
    pub fn line(&self) -> u64 {
        self.records.line()
    }

    /// The `class` of the row read last; `None` when the file has no `class` column.
    pub fn class(&self) -> Result<Option<&str>> {
        let Some(col) = self.class_col else {
            return Ok(None);
        };
        match std::str::from_utf8(self.records.field(col)) {
            Ok(s) => Ok(Some(s.trim())),
            Err(_) => Err(bad_input(format!(
                "{} line {}, column {} (`{CLASS_COLUMN}`): not valid UTF-8; expected a class name",
                self.path().display(),
                self.line(),
                col + 1
            ))),
        }
    }

    /// The next time, or the error for this row.
    #[inline]
    fn read(&mut self) -> Result<Option<f64>> {
        if !self.records.next_line()? {
            return Ok(None);
        }
        if self.width == 1 {
            if let Some(t) = parse_plain_decimal(self.records.line_bytes()) {
                return Ok(Some(t));
            }
        }
        self.records.split()?;
        if self.records.len() != self.width {
            return Err(self.records.width_error(self.width, "like the header"));
        }
        match parse_time(self.records.field(self.time_col)) {
            Ok(t) => Ok(Some(t)),
            Err(why) => Err(self.time_error(why)),
        }
    }

    #[cold]
    fn time_error(&self, why: TimeError) -> anyhow::Error {
        let field = self.records.field(self.time_col);
        let found = match why {
            TimeError::Empty => "an empty field".to_string(),
            TimeError::Negative => format!("a negative time \"{}\"", show_field(field)),
            TimeError::NotFinite | TimeError::NotANumber => format!("\"{}\"", show_field(field)),
        };
        bad_input(format!(
            "{} line {}, column {} (`{TIME_COLUMN}`): expected an arrival time in seconds (a finite number >= 0), found {found}",
            self.path().display(),
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
        let mut item = self.read().transpose();
        if let Some(Ok(t)) = item {
            self.rows += 1;
            if t > super::limits::MAX_TRACE_SPAN_S {
                let e = super::limits::span_error(self.path(), self.line(), self.time_col + 1, t);
                item = Some(Err(e));
            } else if self.rows > super::limits::MAX_TRACE_REQUESTS {
                item = Some(Err(super::limits::count_error(self.path(), self.line())));
            }
        }
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
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
        let e = error_of("t_s\n1\n2,3\n");
        assert!(e.contains("line 3: found 2 fields; expected 1"), "{e}");
    }

    #[test]
    fn line_numbers_stay_exact_with_crlf_blank_lines_and_quotes() {
        let e = error_of("t_s\r\n1\r\n\r\nx\r\n");
        assert!(e.contains("line 4, column 1"), "{e}");
        let e = error_of("t_s,class\n1,\"two\nlines\"\n\n2,a\n-3,b\n");
        assert!(e.contains("line 6, column 1"), "{e}");
    }

    #[test]
    fn fast_path_and_split_path_read_the_same_values() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let (mut one, mut two) = (String::from("t_s\n"), String::from("id,t_s\n"));
        for i in 0..20_000 {
            let t = match i % 4 {
                0 => format!("{:.6}", rng.random::<f64>() * 1e6),
                1 => format!("{}", rng.random_range(0..100_000u32)),
                2 => format!("{:e}", rng.random::<f64>()),
                _ => format!(" {:.3} ", rng.random::<f64>()),
            };
            one.push_str(&format!("{t}\n"));
            two.push_str(&format!("{i},{t}\n"));
        }
        let a = read_all(&one).unwrap();
        assert_eq!(a.len(), 20_000);
        assert_eq!(a, read_all(&two).unwrap());
    }

    #[test]
    fn quoted_and_spaced_times_are_read() {
        assert_eq!(
            read_all("t_s\n\"1.5\"\n 2 \n3e0\n").unwrap(),
            vec![1.5, 2.0, 3.0]
        );
        assert_eq!(read_all("t_s\r\n1\r\n2").unwrap(), vec![1.0, 2.0]);
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
