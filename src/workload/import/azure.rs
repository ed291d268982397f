//! Importing the Azure Functions 2019 invocation trace.
//!
//! Layout (one file per day, `invocations_per_function_md.anon.dNN.csv`): a
//! header `HashOwner,HashApp,HashFunction,Trigger,1,2,...,1440`, then one row
//! per function with its invocation count in each minute of the day.

use super::spread::Interval;
use crate::error::bad_input;
use crate::workload::parse::{parse_count, show_field};
use crate::workload::records::{header_names, Records};
use anyhow::Result;
use std::path::Path;

/// The name columns before the per-minute counts.
pub const NAME_COLUMNS: [&str; 4] = ["HashOwner", "HashApp", "HashFunction", "Trigger"];

/// Which functions' invocations make the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Select {
    /// Every row whose `HashFunction` is this hash (summed if several).
    Function(String),
    /// The N functions with the most invocations over the day, summed.
    Top(usize),
    /// All functions summed.
    All,
}

/// The invocations chosen from the file, per minute.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Invocations in each minute (minute 1 first), summed over the chosen functions.
    pub per_minute: Vec<u64>,
    /// `HashFunction` of each chosen row, busiest first for `Top`, file order otherwise.
    pub functions: Vec<String>,
}

impl Selection {
    /// Total invocations.
    pub fn total(&self) -> u64 {
        self.per_minute.iter().sum()
    }

    /// One 60-second interval per minute, minute 1 covering [0, 60) s.
    pub fn intervals(&self) -> impl Iterator<Item = Result<Interval>> + '_ {
        self.per_minute.iter().enumerate().map(|(i, &count)| {
            Ok(Interval {
                start_s: i as f64 * 60.0,
                len_s: 60.0,
                count,
            })
        })
    }
}

/// Reads `path` and sums the selected functions' minutes; memory is one row
/// per selected function for `Top`, one row otherwise.
pub fn read(path: &Path, select: &Select) -> Result<Selection> {
    let mut rec = Records::open(path, "Azure Functions trace")?;
    if !rec.next_line()? {
        return Err(bad_input(format!(
            "{}: empty file; expected the Azure Functions 2019 header HashOwner,HashApp,HashFunction,Trigger,1,...,1440",
            path.display()
        )));
    }
    rec.split()?;
    let minutes = check_header(path, &header_names(&rec))?;
    let width = NAME_COLUMNS.len() + minutes;
    let mut sum = vec![0u64; minutes];
    let mut functions = Vec::new();
    let mut top: Vec<(u64, u64, String, Vec<u64>)> = Vec::new();
    let mut row = 0u64;
    let mut counts = vec![0u64; minutes];
    while rec.next_line()? {
        rec.split()?;
        let line = rec.line();
        if rec.len() != width {
            return Err(rec.width_error(
                width,
                &format!("4 names and {minutes} minutes, like the header"),
            ));
        }
        let hash = String::from_utf8_lossy(rec.field(2)).trim().to_string();
        let wanted = match select {
            Select::Function(h) => *h == hash,
            Select::Top(_) | Select::All => true,
        };
        if !wanted {
            continue;
        }
        for (m, c) in counts.iter_mut().enumerate() {
            let col = NAME_COLUMNS.len() + m;
            *c = parse_count(rec.field(col)).ok_or_else(|| {
                bad_input(format!(
                    "{} line {line}, column {} (minute {}): expected a whole number of invocations >= 0, found \"{}\"",
                    path.display(),
                    col + 1,
                    m + 1,
                    show_field(rec.field(col))
                ))
            })?;
        }
        match select {
            Select::Top(n) => {
                top.push((counts.iter().sum(), row, hash, counts.clone()));
                // Keep the busiest; ties go to the earlier row.
                if top.len() > 2 * (*n).max(1) {
                    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                    top.truncate(*n);
                }
            }
            _ => {
                sum.iter_mut().zip(&counts).for_each(|(s, c)| *s += c);
                functions.push(hash);
            }
        }
        row += 1;
    }
    if let Select::Top(n) = select {
        top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        top.truncate(*n);
        for (_, _, hash, c) in top {
            sum.iter_mut().zip(&c).for_each(|(s, c)| *s += c);
            functions.push(hash);
        }
    }
    if let (Select::Function(h), true) = (select, functions.is_empty()) {
        return Err(bad_input(format!(
            "{}: no row has HashFunction \"{}\"; expected one of the file's function hashes",
            path.display(),
            show_field(h.as_bytes())
        )));
    }
    Ok(Selection {
        per_minute: sum,
        functions,
    })
}

/// Checks the header and returns the number of minute columns.
fn check_header(path: &Path, names: &[String]) -> Result<usize> {
    let names_ok =
        names.len() > NAME_COLUMNS.len() && names.iter().zip(NAME_COLUMNS).all(|(a, b)| a == b);
    let minutes = &names[NAME_COLUMNS.len().min(names.len())..];
    let minutes_ok = minutes
        .iter()
        .enumerate()
        .all(|(i, n)| n.parse::<usize>() == Ok(i + 1));
    if names_ok && minutes_ok {
        Ok(minutes.len())
    } else {
        Err(bad_input(format!(
            "{} line 1: expected the Azure Functions 2019 header HashOwner,HashApp,HashFunction,Trigger,1,2,...,1440; found \"{}\"",
            path.display(),
            show_field(names.join(",").as_bytes())
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, EXIT_BAD_INPUT};

    const HEADER: &str = "HashOwner,HashApp,HashFunction,Trigger,1,2,3\n";

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    fn sample() -> tempfile::NamedTempFile {
        file(&format!(
            "{HEADER}o1,a1,f1,http,1,0,2\no1,a1,f2,timer,5,5,5\no2,a2,f3,queue,0,9,0\no2,a2,f4,http,1,1,1\n"
        ))
    }

    #[test]
    fn selects_one_function_by_hash() {
        let s = read(sample().path(), &Select::Function("f3".into())).unwrap();
        assert_eq!(s.per_minute, vec![0, 9, 0]);
        assert_eq!(s.functions, vec!["f3"]);
        assert_eq!(s.total(), 9);
    }

    #[test]
    fn sums_the_busiest_or_all() {
        let s = read(sample().path(), &Select::Top(2)).unwrap();
        assert_eq!(s.functions, vec!["f2", "f3"]);
        assert_eq!(s.per_minute, vec![5, 14, 5]);
        let s = read(sample().path(), &Select::Top(1)).unwrap();
        assert_eq!(s.functions, vec!["f2"]);
        // Ties (f1 and f4 both 3) go to the earlier row.
        let s = read(sample().path(), &Select::Top(3)).unwrap();
        assert_eq!(s.functions, vec!["f2", "f3", "f1"]);
        let s = read(sample().path(), &Select::All).unwrap();
        assert_eq!(s.per_minute, vec![7, 15, 8]);
        assert_eq!(s.functions.len(), 4);
    }

    #[test]
    fn minutes_become_60_second_intervals() {
        let s = read(sample().path(), &Select::Function("f1".into())).unwrap();
        let iv: Vec<Interval> = s.intervals().collect::<Result<_>>().unwrap();
        assert_eq!(
            iv[2],
            Interval {
                start_s: 120.0,
                len_s: 60.0,
                count: 2
            }
        );
    }

    fn error(text: &str, select: Select) -> String {
        let f = file(text);
        let e = read(f.path(), &select).unwrap_err();
        assert_eq!(exit_code(&e), EXIT_BAD_INPUT, "{e}");
        e.to_string()
    }

    #[test]
    fn bad_files_name_the_line_and_column() {
        let e = error(&format!("{HEADER}o,a,f,http,1,2\n"), Select::All);
        assert!(e.contains("line 2: found 6 fields; expected 7"), "{e}");
        let e = error(&format!("{HEADER}o,a,f,http,1,2.5,3\n"), Select::All);
        assert!(
            e.contains("line 2, column 6 (minute 2)") && e.contains("2.5"),
            "{e}"
        );
        let e = error("HashOwner,HashApp,HashFunction,1,2\n", Select::All);
        assert!(
            e.contains("line 1: expected the Azure Functions 2019 header"),
            "{e}"
        );
        let e = error("HashOwner,HashApp,HashFunction,Trigger,1,3\n", Select::All);
        assert!(e.contains("line 1"), "{e}");
        assert!(error("", Select::All).contains("empty file"));
        let e = error(
            &format!("{HEADER}o,a,f,http,1,2,3\n"),
            Select::Function("zz".into()),
        );
        assert!(e.contains("no row has HashFunction \"zz\""), "{e}");
    }
}
