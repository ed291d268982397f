//! The [`Offer`]: something a user can rent, its price and its behaviour.
//!
//! This is the validated, in-memory form in canonical units (seconds, MB,
//! USD). The TOML form under `pricing/` carries a unit and a source for every
//! figure and is checked on load before it becomes an `Offer`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cloud provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cloud {
    /// Amazon Web Services.
    Aws,
    /// Google Cloud.
    Gcp,
    /// Microsoft Azure.
    Azure,
}

/// Kind of platform; decides which platform model simulates the offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Functions: an instance per concurrent request (or N for Cloud Run), billed per use.
    Serverless,
    /// Managed ML endpoints: always-on instances with autoscaling, billed hourly.
    Managed,
    /// Self-rented virtual machines: fixed instances, billed hourly.
    Server,
}

/// CPU architecture of the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// x86-64.
    #[default]
    X86_64,
    /// 64-bit Arm (Graviton, Axion).
    Arm64,
}

/// One rentable option with its price and behaviour parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// Stable identifier, e.g. `aws-lambda-x86-2048`.
    pub id: String,
    /// Snapshot the offer was read from, e.g. `study-2020` or `current`.
    pub snapshot: String,
    /// Provider.
    pub cloud: Cloud,
    /// Platform kind.
    pub kind: Kind,
    /// Human name, e.g. "AWS Lambda 2048 MB (x86_64)".
    pub name: String,
    /// Region the prices are for.
    pub region: String,
    /// What one instance is.
    pub spec: Spec,
    /// How it is billed.
    pub billing: Billing,
    /// How it admits, queues, serves and scales requests.
    pub behaviour: Behaviour,
    /// The runtime the model is served with on this offer.
    pub runtime: RuntimeModel,
    /// What reaching the model costs besides the platform's bill (gateway,
    /// data transfer out), charged only when the user asks.
    #[serde(default, skip_serializing_if = "Access::is_empty")]
    pub access: Access,
    /// Figure path (e.g. `billing.per_gb_s_usd`) -> where it comes from.
    pub sources: BTreeMap<String, Source>,
    /// The ways to buy it besides on demand (spot, commitments), each a
    /// variant the advice may recommend; empty when the catalog lists none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purchase: Vec<Purchase>,
    /// The purchase option this copy of the offer is priced under (its
    /// billing already carries the option's price); `None` for on demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bought: Option<Purchase>,
}

/// What a purchase option is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseKind {
    /// Spare capacity at a lower price that the provider may reclaim at any time.
    Spot,
    /// A 1- or 3-year commitment (savings plan, committed use, reservation),
    /// paid whether used or not.
    Commitment,
}

/// One way to buy an offer besides on demand, with its price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Purchase {
    /// Short key, also the option id's suffix (`spot`, `sp1y`, `cud3y`).
    pub key: String,
    /// In words, e.g. "Compute Savings Plan, 1 year, no upfront".
    pub name: String,
    /// Spot or commitment.
    pub kind: PurchaseKind,
    /// Hourly offers: USD per instance-hour under this option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_hour_usd: Option<f64>,
    /// Functions: the share taken off the duration and provisioned
    /// concurrency prices (0.17 = 17%); requests are not discounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<f64>,
    /// Commitments: the term, months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_months: Option<u32>,
    /// Spot: interruptions per instance-hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interruptions_per_hour: Option<f64>,
    /// Spot: seconds from an interruption until its replacement serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_s: Option<f64>,
}

impl Purchase {
    /// The price ratio against on demand under `billing` (0.4 = 60% off):
    /// the share of the term a commitment must be used to pay off.
    pub fn price_ratio(&self, on_demand: &Billing) -> Option<f64> {
        match (on_demand, self.per_hour_usd, self.discount) {
            (Billing::Hourly { per_hour_usd, .. }, Some(p), _) if *per_hour_usd > 0.0 => {
                Some(p / per_hour_usd)
            }
            (_, _, Some(d)) => Some(1.0 - d),
            _ => None,
        }
    }
}

impl Offer {
    /// The purchase option `key` of this offer, if it lists one.
    pub fn purchase_option(&self, key: &str) -> Option<&Purchase> {
        self.purchase.iter().find(|p| p.key == key)
    }

    /// This offer priced under its purchase option `key`: an hourly offer
    /// takes the option's hourly price, a function's duration and
    /// provisioned concurrency prices lose the option's discount. `None`
    /// when the offer lists no such option or is already bought otherwise.
    pub fn purchased(&self, key: &str) -> Option<Offer> {
        let p = self.purchase_option(key)?.clone();
        if self.bought.is_some() {
            return None;
        }
        let mut o = self.clone();
        let keep = 1.0 - p.discount.unwrap_or(0.0);
        match &mut o.billing {
            Billing::Hourly { per_hour_usd, .. } => *per_hour_usd = p.per_hour_usd?,
            Billing::Invocation {
                per_gb_s_usd,
                per_ghz_s_usd,
                provisioned,
                ..
            } => {
                *per_gb_s_usd *= keep;
                *per_ghz_s_usd *= keep;
                if let Some(pr) = provisioned {
                    pr.per_gb_s_usd *= keep;
                    pr.duration_per_gb_s_usd *= keep;
                }
            }
            Billing::ActiveInstance {
                per_vcpu_s_usd,
                per_gib_s_usd,
                provisioned,
                instance,
                ..
            } => {
                *per_vcpu_s_usd *= keep;
                *per_gib_s_usd *= keep;
                if let Some(pr) = provisioned {
                    pr.per_gb_s_usd *= keep;
                    pr.duration_per_gb_s_usd *= keep;
                }
                if let Some(i) = instance {
                    i.per_vcpu_s_usd *= keep;
                    i.per_gib_s_usd *= keep;
                    i.per_gpu_s_usd *= keep;
                }
            }
        }
        o.bought = Some(p);
        Some(o)
    }
}

/// Where a figure comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// A URL, or "the study" (PAPER.md).
    pub source: String,
    /// Date the figure was read or published (YYYY-MM-DD or YYYY-MM).
    pub date: String,
    /// True when the figure is an assumption rather than a documented value.
    #[serde(default)]
    pub assumption: bool,
}

/// What one instance is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// vCPUs of one instance (serverless: at `memory_mb`; may be fractional).
    pub vcpu: f64,
    /// Memory of one instance, MB (serverless: the configured memory).
    pub memory_mb: f64,
    /// CPU architecture.
    #[serde(default)]
    pub arch: Arch,
    /// Per-core speed relative to the profiling machine (1.0 = same): a
    /// manual multiplier on top of the CPU family's.
    #[serde(default = "one")]
    pub cpu_speed: f64,
    /// The CPU family the instances run on (an id of `pricing/cpus.toml`,
    /// `as-profiled` or `unknown`), which carries the profile's latencies to them.
    #[serde(default = "unknown_family")]
    pub cpu_family: String,
    /// Serverless only: MB of memory that buys one full vCPU (Lambda: 1769).
    /// When set, `vcpu = memory_mb / mb_per_vcpu` for any memory size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mb_per_vcpu: Option<f64>,
    /// Serverless only: the memory sizes one may configure, for the sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_range: Option<MemoryRange>,
    /// GPUs attached to one instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<Gpu>,
    /// Whether the model must first be compiled for the accelerator (AWS
    /// Inferentia with the Neuron SDK) before the offer can serve it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_compilation: bool,
}

fn one() -> f64 {
    1.0
}

fn unknown_family() -> String {
    "unknown".to_string()
}

/// Configurable memory sizes of a function.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MemoryRange {
    /// Smallest size, MB.
    pub min_mb: f64,
    /// Largest size, MB.
    pub max_mb: f64,
    /// Step between sizes, MB.
    pub step_mb: f64,
}

/// GPUs of an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gpu {
    /// Model, e.g. "NVIDIA T4".
    pub model: String,
    /// GPUs per instance.
    pub count: u32,
    /// Memory per GPU, GB.
    pub memory_gb: f64,
    /// Effective inference throughput relative to one T4 (T4 = 1.0).
    pub relative_t4: f64,
}

/// How an offer is billed. Parts that do not apply are zero or absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Billing {
    /// Per request plus per GB-second (and GHz-second for Cloud Functions 1st
    /// gen) of configured memory, each invocation rounded up to the granularity.
    Invocation {
        /// USD per request.
        per_request_usd: f64,
        /// USD per GB-second of configured memory.
        per_gb_s_usd: f64,
        /// USD per GHz-second of CPU (Cloud Functions 1st gen), else 0.
        #[serde(default)]
        per_ghz_s_usd: f64,
        /// CPU clock the GHz-seconds are counted at (Cloud Functions 1st gen tiers).
        #[serde(default)]
        cpu_ghz: f64,
        /// Billing granularity, seconds (0.001 for Lambda, 0.1 for Cloud Functions 1st gen).
        granularity_s: f64,
        /// Whether the initialisation phase (platform init + import) is billed.
        #[serde(default)]
        init_billed: bool,
        /// Provisioned concurrency prices, where offered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provisioned: Option<Provisioned>,
        /// SnapStart prices, where the runtime supports it (Lambda's Python 3.12+).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        snapstart: Option<SnapStartPrices>,
    },
    /// Per request plus vCPU-seconds and GiB-seconds of instance time while it
    /// serves at least one request (Cloud Run, Cloud Functions 2nd gen,
    /// SageMaker Serverless Inference with vcpu price 0).
    ActiveInstance {
        /// USD per request.
        per_request_usd: f64,
        /// USD per vCPU-second.
        per_vcpu_s_usd: f64,
        /// USD per GiB-second.
        per_gib_s_usd: f64,
        /// Billing granularity, seconds.
        granularity_s: f64,
        /// Provisioned concurrency prices (SageMaker Serverless Inference),
        /// where offered: instances kept initialised, billed per GB-second
        /// whether used or not, and their inference at a lower rate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provisioned: Option<Provisioned>,
        /// Instance-based billing (Cloud Run), where offered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        instance: Option<InstanceBilling>,
    },
    /// Per instance-hour, billed per `granularity_s` with a minimum (EC2, GCE,
    /// SageMaker and Vertex endpoints).
    Hourly {
        /// USD per instance-hour.
        per_hour_usd: f64,
        /// Billing granularity, seconds (1 for per-second billing, 3600 for hourly).
        granularity_s: f64,
        /// Minimum billed time per instance start, seconds (60 for EC2 Linux).
        minimum_s: f64,
    },
}

/// Prices of reaching the model, and the line items the user asked for.
///
/// The prices come from the snapshot; the charges are set by the commands
/// (`--gateway`, `--egress-gb-per-1k`, see [`super::access`]) and added to a
/// run's cost by the simulator.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Access {
    /// USD per GB sent to the internet (data transfer out), where priced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress_per_gb_usd: Option<f64>,
    /// USD per request through the provider's HTTP API gateway in front of
    /// the offer (AWS API Gateway HTTP API), where priced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_per_request_usd: Option<f64>,
    /// Charged: USD per request received (the gateway).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub charge_per_request_usd: f64,
    /// Charged: USD per answer sent back (data transfer out).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub charge_per_answer_usd: f64,
    /// What the charges are, in words, for the month's statement; empty
    /// when nothing was asked.
    #[serde(skip)]
    pub statement: String,
}

impl Access {
    /// Nothing priced and nothing charged.
    pub fn is_empty(&self) -> bool {
        *self == Access::default()
    }
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// Provisioned concurrency: instances kept initialised, billed whether used or not.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Provisioned {
    /// USD per GB-second of provisioned memory, billed all the time.
    pub per_gb_s_usd: f64,
    /// USD per GB-second of execution on a provisioned instance (replaces the on-demand rate).
    pub duration_per_gb_s_usd: f64,
}

/// Instance-based billing (Cloud Run): an instance is billed for its whole
/// life, from its start until it is shut down, with its CPU always
/// allocated, at rates below the request-based ones and with no per-request
/// fee; minimum instances are billed at the same rates while idle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InstanceBilling {
    /// USD per vCPU-second of instance life.
    pub per_vcpu_s_usd: f64,
    /// USD per GiB-second of instance life.
    pub per_gib_s_usd: f64,
    /// USD per GPU-second of instance life (0 without a GPU).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub per_gpu_s_usd: f64,
    /// Whether the offer may only be billed this way (Cloud Run with a GPU).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// SnapStart: new instances resume from a cached snapshot of the
/// initialised function, paid for by caching the snapshot while the version
/// is active and by each restore.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SnapStartPrices {
    /// USD per GB-second of snapshot cached (the function's memory).
    pub cache_per_gb_s_usd: f64,
    /// Shortest cached period billed per published version, seconds.
    pub cache_minimum_s: f64,
    /// USD per GB restored, each time an instance resumes from the snapshot.
    pub restore_per_gb_usd: f64,
}

/// How a platform admits, queues, serves and scales requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Behaviour {
    /// Network round trip between the client and the offer, seconds.
    pub network_rtt_s: f64,
    /// A request that has not completed this long after it arrived fails as a timeout, seconds.
    pub timeout_s: f64,
    /// Requests one instance serves at once (Lambda 1, Cloud Run up to 1000, a server its workers).
    pub concurrency_per_instance: u32,
    /// Intra-op threads per request; absent = the instance's vCPUs shared by its concurrency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads_per_request: Option<u32>,
    /// How a new instance starts (serverless cold start, VM boot for managed scale-out).
    pub cold_start: ColdStartModel,
    /// Serverless: an idle instance is reclaimed after this long, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive_s: Option<f64>,
    /// Serverless: limits on how many instances exist and how fast they appear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<ScalingLimits>,
    /// Managed: target-tracking autoscaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    /// Instances that exist from the start (server: the fixed count; managed: the minimum).
    #[serde(default)]
    pub instances: u32,
    /// Waiting room for requests no worker can take yet.
    pub queue: Queue,
}

/// The phases of starting an instance that the offer (not the profile) decides.
///
/// Model load and first inference come from the profile, scaled to the
/// offer's CPU; download comes from the model size and `download_mb_per_s`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ColdStartModel {
    /// Container or VM initialisation at zero package size, seconds.
    pub platform_init_s: f64,
    /// Extra initialisation per MB of deployment package, seconds per MB.
    pub init_s_per_package_mb: f64,
    /// Model download bandwidth from object storage, MB/s.
    pub download_mb_per_s: f64,
    /// SnapStart: resuming an instance from its snapshot, seconds; it
    /// replaces every phase before the first inference. `None` where the
    /// platform has no SnapStart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapstart_restore_s: Option<f64>,
}

/// Serverless scaling limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScalingLimits {
    /// Most instances that may exist at once (account or function concurrency limit).
    pub max_instances: u32,
    /// Instances that may be started at once before the rate limit applies.
    pub burst: u32,
    /// New instances per second once the burst is spent.
    pub new_per_s: f64,
}

/// Target-tracking autoscaling of a managed endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Autoscaling {
    /// Instances that are always on.
    pub min_instances: u32,
    /// Most instances.
    pub max_instances: u32,
    /// Target invocations per instance per minute.
    pub target_per_instance_per_min: f64,
    /// Metric period, seconds.
    pub metric_period_s: f64,
    /// Periods above target before a scale-out is triggered.
    pub scale_out_periods: u32,
    /// Periods below target before a scale-in is triggered.
    pub scale_in_periods: u32,
    /// Time from the scale-out decision until the new instance serves, seconds.
    pub provisioning_delay_s: f64,
}

/// A bounded waiting room and what happens when it is full.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    /// Waiting requests per instance before the policy applies.
    pub capacity_per_instance: u32,
    /// What happens to a request that finds the queue full.
    pub policy: QueuePolicy,
}

/// What happens to a request that finds the queue full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueuePolicy {
    /// Rejected at once (counted as dropped / queue full).
    Drop,
    /// Kept waiting in the network stack until served or timed out.
    Wait,
}

/// The serving runtime on an offer, relative to the profile's ONNX Runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeModel {
    /// Name and version, e.g. "onnxruntime 1.31" or "tensorflow 1.15".
    pub name: String,
    /// Deployment package size (runtime and libraries, unzipped), MB.
    pub package_mb: f64,
    /// Importing the libraries in a fresh instance, seconds.
    pub import_s: f64,
    /// Service time multiplier against the profile's measurement (1.0 = as measured).
    pub inference_factor: f64,
    /// Model load time multiplier against the profile's session creation.
    pub load_factor: f64,
    /// Whether the profile's measured import and package (the same runtime,
    /// timed here) replace `import_s` and `package_mb` when it has them.
    #[serde(default)]
    pub import_from_profile: bool,
    /// Largest unzipped deployment package the platform accepts, MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_limit_mb: Option<f64>,
}
