//! Reasons in plain words, generated from the outcomes: which constraint an
//! option misses, and what in its run caused it (idle billed time, cold
//! starts, a slow scale-out, throttling, overload).
//!
//! Every [`Reason`] carries the figures of its sentence in `figures`, keyed
//! with their unit, so a screen can show them without reading the text.

use super::candidates::{capacity, Candidate};
use super::reasons::reason;
use super::{Constraints, Ranked, Reason, ReasonCode, RunnerUp};
use crate::outcome::Outcome;
use crate::platform::cold_start::ColdStartPhases;
use crate::present::{pct, readable, secs, usd};
use crate::pricing::{Kind, Offer};
use crate::profile::Profile;
use std::sync::Arc;

/// What the explanations need besides an option's own run.
#[derive(Debug, Clone)]
pub struct Context {
    /// The measured model.
    pub profile: Arc<Profile>,
    /// The targets.
    pub constraints: Constraints,
    /// The trace's highest 1-second rate, per second.
    pub peak_rps: f64,
    /// CPU speed factor of the runs.
    pub cpu_factor: f64,
}

/// What in the run explains its cost or its failures, most telling first.
pub fn causes(c: &Candidate, o: &Outcome, ctx: &Context) -> Vec<Reason> {
    let mut out = Vec::new();
    let failed = o.requests.saturating_sub(o.succeeded);
    if failed > 0 {
        match c.offer.kind {
            Kind::Managed => out.extend(scaling_delay(c, o, ctx)),
            Kind::Server => out.extend(overload(c, o, ctx)),
            Kind::Serverless => {}
        }
        if o.failures.throttled > 0 {
            out.push(throttled(c, o));
        }
    } else if c.offer.kind != Kind::Serverless && o.avg_wait_s > 0.5 {
        out.extend(overload(c, o, ctx));
    }
    if o.cold_starts > 0 {
        out.push(cold_starts(c, o, ctx));
    }
    if c.offer.kind != Kind::Serverless {
        out.push(idle(c, o));
    }
    if c.offer.spec.needs_compilation {
        out.push(compilation(c));
    }
    out
}

/// An accelerator that runs only compiled models (AWS Inferentia with Neuron).
pub fn compilation(c: &Candidate) -> Reason {
    let chip = c
        .offer
        .spec
        .gpu
        .as_ref()
        .map(|g| g.model.as_str())
        .unwrap_or("its accelerator");
    reason(
        &c.offer.id,
        ReasonCode::Compilation,
        format!(
            "needs the model compiled for {chip} first (AWS Neuron SDK, neuronx-cc); the latencies assume the compiled model runs at the accelerator's modelled speed, which a model with operators the compiler does not support will not reach"
        ),
        &[],
    )
}

/// Billed time with nothing to do.
pub fn idle(c: &Candidate, o: &Outcome) -> Reason {
    let idle_ratio = (1.0 - o.utilisation).clamp(0.0, 1.0);
    let what = match (c.offer.kind, c.offer.spec.gpu.is_some()) {
        (_, true) => "the GPU instance",
        (Kind::Managed, _) => "the endpoint",
        _ => "the server",
    };
    reason(
        &c.id,
        ReasonCode::Idle,
        format!(
            "{what} sits idle {:.0}% of the billed time ({:.1} instance(s) on average, {} busy)",
            idle_ratio * 100.0,
            o.avg_instances,
            pct(o.utilisation)
        ),
        &[
            ("idle_ratio", idle_ratio),
            ("utilisation", o.utilisation),
            ("avg_instances", o.avg_instances),
            ("idle_usd", o.cost.idle_usd),
        ],
    )
}

/// The cold start of `c` at its memory size, s.
pub fn cold_start_s(c: &Candidate, profile: &Profile, cpu_factor: f64) -> f64 {
    // The CPU factor is a what-if on the hardware, not a setting of the option.
    let mut offer = Offer::clone(&c.offer);
    offer.spec.cpu_speed *= cpu_factor;
    let memory = c.settings.memory_mb(&offer);
    let vcpu = match offer.spec.mb_per_vcpu {
        Some(per) if per > 0.0 => memory / per,
        _ => offer.spec.vcpu,
    };
    ColdStartPhases::new(profile, &offer, vcpu)
        .with_snapstart(&offer, c.settings.snapstart)
        .total_s()
}

/// Cold starts, and whether there are enough of them to set the p99.
pub fn cold_starts(c: &Candidate, o: &Outcome, ctx: &Context) -> Reason {
    let ratio = o.cold_starts as f64 / o.requests.max(1) as f64;
    let each = cold_start_s(c, &ctx.profile, ctx.cpu_factor);
    let tail = if ratio >= 0.01 {
        format!(
            "more than 1% of requests are cold, so they set the p99: {} against a median of {}",
            secs(o.p99_latency_s),
            secs(o.p50_latency_s)
        )
    } else {
        let add = (o.max_latency_s - o.p99_latency_s).max(0.0);
        format!(
            "under 1% of requests, so they stay out of the p99 ({}) but add up to {} to the slowest",
            secs(o.p99_latency_s),
            secs(add)
        )
    };
    reason(
        &c.id,
        ReasonCode::ColdStarts,
        format!(
            "{} cold starts ({} of requests) of about {} each; {tail}",
            o.cold_starts,
            pct(ratio),
            secs(each)
        ),
        &[
            ("cold_starts", o.cold_starts as f64),
            ("cold_ratio", ratio),
            ("cold_start_s", each),
            ("p99_latency_s", o.p99_latency_s),
            ("p50_latency_s", o.p50_latency_s),
            ("max_latency_s", o.max_latency_s),
        ],
    )
}

/// The stretch of the run with the most failures: (from_s, to_s, failure
/// ratio of the requests sent in it, its share of all failures).
pub fn worst_stretch(o: &Outcome) -> Option<(f64, f64, f64, f64)> {
    let s = &o.series;
    if s.buckets.is_empty() || s.bucket_s <= 0.0 {
        return None;
    }
    // Windows of at least 5 s smooth out single unlucky buckets.
    let per = ((5.0 / s.bucket_s).ceil() as usize).max(1);
    let windows: Vec<(u64, u64)> = s
        .buckets
        .chunks(per)
        .map(|w| {
            (
                w.iter().map(|b| b.failures).sum(),
                w.iter().map(|b| b.completions + b.failures).sum(),
            )
        })
        .collect();
    let width = per as f64 * s.bucket_s;
    let total: u64 = windows.iter().map(|w| w.0).sum();
    if total == 0 {
        return None;
    }
    let bad = |w: &(u64, u64)| w.1 > 0 && w.0 as f64 > 0.02 * w.1 as f64;
    let mut best: Option<(usize, usize, u64, u64)> = None;
    let mut i = 0;
    while i < windows.len() {
        if !bad(&windows[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let (mut f, mut n) = (0, 0);
        while i < windows.len() && bad(&windows[i]) {
            f += windows[i].0;
            n += windows[i].1;
            i += 1;
        }
        if best.is_none_or(|b| f > b.2) {
            best = Some((start, i, f, n));
        }
    }
    let (a, b, f, n) = best?;
    Some((
        a as f64 * width,
        b as f64 * width,
        f as f64 / n.max(1) as f64,
        f as f64 / total as f64,
    ))
}

fn stretch_words(o: &Outcome) -> (String, Vec<(&'static str, f64)>) {
    match worst_stretch(o) {
        Some((a, b, ratio, _share)) => (
            format!(
                "fails {} of the requests sent between t={a:.0} s and t={b:.0} s",
                pct(ratio)
            ),
            vec![
                ("from_s", a),
                ("to_s", b),
                ("failure_ratio_in_stretch", ratio),
            ],
        ),
        None => (
            format!("fails {} of requests", pct(1.0 - o.success_ratio)),
            vec![],
        ),
    }
}

/// A managed endpoint that fails during a burst because scaling out takes minutes.
pub fn scaling_delay(c: &Candidate, o: &Outcome, ctx: &Context) -> Option<Reason> {
    let a = c.autoscaling()?;
    let (cap, _) = capacity(&c.offer, &ctx.profile, None, ctx.cpu_factor).ok()?;
    let n = c.own_instances();
    let react_s = a.scale_out_periods as f64 * a.metric_period_s + a.provisioning_delay_s;
    let (stretch, mut figs) = stretch_words(o);
    figs.extend([
        ("failure_ratio", 1.0 - o.success_ratio),
        ("instances", n as f64),
        ("capacity_rps", cap * n as f64),
        ("peak_rps", ctx.peak_rps),
        ("scale_out_s", react_s),
        ("provisioning_delay_s", a.provisioning_delay_s),
    ]);
    Some(reason(
        &c.id,
        ReasonCode::ScalingDelay,
        format!(
            "the endpoint {stretch}: its {n} instance(s) serve about {:.0} req/s against a peak of {:.0} req/s, \
             and autoscaling needs about {:.0} min to add one ({} metric period(s) above target, then {:.0} min to provision)",
            cap * n as f64,
            ctx.peak_rps,
            react_s / 60.0,
            a.scale_out_periods,
            a.provisioning_delay_s / 60.0
        ),
        &figs,
    ))
}

/// A server whose capacity is below the peak.
pub fn overload(c: &Candidate, o: &Outcome, ctx: &Context) -> Option<Reason> {
    let (cap, _) = capacity(&c.offer, &ctx.profile, None, ctx.cpu_factor).ok()?;
    let n = c.settings.instances.unwrap_or_else(|| c.own_instances());
    let total = cap * n as f64;
    let failed = 1.0 - o.success_ratio;
    let fate = if failed > 0.0 {
        let (stretch, _) = stretch_words(o);
        format!(
            "requests queue (mean wait {}) and it {stretch} ({} in all)",
            secs(o.avg_wait_s),
            pct(failed)
        )
    } else {
        format!("requests queue (mean wait {})", secs(o.avg_wait_s))
    };
    let mut figs = vec![
        ("instances", n as f64),
        ("capacity_rps", total),
        ("peak_rps", ctx.peak_rps),
        ("avg_wait_s", o.avg_wait_s),
        ("failure_ratio", failed),
    ];
    if let Some((a, b, r, _)) = worst_stretch(o) {
        figs.extend([("from_s", a), ("to_s", b), ("failure_ratio_in_stretch", r)]);
    }
    Some(reason(
        &c.id,
        ReasonCode::Overload,
        format!(
            "its {n} instance(s) serve about {:.1} req/s, below the trace's peak of {:.0} req/s: {fate}",
            total, ctx.peak_rps
        ),
        &figs,
    ))
}

/// Requests refused by a serverless scaling or concurrency limit.
pub fn throttled(c: &Candidate, o: &Outcome) -> Reason {
    let ratio = o.failures.throttled as f64 / o.requests.max(1) as f64;
    let limits = match c.offer.behaviour.scaling {
        Some(s) => format!(
            ": it starts at most {} instances at once, then {} per second, up to {}",
            s.burst, s.new_per_s, s.max_instances
        ),
        None => String::new(),
    };
    let mut figs = vec![
        ("throttled", o.failures.throttled as f64),
        ("throttled_ratio", ratio),
    ];
    if let Some(s) = c.offer.behaviour.scaling {
        figs.extend([
            ("burst_instances", s.burst as f64),
            ("new_instances_per_s", s.new_per_s),
            ("max_instances", s.max_instances as f64),
        ]);
    }
    if let Some((a, b, r, _)) = worst_stretch(o) {
        figs.extend([("from_s", a), ("to_s", b), ("failure_ratio_in_stretch", r)]);
    }
    let when = match worst_stretch(o) {
        Some((a, b, _, _)) => format!(", most between t={a:.0} s and t={b:.0} s"),
        None => String::new(),
    };
    reason(
        &c.id,
        ReasonCode::Throttled,
        format!(
            "{} requests ({}) were refused while instances started{when}{limits}",
            o.failures.throttled,
            pct(ratio)
        ),
        &figs,
    )
}

/// Why the best is the best: its price against the next, its latency, and
/// what its run shows.
pub fn for_best(
    best: &Ranked,
    next: Option<&Ranked>,
    meeting: usize,
    c: &Candidate,
    o: &Outcome,
    ctx: &Context,
) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut figs = vec![
        ("cost_per_month_usd", best.cost_per_month_usd),
        ("cost_per_million_usd", best.cost_per_million_usd),
        ("options_meeting", meeting as f64),
    ];
    let versus = match next {
        Some(n) => {
            let more = n.cost_per_month_usd / best.cost_per_month_usd.max(1e-12) - 1.0;
            figs.push(("next_cost_per_month_usd", n.cost_per_month_usd));
            figs.push(("next_extra_ratio", more));
            format!(
                "; the next, {}, costs {} ({:+.0}%)",
                readable(n),
                usd(n.cost_per_month_usd),
                more * 100.0
            )
        }
        None => String::new(),
    };
    out.push(reason(
        &best.id,
        ReasonCode::Cheapest,
        format!(
            "the cheapest of {meeting} option(s) that meet the targets: {} per month ({} per million requests){versus}",
            usd(best.cost_per_month_usd),
            usd(best.cost_per_million_usd)
        ),
        &figs,
    ));
    let k = &ctx.constraints;
    let target = match (k.slo_p95_s, k.slo_avg_s) {
        (Some(p), _) => format!(" (target p95 {})", secs(p)),
        (None, Some(a)) => format!(" (target mean {})", secs(a)),
        (None, None) => " (no latency target given)".to_string(),
    };
    out.push(reason(
        &best.id,
        ReasonCode::Latency,
        format!(
            "p95 latency {}, p99 {}, mean {}{target}; {} of requests succeed",
            secs(best.p95_latency_s),
            secs(best.p99_latency_s),
            secs(best.avg_latency_s),
            pct(best.success_ratio)
        ),
        &[
            ("p95_latency_s", best.p95_latency_s),
            ("p99_latency_s", best.p99_latency_s),
            ("avg_latency_s", best.avg_latency_s),
            ("success_ratio", best.success_ratio),
        ],
    ));
    out.extend(causes(c, o, ctx));
    out
}

/// Why the best of another group lost to the best.
pub fn for_runner_up(
    r: &Ranked,
    best: Option<&Ranked>,
    c: &Candidate,
    o: &Outcome,
    ctx: &Context,
) -> RunnerUp {
    let mut reasons = Vec::new();
    let extra = best.map(|b| r.cost_per_month_usd - b.cost_per_month_usd);
    if r.meets_slo {
        if let (Some(b), Some(x)) = (best, extra) {
            reasons.push(reason(
                &r.id,
                ReasonCode::Costlier,
                format!(
                    "meets the targets but costs {} per month, {} more than {}",
                    usd(r.cost_per_month_usd),
                    usd(x),
                    readable(b)
                ),
                &[
                    ("cost_per_month_usd", r.cost_per_month_usd),
                    ("extra_per_month_usd", x),
                ],
            ));
        }
    } else {
        reasons.extend(r.why_not.iter().cloned());
    }
    for cause in causes(c, o, ctx) {
        if !reasons.iter().any(|x| x.code == cause.code) {
            reasons.push(cause);
        }
    }
    RunnerUp {
        group: r.group,
        id: r.id.clone(),
        offer: r.offer.clone(),
        cost_per_month_usd: r.cost_per_month_usd,
        p95_latency_s: r.p95_latency_s,
        meets_slo: r.meets_slo,
        extra_per_month_usd: extra,
        reasons,
    }
}

/// When nothing meets the constraints: the closest option and what it misses.
pub fn none_meets(closest: Option<&Ranked>) -> Reason {
    match closest {
        Some(r) => reason(
            &r.id,
            ReasonCode::NoneMeets,
            format!(
                "no option meets the targets; the closest, {}, misses them: {}",
                readable(r),
                r.why_not
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            &[
                ("p95_latency_s", r.p95_latency_s),
                ("success_ratio", r.success_ratio),
                ("cost_per_month_usd", r.cost_per_month_usd),
            ],
        ),
        None => reason(
            "",
            ReasonCode::NoneMeets,
            "no option could be simulated".to_string(),
            &[],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Bucket, Series};

    fn outcome_with(buckets: Vec<Bucket>, width: f64) -> Outcome {
        let fail: u64 = buckets.iter().map(|b| b.failures).sum();
        let done: u64 = buckets.iter().map(|b| b.completions).sum();
        let mut o = crate::outcome::Recorder::new().finish(
            "x",
            "managed",
            crate::outcome::Provenance::Modelled,
            Default::default(),
        );
        o.requests = fail + done;
        o.succeeded = done;
        o.success_ratio = done as f64 / (fail + done) as f64;
        o.series = Series {
            bucket_s: width,
            buckets,
        };
        o
    }

    #[test]
    fn the_worst_stretch_is_the_one_with_most_failures() {
        let ok = Bucket {
            arrivals: 10,
            completions: 10,
            ..Default::default()
        };
        let bad = |f| Bucket {
            arrivals: 10,
            completions: 10 - f,
            failures: f,
            ..Default::default()
        };
        // 1 s buckets: a short bad stretch at 5-10 s, a longer one at 20-35 s.
        let mut b = vec![ok; 40];
        for x in &mut b[5..10] {
            *x = bad(2);
        }
        for x in &mut b[20..35] {
            *x = bad(5);
        }
        let o = outcome_with(b, 1.0);
        let (a, z, ratio, share) = worst_stretch(&o).unwrap();
        assert_eq!((a, z), (20.0, 35.0));
        assert!((ratio - 0.5).abs() < 1e-12);
        assert!((share - 75.0 / 85.0).abs() < 1e-12);
    }
}
