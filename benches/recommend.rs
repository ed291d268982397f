//! `advisor recommend` end to end in the library: MobileNetV2 on
//! workload-120 over every offer of the `current` snapshot and every variant
//! (memory sizes, sized servers, batching sweeps, provisioned concurrency,
//! sensitivity, break-even runs). Goal: under 2 s on two cores.

use advisor::advise::{advise, Constraints, Request};
use advisor::pricing::snapshot;
use advisor::workload::generate::Preset;
use advisor::workload::Trace;
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::Arc;

fn recommend(c: &mut Criterion) {
    let snap = snapshot::builtin("current").expect("built-in snapshot");
    let req = Request {
        profile: Arc::new(advisor::profile::bundled::get("mobilenetv2").unwrap()),
        trace: Trace::from_times(Preset::Workload120.generate(1)),
        trace_name: "workload-120".into(),
        snapshot: snap.name.clone(),
        offers: snap.offers,
        constraints: Constraints::default(),
        seed: 1,
        free_tier: false,
    };
    let mut g = c.benchmark_group("recommend");
    g.sample_size(10);
    g.bench_function("mobilenetv2_workload120_all_offers", |b| {
        b.iter(|| advise(&req).unwrap())
    });
    g.finish();
}

criterion_group!(benches, recommend);
criterion_main!(benches);
