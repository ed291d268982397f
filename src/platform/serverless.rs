//! Serverless functions: an instance per concurrent request (or up to N per
//! instance, as Cloud Run allows), started on demand, reclaimed when idle.
//!
//! How a request is admitted (PAPER.md, "Serverless model serving" and
//! "Findings"):
//! 1. an idle warm instance takes it (the most recently used first, so the
//!    least recently used ones are the ones that expire);
//! 2. with concurrency N > 1, a warm instance with room takes it, else one
//!    that is still starting;
//! 3. else a new instance starts, if the concurrency limit and the scaling
//!    rate (a token bucket: `burst`, then `new_per_s`) allow, and the request
//!    waits for its cold start; requests that arrive while instances are still
//!    starting start more of them, which is how long cold starts over-provision
//!    at a burst (the study's Cloud Functions);
//! 4. else it is throttled (fails, as HTTP 429 does).
//!
//! An instance idle for `keep_alive_s` is reclaimed. Billing follows the
//! offer: per invocation (rounded run time x memory), per active instance time,
//! plus provisioned concurrency when the scenario asks for it.

use super::cold_start::ColdStartPhases;
use super::Derived;
use crate::outcome::{CostBreakdown, Facts, FailureReason};
use crate::pricing::billing::{round_up, steps};
use crate::pricing::{Billing, Offer, Usage};
use crate::sim::engine::{Event, EventKind, Job, Platform, Sim};
use crate::sim::sampler::Sampler;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
struct Inst {
    /// When it can serve (creation + cold start).
    ready_at: f64,
    /// Requests admitted (running or waiting on this instance).
    inflight: u32,
    /// Requests running.
    running: u32,
    /// Jobs waiting on this instance (for its start, or for a free worker).
    waiting: VecDeque<Job>,
    /// Since when it has had requests in flight (active-time billing).
    active_since: f64,
    /// Since when it has been idle.
    idle_since: f64,
    /// Whether the next job it runs is its first (cold) one.
    first: bool,
    /// Provisioned instances never expire and bill differently.
    provisioned: bool,
    /// When it was created.
    born: f64,
    alive: bool,
}

/// The serverless platform model.
pub struct Serverless {
    d: Derived,
    cold: ColdStartPhases,
    cold_sampler: Option<Sampler>,
    keep_alive_s: f64,
    max_instances: u32,
    burst: f64,
    new_per_s: f64,
    tokens: f64,
    tokens_at: f64,
    workers: u32,
    admit: u32,
    insts: Vec<Inst>,
    /// Idle on-demand instances, oldest first (concurrency 1 fast path).
    idle: VecDeque<(u32, f64)>,
    /// Idle provisioned instances.
    idle_provisioned: Vec<u32>,
    /// Live instance ids (concurrency > 1 path).
    live: Vec<u32>,
    alive: u64,
    starting: u32,
    peak: u64,
    created: u64,
    cold_starts: u64,
    cost: CostBreakdown,
    busy_s: f64,
    billed_s: f64,
    life_s: f64,
    wait_s: f64,
    started: u64,
    provisioned: u32,
    handover_s: f64,
    per_request_usd: f64,
    per_invocation: bool,
    init_billed: bool,
    has_provisioned_rate: bool,
    granule_s: f64,
    steps_on_demand: f64,
    steps_provisioned: f64,
    requests: u64,
    /// Billed active time of active-instance billing, s.
    active_billed_s: f64,
    /// Whether new instances resume from a SnapStart snapshot.
    snapstart: bool,
    /// Instances resumed from the snapshot (each pays a restore).
    restores: u64,
    /// Whether instances are billed for their whole life (Cloud Run's
    /// instance-based billing) instead of while they serve.
    lifetime: bool,
    /// GPUs of one instance, billed per second under instance-based billing.
    gpus: u32,
}

/// Settings of a serverless run beyond the offer.
#[derive(Debug, Clone, Default)]
pub struct ServerlessOptions {
    /// Replaces a cold request's whole run (cold start and service).
    pub cold: Option<Sampler>,
    /// Instances kept initialised and billed all the time (provisioned concurrency).
    pub provisioned: u32,
    /// Instances warm and idle at the start, as a previous run would leave
    /// them: they expire like any other and are not counted as created.
    pub prewarm: u32,
    /// `instances_at_end` counts the instances still alive this long after
    /// the run ends, for chaining runs with a pause between them.
    pub handover_s: f64,
    /// New instances resume from a SnapStart snapshot, where the offer has
    /// SnapStart (see [`super::snapstart`]).
    pub snapstart: bool,
    /// Instances are billed for their whole life where the offer has
    /// instance-based billing (Cloud Run); offers billed only so are
    /// billed so without it.
    pub instance_billing: bool,
}

impl Serverless {
    /// A serverless model of `d.offer`.
    pub fn new(d: Derived, opts: ServerlessOptions) -> Self {
        let ServerlessOptions {
            cold: cold_override,
            provisioned,
            prewarm,
            handover_s,
            snapstart,
            instance_billing,
        } = opts;
        let offer: &Offer = &d.offer;
        let b = &offer.behaviour;
        let scaling = b.scaling.unwrap_or(crate::pricing::ScalingLimits {
            max_instances: u32::MAX,
            burst: u32::MAX,
            new_per_s: f64::INFINITY,
        });
        let admit = b.concurrency_per_instance.max(1);
        let workers = d.slots.parallel;
        // SnapStart and provisioned concurrency exclude each other (snapstart.html).
        let snapstart = snapstart && provisioned == 0 && super::snapstart::offered(offer);
        let cold = ColdStartPhases::new(&d.profile, offer, d.vcpu).with_snapstart(offer, snapstart);
        let lifetime = offer
            .billing
            .instance()
            .is_some_and(|i| i.required || instance_billing);
        let gpus = offer.spec.gpu.as_ref().map_or(0, |g| g.count);
        let mut me = Serverless {
            keep_alive_s: b.keep_alive_s.unwrap_or(f64::INFINITY),
            max_instances: scaling.max_instances.max(1),
            burst: scaling.burst as f64,
            new_per_s: scaling.new_per_s,
            tokens: scaling.burst as f64,
            tokens_at: 0.0,
            workers,
            admit,
            cold,
            cold_sampler: cold_override,
            d,
            insts: Vec::new(),
            idle: VecDeque::new(),
            idle_provisioned: Vec::new(),
            live: Vec::new(),
            alive: 0,
            starting: 0,
            peak: 0,
            created: 0,
            cold_starts: 0,
            cost: CostBreakdown::default(),
            busy_s: 0.0,
            billed_s: 0.0,
            life_s: 0.0,
            wait_s: 0.0,
            started: 0,
            provisioned,
            handover_s,
            per_request_usd: 0.0,
            per_invocation: false,
            init_billed: false,
            has_provisioned_rate: false,
            granule_s: 1.0,
            steps_on_demand: 0.0,
            steps_provisioned: 0.0,
            requests: 0,
            active_billed_s: 0.0,
            snapstart,
            restores: 0,
            lifetime,
            gpus,
        };
        let b = &me.d.offer.billing;
        // Instance-based billing has no per-request fee.
        me.per_request_usd = if lifetime { 0.0 } else { b.per_request_usd() };
        me.per_invocation = matches!(b, Billing::Invocation { .. });
        me.init_billed = b.init_billed();
        me.has_provisioned_rate = b.provisioned_invocation_usd(1.0, 1024.0).is_some();
        me.granule_s = b.granularity_s().max(1e-9);
        for _ in 0..prewarm {
            let id = me.spawn(0.0, 0.0, false);
            me.insts[id as usize].first = false;
            me.created -= 1;
            if me.admit == 1 {
                me.idle.push_back((id, 0.0));
            }
        }
        for _ in 0..provisioned {
            let id = me.spawn(0.0, 0.0, true);
            me.insts[id as usize].first = false;
            if me.admit == 1 {
                me.idle_provisioned.push(id);
            }
        }
        me
    }

    /// The cold start phases this model uses.
    pub fn cold_start(&self) -> ColdStartPhases {
        self.cold
    }

    fn spawn(&mut self, now: f64, ready_at: f64, provisioned: bool) -> u32 {
        let id = self.insts.len() as u32;
        self.insts.push(Inst {
            ready_at,
            inflight: 0,
            running: 0,
            waiting: VecDeque::new(),
            active_since: now,
            idle_since: now,
            first: true,
            provisioned,
            born: now,
            alive: true,
        });
        self.alive += 1;
        self.created += 1;
        self.peak = self.peak.max(self.alive);
        if self.admit > 1 {
            self.live.push(id);
        }
        id
    }

    /// Takes a scaling token if one is left at `now`.
    fn take_token(&mut self, now: f64) -> bool {
        if self.new_per_s.is_finite() {
            self.tokens =
                (self.tokens + (now - self.tokens_at) * self.new_per_s).min(self.burst.max(1.0));
            self.tokens_at = now;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Reclaims instances idle for longer than the keep-alive.
    #[inline]
    fn expire(&mut self, now: f64, sim: &mut Sim) {
        while let Some(&(id, since)) = self.idle.front() {
            let at = since + self.keep_alive_s;
            if at > now {
                break;
            }
            self.idle.pop_front();
            self.kill(id, at, sim);
        }
        if self.admit > 1 {
            let mut i = 0;
            while i < self.live.len() {
                let id = self.live[i];
                let inst = &self.insts[id as usize];
                let at = inst.idle_since + self.keep_alive_s;
                if inst.inflight == 0 && !inst.provisioned && at <= now {
                    self.live.swap_remove(i);
                    self.kill(id, at, sim);
                } else {
                    i += 1;
                }
            }
        }
    }

    fn kill(&mut self, id: u32, at: f64, sim: &mut Sim) {
        let life = at - self.insts[id as usize].born;
        self.life_s += life;
        if self.lifetime {
            self.bill_life(life, self.insts[id as usize].provisioned);
        }
        self.insts[id as usize].alive = false;
        // Free the queue's memory; the slot stays so ids remain stable.
        self.insts[id as usize].waiting = VecDeque::new();
        self.alive -= 1;
        sim.rec.instances(at, self.alive);
    }

    /// An instance able to take a job now, if any (warm ones first).
    fn find(&mut self, now: f64) -> Option<u32> {
        if let Some(id) = self.idle_provisioned.pop() {
            return Some(id);
        }
        if self.admit == 1 {
            return self.idle.pop_back().map(|(id, _)| id);
        }
        // The least loaded warm instance with room, as a load balancer
        // spreading requests would pick; else one still starting.
        let mut warm: Option<(u32, u32)> = None;
        let mut starting = None;
        for &id in &self.live {
            let inst = &self.insts[id as usize];
            if inst.inflight >= self.admit {
                continue;
            }
            if inst.ready_at <= now {
                if warm.is_none_or(|(_, load)| inst.inflight < load) {
                    warm = Some((id, inst.inflight));
                }
            } else {
                starting.get_or_insert(id);
            }
        }
        warm.map(|(id, _)| id).or(starting)
    }

    fn admit_job(&mut self, id: u32, now: f64, job: Job, sim: &mut Sim) {
        let inst = &mut self.insts[id as usize];
        if inst.inflight == 0 {
            inst.active_since = now.max(inst.active_since);
        }
        inst.inflight += 1;
        if inst.ready_at > now || inst.running >= self.workers {
            inst.waiting.push_back(job);
            if inst.ready_at > now {
                self.cold_starts += job.n as u64;
            }
        } else {
            self.start(id, now, job, sim);
        }
    }

    fn start(&mut self, id: u32, now: f64, job: Job, sim: &mut Sim) {
        self.wait_s += now - job.dispatch;
        self.started += 1;
        let inst = &mut self.insts[id as usize];
        inst.running += 1;
        let first = std::mem::replace(&mut inst.first, false);
        let run = match (&self.cold_sampler, first) {
            // A synthetic cold service time stands for the whole cold run.
            (Some(s), true) => s.sample(&mut sim.rng),
            // The first inference pays a warm-up on top of a warm run.
            (None, true) => {
                self.d.service(job.n, &mut sim.rng)
                    + (self.cold.first_inference_s - self.d.warm_mean_s(1)).max(0.0)
            }
            (_, false) => self.d.service(job.n, &mut sim.rng),
        };
        // The study's handler downloads and loads the model inside the first
        // invocation, so that part is billed with it; the import before the
        // handler only where the offer bills initialisation.
        let (init_s, handler_s) = if first && self.cold_sampler.is_none() {
            (self.cold.billable_init_s(), self.cold.in_handler_s() + run)
        } else {
            (0.0, run)
        };
        let provisioned = inst.provisioned;
        self.bill_invocation(init_s, handler_s, provisioned);
        self.busy_s += run;
        sim.at(now + run, EventKind::Done, id, job);
    }

    /// Counts the billing steps of one invocation; the steps are priced
    /// once at the end ([`Self::settle_invocations`]), which keeps the
    /// per-request path free of the billing rules' branching.
    #[inline]
    fn bill_invocation(&mut self, init_s: f64, run_s: f64, provisioned: bool) {
        if !self.per_invocation {
            return;
        }
        let billed = if self.init_billed {
            init_s + run_s
        } else {
            run_s
        };
        let n = steps(billed, self.granule_s).max(1.0);
        self.billed_s += n * self.granule_s;
        if provisioned && self.has_provisioned_rate {
            self.steps_provisioned += n;
        } else {
            self.steps_on_demand += n;
        }
    }

    /// Prices the invocations' billing steps (see [`Self::bill_invocation`]).
    fn settle_invocations(&mut self) {
        let b = &self.d.offer.billing;
        let (mem, vcpu) = (self.d.memory_mb, self.d.vcpu);
        if self.steps_on_demand > 0.0 {
            self.cost.compute_usd +=
                b.invocation_usd(self.steps_on_demand * self.granule_s, mem, vcpu);
        }
        if self.steps_provisioned > 0.0 {
            self.cost.compute_usd += b
                .provisioned_invocation_usd(self.steps_provisioned * self.granule_s, mem)
                .unwrap_or(0.0);
        }
        self.cost.requests_usd = self.per_request_usd * self.requests as f64;
    }

    /// Adds SnapStart's charges of a run that ended at `end`: a restore per
    /// instance started, and the snapshot of one version cached for the
    /// whole run (at least the billed minimum); says what they came to.
    fn bill_snapstart(&mut self, end: f64) -> String {
        let b = &self.d.offer.billing;
        let mem = self.d.memory_mb;
        let restore = b.snapstart_restore_usd(mem).unwrap_or(0.0) * self.restores as f64;
        let cache = b.snapstart_cache_usd(end, mem).unwrap_or(0.0);
        self.cost.compute_usd += restore;
        self.cost.idle_usd += cache;
        format!(
            "SnapStart: {} instances restored in {:.2} s each instead of initialised; restores ${restore:.6}, snapshot cached for the run ${cache:.6}",
            self.restores,
            self.cold.until_ready_s()
        )
    }

    /// The cold start as modelled, phase by phase.
    fn cold_note(&self) -> String {
        let c = &self.cold;
        if self.snapstart {
            return format!(
                "cold start modelled at {:.2} s (SnapStart restore {:.2} + first inference {:.3})",
                c.total_s(),
                c.until_ready_s(),
                c.first_inference_s
            );
        }
        format!(
            "cold start modelled at {:.2} s (init {:.2} + import {:.2} + download {:.2} + load {:.2} + first inference {:.3})",
            c.total_s(),
            c.container_init_s,
            c.import_s,
            c.download_s,
            c.model_load_s,
            c.first_inference_s
        )
    }

    fn bill_active(&mut self, id: u32, now: f64) {
        if self.lifetime {
            // Billed by its life when it ends (`bill_life`).
            return;
        }
        let inst = &self.insts[id as usize];
        let b = &self.d.offer.billing;
        if let Billing::ActiveInstance { granularity_s, .. } = b {
            let active = (now - inst.active_since).max(0.0);
            let (mem, vcpu) = (self.d.memory_mb, self.d.vcpu);
            // A provisioned instance serves at the provisioned duration
            // rate where the offer has one (SageMaker Serverless).
            let provisioned = inst
                .provisioned
                .then(|| b.provisioned_active_usd(active, mem))
                .flatten();
            match provisioned {
                Some(usd) => self.cost.compute_usd += usd,
                None => {
                    self.active_billed_s += round_up(active, *granularity_s);
                    self.cost.compute_usd += b.active_usd(active, mem, vcpu);
                }
            }
            self.billed_s += round_up(active, *granularity_s);
        }
    }

    /// Bills one instance's `life_s` under instance-based billing: the
    /// minimum (kept) instances' life as idle cost, billed all month like
    /// provisioned concurrency; the others' as compute, which scales with
    /// the traffic.
    fn bill_life(&mut self, life_s: f64, kept: bool) {
        let b = &self.d.offer.billing;
        let usd = b
            .lifetime_usd(life_s, self.d.memory_mb, self.d.vcpu, self.gpus)
            .unwrap_or(0.0);
        self.billed_s += round_up(life_s, b.granularity_s());
        if kept {
            self.cost.idle_usd += usd;
        } else {
            self.cost.compute_usd += usd;
        }
    }

    /// What instance-based billing came to, for the notes.
    fn lifetime_note(&self) -> Option<String> {
        let i = self.d.offer.billing.instance().filter(|_| self.lifetime)?;
        Some(format!(
            "instance-based billing{}: {} instances billed for {:.0} s of life at ${}/vCPU-s + ${}/GiB-s{}, no per-request fee; compute ${:.6}, minimum instances ${:.6}",
            if i.required { " (the only billing with a GPU)" } else { "" },
            self.created,
            self.life_s,
            crate::pricing::summary::sig(i.per_vcpu_s_usd, 6),
            crate::pricing::summary::sig(i.per_gib_s_usd, 6),
            if self.gpus > 0 {
                format!(" + ${}/GPU-s", crate::pricing::summary::sig(i.per_gpu_s_usd, 6))
            } else {
                String::new()
            },
            self.cost.compute_usd,
            self.cost.idle_usd
        ))
    }
}

impl Serverless {
    /// Starts a new instance if the limits allow: its id and cold-start delay.
    fn start_instance(&mut self, now: f64, job: Job, sim: &mut Sim) -> Option<(u32, f64)> {
        if self.alive >= self.max_instances as u64 || !self.take_token(now) {
            return None;
        }
        // A synthetic cold run stands for the whole cold start.
        let delay = if self.cold_sampler.is_some() {
            0.0
        } else {
            self.cold.until_ready_s()
        };
        let ready = now + delay;
        let id = self.spawn(now, ready, false);
        self.starting += 1;
        self.restores += u64::from(self.snapstart);
        sim.rec.instance_started(now);
        sim.rec.instances(now, self.alive);
        sim.at(ready, EventKind::Ready, id, job);
        Some((id, delay))
    }
}

impl Platform for Serverless {
    fn arrive(&mut self, now: f64, job: Job, sim: &mut Sim) {
        self.requests += job.n as u64;
        self.expire(now, sim);
        if let Some(id) = self.find(now) {
            let inst = &self.insts[id as usize];
            // Instances that take many requests (Cloud Run) are scaled out
            // when the chosen one has no idle worker left, as an autoscaler
            // watching CPU would; the request does not wait for the new one.
            let saturated = inst.ready_at <= now && inst.running >= self.workers;
            if self.admit > 1 && saturated && self.starting == 0 {
                self.start_instance(now, job, sim);
            }
            self.admit_job(id, now, job, sim);
            return;
        }
        let Some((id, delay)) = self.start_instance(now, job, sim) else {
            sim.fail(job, now, FailureReason::Throttled);
            return;
        };
        if delay == 0.0 {
            // A synthetic cold run starts at once; it is still a cold start.
            self.cold_starts += job.n as u64;
        }
        self.admit_job(id, now, job, sim);
    }

    fn fire(&mut self, ev: Event, sim: &mut Sim) {
        let now = ev.t;
        let id = ev.inst;
        match ev.kind {
            EventKind::Ready => {
                self.starting -= 1;
                while self.insts[id as usize].running < self.workers {
                    let Some(job) = self.insts[id as usize].waiting.pop_front() else {
                        break;
                    };
                    self.start(id, now, job, sim);
                }
            }
            EventKind::Done => {
                sim.complete(ev.job, now);
                let next = {
                    let inst = &mut self.insts[id as usize];
                    inst.running -= 1;
                    inst.inflight -= 1;
                    inst.waiting.pop_front()
                };
                if let Some(job) = next {
                    self.start(id, now, job, sim);
                    return;
                }
                if self.insts[id as usize].inflight > 0 {
                    return;
                }
                self.bill_active(id, now);
                let inst = &mut self.insts[id as usize];
                inst.idle_since = now;
                if self.admit == 1 {
                    if inst.provisioned {
                        self.idle_provisioned.push(id);
                    } else {
                        self.idle.push_back((id, now));
                    }
                }
                self.expire(now, sim);
            }
            // Functions scale per request, with no metric periods to end.
            EventKind::Tick => {}
        }
    }

    fn finish(&mut self, end: f64, sim: &mut Sim) -> Facts {
        // Instances idle at the end would expire after the run; their idle
        // time is not billed on demand, and they count until the end only.
        self.expire(end, sim);
        let handover = end + self.handover_s;
        let at_end = self
            .insts
            .iter()
            .filter(|i| {
                i.alive
                    && (i.inflight > 0
                        || i.provisioned
                        || i.idle_since + self.keep_alive_s > handover)
            })
            .count() as u64;
        for id in 0..self.insts.len() as u32 {
            if self.insts[id as usize].alive {
                self.kill(id, end, sim);
            }
        }
        self.settle_invocations();
        if self.provisioned > 0 {
            if let Some(usd) = self.d.offer.billing.provisioned_usd(end, self.d.memory_mb) {
                self.cost.idle_usd += self.provisioned as f64 * usd;
                self.billed_s += self.provisioned as f64 * end;
            }
        }
        let mut notes = self.d.notes.clone();
        notes.extend(self.lifetime_note());
        if self.snapstart {
            notes.push(self.bill_snapstart(end));
        }
        notes.extend(super::cold_start::package_note(
            &self.d.profile,
            &self.d.offer,
        ));
        notes.push(self.cold_note());
        Facts {
            cost: self.cost,
            instances_created: self.created,
            cold_starts: self.cold_starts,
            peak_instances: self.peak,
            instances_at_end: at_end,
            utilisation: if self.billed_s > 0.0 {
                (self.busy_s / self.billed_s).min(1.0)
            } else {
                0.0
            },
            instance_s: self.life_s,
            avg_wait_s: if self.started > 0 {
                self.wait_s / self.started as f64
            } else {
                0.0
            },
            notes,
            interruptions: 0,
            usage: self.usage(),
        }
    }
}

impl Serverless {
    /// The run's billed quantities: requests, and the on-demand GB-seconds
    /// (invocation billing) or vCPU- and GiB-seconds (active-instance
    /// billing) that a free allowance and volume tiers apply to.
    fn usage(&self) -> Usage {
        let gb = self.d.memory_mb / 1024.0;
        let mut u = Usage {
            requests: self.requests as f64,
            ..Usage::default()
        };
        match &self.d.offer.billing {
            Billing::Invocation { cpu_ghz, .. } => {
                let s = self.steps_on_demand * self.granule_s;
                u.gb_s = s * gb;
                u.ghz_s = s * cpu_ghz;
            }
            // Instance-based billing's allowance is not the request-based
            // one `FreeTier` holds: none is taken off its life.
            Billing::ActiveInstance { .. } if !self.lifetime => {
                u.vcpu_s = self.active_billed_s * self.d.vcpu;
                u.gib_s = self.active_billed_s * gb;
            }
            Billing::ActiveInstance { .. } => {}
            Billing::Hourly { .. } => {}
        }
        u
    }
}
