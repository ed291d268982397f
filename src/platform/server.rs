//! Self-rented servers: a fixed number of instances, each with its workers,
//! in front of one FIFO queue (see [`Pool`]).
//!
//! What happens under overload follows the offer's queue policy: `drop`
//! refuses connections once the queue is full (the study's AWS servers
//! failed requests), `wait` lets them wait until they time out (its GCP
//! server had "virtually no failures ... but latency exceeded 10 s").
//! Instances are billed for the whole run, as the study estimated the cost of
//! hourly-billed systems from the hourly price and the run's duration.
//!
//! On spot capacity ([`Interruptions`]) the provider reclaims instances at
//! the offer's interruption rate: the requests running on a reclaimed
//! instance fail (the server is not assumed to drain them during the
//! provider's notice), queued requests wait for the other instances, and a
//! replacement serves after the offer's replacement delay.

use super::pool::Pool;
use super::Derived;
use crate::outcome::{CostBreakdown, Facts, FailureReason};
use crate::sim::engine::{Event, EventKind, Job, Platform, Sim, NO_SLOT};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The server platform model.
pub struct Server {
    d: Derived,
    pool: Pool,
    spot: Option<Interruptions>,
    /// The last arrival or completion: what is billed when an interruption
    /// event outlives the traffic.
    last_s: f64,
}

/// When each instance of a spot server is next reclaimed.
///
/// Interruptions arrive as a Poisson process per instance (exponential
/// gaps at the offer's rate), drawn from their own generator seeded from the
/// run's seed, so a spot run that sees no interruption is the on-demand run
/// exactly. An interruption is handed to the engine only once the traffic
/// comes within [`SCHEDULE_AHEAD_S`] of it, and none after the last
/// arrival, so none keeps a finished run going.
struct Interruptions {
    per_s: f64,
    replacement_s: f64,
    next: Vec<f64>,
    queued: Vec<bool>,
    rng: SmallRng,
    count: u64,
    down_s: f64,
    started: bool,
}

/// How far ahead of the traffic interruptions are scheduled, s.
const SCHEDULE_AHEAD_S: f64 = 60.0;

/// Salt of the interruptions' generator, apart from the service times'.
const SPOT_SALT: u64 = 0x5107_1e55_0f5e_ed01;

const NO_JOB: Job = Job {
    dispatch: 0.0,
    arrival: 0.0,
    n: 0,
    slot: NO_SLOT,
};

impl Interruptions {
    fn gap(&mut self) -> f64 {
        let u: f64 = self.rng.random_range(f64::MIN_POSITIVE..1.0);
        -u.ln() / self.per_s
    }
}

impl Server {
    /// A server of `d`'s offer with `instances` instances (at least one);
    /// `seed` draws a spot offer's interruptions.
    pub fn new(d: Derived, instances: u32, seed: u64) -> Self {
        let n = instances.max(1);
        let mut pool = Pool::new(&d, n, FailureReason::Dropped);
        let spot = d.offer.bought.as_ref().and_then(|p| {
            let rate = p.interruptions_per_hour.filter(|r| *r > 0.0)?;
            Some(Interruptions {
                per_s: rate / 3600.0,
                replacement_s: p.replacement_s.unwrap_or(0.0).max(0.0),
                next: vec![f64::INFINITY; n as usize],
                queued: vec![false; n as usize],
                rng: SmallRng::seed_from_u64(seed ^ SPOT_SALT),
                count: 0,
                down_s: 0.0,
                started: false,
            })
        });
        if spot.is_some() {
            pool.track_instances();
        }
        Server {
            d,
            pool,
            spot,
            last_s: 0.0,
        }
    }

    /// Hands the engine the interruptions due within a timeout of `now`.
    fn schedule_interruptions(&mut self, now: f64, sim: &mut Sim) {
        let Some(s) = self.spot.as_mut() else {
            return;
        };
        if sim.arrivals_done {
            return;
        }
        if !s.started {
            s.started = true;
            for i in 0..s.next.len() {
                s.next[i] = s.gap();
            }
        }
        let horizon = now + SCHEDULE_AHEAD_S;
        for i in 0..s.next.len() {
            if !s.queued[i] && s.next[i] <= horizon {
                s.queued[i] = true;
                sim.at(s.next[i], EventKind::Tick, i as u32, NO_JOB);
            }
        }
    }

    fn interrupt(&mut self, idx: usize, t: f64, sim: &mut Sim) {
        let Some(s) = self.spot.as_mut() else {
            return;
        };
        s.queued[idx] = false;
        if self.pool.reclaim(idx, t, sim) {
            s.count += 1;
            s.down_s += s.replacement_s;
            s.next[idx] = f64::INFINITY;
            sim.at(t + s.replacement_s, EventKind::Ready, idx as u32, NO_JOB);
        }
    }

    fn replaced(&mut self, idx: usize, t: f64, sim: &mut Sim) {
        self.pool.replace(idx, &self.d, t, sim);
        if let Some(s) = self.spot.as_mut() {
            s.next[idx] = t + s.gap();
        }
        self.schedule_interruptions(t, sim);
    }
}

impl Platform for Server {
    fn arrive(&mut self, now: f64, job: Job, sim: &mut Sim) {
        self.last_s = now;
        self.schedule_interruptions(now, sim);
        self.pool.arrive(&self.d, now, job, sim);
    }

    fn fire(&mut self, ev: Event, sim: &mut Sim) {
        match ev.kind {
            EventKind::Done => {
                self.last_s = ev.t;
                self.pool.done(&self.d, ev.t, ev.inst, ev.job, sim);
            }
            EventKind::Tick => self.interrupt(ev.inst as usize, ev.t, sim),
            EventKind::Ready => self.replaced(ev.inst as usize, ev.t, sim),
        }
    }

    fn finish(&mut self, end: f64, sim: &mut Sim) -> Facts {
        let n = self.pool.instances_at_start() as u64;
        sim.rec.instances(0.0, n);
        sim.rec.instances(end, n);
        let held = self.last_s.min(end).max(0.0);
        let (interruptions, down_s) = self
            .spot
            .as_ref()
            .map(|s| (s.count, s.down_s.min(held * n as f64)))
            .unwrap_or((0, 0.0));
        let hourly = self.d.offer.billing.hourly_usd().unwrap_or(0.0);
        let billed = (self.d.offer.billing.instance_usd(held) * n as f64
            - hourly * down_s / 3600.0)
            .max(0.0);
        let capacity_s = held * (self.pool.workers_per_instance as u64 * n) as f64;
        let utilisation = if capacity_s > 0.0 {
            (self.pool.busy_s / capacity_s).min(1.0)
        } else {
            0.0
        };
        let mut notes = self.d.notes.clone();
        if let Some(s) = &self.spot {
            notes.push(format!(
                "spot: {interruptions} interruption(s) at {:.2e} per instance-hour, each replaced after {:.0} s",
                s.per_s * 3600.0,
                s.replacement_s
            ));
        }
        Facts {
            cost: CostBreakdown {
                compute_usd: billed * utilisation,
                requests_usd: 0.0,
                access_usd: 0.0,
                idle_usd: billed * (1.0 - utilisation),
            },
            instances_created: n + interruptions,
            cold_starts: 0,
            peak_instances: n,
            instances_at_end: n,
            utilisation,
            instance_s: held * n as f64 - down_s,
            avg_wait_s: self.pool.avg_wait_s(),
            notes,
            interruptions,
            ..Facts::default()
        }
    }
}
