//! A pool of worker threads, each owning one backend, fed through one bounded
//! queue.
//!
//! Inference is blocking (ONNX Runtime's `run` holds the calling thread), so
//! it runs on dedicated OS threads rather than on the async runtime. The
//! queue is a `sync_channel`: when it is full, [`Pool::submit`] fails at once
//! and the server answers 503 instead of letting requests pile up.

use super::backend::Backend;
use super::tensor::Tensor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// What a worker hands back for one job.
#[derive(Debug)]
pub struct JobResult {
    /// The outputs, or why inference failed.
    pub outputs: anyhow::Result<Vec<Tensor>>,
    /// Time the job waited in the queue.
    pub queue: Duration,
    /// Time the backend ran.
    pub inference: Duration,
}

struct Job {
    inputs: Vec<Tensor>,
    enqueued: Instant,
    reply: oneshot::Sender<JobResult>,
}

/// The queue was full; the caller should answer 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

/// Worker threads and the queue that feeds them.
pub struct Pool {
    // Behind a lock only so that `shutdown` can close the queue while
    // request handlers still hold the pool; submitting takes the read side.
    tx: RwLock<Option<SyncSender<Job>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Pool {
    /// Starts one thread per backend; `queue` jobs may wait beyond those running.
    pub fn start(backends: Vec<Box<dyn Backend>>, queue: usize) -> std::io::Result<Pool> {
        let (tx, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(backends.len());
        for (i, backend) in backends.into_iter().enumerate() {
            let rx = Arc::clone(&rx);
            threads.push(
                std::thread::Builder::new()
                    .name(format!("advisor-worker-{i}"))
                    .spawn(move || worker(backend, rx))?,
            );
        }
        Ok(Pool {
            tx: RwLock::new(Some(tx)),
            threads: Mutex::new(threads),
        })
    }

    /// Queues `inputs`; the answer arrives on the returned receiver.
    pub fn submit(&self, inputs: Vec<Tensor>) -> Result<oneshot::Receiver<JobResult>, QueueFull> {
        let (reply, rx) = oneshot::channel();
        let job = Job {
            inputs,
            enqueued: Instant::now(),
            reply,
        };
        let guard = self.tx.read().map_err(|_| QueueFull)?;
        let tx = guard.as_ref().ok_or(QueueFull)?;
        match tx.try_send(job) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => Err(QueueFull),
        }
    }

    /// Stops taking jobs, lets the workers finish what is queued, and joins
    /// them. Later submissions are refused as [`QueueFull`].
    pub fn shutdown(&self) {
        if let Ok(mut tx) = self.tx.write() {
            *tx = None;
        }
        let threads = match self.threads.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(_) => return,
        };
        for t in threads {
            let _ = t.join();
        }
    }
}

fn worker(mut backend: Box<dyn Backend>, rx: Arc<Mutex<Receiver<Job>>>) {
    loop {
        // The lock is held only while waiting for the next job, so idle
        // workers queue on the mutex and busy ones never touch it.
        let job = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        if job.reply.is_closed() {
            // The client went away while the job waited: skip the work.
            continue;
        }
        let started = Instant::now();
        let queue = started - job.enqueued;
        let outputs = catch_unwind(AssertUnwindSafe(|| backend.run(job.inputs)))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("inference panicked")));
        let inference = started.elapsed();
        let _ = job.reply.send(JobResult {
            outputs,
            queue,
            inference,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::tensor::TensorData;
    use std::sync::mpsc::{channel, Sender};

    /// Says when it starts, waits until told to go, then doubles every float.
    struct Gated {
        started: Sender<()>,
        gate: Receiver<()>,
    }

    impl Backend for Gated {
        fn run(&mut self, inputs: Vec<Tensor>) -> anyhow::Result<Vec<Tensor>> {
            self.started.send(())?;
            self.gate.recv()?;
            Ok(inputs
                .into_iter()
                .map(|mut t| {
                    if let TensorData::F32(v) = &mut t.data {
                        v.iter_mut().for_each(|x| *x *= 2.0);
                    }
                    t
                })
                .collect())
        }
    }

    fn x() -> Vec<Tensor> {
        vec![Tensor {
            name: "x".into(),
            shape: vec![1],
            data: TensorData::F32(vec![1.5]),
        }]
    }

    #[test]
    fn full_queue_is_refused_and_queued_jobs_finish() {
        let (started_tx, started) = channel();
        let (go, gate) = channel();
        let backend = Gated {
            started: started_tx,
            gate,
        };
        let pool = Pool::start(vec![Box::new(backend)], 1).unwrap();
        let first = pool.submit(x()).unwrap();
        // Once the worker runs the first job, the queue has one free place.
        started.recv().unwrap();
        let second = pool.submit(x()).unwrap();
        assert_eq!(pool.submit(x()).unwrap_err(), QueueFull);
        go.send(()).unwrap();
        go.send(()).unwrap();
        for rx in [first, second] {
            let r = rx.blocking_recv().unwrap();
            assert_eq!(r.outputs.unwrap()[0].data, TensorData::F32(vec![3.0]));
        }
        pool.shutdown();
    }

    struct Panics;

    impl Backend for Panics {
        fn run(&mut self, _inputs: Vec<Tensor>) -> anyhow::Result<Vec<Tensor>> {
            panic!("boom")
        }
    }

    #[test]
    fn a_panicking_backend_answers_an_error_and_keeps_serving() {
        let pool = Pool::start(vec![Box::new(Panics)], 4).unwrap();
        for _ in 0..2 {
            let r = pool.submit(x()).unwrap().blocking_recv().unwrap();
            assert!(r.outputs.unwrap_err().to_string().contains("panicked"));
        }
        pool.shutdown();
    }
}
