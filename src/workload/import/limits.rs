//! The size an import may generate, checked row by row before the row's
//! arrivals are written, so an error names the input row, not the output.

use crate::error::bad_input;
use crate::workload::limits::MAX_TRACE_SPAN_S;
use std::path::Path;

/// Requests an import writes at most unless `--max-requests` raises it:
/// 50 million rows, about 550 MB of CSV.
pub const DEFAULT_MAX_IMPORT_REQUESTS: u64 = 50_000_000;

/// Checks one count row: its interval ends within the largest trace span and
/// the running total stays within `max`. `col` is (time column, count column).
pub fn check_row(
    path: &Path,
    line: u64,
    col: (usize, usize),
    start_s: f64,
    len_s: f64,
    total: u64,
    max: u64,
) -> anyhow::Result<()> {
    if start_s + len_s > MAX_TRACE_SPAN_S {
        return Err(bad_input(format!(
            "{} line {line}, column {} (`t_s`): interval [{start_s}, {}) s ends past the largest \
             trace span, {MAX_TRACE_SPAN_S} s (366 days); expected intervals within it",
            path.display(),
            col.0,
            start_s + len_s
        )));
    }
    if total > max {
        return Err(bad_input(format!(
            "{} line {line}, column {} (`count`): the counts up to this row add up to {total} \
             requests, past the limit of {max} per import; pass --max-requests N to raise it",
            path.display(),
            col.1
        )));
    }
    Ok(())
}

/// Checks the total of an import known before any work (the Azure selection).
pub fn check_total(path: &Path, total: u64, max: u64) -> anyhow::Result<()> {
    if total > max {
        return Err(bad_input(format!(
            "{}: the selected functions have {total} invocations, past the limit of {max} \
             requests per import; pass --max-requests N to raise it (or select fewer with --top)",
            path.display()
        )));
    }
    Ok(())
}
