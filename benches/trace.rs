//! Trace throughput: reading (the simulator's input path) and generating, in rows per second.
//!
//! `cargo bench --bench trace`. The traces hold 10 million requests (Poisson,
//! 20 000 req/s for 500 s, about 150 MB of CSV) in a temporary folder.

use advisor::workload::generate::Poisson;
use advisor::workload::{open_sorted, stats_file, ArrivalReader, TraceWriter};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;

const RATE_RPS: f64 = 20_000.0;
const DURATION_S: f64 = 500.0;

fn write_trace(path: &Path) -> u64 {
    let mut w = TraceWriter::create(path, false).unwrap();
    for t in Poisson::new(RATE_RPS, DURATION_S, 1) {
        w.push(t, None).unwrap();
    }
    w.finish().unwrap()
}

fn reading(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.csv");
    let rows = write_trace(&path);
    let mut g = c.benchmark_group("read_10m");
    g.sample_size(10).throughput(Throughput::Elements(rows));
    g.bench_function("arrival_reader", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for t in ArrivalReader::open(&path).unwrap() {
                sum += t.unwrap();
            }
            black_box(sum)
        })
    });
    g.bench_function("sorted_arrivals_scan_then_stream", |b| {
        b.iter(|| {
            let s = open_sorted(&path).unwrap();
            let mut sum = 0.0;
            for t in s.arrivals {
                sum += t.unwrap();
            }
            black_box(sum)
        })
    });
    g.bench_function("stats_file", |b| {
        b.iter(|| black_box(stats_file(&path, 10.0).unwrap()))
    });
    g.finish();
}

fn generating(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.csv");
    let expected = (RATE_RPS * DURATION_S) as u64;
    let mut g = c.benchmark_group("gen_10m");
    g.sample_size(10).throughput(Throughput::Elements(expected));
    g.bench_function("poisson_draw_only", |b| {
        b.iter(|| black_box(Poisson::new(RATE_RPS, DURATION_S, 1).count()))
    });
    g.bench_function("poisson_to_csv", |b| {
        b.iter(|| black_box(write_trace(&path)))
    });
    g.finish();
}

criterion_group!(benches, reading, generating);
criterion_main!(benches);
