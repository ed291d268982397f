//! Purchase options in the advice: a steady high load is served cheaper on
//! spot capacity or under a commitment, and the verdict says what it risks;
//! a bursty load gets no commitment.

use advisor::advise::{advise, Advice, Constraints, ReasonCode, Request};
use advisor::pricing::{snapshot, Offer};
use advisor::workload::generate::{Poisson, Preset};
use advisor::workload::Trace;
use std::sync::Arc;

const OFFERS: &[&str] = &[
    "aws-lambda-arm64",
    "aws-ec2-c7g.xlarge",
    "gcp-gce-e2-standard-4",
];

fn offers() -> Vec<Offer> {
    let snap = snapshot::builtin("current").unwrap();
    OFFERS
        .iter()
        .map(|id| snap.offer(id).unwrap().clone())
        .collect()
}

fn advice(times: Vec<f64>, free_tier: bool) -> Advice {
    advise(&Request {
        profile: Arc::new(advisor::profile::bundled::get("mobilenetv2").unwrap()),
        trace: Trace::from_times(times),
        trace_name: "test".into(),
        snapshot: "current".into(),
        offers: offers(),
        constraints: Constraints::default(),
        seed: 1,
        free_tier,
    })
    .unwrap()
}

#[test]
fn a_steady_high_load_buys_spot_or_a_commitment_and_says_what_it_risks() {
    // `advisor trace gen --poisson 200 --duration 600`.
    let a = advice(Poisson::new(200.0, 600.0, 7).collect(), false);
    let best = a.best.as_ref().expect("something meets the targets");
    let key = best
        .variant
        .purchase
        .as_deref()
        .unwrap_or_else(|| panic!("{} is bought on demand", best.id));
    assert!(best.id.ends_with(&format!("+{key}")), "{}", best.id);
    // The same offer bought on demand costs more, and was ranked too.
    let on_demand = a
        .ranked
        .iter()
        .filter(|r| r.offer == best.offer && r.variant.purchase.is_none() && r.meets_slo)
        .min_by(|x, y| x.cost_per_month_usd.total_cmp(&y.cost_per_month_usd))
        .expect("the offer on demand is ranked");
    assert!(
        best.cost_per_month_usd < on_demand.cost_per_month_usd,
        "{} {} vs {} {}",
        best.id,
        best.cost_per_month_usd,
        on_demand.id,
        on_demand.cost_per_month_usd
    );
    // Commitments are offered for a steady load.
    assert!(a
        .ranked
        .iter()
        .any(|r| r.id.ends_with("+sp1y") || r.id.ends_with("+cud1y")));
    // The verdict names the risk: interruptions for spot, the locked-in term otherwise.
    let risk = a
        .reasons
        .iter()
        .find(|r| r.code == ReasonCode::Purchase)
        .expect("a reason about the purchase option");
    let expect = if key == "spot" {
        "risks interruptions"
    } else {
        "locks in"
    };
    assert!(risk.text.contains(expect), "{}", risk.text);
    assert!(risk.figures["saved_per_month_usd"] > 0.0);
    let text = advisor::advise::render::verdict(&a);
    assert!(text.contains(expect), "{text}");
}

#[test]
fn a_bursty_load_gets_no_commitment() {
    let a = advice(Preset::Workload120.generate(1), false);
    assert!(
        a.ranked
            .iter()
            .all(|r| !["+sp1y", "+sp3y", "+cud1y", "+cud3y"]
                .iter()
                .any(|k| r.id.ends_with(k))),
        "{:?}",
        a.ranked.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
    // Spot capacity is a variant whatever the load.
    assert!(a.ranked.iter().any(|r| r.id.ends_with("+spot")));
    assert!(!advisor::advise::render::verdict(&a).contains("Free tiers: on"));
}

#[test]
fn free_tiers_lower_a_functions_month_and_are_stated() {
    let times: Vec<f64> = Poisson::new(2.0, 600.0, 7).collect();
    let off = advice(times.clone(), false);
    let on = advice(times, true);
    let month = |a: &Advice| {
        a.ranked
            .iter()
            .find(|r| r.id == "aws-lambda-arm64@2048mb")
            .map(|r| r.cost_per_month_usd)
            .unwrap()
    };
    // 2 req/s is 5.3 million requests a month: the free million requests and
    // 400,000 GB-s come off.
    assert!(month(&on) < month(&off), "{} {}", month(&on), month(&off));
    assert!(on.month.free_tier && !off.month.free_tier);
    assert!(advisor::advise::render::verdict(&on).contains("Free tiers: on"));
    assert!(on.month.statement.contains("free tiers on"));
}
