//! Reads an offer's purchase options: the `[offer.purchase.KEY]` tables.
//!
//! ```toml
//! [offer.purchase.spot]
//! name = "Spot Instances"
//! kind = "spot"
//! per_hour_usd = { value = 0.069615, unit = "USD/h", src = "ec2-spot-advisor" }
//! interruptions_per_hour = { value = 25, unit = "%/month", src = "ec2-spot-advisor" }
//! replacement_s = { value = 120, unit = "s", src = "assumed" }
//!
//! [offer.purchase.sp1y]
//! name = "Compute Savings Plan, 1 year, no upfront"
//! kind = "commitment"
//! per_hour_usd = { value = 0.1285, unit = "USD/h", src = "ec2-savings-plan" }
//! term = { value = 12, unit = "months", src = "ec2-savings-plan" }
//! ```
//!
//! An hourly offer (server, endpoint) gives each option's `per_hour_usd`; a
//! function gives a `discount` off its duration and provisioned concurrency
//! prices. Spot capacity is modelled only for servers, which are the offers
//! the providers sell it for here (EC2 Spot Instances, Compute Engine Spot VMs).

use super::offer::{Billing, Kind, Purchase, PurchaseKind};
use super::reader::{Ctx, Table};
use super::units::Dim;

type R<T> = anyhow::Result<T>;

/// The offer's purchase options, in the order of their keys.
pub fn read(ctx: &Ctx, t: &Table, kind: Kind, billing: &Billing) -> R<Vec<Purchase>> {
    let mut out = Vec::new();
    for key in t.keys() {
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            return Err(ctx.err(
                t.line(),
                &t.path_of(key),
                "a purchase option's key uses only lower-case letters and digits (it ends the option's id, e.g. `+sp1y`)",
            ));
        }
        let p = t.table(key)?;
        out.push(one(ctx, &p, key, kind, billing)?);
    }
    t.finish()?;
    Ok(out)
}

fn one(ctx: &Ctx, p: &Table, key: &str, kind: Kind, billing: &Billing) -> R<Purchase> {
    let name = p.string("name")?;
    let what = match p.choice("kind", &["spot", "commitment"])?.as_str() {
        "spot" => PurchaseKind::Spot,
        _ => PurchaseKind::Commitment,
    };
    let hourly = matches!(billing, Billing::Hourly { .. });
    let per_hour_usd = if hourly {
        Some(p.positive("per_hour_usd", Dim::UsdPerHour)?)
    } else {
        None
    };
    let discount = if hourly {
        None
    } else {
        let d = p.figure("discount", Dim::Share)?;
        if !(d > 0.0 && d < 1.0) {
            return Err(ctx.err(
                p.line(),
                &p.path_of("discount"),
                format!("expected a share between 0 and 1 (0% and 100%), got {d}"),
            ));
        }
        Some(d)
    };
    let (term_months, interruptions_per_hour, replacement_s) = match what {
        PurchaseKind::Commitment => (Some(p.count("term", "months")?), None, None),
        PurchaseKind::Spot => {
            if kind != Kind::Server {
                return Err(ctx.err(
                    p.line(),
                    &p.path_of("kind"),
                    "spot capacity is modelled for server offers only",
                ));
            }
            (
                None,
                Some(p.figure("interruptions_per_hour", Dim::PerInstanceHour)?),
                Some(p.figure("replacement_s", Dim::Seconds)?),
            )
        }
    };
    if term_months == Some(0) {
        return Err(ctx.err(p.line(), &p.path_of("term"), "must be at least 1 month"));
    }
    p.finish()?;
    Ok(Purchase {
        key: key.to_string(),
        name,
        kind: what,
        per_hour_usd,
        discount,
        term_months,
        interruptions_per_hour,
        replacement_s,
    })
}
