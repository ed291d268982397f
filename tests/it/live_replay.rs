//! `advisor replay` on loopback: answered, refused, failing, hanging and
//! cut-off endpoints each end in the right counts, never a crash or a hang.

use crate::live_support;

use advisor::live::progress;
use advisor::live::replay::{replay, ReplayOptions, ReplayReport};
use advisor::live::serve::{start, Engine, ServeOptions};
use advisor::outcome::{Failures, Provenance};
use live_support::*;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

fn options(trace: &tempfile::NamedTempFile, url: String) -> ReplayOptions {
    let mut o = ReplayOptions::new(trace.path(), url);
    o.timeout = Duration::from_millis(500);
    o
}

async fn run(trace: &tempfile::NamedTempFile, url: String) -> ReplayReport {
    replay(options(trace, url), None).await.unwrap()
}

fn serve_opts(engine: Engine) -> ServeOptions {
    let mut o = ServeOptions::new(engine);
    o.addr = "127.0.0.1:0".parse().unwrap();
    o
}

/// Checks that every request failed for `reason` and the rest adds up.
fn all_failed(r: &ReplayReport, n: u64, expected: Failures) {
    let o = &r.outcome;
    assert_eq!(o.requests, n, "{o:?}");
    assert_eq!(r.sent, n);
    assert_eq!(o.succeeded, 0);
    assert_eq!(o.success_ratio, 0.0);
    assert_eq!(o.failures, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_to_the_tiny_cnn_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let Some(model) = tiny_cnn(dir.path()) else {
        return;
    };
    let mut o = serve_opts(Engine::Onnx {
        model,
        threads: 1,
        device: advisor::runtime::Device::Cpu,
        ort_lib: None,
    });
    o.workers = 2;
    let server = start(o).await.unwrap();
    let t = even(200, 100.0);
    let mut opts = options(&t, format!("http://{}/predict", server.addr));
    opts.timeout = Duration::from_secs(10);
    let r = replay(opts, None).await.unwrap();
    let o = &r.outcome;
    assert_eq!(o.requests, 200);
    assert_eq!(o.succeeded, 200, "{:?}", o.failures);
    assert_eq!(o.success_ratio, 1.0);
    assert_eq!(o.provenance, Provenance::Measured);
    assert_eq!(o.kind, "live");
    assert_eq!(o.offer, format!("http://{}/predict", server.addr));
    assert!(o.p50_latency_s > 0.0 && o.p50_latency_s <= o.p99_latency_s);
    assert!(o.p99_latency_s <= o.max_latency_s + 1e-3);
    assert!(r.latency_from_send_p50_ms > 0.0);
    assert!(r.send_lag_p50_ms <= r.send_lag_p99_ms && r.send_lag_p99_ms <= r.send_lag_max_ms);
    // 200 arrivals 10 ms apart: the trace spans 1.99 s.
    assert!(
        (r.offered_rps - 200.0 / 1.99).abs() < 1e-6,
        "{}",
        r.offered_rps
    );
    let arrivals: u64 = o.series.buckets.iter().map(|b| b.arrivals).sum();
    assert_eq!(arrivals, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_counts_connect_failures() {
    let addr = refusing_addr().await;
    let t = even(20, 200.0);
    let r = run(&t, format!("http://{addr}/predict")).await;
    all_failed(
        &r,
        20,
        Failures {
            connect: 20,
            ..Default::default()
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_statuses_are_counted_by_kind() {
    for (status, expected) in [
        (
            500,
            Failures {
                http_status: 10,
                ..Default::default()
            },
        ),
        (
            404,
            Failures {
                http_status: 10,
                ..Default::default()
            },
        ),
        (
            503,
            Failures {
                queue_full: 10,
                ..Default::default()
            },
        ),
        (
            429,
            Failures {
                throttled: 10,
                ..Default::default()
            },
        ),
    ] {
        let addr = status_server(status).await;
        let t = even(10, 200.0);
        let r = run(&t, format!("http://{addr}/predict")).await;
        all_failed(&r, 10, expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out() {
    let addr = misbehaving_server(Misbehaviour::Hang).await;
    let t = even(10, 100.0);
    let r = run(&t, format!("http://{addr}/predict")).await;
    all_failed(
        &r,
        10,
        Failures {
            timeout: 10,
            ..Default::default()
        },
    );
    assert_eq!(r.timeout_s, 0.5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_closed_before_or_during_the_answer_are_dropped() {
    for how in [Misbehaviour::CloseBeforeAnswer, Misbehaviour::CloseMidBody] {
        let addr = misbehaving_server(how).await;
        let t = even(10, 100.0);
        let r = run(&t, format!("http://{addr}/predict")).await;
        all_failed(
            &r,
            10,
            Failures {
                dropped: 10,
                ..Default::default()
            },
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_load_than_the_server_queues_is_counted_as_queue_full() {
    let (factory, _started, go) = GatedFactory::new();
    let mut o = serve_opts(Engine::Custom(factory));
    o.workers = 1;
    o.queue = 1;
    let server = start(o).await.unwrap();
    // Ten requests at once: one runs, at most one waits, the rest are refused.
    let t = trace(std::iter::repeat_n(0.0, 10));
    let mut opts = options(&t, format!("http://{}/predict", server.addr));
    opts.timeout = Duration::from_secs(30);
    let (tx, mut rx) = progress::channel();
    let running = tokio::spawn(replay(opts, Some(tx)));
    // Open the gate only once the eight refusals are in, so none of them
    // could have found a free place.
    loop {
        rx.changed().await.unwrap();
        if rx.borrow().failed >= 8 {
            break;
        }
    }
    go.send(()).unwrap();
    go.send(()).unwrap();
    let r = running.await.unwrap().unwrap();
    // The second may also be refused when it arrives before the worker has
    // taken the first off the queue.
    let ok = r.outcome.succeeded;
    assert!(ok == 1 || ok == 2, "{:?}", r.outcome);
    assert_eq!(
        r.outcome.failures,
        Failures {
            queue_full: 10 - ok,
            ..Default::default()
        }
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_ends_with_a_finished_snapshot() {
    let server = start(serve_opts(Engine::Echo)).await.unwrap();
    let t = even(50, 500.0);
    let (tx, rx) = progress::channel();
    let r = replay(options(&t, format!("http://{}/", server.addr)), Some(tx))
        .await
        .unwrap();
    let last = *rx.borrow();
    assert!(last.finished);
    assert_eq!((last.total, last.sent, last.done), (50, 50, 50));
    assert_eq!(last.succeeded, r.outcome.succeeded);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_request_ends_the_replay_early() {
    let server = start(serve_opts(Engine::Echo)).await.unwrap();
    // One request now, the next an hour later: stopping must not wait for it.
    let t = trace([0.0, 3600.0]);
    let opts = options(&t, format!("http://{}/predict", server.addr));
    let stop = Arc::clone(&opts.stop);
    let (tx, mut rx) = progress::channel();
    let running = tokio::spawn(replay(opts, Some(tx)));
    loop {
        rx.changed().await.unwrap();
        if rx.borrow().done >= 1 {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let r = running.await.unwrap().unwrap();
    assert!(r.interrupted);
    assert_eq!((r.sent, r.trace_requests), (1, 2));
    assert_eq!(r.outcome.requests, 1);
    assert!(r.outcome.notes.iter().any(|n| n.contains("stopped early")));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrency_limit_holds_requests_back_without_losing_them() {
    let (factory, started, go) = GatedFactory::new();
    let mut o = serve_opts(Engine::Custom(factory));
    o.workers = 4;
    let server = start(o).await.unwrap();
    let t = trace(std::iter::repeat_n(0.0, 6));
    let mut opts = options(&t, format!("http://{}/predict", server.addr));
    opts.timeout = Duration::from_secs(30);
    opts.concurrency_limit = Some(2);
    let running = tokio::spawn(replay(opts, None));
    // With four workers free, only the limit keeps more than two from running.
    tokio::task::spawn_blocking(move || {
        started.recv().unwrap();
        started.recv().unwrap();
        assert!(
            started.recv_timeout(Duration::from_millis(300)).is_err(),
            "a third request ran past the limit of two"
        );
        // Each one let go makes room for the next.
        for _ in 0..4 {
            go.send(()).unwrap();
            started.recv().unwrap();
        }
        go.send(()).unwrap();
        go.send(()).unwrap();
    })
    .await
    .unwrap();
    let r = running.await.unwrap().unwrap();
    assert_eq!(r.outcome.succeeded, 6);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_options_and_traces_are_bad_input() {
    let t = even(3, 10.0);
    let mut o = options(&t, "not a url".into());
    let e = replay(o.clone(), None).await.unwrap_err();
    assert_eq!(advisor::error::exit_code(&e), 2);
    o.url = "http://127.0.0.1:1/".into();
    o.trace = "no/such/trace.csv".into();
    let e = replay(o, None).await.unwrap_err();
    assert_eq!(advisor::error::exit_code(&e), 2);
    assert!(e.to_string().contains("no/such/trace.csv"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_payload_with_headers_is_answered() {
    use advisor::live::payload::Payload;
    use advisor::live::replay::parse_header;
    use advisor::live::tensor::TensorData;
    let server = start(serve_opts(Engine::Custom(Arc::new(DoublerFactory(
        fake_signature(),
    )))))
    .await
    .unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        TensorData::F32(vec![1.0, 2.0, 3.0, 4.0]).to_le_bytes(),
    )
    .unwrap();
    let t = even(5, 100.0);
    let mut opts = options(&t, format!("http://{}/predict", server.addr));
    opts.payload = Payload::from_file(file.path()).unwrap();
    assert_eq!(opts.payload.content_type, "application/octet-stream");
    for h in ["X-Dtype: float32", "X-Shape: 2,2"] {
        let (n, v) = parse_header(h).unwrap();
        opts.headers.append(n, v);
    }
    let r = replay(opts.clone(), None).await.unwrap();
    assert_eq!(r.outcome.succeeded, 5, "{:?}", r.outcome.failures);
    // Without the headers the server cannot read the bytes: 400s.
    opts.headers.clear();
    let r = replay(opts, None).await.unwrap();
    assert_eq!(r.outcome.failures.http_status, 5);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_slot_counts_against_the_timeout() {
    let addr = misbehaving_server(Misbehaviour::Hang).await;
    let t = trace(std::iter::repeat_n(0.0, 5));
    let mut opts = options(&t, format!("http://{addr}/predict"));
    opts.concurrency_limit = Some(1);
    let r = replay(opts, None).await.unwrap();
    // One request holds the only slot until the deadline; the other four
    // never leave, and fail at the same deadline rather than 0.5 s apiece.
    all_failed(
        &r,
        5,
        Failures {
            timeout: 5,
            ..Default::default()
        },
    );
    // Those four were never sent: their send lag is the whole timeout.
    assert!(r.send_lag_max_ms >= 500.0, "{}", r.send_lag_max_ms);
}
