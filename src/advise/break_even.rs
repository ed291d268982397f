//! Break-even: the monthly cost of each option against a steady request
//! rate, from 0.01 to 1000 requests per second, and the rates at which the
//! cheaper option changes.
//!
//! Where the bill is linear in the rate the curve is analytic:
//! - hourly instances: `max(own, ceil(rate / (capacity * 0.8)))` instances for 730 h,
//!   capacity = workers / mean service time;
//! - functions billed per invocation or per active request (one request per
//!   instance): `requests * (fee + billed run)`, plus the cold starts of a
//!   Poisson stream, a fraction `exp(-rate * keep_alive)` of requests (the
//!   gap before them outlasts the keep-alive);
//! - provisioned concurrency: `ceil(rate * service / 0.8)` instances kept all
//!   month, plus every request at the provisioned duration rate;
//! - SnapStart: each cold start is a restore, with its per-GB charge, and the
//!   snapshot is cached all month.
//!
//! Instances that share requests (Cloud Run at concurrency 80) bill their
//! active time, which depends on how requests overlap: those curves are
//! simulated from steady Poisson traces. Analytic serverless curves are
//! checked against simulated ones at a few rates.

use super::candidates::{capacity, instances_for, Candidate, TARGET_UTILISATION};
use super::month::MONTH_S;
use super::{BreakEvenCurve, Crossover, Group, Method, RateCheck, RatePoint};
use crate::outcome::Outcome;
use crate::platform::cold_start::ColdStartPhases;
use crate::pricing::{Billing, Kind};
use crate::profile::Profile;
use crate::workload::generate::Poisson;
use std::sync::Arc;

/// Rates of the curves: three per decade from 0.01 to 1000 per second.
pub fn rates() -> Vec<f64> {
    (0..=15)
        .map(|i| 10f64.powf(-2.0 + i as f64 / 3.0))
        .collect()
}

/// Rates at which analytic serverless curves are checked by simulation.
pub const CHECK_RATES: [f64; 3] = [1.0, 10.0, 100.0];

/// One curve to compute.
#[derive(Debug, Clone)]
pub struct CurveSpec {
    /// The curve's id.
    pub id: String,
    /// Short label.
    pub label: String,
    /// The option at batch 1 (no provisioned concurrency: it is sized per rate).
    pub cand: Candidate,
    /// Whether the curve keeps provisioned concurrency sized for each rate.
    pub provisioned: bool,
}

impl CurveSpec {
    /// The curve of `c` (batching dropped: break-even compares platforms).
    pub fn of(c: &Candidate, provisioned: bool) -> Self {
        let mut v = c.settings.clone();
        v.batch_size = 1;
        v.batch_wait_s = 0.0;
        v.provisioned = 0;
        // Provisioned concurrency and SnapStart exclude each other.
        v.snapstart &= !provisioned;
        // Sized instance counts are resized per rate.
        if c.offer.kind == Kind::Server {
            v.instances = None;
        }
        let cand = c.with(v);
        let label = label(&c.offer.name, cand.settings.memory_mb, provisioned);
        let id = if provisioned {
            format!("{}+provisioned", cand.id)
        } else {
            cand.id.clone()
        };
        CurveSpec {
            id,
            label,
            cand,
            provisioned,
        }
    }

    /// Whether the curve is analytic (else simulated).
    pub fn method(&self) -> Method {
        let one_per_instance = self.cand.offer.behaviour.concurrency_per_instance <= 1;
        // An instance's life, not its requests, sets an instance-billed bill.
        let per_request = !self.cand.settings.instance_billed(&self.cand.offer);
        match (&self.cand.offer.billing, self.cand.offer.kind) {
            (Billing::Hourly { .. }, _) => Method::Analytic,
            (_, Kind::Serverless) if one_per_instance && per_request => Method::Analytic,
            _ => Method::Simulated,
        }
    }

    /// The group of the curve's option.
    pub fn group(&self) -> Group {
        self.cand.group()
    }
}

/// A curve's label in words, as charts and crossover sentences name it: the
/// service, its memory size, and whether provisioned concurrency keeps
/// instances warm (`AWS Lambda (x86_64) with 512 MB, kept warm`).
fn label(name: &str, memory_mb: Option<f64>, provisioned: bool) -> String {
    let mut s = crate::present::variant::service(name).to_string();
    if let Some(m) = memory_mb {
        s.push_str(&format!(" with {}", crate::present::mb(m)));
    }
    if provisioned {
        s.push_str(", kept warm (provisioned concurrency)");
    }
    s
}

/// Provisioned instances for a steady rate: the mean concurrency at
/// [`TARGET_UTILISATION`], at least one.
pub fn provisioned_for(rate_rps: f64, service_s: f64) -> u32 {
    ((rate_rps * service_s / TARGET_UTILISATION).ceil() as u32).max(1)
}

/// The analytic monthly cost of `spec` at `rate_rps`, and the instances it needs.
pub fn analytic(spec: &CurveSpec, profile: &Arc<Profile>, rate_rps: f64) -> Option<RatePoint> {
    let c = &spec.cand;
    let offer = &c.offer;
    let (cap, s1) = capacity(offer, profile, c.settings.memory_mb, 1.0).ok()?;
    let requests = rate_rps * MONTH_S;
    let b = &offer.billing;
    if let Some(h) = b.hourly_usd() {
        let n = (rate_rps / (cap * TARGET_UTILISATION))
            .ceil()
            .max(c.own_instances() as f64);
        return Some(RatePoint {
            rate_rps,
            cost_per_month_usd: n * h * crate::pricing::billing::HOURS_PER_MONTH,
            instances: n,
        });
    }
    let mem = c.settings.memory_mb.unwrap_or(offer.spec.memory_mb);
    let vcpu = match offer.spec.mb_per_vcpu {
        Some(per) if per > 0.0 => mem / per,
        _ => offer.spec.vcpu,
    };
    if spec.provisioned {
        let n = provisioned_for(rate_rps, s1);
        let keep = b.provisioned_usd(MONTH_S, mem)? * n as f64;
        let each = b.per_request_usd() + b.provisioned_invocation_usd(s1, mem)?;
        return Some(RatePoint {
            rate_rps,
            cost_per_month_usd: keep + requests * each,
            instances: n as f64,
        });
    }
    let snap = c.settings.snapstart;
    let cold = ColdStartPhases::new(profile, offer, vcpu).with_snapstart(offer, snap);
    let first_extra = (cold.first_inference_s - s1).max(0.0);
    let restore = b.snapstart_restore_usd(mem).filter(|_| snap).unwrap_or(0.0);
    let cache = b
        .snapstart_cache_usd(MONTH_S, mem)
        .filter(|_| snap)
        .unwrap_or(0.0);
    let (warm, cold_cost) = match b {
        Billing::Invocation { .. } => (
            b.invocation_usd(s1, mem, vcpu),
            b.cold_invocation_usd(
                cold.billable_init_s(),
                cold.in_handler_s() + s1 + first_extra,
                mem,
                vcpu,
            ) + restore,
        ),
        Billing::ActiveInstance { .. } => (
            b.active_usd(s1, mem, vcpu),
            b.active_usd(cold.until_ready_s() + s1 + first_extra, mem, vcpu),
        ),
        Billing::Hourly { .. } => return None,
    };
    let keep_alive = offer.behaviour.keep_alive_s.unwrap_or(f64::INFINITY);
    let cold_fraction = (-rate_rps * keep_alive).exp();
    let each = b.per_request_usd() + warm + cold_fraction * (cold_cost - warm).max(0.0);
    Some(RatePoint {
        rate_rps,
        cost_per_month_usd: requests * each + cache,
        instances: rate_rps * s1,
    })
}

/// A steady Poisson trace at `rate_rps`: long enough for a few hundred
/// requests, short enough to stay fast (at most 6000 requests).
pub fn steady_trace(rate_rps: f64, seed: u64) -> Vec<f64> {
    let n = (rate_rps * 600.0).clamp(300.0, 6000.0);
    Poisson::new(rate_rps, n / rate_rps, seed).collect()
}

/// The option simulated on a steady trace at `rate_rps`, sized for the rate.
pub fn steady_candidate(spec: &CurveSpec, profile: &Arc<Profile>, rate_rps: f64) -> Candidate {
    let mut v = spec.cand.settings.clone();
    if spec.provisioned {
        if let Ok((_, s1)) = capacity(&spec.cand.offer, profile, v.memory_mb, 1.0) {
            v.provisioned = provisioned_for(rate_rps, s1);
        }
    }
    if spec.cand.offer.kind != Kind::Serverless {
        if let Ok((cap, _)) = capacity(&spec.cand.offer, profile, None, 1.0) {
            v.instances = Some(instances_for(cap, rate_rps).max(spec.cand.own_instances()));
        }
    }
    spec.cand.with(v)
}

/// Instances warm at the start of a steady run, so that it shows the steady
/// state a month is made of rather than the first minutes' cold starts: the
/// mean concurrency plus three standard deviations of a Poisson count, and one.
pub fn steady_prewarm(spec: &CurveSpec, profile: &Arc<Profile>, rate_rps: f64) -> u32 {
    if spec.cand.offer.kind != Kind::Serverless {
        return 0;
    }
    let Ok((_, s1)) = capacity(&spec.cand.offer, profile, spec.cand.settings.memory_mb, 1.0) else {
        return 0;
    };
    let m = rate_rps * s1;
    (m + 3.0 * m.sqrt()).ceil() as u32 + 1
}

/// Monthly cost of a steady run: usage scaled to a month of the same rate.
pub fn simulated_month(c: &Candidate, o: &Outcome, rate_rps: f64) -> f64 {
    let basis = super::month::basis((rate_rps * 1000.0) as u64, 1000.0);
    super::month::per_month(c, o, &basis)
}

/// The rates at which each curve is simulated (every rate for simulated
/// curves, the check rates for analytic serverless ones, none for hourly).
pub fn sim_rates(spec: &CurveSpec) -> Vec<f64> {
    match spec.method() {
        Method::Simulated => rates(),
        Method::Analytic if spec.cand.offer.kind == Kind::Serverless => CHECK_RATES.to_vec(),
        Method::Analytic => Vec::new(),
    }
}

/// Builds a curve from its analytic points and its simulated runs
/// (`sims`: rate, monthly cost).
pub fn curve(spec: &CurveSpec, profile: &Arc<Profile>, sims: &[(f64, f64, f64)]) -> BreakEvenCurve {
    let method = spec.method();
    let (points, checks) = match method {
        Method::Analytic => {
            let points: Vec<RatePoint> = rates()
                .into_iter()
                .filter_map(|r| analytic(spec, profile, r))
                .collect();
            let checks = sims
                .iter()
                .filter_map(|&(r, month, _)| {
                    analytic(spec, profile, r).map(|a| RateCheck {
                        rate_rps: r,
                        analytic_per_month_usd: a.cost_per_month_usd,
                        simulated_per_month_usd: month,
                    })
                })
                .collect();
            (points, checks)
        }
        Method::Simulated => (
            sims.iter()
                .map(|&(r, month, inst)| RatePoint {
                    rate_rps: r,
                    cost_per_month_usd: month,
                    instances: inst,
                })
                .collect(),
            Vec::new(),
        ),
    };
    BreakEvenCurve {
        id: spec.id.clone(),
        offer: spec.cand.offer.id.clone(),
        group: spec.group(),
        label: spec.label.clone(),
        method,
        points,
        checks,
    }
}

/// For each pair of curves, the rate above which one stays cheaper than the
/// other, in words. A curve with steps (instances added one at a time) may
/// cross a straight one several times; the last crossing is the one the
/// sentence "above about N req/s" holds for.
pub fn crossovers(curves: &[BreakEvenCurve]) -> Vec<Crossover> {
    let mut out = Vec::new();
    for (i, a) in curves.iter().enumerate() {
        for b in &curves[i + 1..] {
            let pairs: Vec<(f64, f64)> = a
                .points
                .iter()
                .filter_map(|p| {
                    b.points
                        .iter()
                        .find(|q| (q.rate_rps / p.rate_rps - 1.0).abs() < 1e-9)
                        .map(|q| (p.rate_rps, p.cost_per_month_usd - q.cost_per_month_usd))
                })
                .collect();
            let last = pairs.windows(2).rev().find(|w| {
                let (d0, d1) = (w[0].1, w[1].1);
                d0 != 0.0 && d1 != 0.0 && d0.signum() != d1.signum()
            });
            if let Some(w) = last {
                let ((r0, d0), (r1, d1)) = (w[0], w[1]);
                let t = d0 / (d0 - d1);
                let rate = (r0.ln() + t * (r1.ln() - r0.ln())).exp();
                // d = a - b: a cheaper below when d0 < 0.
                let (below, above) = if d0 < 0.0 { (a, b) } else { (b, a) };
                out.push(Crossover {
                    rate_rps: rate,
                    cheaper_below: below.id.clone(),
                    cheaper_above: above.id.clone(),
                    text: format!(
                        "above about {} req/s sustained, {} costs less than {}",
                        round_rate(rate),
                        above.label,
                        below.label
                    ),
                });
            }
        }
    }
    out.sort_by(|x, y| x.rate_rps.total_cmp(&y.rate_rps));
    out
}

/// A rate rounded to two significant figures for a sentence.
pub fn round_rate(r: f64) -> String {
    if r >= 100.0 {
        format!("{:.0}", (r / 10.0).round() * 10.0)
    } else if r >= 10.0 {
        format!("{r:.0}")
    } else if r >= 1.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advise::candidates::default_variant;

    fn spec(id: &str, provisioned: bool) -> CurveSpec {
        let offer = crate::pricing::snapshot::builtin("current")
            .unwrap()
            .offer(id)
            .unwrap()
            .clone();
        CurveSpec::of(
            &Candidate::new(&offer, default_variant(&offer)),
            provisioned,
        )
    }

    #[test]
    fn rates_span_five_decades() {
        let r = rates();
        assert_eq!(r.len(), 16);
        assert!((r[0] - 0.01).abs() < 1e-12 && (r[15] - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn a_server_costs_the_same_until_it_needs_another_instance() {
        let p = Arc::new(crate::profile::bundled::get("mobilenetv2").unwrap());
        let s = spec("aws-ec2-c7i.xlarge", false);
        assert_eq!(s.method(), Method::Analytic);
        let lo = analytic(&s, &p, 0.01).unwrap();
        let mid = analytic(&s, &p, 10.0).unwrap();
        let hi = analytic(&s, &p, 1000.0).unwrap();
        assert_eq!(lo.cost_per_month_usd, mid.cost_per_month_usd);
        assert!(hi.instances > 1.0 && hi.cost_per_month_usd > mid.cost_per_month_usd);
    }

    #[test]
    fn lambda_is_linear_and_crosses_a_server() {
        let p = Arc::new(crate::profile::bundled::get("mobilenetv2").unwrap());
        let l = spec("aws-lambda-x86", false);
        let a = analytic(&l, &p, 10.0).unwrap().cost_per_month_usd;
        let b = analytic(&l, &p, 100.0).unwrap().cost_per_month_usd;
        assert!((b / a - 10.0).abs() < 0.01, "{a} {b}");
        let curves: Vec<BreakEvenCurve> = [l, spec("aws-ec2-c7i.xlarge", false)]
            .iter()
            .map(|s| curve(s, &p, &[]))
            .collect();
        let x = crossovers(&curves);
        assert_eq!(x.len(), 1, "{x:?}");
        assert_eq!(x[0].cheaper_below, "aws-lambda-x86@2048mb");
        assert!(x[0].rate_rps > 1.0 && x[0].rate_rps < 1000.0);
        assert!(x[0].text.starts_with("above about"), "{}", x[0].text);
        assert!(
            x[0].text
                .contains("costs less than AWS Lambda (x86_64) with 2048 MB"),
            "{}",
            x[0].text
        );
        let warm = spec("aws-lambda-x86", true);
        assert_eq!(
            warm.label,
            "AWS Lambda (x86_64) with 2048 MB, kept warm (provisioned concurrency)"
        );
    }

    #[test]
    fn analytic_lambda_agrees_with_a_simulated_steady_trace() {
        let p = Arc::new(crate::profile::bundled::get("mobilenetv2").unwrap());
        for provisioned in [false, true] {
            let s = spec("aws-lambda-x86", provisioned);
            for rate in [1.0, 50.0] {
                let c = steady_candidate(&s, &p, rate);
                let times = steady_trace(rate, 3);
                let mut sc = c.scenario(&p, 1, 1.0);
                sc.prewarm = steady_prewarm(&s, &p, rate);
                let o = crate::sim::simulate_times(&sc, &times).unwrap();
                let sim = simulated_month(&c, &o, times.len() as f64 / times[times.len() - 1]);
                let ana = analytic(&s, &p, rate).unwrap().cost_per_month_usd;
                assert!(
                    (sim / ana - 1.0).abs() < 0.15,
                    "provisioned {provisioned} rate {rate}: simulated {sim} analytic {ana}"
                );
            }
        }
    }
}
