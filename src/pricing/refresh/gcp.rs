//! Google Cloud prices from the Cloud Billing Catalog API over `reqwest`:
//! `GET {endpoint}/v1/services/{serviceId}/skus?key=..&pageToken=..`.
//!
//! A price is a sum of SKUs times quantities (a GCE machine is vCPUs x the
//! core SKU + GiB x the RAM SKU + its GPU). A SKU matches when its
//! description equals or starts with the query's, it is sold in the offer's
//! region (or `global`), and it is on-demand. Its price is the first
//! non-zero tier (Cloud Run lists its free tier as a zero-priced first tier).

use super::{describe, one_line, Finding, Job};
use crate::pricing::query::{PriceQuery, SkuPart};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The Billing Catalog's own endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://cloudbilling.googleapis.com";

/// Most pages read for one service.
const MAX_PAGES: usize = 1000;

/// Billing Catalog service ids by the names `[offer.api]` uses.
pub const SERVICES: &[(&str, &str)] = &[
    ("compute", "6F81-5844-456A"),
    ("run", "152E-C115-5142"),
    ("vertex", "C7E2-9256-1C43"),
];

/// One page of `services.skus.list`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SkuPage {
    #[serde(default)]
    skus: Vec<Sku>,
    #[serde(default)]
    next_page_token: String,
}

/// A SKU, as much of it as pricing needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sku {
    /// Human description, e.g. "N2 Instance Core running in Americas".
    #[serde(default)]
    pub description: String,
    /// Category (usage type `OnDemand`, `Preemptible`, `Commit1Yr`, ...).
    #[serde(default)]
    pub category: Category,
    /// Regions the SKU is sold in.
    #[serde(default)]
    pub service_regions: Vec<String>,
    /// Prices over time; the first is current.
    #[serde(default)]
    pub pricing_info: Vec<PricingInfo>,
}

/// SKU category.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    /// `OnDemand`, `Preemptible`, `Commit1Yr`, ...
    #[serde(default)]
    pub usage_type: String,
}

/// One pricing of a SKU.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PricingInfo {
    /// How usage is priced.
    pub pricing_expression: PricingExpression,
}

/// Unit and tiers.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PricingExpression {
    /// `h`, `GiBy.h`, `s`, `GiBy.s`, `count`, ...
    pub usage_unit: String,
    /// Tiers by usage.
    #[serde(default)]
    pub tiered_rates: Vec<TieredRate>,
}

/// A tier.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TieredRate {
    /// Price per usage unit.
    pub unit_price: Money,
}

/// A `google.type.Money`: `units` (an int64, sent as a string) plus `nanos`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// Currency, e.g. USD.
    #[serde(default)]
    pub currency_code: String,
    /// Whole units (string or number).
    #[serde(default)]
    pub units: Value,
    /// Billionths.
    #[serde(default)]
    pub nanos: i64,
}

/// Why a SKU list gave no single price.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GcpPriceError {
    /// A price not in US dollars.
    #[error("price in {0}, expected USD")]
    Currency(String),
    /// `units` is not an int64.
    #[error("units {0} is not an integer")]
    Units(String),
    /// The sum is negative or not finite.
    #[error("price {0} is not a price")]
    NotAPrice(f64),
    /// A usage unit the offer's field cannot take.
    #[error("unsupported usage unit {0}")]
    UsageUnit(String),
    /// A unit that does not convert to what the field counts per.
    #[error("usage unit {unit} does not fit a price per {per}")]
    Mismatch {
        /// The SKU's usage unit.
        unit: String,
        /// What the field counts per.
        per: &'static str,
    },
    /// No matching on-demand SKU in the region.
    #[error("no on-demand SKU \"{description}\" sold in {region}")]
    NoSku {
        /// The description asked for.
        description: String,
        /// The offer's region.
        region: String,
    },
    /// Matching SKUs disagree.
    #[error("{count} SKUs \"{description}\" in {region} have different prices: make the description longer")]
    Disagree {
        /// How many distinct prices.
        count: usize,
        /// The description asked for.
        description: String,
        /// The offer's region.
        region: String,
    },
}

impl Money {
    fn usd(&self) -> Result<f64, GcpPriceError> {
        if !self.currency_code.is_empty() && self.currency_code != "USD" {
            return Err(GcpPriceError::Currency(self.currency_code.clone()));
        }
        let units = match &self.units {
            Value::Null => 0.0,
            Value::String(s) if s.is_empty() => 0.0,
            Value::String(s) => {
                s.parse::<i64>()
                    .map_err(|_| GcpPriceError::Units(format!("\"{s}\"")))? as f64
            }
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            other => return Err(GcpPriceError::Units(other.to_string())),
        };
        let v = units + self.nanos as f64 / 1e9;
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(GcpPriceError::NotAPrice(v))
        }
    }
}

/// Looks up every Google job; returns the findings and the source label.
pub async fn fetch(
    jobs: &[Job<'_>],
    opts: &super::RefreshOptions,
) -> anyhow::Result<(Vec<Finding>, String)> {
    let endpoint = opts
        .endpoint_url
        .clone()
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
    let endpoint = endpoint.trim_end_matches('/').to_string();
    let key = opts.api_key.clone().unwrap_or_default();
    let http = reqwest::Client::builder()
        .timeout(opts.timeout)
        .build()
        .map_err(|e| anyhow::anyhow!("could not start the HTTP client: {}", one_line(&e)))?;
    let source = format!("Cloud Billing Catalog API ({endpoint}/v1/services/*/skus)");
    let mut catalogs: BTreeMap<String, Vec<Sku>> = BTreeMap::new();
    let mut out = Vec::new();
    for job in jobs {
        let PriceQuery::Gcp { service, skus } = job.query else {
            out.push(finding(
                job,
                Err(super::LookupError::WrongProvider("Google")),
            ));
            continue;
        };
        let Some((_, id)) = SERVICES.iter().find(|(n, _)| n == service) else {
            out.push(finding(
                job,
                Err(super::LookupError::UnknownService(service.clone())),
            ));
            continue;
        };
        if !catalogs.contains_key(*id) {
            let list = list_skus(&http, &endpoint, id, &key, opts).await?;
            catalogs.insert(id.to_string(), list);
        }
        let catalog = &catalogs[*id];
        let price = match job.purchase {
            // Only spot jobs reach here (see `refresh::purchase::jobs`).
            Some(_) => spot_parts(catalog, skus, &job.offer.region, job.field),
            None => sum_parts(catalog, skus, &job.offer.region, job.field),
        };
        out.push(finding(job, price.map_err(Into::into)));
    }
    Ok((out, source))
}

fn finding(job: &Job<'_>, price: Result<f64, super::LookupError>) -> Finding {
    Finding {
        offer: job.offer.id.clone(),
        field: match job.purchase {
            Some(p) => super::purchase::field(p),
            None => job.field.to_string(),
        },
        price,
    }
}

/// Every SKU of a service, all pages.
async fn list_skus(
    http: &reqwest::Client,
    endpoint: &str,
    service_id: &str,
    key: &str,
    opts: &super::RefreshOptions,
) -> anyhow::Result<Vec<Sku>> {
    let url = format!("{endpoint}/v1/services/{service_id}/skus");
    let what = format!("Cloud Billing Catalog API (services/{service_id}/skus)");
    let mut all = Vec::new();
    let mut token = String::new();
    for _ in 0..MAX_PAGES {
        let mut page_url =
            reqwest::Url::parse(&url).map_err(|e| anyhow::anyhow!("{what}: bad URL {url}: {e}"))?;
        {
            let mut q = page_url.query_pairs_mut();
            q.append_pair("key", key).append_pair("currencyCode", "USD");
            if !token.is_empty() {
                q.append_pair("pageToken", &token);
            }
        }
        let resp = http
            .get(page_url)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(describe(&what, e, opts)))?;
        let status = resp.status();
        let body = resp
            .text()
            .await
            .map_err(|e| anyhow::anyhow!(describe(&what, e, opts)))?;
        if !status.is_success() {
            anyhow::bail!("{}", http_error(&what, status.as_u16(), &body));
        }
        let page: SkuPage = serde_json::from_str(&body)
            .map_err(|e| anyhow::anyhow!("{what} sent a malformed answer (not a SKU list): {e}"))?;
        all.extend(page.skus);
        if page.next_page_token.is_empty() {
            return Ok(all);
        }
        if page.next_page_token == token {
            anyhow::bail!("{what} repeated the page token {token}");
        }
        token = page.next_page_token;
    }
    anyhow::bail!("{what} returned more than {MAX_PAGES} pages")
}

/// One line for an HTTP error status, with Google's error message when present.
///
/// Google's APIs answer a bad key with HTTP 400 `INVALID_ARGUMENT` and the
/// reason `API_KEY_INVALID` in `error.details[]` (a `google.rpc.ErrorInfo`),
/// a disabled API with 403 `PERMISSION_DENIED` / `SERVICE_DISABLED`, and a
/// spent quota with 429 `RESOURCE_EXHAUSTED`.
fn http_error(what: &str, status: u16, body: &str) -> String {
    let err = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").cloned());
    let reasons: Vec<String> = err
        .as_ref()
        .and_then(|e| e.get("details"))
        .and_then(Value::as_array)
        .map(|ds| {
            ds.iter()
                .filter_map(|d| d.get("reason").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let detail = err
        .as_ref()
        .map(|e| {
            let msg = e.get("message").and_then(Value::as_str).unwrap_or("");
            let st = e.get("status").and_then(Value::as_str).unwrap_or("");
            let mut d = format!("{st} {msg}").trim().to_string();
            if !reasons.is_empty() {
                d.push_str(&format!(" [{}]", reasons.join(", ")));
            }
            d
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            body.chars()
                .take(120)
                .collect::<String>()
                .replace('\n', " ")
        });
    let has = |r: &str| reasons.iter().any(|x| x == r);
    let hint = if has("API_KEY_INVALID") {
        " (the API key is not valid: check --api-key or GOOGLE_API_KEY)"
    } else if has("SERVICE_DISABLED") {
        " (enable the Cloud Billing API for the key's project)"
    } else {
        match status {
            429 => " (rate limited: try again later)",
            401 | 403 => {
                " (check the API key and that the Cloud Billing API is enabled for its project)"
            }
            _ => "",
        }
    };
    format!("{what} answered HTTP {status}: {detail}{hint}")
}

/// What a price field is counted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Per {
    Hour,
    Second,
    Request,
}

fn field_per(field: &str) -> Per {
    match field {
        "per_hour_usd" => Per::Hour,
        "per_request_usd" => Per::Request,
        _ => Per::Second,
    }
}

/// A SKU's unit price converted to what the field counts per.
fn convert(price: f64, usage_unit: &str, to: Per) -> Result<f64, GcpPriceError> {
    let from = match usage_unit {
        "h" | "GiBy.h" => Per::Hour,
        "s" | "GiBy.s" => Per::Second,
        "count" => Per::Request,
        other => return Err(GcpPriceError::UsageUnit(other.to_string())),
    };
    match (from, to) {
        (a, b) if a == b => Ok(price),
        (Per::Second, Per::Hour) => Ok(price * 3600.0),
        (Per::Hour, Per::Second) => Ok(price / 3600.0),
        _ => Err(GcpPriceError::Mismatch {
            unit: usage_unit.to_string(),
            per: match to {
                Per::Hour => "Hour",
                Per::Second => "Second",
                Per::Request => "Request",
            },
        }),
    }
}

/// The price of a sum of SKU parts in `region`, or why there is none.
pub fn sum_parts(
    skus: &[Sku],
    parts: &[SkuPart],
    region: &str,
    field: &str,
) -> Result<f64, GcpPriceError> {
    let mut total = 0.0;
    for part in parts {
        let d = regional_description(&part.description, region);
        total += part.quantity * sku_price(skus, d, region, field_per(field), "OnDemand")?;
    }
    Ok(total)
}

/// The Spot price of the same parts: each part's `Preemptible` SKU, whose
/// description is the on-demand one after `Spot Preemptible ` ("Spot
/// Preemptible N2 Instance Core running in Americas"), or for a GPU the
/// prefix `... GPU attached to Spot` ("Nvidia L4 GPU attached to Spot
/// Preemptible VMs running in Americas").
pub fn spot_parts(
    skus: &[Sku],
    parts: &[SkuPart],
    region: &str,
    field: &str,
) -> Result<f64, GcpPriceError> {
    let mut total = 0.0;
    for part in parts {
        let d = regional_description(&part.description, region);
        let spot = match d.split_once(" GPU running in") {
            Some((gpu, _)) => format!("{gpu} GPU attached to Spot"),
            None => format!("Spot Preemptible {d}"),
        };
        total += part.quantity * sku_price(skus, &spot, region, field_per(field), "Preemptible")?;
    }
    Ok(total)
}

/// A Compute Engine SKU description names the continent ("N2 Instance Core
/// running in Americas"; "... in EMEA", "... in Japan" elsewhere): outside
/// the Americas the continent is dropped and the prefix, with the SKU's
/// `serviceRegions`, finds the region's SKU.
fn regional_description<'a>(description: &'a str, region: &str) -> &'a str {
    let americas = matches!(
        super::super::region::continent(region),
        Some(super::super::region::Continent::Americas)
    );
    match description.strip_suffix(" Americas") {
        Some(prefix) if !americas && prefix.ends_with(" running in") => prefix,
        _ => description,
    }
}

fn sku_price(
    skus: &[Sku],
    description: &str,
    region: &str,
    to: Per,
    usage: &str,
) -> Result<f64, GcpPriceError> {
    let sold_here = |s: &&Sku| {
        s.service_regions
            .iter()
            .any(|r| r == region || r == "global")
            && (s.category.usage_type == usage
                || (s.category.usage_type.is_empty() && usage == "OnDemand"))
    };
    let exact: Vec<&Sku> = skus
        .iter()
        .filter(|s| s.description == description)
        .filter(sold_here)
        .collect();
    let candidates: Vec<&Sku> = if exact.is_empty() {
        skus.iter()
            .filter(|s| s.description.starts_with(description))
            .filter(sold_here)
            .collect()
    } else {
        exact
    };
    let mut prices: Vec<f64> = Vec::new();
    for s in &candidates {
        let Some(info) = s.pricing_info.first() else {
            continue;
        };
        let e = &info.pricing_expression;
        let mut rate = None;
        for t in &e.tiered_rates {
            let p = t.unit_price.usd()?;
            rate = Some(p);
            if p > 0.0 {
                break;
            }
        }
        let Some(rate) = rate else { continue };
        let p = convert(rate, &e.usage_unit, to)?;
        if !prices.contains(&p) {
            prices.push(p);
        }
    }
    match prices.as_slice() {
        [] => Err(GcpPriceError::NoSku {
            description: description.to_string(),
            region: region.to_string(),
        }),
        [p] => Ok(*p),
        many => Err(GcpPriceError::Disagree {
            count: many.len(),
            description: description.to_string(),
            region: region.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sku(desc: &str, regions: &[&str], unit: &str, rates: &[(i64, i64)]) -> Sku {
        let rates: Vec<Value> = rates
            .iter()
            .enumerate()
            .map(|(i, (u, n))| {
                json!({"startUsageAmount": i * 1000, "unitPrice": {"currencyCode": "USD", "units": u.to_string(), "nanos": n}})
            })
            .collect();
        serde_json::from_value(json!({
            "name": "services/x/skus/y", "skuId": "y", "description": desc,
            "category": {"serviceDisplayName": "Compute Engine", "resourceFamily": "Compute",
                         "resourceGroup": "N2", "usageType": "OnDemand"},
            "serviceRegions": regions,
            "pricingInfo": [{"pricingExpression": {"usageUnit": unit, "tieredRates": rates}}]
        }))
        .unwrap()
    }

    fn part(d: &str, q: f64) -> SkuPart {
        SkuPart {
            description: d.into(),
            quantity: q,
        }
    }

    fn spot(desc: &str, unit: &str, nanos: i64) -> Sku {
        let mut s = sku(desc, &["us-central1"], unit, &[(0, nanos)]);
        s.category.usage_type = "Preemptible".into();
        s
    }

    #[test]
    fn spot_price_sums_the_preemptible_skus() {
        let skus = vec![
            sku(
                "G2 Instance Core running in Americas",
                &["us-central1"],
                "h",
                &[(0, 24_988_000)],
            ),
            spot(
                "Spot Preemptible G2 Instance Core running in Americas",
                "h",
                9_995_000,
            ),
            spot(
                "Spot Preemptible G2 Instance Ram running in Americas",
                "GiBy.h",
                1_171_000,
            ),
            spot(
                "Nvidia L4 GPU attached to Spot Preemptible VMs running in Americas",
                "h",
                224_016_000,
            ),
        ];
        let parts = [
            part("G2 Instance Core running in Americas", 4.0),
            part("G2 Instance Ram running in Americas", 16.0),
            part("Nvidia L4 GPU running in Americas", 1.0),
        ];
        let p = spot_parts(&skus, &parts, "us-central1", "per_hour_usd").unwrap();
        assert!(
            (p - (4.0 * 0.009995 + 16.0 * 0.001171 + 0.224016)).abs() < 1e-12,
            "{p}"
        );
        // The on-demand price never takes a Preemptible SKU, nor Spot an on-demand one.
        assert!(sum_parts(&skus, &parts[1..2], "us-central1", "per_hour_usd").is_err());
        let only_od = vec![skus[0].clone()];
        assert!(spot_parts(&only_od, &parts[..1], "us-central1", "per_hour_usd").is_err());
    }

    #[test]
    fn machine_price_is_the_sum_of_its_parts() {
        let skus = vec![
            sku(
                "N2 Instance Core running in Americas",
                &["us-central1", "us-east1"],
                "h",
                &[(0, 31_611_000)],
            ),
            sku(
                "N2 Instance Ram running in Americas",
                &["us-central1"],
                "GiBy.h",
                &[(0, 4_237_000)],
            ),
            sku(
                "N2 Instance Core running in Montreal",
                &["northamerica-northeast1"],
                "h",
                &[(0, 34_000_000)],
            ),
        ];
        let p = sum_parts(
            &skus,
            &[
                part("N2 Instance Core running in Americas", 4.0),
                part("N2 Instance Ram running in Americas", 16.0),
            ],
            "us-central1",
            "per_hour_usd",
        )
        .unwrap();
        assert!((p - 0.194236).abs() < 1e-12, "{p}");
        let e = sum_parts(
            &skus,
            &[part("N2 Instance Ram running in Americas", 1.0)],
            "europe-west1",
            "per_hour_usd",
        )
        .unwrap_err();
        assert!(e.to_string().contains("sold in europe-west1"), "{e}");
    }

    #[test]
    fn free_tier_first_tier_is_skipped_and_units_convert() {
        let skus = vec![
            sku("Services CPU (Request-based billing)", &["us-central1"], "s", &[(0, 0), (0, 24_000)]),
            sku("Requests", &["global"], "count", &[(0, 400)]),
            sku("Vertex AI: Online/Batch Prediction N1 Predefined Instance Core running in Americas", &["us-central1"], "h", &[(0, 36_000_000)]),
        ];
        assert_eq!(
            sum_parts(
                &skus,
                &[part("Services CPU (Request-based billing)", 1.0)],
                "us-central1",
                "per_vcpu_s_usd"
            ),
            Ok(0.000024)
        );
        assert_eq!(
            sum_parts(
                &skus,
                &[part("Requests", 1.0)],
                "us-central1",
                "per_request_usd"
            ),
            Ok(4e-7)
        );
        // A description prefix matches; an hourly SKU converts to per second.
        let p = sum_parts(
            &skus,
            &[part(
                "Vertex AI: Online/Batch Prediction N1 Predefined Instance Core running in",
                1.0,
            )],
            "us-central1",
            "per_vcpu_s_usd",
        )
        .unwrap();
        assert!((p - 0.036 / 3600.0).abs() < 1e-15);
        assert!(sum_parts(
            &skus,
            &[part("Requests", 1.0)],
            "us-central1",
            "per_hour_usd"
        )
        .is_err());
    }

    #[test]
    fn money_units_may_be_string_or_number_and_must_be_usd() {
        let m: Money = serde_json::from_value(
            json!({"currencyCode": "USD", "units": "1", "nanos": 500_000_000}),
        )
        .unwrap();
        assert_eq!(m.usd(), Ok(1.5));
        let m: Money = serde_json::from_value(json!({"units": 2})).unwrap();
        assert_eq!(m.usd(), Ok(2.0));
        let m: Money = serde_json::from_value(json!({"currencyCode": "EUR", "nanos": 1})).unwrap();
        assert!(m.usd().is_err());
    }

    #[test]
    fn http_errors_read_googles_error_body() {
        let body = r#"{"error": {"code": 403, "message": "API key not valid.", "status": "PERMISSION_DENIED"}}"#;
        let s = http_error("Cloud Billing Catalog API (services/X/skus)", 403, body);
        assert!(
            s.contains("HTTP 403: PERMISSION_DENIED API key not valid."),
            "{s}"
        );
        assert!(s.contains("check the API key"));
        assert!(http_error("x", 429, "slow down").contains("rate limited"));
        // The real answer to a bad key: 400, the reason in the details.
        let bad_key = r#"{"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "cloudbilling.googleapis.com"}}]}}"#;
        let s = http_error("x", 400, bad_key);
        assert!(
            s.contains("HTTP 400: INVALID_ARGUMENT API key not valid"),
            "{s}"
        );
        assert!(s.contains("[API_KEY_INVALID]"), "{s}");
        assert!(s.contains("the API key is not valid"), "{s}");
        // Another 400 gets no key hint.
        let other = r#"{"error": {"code": 400, "message": "Invalid page token.", "status": "INVALID_ARGUMENT"}}"#;
        assert!(!http_error("x", 400, other).contains("API key"));
    }
}
