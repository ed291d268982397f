//! Sorted arrivals from a file, streamed whenever the file allows it.
//!
//! A consumer such as the simulator acts on each arrival as it comes, so an
//! out-of-order time met half-way could not be undone. The file is therefore
//! scanned once first (validating every row, counting requests, checking the
//! order, in constant memory), then streamed a second time when it is sorted,
//! or loaded and sorted in memory when it is not. The scan costs one extra
//! read at well over 20 million rows/s, and means a bad row at the end of a
//! long trace is reported before any work starts.

use super::order::OrderCheck;
use super::reader::ArrivalReader;
use anyhow::Result;
use std::path::Path;

/// A boxed stream of arrival times, as the simulator consumes them.
pub type Arrivals = Box<dyn Iterator<Item = Result<f64>> + Send>;

/// What one validating pass over a trace found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan {
    /// Rows (requests).
    pub requests: u64,
    /// The latest arrival time in seconds (0 when empty).
    pub duration_s: f64,
    /// Rows earlier than a row listed before them.
    pub out_of_order: u64,
}

/// Reads the whole file once, checking every row; constant memory.
pub fn scan(path: &Path) -> Result<Scan> {
    let (scan, _) = scan_with_order(path)?;
    Ok(scan)
}

fn scan_with_order(path: &Path) -> Result<(Scan, OrderCheck)> {
    let mut reader = ArrivalReader::open(path)?;
    let mut order = OrderCheck::default();
    let mut requests = 0u64;
    while let Some(t) = reader.next() {
        let t = t?;
        // The line is only needed for the warning, so it is looked up only on disorder.
        if t < order.max_s() {
            order.push(t, reader.line());
        } else {
            order.push(t, 0);
        }
        requests += 1;
    }
    let scan = Scan {
        requests,
        duration_s: if requests == 0 { 0.0 } else { order.max_s() },
        out_of_order: order.out_of_order(),
    };
    Ok((scan, order))
}

/// Sorted arrivals from a trace file, with what the first pass learned.
pub struct SortedArrivals {
    /// Arrival times in seconds, ascending.
    pub arrivals: Arrivals,
    /// Number of requests the stream will yield.
    pub requests: u64,
    /// The latest arrival time in seconds.
    pub duration_s: f64,
    /// Warnings for the user (out-of-order times); print them on stderr.
    pub warnings: Vec<String>,
    /// True when the file was sorted and is streamed; false when it was sorted in memory.
    pub streamed: bool,
}

/// Opens `path` for sorted reading: streams it when sorted, else loads and sorts it.
pub fn open_sorted(path: &Path) -> Result<SortedArrivals> {
    let (scan, order) = scan_with_order(path)?;
    if order.is_sorted() {
        return Ok(SortedArrivals {
            arrivals: Box::new(ArrivalReader::open(path)?),
            requests: scan.requests,
            duration_s: scan.duration_s,
            warnings: Vec::new(),
            streamed: true,
        });
    }
    let mut times = ArrivalReader::open(path)?.collect::<Result<Vec<f64>>>()?;
    times.sort_unstable_by(f64::total_cmp);
    Ok(SortedArrivals {
        arrivals: Box::new(times.into_iter().map(Ok)),
        requests: scan.requests,
        duration_s: scan.duration_s,
        warnings: order.warning(path).into_iter().collect(),
        streamed: false,
    })
}

/// Sorted arrivals for the simulator: streams the file when it is sorted;
/// otherwise loads and sorts it, with a warning that says how many were out of order.
///
/// Every row is validated before the first arrival is handed out, so an error
/// never surfaces half-way through a simulation (see the module notes).
pub fn sorted_arrivals(path: &Path) -> Result<(Arrivals, Vec<String>)> {
    let s = open_sorted(path)?;
    Ok((s.arrivals, s.warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, EXIT_BAD_INPUT};

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn sorted_file_is_streamed_without_warnings() {
        let f = write("t_s\n0.5\n1\n1\n2.5\n");
        let s = open_sorted(f.path()).unwrap();
        assert!(s.streamed);
        assert_eq!((s.requests, s.duration_s), (4, 2.5));
        assert!(s.warnings.is_empty());
        let times: Vec<f64> = s.arrivals.collect::<Result<_>>().unwrap();
        assert_eq!(times, vec![0.5, 1.0, 1.0, 2.5]);
    }

    #[test]
    fn unsorted_file_is_sorted_with_a_count_of_the_disorder() {
        let f = write("t_s\n5\n1\n2\n6\n0\n");
        let (arrivals, warnings) = sorted_arrivals(f.path()).unwrap();
        let times: Vec<f64> = arrivals.collect::<Result<_>>().unwrap();
        assert_eq!(times, vec![0.0, 1.0, 2.0, 5.0, 6.0]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("3 arrival times out of order (the first at line 3)"));
    }

    #[test]
    fn a_bad_row_at_the_end_fails_before_anything_is_yielded() {
        let f = write("t_s\n1\n2\n3\nx\n");
        let e = sorted_arrivals(f.path()).err().unwrap();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT);
        assert!(e.to_string().contains("line 5"));
    }

    #[test]
    fn scan_counts_rows_and_latest_time() {
        let f = write("t_s\n3\n1\n");
        let s = scan(f.path()).unwrap();
        assert_eq!(
            s,
            Scan {
                requests: 2,
                duration_s: 3.0,
                out_of_order: 1
            }
        );
        let empty = write("t_s\n");
        assert_eq!(scan(empty.path()).unwrap().duration_s, 0.0);
    }
}
