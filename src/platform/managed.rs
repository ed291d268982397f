//! Managed ML endpoints: at least one instance always on, target-tracking
//! autoscaling on invocations per instance, new instances after a
//! provisioning delay of minutes (PAPER.md: "Managed services ... take
//! several minutes to start new instances when autoscaling; under bursts
//! requests queue up, latency grows and requests fail").
//!
//! Every `metric_period_s` the endpoint looks at the invocations of the
//! period. After `scale_out_periods` periods above the target per instance it
//! launches enough instances to bring the rate to the target; they serve
//! `provisioning_delay_s` later. After `scale_in_periods` periods below, it
//! retires idle instances down to what the rate needs (never below the
//! minimum). Each instance is billed from its launch to its retirement or the
//! end of the run.

use super::pool::Pool;
use super::Derived;
use crate::outcome::{CostBreakdown, Facts, FailureReason};
use crate::pricing::Autoscaling;
use crate::sim::engine::{Event, EventKind, Job, Platform, Sim, NO_SLOT};

const NO_JOB: Job = Job {
    dispatch: 0.0,
    arrival: 0.0,
    n: 0,
    slot: NO_SLOT,
};

/// The managed endpoint platform model.
pub struct Managed {
    d: Derived,
    pool: Pool,
    policy: Autoscaling,
    /// Launch time of each instance still held (in service or provisioning).
    held_since: Vec<f64>,
    pending: u32,
    period_count: u64,
    above: u32,
    below: u32,
    ticking: bool,
    /// When ticking paused over an idle stretch: the last tick's time, so the
    /// next arrival resumes on the same grid of metric periods. Idle ticks
    /// change nothing, and skipping them keeps the cost of a sparse trace
    /// with its requests, not its span.
    paused_at: Option<f64>,
    created: u64,
    peak: u64,
    billed_usd: f64,
    billed_s: f64,
    scale_outs: Vec<(f64, u32)>,
}

impl Managed {
    /// An endpoint of `d`'s offer scaling by `autoscaling` (the variant's
    /// effective policy); a fixed fleet of the offer's instances when `None`.
    pub fn new(d: Derived, autoscaling: Option<Autoscaling>) -> Self {
        let policy = autoscaling.unwrap_or(Autoscaling {
            min_instances: d.offer.behaviour.instances.max(1),
            max_instances: d.offer.behaviour.instances.max(1),
            target_per_instance_per_min: f64::INFINITY,
            metric_period_s: 60.0,
            scale_out_periods: 1,
            scale_in_periods: 1,
            provisioning_delay_s: 0.0,
        });
        let n = policy.min_instances.max(1);
        let pool = Pool::new(&d, n, FailureReason::QueueFull);
        Managed {
            d,
            pool,
            policy,
            held_since: vec![0.0; n as usize],
            pending: 0,
            period_count: 0,
            above: 0,
            below: 0,
            ticking: false,
            paused_at: None,
            created: n as u64,
            peak: n as u64,
            billed_usd: 0.0,
            billed_s: 0.0,
            scale_outs: Vec::new(),
        }
    }

    fn held(&self) -> u64 {
        self.held_since.len() as u64
    }

    fn retire(&mut self, now: f64) {
        if let Some(since) = self.held_since.pop() {
            let held = now - since;
            self.billed_usd += self.d.offer.billing.instance_usd(held);
            self.billed_s += held;
        }
    }

    fn tick(&mut self, now: f64, sim: &mut Sim) {
        let p = self.policy;
        let arrived = self.period_count;
        let per_min = self.period_count as f64 * 60.0 / p.metric_period_s;
        self.period_count = 0;
        let serving = self.pool.instances.max(1) as f64;
        let needed = ((per_min / p.target_per_instance_per_min).ceil() as u32)
            .clamp(p.min_instances.max(1), p.max_instances.max(1));
        if per_min / serving > p.target_per_instance_per_min {
            self.above += 1;
            self.below = 0;
        } else if needed < self.pool.instances {
            self.below += 1;
            self.above = 0;
        } else {
            self.above = 0;
            self.below = 0;
        }
        let have = self.pool.instances + self.pending;
        if self.above >= p.scale_out_periods && needed > have {
            let add = needed - have;
            for _ in 0..add {
                self.held_since.push(now);
                sim.rec.instance_started(now);
                sim.at(now + p.provisioning_delay_s, EventKind::Ready, 0, NO_JOB);
            }
            self.pending += add;
            self.created += add as u64;
            self.peak = self.peak.max(self.held());
            self.scale_outs.push((now, add));
            sim.rec.instances(now, self.held());
            self.above = 0;
        }
        if self.below >= p.scale_in_periods {
            while self.pool.instances > needed && self.pool.remove_instance() {
                self.retire(now);
            }
            sim.rec.instances(now, self.held());
            self.below = 0;
        }
        let busy = self.pool.busy() > 0 || self.pool.queued() > 0 || self.pending > 0;
        // At rest (nothing arrived, nothing running, at the size it needs, no
        // scaling under way) every further tick until the next arrival is a
        // no-op: pause, and let `arrive` resume on the same grid.
        let at_rest = arrived == 0 && !busy && self.above == 0 && self.below == 0;
        if (!sim.arrivals_done && !at_rest) || busy {
            sim.at(now + p.metric_period_s, EventKind::Tick, 0, NO_JOB);
        } else {
            self.ticking = false;
            self.paused_at = (!sim.arrivals_done).then_some(now);
        }
    }
}

impl Platform for Managed {
    fn arrive(&mut self, now: f64, job: Job, sim: &mut Sim) {
        if !self.ticking {
            self.ticking = true;
            let period = self.policy.metric_period_s;
            let next = match self.paused_at.take() {
                // The first grid point after `now`, as if the ticks had run on.
                Some(last) => last + period * (((now - last) / period).floor() + 1.0),
                None => now + period,
            };
            sim.at(next, EventKind::Tick, 0, NO_JOB);
        }
        self.period_count += job.n as u64;
        self.pool.arrive(&self.d, now, job, sim);
    }

    fn fire(&mut self, ev: Event, sim: &mut Sim) {
        match ev.kind {
            EventKind::Done => self.pool.done(&self.d, ev.t, ev.inst, ev.job, sim),
            EventKind::Ready => {
                self.pending -= 1;
                self.pool.add_instance();
                sim.rec.instances(ev.t, self.held());
                self.pool.pull(&self.d, ev.t, sim);
            }
            EventKind::Tick => self.tick(ev.t, sim),
        }
    }

    fn finish(&mut self, end: f64, sim: &mut Sim) -> Facts {
        sim.rec
            .instances(0.0, self.policy.min_instances.max(1) as u64);
        let at_end = self.held();
        while !self.held_since.is_empty() {
            self.retire(end);
        }
        let capacity_s = self.billed_s * self.pool.workers_per_instance as f64;
        let utilisation = if capacity_s > 0.0 {
            (self.pool.busy_s / capacity_s).min(1.0)
        } else {
            0.0
        };
        let mut notes = self.d.notes.clone();
        for (t, n) in &self.scale_outs {
            notes.push(format!(
                "autoscaling launched {n} instance(s) at {t:.0} s, serving from {:.0} s",
                t + self.policy.provisioning_delay_s
            ));
        }
        Facts {
            cost: CostBreakdown {
                compute_usd: self.billed_usd * utilisation,
                requests_usd: 0.0,
                access_usd: 0.0,
                idle_usd: self.billed_usd * (1.0 - utilisation),
            },
            instances_created: self.created,
            cold_starts: 0,
            peak_instances: self.peak,
            instances_at_end: at_end,
            utilisation,
            instance_s: self.billed_s,
            avg_wait_s: self.pool.avg_wait_s(),
            notes,
            ..Facts::default()
        }
    }
}
