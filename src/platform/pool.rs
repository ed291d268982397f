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
    /// Which instance runs what, kept only where instances can be lost
    /// (spot servers): on-demand pools skip the bookkeeping.
    tracked: Option<Tracked>,
}

/// Per-instance bookkeeping of a pool whose instances can be reclaimed.
///
/// A job's `Done` event carries its instance and that instance's
/// generation; reclaiming an instance fails its jobs at once and bumps the
/// generation, so their `Done` events, still in the engine's heap, are
/// recognised as stale and ignored.
#[derive(Debug)]
struct Tracked {
    up: Vec<bool>,
    generation: Vec<u32>,
    inflight: Vec<Vec<Job>>,
}

/// Bits of an event's `inst` that carry the instance's generation.
const GEN_BITS: u32 = 16;

fn tag(idx: usize, generation: u32) -> u32 {
    ((idx as u32) << GEN_BITS) | (generation & ((1 << GEN_BITS) - 1))
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
            tracked: None,
        }
    }

    /// Keeps track of which instance runs each job, so that
    /// [`Pool::reclaim`] can take an instance away.
    pub fn track_instances(&mut self) {
        let n = self.instances as usize;
        self.tracked = Some(Tracked {
            up: vec![true; n],
            generation: vec![0; n],
            inflight: vec![Vec::new(); n],
        });
    }

    /// The provider takes instance `idx` back at `now`: the requests it was
    /// running fail as interrupted and its workers leave the pool. Queued
    /// requests stay in the shared queue for the other instances (the load
    /// balancer's). False when the instance was already down or untracked.
    pub fn reclaim(&mut self, idx: usize, now: f64, sim: &mut Sim) -> bool {
        let w = self.workers_per_instance;
        let Some(t) = self.tracked.as_mut() else {
            return false;
        };
        if !t.up.get(idx).copied().unwrap_or(false) {
            return false;
        }
        let jobs = std::mem::take(&mut t.inflight[idx]);
        t.up[idx] = false;
        t.generation[idx] = t.generation[idx].wrapping_add(1);
        self.free -= w - jobs.len() as u32;
        self.instances -= 1;
        for job in jobs {
            sim.fail(job, now, FailureReason::Interrupted);
        }
        true
    }

    /// Instance `idx`'s replacement serves from `now`.
    pub fn replace(&mut self, idx: usize, d: &Derived, now: f64, sim: &mut Sim) {
        let Some(t) = self.tracked.as_mut() else {
            return;
        };
        if t.up[idx] {
            return;
        }
        t.up[idx] = true;
        self.instances += 1;
        self.free += self.workers_per_instance;
        self.pull(d, now, sim);
    }

    /// Instances the pool was made with (some may be down while reclaimed).
    pub fn instances_at_start(&self) -> u32 {
        self.tracked
            .as_ref()
            .map(|t| t.up.len() as u32)
            .unwrap_or(self.instances)
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

    /// A job finished on a worker (`inst` is its event's tag): settle it and
    /// give the worker the next one. A job of a reclaimed instance has
    /// already failed, and its event is ignored.
    #[inline]
    pub fn done(&mut self, d: &Derived, now: f64, inst: u32, job: Job, sim: &mut Sim) {
        if let Some(t) = self.tracked.as_mut() {
            let idx = (inst >> GEN_BITS) as usize;
            if tag(idx, t.generation[idx]) != inst {
                return;
            }
            let list = &mut t.inflight[idx];
            if let Some(i) = list.iter().position(|j| *j == job) {
                list.swap_remove(i);
            }
        }
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
        let inst = self.place(job);
        sim.at(now + run, EventKind::Done, inst, job);
    }

    /// The tag of the instance that takes `job`: the first one up with a
    /// free worker (0 when instances are not tracked).
    #[inline]
    fn place(&mut self, job: Job) -> u32 {
        let w = self.workers_per_instance as usize;
        let Some(t) = self.tracked.as_mut() else {
            return 0;
        };
        let idx = (0..t.up.len())
            .find(|&i| t.up[i] && t.inflight[i].len() < w)
            .expect("a free worker belongs to an instance that is up");
        t.inflight[idx].push(job);
        tag(idx, t.generation[idx])
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
