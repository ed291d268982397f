//! Readable names of the options advisor ranks.
//!
//! An option's id (`aws-lambda-arm64@256mb+b4/1000ms`,
//! `gcp-vertex-e2-standard-4*1+t22269/min`, `...+pc9`) is exact and is what
//! `--offer` takes and `--json` carries; [`readable`] spells it out for a
//! person: the service, the memory size or instance count, and the batching
//! and concurrency settings, in words.

use super::units::{mb, wait};
use crate::advise::{Advice, Ranked};
use crate::platform::Variant;

/// The option in words, e.g. "AWS Lambda (arm64, Graviton2) with 256 MB,
/// batching up to 4 requests for at most 1 s". Every screen and report
/// names an option with this.
pub fn readable(r: &Ranked) -> String {
    describe(&r.name, r.kind == "managed", &r.variant)
}

/// The verdict's name of the recommended option: [`readable`], and "no
/// batching" when it runs one request at a time, so the verdict always says
/// what to set for batching.
pub fn headline(r: &Ranked) -> String {
    let name = readable(r);
    if r.variant.batch_size > 1 {
        name
    } else {
        format!("{name}, no batching")
    }
}

/// The ranked option `id` of the advice in words; the id itself when the
/// advice does not hold it.
pub fn named(a: &Advice, id: &str) -> String {
    a.best
        .iter()
        .chain(a.ranked.iter())
        .find(|r| r.id == id)
        .map(readable)
        .unwrap_or_else(|| id.to_string())
}

/// The service of offer id `offer` in words (from any option of it the
/// advice ranked); the id itself when the advice holds none.
pub fn offer_name(a: &Advice, offer: &str) -> String {
    a.ranked
        .iter()
        .find(|r| r.offer == offer)
        .map(|r| service(&r.name).to_string())
        .unwrap_or_else(|| offer.to_string())
}

/// The option of offer `name` (its catalogue name) with settings `v`, in
/// words; `managed` for a managed endpoint, whose instance count is its
/// autoscaling minimum.
pub fn describe(name: &str, managed: bool, v: &Variant) -> String {
    let mut s = service(name).to_string();
    if let Some(m) = v.memory_mb {
        s.push_str(&format!(" with {}", mb(m)));
    }
    match (managed, v.instances) {
        (true, Some(n)) => s.push_str(&format!(", at least {}", instances(n))),
        (false, Some(n)) => s.push_str(&format!(", {}", instances(n))),
        _ => {}
    }
    if let Some(t) = v.target_per_instance_per_min {
        s.push_str(&format!(
            ", scaling out above {t:.0} requests per instance per minute"
        ));
    }
    if v.batch_size > 1 {
        s.push_str(&format!(", {}", batching(v.batch_size, v.batch_wait_s)));
    }
    match (v.provisioned, v.instance_billing) {
        (0, _) => {}
        (n, true) => s.push_str(&format!(", at least {} (minimum instances)", instances(n))),
        (n, false) => s.push_str(&format!(
            ", {} kept warm (provisioned concurrency)",
            instances(n)
        )),
    }
    if v.snapstart {
        s.push_str(", with SnapStart (new instances restored from a snapshot)");
    }
    if v.instance_billing {
        s.push_str(
            ", instance-based billing (CPU always allocated, billed for each instance's life)",
        );
    }
    if let Some(p) = &v.purchase {
        s.push_str(&format!(", {}", purchase(p)));
    }
    s
}

/// How a purchase option's key (`spot`, `sp1y`, `cud3y`, `ri1y`) reads:
/// "on spot capacity", "under a 1-year Compute Savings Plan", ...
pub fn purchase(key: &str) -> String {
    let term = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|t| t.strip_suffix('y'))
            .and_then(|n| n.parse::<u32>().ok())
    };
    if key == "spot" {
        "on spot capacity, which the provider may reclaim".to_string()
    } else if let Some(n) = term("sp") {
        format!("under a {n}-year Compute Savings Plan")
    } else if let Some(n) = term("cud") {
        format!("under a {n}-year committed use discount")
    } else if let Some(n) = term("ri") {
        format!("under a {n}-year reservation")
    } else {
        format!("bought as `{key}`")
    }
}

/// A batch setting in words: "no batching", "batching up to 4 requests for
/// at most 10 ms", or, with no wait, "batching up to 4 requests already
/// queued, without waiting".
pub fn batching(size: u32, wait_s: f64) -> String {
    if size <= 1 {
        "no batching".to_string()
    } else if wait_s <= 0.0 {
        format!("batching up to {size} requests already queued, without waiting")
    } else {
        format!(
            "batching up to {size} requests for at most {}",
            wait(wait_s)
        )
    }
}

/// The option in a table's few columns: its offer id (what `--offer`
/// takes) and its settings in short words, e.g. `aws-lambda-arm64 256 MB,
/// batch 4 within 1 s, 9 warm`; the full sentence is [`readable`].
pub fn brief(r: &Ranked) -> String {
    brief_of(&r.offer, r.kind == "managed", &r.variant)
}

/// [`brief`] from the offer id and the settings.
pub fn brief_of(offer: &str, managed: bool, v: &Variant) -> String {
    let mut parts = Vec::new();
    if let Some(m) = v.memory_mb {
        parts.push(mb(m));
    }
    match (managed, v.instances) {
        (true, Some(n)) => parts.push(format!("≥{n} inst")),
        (false, Some(n)) => parts.push(format!("{n} inst")),
        _ => {}
    }
    if let Some(t) = v.target_per_instance_per_min {
        parts.push(format!("scale at {t:.0}/min"));
    }
    if v.batch_size > 1 {
        parts.push(if v.batch_wait_s > 0.0 {
            format!("batch {} within {}", v.batch_size, wait(v.batch_wait_s))
        } else {
            format!("batch {} no wait", v.batch_size)
        });
    }
    match (v.provisioned, v.instance_billing) {
        (0, _) => {}
        (n, true) => parts.push(format!("min {n}")),
        (n, false) => parts.push(format!("{n} warm")),
    }
    if v.snapstart {
        parts.push("SnapStart".to_string());
    }
    if v.instance_billing {
        parts.push("instance billing".to_string());
    }
    if let Some(p) = &v.purchase {
        parts.push(p.clone());
    }
    if parts.is_empty() {
        offer.to_string()
    } else {
        format!("{offer} {}", parts.join(", "))
    }
}

/// The service of a catalogue name, without the catalogue's default memory
/// size and range (`AWS Lambda (arm64, Graviton2), 2048 MB by default,
/// 128-10240 MB` -> `AWS Lambda (arm64, Graviton2)`): the option's own size
/// is named instead.
pub fn service(name: &str) -> &str {
    match name.find(" by default") {
        Some(end) => name[..end]
            .rfind(", ")
            .map(|cut| &name[..cut])
            .unwrap_or(name),
        None => name,
    }
}

fn instances(n: u32) -> String {
    if n == 1 {
        "1 instance".to_string()
    } else {
        format!("{n} instances")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAMBDA: &str = "AWS Lambda (arm64, Graviton2), 2048 MB by default, 128-10240 MB";

    #[test]
    fn serverless_options_name_their_memory_batching_and_warm_instances() {
        let v = Variant {
            memory_mb: Some(256.0),
            batch_size: 4,
            batch_wait_s: 1.0,
            ..Variant::default()
        };
        assert_eq!(
            describe(LAMBDA, false, &v),
            "AWS Lambda (arm64, Graviton2) with 256 MB, batching up to 4 requests for at most 1 s"
        );
        let v = Variant {
            memory_mb: Some(256.0),
            provisioned: 9,
            ..Variant::default()
        };
        assert_eq!(
            describe(LAMBDA, false, &v),
            "AWS Lambda (arm64, Graviton2) with 256 MB, 9 instances kept warm (provisioned concurrency)"
        );
        assert!(!describe(LAMBDA, false, &Variant::default()).contains("by default"));
        let v = Variant {
            memory_mb: Some(256.0),
            batch_size: 4,
            batch_wait_s: 0.0,
            provisioned: 2,
            ..Variant::default()
        };
        assert_eq!(
            brief_of("aws-lambda-arm64", false, &v),
            "aws-lambda-arm64 256 MB, batch 4 no wait, 2 warm"
        );
        assert!(describe(LAMBDA, false, &v).contains("already queued, without waiting"));
        assert_eq!(brief_of("x", false, &Variant::default()), "x");
        let v = Variant {
            memory_mb: Some(1024.0),
            snapstart: true,
            ..Variant::default()
        };
        assert_eq!(
            describe(LAMBDA, false, &v),
            "AWS Lambda (arm64, Graviton2) with 1024 MB, with SnapStart (new instances restored from a snapshot)"
        );
        assert_eq!(
            brief_of("aws-lambda-arm64", false, &v),
            "aws-lambda-arm64 1024 MB, SnapStart"
        );
    }

    #[test]
    fn purchase_options_are_named_in_words() {
        let v = Variant {
            instances: Some(2),
            purchase: Some("spot".to_string()),
            ..Variant::default()
        };
        assert_eq!(
            describe("EC2 c7g.xlarge (4 vCPU, 8 GiB, arm64)", false, &v),
            "EC2 c7g.xlarge (4 vCPU, 8 GiB, arm64), 2 instances, on spot capacity, which the provider may reclaim"
        );
        assert_eq!(
            brief_of("aws-ec2-c7g.xlarge", false, &v),
            "aws-ec2-c7g.xlarge 2 inst, spot"
        );
        assert_eq!(purchase("sp3y"), "under a 3-year Compute Savings Plan");
        assert_eq!(purchase("cud1y"), "under a 1-year committed use discount");
        assert_eq!(purchase("odd"), "bought as `odd`");
    }

    #[test]
    fn endpoints_and_servers_name_their_instances() {
        let v = Variant {
            instances: Some(1),
            target_per_instance_per_min: Some(22269.0),
            ..Variant::default()
        };
        assert_eq!(
            describe(
                "Vertex AI online prediction e2-standard-4 (4 vCPU, 16 GB)",
                true,
                &v
            ),
            "Vertex AI online prediction e2-standard-4 (4 vCPU, 16 GB), at least 1 instance, \
             scaling out above 22269 requests per instance per minute"
        );
        let v = Variant {
            instances: Some(3),
            batch_size: 8,
            batch_wait_s: 0.01,
            ..Variant::default()
        };
        assert_eq!(
            describe("EC2 c7g.xlarge (4 vCPU, 8 GiB, arm64)", false, &v),
            "EC2 c7g.xlarge (4 vCPU, 8 GiB, arm64), 3 instances, batching up to 8 requests for at most 10 ms"
        );
        assert_eq!(
            service("Compute Engine e2-standard-4 (4 vCPU, 16 GB)"),
            "Compute Engine e2-standard-4 (4 vCPU, 16 GB)"
        );
    }
}
