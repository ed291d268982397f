//! SageMaker Serverless Inference with provisioned concurrency: requests
//! within the provisioned count meet warm instances, which are billed per
//! GB-second provisioned and serve at the lower duration rate; the advice
//! proposes it when cold starts miss the target.

use crate::cold_start::profile;
use advisor::advise::candidates::{default_variant, Candidate};
use advisor::advise::{advise, Constraints, Request};
use advisor::outcome::Outcome;
use advisor::pricing::{builtin, Offer};
use advisor::sim::simulate_times;
use advisor::workload::Trace;

fn serverless() -> Offer {
    builtin("current")
        .unwrap()
        .offer("aws-sagemaker-serverless")
        .unwrap()
        .clone()
}

/// Requests twice the keep-alive apart: every one meets a cold instance.
fn sparse(o: &Offer, n: usize) -> Vec<f64> {
    let gap = o.behaviour.keep_alive_s.unwrap() * 2.0;
    (0..n).map(|i| i as f64 * gap).collect()
}

fn run(o: &Offer, provisioned: u32, times: &[f64]) -> Outcome {
    let mut v = default_variant(o);
    v.provisioned = provisioned;
    let c = Candidate::new(o, v);
    simulate_times(&c.scenario(&profile(), 5, 1.0), times).unwrap()
}

#[test]
fn sagemaker_provisioned_instances_serve_warm_at_the_lower_rate() {
    let o = serverless();
    let times = sparse(&o, 10);
    let (plain, pc) = (run(&o, 0, &times), run(&o, 1, &times));
    assert_eq!(plain.cold_starts, 10);
    assert_eq!(pc.cold_starts, 0);
    assert!(pc.p95_latency_s < plain.p95_latency_s);
    // 2 GB provisioned for the whole run at $0.000005 a GB-second.
    let end = pc.duration_s;
    let keep = end * 2.0 * 0.000005;
    assert!(
        (pc.cost.idle_usd / keep - 1.0).abs() < 1e-4,
        "{:?} {keep}",
        pc.cost
    );
    assert_eq!(plain.cost.idle_usd, 0.0);
    // Warm runs at $0.0000116667 a GB-second instead of $0.00002, and no
    // cold start billed with them.
    assert!(pc.cost.compute_usd > 0.0);
    assert!(
        pc.cost.compute_usd < plain.cost.compute_usd * 0.6,
        "{:?} {:?}",
        pc.cost,
        plain.cost
    );
}

#[test]
fn sagemaker_requests_beyond_the_provisioned_count_start_instances() {
    let o = serverless();
    // Two requests at once, every time: one finds the provisioned instance,
    // the other starts one.
    let times: Vec<f64> = sparse(&o, 5).into_iter().flat_map(|t| [t, t]).collect();
    let pc = run(&o, 1, &times);
    assert_eq!(pc.cold_starts, 5, "{pc:?}");
}

#[test]
fn sagemaker_advice_proposes_provisioned_concurrency_when_cold_starts_miss() {
    let o = serverless();
    let req = Request {
        profile: profile(),
        trace: Trace::from_times(sparse(&o, 30)),
        trace_name: "sparse".into(),
        snapshot: "current".into(),
        offers: vec![o],
        constraints: Constraints {
            slo_p95_s: Some(1.0),
            ..Constraints::default()
        },
        seed: 1,
        free_tier: false,
    };
    let a = advise(&req).unwrap();
    let best = a.best.as_ref().expect("the warm option meets 1 s");
    assert!(best.variant.provisioned > 0, "{}", best.id);
    assert!(best.id.contains("+pc"), "{}", best.id);
    let plain = a
        .ranked
        .iter()
        .find(|r| r.variant.provisioned == 0)
        .unwrap();
    assert!(!plain.meets_slo, "{} meets 1 s cold", plain.id);
}
