//! The advice, phase by phase. Each phase simulates its options in parallel
//! on all cores; a phase needs the previous one's ranking:
//!
//! 1. every offer as it is, servers and managed endpoints sized for the
//!    trace's peak, and each function at every memory size the model fits
//!    (one `simulate_all` over the in-memory trace);
//! 2. the batching sweep of the best serverless option (and of the best
//!    overall when different), and the best function with provisioned
//!    concurrency;
//! 3. the leading options under a slower and a faster CPU and at half and
//!    twice the rate, and the steady-rate runs of the break-even curves.

use super::batching;
use super::break_even::{self, CurveSpec};
use super::candidates::{capacity, sized_for_peak, Candidate};
use super::explain::{self, reason, Context};
use super::memory;
use super::month;
use super::rank::{self, score, Scored};
use super::runtime;
use super::sensitivity::{self, CASES};
use super::{
    Advice, Footprint, Group, MonthBasis, ReasonCode, Request, WorkloadSummary, PROVENANCE,
};
use crate::bail_input;
use crate::outcome::Outcome;
use crate::pricing::{Billing, Kind};
use crate::profile::Profile;
use crate::sim;
use crate::workload::stats;
use crate::workload::transform::scale_rate;
use anyhow::Result;
use std::sync::Arc;

/// Simulates every option for the request and turns the outcomes into [`Advice`].
pub fn advise(req: &Request) -> Result<Advice> {
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
    let profile = &req.profile;
    let times = &req.trace.times;
    let st1 = stats(times.iter().copied(), 1.0);
    let peak10 = stats(times.iter().copied(), 10.0).peak_rps_window;
    let duration = times[times.len() - 1].max(1e-9);
    let basis = month::basis(st1.requests, duration);
    let ctx = Context {
        profile: profile.clone(),
        constraints: req.constraints.clone(),
        peak_rps: st1.peak_rps,
        cpu_factor: 1.0,
    };
    let fp = memory::footprint(profile);
    let mut simulations = 0usize;

    // Phase 1: every offer, sized variants, memory sizes.
    let mut p1: Vec<Candidate> = Vec::new();
    let mut plans = Vec::new();
    for offer in &req.offers {
        p1.push(Candidate::default_of(offer));
        if let Some(c) = sized_for_peak(offer, profile, peak10, 1.0)? {
            p1.push(c);
        }
        if let (Kind::Serverless, Some(range)) = (offer.kind, offer.spec.memory_range) {
            let sizes = memory::sizes(range, offer.spec.memory_mb);
            for &m in &sizes {
                let is_default = (m - offer.spec.memory_mb).abs() < 0.5;
                if m >= fp.min_memory_mb && !is_default {
                    p1.push(memory::candidate(offer, m));
                }
            }
            plans.push((offer, sizes));
        }
    }
    let out1 = run_one_trace(&p1, times, profile, req.seed)?;
    simulations += p1.len();
    let scored1: Vec<Scored> = p1
        .into_iter()
        .zip(out1)
        .map(|(c, o)| scored(c, o, &basis, &ctx, &fp))
        .collect();

    let mut memory_sweeps = Vec::new();
    let mut chosen_sizes: Vec<(String, f64, &'static str)> = Vec::new();
    for (offer, sizes) in &plans {
        let runs: Vec<(f64, &Candidate, &Outcome)> = sizes
            .iter()
            .filter_map(|&m| {
                let id = memory::candidate(offer, m).id;
                scored1
                    .iter()
                    .find(|s| s.cand.id == id)
                    .map(|s| (m, &s.cand, &s.outcome))
            })
            .collect();
        let sweep = memory::analyse(offer, sizes, &runs, &basis, &ctx);
        match (sweep.balanced_mb, sweep.cheapest_mb) {
            (Some(b), Some(c)) if b == c => {
                chosen_sizes.push((offer.id.clone(), b, "balanced and cheapest memory"))
            }
            (b, c) => {
                if let Some(b) = b {
                    chosen_sizes.push((offer.id.clone(), b, "balanced memory"));
                }
                if let Some(c) = c {
                    chosen_sizes.push((offer.id.clone(), c, "cheapest memory"));
                }
            }
        }
        memory_sweeps.push(sweep);
    }
    let mut pool: Vec<Scored> = Vec::new();
    for s in &scored1 {
        if s.cand.variant.origin != "memory sweep" {
            pool.push(s.clone());
            continue;
        }
        let m = s.cand.variant.memory_mb.unwrap_or(0.0);
        if let Some((_, _, why)) = chosen_sizes
            .iter()
            .find(|(o, size, _)| *o == s.cand.offer.id && (*size - m).abs() < 0.5)
        {
            let mut s = s.clone();
            s.cand.variant.origin = why.to_string();
            s.ranked.variant.origin = why.to_string();
            pool.push(s);
        }
    }
    rank::order(&mut pool, req.constraints.min_success_ratio);

    // Phase 2: batching sweeps and provisioned concurrency.
    let best_serverless = pool
        .iter()
        .find(|s| s.ranked.group == Group::Serverless)
        .cloned();
    let best_overall = pool.first().cloned();
    let mut bases: Vec<(Scored, &str)> = Vec::new();
    if let Some(s) = &best_serverless {
        bases.push((s.clone(), "best_serverless"));
    }
    if let Some(b) = &best_overall {
        if bases.iter().all(|(s, _)| s.cand.id != b.cand.id) {
            bases.push((b.clone(), "best_overall"));
        }
    }
    let mut p2: Vec<Candidate> = Vec::new();
    let mut grids = Vec::new();
    for (base, _) in &bases {
        let g = batching::grid(&base.cand);
        let from = p2.len();
        p2.extend(g.into_iter().skip(1));
        grids.push(from..p2.len());
    }
    let provisioned_cand = best_serverless.as_ref().and_then(|s| {
        let c = &s.cand;
        let has = matches!(
            c.offer.billing,
            Billing::Invocation {
                provisioned: Some(_),
                ..
            }
        );
        if !has || c.variant.provisioned > 0 {
            return None;
        }
        let (_, s1) = capacity(&c.offer, profile, c.variant.memory_mb, 1.0).ok()?;
        let mut v = c.variant.clone();
        v.provisioned = break_even::provisioned_for(peak10, s1);
        v.origin = "provisioned concurrency".to_string();
        Some(Candidate::new(&c.offer, v))
    });
    if let Some(c) = &provisioned_cand {
        p2.push(c.clone());
    }
    let out2 = run_one_trace(&p2, times, profile, req.seed)?;
    simulations += p2.len();
    let scored2: Vec<Scored> = p2
        .into_iter()
        .zip(out2)
        .map(|(c, o)| scored(c, o, &basis, &ctx, &fp))
        .collect();
    let mut batch_sweeps = Vec::new();
    for ((base, role), range) in bases.iter().zip(&grids) {
        let mut runs: Vec<(&Candidate, &Outcome)> = vec![(&base.cand, &base.outcome)];
        runs.extend(scored2[range.clone()].iter().map(|s| (&s.cand, &s.outcome)));
        let Some(sweep) = batching::analyse(&base.cand, role, &runs, &basis, &req.constraints)
        else {
            continue;
        };
        if let (true, Some(p)) = (sweep.pays, &sweep.cheapest_meeting) {
            if let Some(s) = scored2[range.clone()].iter().find(|s| {
                s.cand.variant.batch_size == p.batch_size
                    && s.cand.variant.batch_wait_s == p.max_wait_s
            }) {
                let mut s = s.clone();
                s.cand.variant.origin = "batching".to_string();
                s.ranked.variant.origin = "batching".to_string();
                pool.push(s);
            }
        }
        batch_sweeps.push(sweep);
    }
    let provisioned = provisioned_cand
        .as_ref()
        .and_then(|c| scored2.iter().find(|s| s.cand.id == c.id).cloned());
    if let Some(p) = &provisioned {
        pool.push(p.clone());
    }
    rank::order(&mut pool, req.constraints.min_success_ratio);

    // Phase 3: sensitivity and break-even, one parallel batch of mixed traces.
    let leading: Vec<Candidate> = sensitivity::leading(&pool)
        .into_iter()
        .map(|s| s.cand.clone())
        .collect();
    let mut traces: Vec<Vec<f64>> = vec![times.clone()];
    let mut jobs: Vec<(Candidate, usize, f64, u32)> = Vec::new();
    let mut case_jobs = Vec::new();
    for case in &CASES {
        let ti = if case.rate_factor == 1.0 {
            0
        } else {
            traces.push(scale_rate(req.trace.clone(), case.rate_factor, req.seed).times);
            traces.len() - 1
        };
        let peak = stats(traces[ti].iter().copied(), 10.0).peak_rps_window;
        let from = jobs.len();
        for c in &leading {
            let r = sensitivity::resize(c, &req.offers, profile, peak, case.cpu_factor)?;
            jobs.push((r, ti, case.cpu_factor, 0));
        }
        case_jobs.push((case, ti, from..jobs.len()));
    }
    let mut specs: Vec<CurveSpec> = Vec::new();
    for g in [Group::Serverless, Group::Managed, Group::Server, Group::Gpu] {
        if let Some(s) = pool.iter().find(|s| s.ranked.group == g) {
            specs.push(CurveSpec::of(&s.cand, false));
        }
    }
    if let Some(s) = &best_serverless {
        if s.cand.offer.billing.provisioned_usd(1.0, 1024.0).is_some() {
            specs.push(CurveSpec::of(&s.cand, true));
        }
    }
    let mut curve_jobs = Vec::new();
    for spec in &specs {
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
        curve_jobs.push(idx);
    }
    let out3 = run_mixed(&jobs, &traces, profile, req.seed)?;
    simulations += jobs.len();

    let mut cases = Vec::new();
    for (case, ti, range) in case_jobs {
        let t = &traces[ti];
        // Thinning a trace of one or two requests can leave none: that case says nothing.
        if t.is_empty() {
            continue;
        }
        let b = month::basis(t.len() as u64, t[t.len() - 1].max(1e-9));
        let cctx = Context {
            cpu_factor: case.cpu_factor,
            peak_rps: stats(t.iter().copied(), 1.0).peak_rps,
            ..ctx.clone()
        };
        let mut list: Vec<Scored> = range
            .map(|i| scored(jobs[i].0.clone(), out3[i].clone(), &b, &cctx, &fp))
            .collect();
        rank::order(&mut list, req.constraints.min_success_ratio);
        cases.push((case, list));
    }
    let best = pool.first().filter(|s| s.ranked.meets_slo);
    let sens = sensitivity::analyse(
        best.map(|s| &s.ranked),
        leading.iter().map(|c| c.id.clone()).collect(),
        cases,
    );
    let curves: Vec<_> = specs
        .iter()
        .zip(&curve_jobs)
        .map(|(spec, idx)| {
            let sims: Vec<(f64, f64, f64)> = idx
                .iter()
                .map(|&(rate, i)| {
                    let (c, o) = (&jobs[i].0, &out3[i]);
                    let inst = c
                        .variant
                        .instances
                        .map(f64::from)
                        .unwrap_or(o.avg_instances);
                    (rate, break_even::simulated_month(c, o, rate), inst)
                })
                .collect();
            break_even::curve(spec, profile, &sims)
        })
        .collect();
    let crossovers = break_even::crossovers(&curves);

    // Reasons, runners-up, suggestions.
    let meeting = pool.iter().filter(|s| s.ranked.meets_slo).count();
    let mut reasons = Vec::new();
    match best {
        Some(b) => {
            let next = pool
                .get(1)
                .filter(|s| s.ranked.meets_slo)
                .map(|s| &s.ranked);
            reasons.extend(explain::for_best(
                &b.ranked, next, meeting, &b.cand, &b.outcome, &ctx,
            ));
            if b.cand.variant.batch_size > 1 {
                if let Some(s) = batch_sweeps.iter().find(|s| s.offer == b.ranked.offer) {
                    reasons.push(s.verdict.clone());
                }
            }
            if let Some(v) = memory_sweeps
                .iter()
                .find(|m| m.offer == b.ranked.offer)
                .and_then(|m| m.verdict.clone())
            {
                reasons.push(v);
            }
            if let Some(v) = &sens.verdict {
                reasons.push(v.clone());
            }
        }
        None => reasons.push(explain::none_meets(pool.first().map(|s| &s.ranked))),
    }
    let runners_up = rank::group_leaders(&pool, best.map(|b| &b.ranked))
        .into_iter()
        .map(|s| {
            explain::for_runner_up(
                &s.ranked,
                best.map(|b| &b.ranked),
                &s.cand,
                &s.outcome,
                &ctx,
            )
        })
        .collect();
    let serverless_now = pool
        .iter()
        .find(|s| s.ranked.group == Group::Serverless && s.cand.variant.provisioned == 0);
    let on_demand_twin = provisioned.as_ref().and_then(|p| {
        pool.iter().find(|s| {
            s.cand.offer.id == p.cand.offer.id
                && s.cand.variant.memory_mb == p.cand.variant.memory_mb
                && s.cand.variant.provisioned == 0
                && s.cand.variant.batch_size == 1
        })
    });
    let suggestions = runtime::suggest(&runtime::Inputs {
        profile,
        serverless: serverless_now.map(|s| (&s.cand, &s.outcome, &s.ranked)),
        provisioned: provisioned.as_ref().map(|p| &p.ranked),
        provisioned_twin: on_demand_twin.map(|s| &s.ranked),
        best: best.map(|b| (&b.cand, &b.outcome)),
        nothing_meets: best.is_none(),
    });

    Ok(Advice {
        provenance: PROVENANCE.to_string(),
        profile: profile.name.clone(),
        snapshot: req.snapshot.clone(),
        workload: WorkloadSummary {
            trace: req.trace_name.clone(),
            requests: st1.requests,
            duration_s: duration,
            mean_rps: basis.mean_rps,
            peak_rps: st1.peak_rps,
            burstiness: st1.burstiness,
        },
        constraints: req.constraints.clone(),
        best: best.map(|b| b.ranked.clone()),
        reasons,
        runners_up,
        pareto: rank::pareto(&pool),
        ranked: pool.iter().map(|s| s.ranked.clone()).collect(),
        batching: batch_sweeps,
        memory: memory_sweeps,
        runtime: suggestions,
        break_even: curves,
        crossovers,
        sensitivity: sens,
        notes: notes(profile, &basis, simulations),
        month: basis,
    })
}

/// An option's scores, with the memory check (an instance smaller than the
/// model's footprint cannot serve it, whatever the simulator says) and, for
/// an option that misses the targets, what in its run explains it.
fn scored(c: Candidate, o: Outcome, basis: &MonthBasis, ctx: &Context, fp: &Footprint) -> Scored {
    let mut r = score(&c, &o, basis, &ctx.constraints);
    let memory = c.variant.memory_mb.unwrap_or(c.offer.spec.memory_mb);
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
    vec![
        format!(
            "every figure is modelled: {simulations} simulated runs from the profile `{}` (measured on {}, {} cores, {}), the snapshot's prices and the trace",
            profile.name, profile.machine.cpu_model, profile.machine.cores, profile.measured_at
        ),
        basis.statement.clone(),
        "break-even curves: analytic where the bill is linear in the rate (checked against simulated steady Poisson traces for functions), simulated otherwise".to_string(),
    ]
}
