//! From a run over the trace to a month of the same traffic.
//!
//! A month is the providers' 730 hours at the trace's mean rate. What scales
//! with the traffic (per-request fees, GB-seconds, active instance time)
//! scales with the number of requests; what is billed by the hour (servers,
//! managed endpoints, provisioned concurrency) is billed for all 730 hours:
//! a server with the instances the run used, a managed endpoint with the
//! instances it held on average during the run (at least its minimum).

use super::candidates::Candidate;
use super::MonthBasis;
use crate::outcome::Outcome;
use crate::pricing::billing::{VolumeTiers, HOURS_PER_MONTH};
use crate::pricing::{Billing, FreeTier, Kind};

/// Seconds in the providers' month.
pub const MONTH_S: f64 = HOURS_PER_MONTH * 3600.0;

/// The month for a trace of `requests` over `duration_s`.
pub fn basis(requests: u64, duration_s: f64) -> MonthBasis {
    let mean_rps = if duration_s > 0.0 {
        requests as f64 / duration_s
    } else {
        0.0
    };
    let requests_per_month = mean_rps * MONTH_S;
    MonthBasis {
        hours: HOURS_PER_MONTH,
        mean_rps,
        requests_per_month,
        free_tier: false,
        statement: format!(
            "{HOURS_PER_MONTH:.0} h of traffic at the trace's mean rate of {mean_rps:.2} req/s \
             ({:.1} million requests); per-request, GB-second and active-time charges scale with the \
             requests; hourly instances are billed for all {HOURS_PER_MONTH:.0} h: a server with the \
             instances the run used, a managed endpoint with the instances it held on average \
             (at least its minimum), provisioned concurrency all month; Lambda's volume tiers \
             apply to the month's GB-seconds",
            requests_per_month / 1e6
        ),
    }
}

/// Cost per month of the option that produced `o`, USD.
pub fn per_month(c: &Candidate, o: &Outcome, basis: &MonthBasis) -> f64 {
    let scale = if o.requests > 0 {
        basis.requests_per_month / o.requests as f64
    } else {
        0.0
    };
    // Line items (gateway, data transfer out) scale with the traffic.
    platform_per_month(c, o, basis) + o.cost.access_usd * scale
}

fn platform_per_month(c: &Candidate, o: &Outcome, basis: &MonthBasis) -> f64 {
    let hourly = c.offer.billing.hourly_usd();
    match (c.offer.kind, hourly) {
        (Kind::Server, Some(h)) => {
            let n = c.settings.instances.unwrap_or_else(|| c.own_instances()) as f64;
            n * h * HOURS_PER_MONTH
        }
        (Kind::Managed, Some(h)) => {
            let n = o.avg_instances.max(c.own_instances() as f64);
            n * h * HOURS_PER_MONTH
        }
        _ => {
            let usage = function_usage_usd(c, o, basis);
            let provisioned = c
                .offer
                .billing
                .provisioned_usd(MONTH_S, memory_of(c))
                .unwrap_or(0.0)
                * c.settings.provisioned as f64;
            usage + provisioned + minimum_instances(c) + snapshot_cache(c)
        }
    }
}

/// A function's month of per-request and duration charges: the run's
/// charges scaled to the month's requests, less the free allowance when
/// asked for, with the duration's volume tiers applied to the month's
/// billable GB-seconds.
fn function_usage_usd(c: &Candidate, o: &Outcome, basis: &MonthBasis) -> f64 {
    let scale = if o.requests > 0 {
        basis.requests_per_month / o.requests as f64
    } else {
        0.0
    };
    let linear = (o.cost.compute_usd + o.cost.requests_usd) * scale;
    let u = o.usage.scaled(scale);
    let b = &c.offer.billing;
    let free = if basis.free_tier {
        FreeTier::for_offer(&c.offer)
    } else {
        FreeTier::NONE
    };
    let mut total = linear - free.discount_usd(b, &u);
    if let Billing::Invocation { per_gb_s_usd, .. } = b {
        let billable = (u.gb_s - free.gb_s).max(0.0);
        let tiers = VolumeTiers::for_offer(&c.offer);
        total -= billable * per_gb_s_usd - tiers.price(billable, *per_gb_s_usd);
    }
    total.max(0.0)
}

/// Sets the month to take the free allowances off, saying so in its statement.
pub fn with_free_tier(mut basis: MonthBasis) -> MonthBasis {
    basis.free_tier = true;
    basis.statement.push_str(
        "; free tiers on (--free-tier): each function's monthly allowance (Lambda 1M requests and \
         400,000 GB-s; Cloud Run 2M requests, 180,000 vCPU-s and 360,000 GiB-s; Cloud Functions 1st \
         gen 2M invocations, 400,000 GB-s, 200,000 GHz-s) comes off its month, as if nothing else \
         in the account used it",
    );
    basis
}

/// An instance-billed option's minimum instances, alive all month (the
/// other instances' life scales with the requests, in the usage).
fn minimum_instances(c: &Candidate) -> f64 {
    if !c.settings.instance_billed(&c.offer) || c.settings.provisioned == 0 {
        return 0.0;
    }
    let gpus = c.offer.spec.gpu.as_ref().map_or(0, |g| g.count);
    let vcpu = c.offer.spec.vcpu;
    c.offer
        .billing
        .lifetime_usd(MONTH_S, memory_of(c), vcpu, gpus)
        .unwrap_or(0.0)
        * c.settings.provisioned as f64
}

/// A SnapStart option's snapshot, cached all month for its one published
/// version (the restores scale with the requests, in the usage).
fn snapshot_cache(c: &Candidate) -> f64 {
    if !c.settings.snapstart {
        return 0.0;
    }
    c.offer
        .billing
        .snapstart_cache_usd(MONTH_S, memory_of(c))
        .unwrap_or(0.0)
}

fn memory_of(c: &Candidate) -> f64 {
    c.settings.memory_mb(&c.offer)
}

/// Cost per million requests of a run, USD.
pub fn per_million(o: &Outcome) -> f64 {
    if o.requests == 0 {
        0.0
    } else {
        o.cost_usd / o.requests as f64 * 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advise::candidates::default_variant;
    use crate::pricing::snapshot;
    use std::sync::Arc;

    fn run(id: &str, times: &[f64]) -> (Candidate, Outcome) {
        let offer = snapshot::builtin("current")
            .unwrap()
            .offer(id)
            .unwrap()
            .clone();
        let p = Arc::new(crate::profile::bundled::get("mobilenetv2").unwrap());
        let c = Candidate::new(&offer, default_variant(&offer));
        let o = crate::sim::simulate_times(&c.scenario(&p, 1, 1.0), times).unwrap();
        (c, o)
    }

    #[test]
    fn a_server_is_billed_all_month() {
        let times: Vec<f64> = (0..600).map(|i| i as f64 * 0.5).collect();
        let (c, o) = run("aws-ec2-c7i.xlarge", &times);
        let b = basis(o.requests, 300.0);
        let h = c.offer.billing.hourly_usd().unwrap();
        assert!((per_month(&c, &o, &b) - h * 730.0).abs() < 1e-9);
    }

    #[test]
    fn a_function_scales_with_the_requests() {
        let times: Vec<f64> = (0..600).map(|i| i as f64 * 0.5).collect();
        let (c, o) = run("aws-lambda-x86", &times);
        let b = basis(o.requests, 300.0);
        // 2 req/s for a month is 5.256 million requests.
        assert!((b.requests_per_month - 5.256e6).abs() < 1.0);
        let m = per_month(&c, &o, &b);
        let expect = o.cost_usd * b.requests_per_month / 600.0;
        assert!((m - expect).abs() < 1e-9 * expect.max(1.0), "{m} {expect}");
        assert!((per_million(&o) - o.cost_usd / 600.0 * 1e6).abs() < 1e-12);
    }
}
