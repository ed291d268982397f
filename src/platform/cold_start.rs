//! What a new serverless instance does before it serves, phase by phase.
//!
//! The study's five sequential steps (PAPER.md "Serverless model serving"):
//! container initialisation, library import, model download, model load,
//! model inference. The first two come from the offer (platform and runtime
//! package), download from the model size and the offer's bandwidth, and the
//! last two from the profile, scaled to the offer's CPU like service time.

use crate::pricing::Offer;
use crate::profile::Profile;
use serde::{Deserialize, Serialize};

/// The phases of one cold start, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ColdStartPhases {
    /// Container initialisation: `platform_init_s + init_s_per_package_mb * package_mb`.
    pub container_init_s: f64,
    /// Importing the runtime's libraries (offer's runtime).
    pub import_s: f64,
    /// Model download from object storage: size / bandwidth.
    pub download_s: f64,
    /// Session creation (model load + graph optimisation), from the profile.
    pub model_load_s: f64,
    /// The first inference, from the profile.
    pub first_inference_s: f64,
}

impl ColdStartPhases {
    /// The phases for `profile` on `offer` with `vcpu` vCPUs.
    ///
    /// Model load and first inference are single-threaded in the main, so
    /// they scale with the per-core speed and slow down only when the share
    /// is below one vCPU.
    pub fn new(profile: &Profile, offer: &Offer, vcpu: f64) -> Self {
        let cs = &offer.behaviour.cold_start;
        let rt = &offer.runtime;
        let cpu = offer.spec.cpu_speed.max(1e-9) * vcpu.clamp(1e-3, 1.0);
        let model_mb = profile.model.size_bytes as f64 / 1e6;
        ColdStartPhases {
            container_init_s: cs.platform_init_s + cs.init_s_per_package_mb * rt.package_mb,
            import_s: rt.import_s,
            download_s: if cs.download_mb_per_s > 0.0 {
                model_mb / cs.download_mb_per_s
            } else {
                0.0
            },
            model_load_s: profile.cold_start.session_create_ms / 1e3 * rt.load_factor / cpu,
            first_inference_s: profile.cold_start.first_inference_ms / 1e3 * rt.inference_factor
                / cpu,
        }
    }

    /// Time from the instance's creation until its first request starts running.
    pub fn until_ready_s(&self) -> f64 {
        self.container_init_s + self.import_s + self.download_s + self.model_load_s
    }

    /// The whole cold start, first inference included.
    pub fn total_s(&self) -> f64 {
        self.until_ready_s() + self.first_inference_s
    }

    /// The part of the wait that runs inside the handler (download and load,
    /// as in the study's handler), billed with the first invocation.
    pub fn in_handler_s(&self) -> f64 {
        self.download_s + self.model_load_s
    }

    /// The initialisation code that runs in the instance before the handler
    /// (the library import). Providers that bill initialisation bill this
    /// part (Lambda's INIT phase since 2025-08; Cloud Functions runs global
    /// code in the first invocation); the container's own start is never billed.
    pub fn billable_init_s(&self) -> f64 {
        self.import_s
    }
}
