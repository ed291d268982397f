//! Statistics of a trace in one streaming pass: constant memory whatever its length.
//!
//! Windows are aligned on t = 0: window k covers [k w, (k+1) w), and every
//! window up to the one holding the last arrival counts, empty ones included.

use super::parse::to_micros;
use super::sorted::open_sorted;
use anyhow::Result;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Most points in [`TraceStats::rate_series_rps`]; longer traces get wider buckets.
pub const MAX_SERIES_POINTS: usize = 1024;

/// The window, seconds, of the second peak rate and of the burstiness wherever
/// they are shown (`trace stats`, the screens, the report), so that one trace
/// has one burstiness everywhere.
pub const DEFAULT_WINDOW_S: f64 = 10.0;

/// What a trace looks like: size, rates, burstiness, gaps, and its rate over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceStats {
    /// Number of requests.
    pub requests: u64,
    /// Time of the last arrival, seconds from the start.
    pub duration_s: f64,
    /// Time of the first arrival, seconds from the start.
    pub first_arrival_s: f64,
    /// `requests / duration_s` (0 when the duration is 0).
    pub mean_rps: f64,
    /// Highest count in a 1-second window, per second.
    pub peak_rps: f64,
    /// Start of the first 1-second window holding `peak_rps`.
    pub peak_at_s: f64,
    /// The configured window for `peak_rps_window` and `burstiness`, seconds.
    pub window_s: f64,
    /// Highest count in a `window_s` window, divided by `window_s`.
    pub peak_rps_window: f64,
    /// Index of dispersion (variance / mean) of the counts per `window_s`
    /// window: 1 for a Poisson process, above 1 for bursty traffic; `None`
    /// with fewer than two windows or no requests.
    pub burstiness: Option<f64>,
    /// Mean time between consecutive arrivals, ms.
    pub interarrival_mean_ms: f64,
    /// Median time between arrivals, ms (microsecond resolution, within 0.1%).
    pub interarrival_p50_ms: f64,
    /// 90th percentile of the time between arrivals, ms.
    pub interarrival_p90_ms: f64,
    /// 99th percentile of the time between arrivals, ms.
    pub interarrival_p99_ms: f64,
    /// Longest time between arrivals, ms (exact).
    pub interarrival_max_ms: f64,
    /// Coefficient of variation of the time between arrivals (1 for Poisson); `None` below 2 gaps.
    pub interarrival_cv: Option<f64>,
    /// Width of each bucket of `rate_series_rps`, seconds: `window_s` doubled
    /// until the series fits [`MAX_SERIES_POINTS`].
    pub rate_series_step_s: f64,
    /// Requests per second in consecutive buckets from t = 0 (the last may be partial).
    pub rate_series_rps: Vec<f64>,
}

/// Running mean and sum of squared deviations (Welford), with bulk zeros.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Adds `k` zeros at once (Chan et al.'s pairwise combination), so a long
    /// silence costs O(1) rather than one step per empty window.
    fn push_zeros(&mut self, k: u64) {
        if k == 0 {
            return;
        }
        let n = self.n + k;
        let d = -self.mean;
        self.m2 += d * d * (self.n as f64) * (k as f64) / n as f64;
        self.mean += d * k as f64 / n as f64;
        self.n = n;
    }

    fn variance(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.m2 / self.n as f64
        }
    }
}

/// Mean and variance from shifted sums: no division per value, unlike
/// Welford, and the shift (the first value) keeps the subtraction well conditioned.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    n: u64,
    shift: f64,
    sum: f64,
    sum_sq: f64,
}

impl Sums {
    #[inline]
    fn push(&mut self, x: f64) {
        if self.n == 0 {
            self.shift = x;
        }
        self.n += 1;
        let d = x - self.shift;
        self.sum += d;
        self.sum_sq += d * d;
    }

    fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.shift + self.sum / self.n as f64
        }
    }

    fn variance(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let n = self.n as f64;
        (self.sum_sq / n - (self.sum / n).powi(2)).max(0.0)
    }
}

/// Counts per aligned window of one width: the peak and the moments of the counts.
#[derive(Debug, Clone)]
struct Windows {
    width_s: f64,
    /// End of the current window: arrivals before it need no division.
    end_s: f64,
    current: u64,
    count: u64,
    peak: u64,
    peak_index: u64,
    counts: Moments,
}

impl Windows {
    fn new(width_s: f64) -> Self {
        Windows {
            width_s,
            end_s: width_s,
            current: 0,
            count: 0,
            peak: 0,
            peak_index: 0,
            counts: Moments::default(),
        }
    }

    #[inline]
    fn push(&mut self, t: f64) {
        if t >= self.end_s {
            self.advance(t);
        }
        self.count += 1;
    }

    #[cold]
    fn advance(&mut self, t: f64) {
        let k = (t / self.width_s) as u64;
        // An earlier window (unsorted input, or a rounding sliver at the
        // edge) counts in the current one.
        if k > self.current {
            self.close();
            self.counts.push_zeros(k - self.current - 1);
            self.current = k;
            self.count = 0;
            self.end_s = (k + 1) as f64 * self.width_s;
        }
    }

    fn close(&mut self) {
        if self.count > self.peak {
            self.peak = self.count;
            self.peak_index = self.current;
        }
        self.counts.push(self.count as f64);
    }
}

/// Counts per bucket from t = 0, merging neighbours when the series grows too long.
#[derive(Debug, Clone)]
struct Series {
    width_s: f64,
    counts: Vec<u64>,
    /// Bounds of the last bucket counted into: repeat arrivals there need no division.
    last: usize,
    last_from_s: f64,
    last_to_s: f64,
}

impl Series {
    fn new(width_s: f64) -> Self {
        Series {
            width_s,
            counts: Vec::new(),
            last: 0,
            last_from_s: f64::INFINITY,
            last_to_s: f64::NEG_INFINITY,
        }
    }

    #[inline]
    fn push(&mut self, t: f64) {
        if t >= self.last_from_s && t < self.last_to_s {
            self.counts[self.last] += 1;
        } else {
            self.push_new_bucket(t);
        }
    }

    #[cold]
    fn push_new_bucket(&mut self, t: f64) {
        let mut k = (t / self.width_s) as u64;
        while k >= MAX_SERIES_POINTS as u64 {
            self.halve();
            k = (t / self.width_s) as u64;
        }
        let k = k as usize;
        if k >= self.counts.len() {
            self.counts.resize(k + 1, 0);
        }
        self.counts[k] += 1;
        self.last = k;
        self.last_from_s = k as f64 * self.width_s;
        self.last_to_s = (k + 1) as f64 * self.width_s;
    }

    fn halve(&mut self) {
        let merged: Vec<u64> = self.counts.chunks(2).map(|c| c.iter().sum()).collect();
        self.counts = merged;
        self.width_s *= 2.0;
        self.last_from_s = f64::INFINITY;
        self.last_to_s = f64::NEG_INFINITY;
    }
}

/// Collects [`TraceStats`] one arrival at a time.
///
/// Arrivals must come in ascending order ([`super::sorted_arrivals`] gives
/// that); an earlier one is counted in the current window rather than its own.
#[derive(Debug, Clone)]
pub struct StatsBuilder {
    requests: u64,
    first_s: f64,
    last_s: f64,
    second: Windows,
    window: Windows,
    gaps_us: Histogram<u64>,
    gaps: Sums,
    max_gap_s: f64,
    series: Series,
}

impl StatsBuilder {
    /// A builder with the configured window.
    ///
    /// # Panics
    /// When `window_s` is not a finite number > 0 (callers validate user input first).
    pub fn new(window_s: f64) -> Self {
        assert!(
            window_s.is_finite() && window_s > 0.0,
            "window must be > 0 s, got {window_s}"
        );
        StatsBuilder {
            requests: 0,
            first_s: 0.0,
            last_s: 0.0,
            second: Windows::new(1.0),
            window: Windows::new(window_s),
            gaps_us: Histogram::new(3).expect("3 significant figures is a valid precision"),
            gaps: Sums::default(),
            max_gap_s: 0.0,
            series: Series::new(window_s),
        }
    }

    /// Adds the arrival at `t_s` seconds.
    #[inline]
    pub fn push(&mut self, t_s: f64) {
        if self.requests == 0 {
            self.first_s = t_s;
        } else {
            let gap = (t_s - self.last_s).max(0.0);
            let us = to_micros(gap);
            // `record` grows the histogram as needed; it fails only past its
            // absolute limit, where saturating (the max is kept exactly) is fine.
            if self.gaps_us.record(us).is_err() {
                self.gaps_us.saturating_record(us);
            }
            self.gaps.push(gap);
            self.max_gap_s = self.max_gap_s.max(gap);
        }
        self.requests += 1;
        self.last_s = self.last_s.max(t_s);
        self.second.push(t_s);
        self.window.push(t_s);
        self.series.push(t_s);
    }

    /// The statistics of everything pushed.
    pub fn finish(mut self) -> TraceStats {
        let window_s = self.window.width_s;
        if self.requests > 0 {
            self.second.close();
            self.window.close();
        }
        let duration_s = if self.requests == 0 { 0.0 } else { self.last_s };
        let burstiness = (self.window.counts.n >= 2 && self.window.counts.mean > 0.0)
            .then(|| self.window.counts.variance() / self.window.counts.mean);
        let q = |p: f64| {
            if self.gaps_us.is_empty() {
                0.0
            } else {
                self.gaps_us.value_at_quantile(p) as f64 / 1e3
            }
        };
        let gap_cv = (self.gaps.n >= 2 && self.gaps.mean() > 0.0)
            .then(|| self.gaps.variance().sqrt() / self.gaps.mean());
        let step = self.series.width_s;
        TraceStats {
            requests: self.requests,
            duration_s,
            first_arrival_s: self.first_s,
            mean_rps: if duration_s > 0.0 {
                self.requests as f64 / duration_s
            } else {
                0.0
            },
            peak_rps: self.second.peak as f64,
            peak_at_s: self.second.peak_index as f64,
            window_s,
            peak_rps_window: self.window.peak as f64 / window_s,
            burstiness,
            interarrival_mean_ms: self.gaps.mean() * 1e3,
            interarrival_p50_ms: q(0.50),
            interarrival_p90_ms: q(0.90),
            interarrival_p99_ms: q(0.99),
            interarrival_max_ms: self.max_gap_s * 1e3,
            interarrival_cv: gap_cv,
            rate_series_step_s: step,
            rate_series_rps: self
                .series
                .counts
                .iter()
                .map(|&c| c as f64 / step)
                .collect(),
        }
    }
}

/// Statistics of ascending arrival times, with counts per `window_s` window.
///
/// # Panics
/// When `window_s` is not a finite number > 0.
pub fn stats<I: IntoIterator<Item = f64>>(times: I, window_s: f64) -> TraceStats {
    let mut b = StatsBuilder::new(window_s);
    for t in times {
        b.push(t);
    }
    b.finish()
}

/// Statistics of a trace file, streamed (sorted in memory first only if it is
/// unsorted); returns the warnings to show too.
pub fn stats_file(path: &Path, window_s: f64) -> Result<(TraceStats, Vec<String>)> {
    let sorted = open_sorted(path)?;
    let mut b = StatsBuilder::new(window_s);
    for t in sorted.arrivals {
        b.push(t?);
    }
    Ok((b.finish(), sorted.warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    /// Percentiles come from a histogram with 3 significant figures.
    fn within_histogram_precision(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-3 * b
    }

    #[test]
    fn hand_made_trace_gives_known_answers() {
        // 1-s windows: [0,1): 2, [1,2): 0, [2,3): 4, [3,4): 1 -> peak 4 at t=2.
        // 2-s windows: [0,2): 2, [2,4): 5 -> peak 2.5/s; mean 3.5, variance 2.25.
        let times = [0.0, 0.5, 2.0, 2.1, 2.2, 2.3, 3.5];
        let s = stats(times, 2.0);
        assert_eq!(s.requests, 7);
        assert_eq!(s.duration_s, 3.5);
        assert_eq!(s.first_arrival_s, 0.0);
        assert!(close(s.mean_rps, 2.0));
        assert_eq!(s.peak_rps, 4.0);
        assert_eq!(s.peak_at_s, 2.0);
        assert_eq!(s.peak_rps_window, 2.5);
        assert!(close(s.burstiness.unwrap(), 2.25 / 3.5));
        // Gaps (ms): 500, 1500, 100, 100, 100, 1200.
        assert!(close(s.interarrival_mean_ms, 3500.0 / 6.0));
        assert!(
            within_histogram_precision(s.interarrival_p50_ms, 100.0),
            "{s:?}"
        );
        assert!(within_histogram_precision(s.interarrival_p90_ms, 1500.0));
        assert!((s.interarrival_max_ms - 1500.0).abs() < 1e-9);
        assert_eq!(s.rate_series_step_s, 2.0);
        assert_eq!(s.rate_series_rps, vec![1.0, 2.5]);
    }

    #[test]
    fn empty_windows_count_as_zeros() {
        // Windows of 1 s: counts 1, 0, 0, 0, 1 -> mean 0.4, variance 0.24.
        let s = stats([0.5, 4.5], 1.0);
        assert!(close(s.burstiness.unwrap(), 0.24 / 0.4));
        assert_eq!(s.rate_series_rps, vec![1.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(s.peak_at_s, 0.0);
    }

    #[test]
    fn regular_arrivals_have_no_dispersion() {
        let s = stats((0..1000).map(|i| i as f64 * 0.01), 1.0);
        assert!(close(s.burstiness.unwrap(), 0.0));
        assert_eq!(s.peak_rps, 100.0);
        assert!(within_histogram_precision(s.interarrival_p99_ms, 10.0));
        assert!(s.interarrival_cv.unwrap() < 1e-6);
    }

    #[test]
    fn empty_and_single_arrival_traces() {
        let s = stats(std::iter::empty(), 1.0);
        assert_eq!(
            (s.requests, s.duration_s, s.mean_rps, s.peak_rps),
            (0, 0.0, 0.0, 0.0)
        );
        assert_eq!(s.burstiness, None);
        assert!(s.rate_series_rps.is_empty());
        let s = stats([3.0], 1.0);
        assert_eq!((s.requests, s.duration_s, s.peak_rps), (1, 3.0, 1.0));
        assert_eq!(s.interarrival_cv, None);
    }

    #[test]
    fn long_traces_get_a_bounded_series_that_keeps_every_request() {
        let times: Vec<f64> = (0..100_000).map(|i| i as f64 * 0.1).collect();
        let s = stats(times.iter().copied(), 1.0);
        assert!(s.rate_series_rps.len() <= MAX_SERIES_POINTS);
        assert_eq!(s.rate_series_step_s, 16.0);
        let total: f64 = s
            .rate_series_rps
            .iter()
            .map(|r| r * s.rate_series_step_s)
            .sum();
        assert!(close(total, 100_000.0));
    }

    #[test]
    fn shifted_sums_match_welford() {
        let mut a = Sums::default();
        let mut b = Moments::default();
        for i in 0..1000 {
            let x = 1e3 + (i % 7) as f64 * 0.001;
            a.push(x);
            b.push(x);
        }
        assert!(close(a.mean(), b.mean));
        assert!((a.variance() - b.variance()).abs() < 1e-12);
    }

    #[test]
    fn window_edges_follow_division() {
        // 0.3 / 0.1 is just below 3 in floating point: window 2, like the division says.
        let s = stats([0.05, 0.3, 0.31], 0.1);
        assert_eq!(s.rate_series_rps.len(), 4);
        assert!(close(s.rate_series_rps[2] * 0.1, 1.0));
        assert!(close(s.rate_series_rps[3] * 0.1, 1.0));
    }

    #[test]
    fn bulk_zeros_match_one_by_one() {
        let mut a = Moments::default();
        let mut b = Moments::default();
        for x in [3.0, 5.0, 1.0] {
            a.push(x);
            b.push(x);
        }
        a.push_zeros(7);
        for _ in 0..7 {
            b.push(0.0);
        }
        assert!(close(a.mean, b.mean) && close(a.m2, b.m2) && a.n == b.n);
    }

    #[test]
    fn stats_file_sorts_and_warns() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), "t_s\n2\n0\n1\n").unwrap();
        let (s, warnings) = stats_file(f.path(), 1.0).unwrap();
        assert_eq!(s.requests, 3);
        assert_eq!(s.peak_rps, 1.0);
        assert_eq!(warnings.len(), 1);
    }
}
