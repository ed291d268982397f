//! A bounded time series whose buckets widen as the run grows.
//!
//! Requests are counted in the bucket of their *arrival* time, so a bucket's
//! success ratio is that of the requests sent in it (the study's Figure 6
//! plots latency and success against send time). When a time falls past the
//! last bucket, neighbouring buckets are merged pairwise and the width
//! doubles; the number of buckets never exceeds [`MAX_BUCKETS`].

use serde::{Deserialize, Serialize};

/// Most buckets a series holds.
pub const MAX_BUCKETS: usize = 2048;
/// Width of a bucket before any widening, seconds.
pub const INITIAL_WIDTH_S: f64 = 0.125;

/// One time bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Requests that arrived in the bucket.
    pub arrivals: u64,
    /// Of those, the ones that succeeded.
    pub completions: u64,
    /// Of those, the ones that failed.
    pub failures: u64,
    /// Sum of the successful ones' latency, s (mean = sum / completions).
    pub latency_sum_s: f64,
    /// Most instances alive during the bucket.
    pub instances: u64,
    /// Instances started during the bucket.
    #[serde(default)]
    pub started: u64,
}

impl Bucket {
    /// Mean latency of the bucket's successful requests, s (0 when none).
    pub fn mean_latency_s(&self) -> f64 {
        if self.completions == 0 {
            0.0
        } else {
            self.latency_sum_s / self.completions as f64
        }
    }

    /// Success ratio of the requests that arrived in the bucket (1 when none arrived).
    pub fn success_ratio(&self) -> f64 {
        let done = self.completions + self.failures;
        if done == 0 {
            1.0
        } else {
            self.completions as f64 / done as f64
        }
    }

    fn merge(&mut self, other: &Bucket) {
        self.arrivals += other.arrivals;
        self.completions += other.completions;
        self.failures += other.failures;
        self.latency_sum_s += other.latency_sum_s;
        self.instances = self.instances.max(other.instances);
        self.started += other.started;
    }
}

/// A finished time series: bucket `i` covers `[i * bucket_s, (i + 1) * bucket_s)`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Width of every bucket, s.
    pub bucket_s: f64,
    /// The buckets, from t = 0.
    pub buckets: Vec<Bucket>,
}

/// Builds a [`Series`] in bounded memory.
#[derive(Debug, Clone)]
pub struct SeriesRecorder {
    width_s: f64,
    /// `1 / width_s`: the width is a power of two, so multiplying by it is
    /// exact and spares a division on every recorded event.
    per_s: f64,
    buckets: Vec<Bucket>,
    /// The instance count as last reported, and since when: a count holds
    /// until the next report, so every bucket it spans gets it.
    level: u64,
    level_t: f64,
}

impl Default for SeriesRecorder {
    fn default() -> Self {
        Self::new()
    }
}

impl SeriesRecorder {
    /// An empty series with the initial bucket width.
    pub fn new() -> Self {
        SeriesRecorder {
            width_s: INITIAL_WIDTH_S,
            per_s: 1.0 / INITIAL_WIDTH_S,
            buckets: Vec::new(),
            level: 0,
            level_t: 0.0,
        }
    }

    /// The bucket for time `t_s`, widening and growing the series as needed.
    #[inline]
    fn bucket(&mut self, t_s: f64) -> &mut Bucket {
        let t = if t_s.is_finite() { t_s.max(0.0) } else { 0.0 };
        let mut i = (t * self.per_s) as usize;
        while i >= MAX_BUCKETS {
            self.widen();
            i = (t * self.per_s) as usize;
        }
        if i >= self.buckets.len() {
            self.buckets.resize(i + 1, Bucket::default());
        }
        &mut self.buckets[i]
    }

    fn widen(&mut self) {
        let merged: Vec<Bucket> = self
            .buckets
            .chunks(2)
            .map(|pair| {
                let mut b = pair[0];
                if let Some(second) = pair.get(1) {
                    b.merge(second);
                }
                b
            })
            .collect();
        self.buckets = merged;
        self.width_s *= 2.0;
        self.per_s *= 0.5;
    }

    /// A request arrived.
    #[inline]
    pub fn arrival(&mut self, t_s: f64) {
        self.bucket(t_s).arrivals += 1;
    }

    /// The request that arrived at `arrival_s` succeeded after `latency_s`.
    #[inline]
    pub fn success(&mut self, arrival_s: f64, latency_s: f64) {
        let b = self.bucket(arrival_s);
        b.completions += 1;
        b.latency_sum_s += latency_s;
    }

    /// The request that arrived at `arrival_s` failed.
    #[inline]
    pub fn failure(&mut self, arrival_s: f64) {
        self.bucket(arrival_s).failures += 1;
    }

    /// `count` instances were alive from `t_s` until the next report.
    ///
    /// A report of an earlier time than the last one (a platform settling an
    /// expiry late) only raises its own bucket.
    #[inline]
    pub fn instances(&mut self, t_s: f64, count: u64) {
        if t_s >= self.level_t {
            self.hold_level_until(t_s);
            self.level = count;
            self.level_t = t_s;
        }
        let b = self.bucket(t_s);
        if count > b.instances {
            b.instances = count;
        }
    }

    /// Gives the current level to every bucket from the last report up to `t_s`.
    #[inline]
    fn hold_level_until(&mut self, t_s: f64) {
        if self.level == 0 {
            return;
        }
        // Growing the series first may widen it, which moves the indices.
        self.bucket(t_s);
        let from = (self.level_t.max(0.0) * self.per_s) as usize;
        let to = (t_s.max(0.0) * self.per_s) as usize;
        let level = self.level;
        let last = self.buckets.len() - 1;
        for b in &mut self.buckets[from.min(last)..=to.min(last)] {
            if level > b.instances {
                b.instances = level;
            }
        }
    }

    /// An instance started at `t_s`.
    #[inline]
    pub fn started(&mut self, t_s: f64) {
        self.bucket(t_s).started += 1;
    }

    /// The series so far.
    pub fn finish(mut self) -> Series {
        if let Some(last) = self.buckets.len().checked_sub(1) {
            let end = (last as f64 + 0.5) * self.width_s;
            self.hold_level_until(end);
        }
        Series {
            bucket_s: self.width_s,
            buckets: self.buckets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widens_and_keeps_totals() {
        let mut s = SeriesRecorder::new();
        let n = 100_000;
        for i in 0..n {
            let t = i as f64 * 0.01; // 1000 s at 100/s
            s.arrival(t);
            s.success(t, 0.5);
            s.instances(t, i % 7);
        }
        let series = s.finish();
        assert!(series.buckets.len() <= MAX_BUCKETS);
        assert!(series.bucket_s >= 1000.0 / MAX_BUCKETS as f64);
        let arrivals: u64 = series.buckets.iter().map(|b| b.arrivals).sum();
        let done: u64 = series.buckets.iter().map(|b| b.completions).sum();
        assert_eq!(arrivals, n);
        assert_eq!(done, n);
        assert!(series.buckets.iter().all(|b| b.instances == 6));
        assert!((series.buckets[3].mean_latency_s() - 0.5).abs() < 1e-12);
        assert_eq!(series.buckets[3].success_ratio(), 1.0);
    }

    #[test]
    fn an_instance_count_holds_across_quiet_buckets() {
        let mut s = SeriesRecorder::new();
        s.arrival(0.0);
        s.instances(0.0, 3);
        s.instances(10.0, 0);
        s.arrival(20.0);
        let series = s.finish();
        let at = |t: f64| series.buckets[(t / series.bucket_s) as usize].instances;
        assert_eq!(at(0.0), 3);
        assert_eq!(at(5.0), 3, "held between reports");
        assert_eq!(at(9.9), 3);
        assert_eq!(at(15.0), 0, "none after they stopped");
        assert_eq!(at(20.0), 0);
    }
}
