//! Speed of the live path: how many requests a second the replay can push
//! through the request path (against the in-process echo server, 32 in
//! flight), and what decoding a MobileNet-sized input costs the server in
//! each wire form.
//!
//! Run: `cargo bench --bench replay`.

use advisor::live::payload::Payload;
use advisor::live::replay::{replay, ReplayOptions};
use advisor::live::serve::{start, Engine, ServeOptions};
use advisor::live::signature::{DimSpec, InputSpec, Signature};
use advisor::live::tensor::{ElemType, PredictRequest, TensorData};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::io::Write;
use std::time::Duration;

const BURST: u64 = 2000;

fn replay_throughput(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut so = ServeOptions::new(Engine::Echo);
    so.addr = "127.0.0.1:0".parse().unwrap();
    let server = rt.block_on(start(so)).unwrap();
    let mut trace = tempfile::NamedTempFile::new().unwrap();
    writeln!(trace, "t_s").unwrap();
    for _ in 0..BURST {
        writeln!(trace, "0").unwrap();
    }
    trace.flush().unwrap();
    let mut opts = ReplayOptions::new(trace.path(), format!("http://{}/predict", server.addr));
    opts.concurrency_limit = Some(32);
    opts.timeout = Duration::from_secs(10);

    let mut g = c.benchmark_group("replay");
    g.throughput(Throughput::Elements(BURST));
    g.sample_size(10);
    g.bench_function("2000_requests_32_in_flight_echo", |b| {
        b.iter(|| {
            let r = rt.block_on(replay(opts.clone(), None)).unwrap();
            assert_eq!(r.outcome.succeeded, BURST);
        })
    });
    g.finish();
    rt.block_on(server.shutdown()).unwrap();
}

fn image_signature() -> Signature {
    Signature {
        inputs: vec![InputSpec {
            name: "input".into(),
            elem: ElemType::F32,
            dims: vec![
                DimSpec::Free(Some("batch".into())),
                DimSpec::Fixed(3),
                DimSpec::Fixed(224),
                DimSpec::Fixed(224),
            ],
        }],
    }
}

fn decode(c: &mut Criterion) {
    let sig = image_signature();
    let json = Payload::synthetic(&sig).body;
    let raw = TensorData::F32(vec![0.5; 3 * 224 * 224]).to_le_bytes();
    let mut g = c.benchmark_group("serve_decode_1x3x224x224");
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("json", |b| {
        b.iter(|| {
            let req: PredictRequest = serde_json::from_slice(&json).unwrap();
            sig.from_json(req).unwrap()
        })
    });
    g.throughput(Throughput::Bytes(raw.len() as u64));
    g.bench_function("raw", |b| {
        b.iter(|| {
            sig.from_raw(None, Some("float32"), Some("1,3,224,224"), &raw)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, replay_throughput, decode);
criterion_main!(benches);
