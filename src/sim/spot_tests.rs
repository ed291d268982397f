//! Spot servers in the simulator: interruptions, replacements and their
//! bill (`platform::server` holds the model; here it is run end to end).

use crate::outcome::Outcome;
use crate::pricing::{Offer, Purchase, PurchaseKind};
use crate::sim::fixtures::{constant_profile, ideal_server, poisson_times};
use crate::sim::{simulate_times, Scenario};
use std::sync::Arc;

/// Two instances of four 50 ms workers on spot capacity reclaimed at
/// `per_hour` per instance-hour, each replaced after 30 s.
fn spot(per_hour: f64) -> Offer {
    let mut o = ideal_server(4);
    o.behaviour.instances = 2;
    o.behaviour.timeout_s = 30.0;
    o.billing = crate::pricing::Billing::Hourly {
        per_hour_usd: 1.0,
        granularity_s: 1.0,
        minimum_s: 0.0,
    };
    o.purchase = vec![Purchase {
        key: "spot".into(),
        name: "spot".into(),
        kind: PurchaseKind::Spot,
        per_hour_usd: Some(0.4),
        discount: None,
        term_months: None,
        interruptions_per_hour: Some(per_hour),
        replacement_s: Some(30.0),
    }];
    o
}

fn run(o: &Offer, seed: u64) -> Outcome {
    let mut sc = Scenario::new(o.clone(), Arc::new(constant_profile(50.0)));
    sc.seed = seed;
    simulate_times(&sc, &poisson_times(40.0, 40_000, 3)).unwrap()
}

#[test]
fn interruptions_fail_the_requests_in_flight_and_cost_capacity() {
    // 40 req/s for about 1000 s at 60 interruptions per instance-hour:
    // about 2 x 1000/3600 x 60 = 33 expected.
    let o = spot(60.0).purchased("spot").unwrap();
    let r = run(&o, 1);
    assert!((15..=60).contains(&r.interruptions), "{}", r.interruptions);
    assert!(r.failures.interrupted > 0);
    // At most the four workers' requests are lost per interruption.
    assert!(r.failures.interrupted <= 4 * r.interruptions);
    assert_eq!(r.instances_created, 2 + r.interruptions);
    // Billed at the spot price less the instance time spent replaced.
    let on_demand = run(&spot(60.0), 1);
    assert!(r.cost_usd < 0.4 * on_demand.cost_usd + 1e-9);
    assert_eq!(on_demand.interruptions, 0);
    assert_eq!(on_demand.failures.interrupted, 0);
    // Deterministic with the seed, different with another.
    assert_eq!(run(&o, 1).failures, r.failures);
    assert_ne!(
        run(&o, 2).interruptions + 1000 * run(&o, 2).failures.interrupted,
        r.interruptions + 1000 * r.failures.interrupted
    );
}

#[test]
fn a_spot_run_without_interruptions_is_the_on_demand_run() {
    let od = run(&spot(0.0), 7);
    let quiet = run(&spot(1e-9).purchased("spot").unwrap(), 7);
    assert_eq!(quiet.interruptions, 0);
    assert_eq!(quiet.p95_latency_s, od.p95_latency_s);
    assert_eq!(quiet.succeeded, od.succeeded);
    assert!((quiet.cost_usd - 0.4 * od.cost_usd).abs() < 1e-9);
}
