//! Platform models: how each kind of offer admits, queues, serves, scales
//! and bills requests.
//!
//! - [`serverless`]: functions (Lambda, Cloud Functions, Cloud Run, SageMaker
//!   Serverless Inference);
//! - [`server`]: self-rented VMs with a fixed number of instances;
//! - [`managed`]: managed endpoints (SageMaker, Vertex/AI Platform) with
//!   target-tracking autoscaling.
//!
//! Each reads its parameters from the [`Offer`]; where a parameter comes from
//! is recorded in the offer's `sources`. Service times come from the profile
//! through [`service_time`].

pub mod cold_start;
pub mod cpu;
pub mod managed;
pub mod pool;
pub mod server;
pub mod serverless;
pub mod service_time;
pub mod snapstart;

use crate::pricing::{Autoscaling, Kind, Offer};
use crate::profile::Profile;
use crate::sim::engine::BatchPolicy;
use crate::sim::sampler::{Dist, Sampler};
use rand::Rng;
use serde::{Deserialize, Serialize};
use service_time::ServiceTime;
use std::sync::Arc;

/// The settings that make one option out of an offer: everything a variant
/// changes, kept apart from the offer so that one offer is shared by all its
/// variants and the effective figure is read through [`Variant`]'s accessors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// Serverless memory size, MB; `None` for offers without the choice.
    pub memory_mb: Option<f64>,
    /// Requests per invocation (1 = no batching).
    pub batch_size: u32,
    /// Longest a request waits for its batch to fill, s.
    pub batch_wait_s: f64,
    /// Serverless instances kept initialised (provisioned concurrency).
    pub provisioned: u32,
    /// Server instances, or a managed endpoint's autoscaling minimum; `None`
    /// for the offer's own.
    pub instances: Option<u32>,
    /// A managed endpoint's scale-out target, requests per instance per
    /// minute; `None` for the offer's own.
    #[serde(default)]
    pub target_per_instance_per_min: Option<f64>,
    /// How the capacity is bought: the key of one of the offer's purchase
    /// options (`spot`, `sp1y`, ...); `None` for on demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase: Option<String>,
    /// Serverless instances resumed from a SnapStart snapshot instead of
    /// initialised (Lambda's Python runtimes); never with `provisioned`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub snapstart: bool,
    /// Cloud Run instance-based billing: instances billed for their whole
    /// life with the CPU always allocated; `provisioned` is then the
    /// service's minimum instances. Offers that are billed only this way
    /// (Cloud Run with a GPU) are so without it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instance_billing: bool,
    /// Why this variant was simulated, e.g. "default", "balanced memory".
    pub origin: String,
}

impl Default for Variant {
    /// The offer's own settings: no batching, nothing provisioned.
    fn default() -> Self {
        Variant {
            memory_mb: None,
            batch_size: 1,
            batch_wait_s: 0.0,
            provisioned: 0,
            instances: None,
            target_per_instance_per_min: None,
            purchase: None,
            snapstart: false,
            instance_billing: false,
            origin: "default".to_string(),
        }
    }
}

impl Variant {
    /// Client-side batching.
    pub fn batch(&self) -> BatchPolicy {
        BatchPolicy {
            size: self.batch_size.max(1),
            max_wait_s: self.batch_wait_s,
        }
    }

    /// Memory of one instance of `offer`, MB.
    pub fn memory_mb(&self, offer: &Offer) -> f64 {
        self.memory_mb.unwrap_or(offer.spec.memory_mb)
    }

    /// A server's instance count, at least one.
    pub fn server_instances(&self, offer: &Offer) -> u32 {
        self.instances.unwrap_or(offer.behaviour.instances).max(1)
    }

    /// A managed endpoint's autoscaling with this variant's minimum and
    /// scale-out target; the offer's own for other kinds, which scale otherwise.
    pub fn autoscaling(&self, offer: &Offer) -> Option<Autoscaling> {
        let mut a = offer.behaviour.autoscaling?;
        if offer.kind == Kind::Managed {
            if let Some(n) = self.instances {
                a.min_instances = n;
                a.max_instances = a.max_instances.max(n);
            }
            if let Some(t) = self.target_per_instance_per_min {
                a.target_per_instance_per_min = t;
            }
        }
        Some(a)
    }

    /// Whether `offer` is billed per instance life with these settings: the
    /// variant chose instance-based billing where the offer has it, or the
    /// offer has no other billing.
    pub fn instance_billed(&self, offer: &Offer) -> bool {
        offer
            .billing
            .instance()
            .is_some_and(|i| i.required || self.instance_billing)
    }

    /// The instances `offer` holds with these settings: a server's count, a
    /// managed endpoint's autoscaling minimum.
    pub fn own_instances(&self, offer: &Offer) -> u32 {
        match (offer.kind, self.autoscaling(offer)) {
            (Kind::Managed, Some(a)) => a.min_instances.max(1),
            _ => offer.behaviour.instances.max(1),
        }
    }
}

/// What every platform model derives from the offer, the profile and the
/// scenario before the run: the instance's size and the service times.
#[derive(Debug, Clone)]
pub struct Derived {
    /// The offer.
    pub offer: Offer,
    /// The profile.
    pub profile: Arc<Profile>,
    /// Memory of one instance, MB (the scenario's choice for serverless).
    pub memory_mb: f64,
    /// vCPUs of one instance.
    pub vcpu: f64,
    /// How an instance runs its requests.
    pub slots: service_time::Slots,
    /// Service time per batch size (index = batch size): its sampler, mean
    /// and median, s.
    warm: Vec<(Sampler, f64, f64)>,
    /// Latency every request pays that holds no worker (GPU host-side work), s.
    pub extra_latency_s: f64,
    /// Remarks for the outcome.
    pub notes: Vec<String>,
}

impl Derived {
    /// Derives the instance and service times for `offer`.
    ///
    /// `memory_mb` overrides a serverless offer's configured memory (the
    /// memory sweep); `cpu_factor` multiplies the offer's CPU speed (the
    /// sensitivity analysis); `warm` replaces the profile's service time.
    pub fn new(
        offer: &Offer,
        profile: Arc<Profile>,
        memory_mb: Option<f64>,
        max_batch: u32,
        cpu_factor: f64,
        warm: Option<&Dist>,
    ) -> anyhow::Result<Derived> {
        let mut offer = offer.clone();
        offer.spec.cpu_speed *= cpu_factor;
        let memory_mb = memory_mb.unwrap_or(offer.spec.memory_mb);
        let vcpu = match offer.spec.mb_per_vcpu {
            Some(per) if per > 0.0 => memory_mb / per,
            _ => offer.spec.vcpu,
        };
        let slots = service_time::slots(&offer, vcpu);
        let mut notes =
            vec!["modelled: service times from the profile scaled to this offer".to_string()];
        let mut warm_table = Vec::with_capacity(max_batch as usize + 1);
        warm_table.push((Sampler::Constant(0.0), 0.0, 0.0));
        for n in 1..=max_batch.max(1) {
            let st: ServiceTime = if let Some(d) = warm {
                // A synthetic batch of n runs n times as long: no batching gain
                // is assumed where nothing was measured.
                let m = d.mean_s() * n as f64;
                match d {
                    Dist::Constant { .. } => ServiceTime::constant(m),
                    _ => ServiceTime {
                        mean_s: m,
                        p50_s: m,
                        p95_s: m,
                    },
                }
            } else if let Some(gpu) = &offer.spec.gpu {
                let (st, how) = service_time::gpu_service(&profile, gpu, n);
                if n == 1 {
                    notes.push(format!("modelled: GPU service time from the {how}"));
                }
                st
            } else {
                service_time::cpu_service(&profile, &offer, slots, n).ok_or_else(|| {
                    crate::error::bad_input(format!(
                        "profile `{}` has no CPU latency points; profile the model again",
                        profile.name
                    ))
                })?
            };
            let sampler = match warm {
                Some(Dist::Exponential { mean_s }) => Sampler::new(&Dist::Exponential {
                    mean_s: mean_s * n as f64,
                }),
                Some(Dist::Lognormal { mean_s, p95_s }) => {
                    Sampler::lognormal(mean_s * n as f64, p95_s * n as f64)
                }
                Some(Dist::Empirical { values_s }) => Sampler::new(&Dist::Empirical {
                    values_s: values_s.iter().map(|v| v * n as f64).collect(),
                }),
                Some(Dist::Constant { .. }) => Sampler::Constant(st.mean_s),
                None => Sampler::lognormal(st.mean_s, st.p95_s),
            };
            warm_table.push((sampler, st.mean_s, st.p50_s));
        }
        if warm.is_some() {
            notes.push("service times drawn from a synthetic distribution".to_string());
        }
        let extra_latency_s = if offer.spec.gpu.is_some() && warm.is_none() {
            service_time::GPU_HOST_S
        } else {
            0.0
        };
        Ok(Derived {
            extra_latency_s,
            offer,
            profile,
            memory_mb,
            vcpu,
            slots,
            warm: warm_table,
            notes,
        })
    }

    /// Draws the service time of an invocation of `n` requests, seconds.
    #[inline]
    pub fn service<R: Rng + ?Sized>(&self, n: u32, rng: &mut R) -> f64 {
        let i = (n as usize).min(self.warm.len() - 1);
        self.warm[i].0.sample(rng)
    }

    /// Mean service time of an invocation of `n` requests, seconds.
    pub fn warm_mean_s(&self, n: u32) -> f64 {
        let i = (n as usize).min(self.warm.len() - 1);
        self.warm[i].1
    }

    /// Median service time of an invocation of `n` requests, seconds.
    pub fn warm_p50_s(&self, n: u32) -> f64 {
        let i = (n as usize).min(self.warm.len() - 1);
        self.warm[i].2
    }

    /// The offer's kind as the outcome names it.
    pub fn kind_name(&self) -> &'static str {
        match self.offer.kind {
            Kind::Serverless => "serverless",
            Kind::Managed => "managed",
            Kind::Server => "server",
        }
    }
}
