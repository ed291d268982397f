//! Cloud Run's instance-based billing, as an option of the CPU services and
//! as the only billing of the service with an L4 GPU: each instance billed
//! for its life at the lower rates with no request fee, minimum instances
//! billed while idle, and the advice choosing it for a steady load.

use crate::cold_start::profile;
use crate::common::advisor;
use advisor::advise::candidates::{default_variant, Candidate};
use advisor::advise::{advise, Constraints, Request};
use advisor::outcome::Outcome;
use advisor::platform::cold_start::ColdStartPhases;
use advisor::pricing::{builtin, Offer};
use advisor::sim::simulate_times;
use advisor::workload::Trace;
use serde_json::Value;

fn offer(id: &str) -> Offer {
    builtin("current").unwrap().offer(id).unwrap().clone()
}

/// `n` requests per second, evenly spaced, for `secs` seconds.
fn steady(rps: f64, secs: f64) -> Vec<f64> {
    let n = (rps * secs) as usize;
    (0..n).map(|i| i as f64 / rps).collect()
}

fn run(offer: &Offer, instance_billing: bool, minimum: u32, times: &[f64]) -> Outcome {
    let mut v = default_variant(offer);
    v.instance_billing = instance_billing;
    v.provisioned = minimum;
    let c = Candidate::new(offer, v);
    simulate_times(&c.scenario(&profile(), 3, 1.0), times).unwrap()
}

/// Instance-seconds the run's instances lived.
fn life(o: &Outcome) -> f64 {
    o.avg_instances * o.duration_s
}

/// USD per second of one instance's life under instance-based billing.
fn life_rate(o: &Offer) -> f64 {
    let i = o.billing.instance().unwrap();
    let gpus = o.spec.gpu.as_ref().map_or(0, |g| g.count) as f64;
    o.spec.vcpu * i.per_vcpu_s_usd
        + o.spec.memory_mb / 1024.0 * i.per_gib_s_usd
        + gpus * i.per_gpu_s_usd
}

#[test]
fn cloud_run_instance_billing_bills_each_life_without_request_fees() {
    let o = offer("gcp-cloud-run-1vcpu-2gib");
    // Busy enough that an instance is never idle for long.
    let times = steady(50.0, 120.0);
    let (plain, ib) = (run(&o, false, 0, &times), run(&o, true, 0, &times));
    assert!(plain.cost.requests_usd > 0.0, "{:?}", plain.cost);
    assert_eq!(ib.cost.requests_usd, 0.0, "{:?}", ib.cost);
    assert_eq!(ib.cost.idle_usd, 0.0, "no minimum instances: {:?}", ib.cost);
    // Each instance's life, rounded up to 100 ms, at 1 x $0.000018 + 2 x $0.000002.
    assert!((life_rate(&o) - 0.000022).abs() < 1e-12);
    let lower = life(&ib) * 0.000022;
    let upper = (life(&ib) + 0.1 * ib.instances_created as f64) * 0.000022;
    assert!(
        ib.cost.compute_usd >= lower - 1e-12 && ib.cost.compute_usd <= upper + 1e-12,
        "{} not in [{lower}, {upper}]",
        ib.cost.compute_usd
    );
    // A busy instance costs less billed by its life at the lower rates.
    assert!(
        ib.cost_usd < plain.cost_usd,
        "{} {}",
        ib.cost_usd,
        plain.cost_usd
    );
    assert!(
        ib.notes
            .iter()
            .any(|n| n.contains("instance-based billing")),
        "{:?}",
        ib.notes
    );
    assert!(!plain.notes.iter().any(|n| n.contains("instance-based")));
}

#[test]
fn cloud_run_minimum_instances_are_billed_while_idle_and_start_nothing() {
    let o = offer("gcp-cloud-run-1vcpu-2gib");
    // Requests an hour apart: beyond the 15-minute keep-alive.
    let times: Vec<f64> = (0..4).map(|i| i as f64 * 3600.0).collect();
    let cold = run(&o, true, 0, &times);
    let kept = run(&o, true, 1, &times);
    assert_eq!(cold.cold_starts, 4, "{cold:?}");
    assert_eq!(kept.cold_starts, 0, "{kept:?}");
    // The minimum instance lives the whole run (the last request's end).
    let end = times[3];
    assert!(
        kept.cost.idle_usd >= end * 0.000022 && kept.cost.idle_usd < (end + 10.0) * 0.000022,
        "{:?}",
        kept.cost
    );
    assert_eq!(kept.cost.compute_usd, 0.0, "{:?}", kept.cost);
}

#[test]
fn cloud_run_l4_is_billed_per_instance_life_with_its_gpu() {
    let o = offer("gcp-cloud-run-l4");
    assert_eq!((o.spec.vcpu, o.spec.memory_mb), (4.0, 16384.0));
    let gpu = o.spec.gpu.as_ref().unwrap();
    assert_eq!((gpu.model.as_str(), gpu.count), ("NVIDIA L4", 1));
    let i = o.billing.instance().unwrap();
    assert!(i.required);
    // 4 x $0.000018 + 16 x $0.000002 + $0.0001867 a second: $1.04652 an hour.
    assert!((life_rate(&o) * 3600.0 - 1.04652).abs() < 1e-9);
    for path in [
        "billing.instance.per_gpu_s_usd",
        "billing.instance.per_vcpu_s_usd",
        "behaviour.cold_start.platform_init_s",
        "behaviour.scaling.max_instances",
    ] {
        assert!(o.sources.contains_key(path), "{path} has no source");
    }

    // Billed so without asking: no request fee, the life at the GPU rate.
    let times = steady(2.0, 120.0);
    let out = run(&o, false, 0, &times);
    assert_eq!(out.cost.requests_usd, 0.0, "{:?}", out.cost);
    let rate = life_rate(&o);
    let upper = (life(&out) + 0.1 * out.instances_created as f64) * rate;
    assert!(
        out.cost.compute_usd >= life(&out) * rate - 1e-12 && out.cost.compute_usd <= upper,
        "{:?} {}",
        out.cost,
        life(&out)
    );
    assert!(
        out.peak_instances <= 3,
        "the GPU quota: {}",
        out.peak_instances
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("only billing with a GPU")),
        "{:?}",
        out.notes
    );
    // Its cold start: the GPU instance's 5 s, the 1.5 GB image, the CUDA
    // runtime's start.
    let p = profile();
    let c = ColdStartPhases::new(&p, &o, o.spec.vcpu);
    assert!(c.container_init_s >= 5.0 + 1500.0 * 0.004 - 1e-9, "{c:?}");
    assert_eq!(c.import_s, 3.0, "{c:?}");
}

#[test]
fn cloud_run_l4_is_priced_in_europe_too() {
    let s = builtin("current").unwrap();
    let eu = s
        .all()
        .find(|o| o.id == "gcp-cloud-run-l4@europe-west1")
        .unwrap();
    assert_eq!(eu.billing.per_request_usd(), 0.0);
    let i = eu.billing.instance().unwrap();
    assert!(i.required && i.per_gpu_s_usd > 0.0);
    assert!(eu.sources["billing.instance.per_gpu_s_usd"].assumption);
    assert!(!s.all().any(|o| o.id == "gcp-cloud-run-l4@asia-northeast1"));
}

#[test]
fn cloud_run_pricing_show_json_lists_the_instance_rates_with_sources() {
    let out = advisor()
        .args(["pricing", "show", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let offers = v["offers"].as_array().unwrap();
    let find = |id: &str| offers.iter().find(|o| o["id"] == id).unwrap();
    let run = find("gcp-cloud-run-1vcpu-2gib");
    assert_eq!(run["billing"]["instance"]["per_vcpu_s_usd"], 0.000018);
    assert_eq!(run["billing"]["instance"]["per_gib_s_usd"], 0.000002);
    let src = run["sources"]["billing.instance.per_vcpu_s_usd"]["source"]
        .as_str()
        .unwrap();
    assert!(src.contains("cloud.google.com/run/pricing"), "{src}");
    let l4 = find("gcp-cloud-run-l4");
    assert_eq!(l4["billing"]["instance"]["required"], true);
    assert_eq!(l4["billing"]["instance"]["per_gpu_s_usd"], 0.0001867);
    assert!(
        l4["source"].as_str().unwrap().contains("GPU"),
        "{}",
        l4["source"]
    );
    let sm = find("aws-sagemaker-serverless");
    assert_eq!(sm["billing"]["provisioned"]["per_gb_s_usd"], 0.000005);
    assert_eq!(
        sm["sources"]["billing.provisioned.per_gb_s_usd"]["assumption"],
        true
    );
}

#[test]
fn cloud_run_advice_picks_instance_billing_for_a_steady_load() {
    let offers: Vec<Offer> = builtin("current")
        .unwrap()
        .offers
        .into_iter()
        .filter(|o| o.id.starts_with("gcp-cloud-run-") && o.spec.gpu.is_none())
        .collect();
    let req = Request {
        profile: profile(),
        trace: Trace::from_times(steady(50.0, 120.0)),
        trace_name: "steady".into(),
        snapshot: "current".into(),
        offers,
        constraints: Constraints {
            // Tight enough that no batch may wait long to fill.
            slo_p95_s: Some(0.15),
            ..Constraints::default()
        },
        seed: 1,
        free_tier: false,
    };
    let a = advise(&req).unwrap();
    let best = a.best.as_ref().expect("an option meets a 150 ms p95");
    assert!(best.variant.instance_billing, "{}", best.id);
    assert!(best.id.ends_with("+ib"), "{}", best.id);
    // The same service billed per request is ranked, and costs more.
    let twin = best.id.trim_end_matches("+ib");
    let plain = a.ranked.iter().find(|r| r.id == twin).unwrap();
    assert!(
        plain.cost_per_month_usd > best.cost_per_month_usd,
        "{} {}",
        plain.cost_per_month_usd,
        best.cost_per_month_usd
    );
}
