//! One offer's prices flattened for listing: the unit prices that apply,
//! the monthly price of an always-on instance, and where the prices come from.

use super::billing::HOURS_PER_MONTH;
use super::offer::{Billing, Offer, PurchaseKind};
use serde::Serialize;

/// An offer and its prices, as `pricing show --json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct OfferRow<'a> {
    /// The whole offer (id, snapshot, cloud, kind, spec, billing, behaviour, runtime, sources).
    #[serde(flatten)]
    pub offer: &'a Offer,
    /// The flattened prices.
    #[serde(flatten)]
    pub prices: PriceSummary,
}

/// The unit prices of one offer; fields that do not apply are absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceSummary {
    /// `invocation`, `active_instance` or `hourly`.
    pub billing_model: &'static str,
    /// USD per request.
    pub per_request_usd: f64,
    /// USD per GB-second of configured memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_gb_s_usd: Option<f64>,
    /// USD per GHz-second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_ghz_s_usd: Option<f64>,
    /// USD per vCPU-second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_vcpu_s_usd: Option<f64>,
    /// USD per GiB-second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_gib_s_usd: Option<f64>,
    /// USD per instance-hour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_hour_usd: Option<f64>,
    /// USD for one instance kept a month (730 h).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_usd: Option<f64>,
    /// Billing granularity, seconds.
    pub granularity_s: f64,
    /// Where the prices come from: each distinct source with its date.
    pub source: String,
    /// The latest date among the price sources.
    pub source_date: String,
    /// Whether any price is an assumption rather than a documented value.
    pub price_assumption: bool,
    /// The ways to buy the offer besides on demand, each with its price and source.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub purchase_options: Vec<PurchaseRow>,
}

/// One purchase option of an offer, as `pricing show` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PurchaseRow {
    /// The key, the option id's suffix (`spot`, `sp1y`).
    pub key: String,
    /// In words.
    pub name: String,
    /// `spot` or `commitment`.
    pub kind: &'static str,
    /// USD per instance-hour (hourly offers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_hour_usd: Option<f64>,
    /// USD for one instance kept a month (730 h) (hourly offers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_usd: Option<f64>,
    /// Share off the duration and provisioned concurrency prices (functions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount: Option<f64>,
    /// Commitments: the term, months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_months: Option<u32>,
    /// Spot: interruptions per instance-hour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interruptions_per_hour: Option<f64>,
    /// Spot: seconds until a reclaimed instance's replacement serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement_s: Option<f64>,
    /// Where the option's figures come from, each distinct source with its date.
    pub source: String,
    /// The latest date among them.
    pub source_date: String,
    /// Whether any of its figures is an assumption.
    pub assumption: bool,
}

impl PurchaseRow {
    /// The option in one line: `spot: $0.058/h, 1.37e-4 interruptions per instance-hour`.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(h) = self.per_hour_usd {
            parts.push(format!("${}/h", sig(h, 4)));
        }
        if let Some(d) = self.discount {
            parts.push(format!("{}% off duration", sig(d * 100.0, 3)));
        }
        if let Some(t) = self.term_months {
            parts.push(format!("{t}-month term"));
        }
        if let Some(r) = self.interruptions_per_hour {
            parts.push(format!("{r:.2e} interruptions per instance-hour"));
        }
        if let Some(r) = self.replacement_s {
            parts.push(format!("replaced after {} s", sig(r, 3)));
        }
        let star = if self.assumption { " *" } else { "" };
        format!(
            "+{}: {} ({}), {}{star}",
            self.key,
            self.name,
            parts.join(", "),
            self.source_date
        )
    }
}

/// The offer's purchase options with their sources.
pub fn purchase_rows(o: &Offer) -> Vec<PurchaseRow> {
    o.purchase
        .iter()
        .map(|p| {
            let prefix = format!("purchase.{}.", p.key);
            let mut seen: Vec<String> = Vec::new();
            let (mut date, mut assumption) = (String::new(), false);
            for (path, src) in o.sources.range(prefix.clone()..) {
                if !path.starts_with(&prefix) {
                    break;
                }
                let item = format!("{} ({})", src.source, src.date);
                if !seen.contains(&item) {
                    seen.push(item);
                }
                if src.date > date {
                    date = src.date.clone();
                }
                assumption |= src.assumption;
            }
            PurchaseRow {
                key: p.key.clone(),
                name: p.name.clone(),
                kind: match p.kind {
                    PurchaseKind::Spot => "spot",
                    PurchaseKind::Commitment => "commitment",
                },
                per_hour_usd: p.per_hour_usd,
                monthly_usd: p.per_hour_usd.map(|h| h * HOURS_PER_MONTH),
                discount: p.discount,
                term_months: p.term_months,
                interruptions_per_hour: p.interruptions_per_hour,
                replacement_s: p.replacement_s,
                source: seen.join("; "),
                source_date: date,
                assumption,
            }
        })
        .collect()
}

/// The figure paths that are prices of this billing model.
fn price_paths(b: &Billing) -> &'static [&'static str] {
    match b {
        Billing::Invocation { .. } => &[
            "billing.per_request_usd",
            "billing.per_gb_s_usd",
            "billing.per_ghz_s_usd",
            "billing.provisioned.per_gb_s_usd",
            "billing.provisioned.duration_per_gb_s_usd",
        ],
        Billing::ActiveInstance { .. } => &[
            "billing.per_request_usd",
            "billing.per_vcpu_s_usd",
            "billing.per_gib_s_usd",
            "billing.provisioned.per_gb_s_usd",
            "billing.provisioned.duration_per_gb_s_usd",
            "billing.instance.per_vcpu_s_usd",
            "billing.instance.per_gib_s_usd",
            "billing.instance.per_gpu_s_usd",
        ],
        Billing::Hourly { .. } => &["billing.per_hour_usd"],
    }
}

/// The price summary of an offer.
pub fn summary(o: &Offer) -> PriceSummary {
    let mut s = PriceSummary {
        billing_model: "hourly",
        per_request_usd: o.billing.per_request_usd(),
        per_gb_s_usd: None,
        per_ghz_s_usd: None,
        per_vcpu_s_usd: None,
        per_gib_s_usd: None,
        per_hour_usd: None,
        monthly_usd: None,
        granularity_s: o.billing.granularity_s(),
        source: String::new(),
        source_date: String::new(),
        price_assumption: false,
        purchase_options: purchase_rows(o),
    };
    match &o.billing {
        Billing::Invocation {
            per_gb_s_usd,
            per_ghz_s_usd,
            ..
        } => {
            s.billing_model = "invocation";
            s.per_gb_s_usd = Some(*per_gb_s_usd);
            s.per_ghz_s_usd = (*per_ghz_s_usd > 0.0).then_some(*per_ghz_s_usd);
        }
        Billing::ActiveInstance {
            per_vcpu_s_usd,
            per_gib_s_usd,
            ..
        } => {
            s.billing_model = "active_instance";
            s.per_vcpu_s_usd = Some(*per_vcpu_s_usd);
            s.per_gib_s_usd = Some(*per_gib_s_usd);
        }
        Billing::Hourly { per_hour_usd, .. } => {
            s.per_hour_usd = Some(*per_hour_usd);
            s.monthly_usd = Some(per_hour_usd * HOURS_PER_MONTH);
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for p in price_paths(&o.billing) {
        if let Some(src) = o.sources.get(*p) {
            let item = format!("{} ({})", src.source, src.date);
            if !seen.contains(&item) {
                seen.push(item);
            }
            if src.date > s.source_date {
                s.source_date = src.date.clone();
            }
            s.price_assumption |= src.assumption;
        }
    }
    s.source = seen.join("; ");
    s
}

/// A number with at most `digits` significant digits, without trailing zeros.
pub fn sig(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The prices of an offer in one short line, e.g.
/// `$0.2/M req + $0.0000166667/GB-s per 1 ms`.
pub fn price_text(o: &Offer) -> String {
    let g = o.billing.granularity_s();
    let step = if g < 1.0 {
        format!("{} ms", sig(g * 1000.0, 6))
    } else {
        format!("{} s", sig(g, 6))
    };
    match &o.billing {
        Billing::Invocation {
            per_request_usd,
            per_gb_s_usd,
            per_ghz_s_usd,
            ..
        } => {
            let mut t = format!(
                "${}/M req + ${}/GB-s",
                sig(per_request_usd * 1e6, 6),
                sig(*per_gb_s_usd, 6)
            );
            if *per_ghz_s_usd > 0.0 {
                t.push_str(&format!(" + ${}/GHz-s", sig(*per_ghz_s_usd, 6)));
            }
            format!("{t}, per {step}")
        }
        Billing::ActiveInstance {
            per_request_usd,
            per_vcpu_s_usd,
            per_gib_s_usd,
            instance,
            provisioned,
            ..
        } => {
            // Parts that cost nothing (SageMaker Serverless has no request or vCPU price) are left out.
            let joined = |parts: &[(f64, &str)]| {
                parts
                    .iter()
                    .filter(|(p, _)| *p > 0.0)
                    .map(|(p, u)| format!("${}{u}", sig(*p, 6)))
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            let requests = joined(&[
                (per_request_usd * 1e6, "/M req"),
                (*per_vcpu_s_usd, "/vCPU-s"),
                (*per_gib_s_usd, "/GiB-s"),
            ]);
            let Some(i) = instance else {
                let kept = match provisioned {
                    Some(p) => format!(
                        "; provisioned ${}/GB-s kept + ${}/GB-s serving",
                        sig(p.per_gb_s_usd, 6),
                        sig(p.duration_per_gb_s_usd, 6)
                    ),
                    None => String::new(),
                };
                return format!("{requests}, per {step}{kept}");
            };
            let lifetime = joined(&[
                (i.per_vcpu_s_usd, "/vCPU-s"),
                (i.per_gib_s_usd, "/GiB-s"),
                (i.per_gpu_s_usd, "/GPU-s"),
            ]);
            if i.required {
                format!("{lifetime} of instance life (instance-based only), per {step}")
            } else {
                format!("{requests}, per {step}; instance-based {lifetime}")
            }
        }
        Billing::Hourly {
            per_hour_usd,
            minimum_s,
            ..
        } => {
            let mut t = format!(
                "${}/h (${:.2}/month), per {step}",
                sig(*per_hour_usd, 6),
                per_hour_usd * HOURS_PER_MONTH
            );
            if *minimum_s > 0.0 {
                t.push_str(&format!(", min {} s", sig(*minimum_s, 6)));
            }
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::builtin;

    #[test]
    fn sig_trims() {
        assert_eq!(sig(0.19999999999999998, 6), "0.2");
        assert_eq!(sig(0.0000166667, 6), "0.0000166667");
        assert_eq!(sig(147.168, 6), "147.168");
        assert_eq!(sig(1000.0, 6), "1000");
        assert_eq!(sig(0.0, 6), "0");
    }

    #[test]
    fn lambda_and_ec2_summaries() {
        let s = builtin("study-2020").unwrap();
        let l = summary(s.offer("aws-lambda-ort-2048").unwrap());
        assert_eq!(l.billing_model, "invocation");
        assert_eq!(l.per_gb_s_usd, Some(0.0000166667));
        assert_eq!(l.per_hour_usd, None);
        assert!(l
            .source
            .contains("https://aws.amazon.com/lambda/pricing/ (2020-12-01)"));
        assert_eq!(l.source_date, "2020-12-01");
        assert!(!l.price_assumption);
        assert_eq!(
            price_text(s.offer("aws-lambda-ort-2048").unwrap()),
            "$0.2/M req + $0.0000166667/GB-s, per 1 ms"
        );
        let e = summary(s.offer("aws-ec2-t2.2xlarge").unwrap());
        assert_eq!(e.per_hour_usd, Some(0.3712));
        assert!((e.monthly_usd.unwrap() - 270.976).abs() < 1e-9);
        assert_eq!(e.source, "the study (2020-12)");
        assert_eq!(
            price_text(s.offer("aws-ec2-t2.2xlarge").unwrap()),
            "$0.3712/h ($270.98/month), per 1 s, min 60 s"
        );
        let a = summary(s.offer("gcp-aiplatform-n1-standard-8").unwrap());
        assert!(a.price_assumption);
        let c = builtin("current").unwrap();
        assert_eq!(
            price_text(c.offer("aws-sagemaker-serverless").unwrap()),
            "$0.00002/GiB-s, per 1 ms; provisioned $0.000005/GB-s kept + $0.0000116667/GB-s serving"
        );
        assert_eq!(
            price_text(c.offer("gcp-cloud-run-l4").unwrap()),
            "$0.000018/vCPU-s + $0.000002/GiB-s + $0.0001867/GPU-s of instance life (instance-based only), per 100 ms"
        );
        let g = s.offer("gcp-functions-ort-2048").unwrap();
        assert_eq!(
            price_text(g),
            "$0.4/M req + $0.0000025/GB-s + $0.00001/GHz-s, per 100 ms"
        );
    }
}
