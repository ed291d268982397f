//! Importing a count series: `t_s,count`, one row per second, minute or any interval.

use super::spread::Interval;
use crate::error::bad_input;
use crate::workload::parse::{parse_count, parse_time, show_field};
use crate::workload::records::{header_names, Records};
use anyhow::Result;
use std::collections::VecDeque;
use std::path::Path;

/// Streams the intervals of a count series CSV.
///
/// The header names a `t_s` column (start of each interval, seconds) and a
/// `count` column (requests in it, a whole number); other columns are ignored.
/// Each row covers `[t_s, t_s + interval)`. The interval is given, or inferred
/// as the difference between the first two rows; rows must then be at least
/// one interval apart (missing rows count as zero).
pub struct CountSeries {
    records: Records,
    width: usize,
    time_col: usize,
    count_col: usize,
    interval_s: f64,
    ahead: VecDeque<(u64, f64, u64)>,
    last_start_s: Option<f64>,
    done: bool,
    max_requests: u64,
    total: u64,
}

impl CountSeries {
    /// Opens `path`; `interval_s` overrides the inferred interval.
    pub fn open(path: &Path, interval_s: Option<f64>) -> Result<Self> {
        let mut records = Records::open(path, "count series")?;
        if !records.next_line()? {
            return Err(bad_input(format!(
                "{}: empty file; expected a header `t_s,count` then one row per interval",
                path.display()
            )));
        }
        records.split()?;
        let names = header_names(&records);
        let find = |name: &str| names.iter().position(|n| n == name);
        let (Some(time_col), Some(count_col)) = (find("t_s"), find("count")) else {
            let missing = if names.first().is_some_and(|n| n.parse::<f64>().is_ok()) {
                "missing header".to_string()
            } else {
                format!("found columns {}", show_field(names.join(", ").as_bytes()))
            };
            return Err(bad_input(format!(
                "{} line 1: {missing}; expected a header with columns `t_s` (interval start, seconds) and `count` (requests)",
                path.display()
            )));
        };
        let mut series = CountSeries {
            records,
            width: names.len(),
            time_col,
            count_col,
            interval_s: 0.0,
            ahead: VecDeque::new(),
            last_start_s: None,
            max_requests: super::limits::DEFAULT_MAX_IMPORT_REQUESTS,
            total: 0,
            done: false,
        };
        // Two rows ahead are enough to infer the interval.
        for _ in 0..2 {
            if let Some(row) = series.read_row()? {
                series.ahead.push_back(row);
            }
        }
        series.interval_s = match interval_s {
            Some(i) => i,
            None => match (series.ahead.front(), series.ahead.get(1)) {
                (Some(a), Some(b)) if b.1 > a.1 => b.1 - a.1,
                (Some(_), Some(b)) => {
                    return Err(series.order_error(b.0, b.1));
                }
                (Some(_), None) => {
                    return Err(bad_input(format!(
                        "{}: a single row cannot tell the interval; pass --interval SECONDS",
                        path.display()
                    )))
                }
                _ => 1.0,
            },
        };
        Ok(series)
    }

    /// The interval each row covers, seconds.
    pub fn interval_s(&self) -> f64 {
        self.interval_s
    }

    /// Caps the requests the whole series may expand to (the `--max-requests` flag).
    pub fn set_max_requests(&mut self, n: u64) {
        self.max_requests = n;
    }

    fn read_row(&mut self) -> Result<Option<(u64, f64, u64)>> {
        if !self.records.next_line()? {
            return Ok(None);
        }
        self.records.split()?;
        if self.records.len() != self.width {
            return Err(self.records.width_error(self.width, "like the header"));
        }
        let line = self.records.line();
        let path = self.records.path();
        let t_field = self.records.field(self.time_col);
        let t = parse_time(t_field).map_err(|_| {
            bad_input(format!(
                "{} line {line}, column {} (`t_s`): expected the interval start in seconds (a number >= 0), found \"{}\"",
                path.display(),
                self.time_col + 1,
                show_field(t_field)
            ))
        })?;
        let c_field = self.records.field(self.count_col);
        let count = parse_count(c_field).ok_or_else(|| {
            bad_input(format!(
                "{} line {line}, column {} (`count`): expected a whole number of requests >= 0, found \"{}\"",
                path.display(),
                self.count_col + 1,
                show_field(c_field)
            ))
        })?;
        Ok(Some((line, t, count)))
    }

    #[cold]
    fn order_error(&self, line: u64, t: f64) -> anyhow::Error {
        bad_input(format!(
            "{} line {line}, column {} (`t_s`): interval starting at {t} s overlaps the previous row; expected rows at least {} s apart in ascending order (or pass --interval SECONDS)",
            self.records.path().display(),
            self.time_col + 1,
            self.interval_s
        ))
    }

    fn next_interval(&mut self) -> Result<Option<Interval>> {
        let row = match self.ahead.pop_front() {
            Some(r) => Some(r),
            None => self.read_row()?,
        };
        let Some((line, start_s, count)) = row else {
            return Ok(None);
        };
        // A tolerance of a microsecond absorbs decimal rounding of the starts.
        if let Some(prev) = self.last_start_s {
            if start_s < prev + self.interval_s - 1e-6 {
                return Err(self.order_error(line, start_s));
            }
        }
        self.last_start_s = Some(start_s);
        self.total = self.total.saturating_add(count);
        let (path, col) = (self.records.path(), (self.time_col + 1, self.count_col + 1));
        super::limits::check_row(
            path,
            line,
            col,
            start_s,
            self.interval_s,
            self.total,
            self.max_requests,
        )?;
        Ok(Some(Interval {
            start_s,
            len_s: self.interval_s,
            count,
        }))
    }
}

impl Iterator for CountSeries {
    type Item = Result<Interval>;

    fn next(&mut self) -> Option<Result<Interval>> {
        if self.done {
            return None;
        }
        let item = self.next_interval().transpose();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
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

    fn read(text: &str, interval: Option<f64>) -> Result<(f64, Vec<Interval>)> {
        let f = file(text);
        let s = CountSeries::open(f.path(), interval)?;
        let i = s.interval_s();
        Ok((i, s.collect::<Result<_>>()?))
    }

    fn error(text: &str, interval: Option<f64>) -> String {
        let e = read(text, interval).unwrap_err();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT, "{e}");
        e.to_string()
    }

    #[test]
    fn infers_the_interval_from_the_first_two_rows() {
        let (i, rows) = read("t_s,count\n0,5\n60,0\n180,7\n", None).unwrap();
        assert_eq!(i, 60.0);
        let counts: Vec<u64> = rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, vec![5, 0, 7]);
        assert_eq!(rows[2].start_s, 180.0);
        assert!(rows.iter().all(|r| r.len_s == 60.0));
    }

    #[test]
    fn given_interval_wins_and_single_rows_need_it() {
        let (i, rows) = read("count,t_s,note\n4,10,x\n", Some(5.0)).unwrap();
        assert_eq!((i, rows.len(), rows[0].count), (5.0, 1, 4));
        assert!(error("t_s,count\n0,3\n", None).contains("--interval"));
        assert!(read("t_s,count\n", None).unwrap().1.is_empty());
    }

    #[test]
    fn fractional_or_negative_counts_name_line_and_column() {
        let e = error("t_s,count\n0,1\n1,2.5\n", None);
        assert!(
            e.contains("line 3, column 2 (`count`)") && e.contains("\"2.5\""),
            "{e}"
        );
        let e = error("t_s,count\n0,-1\n1,2\n", None);
        assert!(e.contains("line 2, column 2"), "{e}");
    }

    #[test]
    fn bad_times_headers_and_overlaps_are_refused() {
        assert!(error("t_s,count\nx,1\n1,1\n", None).contains("line 2, column 1 (`t_s`)"));
        assert!(error("0,1\n1,1\n", None).contains("line 1: missing header"));
        assert!(error("time,n\n0,1\n", None).contains("found columns time, n"));
        assert!(error("", None).contains("empty file"));
        let e = error("t_s,count\n0,1\n10,1\n15,1\n", None);
        assert!(e.contains("line 4") && e.contains("overlaps"), "{e}");
        assert!(error("t_s,count\n5,1\n5,1\n", None).contains("line 3"));
        assert!(error("t_s,count\n0,1\n1\n", None).contains("line 3: found 1 fields"));
    }
}
