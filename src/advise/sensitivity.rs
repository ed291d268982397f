//! Sensitivity: the leading options re-simulated with a CPU 30% slower or
//! faster than the profiling machine, and at half or twice the trace's rate
//! (`workload::transform::scale_rate`). The recommendation is fragile when
//! the best offer changes under any of them.

use super::candidates::{sized_for_peak, Candidate};
use super::rank::Scored;
use super::reasons::reason;
use super::{Group, Ranked, ReasonCode, Sensitivity, SensitivityCase};
use crate::present::variant::service;
use crate::present::{readable, secs, usd};
use crate::pricing::{Kind, Offer};
use crate::profile::Profile;
use std::sync::Arc;

/// One variation of the inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Short name.
    pub name: &'static str,
    /// What changed, in words.
    pub description: &'static str,
    /// CPU speed against the profiling machine.
    pub cpu_factor: f64,
    /// Request rate against the trace's.
    pub rate_factor: f64,
}

/// The variations tried.
pub const CASES: [Case; 4] = [
    Case {
        name: "cpu_0.7x",
        description: "a CPU 30% slower than the profiling machine",
        cpu_factor: 0.7,
        rate_factor: 1.0,
    },
    Case {
        name: "cpu_1.3x",
        description: "a CPU 30% faster than the profiling machine",
        cpu_factor: 1.3,
        rate_factor: 1.0,
    },
    Case {
        name: "rate_0.5x",
        description: "half the trace's request rate",
        cpu_factor: 1.0,
        rate_factor: 0.5,
    },
    Case {
        name: "rate_2x",
        description: "twice the trace's request rate",
        cpu_factor: 1.0,
        rate_factor: 2.0,
    },
];

/// Most options re-simulated per variation.
pub const MAX_CANDIDATES: usize = 10;

/// The leading options: the best of each group, then the cheapest that
/// meet the targets, up to [`MAX_CANDIDATES`].
pub fn leading(list: &[Scored]) -> Vec<&Scored> {
    let mut out: Vec<&Scored> = Vec::new();
    for g in [Group::Serverless, Group::Managed, Group::Server, Group::Gpu] {
        if let Some(s) = list.iter().find(|s| s.ranked.group == g) {
            out.push(s);
        }
    }
    for s in list.iter().filter(|s| s.ranked.meets_slo) {
        if out.len() >= MAX_CANDIDATES {
            break;
        }
        if !out.iter().any(|x| x.ranked.id == s.ranked.id) {
            out.push(s);
        }
    }
    out
}

/// The option as re-simulated under a variation: servers and managed
/// endpoints are sized again for the varied peak and CPU (one would add
/// instances), everything else keeps its settings.
pub fn resize(
    c: &Candidate,
    offers: &[Offer],
    profile: &Arc<Profile>,
    peak_rps: f64,
    cpu_factor: f64,
) -> anyhow::Result<Candidate> {
    if c.offer.kind == Kind::Serverless {
        return Ok(c.clone());
    }
    let Some(orig) = offers.iter().find(|o| o.id == c.offer.id) else {
        return Ok(c.clone());
    };
    let sized = sized_for_peak(orig, profile, peak_rps, cpu_factor)?
        .unwrap_or_else(|| Candidate::default_of(orig));
    let mut v = sized.settings.clone();
    v.batch_size = c.settings.batch_size;
    v.batch_wait_s = c.settings.batch_wait_s;
    v.purchase = c.settings.purchase.clone();
    super::purchase::keep_spot_minimum(&mut v, orig);
    Ok(sized.with(v))
}

/// Builds the verdict from each variation's ordered runs.
pub fn analyse(
    best: Option<&Ranked>,
    candidates: Vec<String>,
    cases: Vec<(&Case, Vec<Scored>)>,
) -> Sensitivity {
    let mut out = Vec::new();
    for (case, list) in cases {
        let b = list
            .first()
            .filter(|s| s.ranked.meets_slo)
            .map(|s| &s.ranked);
        let changed = match (best, b) {
            (Some(x), Some(y)) => x.offer != y.offer,
            (None, None) => false,
            _ => true,
        };
        out.push(SensitivityCase {
            name: case.name.to_string(),
            description: case.description.to_string(),
            cpu_factor: case.cpu_factor,
            rate_factor: case.rate_factor,
            best: b.map(|r| r.id.clone()),
            best_offer: b.map(|r| r.offer.clone()),
            best_name: b.map(readable),
            best_cost_per_month_usd: b.map(|r| r.cost_per_month_usd),
            best_p95_latency_s: b.map(|r| r.p95_latency_s),
            changed,
        });
    }
    let fragile = out.iter().any(|c| c.changed);
    let verdict = best.map(|b| verdict(b, &out, fragile));
    Sensitivity {
        candidates,
        cases: out,
        fragile,
        verdict,
    }
}

fn verdict(best: &Ranked, cases: &[SensitivityCase], fragile: bool) -> super::Reason {
    let offer = service(&best.name);
    if !fragile {
        return reason(
            &best.id,
            ReasonCode::Robust,
            format!(
                "the recommendation holds: {offer} stays the best with a CPU 30% slower or faster and at half or twice the rate"
            ),
            &[("cases", cases.len() as f64), ("changed", 0.0)],
        );
    }
    let parts: Vec<String> = cases
        .iter()
        .filter(|c| c.changed)
        .map(|c| {
            match (
                &c.best_name,
                c.best_cost_per_month_usd,
                c.best_p95_latency_s,
            ) {
                (Some(name), Some(cost), Some(p95)) => format!(
                    "with {} the best is {name} ({} per month, p95 {})",
                    c.description,
                    usd(cost),
                    secs(p95)
                ),
                _ => format!("with {} no option meets the targets", c.description),
            }
        })
        .collect();
    let changed = cases.iter().filter(|c| c.changed).count();
    reason(
        &best.id,
        ReasonCode::Fragile,
        format!(
            "fragile: {offer} is the best only as profiled and traced; {}",
            parts.join("; ")
        ),
        &[("cases", cases.len() as f64), ("changed", changed as f64)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advise::rank::tests::ranked;

    fn scored(id: &str, offer: &str, meets: bool) -> Scored {
        let o = crate::pricing::snapshot::builtin("current")
            .unwrap()
            .offer("aws-lambda-x86")
            .unwrap()
            .clone();
        let mut r = ranked(id, 0.05, 1.0, 10.0);
        r.offer = offer.into();
        r.meets_slo = meets;
        Scored {
            cand: Candidate::default_of(&o),
            outcome: crate::outcome::Recorder::new().finish(
                id,
                "serverless",
                crate::outcome::Provenance::Modelled,
                Default::default(),
            ),
            ranked: r,
        }
    }

    #[test]
    fn a_changed_best_makes_the_recommendation_fragile() {
        let best = ranked("a@1", 0.05, 1.0, 10.0);
        let mut best = best;
        best.offer = "a".into();
        let same = |c| (c, vec![scored("a@2", "a", true)]);
        let s = analyse(Some(&best), vec![], CASES.iter().map(same).collect());
        assert!(!s.fragile);
        assert_eq!(s.verdict.as_ref().unwrap().code, ReasonCode::Robust);
        let mut cases: Vec<(&Case, Vec<Scored>)> = CASES.iter().map(same).collect();
        cases[3].1 = vec![scored("b", "b", true)];
        let s = analyse(Some(&best), vec![], cases);
        assert!(s.fragile);
        assert!(s.cases[3].changed && !s.cases[0].changed);
        let v = s.verdict.unwrap();
        assert_eq!(v.code, ReasonCode::Fragile);
        assert!(
            v.text.contains("twice the trace's request rate"),
            "{}",
            v.text
        );
        // No option meeting the targets under a variation is a change too.
        let mut cases: Vec<(&Case, Vec<Scored>)> = CASES.iter().map(same).collect();
        cases[0].1 = vec![scored("a", "a", false)];
        assert!(analyse(Some(&best), vec![], cases).fragile);
    }

    /// Sized again for a light peak a server needs one instance, but a spot
    /// option keeps its second, as the ranking ran it.
    #[test]
    fn a_resized_spot_option_keeps_its_second_instance() {
        use crate::advise::candidates::{default_variant, Candidate};
        let s = crate::pricing::snapshot::builtin("current").unwrap();
        let offer = s.offer("aws-ec2-c7g.xlarge").unwrap();
        let spot = crate::advise::purchase::variants(
            &Candidate::new(offer, default_variant(offer)),
            false,
        )
        .remove(0);
        assert_eq!(spot.settings.server_instances(&spot.offer), 2);
        let profile = Arc::new(crate::sim::fixtures::constant_profile(10.0));
        for cpu in [0.7, 1.0, 1.3] {
            let r = resize(&spot, &s.offers, &profile, 1.0, cpu).unwrap();
            assert_eq!(
                r.settings.server_instances(&r.offer),
                2,
                "cpu x{cpu}: {}",
                r.id
            );
            assert!(r.offer.bought.is_some(), "{}", r.id);
        }
    }
}
