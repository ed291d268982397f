//! Argument groups that several commands share, flattened into their args
//! with `#[command(flatten)]`, and their checks into domain types.

use crate::error::bad_input;
use crate::pricing::access::{self, Gateway, LineItems};
use crate::pricing::{region, snapshot, Offer};
use crate::profile::Profile;
use crate::runtime::Device;
use crate::sim::sampler::Dist;
use crate::sim::Scenario;
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which offers to use: a snapshot, optionally narrowed to some ids.
#[derive(Debug, Clone, Args)]
pub struct OfferArgs {
    /// Price snapshot: built in (`current`, `study-2020`) or NAME.toml in the pricing folder.
    #[arg(long, default_value = "current", value_name = "NAME")]
    pub snapshot: String,

    /// A snapshot file, or the folder to look for NAME.toml in (default: pricing/).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub pricing: Option<PathBuf>,

    /// Only these offers (repeat the flag; default: every offer of the snapshot).
    #[arg(long = "offer", value_name = "ID")]
    pub offers: Vec<String>,

    /// Prices of this region (e.g. eu-west-1, europe-west1): each offer's
    /// variant priced there; offers not priced there are left out
    /// (default: each offer's default region).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Where the clients are: the network round trip of each offer grows
    /// with the distance from this region (default: the offer's own region).
    #[arg(long, value_name = "REGION")]
    pub client_region: Option<String>,

    /// How clients reach a function: `http-api` adds API Gateway's HTTP
    /// API fee per call to each Lambda offer; `function-url` adds nothing
    /// (default: no line item).
    #[arg(long, value_enum, value_name = "KIND")]
    pub gateway: Option<Gateway>,

    /// GB sent back per 1,000 answers: adds each offer's data transfer out
    /// price per GB to its cost (default: no line item).
    #[arg(long, value_name = "GB", allow_negative_numbers = true)]
    pub egress_gb_per_1k: Option<f64>,
}

/// Settings of a simulated run that apply to every offer.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Client-side batching: requests per invocation (1 = none).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub batch: u32,

    /// Client-side batching: longest a request waits for its batch to fill, ms.
    #[arg(long, default_value_t = 0.0, value_name = "MS")]
    pub batch_wait: f64,

    /// Serverless memory size, MB (default: each offer's own).
    #[arg(long, value_name = "MB")]
    pub memory_mb: Option<f64>,

    /// Serverless instances kept initialised (provisioned concurrency; with
    /// --instance-billing, Cloud Run's minimum instances).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub provisioned: u32,

    /// Cloud Run instance-based billing: instances billed for their whole
    /// life, CPU always allocated, lower rates, no per-request fee (offers
    /// without it ignore it; Cloud Run with a GPU is always billed so).
    #[arg(long)]
    pub instance_billing: bool,

    /// Lambda SnapStart: new instances resume from a snapshot of the
    /// initialised function (offers without SnapStart ignore it).
    #[arg(long)]
    pub snapstart: bool,

    /// Server instances (default: each offer's own).
    #[arg(long, value_name = "N")]
    pub instances: Option<u32>,

    /// Target CPU speed relative to the offer's (0.7 = 30% slower).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub cpu_speed: f64,

    /// Replace the profile's service time: const:S, exp:MEAN or lognormal:MEAN,P95 (seconds).
    #[arg(long, value_name = "DIST")]
    pub service: Option<String>,

    /// Replace a cold request's whole run (cold start and service), same forms as --service.
    #[arg(long, value_name = "DIST")]
    pub cold_service: Option<String>,

    /// Seed of the simulation's random numbers.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
}

/// `--device` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceArg {
    /// The CPU execution provider.
    Cpu,
    /// The CUDA execution provider (when the runtime has it; else `profile` measures the CPU).
    Cuda,
}

impl From<DeviceArg> for Device {
    fn from(d: DeviceArg) -> Self {
        match d {
            DeviceArg::Cpu => Device::Cpu,
            DeviceArg::Cuda => Device::Cuda,
        }
    }
}

/// The offers the flags select, in snapshot order, with the line items
/// asked for set on them; unknown ids are bad input.
pub fn select_offers(a: &OfferArgs) -> Result<(String, Vec<Offer>)> {
    let snap = snapshot::find(&a.snapshot, a.pricing.as_deref())?;
    let pool: Vec<Offer> = match &a.region {
        None => snap.offers.clone(),
        Some(r) => region::in_region(&snap.all().cloned().collect::<Vec<_>>(), r)?,
    };
    let mut out = if a.offers.is_empty() {
        pool.clone()
    } else {
        Vec::new()
    };
    for id in &a.offers {
        // An id names the offer; with --region, its variant there.
        let found = pool
            .iter()
            .find(|o| o.id == *id || region::base_id(&o.id) == id)
            .or_else(|| a.region.is_none().then(|| snap.offer(id)).flatten());
        match found {
            Some(o) => out.push(o.clone()),
            None => {
                let where_ = a
                    .region
                    .as_deref()
                    .map(|r| format!(" priced in {r}"))
                    .unwrap_or_default();
                return Err(bad_input(format!(
                    "--offer {id}: no such offer{where_} in snapshot {} (see `advisor pricing show --snapshot {}`)",
                    snap.name, snap.name
                )));
            }
        }
    }
    if let Some(c) = &a.client_region {
        region::apply_client_region(&mut out, c)?;
    }
    access::apply(&mut out, &LineItems::new(a.gateway, a.egress_gb_per_1k)?);
    Ok((snap.name, out))
}

/// Loads a profile, as bad input when it cannot be read.
pub fn load_profile(path: &Path) -> Result<Arc<Profile>> {
    Ok(Arc::new(Profile::load(path)?))
}

/// Applies the run flags to a scenario.
pub fn apply_run_args(sc: &mut Scenario, r: &RunArgs) -> Result<()> {
    if r.batch == 0 || r.batch > 1024 {
        return Err(bad_input(format!(
            "--batch {}: expected 1 to 1024 requests per invocation",
            r.batch
        )));
    }
    if !(r.batch_wait.is_finite() && r.batch_wait >= 0.0) {
        return Err(bad_input("--batch-wait: expected milliseconds >= 0"));
    }
    if !(r.cpu_speed.is_finite() && r.cpu_speed > 0.0) {
        return Err(bad_input("--cpu-speed: expected a factor > 0, e.g. 0.7"));
    }
    if let Some(m) = r.memory_mb {
        if !(m.is_finite() && m > 0.0) {
            return Err(bad_input("--memory-mb: expected a size in MB > 0"));
        }
    }
    sc.settings.batch_size = r.batch;
    sc.settings.batch_wait_s = r.batch_wait / 1e3;
    sc.settings.memory_mb = r.memory_mb;
    if r.snapstart && r.provisioned > 0 {
        return Err(bad_input(
            "--snapstart with --provisioned: Lambda does not allow SnapStart and provisioned concurrency together; expected one of them",
        ));
    }
    sc.settings.provisioned = r.provisioned;
    sc.settings.snapstart = r.snapstart;
    sc.settings.instance_billing = r.instance_billing;
    sc.settings.instances = r.instances;
    sc.cpu_factor = r.cpu_speed;
    sc.seed = r.seed;
    let dist = |flag: &str, v: &Option<String>| -> Result<Option<Dist>> {
        v.as_deref()
            .map(|s| Dist::parse(s).map_err(|e| bad_input(format!("{flag} {e}"))))
            .transpose()
    };
    sc.warm = dist("--service", &r.service)?;
    sc.cold = dist("--cold-service", &r.cold_service)?;
    Ok(())
}
