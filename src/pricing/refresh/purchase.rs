//! Purchase-option prices in a refresh: which options an API can price,
//! and how the prices found replace the base snapshot's.
//!
//! An option is looked up through its offer's on-demand query (`per_hour_usd`
//! in `[offer.api]`), asked for the option instead: the Azure Retail Prices
//! API's Spot meter or the reservation of the option's term, the Billing
//! Catalog's Spot (`Preemptible`) SKUs of the same parts. Committed use
//! SKUs are named per family without a rule to derive them, and the AWS
//! Price List's savings plans are another offer file, so those options are
//! not looked up.

use super::{Change, Finding, Job, Missing};
use crate::pricing::offer::{Billing, Offer, Purchase, PurchaseKind, Source};
use crate::pricing::query::{OfferQueries, PriceQuery};

/// The figure path of an option's hourly price, e.g. `purchase.spot.per_hour_usd`.
pub fn field(p: &Purchase) -> String {
    format!("purchase.{}.per_hour_usd", p.key)
}

/// The lookups of the offer's purchase options that its queries can take.
pub fn jobs<'a>(offer: &'a Offer, qs: &'a OfferQueries) -> Vec<Job<'a>> {
    let Some((field, query)) = qs.get_key_value("per_hour_usd") else {
        return Vec::new();
    };
    if !matches!(offer.billing, Billing::Hourly { .. }) {
        return Vec::new();
    }
    let takes = |p: &Purchase| match query {
        PriceQuery::Azure { .. } => true,
        PriceQuery::Gcp { service, .. } => service == "compute" && p.kind == PurchaseKind::Spot,
        PriceQuery::Aws { .. } => false,
    };
    offer
        .purchase
        .iter()
        .filter(|p| p.per_hour_usd.is_some() && takes(p))
        .map(|p| Job {
            offer,
            field,
            query,
            purchase: Some(p),
        })
        .collect()
}

/// What applying the findings to one offer's options did.
#[derive(Default)]
pub struct Applied {
    /// Prices that changed.
    pub changes: Vec<Change>,
    /// Prices found equal to the base's.
    pub unchanged: usize,
    /// Prices not found (kept from the base).
    pub missing: Vec<Missing>,
}

/// Puts the prices found for `n`'s options in place, with their new source.
pub fn apply(n: &mut Offer, findings: &[Finding], source: &str, date: &str) -> Applied {
    let mut out = Applied::default();
    let id = n.id.clone();
    for p in &mut n.purchase {
        let path = field(p);
        let Some(f) = findings.iter().find(|f| f.offer == id && f.field == path) else {
            continue;
        };
        let Some(slot) = p.per_hour_usd.as_mut() else {
            continue;
        };
        match &f.price {
            Ok(new) => {
                let old = *slot;
                *slot = *new;
                if (old - new).abs() > 1e-12 * old.abs().max(new.abs()) {
                    out.changes.push(Change {
                        offer: id.clone(),
                        field: path.clone(),
                        old_usd: old,
                        new_usd: *new,
                    });
                } else {
                    out.unchanged += 1;
                }
                n.sources.insert(
                    path,
                    Source {
                        source: source.to_string(),
                        date: date.to_string(),
                        assumption: false,
                    },
                );
            }
            Err(reason) => out.missing.push(Missing {
                offer: id.clone(),
                field: path,
                reason: reason.to_string(),
            }),
        }
    }
    out
}

/// Keeps only the options of `o` whose price was found: an offer built for
/// a new region must not carry the default region's option prices.
pub fn keep_found(o: &mut Offer, findings: &[Finding]) {
    let id = o.id.clone();
    o.purchase.retain(|p| {
        let path = field(p);
        findings
            .iter()
            .any(|f| f.offer == id && f.field == path && f.price.is_ok())
    });
    let kept: Vec<String> = o
        .purchase
        .iter()
        .map(|p| format!("purchase.{}.", p.key))
        .collect();
    o.sources
        .retain(|k, _| !k.starts_with("purchase.") || kept.iter().any(|p| k.starts_with(p)));
}

/// True for a finding of a purchase option rather than of the offer's own price.
pub fn is_option(f: &Finding) -> bool {
    f.field.starts_with("purchase.")
}
