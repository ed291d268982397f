//! Runtime and deployment suggestions from the profile and the chosen options:
//! package size, intra-op threads, graph optimisation, overlapping the
//! import with the download, pre-warming, quantisation.

use super::candidates::{capacity, Candidate};
use super::explain::cold_start_s;
use super::{Ranked, Suggestion, Topic};
use crate::outcome::Outcome;
use crate::platform::cold_start::ColdStartPhases;
use crate::platform::service_time::{cpu_service, slots, Slots};
use crate::present::{pct, secs, usd};
use crate::pricing::{Billing, Kind, Offer};
use crate::profile::Profile;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Lambda's limit on a deployment package, unzipped, MB
/// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
pub const LAMBDA_PACKAGE_LIMIT_MB: f64 = 250.0;

/// The study's measured cold-start saving of "Parallel 1" for MobileNet on Lambda (PAPER.md).
pub const STUDY_PARALLEL1_SAVING: f64 = 0.106;

/// A service time this long (s) makes a model worth shrinking.
pub const SLOW_SERVICE_S: f64 = 0.25;

/// What the suggestions look at.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The measured model.
    pub profile: &'a Arc<Profile>,
    /// The best serverless option, its run and its scores.
    pub serverless: Option<(&'a Candidate, &'a Outcome, &'a Ranked)>,
    /// The best function with provisioned concurrency, when it was simulated.
    pub provisioned: Option<&'a Ranked>,
    /// The same function on demand, to compare with.
    pub provisioned_twin: Option<&'a Ranked>,
    /// The recommended option and its run.
    pub best: Option<(&'a Candidate, &'a Outcome)>,
    /// Whether no option meets the targets.
    pub nothing_meets: bool,
}

fn suggestion(topic: Topic, advised: bool, text: String, figs: &[(&str, f64)]) -> Suggestion {
    Suggestion {
        topic,
        advised,
        text,
        figures: figs
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// Every suggestion that applies.
pub fn suggest(i: &Inputs) -> Vec<Suggestion> {
    let mut out = Vec::new();
    if let Some((c, _, _)) = i.serverless {
        out.push(package(i.profile, &c.offer));
    }
    if let Some(s) = threads(i) {
        out.push(s);
    }
    if let Some(s) = graph(i.profile) {
        out.push(s);
    }
    if let Some((c, o, _)) = i.serverless {
        out.push(overlap(i.profile, c, o));
        out.push(prewarm(i.profile, c, o, i.provisioned, i.provisioned_twin));
    }
    out.push(quantise(i));
    out
}

/// Package size against the function's limit, and what it adds to a cold start.
pub fn package(profile: &Profile, offer: &Offer) -> Suggestion {
    let pkg = offer.runtime.package_mb;
    let model_mb = profile.model.size_bytes as f64 / 1e6;
    let per_mb = offer.behaviour.cold_start.init_s_per_package_mb;
    let init = per_mb * pkg;
    let bundled = pkg + model_mb;
    let zip = matches!(offer.billing, Billing::Invocation { .. });
    let figs = [
        ("package_mb", pkg),
        ("model_mb", model_mb),
        ("runtime_library_mb", profile.runtime.library_mb),
        ("limit_mb", LAMBDA_PACKAGE_LIMIT_MB),
        ("init_s_per_package_mb", per_mb),
        ("package_init_s", init),
    ];
    if zip && bundled > LAMBDA_PACKAGE_LIMIT_MB {
        return suggestion(
            Topic::PackageSize,
            true,
            format!(
                "the package ({pkg:.0} MB unzipped) and the model ({model_mb:.0} MB) exceed Lambda's {LAMBDA_PACKAGE_LIMIT_MB:.0} MB limit: \
                 download the model from object storage at start-up{}, or ship a container image",
                if pkg <= LAMBDA_PACKAGE_LIMIT_MB { "" } else { " and trim the runtime's dependencies" }
            ),
            &figs,
        );
    }
    let limit = if zip {
        format!(
            ", within Lambda's {LAMBDA_PACKAGE_LIMIT_MB:.0} MB limit even with the {model_mb:.0} MB model bundled"
        )
    } else {
        String::new()
    };
    suggestion(
        Topic::PackageSize,
        init > 0.5,
        format!(
            "{}'s runtime package is about {pkg:.0} MB unzipped{limit} (ONNX Runtime's library is {:.0} MB of it); \
             each MB adds about {} to a cold start, {} for this package: keep dependencies minimal (the study's advice: a light runtime)",
            crate::present::variant::service(&offer.name),
            profile.runtime.library_mb,
            secs(per_mb),
            secs(init)
        ),
        &figs,
    )
}

/// Intra-op threads for the recommended option's vCPU share.
pub fn threads(i: &Inputs) -> Option<Suggestion> {
    let (c, _) = i.best.or(i.serverless.map(|(c, o, _)| (c, o)))?;
    let memory = c.settings.memory_mb(&c.offer);
    let vcpu = match c.offer.spec.mb_per_vcpu {
        Some(per) if per > 0.0 => memory / per,
        _ => c.offer.spec.vcpu,
    };
    if c.offer.spec.gpu.is_some() {
        return None;
    }
    let s = slots(&c.offer, vcpu);
    let share = s.share;
    let max_t = (share.ceil() as u32).clamp(1, 16);
    let mut best = (1u32, f64::INFINITY);
    let at_t = |t: u32| {
        let sl = Slots { threads: t, ..s };
        cpu_service(i.profile, &c.offer, sl, 1)
    };
    for t in 1..=max_t {
        let st = at_t(t)?;
        // Prefer fewer threads unless more are at least 3% faster.
        if st.mean_s < best.1 * 0.97 {
            best = (t, st.mean_s);
        }
    }
    let configured = s.threads;
    let conf_s = at_t(configured)?.mean_s;
    let measured = |t: u32| i.profile.point("cpu", t, 1).map(|p| p.mean_ms);
    let note = match (measured(1), measured(2)) {
        (Some(a), Some(b)) if b >= a => format!(
            "; on the profiling machine 2 threads ran no faster than 1 ({b:.1} ms against {a:.1} ms), so extra threads buy nothing"
        ),
        _ => String::new(),
    };
    Some(suggestion(
        Topic::Threads,
        best.0 != configured,
        format!(
            "set ONNX Runtime's intra-op threads to {} on {} ({:.2} vCPU per request): modelled service time {} \
             (with {} thread(s): {}){note}",
            best.0,
            name(c),
            share,
            secs(best.1),
            configured,
            secs(conf_s)
        ),
        &[
            ("threads", best.0 as f64),
            ("vcpu_share", share),
            ("service_s", best.1),
            ("configured_threads", configured as f64),
            ("configured_service_s", conf_s),
        ],
    ))
}

/// Graph optimisation, from the profile's measured effect.
pub fn graph(profile: &Profile) -> Option<Suggestion> {
    let e = profile.optimization.as_ref()?;
    let gain = e.disabled_p50_ms / e.all_p50_ms.max(1e-9);
    let figs = [
        ("disabled_p50_ms", e.disabled_p50_ms),
        ("all_p50_ms", e.all_p50_ms),
        ("disabled_session_ms", e.disabled_session_ms),
        ("all_session_ms", e.all_session_ms),
        ("speedup", gain),
    ];
    Some(if gain >= 1.1 {
        suggestion(
            Topic::GraphOptimisation,
            true,
            format!(
                "keep graph optimisation at its highest level (ORT_ENABLE_ALL): it cuts the p50 from {:.1} to {:.1} ms ({gain:.1}x) \
                 for {:+.0} ms of session creation; saving the optimised model offline (optimized_model_filepath) moves that work out of the cold start",
                e.disabled_p50_ms,
                e.all_p50_ms,
                e.all_session_ms - e.disabled_session_ms
            ),
            &figs,
        )
    } else {
        suggestion(
            Topic::GraphOptimisation,
            false,
            format!(
                "graph optimisation changes this model's p50 by under 10% ({:.1} ms without, {:.1} ms with) and session creation from {:.0} to {:.0} ms: \
                 either level serves; pick the one with the shorter session creation for cold starts",
                e.disabled_p50_ms, e.all_p50_ms, e.disabled_session_ms, e.all_session_ms
            ),
            &figs,
        )
    })
}

/// Overlapping the library import with the model download during a cold start.
pub fn overlap(profile: &Profile, c: &Candidate, o: &Outcome) -> Suggestion {
    let memory = c.settings.memory_mb(&c.offer);
    let vcpu = match c.offer.spec.mb_per_vcpu {
        Some(per) if per > 0.0 => memory / per,
        _ => c.offer.spec.vcpu,
    };
    let ph = ColdStartPhases::new(profile, &c.offer, vcpu)
        .with_snapstart(&c.offer, c.settings.snapstart);
    // A restored instance imports and downloads nothing: nothing to overlap.
    let saving = match ph.restore_s {
        Some(_) => 0.0,
        None => ph.import_s.min(ph.download_s),
    };
    let total = ph.total_s();
    let ratio = saving / total.max(1e-9);
    suggestion(
        Topic::OverlapImport,
        ratio >= 0.05 && o.cold_starts > 0,
        format!(
            "import the download library first and the rest (runtime, numpy) while the model downloads (the study's \"Parallel 1\"): \
             about {} less per cold start on {} (min of import {} and download {}; {} of its {} cold start; the study measured {} for MobileNet on Lambda), \
             {} over this trace's {} cold starts",
            secs(saving),
            name(c),
            secs(ph.import_s),
            secs(ph.download_s),
            pct(ratio),
            secs(total),
            pct(STUDY_PARALLEL1_SAVING),
            secs(saving * o.cold_starts as f64),
            o.cold_starts
        ),
        &[
            ("saving_s", saving),
            ("import_s", ph.import_s),
            ("download_s", ph.download_s),
            ("cold_start_s", total),
            ("saving_ratio", ratio),
            ("cold_starts", o.cold_starts as f64),
        ],
    )
}

/// Pre-warming or provisioned concurrency, when cold starts set the tail.
pub fn prewarm(
    profile: &Profile,
    c: &Candidate,
    o: &Outcome,
    provisioned: Option<&Ranked>,
    on_demand: Option<&Ranked>,
) -> Suggestion {
    let cold_ratio = o.cold_starts as f64 / o.requests.max(1) as f64;
    let each = cold_start_s(c, profile, 1.0);
    let dominate = cold_ratio >= 0.01 || o.p99_latency_s > 3.0 * o.p50_latency_s.max(1e-9);
    let mut figs = vec![
        ("cold_starts", o.cold_starts as f64),
        ("cold_ratio", cold_ratio),
        ("cold_start_s", each),
        ("p99_latency_s", o.p99_latency_s),
        ("p50_latency_s", o.p50_latency_s),
    ];
    let with = match (provisioned, on_demand) {
        (Some(p), Some(d)) => {
            figs.extend([
                ("provisioned_instances", p.variant.provisioned as f64),
                ("provisioned_p99_latency_s", p.p99_latency_s),
                ("provisioned_cost_per_month_usd", p.cost_per_month_usd),
                ("on_demand_cost_per_month_usd", d.cost_per_month_usd),
            ]);
            format!(
                "; with {} provisioned instance(s) the p99 is {} instead of {} for {} per month instead of {}",
                p.variant.provisioned,
                secs(p.p99_latency_s),
                secs(d.p99_latency_s),
                usd(p.cost_per_month_usd),
                usd(d.cost_per_month_usd)
            )
        }
        _ => String::new(),
    };
    let text = if dominate {
        format!(
            "cold starts set the tail on {}: {} of requests wait about {} for a new instance (p99 {} against a median of {}); \
             keep instances warm (provisioned concurrency, or a scheduled ping before known peaks){with}",
            name(c),
            pct(cold_ratio),
            secs(each),
            secs(o.p99_latency_s),
            secs(o.p50_latency_s)
        )
    } else {
        format!(
            "pre-warming is not needed on {}: its {} cold starts are {} of requests and stay out of the p99 ({}){with}",
            name(c),
            o.cold_starts,
            pct(cold_ratio),
            secs(o.p99_latency_s)
        )
    };
    suggestion(Topic::Prewarm, dominate, text, &figs)
}

/// Quantisation or a smaller model, when the model is large against memory or time.
pub fn quantise(i: &Inputs) -> Suggestion {
    let p = i.profile;
    let model_mb = p.model.size_bytes as f64 / 1e6;
    let service = i
        .best
        .or(i.serverless.map(|(c, o, _)| (c, o)))
        .and_then(|(c, _)| capacity(&c.offer, p, c.settings.memory_mb, 1.0).ok())
        .map(|(_, s)| s)
        .or_else(|| p.point("cpu", 1, 1).map(|x| x.mean_ms / 1e3))
        .unwrap_or(0.0);
    let big = model_mb > 500.0;
    let slow = service > SLOW_SERVICE_S;
    let advised = big || slow || i.nothing_meets;
    let figs = [
        ("model_mb", model_mb),
        ("int8_model_mb", model_mb / 4.0),
        ("service_s", service),
        ("slow_service_s", SLOW_SERVICE_S),
    ];
    let why = match (big, slow, i.nothing_meets) {
        (true, _, _) => format!("the model is {model_mb:.0} MB, large against a function's memory and download time"),
        (_, true, _) => format!(
            "one request takes {} of compute, which sets the latency floor and the cost of every option",
            secs(service)
        ),
        (_, _, true) => "no option meets the targets with the model as it is".to_string(),
        _ => String::new(),
    };
    if advised {
        suggestion(
            Topic::Quantisation,
            true,
            format!(
                "{why}: try 8-bit quantisation (the weights become about 4x smaller, {model_mb:.0} MB to {:.0} MB) or a smaller model, \
                 then profile it again (`advisor profile`) to measure the new latency and accuracy",
                model_mb / 4.0
            ),
            &figs,
        )
    } else {
        suggestion(
            Topic::Quantisation,
            false,
            format!(
                "no need to shrink the model: {model_mb:.0} MB and {} per request fit every option's memory and time limits",
                secs(service)
            ),
            &figs,
        )
    }
}

/// The option in words, as the sentences name it.
fn name(c: &Candidate) -> String {
    crate::present::variant::describe(&c.offer.name, c.offer.kind == Kind::Managed, &c.settings)
}
