//! The advice on scenarios whose right answer is known: the direction of
//! each decision, not its exact figures.

use advisor::advise::{advise, BudgetPer, Constraints, Group, ReasonCode, Request};
use advisor::pricing::{snapshot, Offer};
use advisor::workload::generate::Poisson;
use advisor::workload::Trace;
use std::sync::Arc;

fn offers(ids: &[&str]) -> Vec<Offer> {
    let snap = snapshot::builtin("current").unwrap();
    if ids.is_empty() {
        return snap.offers;
    }
    ids.iter()
        .map(|id| snap.offer(id).unwrap().clone())
        .collect()
}

fn request(profile: &str, times: Vec<f64>, ids: &[&str], k: Constraints) -> Request {
    Request {
        profile: Arc::new(advisor::profile::bundled::get(profile).unwrap()),
        trace: Trace::from_times(times),
        trace_name: "test".into(),
        snapshot: "current".into(),
        offers: offers(ids),
        constraints: k,
        seed: 1,
        free_tier: false,
    }
}

/// The request with every offer bought on demand only: the crossovers
/// below are between on-demand prices (spot and commitments have tests of
/// their own).
fn on_demand(mut r: Request) -> Request {
    for o in &mut r.offers {
        o.purchase.clear();
    }
    r
}

fn poisson(rate: f64, duration_s: f64) -> Vec<f64> {
    Poisson::new(rate, duration_s, 7).collect()
}

/// Ten requests within a second, every half hour, for six hours.
fn rare_bursts() -> Vec<f64> {
    (0..12)
        .flat_map(|b| (0..10).map(move |i| b as f64 * 1800.0 + i as f64 * 0.1))
        .collect()
}

#[test]
fn a_low_bursty_rate_goes_serverless() {
    // Every burst meets cold instances, so only a target that tolerates
    // cold starts (not the interactive default) lets serverless win.
    let a = advise(&request(
        "mobilenetv2",
        rare_bursts(),
        &[],
        Constraints {
            slo_p95_s: Some(10.0),
            ..Constraints::default()
        },
    ))
    .unwrap();
    let best = a.best.as_ref().expect("something meets the targets");
    assert_eq!(best.group, Group::Serverless, "{}", best.id);
    let server = a
        .ranked
        .iter()
        .find(|r| r.group == Group::Server && r.meets_slo)
        .unwrap();
    assert!(server.cost_per_month_usd > 10.0 * best.cost_per_month_usd);
    // The server's runner-up entry says why it lost: idle billed time.
    let ru = a
        .runners_up
        .iter()
        .find(|r| r.group == Group::Server)
        .unwrap();
    let idle = ru
        .reasons
        .iter()
        .find(|r| r.code == ReasonCode::Idle)
        .unwrap();
    assert!(idle.figures["idle_ratio"] > 0.99, "{}", idle.text);
    assert!(idle.text.contains("idle"), "{}", idle.text);
    assert_eq!(a.reasons[0].code, ReasonCode::Cheapest);
    assert!(!a.sensitivity.fragile, "{:?}", a.sensitivity.verdict);
}

#[test]
fn a_high_steady_rate_goes_to_a_server() {
    let a = advise(&on_demand(request(
        "mobilenetv2",
        poisson(250.0, 40.0),
        &[],
        Constraints::default(),
    )))
    .unwrap();
    let best = a.best.as_ref().unwrap();
    assert_eq!(best.group, Group::Server, "{}", best.id);
    let lambda = a
        .ranked
        .iter()
        .find(|r| r.offer == "aws-lambda-x86" && r.variant.batch_size == 1)
        .unwrap();
    assert!(lambda.cost_per_month_usd > 2.0 * best.cost_per_month_usd);
    // The crossover says where the server starts to win.
    let x = a
        .crossovers
        .iter()
        .find(|x| x.cheaper_above == best.id && x.cheaper_below.starts_with("aws-lambda"))
        .expect("a Lambda / server crossover");
    assert!(x.rate_rps > 1.0 && x.rate_rps < 250.0, "{}", x.text);
}

#[test]
fn batching_lowers_cost_when_latency_is_loose() {
    let k = Constraints {
        slo_p95_s: Some(5.0),
        ..Constraints::default()
    };
    // Billed per 100 ms, as the study's Cloud Functions: one 12 ms request
    // pays for 100 ms, a batch of 8 fills them.
    let a = advise(&request(
        "mobilenetv2",
        poisson(55.0, 60.0),
        &["gcp-cloud-run-functions-2gib"],
        k,
    ))
    .unwrap();
    let s = &a.batching[0];
    assert!(s.pays, "{}", s.verdict.text);
    let c = s.cheapest_meeting.as_ref().unwrap();
    assert!(c.batch_size > 1);
    assert!(s.saving_ratio > 0.5, "{}", s.saving_ratio);
    // The study's Figure 8: at a long wait, cost falls with the batch size
    // while the mean latency rises.
    let at = |b: u32| {
        s.points
            .iter()
            .find(|p| p.batch_size == b && p.max_wait_s == 1.0)
            .unwrap()
    };
    for w in [2, 4, 8, 16].windows(2) {
        assert!(at(w[1]).cost_per_month_usd < at(w[0]).cost_per_month_usd);
        assert!(at(w[1]).avg_latency_s > at(w[0]).avg_latency_s);
    }
    // The best is a batched option, and says so.
    let best = a.best.as_ref().unwrap();
    assert!(best.variant.batch_size > 1, "{}", best.id);
    assert!(a.reasons.iter().any(|r| r.code == ReasonCode::Batching));
}

#[test]
fn memory_below_the_footprint_is_rejected() {
    let mut small = offers(&["aws-lambda-x86"]).remove(0);
    small.id = "lambda-128".into();
    small.spec.memory_mb = 128.0;
    small.spec.memory_range = None;
    let mut req = request(
        "albert-base",
        poisson(2.0, 60.0),
        &["aws-lambda-x86"],
        Constraints {
            slo_p95_s: Some(10.0),
            ..Constraints::default()
        },
    );
    req.offers.push(small);
    let a = advise(&req).unwrap();
    let sweep = a
        .memory
        .iter()
        .find(|m| m.offer == "aws-lambda-x86")
        .unwrap();
    let p128 = sweep.points.iter().find(|p| p.memory_mb == 128.0).unwrap();
    assert!(!p128.fits && p128.cost_per_month_usd.is_none());
    let why = p128.rejected.as_ref().unwrap();
    assert_eq!(why.code, ReasonCode::Memory);
    assert!(why.figures["min_memory_mb"] > 128.0, "{}", why.text);
    assert!(sweep
        .points
        .iter()
        .any(|p| p.fits && p.cost_per_month_usd.is_some()));
    assert!(sweep.balanced_mb.unwrap() >= sweep.footprint.min_memory_mb);
    let r = a.ranked.iter().find(|r| r.offer == "lambda-128").unwrap();
    assert!(!r.meets_slo);
    assert!(r.why_not.iter().any(|w| w.code == ReasonCode::Memory));
}

#[test]
fn a_rate_near_the_crossover_is_fragile() {
    // About 55 req/s: Lambda is a little cheaper than one small server on
    // demand, but not at twice the rate.
    let a = advise(&on_demand(request(
        "mobilenetv2",
        poisson(55.0, 60.0),
        &["aws-lambda-x86", "gcp-gce-e2-standard-4"],
        Constraints::default(),
    )))
    .unwrap();
    assert_eq!(a.best.as_ref().unwrap().offer, "aws-lambda-x86");
    assert!(a.sensitivity.fragile);
    let twice = a
        .sensitivity
        .cases
        .iter()
        .find(|c| c.rate_factor == 2.0)
        .unwrap();
    assert!(twice.changed);
    assert_eq!(twice.best_offer.as_deref(), Some("gcp-gce-e2-standard-4"));
    let v = a.sensitivity.verdict.as_ref().unwrap();
    assert_eq!(v.code, ReasonCode::Fragile);
    assert!(a.reasons.iter().any(|r| r.code == ReasonCode::Fragile));
}

#[test]
fn a_budget_per_trace_rejects_dear_options() {
    let k = Constraints {
        budget_usd: Some(0.001),
        budget_per: BudgetPer::Trace,
        ..Constraints::default()
    };
    let a = advise(&request(
        "mobilenetv2",
        poisson(20.0, 60.0),
        &["aws-lambda-x86", "aws-ec2-g4dn.xlarge"],
        k,
    ))
    .unwrap();
    let gpu = a
        .ranked
        .iter()
        .find(|r| r.offer == "aws-ec2-g4dn.xlarge")
        .unwrap();
    assert!(gpu.cost_per_trace_usd > 0.001 && !gpu.meets_slo);
    assert!(gpu.why_not.iter().any(|w| w.code == ReasonCode::Budget));
    assert!(a
        .ranked
        .iter()
        .filter(|r| r.meets_slo)
        .all(|r| r.cost_per_trace_usd <= 0.001));
}

#[test]
fn nothing_meeting_the_targets_is_said_plainly() {
    let k = Constraints {
        slo_p95_s: Some(0.001),
        ..Constraints::default()
    };
    let a = advise(&request(
        "mobilenetv2",
        poisson(5.0, 30.0),
        &["aws-lambda-x86", "aws-ec2-c7i.xlarge"],
        k,
    ))
    .unwrap();
    assert!(a.best.is_none());
    assert_eq!(a.reasons[0].code, ReasonCode::NoneMeets);
    assert!(a
        .ranked
        .iter()
        .all(|r| r.rank.is_none() && !r.why_not.is_empty()));
}

#[test]
fn advice_round_trips_through_json() {
    let a = advise(&request(
        "mobilenetv2",
        poisson(5.0, 30.0),
        &["aws-lambda-x86", "aws-ec2-c7i.xlarge"],
        Constraints::default(),
    ))
    .unwrap();
    let text = serde_json::to_string(&a).unwrap();
    let back: advisor::advise::Advice = serde_json::from_str(&text).unwrap();
    // Parsing may round a figure's last bit, so compare what was read:
    // everything read back must serialise to the same document.
    let read: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), read);
    assert_eq!(back.best.map(|b| b.id), a.best.map(|b| b.id));
    assert_eq!(a.provenance, "modelled");
}

#[test]
fn bad_requests_are_bad_input() {
    let is_bad = |r: anyhow::Result<advisor::advise::Advice>| {
        let e = r.unwrap_err();
        assert_eq!(advisor::error::exit_code(&e), 2, "{e}");
        e.to_string()
    };
    let at_zero = request(
        "mobilenetv2",
        vec![0.0; 5],
        &["aws-lambda-x86"],
        Constraints::default(),
    );
    assert!(is_bad(advise(&at_zero)).contains("no rate"));
    let empty = request(
        "mobilenetv2",
        vec![],
        &["aws-lambda-x86"],
        Constraints::default(),
    );
    assert!(is_bad(advise(&empty)).contains("no requests"));
    let k = Constraints {
        min_success_ratio: 1.5,
        ..Constraints::default()
    };
    let r = request("mobilenetv2", poisson(5.0, 10.0), &["aws-lambda-x86"], k);
    assert!(is_bad(advise(&r)).contains("min_success_ratio"));
    let k = Constraints {
        slo_p95_s: Some(-1.0),
        ..Constraints::default()
    };
    let r = request("mobilenetv2", poisson(5.0, 10.0), &["aws-lambda-x86"], k);
    assert!(is_bad(advise(&r)).contains("slo_p95_s"));
}
