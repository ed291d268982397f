//! Reasons: how one is built, and the ones an option gets for each target it
//! misses (read by the ranking and by the explanations alike).

use super::{BudgetPer, Constraints, Ranked, Reason, ReasonCode};
use crate::present::{pct, pct_fine, secs, usd};
use std::collections::BTreeMap;

/// Builds a reason from its parts.
pub fn reason(about: &str, code: ReasonCode, text: String, figures: &[(&str, f64)]) -> Reason {
    Reason {
        about: about.to_string(),
        code,
        text,
        figures: figures
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// The constraints `r` misses, one reason each (empty when it meets them all).
pub fn violations(r: &Ranked, k: &Constraints) -> Vec<Reason> {
    let mut out = Vec::new();
    if r.success_ratio < k.min_success_ratio {
        out.push(reason(
            &r.id,
            ReasonCode::Success,
            format!(
                "{} of requests succeed, below the {} minimum",
                pct(r.success_ratio),
                pct_fine(k.min_success_ratio)
            ),
            &[
                ("success_ratio", r.success_ratio),
                ("min_success_ratio", k.min_success_ratio),
            ],
        ));
    }
    if let Some(t) = k.slo_p95_s {
        if r.p95_latency_s > t {
            out.push(reason(
                &r.id,
                ReasonCode::SloP95,
                format!(
                    "p95 latency {} exceeds the {} target",
                    secs(r.p95_latency_s),
                    secs(t)
                ),
                &[("p95_latency_s", r.p95_latency_s), ("slo_p95_s", t)],
            ));
        }
    }
    if let Some(t) = k.slo_avg_s {
        if r.avg_latency_s > t {
            out.push(reason(
                &r.id,
                ReasonCode::SloAvg,
                format!(
                    "mean latency {} exceeds the {} target",
                    secs(r.avg_latency_s),
                    secs(t)
                ),
                &[("avg_latency_s", r.avg_latency_s), ("slo_avg_s", t)],
            ));
        }
    }
    if let Some(b) = k.budget_usd {
        let (cost, per) = match k.budget_per {
            BudgetPer::Month => (r.cost_per_month_usd, "month"),
            BudgetPer::Trace => (r.cost_per_trace_usd, "trace"),
        };
        if cost > b {
            out.push(reason(
                &r.id,
                ReasonCode::Budget,
                format!("costs {} per {per}, over the {} budget", usd(cost), usd(b)),
                &[("cost_usd", cost), ("budget_usd", b)],
            ));
        }
    }
    out
}
