//! The memory-size sweep of a serverless function, from the model, without
//! deploying (what AWS Lambda Power Tuning measures by invoking the function
//! at each size): cost and latency per size, the cheapest, the fastest and a
//! balanced choice, and the sizes the model does not fit in.
//!
//! Memory buys CPU: a function gets `memory / mb_per_vcpu` vCPUs (Lambda:
//! 1769 MB per vCPU, https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html),
//! so below one vCPU a request runs proportionally slower and the GB-seconds
//! stay about the same, while above it only a model that uses several
//! threads gets faster.

use super::candidates::Candidate;
use super::explain::{cold_start_s, Context};
use super::rank::score;
use super::reasons::reason;
use super::{Footprint, MemoryPoint, MemorySweep, MonthBasis, ReasonCode, Variant};
use crate::outcome::Outcome;
use crate::present::{mb, secs, usd};
use crate::pricing::{MemoryRange, Offer};
use crate::profile::Profile;

/// The sizes tried, where the range allows them (MB).
pub const STANDARD_SIZES_MB: [f64; 12] = [
    128.0, 256.0, 512.0, 1024.0, 1536.0, 1769.0, 2048.0, 3008.0, 4096.0, 6144.0, 8192.0, 10240.0,
];

/// Headroom over the measured footprint: the peak of a serving process
/// varies with the input and the allocator (20%, an allowance, not a measurement).
pub const MARGIN_RATIO: f64 = 0.2;

/// A balanced size may be this much slower (p95) than the fastest.
pub const BALANCED_SLACK: f64 = 0.10;

/// What a serving instance of `profile` needs in memory.
///
/// The serving process's peak RSS (runtime, session, one inference: the
/// profile's cold-start probe, else the profiler's own peak), plus the model
/// file held in memory while it loads (the study's handler downloads it into
/// memory), plus the runtime library, plus [`MARGIN_RATIO`].
pub fn footprint(profile: &Profile) -> Footprint {
    let rss = if profile.cold_start.process_rss_mb > 0.0 {
        profile.cold_start.process_rss_mb
    } else {
        profile.peak_rss_mb
    };
    let model_mb = profile.model.size_bytes as f64 / (1024.0 * 1024.0);
    let runtime_mb = profile.runtime.library_mb;
    let sum = rss + model_mb + runtime_mb;
    Footprint {
        process_rss_mb: rss,
        model_mb,
        runtime_mb,
        margin_ratio: MARGIN_RATIO,
        min_memory_mb: sum * (1.0 + MARGIN_RATIO),
    }
}

/// The sizes to try within `range`: every step when the range has at most
/// twelve, else the standard sizes the step allows; and the default.
pub fn sizes(range: MemoryRange, default_mb: f64) -> Vec<f64> {
    let on_step =
        |m: f64| range.step_mb <= 1.0 || ((m - range.min_mb) / range.step_mb).fract().abs() < 1e-9;
    let inside = |m: f64| m >= range.min_mb - 1e-9 && m <= range.max_mb + 1e-9;
    let steps = if range.step_mb > 0.0 {
        ((range.max_mb - range.min_mb) / range.step_mb).floor() + 1.0
    } else {
        f64::INFINITY
    };
    let mut out: Vec<f64> = if steps <= STANDARD_SIZES_MB.len() as f64 {
        (0..steps as usize)
            .map(|i| range.min_mb + i as f64 * range.step_mb)
            .collect()
    } else {
        STANDARD_SIZES_MB
            .iter()
            .copied()
            .filter(|&m| inside(m) && on_step(m))
            .collect()
    };
    if inside(default_mb) && !out.iter().any(|&m| (m - default_mb).abs() < 0.5) {
        out.push(default_mb);
    }
    out.sort_by(f64::total_cmp);
    out
}

/// The option of `offer` at `memory_mb`.
pub fn candidate(offer: &Offer, memory_mb: f64) -> Candidate {
    let origin = if (memory_mb - offer.spec.memory_mb).abs() < 0.5 {
        "default"
    } else {
        "memory sweep"
    };
    Candidate::new(
        offer,
        Variant {
            memory_mb: Some(memory_mb),
            batch_size: 1,
            batch_wait_s: 0.0,
            provisioned: 0,
            instances: None,
            target_per_instance_per_min: None,
            purchase: None,
            snapstart: false,
            instance_billing: false,
            origin: origin.to_string(),
        },
    )
}

/// vCPUs a size buys.
fn vcpu_at(offer: &Offer, memory_mb: f64) -> f64 {
    match offer.spec.mb_per_vcpu {
        Some(per) if per > 0.0 => memory_mb / per,
        _ => offer.spec.vcpu,
    }
}

/// Builds the sweep from the simulated sizes (`runs`: size, option, run;
/// sizes that do not fit are not in it).
pub fn analyse(
    offer: &Offer,
    all_sizes: &[f64],
    runs: &[(f64, &Candidate, &Outcome)],
    basis: &MonthBasis,
    ctx: &Context,
) -> MemorySweep {
    let fp = footprint(&ctx.profile);
    let points: Vec<MemoryPoint> = all_sizes
        .iter()
        .map(|&m| {
            let run = runs.iter().find(|(s, _, _)| (*s - m).abs() < 0.5);
            point(offer, m, run.map(|(_, c, o)| (*c, *o)), basis, ctx, &fp)
        })
        .collect();
    let meeting: Vec<&MemoryPoint> = points.iter().filter(|p| p.meets_slo).collect();
    let cost = |p: &MemoryPoint| p.cost_per_month_usd.unwrap_or(f64::INFINITY);
    let p95 = |p: &MemoryPoint| p.p95_latency_s.unwrap_or(f64::INFINITY);
    let cheapest = meeting
        .iter()
        .min_by(|a, b| cost(a).total_cmp(&cost(b)))
        .copied();
    let fastest = points
        .iter()
        .filter(|p| {
            p.success_ratio
                .is_some_and(|s| s >= ctx.constraints.min_success_ratio)
        })
        .min_by(|a, b| p95(a).total_cmp(&p95(b)).then(cost(a).total_cmp(&cost(b))));
    let balanced = fastest.and_then(|f| {
        meeting
            .iter()
            .filter(|p| p95(p) <= p95(f) * (1.0 + BALANCED_SLACK))
            .min_by(|a, b| cost(a).total_cmp(&cost(b)))
            .copied()
    });
    let verdict = balanced.map(|b| verdict(offer, b, cheapest, fastest, &fp));
    MemorySweep {
        offer: offer.id.clone(),
        default_mb: offer.spec.memory_mb,
        mb_per_vcpu: offer.spec.mb_per_vcpu,
        footprint: fp,
        cheapest_mb: cheapest.map(|p| p.memory_mb),
        fastest_mb: fastest.map(|p| p.memory_mb),
        balanced_mb: balanced.map(|p| p.memory_mb),
        points,
        verdict,
    }
}

/// One size of the sweep: its scores when it was simulated, else whether it fits.
fn point(
    offer: &Offer,
    m: f64,
    run: Option<(&Candidate, &Outcome)>,
    basis: &MonthBasis,
    ctx: &Context,
    fp: &Footprint,
) -> MemoryPoint {
    let vcpu = vcpu_at(offer, m);
    match run {
        Some((c, o)) => {
            let r = score(c, o, basis, &ctx.constraints);
            MemoryPoint {
                memory_mb: m,
                vcpu,
                fits: true,
                rejected: None,
                cold_start_s: Some(cold_start_s(c, &ctx.profile, ctx.cpu_factor)),
                cost_per_trace_usd: Some(r.cost_per_trace_usd),
                cost_per_million_usd: Some(r.cost_per_million_usd),
                cost_per_month_usd: Some(r.cost_per_month_usd),
                avg_latency_s: Some(r.avg_latency_s),
                p95_latency_s: Some(r.p95_latency_s),
                p99_latency_s: Some(r.p99_latency_s),
                success_ratio: Some(r.success_ratio),
                meets_slo: r.meets_slo,
            }
        }
        None => MemoryPoint {
            memory_mb: m,
            vcpu,
            fits: m >= fp.min_memory_mb,
            rejected: (m < fp.min_memory_mb).then(|| too_small(offer, m, fp)),
            cold_start_s: None,
            cost_per_trace_usd: None,
            cost_per_million_usd: None,
            cost_per_month_usd: None,
            avg_latency_s: None,
            p95_latency_s: None,
            p99_latency_s: None,
            success_ratio: None,
            meets_slo: false,
        },
    }
}

/// What the sweep says: the cheapest size that meets the targets, the
/// cheapest that comes within 10% of the fastest p95 (the balanced size),
/// and the fastest, each once.
fn verdict(
    offer: &Offer,
    b: &MemoryPoint,
    cheapest: Option<&MemoryPoint>,
    fastest: Option<&MemoryPoint>,
    fp: &Footprint,
) -> super::Reason {
    let cost = |p: &MemoryPoint| p.cost_per_month_usd.unwrap_or(f64::INFINITY);
    let p95 = |p: &MemoryPoint| p.p95_latency_s.unwrap_or(f64::INFINITY);
    let at = |p: &MemoryPoint| {
        format!(
            "{} ({:.2} vCPU, {} per month, p95 {})",
            mb(p.memory_mb),
            p.vcpu,
            usd(cost(p)),
            secs(p95(p))
        )
    };
    let mut figs = vec![
        ("balanced_mb", b.memory_mb),
        ("balanced_cost_per_month_usd", cost(b)),
        ("balanced_p95_latency_s", p95(b)),
        ("min_memory_mb", fp.min_memory_mb),
    ];
    let mut parts = Vec::new();
    match cheapest {
        Some(c) if c.memory_mb == b.memory_mb => parts.push(format!(
            "the cheapest size that meets the targets, {}, is also within 10% of the fastest p95",
            at(c)
        )),
        Some(c) => {
            parts.push(format!(
                "the cheapest size that meets the targets is {}",
                at(c)
            ));
            parts.push(format!(
                "the cheapest within 10% of the fastest p95 is {}",
                at(b)
            ));
        }
        None => parts.push(format!(
            "the cheapest within 10% of the fastest p95 is {}",
            at(b)
        )),
    }
    if let Some(c) = cheapest.filter(|c| c.memory_mb != b.memory_mb) {
        figs.push(("cheapest_mb", c.memory_mb));
        figs.push(("cheapest_cost_per_month_usd", cost(c)));
    }
    if let Some(f) = fastest.filter(|f| f.memory_mb != b.memory_mb) {
        parts.push(format!("the fastest is {}", at(f)));
        figs.push(("fastest_mb", f.memory_mb));
        figs.push(("fastest_p95_latency_s", p95(f)));
    }
    let text = format!("{}: {}", service_of(offer), parts.join("; "));
    reason(&offer.id, ReasonCode::Memory, text, &figs)
}

/// The offer's service, as the option names read it.
fn service_of(offer: &Offer) -> &str {
    crate::present::variant::service(&offer.name)
}

/// Why a size is rejected.
fn too_small(offer: &Offer, memory_mb: f64, fp: &Footprint) -> super::Reason {
    reason(
        &offer.id,
        ReasonCode::Memory,
        format!(
            "{memory_mb:.0} MB is below the {:.0} MB the model needs (serving process {:.0} MB + model {:.0} MB + runtime {:.0} MB, plus {:.0}% headroom)",
            fp.min_memory_mb,
            fp.process_rss_mb,
            fp.model_mb,
            fp.runtime_mb,
            fp.margin_ratio * 100.0
        ),
        &[
            ("memory_mb", memory_mb),
            ("min_memory_mb", fp.min_memory_mb),
            ("process_rss_mb", fp.process_rss_mb),
            ("model_mb", fp.model_mb),
            ("runtime_mb", fp.runtime_mb),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(min: f64, max: f64, step: f64) -> MemoryRange {
        MemoryRange {
            min_mb: min,
            max_mb: max,
            step_mb: step,
        }
    }

    #[test]
    fn sizes_follow_the_range_and_its_step() {
        assert_eq!(
            sizes(range(128.0, 10240.0, 1.0), 2048.0),
            STANDARD_SIZES_MB.to_vec()
        );
        // SageMaker Serverless: 1024 to 6144 in steps of 1024.
        assert_eq!(
            sizes(range(1024.0, 6144.0, 1024.0), 2048.0),
            vec![1024.0, 2048.0, 3072.0, 4096.0, 5120.0, 6144.0]
        );
        // A default off the standard list is added.
        let s = sizes(range(128.0, 3008.0, 1.0), 1000.0);
        assert!(s.contains(&1000.0) && !s.contains(&4096.0));
    }

    #[test]
    fn footprint_adds_process_model_runtime_and_margin() {
        let p = crate::profile::bundled::get("mobilenetv2").unwrap();
        let f = footprint(&p);
        let sum = p.cold_start.process_rss_mb
            + p.model.size_bytes as f64 / 1048576.0
            + p.runtime.library_mb;
        assert!((f.min_memory_mb - sum * 1.2).abs() < 1e-9);
        // MobileNetV2 fits in 256 MB but not in 128 MB.
        assert!(f.min_memory_mb > 128.0 && f.min_memory_mb < 256.0, "{f:?}");
    }
}
