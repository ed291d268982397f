//! A pool of identical workers in front of one FIFO queue: what a server (and
//! each managed endpoint) is once its instances are up.
//!
//! A request takes a free worker, else waits in the queue, else (queue full)
//! is rejected. The server cannot tell that a client has given up, so a
//! request that waited past its timeout is still run when its turn comes and
//! fails as a timeout when it completes: an overloaded server spends its
//! capacity on answers nobody waits for, and requests sent into a long
//! backlog all fail (the study's AI Platform was "unresponsive" for 50 s
//! after a peak). With the `wait` policy the queue has no bound (the request
//! sits in the network stack, as the study saw on GCP), so requests fail only
//! by timing out.

use super::Derived;
use crate::outcome::FailureReason;
use crate::pricing::QueuePolicy;
use crate::sim::engine::{EventKind, Job, Sim};
use std::collections::VecDeque;

/// Workers and their queue.
#[derive(Debug)]
pub struct Pool {
    /// Workers per instance.
    pub workers_per_instance: u32,
    /// Instances serving.
    pub instances: u32,
    /// Workers not running anything.
    pub free: u32,
    queue: VecDeque<Job>,
    capacity_per_instance: u32,
    policy: QueuePolicy,
    reject_as: FailureReason,
    /// Time workers spent running requests, seconds.
    pub busy_s: f64,
    /// Time jobs waited before a worker took them, seconds.
    pub wait_s: f64,
    /// Jobs started.
    pub started: u64,
}

impl Pool {
    /// A pool of `instances` instances of `d`'s offer. Rejections count as
    /// `reject_as` (a server drops connections; an endpoint answers 503).
    pub fn new(d: &Derived, instances: u32, reject_as: FailureReason) -> Self {
        let w = d.offer.behaviour.concurrency_per_instance.max(1);
        Pool {
            workers_per_instance: w,
            instances,
            free: w * instances,
            queue: VecDeque::new(),
            capacity_per_instance: d.offer.behaviour.queue.capacity_per_instance,
            policy: d.offer.behaviour.queue.policy,
            reject_as,
            busy_s: 0.0,
            wait_s: 0.0,
            started: 0,
        }
    }

    /// Requests waiting.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Workers running something.
    pub fn busy(&self) -> u32 {
        self.workers_per_instance * self.instances - self.free
    }

    /// A job arrives.
    #[inline]
    pub fn arrive(&mut self, d: &Derived, now: f64, job: Job, sim: &mut Sim) {
        if self.free > 0 {
            self.start(d, now, job, sim);
            return;
        }
        let room = match self.policy {
            QueuePolicy::Wait => true,
            QueuePolicy::Drop => {
                (self.queue.len() as u64)
                    < self.capacity_per_instance as u64 * self.instances.max(1) as u64
            }
        };
        if room {
            self.queue.push_back(job);
        } else {
            sim.fail(job, now, self.reject_as);
        }
    }

    /// A job finished on a worker: settle it and give the worker the next one.
    #[inline]
    pub fn done(&mut self, d: &Derived, now: f64, job: Job, sim: &mut Sim) {
        sim.complete(job, now);
        self.free += 1;
        self.pull(d, now, sim);
    }

    /// Gives free workers queued jobs.
    pub fn pull(&mut self, d: &Derived, now: f64, sim: &mut Sim) {
        while self.free > 0 {
            let Some(job) = self.queue.pop_front() else {
                return;
            };
            self.start(d, now, job, sim);
        }
    }

    #[inline]
    fn start(&mut self, d: &Derived, now: f64, job: Job, sim: &mut Sim) {
        self.free -= 1;
        self.wait_s += now - job.dispatch;
        self.started += 1;
        let run = d.service(job.n, &mut sim.rng);
        self.busy_s += run;
        sim.at(now + run, EventKind::Done, 0, job);
    }

    /// Mean wait before a worker took a job, seconds.
    pub fn avg_wait_s(&self) -> f64 {
        if self.started == 0 {
            0.0
        } else {
            self.wait_s / self.started as f64
        }
    }

    /// Adds an instance's workers.
    pub fn add_instance(&mut self) {
        self.instances += 1;
        self.free += self.workers_per_instance;
    }

    /// Removes an instance if a whole instance's workers are free.
    pub fn remove_instance(&mut self) -> bool {
        if self.instances > 0 && self.free >= self.workers_per_instance {
            self.instances -= 1;
            self.free -= self.workers_per_instance;
            true
        } else {
            false
        }
    }
}
