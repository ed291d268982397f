//! Stated limits on a trace, checked as it is read, before any simulation.
//!
//! The simulator's and the statistics' cost must follow what the user can
//! reasonably mean; a stray `1e300` in a file would otherwise turn into hours
//! of ticking through empty time or nonsense peaks.

use crate::error::bad_input;
use std::path::Path;

/// Largest arrival time a trace may hold, s: 366 days, longer than any
/// workload recording this tool is meant to plan for.
pub const MAX_TRACE_SPAN_S: f64 = 366.0 * 86_400.0;

/// Most requests a trace may hold (the recommender keeps every arrival time
/// in memory: 8 bytes each).
pub const MAX_TRACE_REQUESTS: u64 = 200_000_000;

/// The error for an arrival time past [`MAX_TRACE_SPAN_S`].
#[cold]
pub fn span_error(path: &Path, line: u64, column: usize, t: f64) -> anyhow::Error {
    bad_input(format!(
        "{} line {line}, column {column} (`t_s`): arrival time {t:e} s is past the largest trace span, \
         {MAX_TRACE_SPAN_S} s (366 days); expected times from 0 to {MAX_TRACE_SPAN_S}",
        path.display()
    ))
}

/// The error for a trace with more than [`MAX_TRACE_REQUESTS`] rows.
#[cold]
pub fn count_error(path: &Path, line: u64) -> anyhow::Error {
    bad_input(format!(
        "{} line {line}: more than {MAX_TRACE_REQUESTS} requests, the most a trace may hold; \
         expected a shorter trace (split it, or thin it)",
        path.display()
    ))
}
