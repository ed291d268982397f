//! The batching sweep: batch size x maximum wait, cost and latency per
//! setting (the study's Figure 8: as the batch grows, cost first falls, then
//! flattens once prediction time dominates, while latency keeps rising).

use super::candidates::Candidate;
use super::rank::score;
use super::reasons::reason;
use super::{BatchPoint, BatchSweep, Constraints, MonthBasis, ReasonCode, Variant};
use crate::outcome::Outcome;
use crate::present::variant::{batching, describe};
use crate::present::{pct, secs, usd};

/// Batch sizes tried.
pub const BATCH_SIZES: [u32; 6] = [1, 2, 4, 8, 16, 32];

/// Longest waits for a batch to fill, s.
pub const MAX_WAITS_S: [f64; 4] = [0.01, 0.05, 0.2, 1.0];

/// A setting pays when it saves at least this share of the cost.
pub const MIN_SAVING: f64 = 0.02;

/// The options of the sweep of `base`: batch 1 first, then each size > 1
/// with each wait.
pub fn grid(base: &Candidate) -> Vec<Candidate> {
    let mut out = Vec::new();
    for &b in &BATCH_SIZES {
        let waits: &[f64] = if b == 1 { &[0.0] } else { &MAX_WAITS_S };
        for &w in waits {
            let v = Variant {
                batch_size: b,
                batch_wait_s: w,
                origin: "batching sweep".to_string(),
                ..base.settings.clone()
            };
            out.push(base.with(v));
        }
    }
    out
}

/// Builds the sweep from the grid's runs (in [`grid`]'s order).
pub fn analyse(
    base: &Candidate,
    role: &str,
    runs: &[(&Candidate, &Outcome)],
    basis: &MonthBasis,
    k: &Constraints,
) -> Option<BatchSweep> {
    let points: Vec<BatchPoint> = runs
        .iter()
        .map(|(c, o)| {
            let r = score(c, o, basis, k);
            BatchPoint {
                batch_size: c.settings.batch_size,
                max_wait_s: c.settings.batch_wait_s,
                cost_per_trace_usd: r.cost_per_trace_usd,
                cost_per_month_usd: r.cost_per_month_usd,
                avg_latency_s: r.avg_latency_s,
                p95_latency_s: r.p95_latency_s,
                success_ratio: r.success_ratio,
                meets_slo: r.meets_slo,
            }
        })
        .collect();
    let baseline = points.iter().find(|p| p.batch_size == 1)?.clone();
    let cheapest = points
        .iter()
        .filter(|p| p.meets_slo)
        .min_by(|a, b| {
            a.cost_per_month_usd
                .total_cmp(&b.cost_per_month_usd)
                .then(a.batch_size.cmp(&b.batch_size))
        })
        .cloned();
    let saving = cheapest
        .as_ref()
        .map(|c| 1.0 - c.cost_per_month_usd / baseline.cost_per_month_usd.max(1e-12))
        .unwrap_or(0.0);
    let pays = cheapest
        .as_ref()
        .is_some_and(|c| c.batch_size > 1 && saving >= MIN_SAVING);
    let verdict = verdict(base, &baseline, cheapest.as_ref(), &points, pays, saving);
    Some(BatchSweep {
        id: base.id.clone(),
        offer: base.offer.id.clone(),
        role: role.to_string(),
        memory_mb: base.settings.memory_mb,
        points,
        baseline,
        cheapest_meeting: cheapest,
        pays,
        saving_ratio: if pays { saving } else { 0.0 },
        verdict,
    })
}

fn verdict(
    base: &Candidate,
    baseline: &BatchPoint,
    cheapest: Option<&BatchPoint>,
    points: &[BatchPoint],
    pays: bool,
    saving: f64,
) -> super::Reason {
    let id = &base.id;
    let name = describe(
        &base.offer.name,
        base.offer.kind == crate::pricing::Kind::Managed,
        &base.settings,
    );
    if let (true, Some(c)) = (pays, cheapest) {
        return reason(
            id,
            ReasonCode::Batching,
            format!(
                "{} cuts the cost of {name} by {} ({} instead of {} per month) \
                 while p95 latency goes from {} to {}",
                batching(c.batch_size, c.max_wait_s),
                pct(saving),
                usd(c.cost_per_month_usd),
                usd(baseline.cost_per_month_usd),
                secs(baseline.p95_latency_s),
                secs(c.p95_latency_s)
            ),
            &[
                ("batch_size", c.batch_size as f64),
                ("max_wait_s", c.max_wait_s),
                ("saving_ratio", saving),
                ("cost_per_month_usd", c.cost_per_month_usd),
                ("baseline_cost_per_month_usd", baseline.cost_per_month_usd),
                ("p95_latency_s", c.p95_latency_s),
                ("baseline_p95_latency_s", baseline.p95_latency_s),
            ],
        );
    }
    // The cheapest setting whatever its latency: what batching could save.
    let any = points
        .iter()
        .filter(|p| p.batch_size > 1)
        .min_by(|a, b| a.cost_per_month_usd.total_cmp(&b.cost_per_month_usd));
    match any {
        Some(a) if a.cost_per_month_usd < baseline.cost_per_month_usd * (1.0 - MIN_SAVING) => {
            let could = 1.0 - a.cost_per_month_usd / baseline.cost_per_month_usd.max(1e-12);
            reason(
                id,
                ReasonCode::Batching,
                format!(
                    "batching does not pay within the targets for {name}: {} would save {} \
                     but p95 latency would be {} and {} of requests succeed",
                    batching(a.batch_size, a.max_wait_s),
                    pct(could),
                    secs(a.p95_latency_s),
                    pct(a.success_ratio)
                ),
                &[
                    ("batch_size", a.batch_size as f64),
                    ("max_wait_s", a.max_wait_s),
                    ("saving_ratio", could),
                    ("p95_latency_s", a.p95_latency_s),
                    ("success_ratio", a.success_ratio),
                ],
            )
        }
        _ => reason(
            id,
            ReasonCode::Batching,
            format!(
                "batching does not pay for {name}: no batch setting saves {} or more of its {} per month \
                 (a batch of n runs about n times as long, and the billing does not reward fewer invocations)",
                pct(MIN_SAVING),
                usd(baseline.cost_per_month_usd)
            ),
            &[
                ("baseline_cost_per_month_usd", baseline.cost_per_month_usd),
                ("min_saving_ratio", MIN_SAVING),
                (
                    "best_saving_ratio",
                    saving.max(
                        any.map(|a| 1.0 - a.cost_per_month_usd / baseline.cost_per_month_usd)
                            .unwrap_or(0.0),
                    ),
                ),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advise::candidates::default_variant;

    #[test]
    fn the_grid_starts_unbatched_and_covers_every_setting() {
        let offer = crate::pricing::snapshot::builtin("current")
            .unwrap()
            .offer("aws-lambda-x86")
            .unwrap()
            .clone();
        let base = Candidate::new(&offer, default_variant(&offer));
        let g = grid(&base);
        assert_eq!(g.len(), 1 + (BATCH_SIZES.len() - 1) * MAX_WAITS_S.len());
        assert_eq!(g[0].settings.batch_size, 1);
        assert_eq!(g[0].id, base.id);
        let mut ids: Vec<&str> = g.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), g.len());
        assert!(g.iter().all(|c| c.settings.memory_mb == Some(2048.0)));
    }
}
