//! What a new serverless instance does before it serves, phase by phase.
//!
//! The study's five sequential steps (PAPER.md "Serverless model serving"):
//! container initialisation, library import, model download, model load,
//! model inference. Container initialisation comes from the offer (platform
//! and package size), the import from the profile's fresh-process import of
//! the same runtime where the offer serves it (else the offer's figure),
//! download from the model size and the offer's bandwidth, and the last two
//! from the profile; every CPU-bound phase scales with the instance's CPU.

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
    /// SnapStart: the restore from the snapshot that replaces every phase
    /// before the first inference; `None` for an instance initialised from scratch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_s: Option<f64>,
}

/// The speed of an instance's single-threaded work against one full core of
/// the profiling machine: the offer's per-core speed times its share of a core
/// (`share` vCPUs, capped at one because import, model load and the first
/// inference run on one thread; Lambda's share is memory / 1769 MB).
///
/// The reference probe's per-CPU-family factor multiplies in here.
pub fn cpu_factor(offer: &Offer, share: f64) -> f64 {
    offer.spec.cpu_speed.max(1e-9) * core_share(share)
}

/// The fraction of one core that `vcpu` vCPUs give a single thread.
fn core_share(vcpu: f64) -> f64 {
    vcpu.clamp(1e-3, 1.0)
}

impl ColdStartPhases {
    /// The phases for `profile` on `offer` with `vcpu` vCPUs.
    ///
    /// Every CPU-bound phase (import, model load, first inference) slows
    /// down when the share is below one vCPU. What the profile measured here
    /// also scales with the per-core speed ([`cpu_factor`]); an import figure
    /// of the offer's own is its time on one full vCPU of that platform.
    pub fn new(profile: &Profile, offer: &Offer, vcpu: f64) -> Self {
        let cs = &offer.behaviour.cold_start;
        let rt = &offer.runtime;
        let cpu = cpu_factor(offer, vcpu);
        let model_mb = profile.model.size_bytes as f64 / 1e6;
        let measured = profile
            .cold_start
            .import
            .as_ref()
            // A native library load stands in only where Python could not
            // import the runtime; it is far quicker than the Python import a
            // function pays, so the offer's own measured import is used then.
            .filter(|m| rt.import_from_profile && m.is_python());
        let (import_s, package_mb) = match measured {
            Some(m) => (m.import_ms / 1e3 / cpu, m.libraries_mb()),
            None => (rt.import_s / core_share(vcpu), rt.package_mb),
        };
        ColdStartPhases {
            container_init_s: cs.platform_init_s + cs.init_s_per_package_mb * package_mb,
            import_s,
            download_s: if cs.download_mb_per_s > 0.0 {
                model_mb / cs.download_mb_per_s
            } else {
                0.0
            },
            model_load_s: profile.cold_start.session_create_ms / 1e3 * rt.load_factor / cpu,
            first_inference_s: profile.cold_start.first_inference_ms / 1e3 * rt.inference_factor
                / cpu,
            restore_s: None,
        }
    }

    /// The same instance resumed from a SnapStart snapshot taken after its
    /// initialisation: the import, the model's download and load ran when
    /// the version was published (the model is loaded in the initialisation
    /// code, outside the handler, so that it is in the snapshot), and a new
    /// instance only restores it, in `restore_s`. The first inference still
    /// runs in the resumed instance and pays its warm-up.
    pub fn restored(self, restore_s: f64) -> Self {
        ColdStartPhases {
            restore_s: Some(restore_s),
            ..self
        }
    }

    /// The phases `offer` pays with SnapStart on or off: `restored` with the
    /// offer's restore time when `snapstart` is set and the offer has one.
    pub fn with_snapstart(self, offer: &Offer, snapstart: bool) -> Self {
        match offer.behaviour.cold_start.snapstart_restore_s {
            Some(r) if snapstart => self.restored(r),
            _ => self,
        }
    }

    /// Time from the instance's creation until its first request starts running.
    pub fn until_ready_s(&self) -> f64 {
        match self.restore_s {
            Some(r) => r,
            None => self.container_init_s + self.import_s + self.download_s + self.model_load_s,
        }
    }

    /// The whole cold start, first inference included.
    pub fn total_s(&self) -> f64 {
        self.until_ready_s() + self.first_inference_s
    }

    /// The part of the wait that runs inside the handler (download and load,
    /// as in the study's handler), billed with the first invocation.
    pub fn in_handler_s(&self) -> f64 {
        match self.restore_s {
            Some(_) => 0.0,
            None => self.download_s + self.model_load_s,
        }
    }

    /// The initialisation code that runs in the instance before the handler
    /// (the library import). Providers that bill initialisation bill this
    /// part (Lambda's INIT phase since 2025-08; Cloud Functions runs global
    /// code in the first invocation); the container's own start is never billed.
    ///
    /// A restored instance bills none: the snapshot's restore is not
    /// charged by duration ("You are not charged for the time it takes to
    /// restore a snapshot", snapstart-monitoring), its per-GB restore charge
    /// is billed apart, and the runtime's load after the restore, which is,
    /// is part of the measured restore time and not told apart.
    pub fn billable_init_s(&self) -> f64 {
        match self.restore_s {
            Some(_) => 0.0,
            None => self.import_s,
        }
    }
}

/// What the platform says of the profile's deployment package: a remark when
/// it exceeds the offer's unzipped limit (Lambda's 250 MB), else nothing.
pub fn package_note(profile: &Profile, offer: &Offer) -> Option<String> {
    let limit = offer.runtime.package_limit_mb?;
    let package = profile.cold_start.import.as_ref()?.package_mb();
    (package > limit).then(|| {
        format!(
            "deployment package {package:.0} MB (runtime, numpy, model) exceeds {}'s {limit:.0} MB unzipped limit: deploy a container image or download the model at start",
            offer.id
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::import::RuntimeImport;

    fn lambda() -> Offer {
        crate::pricing::snapshot::builtin("current")
            .unwrap()
            .offer("aws-lambda-x86")
            .unwrap()
            .clone()
    }

    /// The bundled MobileNetV2 profile with an import measured as a
    /// function would pay it.
    fn measured(import_ms: f64, model_mb: f64) -> Profile {
        let mut p = crate::profile::bundled::get("mobilenetv2").unwrap();
        p.cold_start.import = Some(RuntimeImport {
            what: "python3 import onnxruntime 1.31.1, numpy 2.4.6".into(),
            import_ms,
            spread_ms: [import_ms, import_ms],
            trials: 5,
            runtime_mb: 68.0,
            numpy_mb: 73.0,
            model_mb,
        });
        p
    }

    #[test]
    fn cpu_bound_phases_scale_with_the_memory_share() {
        let (p, offer) = (measured(200.0, 14.0), lambda());
        let at = |mb: f64| ColdStartPhases::new(&p, &offer, mb / 1769.0);
        let (small, big) = (at(256.0), at(2048.0));
        let share = 256.0 / 1769.0;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        // 2048 MB buys more than one vCPU: one thread runs at full speed.
        assert!(close(big.import_s, 0.2), "{big:?}");
        assert!(close(small.import_s * share, big.import_s), "{small:?}");
        assert!(close(small.model_load_s * share, big.model_load_s));
        assert!(close(
            small.first_inference_s * share,
            big.first_inference_s
        ));
        // Neither the platform's init nor the download depends on the CPU.
        assert_eq!(small.container_init_s, big.container_init_s);
        assert_eq!(small.download_s, big.download_s);
        // The package is the measured libraries, the model downloaded apart.
        let cs = &offer.behaviour.cold_start;
        assert!(close(
            big.container_init_s,
            cs.platform_init_s + cs.init_s_per_package_mb * 141.0
        ));
    }

    #[test]
    fn offers_that_serve_another_runtime_keep_their_own_import() {
        let p = measured(200.0, 14.0);
        let mut offer = lambda();
        offer.runtime.import_from_profile = false;
        offer.runtime.import_s = 0.9;
        let c = ColdStartPhases::new(&p, &offer, 0.5);
        assert!((c.import_s - 1.8).abs() < 1e-12, "{c:?}");
    }

    #[test]
    fn a_restore_replaces_every_phase_before_the_first_inference() {
        let (p, offer) = (measured(200.0, 14.0), lambda());
        let plain = ColdStartPhases::new(&p, &offer, 256.0 / 1769.0);
        let snap = plain.restored(0.4);
        assert_eq!(snap.until_ready_s(), 0.4);
        assert_eq!(snap.total_s(), 0.4 + plain.first_inference_s);
        assert_eq!((snap.in_handler_s(), snap.billable_init_s()), (0.0, 0.0));
        assert!(plain.until_ready_s() > 0.4, "{plain:?}");
        // Off, or on an offer without a restore figure, nothing changes.
        assert_eq!(plain.with_snapstart(&offer, false), plain);
        let mut none = offer.clone();
        none.behaviour.cold_start.snapstart_restore_s = None;
        assert_eq!(plain.with_snapstart(&none, true), plain);
        let r = offer.behaviour.cold_start.snapstart_restore_s.unwrap();
        assert_eq!(plain.with_snapstart(&offer, true).until_ready_s(), r);
    }

    #[test]
    fn a_package_over_the_limit_is_named() {
        let offer = lambda();
        assert_eq!(package_note(&measured(200.0, 14.0), &offer), None);
        let note = package_note(&measured(200.0, 120.0), &offer).unwrap();
        assert!(note.contains("261 MB") && note.contains("250 MB"), "{note}");
    }
}
