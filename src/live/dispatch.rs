//! Runs replay's requests inside a few long-lived tasks, handed over in
//! batches.
//!
//! A task spawned per request costs an allocation, a trip through the
//! runtime's shared queue and, when the runtime's threads are idle between
//! requests (as they are at any rate a machine can keep up with), a wake-up
//! of a parked thread: at tens of thousands of requests a second those
//! wake-ups are most of the CPU a replay spends. Here the scheduler hands
//! every request due at one of its wake-ups to one driver in a single
//! message, and the driver runs all its requests as futures of its own task,
//! so a batch costs one wake-up and an answer wakes no other task.

use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use std::future::Future;
use std::time::Instant;
use tokio::sync::mpsc;

/// A request due to be sent.
#[derive(Debug, Clone, Copy)]
pub struct Due {
    /// When it should leave.
    pub at: Instant,
    /// Its scheduled time from the start of the replay, s.
    pub scheduled_s: f64,
}

/// The scheduler's side of the drivers: hands batches to them in turn.
pub struct Handoff {
    drivers: Vec<mpsc::UnboundedSender<Vec<Due>>>,
    next: usize,
}

impl Handoff {
    /// Hands `batch` (emptied) to the next driver; false when every driver
    /// has gone (the runtime is shutting down).
    pub fn send(&mut self, batch: &mut Vec<Due>) -> bool {
        if batch.is_empty() {
            return true;
        }
        let mut b = std::mem::take(batch);
        for _ in 0..self.drivers.len() {
            let i = self.next % self.drivers.len();
            self.next = self.next.wrapping_add(1);
            match self.drivers[i].send(b) {
                Ok(()) => return true,
                Err(e) => b = e.0,
            }
        }
        false
    }
}

/// Starts `n` (at least 1) drivers on `handle`; `run(i)` makes driver `i`'s
/// future from its receiver. The drivers end once the [`Handoff`] is
/// dropped and their requests have finished.
pub fn start<F, Fut>(n: usize, handle: &tokio::runtime::Handle, mut run: F) -> Handoff
where
    F: FnMut(mpsc::UnboundedReceiver<Vec<Due>>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let drivers = (0..n.max(1))
        .map(|_| {
            let (tx, rx) = mpsc::unbounded_channel();
            handle.spawn(run(rx));
            tx
        })
        .collect();
    Handoff { drivers, next: 0 }
}

/// Runs every request handed over on `rx`: `send` makes a request's future,
/// and `record` takes the results of those that have finished (the vector
/// is left for reuse, emptied or not). Returns when `rx` is closed and every
/// request has finished.
pub async fn drive<S, Fut>(
    mut rx: mpsc::UnboundedReceiver<Vec<Due>>,
    mut send: impl FnMut(Due) -> Fut,
    mut record: impl FnMut(&mut Vec<S>),
) where
    Fut: Future<Output = S>,
{
    let mut running = FuturesUnordered::new();
    let mut done = Vec::new();
    let mut open = true;
    loop {
        tokio::select! {
            // New requests first: their send time is what is measured.
            biased;
            batch = rx.recv(), if open => match batch {
                Some(batch) => running.extend(batch.into_iter().map(&mut send)),
                None => open = false,
            },
            Some(s) = running.next(), if !running.is_empty() => {
                done.push(s);
                // Whatever else has finished meanwhile, under one record.
                while let Some(Some(s)) = running.next().now_or_never() {
                    done.push(s);
                }
                record(&mut done);
            }
            else => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_request_handed_over_runs_once() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
        let handle = tokio::runtime::Handle::current();
        let mut handoff = start(3, &handle, |rx| {
            let (seen, done_tx) = (Arc::clone(&seen), done_tx.clone());
            async move {
                let send = |d: Due| async move {
                    // Later requests finish first, so results arrive out of order.
                    let wait = 30.0 - d.scheduled_s;
                    tokio::time::sleep(Duration::from_millis(wait as u64)).await;
                    d.scheduled_s as u64
                };
                drive(rx, send, |done: &mut Vec<u64>| {
                    seen.lock().unwrap().append(done)
                })
                .await;
                drop(done_tx);
            }
        });
        drop(done_tx);
        let now = Instant::now();
        for chunk in (0..30).collect::<Vec<_>>().chunks(7) {
            let mut batch: Vec<Due> = chunk
                .iter()
                .map(|&i| Due {
                    at: now,
                    scheduled_s: i as f64,
                })
                .collect();
            assert!(handoff.send(&mut batch));
            assert!(batch.is_empty());
        }
        drop(handoff);
        // Every driver has ended once the last sender is gone.
        assert!(done_rx.recv().await.is_none());
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..30).collect::<Vec<u64>>());
    }
}
