//! Running a set of scenarios over one trace file.
//!
//! `advisor simulate` compares offers on a trace that may not fit in memory;
//! this streams the file once per scenario instead of loading it.

use crate::outcome::Outcome;
use crate::sim::{self, Scenario};
use anyhow::Result;
use std::path::Path;

/// Runs every scenario over the trace file, in parallel, each streaming the
/// file itself so memory does not grow with the trace.
///
/// The file is read once per scenario: rows are checked as they stream by
/// (a bad row stops the run with its line number), and when a time is out of
/// order the scenario falls back to loading and sorting the file, with a
/// warning that says how many were out of order (returned once).
pub fn simulate_file(scenarios: &[Scenario], trace: &Path) -> Result<(Vec<Outcome>, Vec<String>)> {
    use rayon::prelude::*;
    let results: Vec<Result<(Outcome, Vec<String>)>> = scenarios
        .par_iter()
        .map(|sc| {
            let streamed = crate::workload::ArrivalReader::open(trace)
                .and_then(|reader| sim::simulate(sc, reader));
            match streamed {
                Err(e) if e.downcast_ref::<sim::engine::Unsorted>().is_some() => {
                    let (arrivals, warnings) = crate::workload::sorted_arrivals(trace)?;
                    Ok((sim::simulate(sc, arrivals)?, warnings))
                }
                other => Ok((other?, Vec::new())),
            }
        })
        .collect();
    let mut outcomes = Vec::with_capacity(results.len());
    let mut warnings = Vec::new();
    for r in results {
        let (o, w) = r?;
        if warnings.is_empty() {
            warnings = w;
        }
        outcomes.push(o);
    }
    Ok((outcomes, warnings))
}
