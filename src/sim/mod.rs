//! The simulator: a scenario (profile + offer + settings) and a trace in, an
//! [`Outcome`] out.
//!
//! [`engine`] is the discrete-event loop; [`sampler`] the service-time
//! distributions; the platform models live in [`crate::platform`].

pub mod engine;
pub mod fixtures;
pub mod sampler;
#[cfg(test)]
mod spot_tests;

use crate::outcome::Outcome;
use crate::platform::managed::Managed;
use crate::platform::server::Server;
use crate::platform::serverless::{Serverless, ServerlessOptions};
use crate::platform::{Derived, Variant};
use crate::pricing::{Autoscaling, Kind, Offer};
use crate::profile::Profile;
use engine::{BatchPolicy, RunParams};
use sampler::{Dist, Sampler};
use std::sync::Arc;

/// Everything one simulated run depends on, besides the trace.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The offer to model, as the catalog has it.
    pub offer: Arc<Offer>,
    /// The variant's settings (memory, batching, provisioned concurrency,
    /// instances, autoscaling), read through the accessors below.
    pub settings: Variant,
    /// The measured model.
    pub profile: Arc<Profile>,
    /// Label of the outcome; the offer id when `None`.
    pub label: Option<String>,
    /// Serverless instances warm and idle at the start, as a previous run
    /// leaves them (not billed, expire normally).
    pub prewarm: u32,
    /// For chained runs: the outcome's `instances_at_end` counts serverless
    /// instances still alive this long after the end.
    pub handover_s: f64,
    /// Multiplies the offer's CPU speed (sensitivity: 0.7 = 30% slower).
    pub cpu_factor: f64,
    /// Replaces the profile's warm service time.
    pub warm: Option<Dist>,
    /// Replaces a cold request's whole run (cold start and service).
    pub cold: Option<Dist>,
    /// Seed of the run's random numbers.
    pub seed: u64,
}

impl Scenario {
    /// The offer at its own settings, for this profile.
    pub fn new(offer: impl Into<Arc<Offer>>, profile: Arc<Profile>) -> Self {
        Scenario {
            offer: offer.into(),
            settings: Variant::default(),
            profile,
            label: None,
            prewarm: 0,
            handover_s: 0.0,
            cpu_factor: 1.0,
            warm: None,
            cold: None,
            seed: 1,
        }
    }

    /// Serverless memory size chosen, MB; the offer's when `None`.
    pub fn memory_mb(&self) -> Option<f64> {
        self.settings.memory_mb
    }

    /// Client-side batching.
    pub fn batch(&self) -> BatchPolicy {
        self.settings.batch()
    }

    /// Serverless instances kept initialised (provisioned concurrency).
    pub fn provisioned(&self) -> u32 {
        self.settings.provisioned
    }

    /// A server's instance count.
    pub fn instances(&self) -> u32 {
        self.settings.server_instances(&self.offer)
    }

    /// A managed endpoint's autoscaling with the variant's minimum and target.
    pub fn autoscaling(&self) -> Option<Autoscaling> {
        self.settings.autoscaling(&self.offer)
    }

    /// The outcome's name for this scenario.
    pub fn name(&self) -> String {
        self.label.clone().unwrap_or_else(|| self.offer.id.clone())
    }
}

/// Runs `arrivals` (sorted, seconds) through the scenario's platform model.
pub fn simulate<I>(sc: &Scenario, arrivals: I) -> anyhow::Result<Outcome>
where
    I: IntoIterator<Item = anyhow::Result<f64>>,
{
    let d = Derived::new(
        &sc.offer,
        sc.profile.clone(),
        sc.memory_mb(),
        sc.batch().size,
        sc.cpu_factor,
        sc.warm.as_ref(),
    )?;
    let params = RunParams {
        seed: sc.seed,
        rtt_s: sc.offer.behaviour.network_rtt_s + d.extra_latency_s,
        timeout_s: sc.offer.behaviour.timeout_s,
        batch: sc.batch(),
    };
    let name = sc.name();
    let kind = d.kind_name();
    let mut o = match sc.offer.kind {
        Kind::Serverless => {
            let opts = ServerlessOptions {
                cold: sc.cold.as_ref().map(Sampler::new),
                provisioned: sc.provisioned(),
                prewarm: sc.prewarm,
                handover_s: sc.handover_s,
                snapstart: sc.settings.snapstart,
                instance_billing: sc.settings.instance_billing,
            };
            let mut p = Serverless::new(d, opts);
            engine::run(&mut p, arrivals, params, &name, kind)
        }
        Kind::Server => {
            let mut p = Server::new(d, sc.instances(), sc.seed);
            engine::run(&mut p, arrivals, params, &name, kind)
        }
        Kind::Managed => {
            let mut p = Managed::new(d, sc.autoscaling());
            engine::run(&mut p, arrivals, params, &name, kind)
        }
    }?;
    // A client batch is one call through a gateway, its answers one each.
    let calls = o.requests.div_ceil(u64::from(sc.batch().size.max(1)));
    let access = crate::pricing::access::charge_usd(&sc.offer, calls, o.succeeded);
    if access > 0.0 {
        o.cost.access_usd += access;
        o.cost_usd += access;
    }
    Ok(o)
}

/// Runs an in-memory trace through the scenario.
pub fn simulate_times(sc: &Scenario, times: &[f64]) -> anyhow::Result<Outcome> {
    simulate(sc, times.iter().map(|&t| Ok(t)))
}

/// Runs every scenario over the same in-memory trace, in parallel on all cores.
/// Results come back in the scenarios' order.
pub fn simulate_all(scenarios: &[Scenario], times: &[f64]) -> Vec<anyhow::Result<Outcome>> {
    use rayon::prelude::*;
    scenarios
        .par_iter()
        .map(|sc| simulate_times(sc, times))
        .collect()
}
