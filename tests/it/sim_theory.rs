//! The simulator against queueing theory and a published reference run.

use advisor::sim::fixtures::{constant_profile, ideal_function, ideal_server, poisson_times};
use advisor::sim::sampler::Dist;
use advisor::sim::{simulate_times, Scenario};
use std::sync::Arc;

/// Erlang C: probability that an arrival waits in an M/M/c queue with offered load `a = lambda/mu`.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^k / k!
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / c as f64; // a^c / c!
    let rho = a / c as f64;
    let top = last / (1.0 - rho);
    top / (sum + top)
}

#[test]
fn erlang_c_reference_values() {
    // Known value: c = 2, a = 1 (rho 0.5) -> C = 1/3.
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    // c = 1 reduces to rho.
    assert!((erlang_c(1, 0.9) - 0.9).abs() < 1e-12);
}

#[test]
fn mmc_mean_wait_matches_erlang_c() {
    let mean_s = 1.0;
    for &c in &[1u32, 2, 8] {
        for &rho in &[0.5, 0.9] {
            let lambda = rho * c as f64 / mean_s;
            // Heavier load needs longer runs for the same precision.
            let n = if rho > 0.8 { 2_000_000 } else { 600_000 };
            let times = poisson_times(lambda, n, 42 + c as u64);
            let mut sc = Scenario::new(ideal_server(c), Arc::new(constant_profile(1.0)));
            sc.warm = Some(Dist::Exponential { mean_s });
            sc.seed = 7;
            let o = simulate_times(&sc, &times).unwrap();
            let a = lambda * mean_s;
            let wq = erlang_c(c, a) / (c as f64 / mean_s - lambda);
            let err = (o.avg_wait_s - wq).abs() / wq;
            assert!(
                err < 0.03,
                "c={c} rho={rho}: simulated wait {:.4} s, Erlang C {:.4} s ({:.1}% off)",
                o.avg_wait_s,
                wq,
                err * 100.0
            );
            assert_eq!(o.success_ratio, 1.0);
        }
    }
}

#[test]
fn serverless_without_cold_start_is_m_m_inf() {
    let lambda = 20.0;
    let mean_s = 0.5;
    let times = poisson_times(lambda, 400_000, 3);
    // With a zero keep-alive, an instance lives exactly as long as it is busy,
    // so the mean instance count is the mean number of requests in service.
    let mut sc = Scenario::new(ideal_function(0.0), Arc::new(constant_profile(1.0)));
    sc.warm = Some(Dist::Exponential { mean_s });
    let o = simulate_times(&sc, &times).unwrap();
    let expect = lambda * mean_s;
    let err = (o.avg_instances - expect).abs() / expect;
    assert!(
        err < 0.03,
        "mean busy instances {:.3}, expected {expect}",
        o.avg_instances
    );
    assert_eq!(o.success_ratio, 1.0);
    assert_eq!(o.avg_wait_s, 0.0);
}

#[test]
fn simfaas_reference_run() {
    // The SimFaaS simulator's published example: Poisson arrivals at 0.9/s,
    // warm service exponential with mean 1.991 s, cold service exponential
    // with mean 2.244 s, instances expire after 600 s idle. Its reported
    // results: cold-start probability 0.0014, mean instance count 7.66.
    let times = poisson_times(0.9, 1_000_000, 11);
    let mut sc = Scenario::new(ideal_function(600.0), Arc::new(constant_profile(1.0)));
    sc.warm = Some(Dist::Exponential { mean_s: 1.991 });
    sc.cold = Some(Dist::Exponential { mean_s: 2.244 });
    let o = simulate_times(&sc, &times).unwrap();
    let p_cold = o.cold_starts as f64 / o.requests as f64;
    eprintln!(
        "SimFaaS reference: p_cold {p_cold:.5}, mean instances {:.2}",
        o.avg_instances
    );
    assert!(
        (p_cold - 0.0014).abs() / 0.0014 < 0.15,
        "cold-start probability {p_cold:.5}, SimFaaS 0.0014"
    );
    assert!(
        (o.avg_instances - 7.66).abs() / 7.66 < 0.03,
        "mean instances {:.2}, SimFaaS 7.66",
        o.avg_instances
    );
}

#[test]
fn same_seed_same_outcome() {
    let times = poisson_times(50.0, 20_000, 5);
    let mut sc = Scenario::new(ideal_server(2), Arc::new(constant_profile(30.0)));
    sc.warm = Some(Dist::Lognormal {
        mean_s: 0.03,
        p95_s: 0.06,
    });
    let a = simulate_times(&sc, &times).unwrap();
    let b = simulate_times(&sc, &times).unwrap();
    assert_eq!(a, b);
    sc.seed = 2;
    let c = simulate_times(&sc, &times).unwrap();
    assert_ne!(a.avg_latency_s, c.avg_latency_s);
}
