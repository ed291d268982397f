//! Latency percentiles second by second, in bounded memory.
//!
//! [`super::Series`] keeps counts and mean latency in buckets that widen as a
//! run grows; a replay's `--series` wants more: the p50/p95/p99 of every
//! second, and of the time to first byte. A histogram per second would grow
//! with the run, so only the seconds still receiving answers keep one: a
//! request finishes at most its timeout after its scheduled time, so once
//! the run is that far past a second, the second is closed into its
//! percentiles and its histograms are reused. Requests count in the second
//! of their *scheduled* send (as in [`super::Series`]), so a second's counts
//! are those of the trace's requests due in it.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Histogram bound: one hour in microseconds.
const MAX_US: u64 = 3_600_000_000;

/// One second of a replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SecondStats {
    /// Start of the second, s from the start of the replay (trace time / speed).
    pub t_s: f64,
    /// Requests scheduled in this second that finished (answered, failed or timed out).
    pub requests: u64,
    /// Of those, the successful ones.
    pub succeeded: u64,
    /// Of those, the failed ones.
    pub failed: u64,
    /// Median latency of the successful ones, from the scheduled send, ms (0 when none).
    pub p50_ms: f64,
    /// 95th percentile latency, ms.
    pub p95_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Median time to first byte (from the actual send to the answer's head), ms.
    pub ttfb_p50_ms: f64,
    /// 95th percentile time to first byte, ms.
    pub ttfb_p95_ms: f64,
    /// 99th percentile time to first byte, ms.
    pub ttfb_p99_ms: f64,
}

/// A second still receiving answers.
struct Open {
    stats: SecondStats,
    latency: Histogram<u32>,
    ttfb: Histogram<u32>,
}

impl Open {
    fn new() -> Self {
        let h = || Histogram::new_with_bounds(1, MAX_US, 3).expect("static histogram bounds");
        Open {
            stats: SecondStats::default(),
            latency: h(),
            ttfb: h(),
        }
    }

    fn close(&self) -> SecondStats {
        let q = |h: &Histogram<u32>, q: f64| {
            if h.is_empty() {
                0.0
            } else {
                h.value_at_quantile(q) as f64 / 1e3
            }
        };
        SecondStats {
            p50_ms: q(&self.latency, 0.50),
            p95_ms: q(&self.latency, 0.95),
            p99_ms: q(&self.latency, 0.99),
            ttfb_p50_ms: q(&self.ttfb, 0.50),
            ttfb_p95_ms: q(&self.ttfb, 0.95),
            ttfb_p99_ms: q(&self.ttfb, 0.99),
            ..self.stats
        }
    }
}

/// Builds the per-second series of a replay.
#[derive(Default)]
pub struct PerSecondRecorder {
    /// Closed seconds, from second 0.
    closed: Vec<SecondStats>,
    /// Open seconds, from second `closed.len()`.
    open: VecDeque<Open>,
    /// Histograms of closed seconds, kept for reuse.
    spare: Vec<Open>,
}

fn us(s: f64) -> u64 {
    (s * 1e6 + 0.5).clamp(1.0, MAX_US as f64) as u64
}

impl PerSecondRecorder {
    /// An empty series.
    pub fn new() -> Self {
        Self::default()
    }

    /// A finished request scheduled at `scheduled_s`: `Some((latency_s,
    /// ttfb_s))` when it succeeded, `None` when it failed.
    pub fn record(&mut self, scheduled_s: f64, success: Option<(f64, f64)>) {
        let i = if scheduled_s.is_finite() {
            scheduled_s.max(0.0) as usize
        } else {
            0
        };
        if i < self.closed.len() {
            // Later than its timeout allows (a stalled machine): it still
            // counts, but the second's percentiles are already out.
            let s = &mut self.closed[i];
            s.requests += 1;
            match success {
                Some(_) => s.succeeded += 1,
                None => s.failed += 1,
            }
            return;
        }
        while self.closed.len() + self.open.len() <= i {
            let t_s = (self.closed.len() + self.open.len()) as f64;
            let mut o = self.spare.pop().unwrap_or_else(Open::new);
            o.stats = SecondStats {
                t_s,
                ..SecondStats::default()
            };
            self.open.push_back(o);
        }
        let o = &mut self.open[i - self.closed.len()];
        o.stats.requests += 1;
        match success {
            Some((latency_s, ttfb_s)) => {
                o.stats.succeeded += 1;
                // Clamped into the bounds, so recording cannot fail.
                let _ = o.latency.record(us(latency_s));
                let _ = o.ttfb.record(us(ttfb_s));
            }
            None => o.stats.failed += 1,
        }
    }

    /// Closes every second that ended at or before `t_s`.
    pub fn close_before(&mut self, t_s: f64) {
        while let Some(o) = self.open.front() {
            if o.stats.t_s + 1.0 > t_s {
                break;
            }
            let mut o = self.open.pop_front().expect("front exists");
            self.closed.push(o.close());
            o.latency.reset();
            o.ttfb.reset();
            self.spare.push(o);
        }
    }

    /// Seconds that still hold histograms.
    pub fn open_seconds(&self) -> usize {
        self.open.len()
    }

    /// Every second, from 0 to the last one a request was scheduled in.
    pub fn finish(mut self) -> Vec<SecondStats> {
        self.close_before(f64::INFINITY);
        self.closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_hold_their_requests_and_percentiles() {
        let mut r = PerSecondRecorder::new();
        // Second 0: 100 successes of 1..100 ms; second 1: none; second 2: one failure.
        for i in 1..=100 {
            r.record(0.5, Some((i as f64 / 1e3, i as f64 / 2e3)));
        }
        r.record(2.1, None);
        let s = r.finish();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].requests, s[0].succeeded, s[0].failed), (100, 100, 0));
        assert!((s[0].p50_ms - 50.0).abs() < 0.1, "{}", s[0].p50_ms);
        assert!((s[0].p99_ms - 99.0).abs() < 0.1, "{}", s[0].p99_ms);
        assert!(
            (s[0].ttfb_p50_ms - 25.0).abs() < 0.1,
            "{}",
            s[0].ttfb_p50_ms
        );
        assert_eq!(
            s[1],
            SecondStats {
                t_s: 1.0,
                ..SecondStats::default()
            }
        );
        assert_eq!((s[2].t_s, s[2].requests, s[2].failed), (2.0, 1, 1));
        assert_eq!(s[2].p99_ms, 0.0);
    }

    #[test]
    fn closed_seconds_free_their_histograms_and_still_count() {
        let mut r = PerSecondRecorder::new();
        for t in 0..100 {
            r.record(t as f64, Some((0.001, 0.0005)));
            r.close_before(t as f64 - 3.0);
            assert!(r.open_seconds() <= 5, "{}", r.open_seconds());
        }
        // A straggler for a closed second.
        r.record(10.2, None);
        let s = r.finish();
        assert_eq!(s.len(), 100);
        assert_eq!((s[10].requests, s[10].failed), (2, 1));
        assert!(r_total(&s) == 101);
    }

    fn r_total(s: &[SecondStats]) -> u64 {
        s.iter().map(|x| x.requests).sum()
    }
}
