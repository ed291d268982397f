//! Options: an offer plus the settings that make it one thing to simulate
//! (memory size, instance count, batching, provisioned concurrency).

use super::{Group, Variant};
use crate::platform::Derived;
use crate::pricing::{Autoscaling, Kind, Offer};
use crate::profile::Profile;
use crate::sim::Scenario;
use std::sync::Arc;

/// Target utilisation when sizing instances for a rate: queues stay short
/// below about 80% busy (M/M/c with a few workers).
pub const TARGET_UTILISATION: f64 = 0.8;

/// Most instances a sizing proposes; beyond that the offer is not a fit.
pub const MAX_SIZED_INSTANCES: u32 = 64;

/// One option to simulate: a shared offer and the settings that vary it.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Unique id (see [`option_id`]).
    pub id: String,
    /// The offer, unchanged; shared by all its variants.
    pub offer: Arc<Offer>,
    /// Its settings; effective figures come from [`Variant`]'s accessors.
    pub settings: Variant,
}

impl Candidate {
    /// An option of `offer` with `variant`'s settings.
    pub fn new(offer: &Offer, variant: Variant) -> Self {
        Candidate::of(Arc::new(offer.clone()), variant)
    }

    /// An option of a shared `offer` with `variant`'s settings; a variant
    /// bought under one of the offer's purchase options gets the offer
    /// priced under it.
    pub fn of(offer: Arc<Offer>, variant: Variant) -> Self {
        let bought = offer.bought.as_ref().map(|p| p.key.as_str());
        let offer = match variant.purchase.as_deref() {
            Some(k) if bought != Some(k) => offer.purchased(k).map(Arc::new).unwrap_or(offer),
            _ => offer,
        };
        Candidate {
            id: option_id(&offer.id, &variant),
            offer,
            settings: variant,
        }
    }

    /// The offer at its own settings.
    pub fn default_of(offer: &Offer) -> Self {
        Candidate::new(offer, default_variant(offer))
    }

    /// The same offer with other settings.
    pub fn with(&self, variant: Variant) -> Self {
        Candidate::of(self.offer.clone(), variant)
    }

    /// The instances the option holds by itself (a server's count, a managed
    /// endpoint's autoscaling minimum).
    pub fn own_instances(&self) -> u32 {
        self.settings.own_instances(&self.offer)
    }

    /// A managed endpoint's autoscaling as this option runs it.
    pub fn autoscaling(&self) -> Option<Autoscaling> {
        self.settings.autoscaling(&self.offer)
    }

    /// The scenario that simulates this option.
    pub fn scenario(&self, profile: &Arc<Profile>, seed: u64, cpu_factor: f64) -> Scenario {
        let mut sc = Scenario::new(self.offer.clone(), profile.clone());
        sc.label = Some(self.id.clone());
        sc.settings = self.settings.clone();
        sc.cpu_factor = cpu_factor;
        sc.seed = seed;
        sc
    }

    /// The family the option competes in.
    pub fn group(&self) -> Group {
        group_of(&self.offer)
    }
}

/// The family an offer competes in: GPU instances apart from CPU ones.
pub fn group_of(offer: &Offer) -> Group {
    if offer.spec.gpu.is_some() {
        return Group::Gpu;
    }
    match offer.kind {
        Kind::Serverless => Group::Serverless,
        Kind::Managed => Group::Managed,
        Kind::Server => Group::Server,
    }
}

/// The offer's own settings.
pub fn default_variant(offer: &Offer) -> Variant {
    Variant {
        memory_mb: offer.spec.memory_range.map(|_| offer.spec.memory_mb),
        ..Variant::default()
    }
}

/// A unique, readable id:
/// `offer[@MEMmb][*N][+tT/min][+bB/Wms][+pcN|+minN][+snap][+ib][+PURCHASE]`
/// (`+ib`: Cloud Run's instance-based billing, whose kept instances are `+minN`).
pub fn option_id(offer: &str, v: &Variant) -> String {
    let mut id = offer.to_string();
    if let Some(m) = v.memory_mb {
        id.push_str(&format!("@{m:.0}mb"));
    }
    if let Some(n) = v.instances {
        id.push_str(&format!("*{n}"));
    }
    if let Some(t) = v.target_per_instance_per_min {
        id.push_str(&format!("+t{t:.0}/min"));
    }
    if v.batch_size > 1 {
        id.push_str(&format!("+b{}/{:.0}ms", v.batch_size, v.batch_wait_s * 1e3));
    }
    match (v.provisioned, v.instance_billing) {
        (0, _) => {}
        // Cloud Run's kept instances are its minimum instances.
        (n, true) => id.push_str(&format!("+min{n}")),
        (n, false) => id.push_str(&format!("+pc{n}")),
    }
    if v.snapstart {
        id.push_str("+snap");
    }
    if v.instance_billing {
        id.push_str("+ib");
    }
    if let Some(p) = &v.purchase {
        id.push_str(&format!("+{p}"));
    }
    id
}

/// Requests one instance of `offer` serves per second at batch 1 (its
/// workers over the mean service time), and that service time, s.
pub fn capacity(
    offer: &Offer,
    profile: &Arc<Profile>,
    memory_mb: Option<f64>,
    cpu_factor: f64,
) -> anyhow::Result<(f64, f64)> {
    let d = Derived::new(offer, profile.clone(), memory_mb, 1, cpu_factor, None)?;
    let s1 = d.warm_mean_s(1).max(1e-6);
    let workers = match offer.kind {
        Kind::Serverless => d.slots.parallel.max(1),
        _ => offer.behaviour.concurrency_per_instance.max(1),
    };
    Ok((workers as f64 / s1, s1))
}

/// Instances of `offer` that serve `rate_rps` at [`TARGET_UTILISATION`],
/// at least one, at most [`MAX_SIZED_INSTANCES`].
pub fn instances_for(capacity_rps: f64, rate_rps: f64) -> u32 {
    let n = (rate_rps / (capacity_rps * TARGET_UTILISATION)).ceil();
    (n.max(1.0) as u32).min(MAX_SIZED_INSTANCES)
}

/// The instances an offer holds by itself (a server's count, a managed endpoint's minimum).
pub fn own_instances(offer: &Offer) -> u32 {
    Variant::default().own_instances(offer)
}

/// For servers and managed endpoints: the option sized for `peak_rps`.
///
/// A server gets the instances the peak needs, when its own count is not
/// enough. A managed endpoint gets them as its autoscaling minimum (adding
/// one takes minutes), and its scaling target is tuned to the model (the
/// catalog's target is a placeholder "to be tuned per model"): scale out
/// above [`TARGET_UTILISATION`] of what an instance serves. `None` when the
/// offer as it is already fits.
pub fn sized_for_peak(
    offer: &Offer,
    profile: &Arc<Profile>,
    peak_rps: f64,
    cpu_factor: f64,
) -> anyhow::Result<Option<Candidate>> {
    if offer.kind == Kind::Serverless {
        return Ok(None);
    }
    let (cap, _) = capacity(offer, profile, None, cpu_factor)?;
    let n = instances_for(cap, peak_rps);
    let tuned = cap * TARGET_UTILISATION * 60.0;
    let retune = match offer.behaviour.autoscaling {
        Some(a) if offer.kind == Kind::Managed => {
            let r = a.target_per_instance_per_min / tuned;
            !(0.5..=2.0).contains(&r)
        }
        _ => false,
    };
    if n <= own_instances(offer) && !retune {
        return Ok(None);
    }
    let mut v = default_variant(offer);
    v.instances = Some(n.max(own_instances(offer)));
    v.target_per_instance_per_min = retune.then_some(tuned);
    v.origin = if retune {
        "sized for the peak, scaling target tuned to the model".to_string()
    } else {
        "sized for the peak".to_string()
    };
    Ok(Some(Candidate::new(offer, v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::snapshot;

    fn offer(id: &str) -> Offer {
        snapshot::builtin("current")
            .unwrap()
            .offer(id)
            .unwrap()
            .clone()
    }

    #[test]
    fn ids_name_every_setting() {
        let o = offer("aws-lambda-x86");
        let mut v = default_variant(&o);
        assert_eq!(option_id(&o.id, &v), "aws-lambda-x86@2048mb");
        v.batch_size = 8;
        v.batch_wait_s = 0.05;
        v.provisioned = 2;
        assert_eq!(option_id(&o.id, &v), "aws-lambda-x86@2048mb+b8/50ms+pc2");
        v.provisioned = 0;
        v.snapstart = true;
        assert_eq!(option_id(&o.id, &v), "aws-lambda-x86@2048mb+b8/50ms+snap");
        let s = offer("aws-ec2-c7i.xlarge");
        let mut v = default_variant(&s);
        v.instances = Some(3);
        assert_eq!(option_id(&s.id, &v), "aws-ec2-c7i.xlarge*3");
    }

    #[test]
    fn groups_put_gpus_apart() {
        assert_eq!(group_of(&offer("aws-lambda-x86")), Group::Serverless);
        assert_eq!(group_of(&offer("aws-ec2-g4dn.xlarge")), Group::Gpu);
        assert_eq!(group_of(&offer("aws-sagemaker-ml.g5.xlarge")), Group::Gpu);
        assert_eq!(
            group_of(&offer("aws-sagemaker-ml.c5.xlarge")),
            Group::Managed
        );
        assert_eq!(group_of(&offer("gcp-gce-e2-standard-4")), Group::Server);
    }

    #[test]
    fn sizing_adds_instances_for_a_slow_model() {
        let albert = Arc::new(crate::profile::bundled::get("albert-base").unwrap());
        let o = offer("aws-ec2-c7i.xlarge");
        let (cap, s1) = capacity(&o, &albert, None, 1.0).unwrap();
        // Four single-threaded workers of about 0.14 s each (the bundled
        // profile's batch-1 latency on c7i's CPU family plus the round trip):
        // about 28 requests per second, far below an 80 req/s peak.
        assert!((20.0..40.0).contains(&cap), "{cap} {s1}");
        assert!((0.1..0.2).contains(&s1), "{s1}");
        let c = sized_for_peak(&o, &albert, 80.0, 1.0).unwrap().unwrap();
        let n = c.settings.instances.unwrap();
        assert!(n >= 3, "{n}");
        assert_eq!(n, instances_for(cap, 80.0));
        assert!(n as f64 * cap * TARGET_UTILISATION >= 80.0);
        // A managed endpoint is resized through its autoscaling minimum.
        let m = offer("aws-sagemaker-ml.c5.xlarge");
        let c = sized_for_peak(&m, &albert, 80.0, 1.0).unwrap().unwrap();
        let a = c.autoscaling().unwrap();
        assert_eq!(Some(a.min_instances), c.settings.instances);
        assert!(a.max_instances >= a.min_instances);
    }

    #[test]
    fn a_fast_model_needs_no_extra_server() {
        let mobilenet = Arc::new(crate::profile::bundled::get("mobilenetv2").unwrap());
        let o = offer("aws-ec2-c7i.xlarge");
        assert!(sized_for_peak(&o, &mobilenet, 120.0, 1.0)
            .unwrap()
            .is_none());
        // A managed endpoint whose target is far from the model's capacity is retuned.
        let m = offer("aws-sagemaker-ml.c5.xlarge");
        let c = sized_for_peak(&m, &mobilenet, 120.0, 1.0).unwrap().unwrap();
        let (cap, _) = capacity(&m, &mobilenet, None, 1.0).unwrap();
        let a = c.autoscaling().unwrap();
        assert!((a.target_per_instance_per_min - cap * 48.0).abs() < 1e-6);
        assert_eq!(c.settings.instances, Some(1));
    }
}
