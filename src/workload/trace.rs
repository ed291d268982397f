//! A trace held in memory, for the transforms and for callers that need random access.

use super::order::OrderCheck;
use super::reader::ArrivalReader;
use super::writer::TraceWriter;
use anyhow::{ensure, Result};
use std::path::Path;

/// A trace held in memory: arrival times in seconds from the start, sorted.
///
/// Built only when asked ([`Trace::load`], [`Trace::from_times`]); reading for
/// simulation or statistics streams instead ([`super::sorted_arrivals`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Arrival times in seconds from the start, ascending.
    pub times: Vec<f64>,
    /// Each request's class, parallel to `times`, when the trace has a `class` column.
    pub classes: Option<Vec<String>>,
}

impl Trace {
    /// A trace of the given times, sorted ascending.
    pub fn from_times(mut times: Vec<f64>) -> Trace {
        times.sort_unstable_by(f64::total_cmp);
        Trace {
            times,
            classes: None,
        }
    }

    /// A trace of times with a class each, sorted by time (stable: equal times keep their order).
    pub fn with_classes(times: Vec<f64>, classes: Vec<String>) -> Result<Trace> {
        ensure!(
            times.len() == classes.len(),
            "{} times but {} classes",
            times.len(),
            classes.len()
        );
        let mut pairs: Vec<(f64, String)> = times.into_iter().zip(classes).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (times, classes) = pairs.into_iter().unzip();
        Ok(Trace {
            times,
            classes: Some(classes),
        })
    }

    /// Reads a trace CSV; unsorted times are sorted, with a warning saying how many were out of order.
    pub fn load(path: &Path) -> Result<(Trace, Vec<String>)> {
        let mut reader = ArrivalReader::open(path)?;
        let mut times = Vec::new();
        let mut classes = reader.has_class().then(Vec::new);
        let mut order = OrderCheck::default();
        while let Some(t) = reader.next() {
            let t = t?;
            order.push(t, reader.line());
            times.push(t);
            if let Some(c) = classes.as_mut() {
                c.push(reader.class()?.unwrap_or_default().to_string());
            }
        }
        let warnings: Vec<String> = order.warning(path).into_iter().collect();
        let trace = match classes {
            Some(c) if !order.is_sorted() => Trace::with_classes(times, c)?,
            Some(c) => Trace {
                times,
                classes: Some(c),
            },
            None if !order.is_sorted() => Trace::from_times(times),
            None => Trace {
                times,
                classes: None,
            },
        };
        Ok((trace, warnings))
    }

    /// Writes the trace as CSV: `t_s` with 6 decimals, and `class` when present.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let mut w = TraceWriter::create(path, self.classes.is_some())?;
        for (i, &t) in self.times.iter().enumerate() {
            let class = self.classes.as_ref().map(|c| c[i].as_str());
            w.push(t, class)?;
        }
        w.finish()?;
        Ok(())
    }

    /// Number of requests.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// True when the trace has no requests.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Time of the last arrival in seconds (0 for an empty trace).
    pub fn duration_s(&self) -> f64 {
        self.times.last().copied().unwrap_or(0.0)
    }

    /// The class of request `i`, when the trace has classes.
    pub fn class(&self, i: usize) -> Option<&str> {
        self.classes.as_ref().map(|c| c[i].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_times_sorts() {
        let t = Trace::from_times(vec![3.0, 1.0, 2.0]);
        assert_eq!(t.times, vec![1.0, 2.0, 3.0]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.duration_s(), 3.0);
        assert!(Trace::default().is_empty());
        assert_eq!(Trace::default().duration_s(), 0.0);
    }

    #[test]
    fn classes_follow_their_times_when_sorted() {
        let t = Trace::with_classes(
            vec![2.0, 1.0, 2.0],
            vec!["b".into(), "a".into(), "c".into()],
        )
        .unwrap();
        assert_eq!(t.times, vec![1.0, 2.0, 2.0]);
        assert_eq!(t.classes.unwrap(), vec!["a", "b", "c"]);
        assert!(Trace::with_classes(vec![1.0], vec![]).is_err());
    }

    #[test]
    fn round_trips_through_csv_with_and_without_classes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let t = Trace::from_times(vec![0.25, 1.000001, 7.5]);
        t.write_csv(&path).unwrap();
        let (back, warnings) = Trace::load(&path).unwrap();
        assert_eq!(back, t);
        assert!(warnings.is_empty());

        let t = Trace::with_classes(vec![0.5, 1.5], vec!["x".into(), "y z".into()]).unwrap();
        t.write_csv(&path).unwrap();
        assert_eq!(Trace::load(&path).unwrap().0, t);
    }

    #[test]
    fn unsorted_files_are_sorted_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "t_s,class\n3,c\n1,a\n2,b\n4,d\n").unwrap();
        let (t, warnings) = Trace::load(&path).unwrap();
        assert_eq!(t.times, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(t.classes.unwrap(), vec!["a", "b", "c", "d"]);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("2 arrival times out of order"),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("line 3"), "{}", warnings[0]);
    }
}
