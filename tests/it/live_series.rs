//! `advisor replay --series` and the time to first byte: one entry per
//! second of the trace whose counts add up, first bytes never after the
//! answers' ends; and the schedule itself: open loop, never early, at sparse
//! and dense rates alike.

use crate::live_support::{even, trace};

use advisor::live::replay::{replay, ReplayOptions, ReplayReport};
use advisor::live::serve::{start, Engine, ServeOptions};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::watch;

async fn echo() -> advisor::live::serve::ServerHandle {
    let mut o = ServeOptions::new(Engine::Echo);
    o.addr = "127.0.0.1:0".parse().unwrap();
    start(o).await.unwrap()
}

/// Every summary percentile of the first byte is at most the latency's.
fn first_bytes_come_first(r: &ReplayReport) {
    let o = &r.outcome;
    for (ttfb, from_send, from_scheduled) in [
        (r.ttfb_p50_ms, r.latency_from_send_p50_ms, o.p50_latency_s),
        (r.ttfb_p95_ms, r.latency_from_send_p95_ms, o.p95_latency_s),
        (r.ttfb_p99_ms, r.latency_from_send_p99_ms, o.p99_latency_s),
    ] {
        assert!(ttfb > 0.0, "{r:?}");
        assert!(
            ttfb <= from_send,
            "ttfb {ttfb} ms > latency from send {from_send} ms"
        );
        assert!(
            ttfb <= from_scheduled * 1e3,
            "ttfb {ttfb} ms > latency {from_scheduled} s"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_series_has_one_entry_per_second_adding_up_to_the_requests() {
    let server = echo().await;
    // 250 requests at 100/s: seconds 0 and 1 hold 100 each, second 2 the last 50.
    let t = even(250, 100.0);
    let mut o = ReplayOptions::new(t.path(), format!("http://{}/predict", server.addr));
    o.per_second = true;
    let r = replay(o.clone(), None).await.unwrap();
    assert_eq!(r.outcome.succeeded, 250, "{:?}", r.outcome.failures);
    let s = r.per_second.as_ref().expect("asked for the series");
    assert_eq!(s.iter().map(|x| x.t_s).collect::<Vec<_>>(), [0.0, 1.0, 2.0]);
    assert_eq!(
        s.iter().map(|x| x.requests).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    assert_eq!(s.iter().map(|x| x.succeeded).sum::<u64>(), 250);
    assert!(s.iter().all(|x| x.failed == 0));
    for x in s {
        assert!(
            x.p50_ms > 0.0 && x.p50_ms <= x.p95_ms && x.p95_ms <= x.p99_ms,
            "{x:?}"
        );
        assert!(x.ttfb_p50_ms <= x.p50_ms, "{x:?}");
        assert!(x.ttfb_p95_ms <= x.p95_ms, "{x:?}");
        assert!(x.ttfb_p99_ms <= x.p99_ms, "{x:?}");
    }
    first_bytes_come_first(&r);
    // The series is only there when asked for, in the JSON too.
    o.per_second = false;
    let r = replay(o, None).await.unwrap();
    assert!(r.per_second.is_none());
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("per_second").is_none());
    assert!(json["ttfb_p99_ms"].as_f64().unwrap() > 0.0);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_requests_count_in_their_second() {
    let addr = crate::live_support::status_server(500).await;
    let t = trace([0.0, 0.5, 1.2]);
    let mut o = ReplayOptions::new(t.path(), format!("http://{addr}/predict"));
    o.per_second = true;
    let r = replay(o, None).await.unwrap();
    let s = r.per_second.unwrap();
    assert_eq!(s.iter().map(|x| x.failed).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(s.iter().map(|x| x.succeeded).sum::<u64>(), 0);
    assert_eq!(s[0].p99_ms, 0.0);
}

/// A server that answers nothing until `n` requests have come (on any
/// connections), then answers them all; it notes when each came.
async fn gathering_server(n: usize) -> (SocketAddr, Arc<Mutex<Vec<Instant>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let came = Arc::new(Mutex::new(Vec::new()));
    let (all_in, gate) = watch::channel(false);
    let all_in = Arc::new(all_in);
    let seen = Arc::clone(&came);
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let (came, all_in, mut gate) = (Arc::clone(&seen), Arc::clone(&all_in), gate.clone());
            tokio::spawn(async move {
                let (rd, mut wr) = sock.into_split();
                let mut rd = BufReader::new(rd);
                loop {
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    rd.read_exact(&mut body).await.unwrap();
                    {
                        let mut c = came.lock().unwrap();
                        c.push(Instant::now());
                        if c.len() == n {
                            all_in.send_replace(true);
                        }
                    }
                    gate.wait_for(|open| *open).await.unwrap();
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if wr.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, came)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_leave_on_schedule_without_waiting_for_answers() {
    // Sparse requests (5 ms apart, which the scheduler spins for), then
    // dense ones (50 us apart, which it sleeps to and sends together).
    let sparse = (0..20).map(|i| i as f64 * 0.005);
    let dense = (0..40).map(|i| 0.2 + i as f64 * 0.000_05);
    let times: Vec<f64> = sparse.chain(dense).collect();
    let n = times.len();
    let (addr, came) = gathering_server(n).await;
    let t = trace(times.iter().copied());
    let mut o = ReplayOptions::new(t.path(), format!("http://{addr}/predict"));
    o.timeout = Duration::from_secs(30);
    let called = Instant::now();
    let r = replay(o, None).await.unwrap();
    // Open loop: no answer came before the last request was sent, so a
    // replay that waited for one would have timed out.
    assert_eq!(r.outcome.succeeded, n as u64, "{:?}", r.outcome.failures);
    // Never early: the k-th request to reach the server came no sooner
    // than the k-th trace time after the replay was called.
    let mut came = came.lock().unwrap().clone();
    came.sort();
    for (k, (at, t_s)) in came.iter().zip(&times).enumerate() {
        let after = at.duration_since(called).as_secs_f64();
        assert!(
            after >= *t_s,
            "request {k} came {after} s after the call, due at {t_s} s"
        );
    }
    assert!(r.send_lag_p50_ms >= 0.0 && r.send_lag_p50_ms <= r.send_lag_max_ms);
}
