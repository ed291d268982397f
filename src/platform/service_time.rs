//! Service time on an offer's hardware, from the local profile.
//!
//! The profile measured latency `L(t, b)` on this machine for a few thread
//! counts `t` and batch sizes `b`. An offer runs a request with `threads`
//! intra-op threads on an instance that gives it `share` vCPUs. The formula
//! (stated in README "How service time is modelled"):
//!
//! ```text
//! p        = min(threads, share)                    effective parallelism
//! L(p, b)  = L(1, b) * (s + (1 - s) / p)            for p >= 1 (Amdahl fit)
//!          = L(1, b) / p                            for p <  1 (time-sliced core)
//! service  = L(p, b) * cpu_scale * runtime.inference_factor / spec.cpu_speed
//! ```
//!
//! `cpu_scale` carries the profile to the offer's CPU family (see
//! [`cpu_scale`]): the reference probe's expected time there over its time
//! on the profiling machine, per probe workload, weighted by the model's
//! share of convolution FLOPs.
//!
//! `s` (the serial fraction) is fitted per batch from the largest thread
//! count the profile measured; with one thread only, `s = 1` (no speed-up is
//! assumed, which is conservative). Batches the profile did not measure are
//! interpolated linearly between neighbours and extrapolated with the
//! per-item time of the largest measured batch.
//!
//! GPU offers use the profile's `cuda` points when they exist, else a FLOPs
//! model calibrated on the study (see [`gpu_service_s`]); both are labelled
//! modelled by the caller.

use super::cpu::{self, Relative};
use crate::pricing::{Gpu, Kind, Offer};
use crate::profile::{LatencyPoint, Profile};

/// Mean and spread of one invocation's service time on an offer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceTime {
    /// Mean service time of one invocation, seconds.
    pub mean_s: f64,
    /// Median, seconds.
    pub p50_s: f64,
    /// 95th percentile, seconds.
    pub p95_s: f64,
}

impl ServiceTime {
    /// A constant service time.
    pub fn constant(s: f64) -> Self {
        ServiceTime {
            mean_s: s,
            p50_s: s,
            p95_s: s,
        }
    }

    fn scaled(self, k: f64) -> Self {
        ServiceTime {
            mean_s: self.mean_s * k,
            p50_s: self.p50_s * k,
            p95_s: self.p95_s * k,
        }
    }
}

/// How an instance runs its requests: how many at once, with how many
/// threads each, and the vCPUs each gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slots {
    /// Requests running at once on one instance.
    pub parallel: u32,
    /// Intra-op threads per request.
    pub threads: u32,
    /// vCPUs each running request gets.
    pub share: f64,
}

/// How an instance of `offer` with `vcpu` vCPUs runs requests.
///
/// - One request per instance (Lambda, Cloud Functions 1st gen): it runs with
///   the configured threads, else `round(vcpu)` threads, on all the vCPUs.
/// - Servers and managed endpoints run `concurrency_per_instance` workers at
///   once (their configured worker count); each gets `vcpu / workers`.
/// - Serverless instances admitting N > 1 requests (Cloud Run) run
///   `floor(vcpu / threads)` of them at once (at least 1, at most N), one
///   thread each unless configured; the rest wait on the instance.
pub fn slots(offer: &Offer, vcpu: f64) -> Slots {
    let admit = offer.behaviour.concurrency_per_instance.max(1);
    let configured = offer.behaviour.threads_per_request.map(|t| t.max(1));
    let parallel = match (offer.kind, admit) {
        (_, 1) => 1,
        (Kind::Serverless, n) => {
            let t = configured.unwrap_or(1) as f64;
            ((vcpu / t).floor() as u32).clamp(1, n)
        }
        (_, n) => n,
    };
    let share = vcpu / parallel as f64;
    let threads = configured.unwrap_or_else(|| (share.round() as u32).max(1));
    Slots {
        parallel,
        threads,
        share,
    }
}

/// Service time of one invocation of `batch` items on a CPU instance of
/// `offer` whose requests run in `slots`.
///
/// Returns `None` when the profile has no CPU points.
pub fn cpu_service(
    profile: &Profile,
    offer: &Offer,
    slots: Slots,
    batch: u32,
) -> Option<ServiceTime> {
    let local = local_cpu(profile, slots.threads as f64, slots.share, batch)?;
    let k = cpu_scale(profile, offer).factor * offer.runtime.inference_factor
        / offer.spec.cpu_speed.max(1e-9);
    Some(local.scaled(k))
}

/// How an offer's CPU scales the profile's latencies: offer time / profile
/// time, with the range the CPU table's sources allow.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuScale {
    /// Best estimate.
    pub factor: f64,
    /// Fastest the sources allow.
    pub low: f64,
    /// Slowest the sources allow.
    pub high: f64,
    /// How it was obtained, in words.
    pub basis: String,
    /// A warning for the user, when the scale is a guess.
    pub warning: Option<String>,
}

impl CpuScale {
    fn one(basis: String, warning: Option<String>) -> Self {
        CpuScale {
            factor: 1.0,
            low: 1.0,
            high: 1.0,
            basis,
            warning,
        }
    }
}

/// The scale from the profiling machine to `offer`'s CPU family:
///
/// ```text
/// cpu_scale = c * conv_family / conv_here + (1 - c) * matmul_family / matmul_here
/// ```
///
/// with `c` the model's share of convolution FLOPs, `*_here` the profile's
/// probe and `*_family` the table's expected probe time on the family. An
/// offer `as-profiled`, or a profile without a probe, keeps 1 (its figures
/// follow the machine it was measured on).
pub fn cpu_scale(profile: &Profile, offer: &Offer) -> CpuScale {
    let id = offer.spec.cpu_family.as_str();
    if id == cpu::AS_PROFILED {
        return CpuScale::one(
            "as profiled: the offer's CPU is taken as the profiling machine's".into(),
            None,
        );
    }
    let Some(here) = &profile.probe else {
        return CpuScale::one(
            "the profile has no reference probe: latencies as measured on its machine".into(),
            Some(crate::profile::noise::NO_PROBE.to_string()),
        );
    };
    let table = cpu::table();
    let (family, warning) = match table.family(id) {
        Some(f) => (f.clone(), None),
        None => (
            table.unknown(),
            Some(format!(
                "offer {}: CPU family \"{id}\" is not in the CPU table; its speed is the table's median with the widest range (set spec.cpu_family)",
                offer.id
            )),
        ),
    };
    let times = table.probe_times(&family);
    let c = conv_share(profile);
    let mix = |pick: fn(&Relative) -> f64| {
        c * pick(&times.conv) / here.conv_ms + (1.0 - c) * pick(&times.matmul) / here.matmul_ms
    };
    CpuScale {
        factor: mix(|r| r.value),
        low: mix(|r| r.low),
        high: mix(|r| r.high),
        basis: format!(
            "{}: reference probe {:.2}/{:.2} ms here, {:.2}/{:.2} ms expected there (conv/matmul), {:.0}% convolution",
            family.name,
            here.conv_ms,
            here.matmul_ms,
            times.conv.value,
            times.matmul.value,
            c * 100.0
        ),
        warning,
    }
}

/// The model's share of convolution work: from the profile's FLOPs split,
/// else from its operator counts (convolutions against matrix products),
/// else one half.
pub fn conv_share(profile: &Profile) -> f64 {
    if let Some(s) = profile.model.conv_flops_share {
        return s.clamp(0.0, 1.0);
    }
    let count = |pred: fn(&str) -> bool| -> u64 {
        profile
            .model
            .ops
            .iter()
            .filter(|(op, _)| pred(op))
            .map(|(_, n)| *n)
            .sum()
    };
    let conv = count(|op| op.contains("Conv"));
    let matmul = count(|op| op.contains("MatMul") || op == "Gemm" || op.contains("Attention"));
    if conv + matmul == 0 {
        0.5
    } else {
        conv as f64 / (conv + matmul) as f64
    }
}

/// `L(p, b)` on the profiling machine for `threads` threads given `share` vCPUs.
pub fn local_cpu(profile: &Profile, threads: f64, share: f64, batch: u32) -> Option<ServiceTime> {
    let p = threads.min(share);
    let one = at_batch(profile, "cpu", 1, batch)?;
    if p < 1.0 {
        return Some(one.scaled(1.0 / p.max(1e-3)));
    }
    let s = serial_fraction(profile, batch);
    Some(one.scaled(s + (1.0 - s) / p))
}

/// The serial fraction of the Amdahl fit at `batch`, from the largest
/// measured thread count; 1 when only one thread was measured.
pub fn serial_fraction(profile: &Profile, batch: u32) -> f64 {
    let tmax = profile
        .latency
        .iter()
        .filter(|p| p.device == "cpu")
        .map(|p| p.threads)
        .max()
        .unwrap_or(1);
    if tmax <= 1 {
        return 1.0;
    }
    let (Some(l1), Some(lt)) = (
        at_batch(profile, "cpu", 1, batch),
        at_batch(profile, "cpu", tmax, batch),
    ) else {
        return 1.0;
    };
    let t = tmax as f64;
    let ratio = lt.mean_s / l1.mean_s;
    ((ratio - 1.0 / t) / (1.0 - 1.0 / t)).clamp(0.0, 1.0)
}

/// Latency at `threads` for any batch: interpolated between measured batches,
/// extrapolated per item beyond the largest.
pub fn at_batch(profile: &Profile, device: &str, threads: u32, batch: u32) -> Option<ServiceTime> {
    let mut pts: Vec<&LatencyPoint> = profile
        .latency
        .iter()
        .filter(|p| p.device == device && p.threads == threads)
        .collect();
    if pts.is_empty() {
        return None;
    }
    pts.sort_by_key(|p| p.batch);
    let st = |p: &LatencyPoint| ServiceTime {
        mean_s: p.mean_ms / 1e3,
        p50_s: p.p50_ms / 1e3,
        p95_s: p.p95_ms / 1e3,
    };
    let b = batch.max(1);
    if let Some(p) = pts.iter().find(|p| p.batch == b) {
        return Some(st(p));
    }
    let last = pts[pts.len() - 1];
    if b > last.batch {
        return Some(st(last).scaled(b as f64 / last.batch as f64));
    }
    let first = pts[0];
    if b < first.batch {
        return Some(st(first).scaled(b as f64 / first.batch as f64));
    }
    let hi = pts.iter().position(|p| p.batch > b)?;
    let (lo, hi) = (pts[hi - 1], pts[hi]);
    let w = (b - lo.batch) as f64 / (hi.batch - lo.batch) as f64;
    let (a, c) = (st(lo), st(hi));
    Some(ServiceTime {
        mean_s: a.mean_s + w * (c.mean_s - a.mean_s),
        p50_s: a.p50_s + w * (c.p50_s - a.p50_s),
        p95_s: a.p95_s + w * (c.p95_s - a.p95_s),
    })
}

/// Per-request host-side time on a GPU server (request decoding, copies to
/// and from the GPU), seconds. It runs on the CPUs beside the GPU work, so it
/// adds latency without holding the GPU.
///
/// The study gives MobileNet "about 0.01 s per request" on the GPU server,
/// and that server kept up at workload-120 but not at workload-200: its
/// capacity lies between the two peak rates. A 7 ms GPU-serial part (143
/// req/s) plus this 3 ms host part meets both.
pub const GPU_HOST_S: f64 = 0.003;

/// Fixed GPU-serial overhead per invocation (framework, kernel launches), seconds.
///
/// Fitted with [`T4_EFFECTIVE_FLOPS`] so that the GPU-serial part is 7 ms for
/// MobileNetV2 (0.60 GFLOPs) and ALBERT's whole time is ten times
/// MobileNet's (the study): `o + 0.60e9/E = 0.007` and
/// `o + 22.4e9/E = 0.100 - 0.003` give `E = 242 GFLOP/s`, `o = 4.5 ms`.
pub const GPU_OVERHEAD_S: f64 = 0.0045;

/// Effective FLOP/s of one T4 for batch-1 inference under the study's serving
/// stack (see [`GPU_OVERHEAD_S`] for the fit).
pub const T4_EFFECTIVE_FLOPS: f64 = 242e9;

/// FLOPs assumed per item when the profile has no estimate: MobileNetV2's
/// 0.6 GFLOPs, so an unknown model is modelled like the study's smaller one.
pub const DEFAULT_FLOPS_PER_ITEM: f64 = 0.6e9;

/// GPU-serial time of `batch` items on `gpu`, modelled from FLOPs:
/// `overhead + batch * flops / (T4_EFFECTIVE_FLOPS * relative_t4)`.
/// The overhead is paid once per invocation, so batching amortises it.
pub fn gpu_service_s(flops_per_item: f64, gpu: &Gpu, batch: u32) -> f64 {
    let eff = T4_EFFECTIVE_FLOPS * gpu.relative_t4.max(1e-3) * gpu.count.max(1) as f64;
    GPU_OVERHEAD_S + batch.max(1) as f64 * flops_per_item / eff
}

/// Service time of `batch` items on a GPU offer: from the profile's `cuda`
/// points when present (taken as measured on a T4-class GPU and scaled by
/// `relative_t4`), else from FLOPs. The runtime's inference factor applies to
/// the overhead-free part only in the FLOPs model, since the calibration
/// already includes the study's serving stack.
pub fn gpu_service(profile: &Profile, gpu: &Gpu, batch: u32) -> (ServiceTime, &'static str) {
    if let Some(st) = at_batch(profile, "cuda", 1, batch) {
        return (
            st.scaled(1.0 / gpu.relative_t4.max(1e-3)),
            "profile's cuda points",
        );
    }
    let flops = profile
        .model
        .flops_per_item
        .unwrap_or(DEFAULT_FLOPS_PER_ITEM);
    let mean = gpu_service_s(flops, gpu, batch);
    // GPU kernels are steady; a 10% tail stands in for the jitter of the
    // serving stack, which the study does not break down.
    (
        ServiceTime {
            mean_s: mean,
            p50_s: mean,
            p95_s: mean * 1.1,
        },
        "FLOPs model",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{ColdStart, Machine, ModelSummary, RuntimeInfo};

    pub(crate) fn profile_with(points: &[(u32, u32, f64)]) -> Profile {
        Profile {
            name: "t".into(),
            source: "test".into(),
            measured_at: "2026-01-01T00:00:00Z".into(),
            model: ModelSummary {
                file: "t.onnx".into(),
                size_bytes: 14_000_000,
                params: 3_500_000,
                opset: 17,
                flops_per_item: Some(0.6e9),
                conv_flops_share: None,
                ops: Default::default(),
                inputs: vec![],
            },
            machine: Machine {
                cpu_model: "test".into(),
                cores: 2,
                gpu: None,
            },
            runtime: RuntimeInfo {
                ort_version: "1.31.1".into(),
                providers: vec![],
                library_mb: 20.0,
            },
            cold_start: ColdStart {
                trials: 1,
                model_read_ms: 5.0,
                runtime_load_ms: 50.0,
                session_create_ms: 100.0,
                first_inference_ms: 20.0,
                spread_ms: Default::default(),
                threads: 1,
                batch: 1,
                process_rss_mb: 100.0,
                import: None,
            },
            latency: points
                .iter()
                .map(|&(threads, batch, ms)| LatencyPoint {
                    device: "cpu".into(),
                    threads,
                    batch,
                    mean_ms: ms,
                    p50_ms: ms,
                    p95_ms: ms * 1.2,
                    p99_ms: ms * 1.3,
                    samples: 100,
                    items_per_s: batch as f64 / ms * 1e3,
                })
                .collect(),
            optimization: None,
            peak_rss_mb: 100.0,
            notes: vec![],
            warnings: vec![],
            probe: None,
        }
    }

    fn with_probe(mut p: Profile, conv_ms: f64, matmul_ms: f64) -> Profile {
        p.probe = Some(crate::profile::ReferenceProbe {
            version: crate::profile::reference::PROBE_VERSION,
            conv_ms,
            conv_p95_ms: conv_ms,
            matmul_ms,
            matmul_p95_ms: matmul_ms,
            runs: [100, 100],
            features: vec![],
            cpu_model: "test".into(),
            cores: 2,
        });
        p
    }

    fn offer_on(family: &str) -> Offer {
        let mut o = crate::sim::fixtures::ideal_server(1);
        o.spec.cpu_family = family.into();
        o
    }

    #[test]
    fn cpu_scale_is_one_as_profiled_or_without_a_probe() {
        let p = profile_with(&[(1, 1, 10.0)]);
        let s = cpu_scale(&p, &offer_on("aws-graviton2"));
        assert_eq!((s.factor, s.low, s.high), (1.0, 1.0, 1.0));
        assert!(s.warning.unwrap().contains("no reference probe"));
        let p = with_probe(p, 5.0, 5.0);
        let s = cpu_scale(&p, &offer_on(cpu::AS_PROFILED));
        assert_eq!(s.factor, 1.0);
        assert!(s.warning.is_none());
    }

    #[test]
    fn cpu_scale_follows_the_family_and_the_operator_mix() {
        let t = cpu::table();
        let r = &t.reference;
        let g2 = t.family("aws-graviton2").unwrap();
        // A machine exactly like the reference: the family's relative time.
        let mut p = with_probe(profile_with(&[(1, 1, 10.0)]), r.conv_ms, r.matmul_ms);
        p.model.conv_flops_share = Some(1.0);
        let s = cpu_scale(&p, &offer_on("aws-graviton2"));
        assert!((s.factor - g2.conv.value).abs() < 1e-9, "{s:?}");
        assert!((s.low - g2.conv.low).abs() < 1e-9 && (s.high - g2.conv.high).abs() < 1e-9);
        p.model.conv_flops_share = Some(0.25);
        let s = cpu_scale(&p, &offer_on("aws-graviton2"));
        let want = 0.25 * g2.conv.value + 0.75 * g2.matmul.value;
        assert!((s.factor - want).abs() < 1e-9, "{s:?}");
        // The reference family on the reference machine: no change.
        let s = cpu_scale(&p, &offer_on(&r.family));
        assert!((s.factor - 1.0).abs() < 1e-9, "{s:?}");
        // A family not in the table: the median, widest range, a warning.
        let s = cpu_scale(&p, &offer_on("no-such-cpu"));
        assert!(s.low < s.factor && s.factor < s.high);
        assert!(s.warning.unwrap().contains("not in the CPU table"));
    }

    #[test]
    fn a_slower_machine_predicts_the_same_service_time() {
        // Everything measured twice as slow, the probe too: the same
        // prediction on every family.
        let fast = with_probe(profile_with(&[(1, 1, 10.0), (2, 1, 6.0)]), 8.0, 20.0);
        let slow = with_probe(profile_with(&[(1, 1, 20.0), (2, 1, 12.0)]), 16.0, 40.0);
        for f in &cpu::table().families {
            let o = offer_on(&f.id);
            let sl = slots(&o, 2.0);
            let a = cpu_service(&fast, &o, sl, 1).unwrap();
            let b = cpu_service(&slow, &o, sl, 1).unwrap();
            assert!((a.mean_s - b.mean_s).abs() < 1e-12, "{}", f.id);
        }
    }

    #[test]
    fn conv_share_falls_back_to_operator_counts() {
        let mut p = profile_with(&[(1, 1, 10.0)]);
        assert_eq!(conv_share(&p), 0.5);
        p.model.ops = [("Conv".to_string(), 3), ("Gemm".to_string(), 1)].into();
        assert_eq!(conv_share(&p), 0.75);
        p.model.conv_flops_share = Some(0.99);
        assert_eq!(conv_share(&p), 0.99);
    }

    #[test]
    fn amdahl_fit_recovers_serial_fraction() {
        // L1 = 10 ms, L2 = 6 ms -> 6/10 = s + (1-s)/2 -> s = 0.2.
        let p = profile_with(&[(1, 1, 10.0), (2, 1, 6.0)]);
        assert!((serial_fraction(&p, 1) - 0.2).abs() < 1e-12);
        // Four threads with four vCPUs: 10 * (0.2 + 0.8 / 4) = 4 ms.
        let st = local_cpu(&p, 4.0, 4.0, 1).unwrap();
        assert!((st.mean_s - 0.004).abs() < 1e-12);
        // Four threads on 1.5 vCPUs run at parallelism 1.5.
        let st = local_cpu(&p, 4.0, 1.5, 1).unwrap();
        assert!((st.mean_s - 0.010 * (0.2 + 0.8 / 1.5)).abs() < 1e-12);
    }

    #[test]
    fn fractional_share_time_slices_one_core() {
        let p = profile_with(&[(1, 1, 10.0)]);
        let st = local_cpu(&p, 1.0, 0.5, 1).unwrap();
        assert!((st.mean_s - 0.020).abs() < 1e-12);
    }

    #[test]
    fn batches_interpolate_and_extrapolate() {
        let p = profile_with(&[(1, 1, 10.0), (1, 4, 30.0)]);
        let b2 = at_batch(&p, "cpu", 1, 2).unwrap();
        assert!((b2.mean_s - (0.010 + (0.030 - 0.010) / 3.0)).abs() < 1e-12);
        let b8 = at_batch(&p, "cpu", 1, 8).unwrap();
        assert!((b8.mean_s - 0.060).abs() < 1e-12);
    }

    #[test]
    fn gpu_calibration_matches_the_study() {
        let t4 = Gpu {
            model: "NVIDIA T4".into(),
            count: 1,
            memory_gb: 16.0,
            relative_t4: 1.0,
        };
        let mobilenet = gpu_service_s(0.6015e9, &t4, 1);
        let albert = gpu_service_s(22.37e9, &t4, 1);
        assert!((mobilenet - 0.007).abs() < 0.0002, "{mobilenet}");
        let ratio = (albert + GPU_HOST_S) / (mobilenet + GPU_HOST_S);
        assert!((ratio - 10.0).abs() < 0.3, "{ratio}");
        // A capacity between the peak rates of workload-120 and workload-200.
        assert!((120.0..168.0).contains(&(1.0 / mobilenet)));
    }
}
