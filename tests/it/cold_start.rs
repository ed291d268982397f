//! Cold starts on today's offers: the CPU-bound phases follow the
//! instance's CPU share, and the memory sweep's options pay for it.

use advisor::platform::cold_start::ColdStartPhases;
use advisor::pricing::{builtin, Offer};
use advisor::profile::import::RuntimeImport;
use advisor::profile::{bundled, Profile};
use advisor::sim::simulate_times;
use std::sync::Arc;

/// The x86 Lambda offer of the bundled `current` prices.
pub fn lambda() -> Offer {
    builtin("current")
        .unwrap()
        .offer("aws-lambda-x86")
        .unwrap()
        .clone()
}

/// The bundled MobileNetV2 profile with the import a function pays.
pub fn profile() -> Arc<Profile> {
    let mut p = bundled::get("mobilenetv2").unwrap();
    p.cold_start.import = Some(RuntimeImport {
        what: "python3 import onnxruntime 1.31.1, numpy 2.4.6".into(),
        import_ms: 200.0,
        spread_ms: [180.0, 240.0],
        trials: 5,
        runtime_mb: 68.0,
        numpy_mb: 73.0,
        model_mb: 14.0,
    });
    Arc::new(p)
}

/// A sparse trace (gaps twice the keep-alive) makes every request cold: the
/// memory sweep's 256 MB option must be slower than its 2048 MB one by what
/// the CPU share (256 / 1769 of a vCPU against a full one) implies.
#[test]
fn every_cold_request_at_256_mb_pays_the_cpu_share() {
    let (p, offer) = (profile(), lambda());
    let gap = offer.behaviour.keep_alive_s.unwrap() * 2.0;
    let times: Vec<f64> = (0..40).map(|i| i as f64 * gap).collect();
    let run = |mb: f64| {
        let sc = advisor::advise::memory::candidate(&offer, mb).scenario(&p, 7, 1.0);
        simulate_times(&sc, &times).unwrap()
    };
    let (small, big) = (run(256.0), run(2048.0));
    assert_eq!((small.cold_starts, big.cold_starts), (40, 40));

    let phases = |mb: f64| ColdStartPhases::new(&p, &offer, mb / 1769.0);
    let (s, b) = (phases(256.0), phases(2048.0));
    let cpu_bound = |c: &ColdStartPhases| c.import_s + c.model_load_s + c.first_inference_s;
    let ratio = cpu_bound(&s) / cpu_bound(&b);
    assert!((ratio - 1769.0 / 256.0).abs() < 1e-9, "{ratio}");

    let expected = s.total_s() - b.total_s();
    let got = small.avg_latency_s - big.avg_latency_s;
    assert!(expected > 1.0, "{expected}");
    assert!(
        (got - expected).abs() < 0.15 * expected,
        "256 MB is {got:.3} s slower per cold request; the CPU share implies {expected:.3} s"
    );
}
