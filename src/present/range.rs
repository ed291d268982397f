//! The modelled figures' ranges from the spread of the CPU sources: the
//! leading options re-simulated with their CPU at the slowest and the
//! fastest the sources allow ([`crate::advise::uncertainty`]), in words.

use super::units::{ranged, secs, usd};
use super::variant::named;
use crate::advise::uncertainty::OptionRange;
use crate::advise::Advice;

/// The range of option `id`, when the advice computed one.
pub fn of<'a>(a: &'a Advice, id: &str) -> Option<&'a OptionRange> {
    a.uncertainty.iter().find(|r| r.id == id)
}

/// The best option's cost and p95 with their ranges: "range from the CPU
/// sources: $75.769 ($67.867-$87.852) per month, p95 86.6 ms (74.8 ms-104.4
/// ms)"; `None` without a best or its range.
pub fn best(a: &Advice) -> Option<String> {
    let b = a.best.as_ref()?;
    let r = of(a, &b.id)?;
    Some(format!(
        "range from the CPU sources: {} per month, p95 {}",
        ranged(b.cost_per_month_usd, r.cost_month_usd, usd),
        ranged(b.p95_latency_s, r.p95_s, secs)
    ))
}

/// Whether the ranking changes within the ranges, in one sentence: the
/// advice's own when it changes, else that it holds; `None` without ranges.
pub fn ranking(a: &Advice) -> Option<String> {
    if let Some(v) = &a.uncertainty_verdict {
        return Some(v.clone());
    }
    let b = a.best.as_ref()?;
    let first = a.uncertainty.first().filter(|r| r.id == b.id)?;
    (first.meets_slo_slowest && a.uncertainty.len() > 1).then(|| {
        "Within these ranges the ranking holds: the best meets the targets with the slowest CPU \
         in the sources and no runner-up could be cheaper."
            .to_string()
    })
}

/// One option's figures with their ranges, for a table or a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The option's id.
    pub id: String,
    /// The option in words.
    pub name: String,
    /// Cost per month with its range.
    pub cost: String,
    /// p95 latency with its range.
    pub p95: String,
    /// Whether it still meets the targets with the slowest CPU.
    pub meets_slowest: bool,
}

/// Every option with a range, in the advice's order (the best first).
pub fn rows(a: &Advice) -> Vec<Row> {
    a.uncertainty
        .iter()
        .filter_map(|r| {
            let o = a
                .best
                .iter()
                .chain(a.ranked.iter())
                .find(|o| o.id == r.id)?;
            Some(Row {
                id: r.id.clone(),
                name: named(a, &r.id),
                cost: ranged(o.cost_per_month_usd, r.cost_month_usd, usd),
                p95: ranged(o.p95_latency_s, r.p95_s, secs),
                meets_slowest: r.meets_slo_slowest,
            })
        })
        .collect()
}
