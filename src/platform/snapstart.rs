//! Lambda SnapStart as an option of a function.
//!
//! Lambda initialises a SnapStart function when a version is published,
//! snapshots the initialised microVM and resumes new instances from the
//! snapshot instead of initialising them ("restore instead of init"). It is
//! offered for the Python 3.12+ (and Java, .NET) managed runtimes in the
//! commercial regions, on x86_64 and arm64, and costs a caching charge per
//! GB-second while the version is active (3 hours at least) and a charge per
//! GB restored (https://aws.amazon.com/lambda/pricing/).
//!
//! The limits that decide whether an option may use it
//! (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html): no
//! provisioned concurrency on the same function (the variant never has
//! both), no container images (so the deployment package must fit the ZIP
//! limit), no EFS and at most 512 MB of ephemeral storage (so a model
//! downloaded to `/tmp` must fit in 512 MB).

use crate::pricing::Offer;
use crate::profile::Profile;

/// Ephemeral storage (`/tmp`) a SnapStart function may have, MB.
pub const MAX_EPHEMERAL_MB: f64 = 512.0;

/// Whether `offer` sells SnapStart: it has SnapStart prices and a restore time.
pub fn offered(offer: &Offer) -> bool {
    offer.billing.snapstart().is_some() && offer.behaviour.cold_start.snapstart_restore_s.is_some()
}

/// Why `profile` cannot be served by `offer` with SnapStart; `None` when it can.
pub fn unavailable(profile: &Profile, offer: &Offer) -> Option<String> {
    if !offered(offer) {
        return Some(format!("{} has no SnapStart", offer.id));
    }
    if let (Some(limit), Some(import)) = (
        offer.runtime.package_limit_mb,
        profile.cold_start.import.as_ref(),
    ) {
        let package = import.package_mb();
        if package > limit {
            return Some(format!(
                "the {package:.0} MB package needs a container image, which SnapStart does not support"
            ));
        }
    }
    let model_mb = profile.model.size_bytes as f64 / 1e6;
    if offer.behaviour.cold_start.download_mb_per_s > 0.0 && model_mb > MAX_EPHEMERAL_MB {
        return Some(format!(
            "the {model_mb:.0} MB model does not fit the {MAX_EPHEMERAL_MB:.0} MB of ephemeral storage SnapStart allows"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(id: &str) -> Offer {
        crate::pricing::snapshot::builtin("current")
            .unwrap()
            .offer(id)
            .unwrap()
            .clone()
    }

    #[test]
    fn lambda_offers_it_and_other_functions_do_not() {
        let p = crate::profile::bundled::get("mobilenetv2").unwrap();
        for id in ["aws-lambda-x86", "aws-lambda-arm64"] {
            assert!(offered(&offer(id)), "{id}");
            assert_eq!(unavailable(&p, &offer(id)), None, "{id}");
        }
        for id in ["gcp-cloud-run-1vcpu-2gib", "aws-sagemaker-serverless"] {
            assert!(!offered(&offer(id)), "{id}");
            assert!(unavailable(&p, &offer(id)).is_some(), "{id}");
        }
    }

    #[test]
    fn a_model_over_the_ephemeral_storage_limit_cannot_use_it() {
        let mut p = crate::profile::bundled::get("mobilenetv2").unwrap();
        p.model.size_bytes = 600_000_000;
        // Without a measured package only the storage limit applies.
        p.cold_start.import = None;
        let why = unavailable(&p, &offer("aws-lambda-x86")).unwrap();
        assert!(why.contains("512 MB"), "{why}");
    }
}
