//! Progress of a replay, published as snapshots on a `tokio::sync::watch`
//! channel so that any screen can follow it: the progress bar here, or a
//! live view in the terminal UI.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::time::Duration;
use tokio::sync::watch;

/// Where a replay stands; published a few times a second and once at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ReplayProgress {
    /// Seconds since the replay started.
    pub elapsed_s: f64,
    /// Requests in the trace.
    pub total: u64,
    /// Requests sent so far.
    pub sent: u64,
    /// Requests finished (answered, failed or timed out).
    pub done: u64,
    /// Of those, the successful ones.
    pub succeeded: u64,
    /// Of those, the failed ones.
    pub failed: u64,
    /// Requests sent per second over the last second or so.
    pub rate_rps: f64,
    /// Median latency so far (from the scheduled send time), ms.
    pub p50_ms: f64,
    /// 99th percentile latency so far, ms.
    pub p99_ms: f64,
    /// 99th percentile send lag so far, ms.
    pub send_lag_p99_ms: f64,
    /// True in the last snapshot.
    pub finished: bool,
}

/// A snapshot channel for [`super::replay::replay`]: hand the sender to the
/// replay and subscribe with the receiver (or `sender.subscribe()`).
pub fn channel() -> (
    watch::Sender<ReplayProgress>,
    watch::Receiver<ReplayProgress>,
) {
    watch::channel(ReplayProgress::default())
}

/// Draws the snapshots as a progress bar on stderr until the last one.
pub async fn draw_bar(mut rx: watch::Receiver<ReplayProgress>) {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(5));
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} sent  {msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    loop {
        let p = *rx.borrow_and_update();
        bar.set_length(p.total);
        bar.set_position(p.sent);
        bar.set_message(line(&p));
        if p.finished {
            break;
        }
        if rx.changed().await.is_err() {
            break;
        }
    }
    bar.finish_and_clear();
}

/// The text beside the bar.
pub fn line(p: &ReplayProgress) -> String {
    format!(
        "{:.0} req/s  p50 {:.1} ms  p99 {:.1} ms  lag p99 {:.2} ms  errors {}",
        p.rate_rps, p.p50_ms, p.p99_ms, p.send_lag_p99_ms, p.failed
    )
}

/// Turns a stream of (time, sent) samples into a recent sending rate.
#[derive(Debug, Default)]
pub(crate) struct RateMeter {
    window: std::collections::VecDeque<(Duration, u64)>,
}

impl RateMeter {
    /// Window over which the rate is computed.
    const SPAN: Duration = Duration::from_secs(1);

    /// Adds a sample and returns the rate over the last [`Self::SPAN`].
    pub(crate) fn rate(&mut self, at: Duration, sent: u64) -> f64 {
        self.window.push_back((at, sent));
        while self.window.len() > 2 && at - self.window[1].0 >= Self::SPAN {
            self.window.pop_front();
        }
        let (t0, n0) = self.window[0];
        let dt = (at - t0).as_secs_f64();
        if dt <= 0.0 {
            0.0
        } else {
            (sent - n0) as f64 / dt
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_follows_the_last_second() {
        let mut m = RateMeter::default();
        let ms = Duration::from_millis;
        assert_eq!(m.rate(ms(0), 0), 0.0);
        // 100/s for two seconds, then 1000/s.
        let mut sent = 0;
        let mut r = 0.0;
        for i in 1..=20 {
            sent += 10;
            r = m.rate(ms(i * 100), sent);
        }
        assert!((r - 100.0).abs() < 1e-9, "{r}");
        for i in 21..=40 {
            sent += 100;
            r = m.rate(ms(i * 100), sent);
        }
        assert!((r - 1000.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn line_shows_the_figures() {
        let p = ReplayProgress {
            rate_rps: 99.6,
            p50_ms: 1.26,
            p99_ms: 9.0,
            send_lag_p99_ms: 0.123,
            failed: 3,
            ..Default::default()
        };
        assert_eq!(
            line(&p),
            "100 req/s  p50 1.3 ms  p99 9.0 ms  lag p99 0.12 ms  errors 3"
        );
    }
}
