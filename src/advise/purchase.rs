//! Purchase options as variants: spot capacity for servers, and 1- or
//! 3-year commitments (savings plans, committed use discounts) when the
//! load is steady, each with what it risks.
//!
//! Spot capacity changes how a server behaves (instances are reclaimed), so
//! it is offered for every server that lists it and simulated. A commitment
//! changes only the price, but it is paid for its whole term whether used
//! or not, so it is offered only when the trace's load is steady: a load
//! that falls away for long stretches would leave the commitment unused.

use super::candidates::Candidate;
use super::reasons::reason;
use super::Variant;
use super::{Reason, ReasonCode};
use crate::outcome::Outcome;
use crate::present::units::{pct, usd};
use crate::present::variant::purchase as purchase_words;
use crate::pricing::billing::HOURS_PER_MONTH;
use crate::pricing::{Offer, PurchaseKind};

/// Fewest instances a spot option runs: with one, an interruption would
/// leave no instance serving until its replacement arrives, so spot is
/// offered with a second instance (a design choice: the providers
/// recommend spot only for workloads that tolerate losing an instance).
pub const SPOT_MIN_INSTANCES: u32 = 2;

/// Window the steadiness of a load is judged over, s.
pub const STEADY_WINDOW_S: f64 = 60.0;

/// A load is steady when no window's rate falls below this share of the
/// mean: then the instances sized for it are busy all the time and a
/// commitment to them is used for its whole term (an assumption: half the
/// mean keeps a commitment sized for the trough fully used).
pub const STEADY_LOW_SHARE: f64 = 0.5;

/// Whether the load is steady: at least two whole windows, none of whose
/// rate is below [`STEADY_LOW_SHARE`] of the mean; with the lowest window's
/// share of the mean.
pub fn steady(times: &[f64]) -> (bool, f64) {
    let Some(&last) = times.last() else {
        return (false, 0.0);
    };
    let windows = (last / STEADY_WINDOW_S).floor() as usize;
    if windows < 2 {
        return (false, 0.0);
    }
    let mut counts = vec![0u64; windows];
    for &t in times {
        let i = (t / STEADY_WINDOW_S) as usize;
        if i < windows {
            counts[i] += 1;
        }
    }
    let mean = counts.iter().sum::<u64>() as f64 / windows as f64;
    let low = counts.iter().copied().min().unwrap_or(0) as f64;
    let share = if mean > 0.0 { low / mean } else { 0.0 };
    (share >= STEADY_LOW_SHARE, share)
}

/// The purchase variants of `c`: spot for a server that lists it (with at
/// least [`SPOT_MIN_INSTANCES`]), and the offer's commitments when the load
/// is `steady`.
pub fn variants(c: &Candidate, steady: bool) -> Vec<Candidate> {
    if c.settings.purchase.is_some() || c.offer.bought.is_some() {
        return Vec::new();
    }
    c.offer
        .purchase
        .iter()
        .filter(|p| p.kind == PurchaseKind::Spot || steady)
        .map(|p| {
            let mut v = c.settings.clone();
            v.purchase = Some(p.key.clone());
            keep_spot_minimum(&mut v, &c.offer);
            v.origin = match p.kind {
                PurchaseKind::Spot => "spot capacity".to_string(),
                PurchaseKind::Commitment => "commitment for a steady load".to_string(),
            };
            c.with(v)
        })
        .collect()
}

/// Raises a spot option's servers to [`SPOT_MIN_INSTANCES`]: an option
/// sized again (for a sensitivity case) would otherwise lose its second.
pub fn keep_spot_minimum(v: &mut Variant, offer: &Offer) {
    let spot = v.purchase.as_ref().is_some_and(|key| {
        offer
            .purchase
            .iter()
            .any(|p| &p.key == key && p.kind == PurchaseKind::Spot)
    });
    if spot && v.server_instances(offer) < SPOT_MIN_INSTANCES {
        v.instances = Some(SPOT_MIN_INSTANCES);
    }
}

/// What the best option's purchase saves against `on_demand` (the same
/// offer as the catalog prices it on demand) and what it risks; `None` for
/// an option bought on demand.
pub fn risk(c: &Candidate, o: &Outcome, month_usd: f64, on_demand: &Offer) -> Option<Reason> {
    let p = c.offer.bought.as_ref()?;
    let ratio = p.price_ratio(&on_demand.billing)?;
    let saved = month_usd / ratio.max(1e-12) - month_usd;
    let price = match (p.per_hour_usd, on_demand.billing.hourly_usd()) {
        (Some(now), Some(od)) => format!(
            "{} an instance-hour instead of {} on demand",
            usd(now),
            usd(od)
        ),
        _ => format!(
            "duration and provisioned concurrency {} less",
            pct(1.0 - ratio)
        ),
    };
    let bought = purchase_words(&p.key);
    let mut figs = vec![("price_ratio", ratio), ("saved_per_month_usd", saved)];
    let text = match p.kind {
        PurchaseKind::Spot => {
            let rate = p.interruptions_per_hour.unwrap_or(0.0);
            let n = c.settings.server_instances(&c.offer) as f64;
            let per_month = rate * HOURS_PER_MONTH * n;
            let repl = p.replacement_s.unwrap_or(0.0);
            figs.extend([
                ("interruptions_per_instance_hour", rate),
                ("interruptions_per_month", per_month),
                ("replacement_s", repl),
                ("interruptions_in_run", o.interruptions as f64),
            ]);
            format!(
                "{bought}: {price}, {} a month less than the same capacity on demand; it risks interruptions: with {} of instances \
                 reclaimed in a month, about {per_month:.1} interruptions a month across its {n:.0} \
                 instances, each failing \
                 the requests in flight on the instance and leaving one fewer serving for {repl:.0} s \
                 until its replacement arrives ({} in this run)",
                usd(saved),
                pct(rate * HOURS_PER_MONTH),
                o.interruptions
            )
        }
        PurchaseKind::Commitment => {
            let term = p.term_months.unwrap_or(12) as f64;
            figs.extend([("term_months", term), ("break_even_share", ratio)]);
            format!(
                "{bought}: {price}, {} a month less than the same capacity on demand; it locks in a {term:.0}-month term paid \
                 whether used or not: against on demand it pays off only if the capacity is needed \
                 for more than {} of the term ({:.1} of {term:.0} months), which this steady load is",
                usd(saved),
                pct(ratio),
                ratio * term
            )
        }
    };
    Some(reason(&c.id, ReasonCode::Purchase, text, &figs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advise::candidates::default_variant;
    use crate::pricing::snapshot;

    #[test]
    fn a_poisson_load_is_steady_and_a_burst_is_not() {
        let even: Vec<f64> = (0..12_000).map(|i| i as f64 * 0.05).collect();
        let (ok, share) = steady(&even);
        assert!(ok && share > 0.95, "{share}");
        // Ten busy minutes, then one request a minute for five.
        let mut bursty: Vec<f64> = (0..6000).map(|i| i as f64 * 0.1).collect();
        bursty.extend((0..5).map(|i| 600.0 + i as f64 * 60.0 + 1.0));
        assert!(!steady(&bursty).0);
        assert!(!steady(&[1.0, 2.0]).0);
    }

    #[test]
    fn commitments_only_for_a_steady_load_spot_always() {
        let s = snapshot::builtin("current").unwrap();
        let offer = s.offer("aws-ec2-c7g.xlarge").unwrap();
        let c = Candidate::new(offer, default_variant(offer));
        let keys = |steady| -> Vec<String> {
            variants(&c, steady)
                .iter()
                .map(|v| v.settings.purchase.clone().unwrap())
                .collect()
        };
        assert_eq!(keys(false), vec!["spot".to_string()]);
        let all = keys(true);
        assert!(all.contains(&"spot".to_string()) && all.contains(&"sp1y".to_string()));
        let spot = &variants(&c, false)[0];
        // One instance of its own, so spot gets a second.
        assert_eq!(spot.id, "aws-ec2-c7g.xlarge*2+spot");
        assert!(spot.offer.billing.hourly_usd() < offer.billing.hourly_usd());
        assert!(variants(spot, true).is_empty());
    }
}
