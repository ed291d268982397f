//! Scores, order, the Pareto front and the best of each group.

use super::candidates::Candidate;
use super::month::{per_million, per_month};
use super::reasons::violations;
use super::{Constraints, Group, MonthBasis, ParetoPoint, Ranked};
use crate::outcome::Outcome;

/// An option with its run and its scores.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The option.
    pub cand: Candidate,
    /// Its simulated run.
    pub outcome: Outcome,
    /// Its scores.
    pub ranked: Ranked,
}

/// The scores of one run.
pub fn score(c: &Candidate, o: &Outcome, basis: &MonthBasis, k: &Constraints) -> Ranked {
    let mut r = Ranked {
        id: c.id.clone(),
        offer: c.offer.id.clone(),
        name: c.offer.name.clone(),
        kind: o.kind.clone(),
        group: c.group(),
        cloud: serde_json::to_value(c.offer.cloud)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        variant: c.settings.clone(),
        rank: None,
        cost_per_trace_usd: o.cost_usd,
        cost_per_million_usd: per_million(o),
        cost_per_month_usd: per_month(c, o, basis),
        cost: o.cost,
        avg_latency_s: o.avg_latency_s,
        p50_latency_s: o.p50_latency_s,
        p95_latency_s: o.p95_latency_s,
        p99_latency_s: o.p99_latency_s,
        success_ratio: o.success_ratio,
        cold_starts: o.cold_starts,
        instances_created: o.instances_created,
        peak_instances: o.peak_instances,
        avg_instances: o.avg_instances,
        utilisation: o.utilisation,
        meets_slo: false,
        why_not: Vec::new(),
        pareto: false,
    };
    r.why_not = violations(&r, k);
    r.meets_slo = r.why_not.is_empty();
    r
}

/// Orders options: those meeting the constraints first, cheapest per month
/// first; then the others by success ratio (most first), then cost. Ties
/// keep their order, so the result is stable. Numbers the ranks and marks
/// the Pareto front.
pub fn order(list: &mut [Scored], min_success: f64) {
    list.sort_by(|a, b| {
        let (x, y) = (&a.ranked, &b.ranked);
        y.meets_slo
            .cmp(&x.meets_slo)
            .then_with(|| {
                if x.meets_slo {
                    std::cmp::Ordering::Equal
                } else {
                    y.success_ratio.total_cmp(&x.success_ratio)
                }
            })
            .then_with(|| x.cost_per_month_usd.total_cmp(&y.cost_per_month_usd))
    });
    let mut n = 0;
    for s in list.iter_mut() {
        s.ranked.rank = if s.ranked.meets_slo {
            n += 1;
            Some(n)
        } else {
            None
        };
    }
    let front = pareto_ids(list.iter().map(|s| &s.ranked), min_success);
    for s in list.iter_mut() {
        s.ranked.pareto = front.contains(&s.ranked.id);
    }
}

/// Ids of the options no other beats on both cost per month and p95 latency,
/// among those whose success ratio reaches `min_success` (an option that
/// drops requests is not a cheaper way to serve them).
fn pareto_ids<'a>(list: impl Iterator<Item = &'a Ranked>, min_success: f64) -> Vec<String> {
    let mut pts: Vec<&Ranked> = list.filter(|r| r.success_ratio >= min_success).collect();
    pts.sort_by(|a, b| {
        a.cost_per_month_usd
            .total_cmp(&b.cost_per_month_usd)
            .then(a.p95_latency_s.total_cmp(&b.p95_latency_s))
    });
    let mut out = Vec::new();
    let mut best_p95 = f64::INFINITY;
    for r in pts {
        if r.p95_latency_s < best_p95 {
            best_p95 = r.p95_latency_s;
            out.push(r.id.clone());
        }
    }
    out
}

/// The Pareto front of an ordered list, cheapest first.
pub fn pareto(list: &[Scored]) -> Vec<ParetoPoint> {
    let mut pts: Vec<ParetoPoint> = list
        .iter()
        .filter(|s| s.ranked.pareto)
        .map(|s| ParetoPoint {
            id: s.ranked.id.clone(),
            cost_per_month_usd: s.ranked.cost_per_month_usd,
            p95_latency_s: s.ranked.p95_latency_s,
            meets_slo: s.ranked.meets_slo,
        })
        .collect();
    pts.sort_by(|a, b| a.cost_per_month_usd.total_cmp(&b.cost_per_month_usd));
    pts
}

/// The best option of each group, in group order, leaving out the offer
/// of `best` (its variants are not alternatives to it): the cheapest meeting
/// the constraints, else the first in the list's order (the closest to
/// meeting them).
pub fn group_leaders<'a>(list: &'a [Scored], best: Option<&Ranked>) -> Vec<&'a Scored> {
    let mut out = Vec::new();
    for g in [Group::Serverless, Group::Managed, Group::Server, Group::Gpu] {
        if let Some(s) = list
            .iter()
            .find(|s| s.ranked.group == g && best.is_none_or(|b| b.offer != s.ranked.offer))
        {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::advise::candidates::default_variant;
    use crate::advise::ReasonCode;
    use crate::advise::Variant;

    /// A ranked entry with the figures the ordering looks at.
    pub(crate) fn ranked(id: &str, p95: f64, success: f64, month: f64) -> Ranked {
        Ranked {
            id: id.into(),
            offer: id.into(),
            name: id.into(),
            kind: "server".into(),
            group: Group::Server,
            cloud: "aws".into(),
            variant: Variant {
                memory_mb: None,
                batch_size: 1,
                batch_wait_s: 0.0,
                provisioned: 0,
                instances: None,
                target_per_instance_per_min: None,
                purchase: None,
                snapstart: false,
                instance_billing: false,
                origin: "default".into(),
            },
            rank: None,
            cost_per_trace_usd: month / 1000.0,
            cost_per_million_usd: month / 10.0,
            cost_per_month_usd: month,
            cost: Default::default(),
            avg_latency_s: p95 / 2.0,
            p50_latency_s: p95 / 2.0,
            p95_latency_s: p95,
            p99_latency_s: p95 * 1.5,
            success_ratio: success,
            cold_starts: 0,
            instances_created: 1,
            peak_instances: 1,
            avg_instances: 1.0,
            utilisation: 0.5,
            meets_slo: false,
            why_not: vec![],
            pareto: false,
        }
    }

    fn scored(id: &str, p95: f64, success: f64, month: f64, k: &Constraints) -> Scored {
        let offer = crate::pricing::snapshot::builtin("current")
            .unwrap()
            .offer("aws-ec2-c7i.xlarge")
            .unwrap()
            .clone();
        let mut r = ranked(id, p95, success, month);
        r.why_not = violations(&r, k);
        r.meets_slo = r.why_not.is_empty();
        let outcome = crate::outcome::Recorder::new().finish(
            id,
            "server",
            crate::outcome::Provenance::Modelled,
            Default::default(),
        );
        Scored {
            cand: Candidate::new(&offer, default_variant(&offer)),
            outcome,
            ranked: r,
        }
    }

    #[test]
    fn meeting_options_come_first_cheapest_first() {
        let k = Constraints {
            slo_p95_s: Some(0.1),
            ..Constraints::default()
        };
        let mut list = vec![
            scored("slow-cheap", 0.5, 1.0, 10.0, &k),
            scored("fast-dear", 0.05, 1.0, 100.0, &k),
            scored("fast-mid", 0.08, 1.0, 50.0, &k),
            scored("failing", 0.05, 0.5, 5.0, &k),
        ];
        order(&mut list, k.min_success_ratio);
        let ids: Vec<&str> = list.iter().map(|s| s.ranked.id.as_str()).collect();
        assert_eq!(ids, ["fast-mid", "fast-dear", "slow-cheap", "failing"]);
        assert_eq!(list[0].ranked.rank, Some(1));
        assert_eq!(list[1].ranked.rank, Some(2));
        assert_eq!(list[2].ranked.rank, None);
        // The front: slow-cheap (cheapest), fast-mid, fast-dear; not the failing one.
        let front: Vec<String> = pareto(&list).into_iter().map(|p| p.id).collect();
        assert_eq!(front, ["slow-cheap", "fast-mid", "fast-dear"]);
        // A dominated option is off the front.
        let mut list = vec![
            scored("a", 0.05, 1.0, 10.0, &k),
            scored("b", 0.06, 1.0, 20.0, &k),
        ];
        order(&mut list, k.min_success_ratio);
        assert!(list[0].ranked.pareto && !list[1].ranked.pareto);
    }

    #[test]
    fn violations_name_each_missed_target() {
        let mut r = ranked("x", 0.2, 0.95, 10.0);
        let k = Constraints {
            slo_p95_s: Some(0.1),
            slo_avg_s: None,
            min_success_ratio: 0.999,
            budget_usd: Some(5.0),
            budget_per: crate::advise::BudgetPer::Month,
            slo_p95_default: None,
        };
        let v = violations(&r, &k);
        let codes: Vec<ReasonCode> = v.iter().map(|x| x.code).collect();
        assert_eq!(
            codes,
            vec![ReasonCode::Success, ReasonCode::SloP95, ReasonCode::Budget]
        );
        assert!(v[0].text.contains("99.9%"), "{}", v[0].text);
        assert_eq!(v[1].figures["p95_latency_s"], 0.2);
        r.p95_latency_s = 0.05;
        r.success_ratio = 1.0;
        r.cost_per_month_usd = 4.0;
        assert!(violations(&r, &k).is_empty());
    }
}
