//! Idealised offers and a synthetic profile, for validating the simulator
//! against queueing theory and for what-if runs that need no price file.
//!
//! Everything here is free (zero prices), has no network round trip and no
//! cold-start phases unless asked; its figures are assumptions by design.

use crate::pricing::{
    Arch, Behaviour, Billing, Cloud, ColdStartModel, Kind, Offer, Queue, QueuePolicy, RuntimeModel,
    Spec,
};
use crate::profile::{ColdStart, LatencyPoint, Machine, ModelSummary, Profile, RuntimeInfo};
use std::collections::BTreeMap;

fn base(id: &str, kind: Kind, behaviour: Behaviour, billing: Billing) -> Offer {
    Offer {
        id: id.to_string(),
        snapshot: "fixture".to_string(),
        cloud: Cloud::Aws,
        kind,
        name: id.to_string(),
        region: "nowhere".to_string(),
        spec: Spec {
            vcpu: 1.0,
            memory_mb: 1024.0,
            arch: Arch::X86_64,
            cpu_speed: 1.0,
            cpu_family: crate::platform::cpu::AS_PROFILED.to_string(),
            mb_per_vcpu: None,
            memory_range: None,
            gpu: None,
            needs_compilation: false,
        },
        billing,
        behaviour,
        runtime: RuntimeModel {
            name: "as profiled".to_string(),
            package_mb: 0.0,
            import_s: 0.0,
            inference_factor: 1.0,
            load_factor: 1.0,
            import_from_profile: false,
            package_limit_mb: None,
        },
        access: Default::default(),
        sources: BTreeMap::new(),
        purchase: Vec::new(),
        bought: None,
    }
}

fn no_cold_start() -> ColdStartModel {
    ColdStartModel {
        platform_init_s: 0.0,
        init_s_per_package_mb: 0.0,
        download_mb_per_s: 0.0,
        snapstart_restore_s: None,
    }
}

/// One server with `workers` workers, an unbounded FIFO queue and no timeout:
/// an M/G/c queue when fed Poisson arrivals.
pub fn ideal_server(workers: u32) -> Offer {
    base(
        &format!("ideal-server-{workers}"),
        Kind::Server,
        Behaviour {
            network_rtt_s: 0.0,
            timeout_s: f64::INFINITY,
            concurrency_per_instance: workers,
            threads_per_request: Some(1),
            cold_start: no_cold_start(),
            keep_alive_s: None,
            scaling: None,
            autoscaling: None,
            instances: 1,
            queue: Queue {
                capacity_per_instance: 0,
                policy: QueuePolicy::Wait,
            },
        },
        Billing::Hourly {
            per_hour_usd: 0.0,
            granularity_s: 1.0,
            minimum_s: 0.0,
        },
    )
}

/// A function with no limits and instances that expire after `keep_alive_s`:
/// an M/G/inf system when fed Poisson arrivals and given no cold start.
pub fn ideal_function(keep_alive_s: f64) -> Offer {
    base(
        "ideal-function",
        Kind::Serverless,
        Behaviour {
            network_rtt_s: 0.0,
            timeout_s: f64::INFINITY,
            concurrency_per_instance: 1,
            threads_per_request: Some(1),
            cold_start: no_cold_start(),
            keep_alive_s: Some(keep_alive_s),
            scaling: None,
            autoscaling: None,
            instances: 0,
            queue: Queue {
                capacity_per_instance: 0,
                policy: QueuePolicy::Drop,
            },
        },
        Billing::Invocation {
            per_request_usd: 0.0,
            per_gb_s_usd: 0.0,
            per_ghz_s_usd: 0.0,
            cpu_ghz: 0.0,
            granularity_s: 0.001,
            init_billed: false,
            provisioned: None,
            snapstart: None,
        },
    )
}

/// A profile whose every point takes `ms` per item on one thread.
pub fn constant_profile(ms: f64) -> Profile {
    Profile {
        name: "synthetic".to_string(),
        source: "synthetic: constant service time, nothing measured".to_string(),
        measured_at: "1970-01-01T00:00:00Z".to_string(),
        model: ModelSummary {
            file: "synthetic.onnx".to_string(),
            size_bytes: 0,
            params: 0,
            opset: 0,
            flops_per_item: None,
            conv_flops_share: None,
            ops: BTreeMap::new(),
            inputs: vec![],
        },
        machine: Machine {
            cpu_model: "synthetic".to_string(),
            cores: 1,
            gpu: None,
        },
        runtime: RuntimeInfo {
            ort_version: "none".to_string(),
            providers: vec![],
            library_mb: 0.0,
        },
        cold_start: ColdStart {
            trials: 0,
            model_read_ms: 0.0,
            runtime_load_ms: 0.0,
            session_create_ms: 0.0,
            first_inference_ms: ms,
            spread_ms: BTreeMap::new(),
            threads: 1,
            batch: 1,
            process_rss_mb: 0.0,
            import: None,
        },
        latency: vec![LatencyPoint {
            device: "cpu".to_string(),
            threads: 1,
            batch: 1,
            mean_ms: ms,
            p50_ms: ms,
            p95_ms: ms,
            p99_ms: ms,
            samples: 0,
            items_per_s: 1e3 / ms,
        }],
        optimization: None,
        peak_rss_mb: 0.0,
        notes: vec![],
        warnings: vec![],
        probe: None,
    }
}

/// Poisson arrivals at `rate` per second for `n` requests, seeded.
pub fn poisson_times(rate: f64, n: usize, seed: u64) -> Vec<f64> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp};
    let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
    let exp = Exp::new(rate).expect("positive rate");
    let mut t = 0.0;
    (0..n)
        .map(|_| {
            t += exp.sample(&mut rng);
            t
        })
        .collect()
}
