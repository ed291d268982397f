//! `advisor replay`: open-loop replay of a trace against an HTTP endpoint.
//!
//! Open loop means every request leaves at its scheduled time whether or not
//! earlier ones have come back, as independent users' requests do. A
//! closed-loop tester waits for an answer before the next request and so
//! sends less exactly when the endpoint is slow, hiding the slowness it
//! should measure ("coordinated omission"). Latency here is counted from the
//! *scheduled* time, so a request that left late because the load generator
//! fell behind still counts its full wait; the lateness itself (send lag) is
//! reported apart, and latency from the actual send too.
//!
//! One scheduler thread reads the trace as a stream, sleeps until each
//! request is due and hands every request then due, in one batch, to one of
//! a few driver tasks on the tokio runtime ([`super::dispatch`]), which
//! sends them on a shared keep-alive connection pool. The thread sleeps with
//! the OS timer (its slack cut to 1 us) and, when requests are sparse, spins
//! for the last [`SPIN`]: tokio's timer wheel ticks in whole milliseconds,
//! too coarse for sub-millisecond gaps. When they are dense it wakes at most
//! every [`BATCH_EVERY`], so that a wake-up carries several requests. The
//! drivers record finished requests into histograms behind one lock, a batch
//! at a time, so memory stays flat however long the trace is.

use super::dispatch::{self, Due};
use super::http1::{Failure, Http1, ServerSaid};
use super::payload::Payload;
use super::progress::{RateMeter, ReplayProgress};
use crate::error::bad_input;
use crate::outcome::{
    Facts, FailureReason, Outcome, PerSecondRecorder, Provenance, Recorder, SecondStats,
};
use crate::workload::{open_sorted, Arrivals};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch, Semaphore};

/// How long before each due time the scheduler stops sleeping and spins,
/// when the request follows the previous one by at least [`SPIN_GAP`].
///
/// With the scheduler thread's timer slack at 1 us (see [`precise_sleeps`]),
/// a 100 us sleep overshot by 31 us at the median, 42 us at p90 and 73 us
/// at p99 on a loaded 2-core machine (against 80 us at the median with
/// Linux's default 50 us slack). Spinning the last 50 us puts nine sends in
/// ten on time and the rest a few tens of microseconds late, far inside the
/// millisecond that matters, while spinning less: at thousands of requests
/// a second every microsecond spun per request is CPU the sends need.
pub const SPIN: Duration = Duration::from_micros(50);

/// Requests closer than this to the previous one are not spun for: the
/// scheduler sleeps to their due time and sends every request then due.
///
/// Above 20000 req/s every gap is shorter than [`SPIN`], so spinning would
/// hold a whole core busy, a core the sends and the endpoint need (on a
/// 2-core machine, half of it). A sleep overshoots by tens of microseconds
/// (see [`SPIN`]); at such rates that lateness is still far under the
/// millisecond that matters, and the requests due meanwhile leave together.
pub const SPIN_GAP: Duration = Duration::from_micros(500);

/// When requests are closer than [`SPIN_GAP`], the scheduler wakes at most
/// this often and hands over every request then due at once.
///
/// Each wake-up of the scheduler, and of the runtime thread that takes its
/// batch, costs a context switch; one per request is what held replay
/// under 40000 req/s on a 2-core machine. A request waits at most this long
/// for its batch (plus the sleep's overshoot, see [`SPIN`]): its lateness
/// is measured as send lag and counts in its latency, and stays well under
/// the millisecond that matters.
pub const BATCH_EVERY: Duration = Duration::from_micros(200);

/// A batch handed over while the scheduler is behind is cut at this many
/// requests, so that the drivers start on it while the rest is read.
const BATCH_MAX: usize = 256;

/// Requests in flight at most, unless told otherwise.
///
/// Each request in flight holds a connection, and the HTTP client opens a
/// new one whenever none is idle. Without a bound, a stall of a few
/// milliseconds at thousands of requests a second snowballs: the backlog
/// opens hundreds of connections, whose set-up slows everything further
/// (seen on a 2-core machine at 5000 req/s: 1656 connections and a send-lag
/// p99 of 620 ms). The bound also keeps a replay against a hung endpoint
/// under the usual limit of 1024 open files. A slow endpoint at a high rate
/// needs more (rate x latency): the wait for a slot shows as send lag.
pub const DEFAULT_CONCURRENCY_LIMIT: usize = 512;

/// Connections opened before the first request, at most (see
/// [`Http1::warm`]): enough for the requests of the first few milliseconds
/// at any rate a machine can send, few enough for any endpoint to accept.
const WARM_CONNECTIONS_MAX: usize = 128;

/// The connections to open ahead: those the first [`WARM_FOR`] of the trace's
/// mean rate would need if every request took that long, within the
/// concurrency limit.
fn warm_connections(requests: u64, duration_s: f64, speed: f64, limit: Option<usize>) -> usize {
    let rate = requests as f64 / (duration_s / speed).max(1e-3);
    let n = (rate * WARM_FOR.as_secs_f64()).ceil() as usize;
    n.clamp(1, WARM_CONNECTIONS_MAX)
        .min(limit.unwrap_or(usize::MAX))
        .min(requests as usize)
}

/// See [`warm_connections`].
const WARM_FOR: Duration = Duration::from_millis(5);

/// How often progress snapshots are published.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Histogram bound for send lag and latency from send: one hour in microseconds.
const HIST_MAX_US: u64 = 3_600_000_000;

/// What to replay, against what.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Trace CSV (`t_s` column, sorted).
    pub trace: PathBuf,
    /// Endpoint URL; every request is a `POST` to it.
    pub url: String,
    /// Time allowed from a request's scheduled send to the end of its
    /// answer (a wait for a free slot counts, so a replay ends at most this
    /// long after the trace does).
    pub timeout: Duration,
    /// Replay speed: trace time is divided by this (2 = twice as fast).
    pub speed: f64,
    /// Body of every request.
    pub payload: Payload,
    /// When not empty, the bodies sent instead of `payload`, in turn
    /// (request `i` carries `payloads[i % len]`).
    pub payloads: Vec<Payload>,
    /// When set, every 2xx answer is checked for this protocol's shape; a
    /// wrong one is a failure (`bad_answer`) with its reason in the report.
    pub check_answers: Option<super::protocol::Protocol>,
    /// Extra headers on every request (e.g. `X-Dtype` for a raw payload, or
    /// an authorization token).
    pub headers: reqwest::header::HeaderMap,
    /// At most this many requests in flight; a request due while the limit is
    /// reached waits for a slot, and the wait counts in its latency and send
    /// lag. `None`: no limit.
    pub concurrency_limit: Option<usize>,
    /// When set, adds authentication (a SigV4 signature, a bearer token) to
    /// every request, after all other headers.
    pub auth: Option<Arc<super::auth::Auth>>,
    /// Set to stop sending (Ctrl-C); requests in flight still finish.
    pub stop: Arc<AtomicBool>,
    /// Report latency and time-to-first-byte percentiles second by second
    /// ([`ReplayReport::per_second`]).
    pub per_second: bool,
}

impl ReplayOptions {
    /// Defaults: 30 s timeout, real time, `{}` as the body, at most
    /// [`DEFAULT_CONCURRENCY_LIMIT`] requests in flight.
    pub fn new(trace: impl Into<PathBuf>, url: impl Into<String>) -> Self {
        ReplayOptions {
            trace: trace.into(),
            url: url.into(),
            timeout: Duration::from_secs(30),
            speed: 1.0,
            payload: Payload::empty_json(),
            payloads: Vec::new(),
            check_answers: None,
            headers: reqwest::header::HeaderMap::new(),
            concurrency_limit: Some(DEFAULT_CONCURRENCY_LIMIT),
            auth: None,
            stop: Arc::new(AtomicBool::new(false)),
            per_second: false,
        }
    }
}

/// The measured result of a replay.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayReport {
    /// The outcome, in the same form the simulator gives (provenance
    /// measured, kind `live`, offer = the URL, cost 0: the bill is unknown).
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The endpoint.
    pub url: String,
    /// Median send lag (actual send time minus scheduled time), ms.
    pub send_lag_p50_ms: f64,
    /// 99th percentile send lag, ms.
    pub send_lag_p99_ms: f64,
    /// Largest send lag, ms.
    pub send_lag_max_ms: f64,
    /// Mean latency of successful requests counted from the actual send, ms.
    pub latency_from_send_avg_ms: f64,
    /// Median latency from the actual send, ms.
    pub latency_from_send_p50_ms: f64,
    /// 95th percentile latency from the actual send, ms.
    pub latency_from_send_p95_ms: f64,
    /// 99th percentile latency from the actual send, ms.
    pub latency_from_send_p99_ms: f64,
    /// Median time to first byte of successful requests: from the actual
    /// send to the answer's status line and headers, before its body, ms.
    pub ttfb_p50_ms: f64,
    /// 95th percentile time to first byte, ms.
    pub ttfb_p95_ms: f64,
    /// 99th percentile time to first byte, ms.
    pub ttfb_p99_ms: f64,
    /// Requests in the trace.
    pub trace_requests: u64,
    /// Requests sent (fewer than the trace's when stopped early).
    pub sent: u64,
    /// Trace rate at this speed: requests / (last arrival / speed), req/s.
    pub offered_rps: f64,
    /// Requests sent / time from the start to the last send (the same
    /// measure as `offered_rps`), req/s.
    pub sent_rps: f64,
    /// Replay speed.
    pub speed: f64,
    /// Timeout per request, s.
    pub timeout_s: f64,
    /// Wall time of the whole replay, s.
    pub wall_s: f64,
    /// True when stopped before the end of the trace.
    pub interrupted: bool,
    /// The reason the first wrongly shaped answer was refused, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bad_answer_example: Option<String>,
    /// What the server said of its own inference time (`x-inference-ms`, as
    /// `advisor serve` answers), when its answers carry it: what
    /// `advisor calibrate` takes the CPU speed from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_inference: Option<ServerTiming>,
    /// With `--series`: one entry per second of the replay (by scheduled
    /// send), with its counts and latency and time-to-first-byte percentiles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_second: Option<Vec<SecondStats>>,
    /// Remarks on the trace (times out of order); print them on stderr.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// The server's own inference times, as its answers reported them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServerTiming {
    /// Successful answers that carried a time.
    pub answers: u64,
    /// Mean, ms.
    pub mean_ms: f64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// Answers to requests that waited for a worker (`x-queue-ms` of at
    /// least [`BUSY_QUEUE_MS`]): each ran straight after another, on a CPU
    /// already busy, as every request does near capacity.
    pub busy_answers: u64,
    /// Their mean inference time, ms (0 when none). A CPU woken from idle
    /// runs the first request slower (clock and caches), so at light load
    /// the overall mean overstates the time per request at capacity.
    pub busy_mean_ms: f64,
}

/// A request that waited at least this long, ms, found its worker busy.
pub const BUSY_QUEUE_MS: f64 = 0.1;

impl ServerTiming {
    /// The summary of the microsecond histograms of all answers and of the
    /// busy ones; `None` when no answer gave a time.
    fn of(all: &Histogram<u64>, busy: &Histogram<u64>) -> Option<ServerTiming> {
        (!all.is_empty()).then(|| ServerTiming {
            answers: all.len(),
            mean_ms: all.mean() / 1e3,
            p50_ms: q(all, 0.50),
            p95_ms: q(all, 0.95),
            busy_answers: busy.len(),
            busy_mean_ms: if busy.is_empty() {
                0.0
            } else {
                busy.mean() / 1e3
            },
        })
    }
}

/// One finished request.
struct Sample {
    scheduled_s: f64,
    lag: Duration,
    from_scheduled: Duration,
    from_send: Duration,
    /// From the send to the answer's head (successful requests only).
    ttfb: Duration,
    /// What the server said of its own timing.
    server: ServerSaid,
    result: Result<(), FailureReason>,
}

/// What every request in flight shares.
struct Shared {
    client: reqwest::Client,
    /// The lean client, for a plain `http://` URL.
    http1: Option<Http1>,
    url: reqwest::Url,
    payloads: Vec<Payload>,
    next_payload: AtomicU64,
    check_answers: Option<super::protocol::Protocol>,
    bad_answer: Arc<std::sync::Mutex<Option<String>>>,
    headers: reqwest::header::HeaderMap,
    auth: Option<Arc<super::auth::Auth>>,
    timeout: Duration,
    limit: Option<Arc<Semaphore>>,
    stats: Arc<Mutex<Stats>>,
    /// Never sent on: the collector learns that every request has finished
    /// when the last clone of `Shared` (and so of this) is dropped.
    _alive: mpsc::Sender<()>,
}

impl Shared {
    /// One client for the whole replay, so connections are pooled across
    /// requests; proxies are bypassed so that the endpoint itself is measured.
    fn new(
        opts: &ReplayOptions,
        url: reqwest::Url,
        stats: Arc<Mutex<Stats>>,
        alive: mpsc::Sender<()>,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(usize::MAX)
            .tcp_nodelay(true)
            .build()?;
        Ok(Shared {
            client,
            // Signed requests take the general client, which signs a built
            // request.
            http1: opts.auth.is_none().then(|| Http1::for_url(&url)).flatten(),
            url,
            payloads: if opts.payloads.is_empty() {
                vec![opts.payload.clone()]
            } else {
                opts.payloads.clone()
            },
            next_payload: AtomicU64::new(0),
            check_answers: opts.check_answers,
            bad_answer: Arc::default(),
            headers: opts.headers.clone(),
            auth: opts.auth.clone(),
            timeout: opts.timeout,
            limit: opts.concurrency_limit.map(|n| Arc::new(Semaphore::new(n))),
            stats,
            _alive: alive,
        })
    }
}

fn check(opts: &ReplayOptions) -> anyhow::Result<reqwest::Url> {
    let url = reqwest::Url::parse(&opts.url).map_err(|e| {
        bad_input(format!(
            "--url '{}': {e} (expected e.g. http://127.0.0.1:8080/predict)",
            opts.url
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad_input(format!(
            "--url '{}': scheme must be http or https",
            opts.url
        )));
    }
    if !(opts.speed.is_finite() && opts.speed > 0.0) {
        return Err(bad_input(format!(
            "--speed {}: expected a number > 0",
            opts.speed
        )));
    }
    if opts.timeout.is_zero() {
        return Err(bad_input("--timeout-s: expected a number of seconds > 0"));
    }
    if opts.concurrency_limit == Some(0) {
        return Err(bad_input("--concurrency-limit: expected at least 1"));
    }
    Ok(url)
}

/// Replays the trace and measures the endpoint. Progress snapshots go to
/// `progress` when given. Must run inside a tokio runtime (multi-threaded
/// for rates above a few hundred per second).
pub async fn replay(
    opts: ReplayOptions,
    progress: Option<watch::Sender<ReplayProgress>>,
) -> anyhow::Result<ReplayReport> {
    let url = check(&opts)?;
    // A full pass first: a bad row fails before any load is sent, and the
    // total feeds the progress bar. A sorted trace is then streamed, so
    // memory stays flat; an unsorted one is sorted in memory, with a warning.
    let trace = opts.trace.clone();
    let sorted = tokio::task::spawn_blocking(move || open_sorted(&trace)).await??;
    let (total, last_t_s, warnings) = (sorted.requests, sorted.duration_s, sorted.warnings);
    let arrivals = sorted.arrivals;

    let (alive, rx) = mpsc::channel(1);
    let stats = Arc::new(Mutex::new(Stats::new(opts.per_second)));
    let shared = Arc::new(Shared::new(&opts, url, Arc::clone(&stats), alive)?);
    if let Some(http1) = &shared.http1 {
        http1
            .warm(warm_connections(
                total,
                last_t_s,
                opts.speed,
                opts.concurrency_limit,
            ))
            .await;
    }
    let sent = Arc::new(AtomicU64::new(0));
    // A short lead so the first requests are not late by the set-up itself.
    let start = Instant::now() + Duration::from_millis(20);

    let bad_answer = Arc::clone(&shared.bad_answer);
    // One driver per runtime thread, so that every core sends. Only the
    // drivers keep `shared` (and so the collector's channel) alive.
    let handle = tokio::runtime::Handle::current();
    let handoff = dispatch::start(handle.metrics().num_workers(), &handle, |rx| {
        driver(rx, Arc::clone(&shared))
    });
    drop(shared);
    let scheduler = {
        let (sent, stop) = (Arc::clone(&sent), Arc::clone(&opts.stop));
        let speed = opts.speed;
        std::thread::Builder::new()
            .name("advisor-replay-scheduler".into())
            .spawn(move || schedule(arrivals, speed, start, handoff, &sent, &stop))?
    };
    let w = Watch {
        sent: &sent,
        total,
        start,
        timeout: opts.timeout,
    };
    collect(rx, progress, &stats, w).await;
    let stats = std::mem::replace(
        &mut *stats.lock().unwrap_or_else(|e| e.into_inner()),
        Stats::new(false),
    );
    let schedule_result = tokio::task::spawn_blocking(move || scheduler.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the replay scheduler panicked"))?;
    let last_send = schedule_result?;
    let wall_s = start.elapsed().as_secs_f64();

    let bad_answer_example = bad_answer.lock().ok().and_then(|mut b| b.take());
    let tally = Tally {
        bad_answer_example,
        total,
        last_t_s,
        sent: sent.load(Ordering::Relaxed),
        last_send,
        wall_s,
        warnings,
    };
    Ok(report(&opts, stats, tally))
}

/// What the replay did besides the samples themselves.
struct Tally {
    /// Requests in the trace.
    total: u64,
    /// Trace time of the last request, seconds.
    last_t_s: f64,
    /// Requests sent; fewer than `total` when stopped early.
    sent: u64,
    /// The last send after the start.
    last_send: Option<Duration>,
    wall_s: f64,
    warnings: Vec<String>,
    /// The first wrongly shaped answer's reason.
    bad_answer_example: Option<String>,
}

/// The report from the samples and the tally. Rates and latencies of an
/// empty replay are 0 rather than NaN, so the JSON stays valid.
fn report(opts: &ReplayOptions, stats: Stats, tally: Tally) -> ReplayReport {
    let Tally {
        total,
        last_t_s,
        sent,
        last_send,
        wall_s,
        warnings,
        bad_answer_example,
    } = tally;
    let interrupted = sent < total;
    let mut notes = vec![format!(
        "measured by advisor replay: open loop, each request sent at its trace time / {speed} \
         and timed from that scheduled time; cost not measured (0)",
        speed = opts.speed
    )];
    if interrupted {
        notes.push(format!("stopped early: {sent} of {total} requests sent"));
    }
    let facts = Facts {
        notes,
        ..Facts::default()
    };
    let outcome = stats
        .recorder
        .finish(&opts.url, "live", Provenance::Measured, facts);
    ReplayReport {
        url: opts.url.clone(),
        send_lag_p50_ms: q(&stats.lag, 0.50),
        send_lag_p99_ms: q(&stats.lag, 0.99),
        send_lag_max_ms: if stats.lag.is_empty() {
            0.0
        } else {
            stats.lag.max() as f64 / 1e3
        },
        latency_from_send_avg_ms: if stats.from_send.is_empty() {
            0.0
        } else {
            stats.from_send.mean() / 1e3
        },
        latency_from_send_p50_ms: q(&stats.from_send, 0.50),
        latency_from_send_p95_ms: q(&stats.from_send, 0.95),
        latency_from_send_p99_ms: q(&stats.from_send, 0.99),
        ttfb_p50_ms: q(&stats.ttfb, 0.50),
        ttfb_p95_ms: q(&stats.ttfb, 0.95),
        ttfb_p99_ms: q(&stats.ttfb, 0.99),
        trace_requests: total,
        sent,
        offered_rps: if last_t_s > 0.0 {
            total as f64 / (last_t_s / opts.speed)
        } else {
            0.0
        },
        sent_rps: match last_send {
            Some(d) if d.as_secs_f64() > 0.0 => sent as f64 / d.as_secs_f64(),
            _ => 0.0,
        },
        speed: opts.speed,
        timeout_s: opts.timeout.as_secs_f64(),
        wall_s,
        interrupted,
        bad_answer_example,
        server_inference: ServerTiming::of(&stats.server, &stats.server_busy),
        per_second: stats.per_second.map(PerSecondRecorder::finish),
        warnings,
        outcome,
    }
}

/// Quantile `q` of a microsecond histogram, ms (0 when empty).
fn q(h: &Histogram<u64>, q: f64) -> f64 {
    if h.is_empty() {
        0.0
    } else {
        h.value_at_quantile(q) as f64 / 1e3
    }
}

/// One driver: sends the requests handed to it and records them.
async fn driver(rx: tokio::sync::mpsc::UnboundedReceiver<Vec<Due>>, shared: Arc<Shared>) {
    let s = &*shared;
    let record = |done: &mut Vec<Sample>| {
        let mut stats = s.stats.lock().unwrap_or_else(|e| e.into_inner());
        for x in done.drain(..) {
            stats.record(x);
        }
    };
    dispatch::drive(rx, |due| send_one(s, due), record).await;
}

/// Sends every request of the trace at its time; returns the time of the
/// last send after the start (for the achieved rate).
fn schedule(
    arrivals: Arrivals,
    speed: f64,
    start: Instant,
    mut handoff: dispatch::Handoff,
    sent: &AtomicU64,
    stop: &AtomicBool,
) -> anyhow::Result<Option<Duration>> {
    precise_sleeps();
    let mut last_send = None;
    let mut previous = start;
    let mut woke: Option<Instant> = None;
    let mut batch = Vec::new();
    let mut hand_over = |batch: &mut Vec<Due>| {
        sent.fetch_add(batch.len() as u64, Ordering::Relaxed);
        handoff.send(batch)
    };
    for t in arrivals {
        let scheduled_s = t? / speed;
        let due = start + Duration::from_secs_f64(scheduled_s);
        let dense = due.saturating_duration_since(previous) < SPIN_GAP;
        previous = due;
        if Instant::now() < due || batch.len() >= BATCH_MAX {
            // Not due yet: what is due leaves now, then wait for this one.
            if !hand_over(&mut batch) {
                break;
            }
            let (until, spin) = if dense {
                let next_wake = woke.map_or(due, |w| w + BATCH_EVERY);
                (due.max(next_wake), Duration::ZERO)
            } else {
                (due, SPIN)
            };
            if !wait_until(until, spin, stop) {
                break;
            }
            woke = Some(Instant::now());
        } else if stop.load(Ordering::Relaxed) {
            break;
        }
        last_send = Some(Instant::now() - start);
        batch.push(Due {
            at: due,
            scheduled_s,
        });
    }
    hand_over(&mut batch);
    Ok(last_send)
}

/// Asks Linux to wake this thread's sleeps within 1 us of their end instead
/// of the default 50 us timer slack. Best effort: elsewhere sleeps stay as
/// the OS makes them and [`SPIN`] absorbs what it can.
fn precise_sleeps() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and only affects
    // the calling thread.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1000 as libc::c_ulong, 0, 0, 0);
    }
}

/// Sleeps until `spin` before `due`, then spins, until `due`; false when
/// asked to stop first. With `spin` zero it only sleeps, and may wake a few
/// tens of microseconds late.
fn wait_until(due: Instant, spin: Duration, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= due {
            return true;
        }
        let left = due - now;
        if left > spin {
            // Wake now and then to notice a stop during long gaps.
            std::thread::sleep((left - spin).min(Duration::from_millis(50)));
        } else {
            // Spin rather than yield: on a busy machine a yielding thread
            // waits a whole scheduler slice (milliseconds) to run again.
            std::hint::spin_loop();
        }
    }
}

/// Sends one request and measures it.
async fn send_one(shared: &Shared, due: Due) -> Sample {
    let Due {
        at: due,
        scheduled_s,
    } = due;
    let deadline = tokio::time::Instant::from_std(due + shared.timeout);
    let mut sent = None;
    let mut head = None;
    let mut server = ServerSaid::default();
    let attempt = async {
        let _permit = match &shared.limit {
            Some(s) => s.acquire().await.ok(),
            None => None,
        };
        sent = Some(Instant::now());
        exchange(shared, &mut head, &mut server).await
    };
    let result = match tokio::time::timeout_at(deadline, attempt).await {
        Ok(r) => r,
        Err(_) => Err(FailureReason::Timeout),
    };
    let done = Instant::now();
    // A request that never got a slot before its deadline was never sent:
    // its send lag is all the time it waited.
    let sent = sent.unwrap_or(done);
    Sample {
        scheduled_s,
        lag: sent.saturating_duration_since(due),
        from_scheduled: done.saturating_duration_since(due),
        from_send: done - sent,
        ttfb: head.unwrap_or(done).saturating_duration_since(sent),
        server,
        result,
    }
}

/// Parses `NAME: VALUE` (as `--header` takes it).
pub fn parse_header(
    text: &str,
) -> anyhow::Result<(reqwest::header::HeaderName, reqwest::header::HeaderValue)> {
    let bad = || {
        bad_input(format!(
            "--header '{text}': expected NAME: VALUE, e.g. 'X-Dtype: float32'"
        ))
    };
    let (name, value) = text.split_once(':').ok_or_else(bad)?;
    let name =
        reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| bad())?;
    let value = reqwest::header::HeaderValue::from_str(value.trim()).map_err(|_| bad())?;
    Ok((name, value))
}

/// One request, to the end of its answer's body; `head` is set when the
/// answer's status line and headers have arrived, `server` to the timing
/// the answer carries.
async fn exchange(
    shared: &Shared,
    head: &mut Option<Instant>,
    server: &mut ServerSaid,
) -> Result<(), FailureReason> {
    let i = shared.next_payload.fetch_add(1, Ordering::Relaxed) as usize;
    let payload = &shared.payloads[i % shared.payloads.len()];
    if let Some(http1) = &shared.http1 {
        let headers = [&payload.headers, &shared.headers];
        let answer = http1
            .post(payload.content_type, headers, &payload.body, head)
            .await
            .map_err(|f| match f {
                Failure::Connect => FailureReason::Connect,
                Failure::Dropped => FailureReason::Dropped,
            })?;
        *server = answer.server;
        return judge(shared, answer.status, &answer.body);
    }
    let mut request = shared
        .client
        .post(shared.url.clone())
        .header(reqwest::header::CONTENT_TYPE, payload.content_type)
        .headers(payload.headers.clone())
        .headers(shared.headers.clone())
        .body(payload.body.clone())
        .build()
        .map_err(|e| classify(&e))?;
    if let Some(auth) = &shared.auth {
        // Never sent: it could not be authenticated (the reason goes to the
        // report's warnings).
        auth.apply(&mut request)
            .map_err(|_| FailureReason::Connect)?;
    }
    let resp = shared
        .client
        .execute(request)
        .await
        .map_err(|e| classify(&e))?;
    *head = Some(Instant::now());
    *server = ServerSaid::from_headers(resp.headers());
    let status = resp.status();
    // An answer cut off mid-body is a dropped request, not a success.
    let body = resp.bytes().await.map_err(|e| classify(&e))?;
    judge(shared, status, &body)
}

/// The outcome of an answer with `status` and `body`.
fn judge(shared: &Shared, status: reqwest::StatusCode, body: &[u8]) -> Result<(), FailureReason> {
    match status.as_u16() {
        200..=299 => match shared.check_answers {
            None => Ok(()),
            Some(p) => super::protocol::check_answer(p, body).map_err(|reason| {
                if let Ok(mut first) = shared.bad_answer.lock() {
                    first.get_or_insert(reason);
                }
                FailureReason::BadAnswer
            }),
        },
        503 => Err(FailureReason::QueueFull),
        429 => Err(FailureReason::Throttled),
        _ => Err(FailureReason::HttpStatus),
    }
}

/// The failure reason of a transport error.
fn classify(e: &reqwest::Error) -> FailureReason {
    if e.is_timeout() {
        FailureReason::Timeout
    } else if e.is_connect() {
        FailureReason::Connect
    } else {
        // Closed before or during the answer: reset, EOF, truncated body.
        FailureReason::Dropped
    }
}

/// Everything measured so far.
struct Stats {
    recorder: Recorder,
    lag: Histogram<u64>,
    from_send: Histogram<u64>,
    ttfb: Histogram<u64>,
    /// The server's own inference times of successful answers that gave one.
    server: Histogram<u64>,
    /// Those of requests that waited for a worker (see [`ServerTiming`]).
    server_busy: Histogram<u64>,
    per_second: Option<PerSecondRecorder>,
}

impl Stats {
    fn new(per_second: bool) -> Self {
        let hist = || Histogram::new_with_max(HIST_MAX_US, 3).expect("static histogram bounds");
        Stats {
            recorder: Recorder::new(),
            lag: hist(),
            from_send: hist(),
            ttfb: hist(),
            server: hist(),
            server_busy: hist(),
            per_second: per_second.then(PerSecondRecorder::new),
        }
    }

    fn record(&mut self, x: Sample) {
        self.recorder.arrival(x.scheduled_s);
        let _ = self.lag.record(us(x.lag));
        let ok = x.result.is_ok();
        match x.result {
            Ok(()) => {
                self.recorder
                    .success(x.scheduled_s, x.from_scheduled.as_secs_f64());
                let _ = self.from_send.record(us(x.from_send));
                let _ = self.ttfb.record(us(x.ttfb));
                if let Some(ms) = x.server.inference_ms {
                    let v = ((ms * 1e3) as u64).min(HIST_MAX_US);
                    let _ = self.server.record(v);
                    if x.server.queue_ms.is_some_and(|q| q >= BUSY_QUEUE_MS) {
                        let _ = self.server_busy.record(v);
                    }
                }
            }
            Err(reason) => self.recorder.failure(
                x.scheduled_s,
                x.scheduled_s + x.from_scheduled.as_secs_f64(),
                reason,
            ),
        }
        if let Some(p) = &mut self.per_second {
            let times = (x.from_scheduled.as_secs_f64(), x.ttfb.as_secs_f64());
            p.record(x.scheduled_s, ok.then_some(times));
        }
    }

    fn snapshot(&self, w: &Watch, meter: &mut RateMeter, finished: bool) -> ReplayProgress {
        let elapsed = w.start.elapsed();
        let sent = w.sent.load(Ordering::Relaxed);
        ReplayProgress {
            elapsed_s: elapsed.as_secs_f64(),
            total: w.total,
            sent,
            done: self.recorder.requests(),
            succeeded: self.recorder.succeeded(),
            failed: self.recorder.failures().total(),
            rate_rps: meter.rate(elapsed, sent),
            p50_ms: self.recorder.quantile_s(0.50) * 1e3,
            p99_ms: self.recorder.quantile_s(0.99) * 1e3,
            send_lag_p99_ms: q(&self.lag, 0.99),
            finished,
        }
    }
}

fn us(d: Duration) -> u64 {
    (d.as_micros() as u64).min(HIST_MAX_US)
}

/// What the collector watches besides the samples.
struct Watch<'a> {
    sent: &'a AtomicU64,
    total: u64,
    start: Instant,
    timeout: Duration,
}

/// Publishes progress until every request has finished, and closes the
/// seconds of the per-second series that no request can still reach.
async fn collect(
    mut alive: mpsc::Receiver<()>,
    progress: Option<watch::Sender<ReplayProgress>>,
    stats: &Mutex<Stats>,
    w: Watch<'_>,
) {
    let lock = || stats.lock().unwrap_or_else(|e| e.into_inner());
    let mut meter = RateMeter::default();
    let mut tick = tokio::time::interval(PROGRESS_EVERY);
    // A request finishes within its timeout of its scheduled time; a
    // second of slack covers the time its record takes to arrive.
    let reach = w.timeout + Duration::from_secs(1);
    loop {
        tokio::select! {
            biased;
            _ = alive.recv() => break,
            _ = tick.tick() => {
                let mut s = lock();
                if let Some(p) = &mut s.per_second {
                    p.close_before(w.start.elapsed().saturating_sub(reach).as_secs_f64());
                }
                if let Some(p) = &progress {
                    let _ = p.send(s.snapshot(&w, &mut meter, false));
                }
            }
        }
    }
    if let Some(p) = &progress {
        let _ = p.send(lock().snapshot(&w, &mut meter, true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        let ok = ReplayOptions::new("t.csv", "http://127.0.0.1:1/predict");
        assert!(check(&ok).is_ok());
        let mut o = ok.clone();
        o.url = "127.0.0.1:8080".into();
        assert!(check(&o).unwrap_err().to_string().contains("--url"));
        let mut o = ok.clone();
        o.url = "ftp://x/".into();
        assert!(check(&o).unwrap_err().to_string().contains("http or https"));
        let mut o = ok.clone();
        o.speed = 0.0;
        assert!(check(&o).unwrap_err().to_string().contains("--speed"));
        let mut o = ok.clone();
        o.timeout = Duration::ZERO;
        assert!(check(&o).unwrap_err().to_string().contains("--timeout-s"));
        let mut o = ok;
        o.concurrency_limit = Some(0);
        assert!(check(&o)
            .unwrap_err()
            .to_string()
            .contains("--concurrency-limit"));
    }

    #[test]
    fn headers_parse_as_name_colon_value() {
        let (n, v) = parse_header("X-Shape: 1,3,224,224").unwrap();
        assert_eq!(
            (n.as_str(), v.to_str().unwrap()),
            ("x-shape", "1,3,224,224")
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
    }

    /// Runs the scheduler over `times` into two drivers that only keep
    /// what they are handed; returns the batches, the count sent and the
    /// start.
    async fn schedule_into_batches(times: Vec<f64>, stop: bool) -> (Vec<Vec<Due>>, u64, Instant) {
        let got = Arc::new(Mutex::new(Vec::new()));
        let (ended, mut all_ended) = mpsc::channel::<()>(1);
        let handle = tokio::runtime::Handle::current();
        let handoff = dispatch::start(2, &handle, |mut rx| {
            let (got, ended) = (Arc::clone(&got), ended.clone());
            async move {
                while let Some(batch) = rx.recv().await {
                    got.lock().unwrap().push(batch);
                }
                drop(ended);
            }
        });
        drop(ended);
        let arrivals: Arrivals = Box::new(times.into_iter().map(Ok));
        let start = Instant::now();
        let sent = tokio::task::spawn_blocking(move || {
            let (sent, stop) = (AtomicU64::new(0), AtomicBool::new(stop));
            schedule(arrivals, 1.0, start, handoff, &sent, &stop).unwrap();
            sent.load(Ordering::Relaxed)
        })
        .await
        .unwrap();
        assert!(all_ended.recv().await.is_none());
        let batches = std::mem::take(&mut *got.lock().unwrap());
        (batches, sent, start)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_request_is_handed_over_once_at_its_time() {
        // Dense (10 us apart, so batched), then sparse (spun for).
        let mut times: Vec<f64> = (0..2000).map(|i| i as f64 * 1e-5).collect();
        times.extend((1..5).map(|i| 0.02 + i as f64 * 1e-3));
        let (mut batches, sent, start) = schedule_into_batches(times.clone(), false).await;
        assert_eq!(sent, times.len() as u64);
        assert!(batches.iter().all(|b| !b.is_empty()));
        // Two drivers may receive in either order; each batch is in order.
        batches.sort_by(|a, b| a[0].scheduled_s.total_cmp(&b[0].scheduled_s));
        let handed: Vec<Due> = batches.into_iter().flatten().collect();
        let handed_s: Vec<f64> = handed.iter().map(|d| d.scheduled_s).collect();
        assert_eq!(handed_s, times);
        for d in &handed {
            assert_eq!(d.at, start + Duration::from_secs_f64(d.scheduled_s));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopped_scheduler_hands_over_nothing() {
        let (batches, sent, _) = schedule_into_batches(vec![0.001, 0.002], true).await;
        assert!(batches.is_empty());
        assert_eq!(sent, 0);
    }

    #[test]
    fn waiting_stops_when_asked() {
        let stop = AtomicBool::new(true);
        assert!(!wait_until(
            Instant::now() + Duration::from_secs(3600),
            SPIN,
            &stop
        ));
        let go = AtomicBool::new(false);
        let due = Instant::now() + Duration::from_millis(2);
        assert!(wait_until(due, SPIN, &go));
        assert!(Instant::now() >= due);
        let due = Instant::now() + Duration::from_millis(2);
        assert!(wait_until(due, Duration::ZERO, &go));
        assert!(Instant::now() >= due);
    }
}
