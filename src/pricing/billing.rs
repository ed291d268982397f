//! Billing rules as code: what one invocation, one active stretch or one
//! held instance costs under each [`Billing`] model, and the optional free
//! tiers (off unless asked for).
//!
//! Memory-based prices count memory in GB of 1024 MB, as the providers do:
//! a 2048 MB Lambda function is billed as 2 GB.

use super::offer::{Arch, Billing, Cloud, InstanceBilling, Offer, SnapStartPrices};
use serde::Serialize;

/// Hours in the month the providers price by (AWS and Google both use 730).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Provisioned concurrency is billed from enabling to disabling it, rounded
/// up to 5 minutes (https://aws.amazon.com/lambda/pricing/, read 2026-11-29).
pub const PROVISIONED_GRANULARITY_S: f64 = 300.0;

/// `x` rounded up to a whole number of `granularity` steps.
///
/// The tolerance keeps float noise (0.123 / 0.001 = 122.99999999999999)
/// from costing a whole extra step.
pub fn round_up(x: f64, granularity: f64) -> f64 {
    if granularity <= 0.0 {
        return x;
    }
    steps(x, granularity) * granularity
}

/// How many billing steps of `granularity` a duration `x` takes (rounded up,
/// with the same tolerance as [`round_up`]); a simulator that bills millions
/// of invocations counts steps and prices their sum once.
#[inline]
pub fn steps(x: f64, granularity: f64) -> f64 {
    ((x / granularity) - 1e-9).ceil().max(0.0)
}

fn gb(memory_mb: f64) -> f64 {
    memory_mb / 1024.0
}

impl Billing {
    /// USD charged per request, whatever it costs to compute (0 for Hourly).
    pub fn per_request_usd(&self) -> f64 {
        match self {
            Billing::Invocation {
                per_request_usd, ..
            }
            | Billing::ActiveInstance {
                per_request_usd, ..
            } => *per_request_usd,
            Billing::Hourly { .. } => 0.0,
        }
    }

    /// The billing granularity, seconds.
    pub fn granularity_s(&self) -> f64 {
        match self {
            Billing::Invocation { granularity_s, .. }
            | Billing::ActiveInstance { granularity_s, .. }
            | Billing::Hourly { granularity_s, .. } => *granularity_s,
        }
    }

    /// Compute cost of one invocation that ran `run_s` on a function of
    /// `memory_mb` (and `vcpu`), rounded up to the granularity; an invocation
    /// is billed at least one step. 0 for ActiveInstance and Hourly, whose
    /// compute is billed by [`Billing::active_usd`] and [`Billing::instance_usd`].
    pub fn invocation_usd(&self, run_s: f64, memory_mb: f64, vcpu: f64) -> f64 {
        let _ = vcpu;
        match self {
            Billing::Invocation {
                per_gb_s_usd,
                per_ghz_s_usd,
                cpu_ghz,
                granularity_s,
                ..
            } => {
                let billed = round_up(run_s, *granularity_s).max(*granularity_s);
                billed * (gb(memory_mb) * per_gb_s_usd + cpu_ghz * per_ghz_s_usd)
            }
            _ => 0.0,
        }
    }

    /// Whether a cold start's initialisation is billed with its first invocation.
    pub fn init_billed(&self) -> bool {
        matches!(
            self,
            Billing::Invocation {
                init_billed: true,
                ..
            }
        )
    }

    /// Compute cost of the invocation that started an instance: `init_s` of
    /// initialisation (billed only when [`Billing::init_billed`]) plus `run_s`,
    /// rounded up together as one billed duration.
    pub fn cold_invocation_usd(&self, init_s: f64, run_s: f64, memory_mb: f64, vcpu: f64) -> f64 {
        let billed_s = if self.init_billed() {
            init_s + run_s
        } else {
            run_s
        };
        self.invocation_usd(billed_s, memory_mb, vcpu)
    }

    /// Cost of an instance that was billable (serving at least one request)
    /// for `active_s`, rounded up to the granularity (ActiveInstance model).
    /// 0 for the other models or when it was never active.
    pub fn active_usd(&self, active_s: f64, memory_mb: f64, vcpu: f64) -> f64 {
        match self {
            Billing::ActiveInstance {
                per_vcpu_s_usd,
                per_gib_s_usd,
                granularity_s,
                ..
            } if active_s > 0.0 => {
                round_up(active_s, *granularity_s)
                    * (vcpu * per_vcpu_s_usd + gb(memory_mb) * per_gib_s_usd)
            }
            _ => 0.0,
        }
    }

    /// Cost of one instance kept for `held_s` seconds (Hourly: rounded up to
    /// the granularity, at least the minimum). 0 for the other models or when
    /// it was never started.
    pub fn instance_usd(&self, held_s: f64) -> f64 {
        match self {
            Billing::Hourly {
                per_hour_usd,
                granularity_s,
                minimum_s,
            } if held_s > 0.0 => {
                round_up(held_s, *granularity_s).max(*minimum_s) * per_hour_usd / 3600.0
            }
            _ => 0.0,
        }
    }

    /// Cost of keeping one instance for an hour (Hourly only).
    pub fn hourly_usd(&self) -> Option<f64> {
        match self {
            Billing::Hourly { per_hour_usd, .. } => Some(*per_hour_usd),
            _ => None,
        }
    }

    /// Monthly (730 h) cost of keeping one instance, for break-even and budgets (Hourly only).
    pub fn monthly_usd(&self) -> Option<f64> {
        self.hourly_usd().map(|h| h * HOURS_PER_MONTH)
    }

    /// Cost of keeping provisioned concurrency of `memory_mb` for `held_s`
    /// (rounded up to 5 minutes); `None` where the offer has none.
    /// SageMaker Serverless Inference bills it by the second of the
    /// provisioned period like its inference (assumption: no step is
    /// published; the billing's own granularity is used).
    pub fn provisioned_usd(&self, held_s: f64, memory_mb: f64) -> Option<f64> {
        let (p, step) = match self {
            Billing::Invocation {
                provisioned: Some(p),
                ..
            } => (p, PROVISIONED_GRANULARITY_S),
            Billing::ActiveInstance {
                provisioned: Some(p),
                granularity_s,
                ..
            } => (p, *granularity_s),
            _ => return None,
        };
        Some(if held_s > 0.0 {
            round_up(held_s, step) * gb(memory_mb) * p.per_gb_s_usd
        } else {
            0.0
        })
    }

    /// Cost of a provisioned instance of an active-instance billing
    /// (SageMaker Serverless Inference) that served for `active_s`, at the
    /// provisioned duration rate; `None` where the offer has no provisioned
    /// concurrency of that kind.
    pub fn provisioned_active_usd(&self, active_s: f64, memory_mb: f64) -> Option<f64> {
        match self {
            Billing::ActiveInstance {
                provisioned: Some(p),
                granularity_s,
                ..
            } => Some(if active_s > 0.0 {
                round_up(active_s, *granularity_s) * gb(memory_mb) * p.duration_per_gb_s_usd
            } else {
                0.0
            }),
            _ => None,
        }
    }

    /// Instance-based billing's rates, where the offer has them (Cloud Run).
    pub fn instance(&self) -> Option<&InstanceBilling> {
        match self {
            Billing::ActiveInstance {
                instance: Some(i), ..
            } => Some(i),
            _ => None,
        }
    }

    /// Cost of one instance of `memory_mb`, `vcpu` vCPUs and `gpus` GPUs
    /// that lived `life_s` under instance-based billing, rounded up to the
    /// granularity; `None` where the offer has no instance-based billing.
    pub fn lifetime_usd(&self, life_s: f64, memory_mb: f64, vcpu: f64, gpus: u32) -> Option<f64> {
        let i = self.instance()?;
        let per_s = vcpu * i.per_vcpu_s_usd
            + gb(memory_mb) * i.per_gib_s_usd
            + gpus as f64 * i.per_gpu_s_usd;
        Some(if life_s > 0.0 {
            round_up(life_s, self.granularity_s()) * per_s
        } else {
            0.0
        })
    }

    /// Compute cost of one invocation served by a provisioned instance (the
    /// provisioned duration rate replaces the on-demand one); `None` where
    /// the offer has no provisioned concurrency.
    pub fn provisioned_invocation_usd(&self, run_s: f64, memory_mb: f64) -> Option<f64> {
        match self {
            Billing::Invocation {
                provisioned: Some(p),
                granularity_s,
                ..
            } => {
                let billed = round_up(run_s, *granularity_s).max(*granularity_s);
                Some(billed * gb(memory_mb) * p.duration_per_gb_s_usd)
            }
            Billing::ActiveInstance { .. } => self.provisioned_active_usd(run_s, memory_mb),
            _ => None,
        }
    }

    /// SnapStart's prices, where the offer sells it.
    pub fn snapstart(&self) -> Option<&SnapStartPrices> {
        match self {
            Billing::Invocation {
                snapstart: Some(s), ..
            } => Some(s),
            _ => None,
        }
    }

    /// Cost of resuming one `memory_mb` instance from its snapshot; `None`
    /// where the offer has no SnapStart.
    pub fn snapstart_restore_usd(&self, memory_mb: f64) -> Option<f64> {
        self.snapstart()
            .map(|s| gb(memory_mb) * s.restore_per_gb_usd)
    }

    /// Cost of keeping one version's snapshot of a `memory_mb` function
    /// cached for `held_s` (at least the billed minimum); `None` where the
    /// offer has no SnapStart.
    pub fn snapstart_cache_usd(&self, held_s: f64, memory_mb: f64) -> Option<f64> {
        self.snapstart()
            .map(|s| held_s.max(s.cache_minimum_s) * gb(memory_mb) * s.cache_per_gb_s_usd)
    }

    /// The billed quantities of one invocation, for free-tier accounting.
    pub fn invocation_usage(&self, run_s: f64, memory_mb: f64) -> Usage {
        match self {
            Billing::Invocation {
                granularity_s,
                cpu_ghz,
                ..
            } => {
                let billed = round_up(run_s, *granularity_s).max(*granularity_s);
                Usage {
                    requests: 1.0,
                    gb_s: billed * gb(memory_mb),
                    ghz_s: billed * cpu_ghz,
                    ..Usage::default()
                }
            }
            Billing::ActiveInstance { .. } => Usage {
                requests: 1.0,
                ..Usage::default()
            },
            Billing::Hourly { .. } => Usage::default(),
        }
    }

    /// The billed quantities of one active stretch, for free-tier accounting.
    pub fn active_usage(&self, active_s: f64, memory_mb: f64, vcpu: f64) -> Usage {
        match self {
            Billing::ActiveInstance { granularity_s, .. } if active_s > 0.0 => {
                let billed = round_up(active_s, *granularity_s);
                Usage {
                    vcpu_s: billed * vcpu,
                    gib_s: billed * gb(memory_mb),
                    ..Usage::default()
                }
            }
            _ => Usage::default(),
        }
    }
}

/// Billed quantities accumulated over a run (requests, GB-s, GHz-s, vCPU-s, GiB-s).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Requests.
    pub requests: f64,
    /// GB-seconds of configured memory (invocation billing).
    pub gb_s: f64,
    /// GHz-seconds of CPU (Cloud Functions 1st gen).
    pub ghz_s: f64,
    /// vCPU-seconds of active instances.
    pub vcpu_s: f64,
    /// GiB-seconds of active instances.
    pub gib_s: f64,
}

impl Usage {
    /// Every quantity times `k` (a run's usage scaled to a month).
    pub fn scaled(&self, k: f64) -> Usage {
        Usage {
            requests: self.requests * k,
            gb_s: self.gb_s * k,
            ghz_s: self.ghz_s * k,
            vcpu_s: self.vcpu_s * k,
            gib_s: self.gib_s * k,
        }
    }
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, o: Usage) {
        self.requests += o.requests;
        self.gb_s += o.gb_s;
        self.ghz_s += o.ghz_s;
        self.vcpu_s += o.vcpu_s;
        self.gib_s += o.gib_s;
    }
}

/// A monthly free allowance. Off by default ([`FreeTier::NONE`]): a short
/// simulated run would otherwise look free, and the allowance is shared by
/// everything else in the account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FreeTier {
    /// Free requests per month.
    pub requests: f64,
    /// Free GB-seconds per month.
    pub gb_s: f64,
    /// Free GHz-seconds per month.
    pub ghz_s: f64,
    /// Free vCPU-seconds per month.
    pub vcpu_s: f64,
    /// Free GiB-seconds per month.
    pub gib_s: f64,
    /// Where the allowance is documented.
    pub source: &'static str,
}

impl Default for FreeTier {
    fn default() -> Self {
        FreeTier::NONE
    }
}

impl FreeTier {
    /// No free allowance (the default).
    pub const NONE: FreeTier = FreeTier {
        requests: 0.0,
        gb_s: 0.0,
        ghz_s: 0.0,
        vcpu_s: 0.0,
        gib_s: 0.0,
        source: "",
    };

    /// AWS Lambda: 1M requests and 400,000 GB-s per month.
    pub const LAMBDA: FreeTier = FreeTier {
        requests: 1e6,
        gb_s: 400_000.0,
        ghz_s: 0.0,
        vcpu_s: 0.0,
        gib_s: 0.0,
        source: "https://aws.amazon.com/lambda/pricing/",
    };

    /// Cloud Functions 1st gen: 2M invocations, 400,000 GB-s, 200,000 GHz-s per month.
    pub const CLOUD_FUNCTIONS_GEN1: FreeTier = FreeTier {
        requests: 2e6,
        gb_s: 400_000.0,
        ghz_s: 200_000.0,
        vcpu_s: 0.0,
        gib_s: 0.0,
        source: "https://cloud.google.com/functions/pricing",
    };

    /// Cloud Run (request-based billing): 2M requests, 180,000 vCPU-s and
    /// 360,000 GiB-s per month.
    pub const CLOUD_RUN: FreeTier = FreeTier {
        requests: 2e6,
        gb_s: 0.0,
        ghz_s: 0.0,
        vcpu_s: 180_000.0,
        gib_s: 360_000.0,
        source: "https://cloud.google.com/run/pricing",
    };

    /// The provider's allowance for an offer: Lambda for AWS invocation
    /// billing, Cloud Functions 1st gen for Google invocation billing, Cloud
    /// Run for Google active-instance billing, none otherwise (SageMaker
    /// Serverless' allowance lasts only the first two months).
    pub fn for_offer(offer: &Offer) -> FreeTier {
        match (offer.cloud, &offer.billing) {
            (Cloud::Aws, Billing::Invocation { .. }) => FreeTier::LAMBDA,
            (Cloud::Gcp, Billing::Invocation { .. }) => FreeTier::CLOUD_FUNCTIONS_GEN1,
            (Cloud::Gcp, Billing::ActiveInstance { .. }) => FreeTier::CLOUD_RUN,
            _ => FreeTier::NONE,
        }
    }

    /// USD the allowance takes off a run with this usage under this billing.
    pub fn discount_usd(&self, billing: &Billing, usage: &Usage) -> f64 {
        let free = |used: f64, allowance: f64| used.min(allowance).max(0.0);
        match billing {
            Billing::Invocation {
                per_request_usd,
                per_gb_s_usd,
                per_ghz_s_usd,
                ..
            } => {
                free(usage.requests, self.requests) * per_request_usd
                    + free(usage.gb_s, self.gb_s) * per_gb_s_usd
                    + free(usage.ghz_s, self.ghz_s) * per_ghz_s_usd
            }
            Billing::ActiveInstance {
                per_request_usd,
                per_vcpu_s_usd,
                per_gib_s_usd,
                ..
            } => {
                free(usage.requests, self.requests) * per_request_usd
                    + free(usage.vcpu_s, self.vcpu_s) * per_vcpu_s_usd
                    + free(usage.gib_s, self.gib_s) * per_gib_s_usd
            }
            Billing::Hourly { .. } => 0.0,
        }
    }

    /// `total_usd` less the allowance, never below 0.
    pub fn apply(&self, billing: &Billing, usage: &Usage, total_usd: f64) -> f64 {
        (total_usd - self.discount_usd(billing, usage)).max(0.0)
    }
}

/// Monthly volume tiers of a function's on-demand duration price: each
/// tier's GB-seconds cost its share of the listed price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VolumeTiers {
    /// `(GB-seconds a month up to which the tier applies, share of the listed price)`, in order.
    pub tiers: &'static [(f64, f64)],
    /// Where the tiers are documented.
    pub source: &'static str,
}

/// Where Lambda's tiers are documented: "0 – 6 billion x86 Same as today;
/// 6 – 15 billion x86 10%; Anything over 15 billion x86 20%; 0 – 7.5
/// billion arm64 Same as today; 7.5 – 18.75 billion arm64 10%; Anything
/// over 18.75 billion arm64 20%" (the tiered discount on compute duration
/// in GB-seconds per month). The US East prices this gives, $0.000015 and
/// $0.0000133334 per GB-s after the first 6 billion x86 GB-s, are the
/// pricing page's.
const LAMBDA_TIERS_SOURCE: &str =
    "https://aws.amazon.com/blogs/compute/introducing-tiered-pricing-for-aws-lambda/ (read 2026-12-02)";

impl VolumeTiers {
    /// One tier at the listed price.
    pub const NONE: VolumeTiers = VolumeTiers {
        tiers: &[(f64::INFINITY, 1.0)],
        source: "",
    };

    /// Lambda on x86: the first 6 billion GB-s a month at the listed price,
    /// the next 9 billion 10% off, beyond 15 billion 20% off.
    pub const LAMBDA_X86: VolumeTiers = VolumeTiers {
        tiers: &[(6e9, 1.0), (15e9, 0.9), (f64::INFINITY, 0.8)],
        source: LAMBDA_TIERS_SOURCE,
    };

    /// Lambda on arm64: the first 7.5 billion GB-s at the listed price, the
    /// next 11.25 billion 10% off, beyond 18.75 billion 20% off.
    pub const LAMBDA_ARM64: VolumeTiers = VolumeTiers {
        tiers: &[(7.5e9, 1.0), (18.75e9, 0.9), (f64::INFINITY, 0.8)],
        source: LAMBDA_TIERS_SOURCE,
    };

    /// The tiers of an offer: Lambda's by architecture for AWS invocation
    /// billing, none otherwise.
    pub fn for_offer(offer: &Offer) -> VolumeTiers {
        match (offer.cloud, &offer.billing, offer.spec.arch) {
            (Cloud::Aws, Billing::Invocation { .. }, Arch::Arm64) => VolumeTiers::LAMBDA_ARM64,
            (Cloud::Aws, Billing::Invocation { .. }, Arch::X86_64) => VolumeTiers::LAMBDA_X86,
            _ => VolumeTiers::NONE,
        }
    }

    /// USD of `gb_s` GB-seconds in a month at a listed `price` per GB-second.
    pub fn price(&self, gb_s: f64, price: f64) -> f64 {
        let mut from = 0.0;
        let mut usd = 0.0;
        for &(upto, share) in self.tiers {
            if gb_s <= from {
                break;
            }
            usd += (gb_s.min(upto) - from) * price * share;
            from = upto;
        }
        usd
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::offer::Provisioned;

    #[test]
    fn lambda_volume_tiers_take_10_then_20_percent_off() {
        let p = 0.0000166667;
        let t = VolumeTiers::LAMBDA_X86;
        // Within the first tier: the listed price.
        close(t.price(1e9, p), 1e9 * p);
        // 10 billion GB-s: 6 at the listed price, 4 at $0.000015.
        close(t.price(10e9, p), 6e9 * p + 4e9 * p * 0.9);
        // 20 billion: 6 + 9 at 90% + 5 at 80% ($0.0000133334 a GB-s).
        close(t.price(20e9, p), 6e9 * p + 9e9 * p * 0.9 + 5e9 * p * 0.8);
        assert!((p * 0.9 - 0.000015).abs() < 1e-10);
        assert!((p * 0.8 - 0.0000133334).abs() < 1e-10);
        let a = VolumeTiers::LAMBDA_ARM64;
        close(a.price(8e9, 1.0), 7.5e9 + 0.5e9 * 0.9);
        close(VolumeTiers::NONE.price(1e12, 2.0), 2e12);
        assert_eq!(t.price(0.0, p), 0.0);
    }

    fn close(a: f64, b: f64) {
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1e-9),
            "{a} != {b} (diff {})",
            a - b
        );
    }

    fn lambda() -> Billing {
        Billing::Invocation {
            per_request_usd: 0.2e-6,
            per_gb_s_usd: 0.0000166667,
            per_ghz_s_usd: 0.0,
            cpu_ghz: 0.0,
            granularity_s: 0.001,
            init_billed: false,
            provisioned: Some(Provisioned {
                per_gb_s_usd: 0.0000041667,
                duration_per_gb_s_usd: 0.0000097222,
            }),
            snapstart: Some(SnapStartPrices {
                cache_per_gb_s_usd: 0.0000015046,
                cache_minimum_s: 3.0 * 3600.0,
                restore_per_gb_usd: 0.0001397998,
            }),
        }
    }

    fn gcf1() -> Billing {
        Billing::Invocation {
            per_request_usd: 0.4e-6,
            per_gb_s_usd: 0.0000025,
            per_ghz_s_usd: 0.0000100,
            cpu_ghz: 2.4,
            granularity_s: 0.1,
            init_billed: true,
            provisioned: None,
            snapstart: None,
        }
    }

    fn cloud_run() -> Billing {
        Billing::ActiveInstance {
            per_request_usd: 0.4e-6,
            per_vcpu_s_usd: 0.000024,
            per_gib_s_usd: 0.0000025,
            granularity_s: 0.1,
            provisioned: None,
            instance: Some(InstanceBilling {
                per_vcpu_s_usd: 0.000018,
                per_gib_s_usd: 0.000002,
                per_gpu_s_usd: 0.0001867,
                required: false,
            }),
        }
    }

    fn sagemaker_serverless() -> Billing {
        Billing::ActiveInstance {
            per_request_usd: 0.0,
            per_vcpu_s_usd: 0.0,
            per_gib_s_usd: 0.00002,
            granularity_s: 0.001,
            provisioned: Some(Provisioned {
                per_gb_s_usd: 0.000005,
                duration_per_gb_s_usd: 0.0000116667,
            }),
            instance: None,
        }
    }

    #[test]
    fn cloud_run_instance_based_bills_the_whole_life() {
        let b = cloud_run();
        // 4 vCPU, 16 GiB and an L4 for one hour: 3600 x (4 x 0.000018 +
        // 16 x 0.000002 + 0.0001867) = 3600 x 0.0002907 = $1.04652.
        close(
            b.lifetime_usd(3600.0, 16384.0, 4.0, 1).unwrap(),
            3600.0 * 0.0002907,
        );
        // 1 vCPU, 2 GiB for 2.05 s: billed 2.1 s x (0.000018 + 2 x 0.000002).
        close(
            b.lifetime_usd(2.05, 2048.0, 1.0, 0).unwrap(),
            2.1 * 0.000022,
        );
        assert_eq!(b.lifetime_usd(0.0, 2048.0, 1.0, 0), Some(0.0));
        assert_eq!(lambda().lifetime_usd(1.0, 1024.0, 1.0, 0), None);
        assert_eq!(sagemaker_serverless().instance(), None);
    }

    #[test]
    fn sagemaker_serverless_provisioned_concurrency_per_second() {
        let b = sagemaker_serverless();
        // 2 GB provisioned for 10 min: 600 x 2 x $0.000005 = $0.006, per
        // millisecond (no 5-minute steps as Lambda's).
        close(b.provisioned_usd(600.0, 2048.0).unwrap(), 0.006);
        close(
            b.provisioned_usd(420.5, 2048.0).unwrap(),
            420.5 * 2.0 * 0.000005,
        );
        // 100 ms of inference on it: 0.1 x 2 x $0.0000116667, below the
        // on-demand 0.1 x 2 x $0.00002.
        let pc = b.provisioned_active_usd(0.1, 2048.0).unwrap();
        close(pc, 0.1 * 2.0 * 0.0000116667);
        assert!(pc < b.active_usd(0.1, 2048.0, 1.16));
        close(b.provisioned_invocation_usd(0.1, 2048.0).unwrap(), pc);
        assert_eq!(cloud_run().provisioned_usd(600.0, 2048.0), None);
    }

    fn ec2() -> Billing {
        Billing::Hourly {
            per_hour_usd: 0.3712,
            granularity_s: 1.0,
            minimum_s: 60.0,
        }
    }

    #[test]
    fn round_up_tolerates_float_noise() {
        close(round_up(0.123, 0.001), 0.123);
        close(round_up(0.1231, 0.001), 0.124);
        close(round_up(0.25, 0.1), 0.3);
        assert_eq!(round_up(3.0, 1.0), 3.0);
        assert_eq!(round_up(0.0, 0.1), 0.0);
    }

    #[test]
    fn lambda_1ms_billing() {
        // 12.3 ms at 2048 MB: billed 13 ms x 2 GB x $0.0000166667 = $4.333342e-7.
        let b = lambda();
        close(
            b.invocation_usd(0.0123, 2048.0, 1.16),
            0.013 * 2.0 * 0.0000166667,
        );
        close(b.invocation_usd(0.0123, 2048.0, 1.16), 4.333342e-7);
        close(b.per_request_usd(), 2e-7);
        // 1 s at 1024 MB is exactly the GB-s price.
        close(b.invocation_usd(1.0, 1024.0, 0.58), 0.0000166667);
        // A 0.2 ms invocation still pays 1 ms.
        close(b.invocation_usd(0.0002, 1024.0, 0.58), 0.001 * 0.0000166667);
        assert_eq!(b.active_usd(10.0, 1024.0, 1.0), 0.0);
        assert_eq!(b.instance_usd(10.0), 0.0);
        assert_eq!(b.hourly_usd(), None);
    }

    #[test]
    fn study_lambda_cost_order_of_magnitude() {
        // 15000 requests of 12 ms at 2048 MB: 15000 x ($0.2e-6 + 0.012 x 2 x
        // $0.0000166667) = $0.003 + $0.0060000 = $0.009, the study's Table 2
        // (Lambda ORT, workload-40).
        let b = lambda();
        let total = 15000.0 * (b.per_request_usd() + b.invocation_usd(0.012, 2048.0, 1.16));
        close(total, 0.003 + 15000.0 * 0.012 * 2.0 * 0.0000166667);
        assert!((total - 0.009).abs() < 0.0005, "{total}");
    }

    #[test]
    fn cloud_functions_gen1_100ms_with_ghz() {
        // 2048 MB / 2.4 GHz: 2 x 0.0000025 + 2.4 x 0.00001 = $0.000029 per s,
        // $0.0000029 per 100 ms: the published tier price.
        let b = gcf1();
        close(b.invocation_usd(0.1, 2048.0, 1.0), 0.0000029);
        // 150 ms is billed as 200 ms.
        close(b.invocation_usd(0.15, 2048.0, 1.0), 0.0000058);
        // 10 ms is billed as 100 ms.
        close(b.invocation_usd(0.01, 2048.0, 1.0), 0.0000029);
        // A cold start of 8.06 s + 0.1 s run is billed 8.2 s.
        assert!(b.init_billed());
        close(
            b.cold_invocation_usd(8.06, 0.1, 2048.0, 1.0),
            82.0 * 0.0000029,
        );
    }

    #[test]
    fn lambda_init_not_billed_when_flag_is_off() {
        let b = lambda();
        assert!(!b.init_billed());
        close(
            b.cold_invocation_usd(2.0, 0.05, 2048.0, 1.16),
            b.invocation_usd(0.05, 2048.0, 1.16),
        );
    }

    #[test]
    fn cloud_run_active_instance() {
        // 1 vCPU, 512 MiB active for 2.05 s: billed 2.1 s x (1 x $0.000024 +
        // 0.5 x $0.0000025) = 2.1 x $0.00002525 = $0.000053025.
        let b = cloud_run();
        close(b.active_usd(2.05, 512.0, 1.0), 0.000053025);
        assert_eq!(b.active_usd(0.0, 512.0, 1.0), 0.0);
        assert_eq!(b.invocation_usd(2.05, 512.0, 1.0), 0.0);
        close(b.per_request_usd(), 4e-7);
        // 4 vCPU, 2 GiB for 10 s: 10 x (4 x 0.000024 + 2 x 0.0000025) = $0.00101.
        close(b.active_usd(10.0, 2048.0, 4.0), 0.00101);
    }

    #[test]
    fn ec2_per_second_with_60s_minimum() {
        let b = ec2();
        // 30 s is billed as the 60 s minimum: 60 / 3600 x $0.3712 = $0.0061866...
        close(b.instance_usd(30.0), 60.0 / 3600.0 * 0.3712);
        // 250.4 s is billed as 251 s.
        close(b.instance_usd(250.4), 251.0 / 3600.0 * 0.3712);
        // One hour is the hourly price.
        close(b.instance_usd(3600.0), 0.3712);
        assert_eq!(b.instance_usd(0.0), 0.0);
        assert_eq!(b.per_request_usd(), 0.0);
        assert_eq!(b.invocation_usd(1.0, 1024.0, 1.0), 0.0);
        assert_eq!(b.hourly_usd(), Some(0.3712));
        close(b.monthly_usd().unwrap(), 0.3712 * 730.0);
    }

    #[test]
    fn managed_endpoint_hourly_granularity() {
        // A managed endpoint billed by the started hour: 61 min pays 2 h.
        let b = Billing::Hourly {
            per_hour_usd: 0.56,
            granularity_s: 3600.0,
            minimum_s: 0.0,
        };
        close(b.instance_usd(61.0 * 60.0), 1.12);
        close(b.instance_usd(1.0), 0.56);
    }

    #[test]
    fn provisioned_concurrency() {
        let b = lambda();
        // 2048 MB kept 10 min: 600 s x 2 GB x $0.0000041667 = $0.00500004.
        close(b.provisioned_usd(600.0, 2048.0).unwrap(), 0.00500004);
        // 7 minutes are billed as 10 (5-minute steps).
        close(
            b.provisioned_usd(420.0, 2048.0).unwrap(),
            b.provisioned_usd(600.0, 2048.0).unwrap(),
        );
        // 100 ms on a provisioned 2 GB instance: 0.1 x 2 x $0.0000097222.
        close(
            b.provisioned_invocation_usd(0.1, 2048.0).unwrap(),
            0.1 * 2.0 * 0.0000097222,
        );
        assert_eq!(gcf1().provisioned_usd(600.0, 2048.0), None);
        assert_eq!(ec2().provisioned_invocation_usd(0.1, 2048.0), None);
    }

    #[test]
    fn snapstart_caches_for_at_least_three_hours_and_charges_each_restore() {
        let b = lambda();
        // The pricing page's example: 1 GB cached for 31 days, 2,678,400
        // GB-s x $0.0000015046 = $4.03; 74,400 restores of 1 GB x
        // $0.0001397998 = $10.40.
        let month = b.snapstart_cache_usd(2_678_400.0, 1024.0).unwrap();
        assert!((month - 4.03).abs() < 0.005, "{month}");
        let restores = 74_400.0 * b.snapstart_restore_usd(1024.0).unwrap();
        assert!((restores - 10.40).abs() < 0.005, "{restores}");
        // A run of 10 minutes still pays the 3-hour minimum.
        close(
            b.snapstart_cache_usd(600.0, 2048.0).unwrap(),
            10800.0 * 2.0 * 0.0000015046,
        );
        assert_eq!(gcf1().snapstart_restore_usd(1024.0), None);
        assert_eq!(ec2().snapstart_cache_usd(1.0, 1024.0), None);
    }

    #[test]
    fn free_tier_is_off_by_default_and_caps_at_the_allowance() {
        let b = lambda();
        let mut u = Usage::default();
        for _ in 0..1000 {
            u += b.invocation_usage(0.5, 1024.0);
        }
        // 1000 requests, 500 GB-s: $0.0002 + $0.00833335.
        close(u.gb_s, 500.0);
        let total = 1000.0 * (b.per_request_usd() + b.invocation_usd(0.5, 1024.0, 0.58));
        close(total, 0.0002 + 500.0 * 0.0000166667);
        assert_eq!(FreeTier::default().apply(&b, &u, total), total);
        // Within the Lambda allowance the run is free.
        assert_eq!(FreeTier::LAMBDA.apply(&b, &u, total), 0.0);
        // A larger run pays only beyond it: 2M requests, 500,000 GB-s.
        let big = Usage {
            requests: 2e6,
            gb_s: 500_000.0,
            ..Usage::default()
        };
        let big_total = 2e6 * 0.2e-6 + 500_000.0 * 0.0000166667;
        close(
            FreeTier::LAMBDA.apply(&b, &big, big_total),
            1e6 * 0.2e-6 + 100_000.0 * 0.0000166667,
        );
    }

    #[test]
    fn free_tier_cloud_run_counts_vcpu_and_gib_seconds() {
        let b = cloud_run();
        let mut u = b.active_usage(100.0, 2048.0, 2.0);
        u.requests = 10.0;
        assert_eq!(u.vcpu_s, 200.0);
        assert_eq!(u.gib_s, 200.0);
        let total = 10.0 * 0.4e-6 + b.active_usd(100.0, 2048.0, 2.0);
        close(
            FreeTier::CLOUD_RUN.discount_usd(&b, &u),
            10.0 * 0.4e-6 + 200.0 * 0.000024 + 200.0 * 0.0000025,
        );
        close(FreeTier::CLOUD_RUN.apply(&b, &u, total), 0.0);
        assert_eq!(FreeTier::LAMBDA.discount_usd(&ec2(), &u), 0.0);
    }
}
