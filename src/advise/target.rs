//! The latency target used when none is given.
//!
//! Without one, the cheapest option could be one that buys a few percent
//! with seconds of batching wait or a starved CPU. Advice is for serving a
//! model to someone waiting for it, so the default is an interactive one:
//! 100 ms at the 95th percentile, or twice the model's own one-thread latency
//! when the model alone takes longer than half of that.

use super::Constraints;
use crate::profile::Profile;
use crate::text::secs;

/// The interactive floor of the default p95 target, s. Source: J. Nielsen,
/// "Response Times: The 3 Important Limits" (Usability Engineering, 1993;
/// nngroup.com, quoted at jmduke.com/2017/07/15/response-times, read
/// 2026-12-02): 0.1 s is about the limit for a response to feel immediate.
pub const INTERACTIVE_P95_S: f64 = 0.1;

/// How many times the model's one-thread latency the default allows for a
/// model slower than the floor. Assumption: one more service time's worth of
/// room for the network, a queue and a slower CPU than the profiling
/// machine's; no source measures this for model serving.
pub const MODEL_HEADROOM: f64 = 2.0;

/// The constraints with the stated default p95 target filled in when neither
/// a p95 nor a mean target was given; unchanged otherwise.
pub fn with_default(c: &Constraints, profile: &Profile) -> Constraints {
    if c.slo_p95_s.is_some() || c.slo_avg_s.is_some() {
        return c.clone();
    }
    let (p95, why) = default_p95(profile);
    Constraints {
        slo_p95_s: Some(p95),
        slo_p95_default: Some(why),
        ..c.clone()
    }
}

/// The default p95 target for a model, s, and the reason in words.
pub fn default_p95(profile: &Profile) -> (f64, String) {
    match one_thread_p95_s(profile) {
        Some(m) if m * MODEL_HEADROOM > INTERACTIVE_P95_S => (
            m * MODEL_HEADROOM,
            format!(
                "the default: twice the model's one-thread p95 of {}, as the model alone takes more than half of the interactive {} (Nielsen 1993)",
                secs(m),
                secs(INTERACTIVE_P95_S)
            ),
        ),
        _ => (
            INTERACTIVE_P95_S,
            "the default for interactive serving, about the limit for a response to feel immediate (Nielsen 1993)".to_string(),
        ),
    }
}

/// The measured p95 of one request on the fewest threads (CPU, batch 1), s;
/// else the fastest measured point's.
fn one_thread_p95_s(profile: &Profile) -> Option<f64> {
    let single = profile
        .latency
        .iter()
        .filter(|p| p.device == "cpu" && p.batch == 1)
        .min_by_key(|p| p.threads)
        .map(|p| p.p95_ms);
    let any = || {
        profile
            .latency
            .iter()
            .map(|p| p.p95_ms)
            .min_by(|a, b| a.total_cmp(b))
    };
    single.or_else(any).map(|ms| ms / 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_model_gets_the_interactive_floor() {
        let p = crate::profile::bundled::get("mobilenetv2").unwrap();
        let c = with_default(&Constraints::default(), &p);
        assert_eq!(c.slo_p95_s, Some(INTERACTIVE_P95_S));
        assert!(c.slo_p95_default.unwrap().contains("interactive"));
    }

    #[test]
    fn a_slow_model_gets_twice_its_one_thread_latency() {
        let mut p = crate::profile::bundled::get("mobilenetv2").unwrap();
        for l in &mut p.latency {
            l.p95_ms *= 30.0;
        }
        let one = p
            .latency
            .iter()
            .filter(|l| l.device == "cpu" && l.batch == 1)
            .min_by_key(|l| l.threads)
            .unwrap()
            .p95_ms;
        let (t, why) = default_p95(&p);
        assert!((t - 2.0 * one / 1e3).abs() < 1e-12);
        assert!(why.contains("twice"));
    }

    #[test]
    fn a_given_target_is_kept() {
        let p = crate::profile::bundled::get("mobilenetv2").unwrap();
        let given = Constraints {
            slo_avg_s: Some(0.5),
            ..Constraints::default()
        };
        assert_eq!(with_default(&given, &p), given);
    }
}
