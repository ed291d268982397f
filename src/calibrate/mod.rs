//! Fitting an offer to a live replay, so the simulator reproduces what was
//! measured.
//!
//! Three figures of the offer are fitted: the per-core CPU speed, the network
//! round trip and, for functions, the platform's cold-start init.
//!
//! When the server said how long each inference took (`x-inference-ms`, as
//! `advisor serve` answers), the CPU speed is read off that directly: the
//! profile's modelled service time over the server's mean. Latency alone
//! cannot tell a slower CPU from a longer round trip at light load (both
//! add to every request), yet near capacity only the CPU speed counts, so a
//! speed fitted from latency misjudges the load the server can take.
//!
//! The rest are searched one after another over a few rounds (coordinate
//! descent, golden-section search on each): the CPU speed when the server
//! gave no time (in log space, 0.05x to 20x), the round trip (0 to the
//! measured median latency) and the platform init (0 to 60 s). The
//! objective is the squared relative error of the mean and the 95th
//! percentile latency, the success ratio's difference, and the relative
//! error of the latency series bucket by bucket; every evaluation is one
//! simulation of the trace, so the fit is deterministic for a seed.

pub mod snapshot;

use crate::outcome::Outcome;
use crate::platform::Derived;
use crate::pricing::{Kind, Offer};
use crate::profile::Profile;
use crate::sim::{simulate_times, Scenario};
use serde::Serialize;
use std::sync::Arc;

/// Rounds of the coordinate descent.
const ROUNDS: usize = 3;
/// Golden-section steps per figure and round (the interval shrinks by 0.618 each).
const STEPS: usize = 24;

/// The fitted figures and how well the fitted model reproduces the replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// Offer id.
    pub offer: String,
    /// Per-core speed against the profiling machine (the offer's figure replaced).
    pub cpu_speed: f64,
    /// Where the CPU speed came from: `server timing` (the answers'
    /// `x-inference-ms`) or `latency fit`.
    pub cpu_speed_from: &'static str,
    /// Network round trip, s.
    pub network_rtt_s: f64,
    /// Platform cold-start init, s (functions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_init_s: Option<f64>,
    /// Requests the replay measured.
    pub requests: u64,
    /// Measured against modelled with the fitted figures.
    pub residuals: Residuals,
}

/// Modelled minus measured, relative where the figure is a time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Residuals {
    /// Mean latency: modelled / measured - 1.
    pub avg_latency_rel: f64,
    /// 95th percentile: modelled / measured - 1.
    pub p95_latency_rel: f64,
    /// Success ratio: modelled - measured (a fraction, not percent).
    pub success_ratio_diff: f64,
    /// Root mean square of the per-bucket relative error of mean latency,
    /// over buckets where both have completions.
    pub series_rms_rel: f64,
    /// The objective the search minimised.
    pub objective: f64,
}

/// What the fit runs on: the profile, the offer and the trace of the replay.
pub struct Problem<'a> {
    /// The profile of the model that was served.
    pub profile: Arc<Profile>,
    /// The offer to fit (its figures are the starting point).
    pub offer: &'a Offer,
    /// The replayed trace's arrival times.
    pub times: &'a [f64],
    /// The replay's outcome.
    pub measured: &'a Outcome,
    /// The server's median inference time per request as its answers
    /// reported it, s (`None` when they did not).
    pub server_p50_s: Option<f64>,
    /// Seed of the simulations.
    pub seed: u64,
}

impl Problem<'_> {
    /// The offer with the given figures.
    pub fn with(&self, cpu: f64, rtt: f64, init: Option<f64>) -> Offer {
        let mut o = self.offer.clone();
        o.spec.cpu_speed = cpu;
        o.behaviour.network_rtt_s = rtt;
        if let Some(i) = init {
            o.behaviour.cold_start.platform_init_s = i;
        }
        o
    }

    /// Simulates the trace on `offer`.
    pub fn simulate(&self, offer: Offer) -> anyhow::Result<Outcome> {
        let mut sc = Scenario::new(offer, self.profile.clone());
        sc.seed = self.seed;
        simulate_times(&sc, self.times)
    }

    fn residuals(&self, modelled: &Outcome) -> Residuals {
        residuals(self.measured, modelled)
    }

    /// The CPU speed at which the offer's modelled median service time of
    /// one request equals the server's reported median (service time is
    /// inversely proportional to the speed).
    ///
    /// Medians, not means: at a light load some requests follow an idle gap
    /// and run slower (the core wakes, its caches are cold), which a load
    /// near capacity, where the worker never idles, does not see. The
    /// profile measured back to back, as a busy worker runs, so its
    /// distribution is the busy one; the median of the light load is the
    /// figure both loads share. Measured with `scripts/check-calibrate` on
    /// MobileNetV2: the Poisson replay's median 4.78, 4.96 and 4.82 ms
    /// against the MMPP replay's mean 4.78, 4.90 and 4.78 ms, where the
    /// Poisson means were 4.87, 5.13 and 4.90 ms.
    pub fn speed_from_server(&self, server_p50_s: f64) -> anyhow::Result<f64> {
        let unit = self.with(1.0, self.offer.behaviour.network_rtt_s, None);
        let d = Derived::new(&unit, self.profile.clone(), None, 1, 1.0, None)?;
        Ok((d.warm_p50_s(1) / server_p50_s.max(1e-9)).clamp(0.05, 20.0))
    }
}

/// Measured against modelled.
pub fn residuals(measured: &Outcome, modelled: &Outcome) -> Residuals {
    let rel = |m: f64, s: f64| if m > 0.0 { s / m - 1.0 } else { 0.0 };
    let avg = rel(measured.avg_latency_s, modelled.avg_latency_s);
    let p95 = rel(measured.p95_latency_s, modelled.p95_latency_s);
    let success = modelled.success_ratio - measured.success_ratio;
    let series = series_rms(measured, modelled);
    Residuals {
        avg_latency_rel: avg,
        p95_latency_rel: p95,
        success_ratio_diff: success,
        series_rms_rel: series,
        objective: avg * avg + p95 * p95 + (10.0 * success).powi(2) + 0.25 * series * series,
    }
}

/// Per-bucket relative error of mean latency, where both series have completions
/// in buckets of the same width.
fn series_rms(measured: &Outcome, modelled: &Outcome) -> f64 {
    let (a, b) = (&measured.series, &modelled.series);
    if (a.bucket_s - b.bucket_s).abs() > 1e-9 * a.bucket_s.max(1e-9) {
        return 0.0;
    }
    let errs: Vec<f64> = a
        .buckets
        .iter()
        .zip(&b.buckets)
        .filter(|(x, y)| x.completions > 0 && y.completions > 0)
        .map(|(x, y)| y.mean_latency_s() / x.mean_latency_s().max(1e-12) - 1.0)
        .collect();
    if errs.is_empty() {
        return 0.0;
    }
    (errs.iter().map(|e| e * e).sum::<f64>() / errs.len() as f64).sqrt()
}

/// Fits the offer's CPU speed, round trip and (functions) platform init.
pub fn fit(p: &Problem<'_>) -> anyhow::Result<Fit> {
    let serverless = p.offer.kind == Kind::Serverless;
    let timed = match p.server_p50_s {
        Some(s) if s > 0.0 => Some(p.speed_from_server(s)?),
        _ => None,
    };
    let mut cpu = timed.unwrap_or(p.offer.spec.cpu_speed.max(1e-3));
    let mut rtt = p.offer.behaviour.network_rtt_s.max(0.0);
    let mut init = serverless.then_some(p.offer.behaviour.cold_start.platform_init_s);
    let rtt_hi = p.measured.p50_latency_s.max(1e-3);
    let mut err: Option<anyhow::Error> = None;
    let mut cost = |cpu: f64, rtt: f64, init: Option<f64>| -> f64 {
        match p.simulate(p.with(cpu, rtt, init)) {
            Ok(o) => p.residuals(&o).objective,
            Err(e) => {
                err.get_or_insert(e);
                f64::INFINITY
            }
        }
    };
    for _ in 0..ROUNDS {
        if timed.is_none() {
            let ln = golden(0.05f64.ln(), 20f64.ln(), |x| cost(x.exp(), rtt, init));
            cpu = ln.exp();
        }
        rtt = golden(0.0, rtt_hi, |x| cost(cpu, x, init));
        if init.is_some() {
            init = Some(golden(0.0, 60.0, |x| cost(cpu, rtt, Some(x))));
        }
    }
    if let Some(e) = err {
        return Err(e);
    }
    let modelled = p.simulate(p.with(cpu, rtt, init))?;
    Ok(Fit {
        offer: p.offer.id.clone(),
        cpu_speed: cpu,
        cpu_speed_from: if timed.is_some() {
            "server timing"
        } else {
            "latency fit"
        },
        network_rtt_s: rtt,
        platform_init_s: init,
        requests: p.measured.requests,
        residuals: p.residuals(&modelled),
    })
}

/// The minimum of `f` on [lo, hi] by golden-section search (f need only be
/// unimodal for the result to be the minimum; otherwise it is a local one).
pub fn golden(mut lo: f64, mut hi: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - r * (hi - lo);
    let mut b = lo + r * (hi - lo);
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..STEPS {
        if fa <= fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - r * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + r * (hi - lo);
            fb = f(b);
        }
    }
    if fa <= fb {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_section_finds_a_parabola_minimum() {
        let x = golden(0.0, 10.0, |x| (x - 3.7).powi(2));
        assert!((x - 3.7).abs() < 1e-3, "{x}");
    }

    /// A replay simulated with known figures is fitted back to them.
    #[test]
    fn the_fit_recovers_the_figures_a_replay_was_made_with() {
        let snap = crate::pricing::builtin("local").unwrap();
        let offer = snap.offer("local-server").unwrap().clone();
        let profile = Arc::new(crate::sim::fixtures::constant_profile(20.0));
        let times = crate::sim::fixtures::poisson_times(20.0, 2000, 3);
        let mut sc = Scenario::new(offer.clone(), profile.clone());
        sc.offer = Arc::new({
            let mut o = offer.clone();
            o.spec.cpu_speed = 0.5;
            o.behaviour.network_rtt_s = 0.004;
            o
        });
        sc.seed = 9;
        let measured = simulate_times(&sc, &times).unwrap();
        let p = Problem {
            profile,
            offer: &offer,
            times: &times,
            measured: &measured,
            server_p50_s: None,
            seed: 9,
        };
        let f = fit(&p).unwrap();
        assert!((f.cpu_speed / 0.5 - 1.0).abs() < 0.2, "{f:?}");
        assert!(f.residuals.avg_latency_rel.abs() < 0.05, "{f:?}");
        assert!(f.residuals.success_ratio_diff.abs() < 0.01, "{f:?}");
        assert_eq!(f.platform_init_s, None);
        assert_eq!(f.requests, 2000);
    }

    /// With the server's own inference time, the speed is read off it and
    /// the round trip is fitted to what latency is left, even where latency
    /// alone would trade one for the other.
    #[test]
    fn a_server_timing_fixes_the_speed_and_the_round_trip_takes_the_rest() {
        let snap = crate::pricing::builtin("local").unwrap();
        let offer = snap.offer("local-server").unwrap().clone();
        let profile = Arc::new(crate::sim::fixtures::constant_profile(20.0));
        let times = crate::sim::fixtures::poisson_times(5.0, 1000, 4);
        let mut truth = offer.clone();
        truth.spec.cpu_speed = 0.5;
        truth.behaviour.network_rtt_s = 0.004;
        let mut sc = Scenario::new(truth, profile.clone());
        sc.seed = 9;
        let measured = simulate_times(&sc, &times).unwrap();
        let p = Problem {
            profile,
            offer: &offer,
            times: &times,
            measured: &measured,
            server_p50_s: Some(0.040),
            seed: 9,
        };
        let f = fit(&p).unwrap();
        assert_eq!(f.cpu_speed_from, "server timing");
        assert!((f.cpu_speed / 0.5 - 1.0).abs() < 0.01, "{f:?}");
        assert!((f.network_rtt_s / 0.004 - 1.0).abs() < 0.1, "{f:?}");
    }

    /// A profile whose mean sits above its median (a slow tail): the speed
    /// makes the modelled median equal the server's, so twice the server's
    /// median halves the speed, and the mean plays no part.
    #[test]
    fn the_server_median_sets_the_speed() {
        let snap = crate::pricing::builtin("local").unwrap();
        let offer = snap.offer("local-server").unwrap().clone();
        let mut profile = crate::sim::fixtures::constant_profile(10.0);
        profile.latency[0].mean_ms = 12.0;
        profile.latency[0].p95_ms = 20.0;
        let profile = Arc::new(profile);
        let times = crate::sim::fixtures::poisson_times(5.0, 10, 1);
        let measured =
            simulate_times(&Scenario::new(offer.clone(), profile.clone()), &times).unwrap();
        let p = Problem {
            profile,
            offer: &offer,
            times: &times,
            measured: &measured,
            server_p50_s: None,
            seed: 1,
        };
        let unit = p.with(1.0, 0.0, None);
        let d = Derived::new(&unit, p.profile.clone(), None, 1, 1.0, None).unwrap();
        let (p50, mean) = (d.warm_p50_s(1), d.warm_mean_s(1));
        assert!(mean > p50 * 1.1, "median {p50} mean {mean}");
        let same = p.speed_from_server(p50).unwrap();
        let slower = p.speed_from_server(2.0 * p50).unwrap();
        assert!((same - 1.0).abs() < 1e-9, "{same}");
        assert!((slower - 0.5).abs() < 1e-9, "{slower}");
    }
}
