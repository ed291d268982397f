//! The advice, phase by phase. Each phase simulates its options in parallel
//! on all cores; a phase needs the previous one's ranking:
//!
//! 1. every offer as it is, servers and managed endpoints sized for the
//!    trace's peak, and each function at every memory size the model fits
//!    (one `simulate_all` over the in-memory trace);
//! 2. the batching sweep of the best serverless option (and of the best
//!    overall when different), the best function with provisioned
//!    concurrency, each ranked Lambda option with SnapStart, then each
//!    ranked Cloud Run option (batched as the sweep chose, too) billed per
//!    instance life;
//! 3. the leading options under a slower and a faster CPU and at half and
//!    twice the rate, and the steady-rate runs of the break-even curves.

use super::batching;
use super::break_even::{self, CurveSpec};
use super::candidates::{capacity, sized_for_peak, Candidate};
use super::explain::{self, Context};
use super::memory;
use super::month;
use super::purchase;
use super::rank::{self, score, Scored};
use super::reasons::reason;
use super::runtime;
use super::sensitivity::{self, Case, CASES};
use super::target;
use super::uncertainty;
use super::{
    Advice, BatchSweep, BreakEvenCurve, Crossover, Footprint, Group, MemorySweep, MonthBasis,
    Reason, ReasonCode, Request, Sensitivity, WorkloadSummary, PROVENANCE,
};
use crate::bail_input;
use crate::outcome::Outcome;
use crate::platform::snapstart;
use crate::pricing::{Kind, Offer};
use crate::profile::Profile;
use crate::sim;
use crate::workload::stats::DEFAULT_WINDOW_S;
use crate::workload::transform::scale_rate;
use crate::workload::{stats, TraceStats};
use anyhow::Result;
use std::ops::Range;
use std::sync::Arc;

/// Simulates every option for the request and turns the outcomes into [`Advice`].
pub fn advise(req: &Request) -> Result<Advice> {
    check(req)?;
    let w = Workload::of(req);
    let ranking = Candidates::of(req, &w)?.simulate(req, &w)?.rank(req, &w);
    let tuned = Tuned::of(req, &w, ranking)?;
    let tested = Tested::of(req, &w, &tuned)?;
    Ok(explained(req, &w, tuned, tested))
}

/// Refuses requests the phases cannot work on.
fn check(req: &Request) -> Result<()> {
    req.constraints.validate()?;
    if req.trace.times.is_empty() {
        bail_input!("{}: the trace has no requests", req.trace_name);
    }
    if req.trace.times[req.trace.times.len() - 1] <= 0.0 {
        bail_input!(
            "{}: every request arrives at t=0, so the trace has no rate: expected arrival times spread over a duration",
            req.trace_name
        );
    }
    if req.offers.is_empty() {
        bail_input!("no offers to consider: the selection is empty");
    }
    Ok(())
}

/// What every phase reads about the trace and the model.
struct Workload {
    /// 1-second statistics of the trace.
    st1: TraceStats,
    /// The highest 10-second rate, which sizes servers and endpoints.
    peak10: f64,
    /// Variance over mean of the counts per 10-second window, as `trace stats` shows it.
    burstiness: Option<f64>,
    /// The trace's span, seconds.
    duration: f64,
    /// How trace figures become monthly ones.
    basis: MonthBasis,
    /// What the explanations need.
    ctx: Context,
    /// The model's memory needs.
    fp: Footprint,
    /// Whether the load is steady enough for commitments.
    steady: bool,
}

impl Workload {
    fn of(req: &Request) -> Self {
        let times = &req.trace.times;
        let st1 = stats(times.iter().copied(), 1.0);
        let st10 = stats(times.iter().copied(), DEFAULT_WINDOW_S);
        let peak10 = st10.peak_rps_window;
        let duration = times[times.len() - 1].max(1e-9);
        let mut basis = month::basis(st1.requests, duration);
        if let Some(said) = req.offers.first().map(|o| &o.access.statement) {
            if !said.is_empty() {
                basis.statement.push_str("; ");
                basis.statement.push_str(said);
            }
        }
        if req.free_tier {
            basis = month::with_free_tier(basis);
        }
        let ctx = Context {
            profile: req.profile.clone(),
            // The stated default p95 when no latency target was given, so no
            // phase trades latency for a few percent unasked.
            constraints: target::with_default(&req.constraints, &req.profile),
            peak_rps: st1.peak_rps,
            cpu_factor: 1.0,
        };
        Workload {
            peak10,
            burstiness: st10.burstiness,
            duration,
            basis,
            ctx,
            fp: memory::footprint(&req.profile),
            steady: purchase::steady(times).0,
            st1,
        }
    }
}

/// Phase 1's options: every offer as it is, servers and endpoints sized for
/// the peak, and each function at every memory size the model fits.
struct Candidates<'a> {
    list: Vec<Candidate>,
    /// Each function and the memory sizes of its sweep.
    plans: Vec<(&'a Offer, Vec<f64>)>,
}

impl<'a> Candidates<'a> {
    fn of(req: &'a Request, w: &Workload) -> Result<Self> {
        let mut list = Vec::new();
        let mut plans = Vec::new();
        for offer in &req.offers {
            let own = Candidate::default_of(offer);
            let sized = sized_for_peak(offer, &req.profile, w.peak10, 1.0)?;
            let bought = match offer.kind {
                Kind::Serverless => Vec::new(),
                _ => purchase::variants(sized.as_ref().unwrap_or(&own), w.steady),
            };
            list.push(own);
            list.extend(sized);
            list.extend(bought);
            if let (Kind::Serverless, Some(range)) = (offer.kind, offer.spec.memory_range) {
                let sizes = memory::sizes(range, offer.spec.memory_mb);
                for &m in &sizes {
                    let is_default = (m - offer.spec.memory_mb).abs() < 0.5;
                    if m >= w.fp.min_memory_mb && !is_default {
                        list.push(memory::candidate(offer, m));
                    }
                }
                plans.push((offer, sizes));
            }
        }
        Ok(Candidates { list, plans })
    }

    /// Runs every option over the trace (one `simulate_all`, all cores).
    fn simulate(self, req: &Request, w: &Workload) -> Result<Simulated<'a>> {
        let out = run_one_trace(&self.list, &req.trace.times, &req.profile, req.seed)?;
        let simulations = self.list.len();
        let runs = self
            .list
            .into_iter()
            .zip(out)
            .map(|(c, o)| scored(c, o, &w.basis, &w.ctx, &w.fp))
            .collect();
        Ok(Simulated {
            runs,
            plans: self.plans,
            simulations,
        })
    }
}

/// Phase 1's runs, scored.
struct Simulated<'a> {
    runs: Vec<Scored>,
    plans: Vec<(&'a Offer, Vec<f64>)>,
    simulations: usize,
}

impl Simulated<'_> {
    /// The memory sweeps, and the ranked pool: every option but the memory
    /// sweep's, of which only the sizes a sweep chose stay.
    fn rank(self, req: &Request, w: &Workload) -> Ranking {
        let mut memory_sweeps = Vec::new();
        let mut chosen: Vec<(String, f64, &'static str)> = Vec::new();
        for (offer, sizes) in &self.plans {
            let sweep = self.memory_sweep(offer, sizes, w);
            chosen.extend(chosen_sizes(offer, &sweep));
            memory_sweeps.push(sweep);
        }
        let mut pool: Vec<Scored> = Vec::new();
        for s in &self.runs {
            if s.cand.settings.origin != "memory sweep" {
                pool.push(s.clone());
                continue;
            }
            let m = s.cand.settings.memory_mb.unwrap_or(0.0);
            if let Some((_, _, why)) = chosen
                .iter()
                .find(|(o, size, _)| *o == s.cand.offer.id && (*size - m).abs() < 0.5)
            {
                pool.push(with_origin(s, why));
            }
        }
        rank::order(&mut pool, req.constraints.min_success_ratio);
        Ranking {
            pool,
            memory_sweeps,
            simulations: self.simulations,
        }
    }

    fn memory_sweep(&self, offer: &Offer, sizes: &[f64], w: &Workload) -> MemorySweep {
        let runs: Vec<(f64, &Candidate, &Outcome)> = sizes
            .iter()
            .filter_map(|&m| {
                let id = memory::candidate(offer, m).id;
                self.runs
                    .iter()
                    .find(|s| s.cand.id == id)
                    .map(|s| (m, &s.cand, &s.outcome))
            })
            .collect();
        memory::analyse(offer, sizes, &runs, &w.basis, &w.ctx)
    }
}

/// The sizes a memory sweep keeps for the ranking, each with why.
fn chosen_sizes(offer: &Offer, sweep: &MemorySweep) -> Vec<(String, f64, &'static str)> {
    let mut out = Vec::new();
    match (sweep.balanced_mb, sweep.cheapest_mb) {
        (Some(b), Some(c)) if b == c => {
            out.push((offer.id.clone(), b, "balanced and cheapest memory"))
        }
        (b, c) => {
            if let Some(b) = b {
                out.push((offer.id.clone(), b, "balanced memory"));
            }
            if let Some(c) = c {
                out.push((offer.id.clone(), c, "cheapest memory"));
            }
        }
    }
    out
}

/// A copy of a run that says why it joined the ranking.
fn with_origin(s: &Scored, why: &str) -> Scored {
    let mut s = s.clone();
    s.cand.settings.origin = why.to_string();
    s.ranked.variant.origin = why.to_string();
    s
}

/// Phase 1's ranking.
struct Ranking {
    pool: Vec<Scored>,
    memory_sweeps: Vec<MemorySweep>,
    simulations: usize,
}

/// Phase 2's result: the ranking with the batching and provisioned
/// concurrency variants that pay.
struct Tuned {
    pool: Vec<Scored>,
    memory_sweeps: Vec<MemorySweep>,
    batch_sweeps: Vec<BatchSweep>,
    best_serverless: Option<Scored>,
    /// The best function with provisioned concurrency, when it offers it.
    provisioned: Option<Scored>,
    simulations: usize,
}

impl Tuned {
    /// The batching sweeps of the best serverless option (and of the best
    /// overall when different), and the best function with provisioned
    /// concurrency, in one `simulate_all`.
    fn of(req: &Request, w: &Workload, r: Ranking) -> Result<Self> {
        let Ranking {
            mut pool,
            memory_sweeps,
            simulations,
        } = r;
        let best_serverless = pool
            .iter()
            .find(|s| s.ranked.group == Group::Serverless)
            .cloned();
        let bases = batching_bases(&pool, &best_serverless);
        let mut list: Vec<Candidate> = Vec::new();
        let mut grids = Vec::new();
        for (base, _) in &bases {
            let g = batching::grid(&base.cand);
            let from = list.len();
            list.extend(g.into_iter().skip(1));
            grids.push(from..list.len());
        }
        let provisioned_cand = best_serverless
            .as_ref()
            .and_then(|s| with_provisioned(&s.cand, &req.profile, w.peak10));
        if let Some(c) = &provisioned_cand {
            list.push(c.clone());
        }
        let committed: Vec<Candidate> = best_serverless
            .as_ref()
            .map(|s| purchase::variants(&s.cand, w.steady))
            .unwrap_or_default();
        list.extend(committed.iter().cloned());
        let twins = with_snapstart(&pool, &req.profile);
        list.extend(twins.iter().cloned());
        let out = run_one_trace(&list, &req.trace.times, &req.profile, req.seed)?;
        let simulations = simulations + list.len();
        let runs: Vec<Scored> = list
            .into_iter()
            .zip(out)
            .map(|(c, o)| scored(c, o, &w.basis, &w.ctx, &w.fp))
            .collect();
        let mut batch_sweeps = Vec::new();
        for ((base, role), range) in bases.iter().zip(&grids) {
            let grid = &runs[range.clone()];
            let mut sweep_runs: Vec<(&Candidate, &Outcome)> = vec![(&base.cand, &base.outcome)];
            sweep_runs.extend(grid.iter().map(|s| (&s.cand, &s.outcome)));
            let Some(sweep) =
                batching::analyse(&base.cand, role, &sweep_runs, &w.basis, &w.ctx.constraints)
            else {
                continue;
            };
            if let (true, Some(p)) = (sweep.pays, &sweep.cheapest_meeting) {
                if let Some(s) = grid.iter().find(|s| {
                    s.cand.settings.batch_size == p.batch_size
                        && s.cand.settings.batch_wait_s == p.max_wait_s
                }) {
                    pool.push(with_origin(s, "batching"));
                }
            }
            batch_sweeps.push(sweep);
        }
        // Cloud Run billed per instance life, batched as the sweep chose too.
        let billed_by_life = instance_billed(req, w, &pool)?;
        let simulations = simulations + billed_by_life.len();
        pool.extend(billed_by_life);
        let provisioned = provisioned_cand
            .as_ref()
            .and_then(|c| runs.iter().find(|s| s.cand.id == c.id).cloned());
        if let Some(p) = &provisioned {
            pool.push(p.clone());
        }
        pool.extend(
            runs.iter()
                .filter(|s| {
                    committed.iter().any(|c| c.id == s.cand.id)
                        || twins.iter().any(|c| c.id == s.cand.id)
                })
                .cloned(),
        );
        rank::order(&mut pool, req.constraints.min_success_ratio);
        Ok(Tuned {
            pool,
            memory_sweeps,
            batch_sweeps,
            best_serverless,
            provisioned,
            simulations,
        })
    }

    /// The first option of the ranking, when it meets the targets.
    fn best(&self) -> Option<&Scored> {
        self.pool.first().filter(|s| s.ranked.meets_slo)
    }
}

/// The options whose batching is swept, each with its role in the sweep.
fn batching_bases(
    pool: &[Scored],
    best_serverless: &Option<Scored>,
) -> Vec<(Scored, &'static str)> {
    let mut bases: Vec<(Scored, &'static str)> = Vec::new();
    if let Some(s) = best_serverless {
        bases.push((s.clone(), "best_serverless"));
    }
    if let Some(b) = pool.first() {
        if bases.iter().all(|(s, _)| s.cand.id != b.cand.id) {
            bases.push((b.clone(), "best_overall"));
        }
    }
    bases
}

/// A function with enough provisioned concurrency for the peak, when its
/// offer sells it and the option has none yet.
fn with_provisioned(c: &Candidate, profile: &Arc<Profile>, peak10: f64) -> Option<Candidate> {
    // Lambda's and SageMaker Serverless' provisioned concurrency.
    let has = c.offer.billing.provisioned_usd(1.0, 1024.0).is_some();
    if !has || c.settings.provisioned > 0 {
        return None;
    }
    let (_, s1) = capacity(&c.offer, profile, c.settings.memory_mb, 1.0).ok()?;
    let mut v = c.settings.clone();
    v.provisioned = break_even::provisioned_for(peak10, s1);
    v.snapstart = false;
    v.origin = "provisioned concurrency".to_string();
    Some(c.with(v))
}

/// The SnapStart twins of the functions that may use it (Lambda's Python
/// runtimes): each ranked option of such an offer (its default size and the
/// sizes its memory sweep kept) at batch 1 without provisioned concurrency,
/// when the package and model fit SnapStart's limits; the ranking then shows
/// whether restoring instead of initialising pays for its charges.
fn with_snapstart(pool: &[Scored], profile: &Profile) -> Vec<Candidate> {
    let mut twins: Vec<Candidate> = pool
        .iter()
        .map(|s| &s.cand)
        .filter(|c| {
            let v = &c.settings;
            !v.snapstart && v.provisioned == 0 && v.batch_size <= 1
        })
        .filter(|c| snapstart::unavailable(profile, &c.offer).is_none())
        .map(|c| {
            let mut v = c.settings.clone();
            v.snapstart = true;
            v.origin = "SnapStart".to_string();
            c.with(v)
        })
        .collect();
    twins.sort_by(|a, b| a.id.cmp(&b.id));
    twins.dedup_by(|a, b| a.id == b.id);
    twins
}

/// The instance-based billing twins of the Cloud Run options: each ranked
/// option of an offer that may be billed either way, at its batching and
/// with no minimum instances (the service scales to zero as before); the
/// ranking then shows whether the lower rates and no request fee pay for
/// billing the instances' idle time.
fn with_instance_billing(pool: &[Scored]) -> Vec<Candidate> {
    let mut twins: Vec<Candidate> = pool
        .iter()
        .map(|s| &s.cand)
        .filter(|c| {
            let optional = c.offer.billing.instance().is_some_and(|i| !i.required);
            optional && !c.settings.instance_billing && c.settings.provisioned == 0
        })
        .map(|c| {
            let mut v = c.settings.clone();
            v.instance_billing = true;
            v.origin = "instance-based billing".to_string();
            c.with(v)
        })
        .collect();
    twins.sort_by(|a, b| a.id.cmp(&b.id));
    twins.dedup_by(|a, b| a.id == b.id);
    twins
}

/// The instance-billed twins of the pool's Cloud Run options (see
/// [`with_instance_billing`]), simulated and scored.
fn instance_billed(req: &Request, w: &Workload, pool: &[Scored]) -> Result<Vec<Scored>> {
    let twins = with_instance_billing(pool);
    if twins.is_empty() {
        return Ok(Vec::new());
    }
    let out = run_one_trace(&twins, &req.trace.times, &req.profile, req.seed)?;
    Ok(twins
        .into_iter()
        .zip(out)
        .map(|(c, o)| scored(c, o, &w.basis, &w.ctx, &w.fp))
        .collect())
}

/// One phase-3 run: an option, the trace it runs over (an index into the
/// phase's traces), the CPU factor and the instances warm at the start.
type Job = (Candidate, usize, f64, u32);

/// Phase 3's result: the leading options under other CPUs and rates, and
/// the break-even curves.
struct Tested {
    ranges: Vec<uncertainty::OptionRange>,
    uncertainty_verdict: Option<String>,
    sensitivity: Sensitivity,
    curves: Vec<BreakEvenCurve>,
    crossovers: Vec<Crossover>,
    simulations: usize,
}

impl Tested {
    /// Sensitivity and break-even, one parallel batch of mixed traces.
    fn of(req: &Request, w: &Workload, t: &Tuned) -> Result<Self> {
        let leading: Vec<Candidate> = sensitivity::leading(&t.pool)
            .into_iter()
            .map(|s| s.cand.clone())
            .collect();
        let mut traces: Vec<Vec<f64>> = vec![req.trace.times.clone()];
        let mut jobs: Vec<Job> = Vec::new();
        let case_jobs = case_jobs(req, &leading, &mut traces, &mut jobs)?;
        let specs = curve_specs(t);
        let curve_jobs: Vec<Vec<(f64, usize)>> = specs
            .iter()
            .map(|spec| curve_runs(req, spec, &mut traces, &mut jobs))
            .collect();
        let out = run_mixed(&jobs, &traces, &req.profile, req.seed)?;

        let mut cases = Vec::new();
        for (case, ti, range) in case_jobs {
            let tr = &traces[ti];
            // Thinning a trace of one or two requests can leave none: that case says nothing.
            if tr.is_empty() {
                continue;
            }
            let mut b = month::basis(tr.len() as u64, tr[tr.len() - 1].max(1e-9));
            b.free_tier = w.basis.free_tier;
            let cctx = Context {
                cpu_factor: case.cpu_factor,
                peak_rps: stats(tr.iter().copied(), 1.0).peak_rps,
                ..w.ctx.clone()
            };
            let mut list: Vec<Scored> = range
                .map(|i| scored(jobs[i].0.clone(), out[i].clone(), &b, &cctx, &w.fp))
                .collect();
            rank::order(&mut list, req.constraints.min_success_ratio);
            cases.push((case, list));
        }
        let sensitivity = sensitivity::analyse(
            t.best().map(|s| &s.ranked),
            leading.iter().map(|c| c.id.clone()).collect(),
            cases,
        );
        let curves: Vec<_> = specs
            .iter()
            .zip(&curve_jobs)
            .map(|(spec, idx)| curve(spec, idx, &jobs, &out, &req.profile))
            .collect();
        let (ranges, uncertainty_verdict) = ranges(req, w, t)?;
        Ok(Tested {
            ranges,
            uncertainty_verdict,
            sensitivity,
            crossovers: break_even::crossovers(&curves),
            curves,
            simulations: t.simulations + jobs.len() + 6,
        })
    }
}

/// The leading options resized for each sensitivity case, appended to
/// `jobs` (and the case's rate-scaled trace to `traces`): each case with its
/// trace and its range of jobs.
fn case_jobs(
    req: &Request,
    leading: &[Candidate],
    traces: &mut Vec<Vec<f64>>,
    jobs: &mut Vec<Job>,
) -> Result<Vec<(&'static Case, usize, Range<usize>)>> {
    let mut out = Vec::new();
    for case in &CASES {
        let ti = if case.rate_factor == 1.0 {
            0
        } else {
            traces.push(scale_rate(req.trace.clone(), case.rate_factor, req.seed).times);
            traces.len() - 1
        };
        let peak = stats(traces[ti].iter().copied(), 10.0).peak_rps_window;
        let from = jobs.len();
        for c in leading {
            let r = sensitivity::resize(c, &req.offers, &req.profile, peak, case.cpu_factor)?;
            jobs.push((r, ti, case.cpu_factor, 0));
        }
        out.push((case, ti, from..jobs.len()));
    }
    Ok(out)
}

/// The break-even curves to draw: the best of each group, and the best
/// function with provisioned concurrency when its offer sells it.
fn curve_specs(t: &Tuned) -> Vec<CurveSpec> {
    let mut specs: Vec<CurveSpec> = Vec::new();
    for g in [Group::Serverless, Group::Managed, Group::Server, Group::Gpu] {
        if let Some(s) = t.pool.iter().find(|s| s.ranked.group == g) {
            specs.push(CurveSpec::of(&s.cand, false));
        }
    }
    if let Some(s) = &t.best_serverless {
        if s.cand.offer.billing.provisioned_usd(1.0, 1024.0).is_some() {
            specs.push(CurveSpec::of(&s.cand, true));
        }
    }
    specs
}

/// The steady-rate runs of one curve, appended to `jobs` with their traces:
/// each rate with its job's index.
fn curve_runs(
    req: &Request,
    spec: &CurveSpec,
    traces: &mut Vec<Vec<f64>>,
    jobs: &mut Vec<Job>,
) -> Vec<(f64, usize)> {
    let profile = &req.profile;
    let mut idx = Vec::new();
    for rate in break_even::sim_rates(spec) {
        traces.push(break_even::steady_trace(rate, req.seed));
        idx.push((rate, jobs.len()));
        jobs.push((
            break_even::steady_candidate(spec, profile, rate),
            traces.len() - 1,
            1.0,
            break_even::steady_prewarm(spec, profile, rate),
        ));
    }
    idx
}

/// One break-even curve from its steady-rate runs.
fn curve(
    spec: &CurveSpec,
    idx: &[(f64, usize)],
    jobs: &[Job],
    out: &[Outcome],
    profile: &Arc<Profile>,
) -> BreakEvenCurve {
    let sims: Vec<(f64, f64, f64)> = idx
        .iter()
        .map(|&(rate, i)| {
            let (c, o) = (&jobs[i].0, &out[i]);
            let inst = c
                .settings
                .instances
                .map(f64::from)
                .unwrap_or(o.avg_instances);
            (rate, break_even::simulated_month(c, o, rate), inst)
        })
        .collect();
    break_even::curve(spec, profile, &sims)
}

/// The advice: reasons, runners-up and suggestions around the ranking.
fn explained(req: &Request, w: &Workload, t: Tuned, x: Tested) -> Advice {
    let profile = &req.profile;
    let pool = &t.pool;
    let best = t.best();
    let reasons = reasons(&t, &x.sensitivity, &w.ctx, &req.offers);
    let runners_up = rank::group_leaders(pool, best.map(|b| &b.ranked))
        .into_iter()
        .map(|s| {
            explain::for_runner_up(
                &s.ranked,
                best.map(|b| &b.ranked),
                &s.cand,
                &s.outcome,
                &w.ctx,
            )
        })
        .collect();
    let serverless_now = pool
        .iter()
        .find(|s| s.ranked.group == Group::Serverless && s.cand.settings.provisioned == 0);
    let on_demand_twin = t.provisioned.as_ref().and_then(|p| {
        pool.iter().find(|s| {
            s.cand.offer.id == p.cand.offer.id
                && s.cand.settings.memory_mb == p.cand.settings.memory_mb
                && s.cand.settings.provisioned == 0
                && s.cand.settings.batch_size == 1
                && !s.cand.settings.snapstart
        })
    });
    let suggestions = runtime::suggest(&runtime::Inputs {
        profile,
        serverless: serverless_now.map(|s| (&s.cand, &s.outcome, &s.ranked)),
        provisioned: t.provisioned.as_ref().map(|p| &p.ranked),
        provisioned_twin: on_demand_twin.map(|s| &s.ranked),
        best: best.map(|b| (&b.cand, &b.outcome)),
        nothing_meets: best.is_none(),
    });
    Advice {
        provenance: PROVENANCE.to_string(),
        profile: profile.name.clone(),
        snapshot: req.snapshot.clone(),
        workload: WorkloadSummary {
            trace: req.trace_name.clone(),
            requests: w.st1.requests,
            duration_s: w.duration,
            mean_rps: w.basis.mean_rps,
            peak_rps: w.st1.peak_rps,
            burstiness: w.burstiness,
        },
        constraints: w.ctx.constraints.clone(),
        best: best.map(|b| b.ranked.clone()),
        reasons,
        runners_up,
        pareto: rank::pareto(pool),
        ranked: pool.iter().map(|s| s.ranked.clone()).collect(),
        batching: t.batch_sweeps.clone(),
        memory: t.memory_sweeps.clone(),
        runtime: suggestions,
        break_even: x.curves,
        crossovers: x.crossovers,
        sensitivity: x.sensitivity,
        notes: notes(profile, &w.basis, x.simulations),
        month: w.basis.clone(),
        profile_warnings: profile.warnings(),
        uncertainty: x.ranges,
        uncertainty_verdict: x.uncertainty_verdict,
    }
}

/// The top three options re-simulated with their CPU family at the slowest
/// and the fastest the sources allow, and when the ranking changes within.
fn ranges(
    req: &Request,
    w: &Workload,
    t: &Tuned,
) -> Result<(Vec<uncertainty::OptionRange>, Option<String>)> {
    let top: Vec<&Scored> = t.pool.iter().take(3).collect();
    let mut jobs = Vec::new();
    let mut speeds = Vec::new();
    for s in &top {
        let k = crate::platform::service_time::cpu_scale(&req.profile, &s.cand.offer);
        let sp = uncertainty::speeds(k.factor, k.low, k.high);
        jobs.push((s.cand.clone(), 0, sp.0, 0));
        jobs.push((s.cand.clone(), 0, sp.1, 0));
        speeds.push(sp);
    }
    let traces = vec![req.trace.times.clone()];
    let out = run_mixed(&jobs, &traces, &req.profile, req.seed)?;
    let run = |i: usize, f: f64| {
        let ctx = Context {
            cpu_factor: f,
            ..w.ctx.clone()
        };
        scored(jobs[i].0.clone(), out[i].clone(), &w.basis, &ctx, &w.fp).ranked
    };
    let list: Vec<_> = top
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let (slow, fast) = (run(2 * n, speeds[n].0), run(2 * n + 1, speeds[n].1));
            uncertainty::of(&s.ranked, &slow, &fast, speeds[n])
        })
        .collect();
    let verdict = match (t.best(), list.first()) {
        (Some(b), Some(r)) if b.ranked.id == r.id => {
            let name = |id: &str| {
                top.iter()
                    .find(|s| s.ranked.id == id)
                    .map_or_else(|| id.to_string(), |s| crate::present::readable(&s.ranked))
            };
            uncertainty::verdict(r, &list[1..], name)
        }
        _ => None,
    };
    Ok((list, verdict))
}

/// Why the best option wins (and the sweeps' and the sensitivity's verdicts
/// on it), or why none meets the targets.
fn reasons(t: &Tuned, sens: &Sensitivity, ctx: &Context, offers: &[Offer]) -> Vec<Reason> {
    let pool = &t.pool;
    let meeting = pool.iter().filter(|s| s.ranked.meets_slo).count();
    let mut reasons = Vec::new();
    let Some(b) = t.best() else {
        reasons.push(explain::none_meets(pool.first().map(|s| &s.ranked)));
        return reasons;
    };
    let next = pool
        .get(1)
        .filter(|s| s.ranked.meets_slo)
        .map(|s| &s.ranked);
    reasons.extend(explain::for_best(
        &b.ranked, next, meeting, &b.cand, &b.outcome, ctx,
    ));
    if let Some(od) = offers.iter().find(|o| o.id == b.cand.offer.id) {
        reasons.extend(purchase::risk(
            &b.cand,
            &b.outcome,
            b.ranked.cost_per_month_usd,
            od,
        ));
    }
    if b.cand.settings.batch_size > 1 {
        if let Some(s) = t.batch_sweeps.iter().find(|s| s.offer == b.ranked.offer) {
            reasons.push(s.verdict.clone());
        }
    }
    if let Some(v) = t
        .memory_sweeps
        .iter()
        .find(|m| m.offer == b.ranked.offer)
        .and_then(|m| m.verdict.clone())
    {
        reasons.push(v);
    }
    if let Some(v) = &sens.verdict {
        reasons.push(v.clone());
    }
    reasons
}

/// An option's scores, with the memory check (an instance smaller than the
/// model's footprint cannot serve it, whatever the simulator says) and, for
/// an option that misses the targets, what in its run explains it.
fn scored(c: Candidate, o: Outcome, basis: &MonthBasis, ctx: &Context, fp: &Footprint) -> Scored {
    let mut r = score(&c, &o, basis, &ctx.constraints);
    let memory = c.settings.memory_mb(&c.offer);
    if memory < fp.min_memory_mb {
        r.why_not.push(reason(
            &r.id,
            ReasonCode::Memory,
            format!(
                "{memory:.0} MB is below the {:.0} MB the model needs",
                fp.min_memory_mb
            ),
            &[("memory_mb", memory), ("min_memory_mb", fp.min_memory_mb)],
        ));
        r.meets_slo = false;
    }
    if !r.meets_slo {
        // What in the run explains the miss, after the targets it misses.
        for cause in explain::causes(&c, &o, ctx) {
            if !r.why_not.iter().any(|w| w.code == cause.code) {
                r.why_not.push(cause);
            }
        }
    }
    Scored {
        cand: c,
        outcome: o,
        ranked: r,
    }
}

/// Simulates options over one trace (one `simulate_all`, all cores).
fn run_one_trace(
    cands: &[Candidate],
    times: &[f64],
    profile: &Arc<Profile>,
    seed: u64,
) -> Result<Vec<Outcome>> {
    let scenarios: Vec<_> = cands
        .iter()
        .map(|c| c.scenario(profile, seed, 1.0))
        .collect();
    sim::simulate_all(&scenarios, times).into_iter().collect()
}

/// Simulates (option, trace, CPU factor, instances warm at the start) jobs
/// over several traces, in parallel.
fn run_mixed(
    jobs: &[(Candidate, usize, f64, u32)],
    traces: &[Vec<f64>],
    profile: &Arc<Profile>,
    seed: u64,
) -> Result<Vec<Outcome>> {
    use rayon::prelude::*;
    jobs.par_iter()
        .map(|(c, ti, cpu, prewarm)| {
            let mut sc = c.scenario(profile, seed, *cpu);
            sc.prewarm = *prewarm;
            sim::simulate_times(&sc, &traces[*ti])
        })
        .collect()
}

fn notes(profile: &Profile, basis: &MonthBasis, simulations: usize) -> Vec<String> {
    let warnings = profile.warnings();
    let mut out = vec![
        format!(
            "every figure is modelled: {simulations} simulated runs from the profile `{}` (measured on {}, {} cores, {}), the snapshot's prices and the trace",
            profile.name, profile.machine.cpu_model, profile.machine.cores, profile.measured_at
        ),
        basis.statement.clone(),
        "break-even curves: analytic where the bill is linear in the rate (checked against simulated steady Poisson traces for functions), simulated otherwise".to_string(),
    ];
    if !warnings.is_empty() {
        out.push(format!(
            "the profile warns ({}): {}",
            warnings.len(),
            warnings.join(" | ")
        ));
    }
    out
}
