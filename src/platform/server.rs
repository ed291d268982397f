//! Self-rented servers: a fixed number of instances, each with its workers,
//! in front of one FIFO queue (see [`Pool`]).
//!
//! What happens under overload follows the offer's queue policy: `drop`
//! refuses connections once the queue is full (the study's AWS servers
//! failed requests), `wait` lets them wait until they time out (its GCP
//! server had "virtually no failures ... but latency exceeded 10 s").
//! Instances are billed for the whole run, as the study estimated the cost of
//! hourly-billed systems from the hourly price and the run's duration.

use super::pool::Pool;
use super::Derived;
use crate::outcome::{CostBreakdown, Facts, FailureReason};
use crate::sim::engine::{Event, EventKind, Job, Platform, Sim};

/// The server platform model.
pub struct Server {
    d: Derived,
    pool: Pool,
}

impl Server {
    /// A server of `d`'s offer with `instances` instances (at least one).
    pub fn new(d: Derived, instances: u32) -> Self {
        let n = instances.max(1);
        let pool = Pool::new(&d, n, FailureReason::Dropped);
        Server { d, pool }
    }
}

impl Platform for Server {
    fn arrive(&mut self, now: f64, job: Job, sim: &mut Sim) {
        self.pool.arrive(&self.d, now, job, sim);
    }

    fn fire(&mut self, ev: Event, sim: &mut Sim) {
        debug_assert_eq!(ev.kind, EventKind::Done);
        self.pool.done(&self.d, ev.t, ev.job, sim);
    }

    fn finish(&mut self, end: f64, sim: &mut Sim) -> Facts {
        let n = self.pool.instances as u64;
        sim.rec.instances(0.0, n);
        sim.rec.instances(end, n);
        let held = end.max(0.0);
        let billed = self.d.offer.billing.instance_usd(held) * n as f64;
        let capacity_s = held * (self.pool.workers_per_instance as u64 * n) as f64;
        let utilisation = if capacity_s > 0.0 {
            (self.pool.busy_s / capacity_s).min(1.0)
        } else {
            0.0
        };
        Facts {
            cost: CostBreakdown {
                compute_usd: billed * utilisation,
                requests_usd: 0.0,
                access_usd: 0.0,
                idle_usd: billed * (1.0 - utilisation),
            },
            instances_created: n,
            cold_starts: 0,
            peak_instances: n,
            instances_at_end: n,
            utilisation,
            instance_s: held * n as f64,
            avg_wait_s: self.pool.avg_wait_s(),
            notes: self.d.notes.clone(),
        }
    }
}
