//! The one result type shared by the simulator and the live replay.
//!
//! [`Outcome`] is what a modelled run (`simulate`) and a measured run
//! (`replay`) both produce, so every screen and report can put them side by
//! side. [`Recorder`] builds one in constant memory: latencies stream into an
//! HDR histogram and counts into a [`Series`] whose buckets widen as the run
//! grows, so the memory used does not depend on the number of requests.

mod per_second;
mod series;

pub use per_second::{PerSecondRecorder, SecondStats};
pub use series::{Bucket, Series, SeriesRecorder};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Whether figures were modelled by the simulator or measured against an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Predicted by the simulator from a profile, a trace and an offer.
    Modelled,
    /// Measured by replaying a trace against a live endpoint.
    Measured,
}

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    /// Not answered within the timeout.
    Timeout,
    /// Refused by a concurrency or scaling limit (HTTP 429).
    Throttled,
    /// Dropped by the platform (connection reset, refused by an overloaded server).
    Dropped,
    /// Rejected because the waiting room was full (HTTP 503).
    QueueFull,
    /// Could not connect (live replay).
    Connect,
    /// Answered with an error status (live replay).
    HttpStatus,
    /// Answered 2xx with a body of the wrong shape (live replay).
    BadAnswer,
    /// In flight on a spot instance when the provider reclaimed it.
    Interrupted,
}

/// Failed requests by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failures {
    /// Not answered within the timeout.
    pub timeout: u64,
    /// Refused by a concurrency or scaling limit.
    pub throttled: u64,
    /// Dropped by the platform.
    pub dropped: u64,
    /// Rejected with a full queue.
    pub queue_full: u64,
    /// Connection errors (live replay).
    pub connect: u64,
    /// Error statuses (live replay).
    pub http_status: u64,
    /// 2xx answers whose body has the wrong shape (live replay); left out
    /// of the JSON when 0, as every modelled run has it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bad_answer: u64,
    /// In flight on a spot instance when it was reclaimed; left out of the
    /// JSON when 0, as every on-demand run has it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interrupted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Failures {
    /// All failures.
    pub fn total(&self) -> u64 {
        self.timeout
            + self.throttled
            + self.dropped
            + self.queue_full
            + self.connect
            + self.http_status
            + self.bad_answer
            + self.interrupted
    }

    /// Counts one failure.
    pub fn add(&mut self, reason: FailureReason) {
        match reason {
            FailureReason::Timeout => self.timeout += 1,
            FailureReason::Throttled => self.throttled += 1,
            FailureReason::Dropped => self.dropped += 1,
            FailureReason::QueueFull => self.queue_full += 1,
            FailureReason::Connect => self.connect += 1,
            FailureReason::HttpStatus => self.http_status += 1,
            FailureReason::BadAnswer => self.bad_answer += 1,
            FailureReason::Interrupted => self.interrupted += 1,
        }
    }
}

/// What the run cost, by part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CostBreakdown {
    /// Compute: GB-seconds, vCPU-seconds, or instance time spent serving.
    pub compute_usd: f64,
    /// Per-request charges.
    pub requests_usd: f64,
    /// Billed time with nothing to do: idle instances, provisioned concurrency.
    pub idle_usd: f64,
    /// Line items the user asked for: a gateway, data transfer out.
    #[serde(default, skip_serializing_if = "no_usd")]
    pub access_usd: f64,
}

fn no_usd(x: &f64) -> bool {
    *x == 0.0
}

impl CostBreakdown {
    /// Sum of the parts.
    pub fn total(&self) -> f64 {
        self.compute_usd + self.requests_usd + self.idle_usd + self.access_usd
    }
}

/// The result of running a trace against one offer, modelled or measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Offer id (or the URL for a live replay).
    pub offer: String,
    /// `serverless`, `managed`, `server`, or `live`.
    pub kind: String,
    /// Modelled or measured.
    pub provenance: Provenance,
    /// Requests in the trace.
    pub requests: u64,
    /// Requests answered successfully.
    pub succeeded: u64,
    /// Mean end-to-end latency of successful requests, s.
    pub avg_latency_s: f64,
    /// Median latency of successful requests, s.
    pub p50_latency_s: f64,
    /// 95th percentile latency of successful requests, s.
    pub p95_latency_s: f64,
    /// 99th percentile latency of successful requests, s.
    pub p99_latency_s: f64,
    /// Largest latency of a successful request, s.
    pub max_latency_s: f64,
    /// Successful / all requests.
    pub success_ratio: f64,
    /// Failures by reason.
    pub failures: Failures,
    /// Total cost of the run, USD (0 for a live replay, whose bill is not known).
    pub cost_usd: f64,
    /// Cost by part.
    pub cost: CostBreakdown,
    /// Instances started during the run (the initial ones included).
    pub instances_created: u64,
    /// Requests that waited for a cold start.
    pub cold_starts: u64,
    /// Most instances alive at once.
    pub peak_instances: u64,
    /// Instances alive when the run ended (before idle ones expire).
    pub instances_at_end: u64,
    /// Busy time / billed time of instances (0..1).
    pub utilisation: f64,
    /// Instances alive on average over the run (time-weighted).
    pub avg_instances: f64,
    /// Mean time an invocation waited before it started running (in a
    /// queue or for a cold start), s.
    pub avg_wait_s: f64,
    /// From the first arrival to the last completion, s.
    pub duration_s: f64,
    /// Counts and latency over time.
    pub series: Series,
    /// Remarks on how the figures were obtained.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Spot instances reclaimed during the run; left out of the JSON when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interruptions: u64,
    /// A function's billed quantities, for the month's free allowance and
    /// volume tiers (not part of the JSON).
    #[serde(skip)]
    pub usage: crate::pricing::Usage,
}

/// Latency histogram bounds: 1 microsecond to 1 hour, 3 significant digits.
const HIST_MAX_US: u64 = 3_600_000_000;

/// Collects per-request results in constant memory and yields an [`Outcome`].
#[derive(Debug, Clone)]
pub struct Recorder {
    hist: Histogram<u64>,
    latency_sum_s: f64,
    max_latency_s: f64,
    requests: u64,
    succeeded: u64,
    failures: Failures,
    first_arrival_s: f64,
    last_event_s: f64,
    series: SeriesRecorder,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Recorder {
            hist: Histogram::new_with_bounds(1, HIST_MAX_US, 3).expect("static histogram bounds"),
            latency_sum_s: 0.0,
            max_latency_s: 0.0,
            requests: 0,
            succeeded: 0,
            failures: Failures::default(),
            first_arrival_s: f64::INFINITY,
            last_event_s: 0.0,
            series: SeriesRecorder::new(),
        }
    }

    /// A request arrived at `t_s`.
    #[inline]
    pub fn arrival(&mut self, t_s: f64) {
        self.requests += 1;
        if t_s < self.first_arrival_s {
            self.first_arrival_s = t_s;
        }
        self.touch(t_s);
        self.series.arrival(t_s);
    }

    /// The request that arrived at `arrival_s` succeeded after `latency_s`.
    #[inline]
    pub fn success(&mut self, arrival_s: f64, latency_s: f64) {
        self.succeeded += 1;
        self.latency_sum_s += latency_s;
        if latency_s > self.max_latency_s {
            self.max_latency_s = latency_s;
        }
        // Truncating after adding a half rounds to the nearest microsecond
        // without the slower `round`; the clamp keeps it in the bounds.
        let us = (latency_s * 1e6 + 0.5).clamp(1.0, HIST_MAX_US as f64) as u64;
        // Clamped into the histogram's bounds, so recording cannot fail.
        let _ = self.hist.record(us);
        self.touch(arrival_s + latency_s);
        self.series.success(arrival_s, latency_s);
    }

    /// The request that arrived at `arrival_s` failed at `at_s`.
    #[inline]
    pub fn failure(&mut self, arrival_s: f64, at_s: f64, reason: FailureReason) {
        self.failures.add(reason);
        self.touch(at_s);
        self.series.failure(arrival_s);
    }

    /// `count` instances were alive at `t_s`.
    #[inline]
    pub fn instances(&mut self, t_s: f64, count: u64) {
        self.series.instances(t_s, count);
    }

    /// An instance started at `t_s`.
    #[inline]
    pub fn instance_started(&mut self, t_s: f64) {
        self.series.started(t_s);
    }

    #[inline]
    fn touch(&mut self, t_s: f64) {
        if t_s > self.last_event_s {
            self.last_event_s = t_s;
        }
    }

    /// Requests seen so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Successful requests so far.
    pub fn succeeded(&self) -> u64 {
        self.succeeded
    }

    /// Failures so far.
    pub fn failures(&self) -> Failures {
        self.failures
    }

    /// Latency quantile so far, seconds (0 when nothing succeeded).
    pub fn quantile_s(&self, q: f64) -> f64 {
        if self.succeeded == 0 {
            0.0
        } else {
            self.hist.value_at_quantile(q) as f64 / 1e6
        }
    }

    /// Mean latency so far, seconds (0 when nothing succeeded).
    pub fn mean_s(&self) -> f64 {
        if self.succeeded == 0 {
            0.0
        } else {
            self.latency_sum_s / self.succeeded as f64
        }
    }

    /// Builds the outcome. Fields the recorder cannot know (cost, instances,
    /// utilisation) are filled by the caller through [`Facts`].
    pub fn finish(self, offer: &str, kind: &str, provenance: Provenance, facts: Facts) -> Outcome {
        let duration_s = if self.requests == 0 {
            0.0
        } else {
            (self.last_event_s - self.first_arrival_s).max(0.0)
        };
        Outcome {
            offer: offer.to_string(),
            kind: kind.to_string(),
            provenance,
            requests: self.requests,
            succeeded: self.succeeded,
            avg_latency_s: self.mean_s(),
            p50_latency_s: self.quantile_s(0.50),
            p95_latency_s: self.quantile_s(0.95),
            p99_latency_s: self.quantile_s(0.99),
            max_latency_s: self.max_latency_s,
            success_ratio: if self.requests == 0 {
                0.0
            } else {
                self.succeeded as f64 / self.requests as f64
            },
            failures: self.failures,
            cost_usd: facts.cost.total(),
            cost: facts.cost,
            instances_created: facts.instances_created,
            cold_starts: facts.cold_starts,
            peak_instances: facts.peak_instances,
            instances_at_end: facts.instances_at_end,
            utilisation: facts.utilisation,
            avg_instances: if duration_s > 0.0 {
                facts.instance_s / duration_s
            } else {
                0.0
            },
            avg_wait_s: facts.avg_wait_s,
            duration_s,
            series: self.series.finish(),
            notes: facts.notes,
            interruptions: facts.interruptions,
            usage: facts.usage,
        }
    }
}

/// What the platform (not the recorder) knows at the end of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Cost by part.
    pub cost: CostBreakdown,
    /// Instances started.
    pub instances_created: u64,
    /// Requests that waited for a cold start.
    pub cold_starts: u64,
    /// Most instances alive at once.
    pub peak_instances: u64,
    /// Instances alive when the run ended.
    pub instances_at_end: u64,
    /// Busy / billed time.
    pub utilisation: f64,
    /// Sum of all instances' lifetimes, instance-seconds.
    pub instance_s: f64,
    /// Mean wait before running, s.
    pub avg_wait_s: f64,
    /// Remarks.
    pub notes: Vec<String>,
    /// Spot instances the provider reclaimed during the run.
    pub interruptions: u64,
    /// The billed quantities (requests, GB-s, vCPU-s, ...) of a function,
    /// which a month's free allowance and volume tiers are applied to.
    pub usage: crate::pricing::Usage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorder_summarises_latency_and_failures() {
        let mut r = Recorder::new();
        for i in 0..100 {
            let t = i as f64 * 0.1;
            r.arrival(t);
            if i % 10 == 9 {
                r.failure(t, t + 1.0, FailureReason::Timeout);
            } else {
                r.success(t, 0.010 + (i as f64) * 0.001);
            }
        }
        let o = r.finish("x", "server", Provenance::Modelled, Facts::default());
        assert_eq!(o.requests, 100);
        assert_eq!(o.succeeded, 90);
        assert_eq!(o.failures.timeout, 10);
        assert!((o.success_ratio - 0.9).abs() < 1e-12);
        // Latencies 10..109 ms minus every tenth: mean of the successful ones.
        let expect: f64 = (0..100)
            .filter(|i| i % 10 != 9)
            .map(|i| 0.010 + i as f64 * 0.001)
            .sum::<f64>()
            / 90.0;
        assert!((o.avg_latency_s - expect).abs() < 1e-9);
        assert!(
            (o.p50_latency_s - 0.0585).abs() < 0.002,
            "{}",
            o.p50_latency_s
        );
        assert!(o.p99_latency_s <= o.max_latency_s + 1e-4);
        assert!((o.duration_s - 10.9).abs() < 1e-9, "{}", o.duration_s);
    }

    #[test]
    fn empty_recorder_has_zero_ratios() {
        let o = Recorder::new().finish("x", "live", Provenance::Measured, Facts::default());
        assert_eq!(o.requests, 0);
        assert_eq!(o.success_ratio, 0.0);
        assert_eq!(o.avg_latency_s, 0.0);
    }
}
