//! Simulator throughput: requests simulated per second, engine alone (the
//! trace in memory) against a serverless and a server offer.

use advisor::sim::fixtures::{constant_profile, ideal_function, ideal_server, poisson_times};
use advisor::sim::sampler::Dist;
use advisor::sim::{simulate_times, Scenario};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::sync::Arc;

fn engine(c: &mut Criterion) {
    let n = 1_000_000;
    let times = poisson_times(2000.0, n, 1);
    let profile = Arc::new(constant_profile(10.0));
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);

    let mut serverless = Scenario::new(ideal_function(300.0), profile.clone());
    serverless.warm = Some(Dist::Lognormal {
        mean_s: 0.010,
        p95_s: 0.013,
    });
    g.bench_function("serverless_1M", |b| {
        b.iter(|| simulate_times(&serverless, &times).unwrap())
    });

    let mut server = Scenario::new(ideal_server(32), profile);
    server.warm = Some(Dist::Lognormal {
        mean_s: 0.010,
        p95_s: 0.013,
    });
    g.bench_function("server_1M", |b| {
        b.iter(|| simulate_times(&server, &times).unwrap())
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
