//! The settings a package applies: the option's offer, with the advice's
//! memory, batching and threads when an advice is given.

use crate::advise::{Advice, Ranked, Topic};
use crate::error::bad_input;
use crate::pricing::offer::{Arch, Kind};
use crate::pricing::Offer;
use crate::profile::Profile;
use serde::Serialize;
use std::path::Path;

/// Which kind of package an offer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// A Python handler for AWS Lambda, deployed with AWS SAM.
    Lambda,
    /// A Python handler for Cloud Run functions, deployed with `gcloud`.
    CloudRunFunction,
    /// A container running `advisor serve`.
    Container,
}

/// What the package is set up with.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// The kind of package.
    pub form: Form,
    /// The offer id.
    pub offer: String,
    /// The offer's name.
    pub offer_name: String,
    /// The offer's region.
    pub region: String,
    /// `x86_64` or `arm64`.
    pub arch: &'static str,
    /// Memory, MB.
    pub memory_mb: u32,
    /// vCPUs at that memory.
    pub vcpu: f64,
    /// Request timeout, s.
    pub timeout_s: u32,
    /// Requests one instance takes at once.
    pub concurrency: u32,
    /// Instances kept initialised (provisioned concurrency).
    pub provisioned: u32,
    /// Requests per invocation (client-side batching; 1 = none).
    pub batch_size: u32,
    /// Longest the client waits to fill a batch, ms.
    pub batch_wait_ms: f64,
    /// ONNX Runtime intra-op threads per session.
    pub threads: u32,
    /// `advisor serve` workers (containers).
    pub workers: u32,
    /// `advisor serve` queue (containers).
    pub queue: u32,
    /// The model's name (its file stem).
    pub model_name: String,
    /// The option of the advice applied, if any (a `ranked[].id`).
    pub advice_option: Option<String>,
    /// The platform's unzipped package limit, MB, if it has one.
    pub package_limit_mb: Option<f64>,
    /// Cloud Run: billed per instance life (`--no-cpu-throttling`), as the
    /// option chose or the offer requires.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instance_billing: bool,
    /// Cloud Run: the GPU to attach (`nvidia-l4`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_type: Option<String>,
    /// How the settings were chosen.
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl Settings {
    /// The settings for `offer`, from `advice` when given (its best option
    /// when that is on this offer, else this offer's best-ranked option).
    pub fn derive(
        offer: &Offer,
        profile: &Profile,
        advice: Option<&Advice>,
        model: &Path,
    ) -> anyhow::Result<Settings> {
        let mut notes = Vec::new();
        let chosen = advice.map(|a| option_of(a, &offer.id)).transpose()?;
        let variant = chosen.map(|r| r.variant.clone()).unwrap_or_default();
        let memory = variant.memory_mb.unwrap_or(offer.spec.memory_mb);
        let vcpu = match offer.spec.mb_per_vcpu {
            Some(per) if per > 0.0 => memory / per,
            _ => offer.spec.vcpu,
        };
        let (mut batch_size, mut batch_wait_s) = (variant.batch_size.max(1), variant.batch_wait_s);
        if let Some(sweep) = advice.and_then(|a| a.batching.iter().find(|s| s.offer == offer.id)) {
            if let (true, Some(p)) = (sweep.pays, &sweep.cheapest_meeting) {
                (batch_size, batch_wait_s) = (p.batch_size, p.max_wait_s);
                notes.push(format!(
                    "batching from the advice's sweep: {} requests, waiting at most {:.0} ms (saves {:.0}%)",
                    p.batch_size,
                    p.max_wait_s * 1e3,
                    sweep.saving_ratio * 100.0
                ));
            }
        }
        let concurrency = offer.behaviour.concurrency_per_instance.max(1);
        let workers = (vcpu.ceil() as u32).clamp(1, concurrency);
        let mut threads = offer
            .behaviour
            .threads_per_request
            .unwrap_or(((vcpu / workers as f64).floor() as u32).max(1));
        let advised_threads = advice
            .into_iter()
            .flat_map(|a| &a.runtime)
            .find(|s| s.topic == Topic::Threads && s.advised)
            .and_then(|s| s.figures.get("threads"));
        if let Some(&t) = advised_threads {
            threads = (t as u32).max(1);
            notes.push(format!(
                "intra-op threads {threads}, as the advice suggests"
            ));
        }
        let form = match (offer.kind, offer.id.as_str()) {
            (Kind::Serverless, id) if id.starts_with("aws-lambda") => Form::Lambda,
            (Kind::Serverless, id) if id.contains("cloud-run-functions") => Form::CloudRunFunction,
            _ => Form::Container,
        };
        match chosen {
            Some(r) => notes.push(format!("settings of the advice's option {}", r.id)),
            None => notes.push("no advice given: the offer's own settings".into()),
        }
        if !profile_matches(profile, model) {
            notes.push(format!(
                "the profile measured {}, not {}: its sizes may not fit this model",
                profile.model.file,
                model.display()
            ));
        }
        Ok(Settings {
            form,
            offer: offer.id.clone(),
            offer_name: offer.name.clone(),
            region: offer.region.clone(),
            arch: match offer.spec.arch {
                Arch::X86_64 => "x86_64",
                Arch::Arm64 => "arm64",
            },
            memory_mb: memory.round() as u32,
            vcpu: (vcpu * 100.0).round() / 100.0,
            timeout_s: offer.behaviour.timeout_s.ceil().max(1.0) as u32,
            concurrency,
            provisioned: variant.provisioned,
            batch_size,
            batch_wait_ms: (batch_wait_s * 1e3 * 10.0).round() / 10.0,
            threads,
            workers,
            queue: concurrency
                .saturating_sub(workers)
                .max(offer.behaviour.queue.capacity_per_instance),
            model_name: model
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "model".into()),
            advice_option: chosen.map(|r| r.id.clone()),
            package_limit_mb: offer.runtime.package_limit_mb,
            instance_billing: variant.instance_billed(offer),
            gpu_type: offer
                .spec
                .gpu
                .as_ref()
                .map(|g| g.model.trim_start_matches("NVIDIA ").to_lowercase())
                .map(|m| format!("nvidia-{m}")),
            notes,
        })
    }
}

fn profile_matches(profile: &Profile, model: &Path) -> bool {
    let stem = |s: &str| {
        Path::new(s)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    };
    stem(&profile.model.file) == stem(&model.to_string_lossy())
}

/// The advice's option on `offer`: its best when that is on it, else the
/// first ranked (meeting the targets first, cheapest first).
fn option_of<'a>(advice: &'a Advice, offer: &str) -> anyhow::Result<&'a Ranked> {
    if let Some(b) = advice.best.as_ref().filter(|b| b.offer == offer) {
        return Ok(b);
    }
    advice
        .ranked
        .iter()
        .find(|r| r.offer == offer)
        .ok_or_else(|| {
            bad_input(format!(
                "--from-advice: no option on offer {offer} in the advice (it ranked {})",
                advice
                    .best
                    .as_ref()
                    .map(|b| format!("{} best", b.offer))
                    .unwrap_or_else(|| "no option best".into())
            ))
        })
}
