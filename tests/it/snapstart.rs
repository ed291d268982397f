//! Lambda SnapStart: on a trace where every request is cold, the restore
//! replaces the initialisation by the modelled amount and adds its charges,
//! and the advice picks it only where it is worth it.

use crate::cold_start::{lambda, profile};
use advisor::advise::candidates::{default_variant, Candidate};
use advisor::advise::{advise, Constraints, Request};
use advisor::platform::cold_start::ColdStartPhases;
use advisor::pricing::{builtin, Offer};
use advisor::sim::simulate_times;
use advisor::workload::Trace;

/// Requests twice the keep-alive apart: every one meets a cold instance.
fn sparse(offer: &Offer, n: usize) -> Vec<f64> {
    let gap = offer.behaviour.keep_alive_s.unwrap() * 2.0;
    (0..n).map(|i| i as f64 * gap).collect()
}

fn option(offer: &Offer, snapstart: bool) -> Candidate {
    let mut v = default_variant(offer);
    v.snapstart = snapstart;
    Candidate::new(offer, v)
}

#[test]
fn every_cold_request_restores_instead_of_initialising() {
    let (p, offer) = (profile(), lambda());
    let times = sparse(&offer, 40);
    let run = |snap: bool| simulate_times(&option(&offer, snap).scenario(&p, 7, 1.0), &times);
    let (plain, snap) = (run(false).unwrap(), run(true).unwrap());
    assert_eq!((plain.cold_starts, snap.cold_starts), (40, 40));

    // The same draws of the service time: the latencies differ by exactly
    // what the restore saves before the first inference.
    let mem = offer.spec.memory_mb;
    let phases = ColdStartPhases::new(&p, &offer, mem / 1769.0);
    let restore = offer.behaviour.cold_start.snapstart_restore_s.unwrap();
    let saved = phases.until_ready_s() - restore;
    assert!(saved > 0.5, "{phases:?} restore {restore}");
    let got = plain.avg_latency_s - snap.avg_latency_s;
    assert!(
        (got - saved).abs() < 1e-6,
        "saved {got} s, modelled {saved} s"
    );

    // Its charges: a restore per instance started (2 GB at $0.0001397998 a
    // GB) and the snapshot cached for the run; the import and the model's
    // load are no longer billed with the first invocation.
    let restores = 40.0 * 2.0 * 0.0001397998;
    // The run lasts until its last request completes, a second or so after
    // it arrives.
    let run_s = times[times.len() - 1];
    let cache = run_s.max(3.0 * 3600.0) * 2.0 * 0.0000015046;
    assert!(
        (snap.cost.idle_usd / cache - 1.0).abs() < 1e-4,
        "{:?} {cache}",
        snap.cost
    );
    assert_eq!(plain.cost.idle_usd, 0.0);
    let snap_duration = snap.cost.compute_usd - restores;
    assert!(snap_duration > 0.0, "{:?}", snap.cost);
    assert!(
        snap_duration < plain.cost.compute_usd,
        "{snap_duration} {:?}",
        plain.cost
    );
    assert!(
        snap.cost_usd > plain.cost_usd,
        "{} {}",
        snap.cost_usd,
        plain.cost_usd
    );
    assert!(
        snap.notes.iter().any(|n| n.contains("SnapStart")),
        "{:?}",
        snap.notes
    );
}

#[test]
fn with_provisioned_concurrency_there_is_no_snapshot() {
    let (p, offer) = (profile(), lambda());
    let times = sparse(&offer, 5);
    let mut c = option(&offer, true);
    c.settings.provisioned = 1;
    let o = simulate_times(&c.scenario(&p, 7, 1.0), &times).unwrap();
    assert!(
        !o.notes.iter().any(|n| n.contains("SnapStart")),
        "{:?}",
        o.notes
    );
}

fn request(times: Vec<f64>, slo_p95_s: f64) -> Request {
    Request {
        profile: profile(),
        trace: Trace::from_times(times),
        trace_name: "sparse".into(),
        snapshot: "current".into(),
        // Lambda's own options: the trace is sparse for Lambda's keep-alive,
        // and a platform that keeps instances longer finds it warm.
        offers: builtin("current")
            .unwrap()
            .offers
            .into_iter()
            .filter(|o| o.id.starts_with("aws-lambda"))
            .collect(),
        constraints: Constraints {
            slo_p95_s: Some(slo_p95_s),
            ..Constraints::default()
        },
        seed: 1,
        free_tier: false,
    }
}

#[test]
fn the_advice_picks_it_when_only_a_restore_meets_the_target() {
    let (p, offer) = (profile(), lambda());
    // Between a cold start restored at the default size and the quickest
    // initialised one (the largest size, a full core for every phase).
    let at = |mb: f64| ColdStartPhases::new(&p, &offer, mb / 1769.0);
    let restore = offer.behaviour.cold_start.snapstart_restore_s.unwrap();
    let snap = restore + at(offer.spec.memory_mb).first_inference_s;
    let plain = at(10240.0).total_s();
    assert!(snap < plain, "{snap} {plain}");
    let slo = (snap + plain) / 2.0 + offer.behaviour.network_rtt_s;
    let a = advise(&request(sparse(&offer, 40), slo)).unwrap();
    let best = a
        .best
        .as_ref()
        .expect("the SnapStart option meets the target");
    assert!(best.variant.snapstart, "{} over {slo:.2} s", best.id);
    assert!(best.id.ends_with("+snap"), "{}", best.id);
    assert!(best.offer.starts_with("aws-lambda"), "{}", best.id);
}

#[test]
fn a_loose_target_keeps_the_plain_function() {
    // Every request is cold, yet the cold start is within the target: the
    // snapshot's cache and restores buy nothing.
    let offer = lambda();
    let a = advise(&request(sparse(&offer, 40), 10.0)).unwrap();
    let best = a.best.as_ref().unwrap();
    assert!(!best.variant.snapstart, "{}", best.id);
    assert!(
        a.ranked.iter().any(|r| r.variant.snapstart),
        "the SnapStart twins are ranked too"
    );
}
