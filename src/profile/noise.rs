//! Whether a profile's measurements can be trusted: a large spread between
//! runs, or more threads measured slower than fewer, means something else
//! was using the CPU while it was measured.
//!
//! Thresholds: on a quiet machine the bundled profiles' points have a p95
//! of at most 1.17 x their median, and every added thread is faster. A p95
//! above [`MAX_P95_OVER_P50`] x the median (or a probe coefficient of
//! variation above [`MAX_CV`]) is several times that spread; a thread count
//! more than [`SLOWER_TOLERANCE`] slower than a smaller one cannot come from
//! the model, since ONNX Runtime's extra threads at worst idle.

use super::{LatencyPoint, Profile};

/// Largest p95 / p50 of a point read as steady.
pub const MAX_P95_OVER_P50: f64 = 1.5;

/// Largest coefficient of variation (standard deviation / mean) of a
/// point's runs read as steady.
pub const MAX_CV: f64 = 0.25;

/// How much slower (as a fraction) more threads may measure than fewer
/// before the scaling is called implausible.
pub const SLOWER_TOLERANCE: f64 = 0.05;

/// What to do about a noisy profile, appended to every noise warning.
pub const ADVICE: &str = "profile again on a quiet machine (stop other work; \
`uptime` load average under 1) or with more runs (`--runs 200`)";

/// The warning of a profile whose figures follow its own machine only.
pub const NO_PROBE: &str = "the profile has no reference probe: its latencies follow the \
machine it was measured on, not each offer's CPU; profile the model again with this version \
to carry them to each offer's CPU";

/// True when a point's spread is larger than a steady measurement's.
pub fn is_noisy(p50_ms: f64, p95_ms: f64) -> bool {
    p50_ms > 0.0 && p95_ms / p50_ms > MAX_P95_OVER_P50
}

/// The coefficient of variation of samples (0 for fewer than two).
pub fn cv(samples: &[f64]) -> f64 {
    let n = samples.len() as f64;
    if samples.len() < 2 {
        return 0.0;
    }
    let mean = samples.iter().sum::<f64>() / n;
    let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    if mean > 0.0 {
        var.sqrt() / mean
    } else {
        0.0
    }
}

/// The warnings the latency table earns: points with a large spread, and
/// thread counts measured slower than smaller ones at the same batch.
pub fn assess(latency: &[LatencyPoint]) -> Vec<String> {
    let mut out = Vec::new();
    for l in latency.iter().filter(|l| is_noisy(l.p50_ms, l.p95_ms)) {
        out.push(format!(
            "noisy measurement: {} {} thread{}, batch {}: p95 {:.2} ms is {:.1} x the median {:.2} ms (steady: at most {MAX_P95_OVER_P50} x); {ADVICE}",
            l.device,
            l.threads,
            if l.threads == 1 { "" } else { "s" },
            l.batch,
            l.p95_ms,
            l.p95_ms / l.p50_ms,
            l.p50_ms
        ));
    }
    for more in latency {
        let slower_than = latency
            .iter()
            .filter(|fewer| {
                fewer.device == more.device
                    && fewer.batch == more.batch
                    && fewer.threads < more.threads
                    && more.mean_ms > fewer.mean_ms * (1.0 + SLOWER_TOLERANCE)
            })
            .max_by_key(|fewer| fewer.threads);
        if let Some(fewer) = slower_than {
            out.push(format!(
                "implausible thread scaling: {} threads measured slower than {} at batch {} ({:.2} ms against {:.2} ms): the CPU was shared while measuring; {ADVICE}",
                more.threads, fewer.threads, more.batch, more.mean_ms, fewer.mean_ms
            ));
        }
    }
    out
}

impl Profile {
    /// Everything a reader of this profile's figures should know: the
    /// warnings saved with it, those its latency table earns (for files
    /// written before they were checked) and whether it has a probe.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let derived = assess(&self.latency);
        for w in self.warnings.iter().chain(&derived) {
            if !out.contains(w) {
                out.push(w.clone());
            }
        }
        if self.probe.is_none() {
            out.push(NO_PROBE.to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(threads: u32, batch: u32, mean: f64, p95: f64) -> LatencyPoint {
        LatencyPoint {
            device: "cpu".into(),
            threads,
            batch,
            mean_ms: mean,
            p50_ms: mean,
            p95_ms: p95,
            p99_ms: p95,
            samples: 30,
            items_per_s: 1.0,
        }
    }

    #[test]
    fn steady_profile_earns_no_warning() {
        let l = [pt(1, 1, 10.0, 10.5), pt(2, 1, 5.5, 6.0)];
        assert!(assess(&l).is_empty());
    }

    #[test]
    fn spread_and_slower_threads_are_flagged() {
        let l = [pt(1, 1, 10.0, 10.5), pt(2, 1, 12.0, 30.0)];
        let w = assess(&l);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].starts_with("noisy measurement: cpu 2 threads, batch 1"),
            "{}",
            w[0]
        );
        assert!(w[0].contains("2.5 x the median"), "{}", w[0]);
        assert!(
            w[1].starts_with("implausible thread scaling: 2 threads measured slower than 1"),
            "{}",
            w[1]
        );
        assert!(w.iter().all(|x| x.contains("--runs")));
    }

    #[test]
    fn a_little_slower_is_tolerated() {
        let l = [pt(1, 1, 10.0, 10.5), pt(2, 1, 10.4, 10.9)];
        assert!(assess(&l).is_empty());
    }

    #[test]
    fn coefficient_of_variation() {
        assert_eq!(cv(&[5.0]), 0.0);
        assert_eq!(cv(&[2.0, 2.0, 2.0]), 0.0);
        let c = cv(&[1.0, 3.0]);
        assert!((c - 2f64.sqrt() / 2.0).abs() < 1e-12, "{c}");
    }

    #[test]
    fn profile_warnings_add_the_missing_probe_once() {
        let mut p = super::super::file::tests::sample();
        p.probe = None;
        p.warnings = vec!["x".into(), "x".into()];
        assert_eq!(p.warnings(), vec!["x".to_string(), NO_PROBE.to_string()]);
    }
}
