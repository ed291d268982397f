//! Azure prices from the Retail Prices API over `reqwest`:
//! `GET {endpoint}/api/retail/prices?$filter=...`, no key.
//!
//! An answer is `{ BillingCurrency, Items: [...], NextPageLink, Count }`;
//! each item is one meter's price in one region (`armRegionName`) with its
//! `type` (`Consumption` is pay-as-you-go), `unitOfMeasure` (`1 Hour`,
//! `1 GB Second`, `10`), `tierMinimumUnits` and `retailPrice`. The price
//! taken is the first non-zero tier (free grants are zero-priced first
//! tiers), agreed by every matching item, per unit of the field.

use super::{describe, one_line, Finding, Job};
use crate::pricing::query::PriceQuery;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The Retail Prices API's own endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://prices.azure.com";

/// Most pages read for one query.
const MAX_PAGES: usize = 1000;

/// One page of the answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    #[serde(default)]
    items: Vec<Item>,
    #[serde(default)]
    next_page_link: Option<String>,
}

/// One meter price, as much of it as pricing needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// `USD`.
    #[serde(default)]
    pub currency_code: String,
    /// Usage from which this tier's price applies.
    #[serde(default)]
    pub tier_minimum_units: f64,
    /// Price per `unit_of_measure`.
    pub retail_price: f64,
    /// Region, e.g. `eastus`.
    #[serde(default)]
    pub arm_region_name: String,
    /// e.g. `1 Hour`, `1 GB Second`, `10`.
    #[serde(default)]
    pub unit_of_measure: String,
    /// `Consumption`, `Reservation`, `DevTestConsumption`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// e.g. `Virtual Machines Dsv5 Series` or `... Series Windows`.
    #[serde(default)]
    pub product_name: String,
    /// e.g. `D4s v5`, `D4s v5 Spot`, `D4s v5 Low Priority`.
    #[serde(default)]
    pub sku_name: String,
}

impl Item {
    /// A pay-as-you-go Linux price: not a Windows licence, not spot or
    /// low-priority capacity (virtual machine meters list all of them
    /// under one `armSkuName`).
    fn on_demand_linux(&self) -> bool {
        let sku = self.sku_name.to_ascii_lowercase();
        !self.product_name.to_ascii_lowercase().ends_with("windows")
            && !sku.contains("spot")
            && !sku.contains("low priority")
    }
}

/// Why the items gave no single price.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AzurePriceError {
    /// No pay-as-you-go item in the unit and region.
    #[error("no pay-as-you-go price in unit \"{unit}\" in {region} among {items} items")]
    NoPrice {
        /// The unit asked for.
        unit: String,
        /// The offer's region.
        region: String,
        /// Items the filter matched.
        items: usize,
    },
    /// Matching items disagree.
    #[error("{0} matching items have different prices: narrow the filter in [offer.api]")]
    Disagree(usize),
    /// A unit the field cannot take.
    #[error("unit of measure \"{unit}\" does not fit a price per {per}")]
    Unit {
        /// The meter's unit.
        unit: String,
        /// What the field counts per.
        per: &'static str,
    },
    /// A price that is not a non-negative number or not in USD.
    #[error("price {0} is not a USD price")]
    NotAPrice(String),
}

/// Looks up every Azure job; returns the findings and the source label.
pub async fn fetch(
    jobs: &[Job<'_>],
    opts: &super::RefreshOptions,
) -> anyhow::Result<(Vec<Finding>, String)> {
    let endpoint = opts
        .endpoint_url
        .clone()
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
    let endpoint = endpoint.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder()
        .timeout(opts.timeout)
        .build()
        .map_err(|e| anyhow::anyhow!("could not start the HTTP client: {}", one_line(&e)))?;
    let source = format!("Azure Retail Prices API ({endpoint}/api/retail/prices)");
    let mut cache: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    let mut out = Vec::new();
    for job in jobs {
        let PriceQuery::Azure { filter, unit } = job.query else {
            out.push(finding(
                job,
                Err(super::LookupError::WrongProvider("Azure")),
            ));
            continue;
        };
        let full = format!(
            "{filter} and armRegionName eq '{}' and priceType eq 'Consumption'",
            job.offer.region
        );
        if !cache.contains_key(&full) {
            let items = list(&http, &endpoint, &full, opts).await?;
            cache.insert(full.clone(), items);
        }
        let price = price(&cache[&full], unit, &job.offer.region, job.field);
        out.push(finding(job, price.map_err(Into::into)));
    }
    Ok((out, source))
}

fn finding(job: &Job<'_>, price: Result<f64, super::LookupError>) -> Finding {
    Finding {
        offer: job.offer.id.clone(),
        field: job.field.to_string(),
        price,
    }
}

/// Every item the filter matches, following `NextPageLink` on the same host.
async fn list(
    http: &reqwest::Client,
    endpoint: &str,
    filter: &str,
    opts: &super::RefreshOptions,
) -> anyhow::Result<Vec<Item>> {
    let what = "Azure Retail Prices API";
    let mut url = reqwest::Url::parse(&format!("{endpoint}/api/retail/prices"))
        .map_err(|e| anyhow::anyhow!("{what}: bad URL {endpoint}: {e}"))?;
    url.query_pairs_mut()
        .append_pair("currencyCode", "USD")
        .append_pair("$filter", filter);
    let host = url.host_str().map(str::to_string);
    let mut all = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..MAX_PAGES {
        let resp = http
            .get(url.clone())
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(describe(what, e, opts)))?;
        let status = resp.status();
        let body = resp
            .text()
            .await
            .map_err(|e| anyhow::anyhow!(describe(what, e, opts)))?;
        if !status.is_success() {
            anyhow::bail!("{}", http_error(what, status.as_u16(), &body));
        }
        let page: Page = serde_json::from_str(&body).map_err(|e| {
            anyhow::anyhow!("{what} sent a malformed answer (not a price list): {e}")
        })?;
        all.extend(page.items);
        let Some(next) = page.next_page_link.filter(|l| !l.is_empty()) else {
            return Ok(all);
        };
        if seen.contains(&next) {
            anyhow::bail!("{what} repeated the page link {next}");
        }
        let n = reqwest::Url::parse(&next)
            .map_err(|e| anyhow::anyhow!("{what} sent a bad NextPageLink {next}: {e}"))?;
        // Pages are read from the host asked, never from one an answer names.
        if n.host_str().map(str::to_string) != host {
            anyhow::bail!("{what} sent a NextPageLink to another host: {next}");
        }
        seen.push(next);
        url = n;
    }
    anyhow::bail!("{what} returned more than {MAX_PAGES} pages")
}

/// One line for an HTTP error, with the API's `Error.Code` and `Message` when present.
fn http_error(what: &str, status: u16, body: &str) -> String {
    let v: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let e = v
        .as_ref()
        .and_then(|v| v.get("Error").or_else(|| v.get("error")));
    let detail = e
        .map(|e| {
            let get = |k: &str, k2: &str| {
                e.get(k)
                    .or_else(|| e.get(k2))
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            format!("{} {}", get("Code", "code"), get("Message", "message"))
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            body.chars()
                .take(120)
                .collect::<String>()
                .replace('\n', " ")
        });
    let hint = match status {
        429 => " (rate limited: try again later)",
        400 => " (check the filter in [offer.api])",
        _ => "",
    };
    format!("{what} answered HTTP {status}: {detail}{hint}")
}

/// What a unit of measure counts, and how many of them one price is for.
fn unit_of(unit: &str) -> (f64, &'static str) {
    let mut words = unit.split_whitespace();
    let n = words.next().unwrap_or("1");
    let (digits, mult) = match n.strip_suffix('M') {
        Some(d) => (d, 1e6),
        None => match n.strip_suffix('K') {
            Some(d) => (d, 1e3),
            None => (n, 1.0),
        },
    };
    let count = digits.parse::<f64>().unwrap_or(1.0) * mult;
    let rest = unit.to_ascii_lowercase();
    let per = if rest.contains("hour") {
        "Hour"
    } else if rest.contains("second") {
        "Second"
    } else {
        "Request"
    };
    (count, per)
}

/// The price of `field` from the items in `unit`, or why there is none.
pub fn price(
    items: &[Item],
    unit: &str,
    region: &str,
    field: &str,
) -> Result<f64, AzurePriceError> {
    let mut matching: Vec<&Item> = items
        .iter()
        .filter(|i| i.unit_of_measure == unit && i.kind == "Consumption" && i.on_demand_linux())
        .filter(|i| i.arm_region_name.is_empty() || i.arm_region_name == region)
        .collect();
    matching.sort_by(|a, b| a.tier_minimum_units.total_cmp(&b.tier_minimum_units));
    for i in &matching {
        if !(i.retail_price.is_finite() && i.retail_price >= 0.0)
            || (!i.currency_code.is_empty() && i.currency_code != "USD")
        {
            return Err(AzurePriceError::NotAPrice(format!(
                "{} {}",
                i.retail_price, i.currency_code
            )));
        }
    }
    // The lowest non-zero tier (a free grant is a zero-priced first tier).
    let nonzero: Vec<&&Item> = matching.iter().filter(|i| i.retail_price > 0.0).collect();
    let mut prices: Vec<f64> = Vec::new();
    match nonzero.first() {
        Some(first) => {
            for i in nonzero
                .iter()
                .filter(|i| i.tier_minimum_units == first.tier_minimum_units)
            {
                if !prices.contains(&i.retail_price) {
                    prices.push(i.retail_price);
                }
            }
        }
        None if !matching.is_empty() => prices.push(0.0),
        None => {}
    }
    let p = match prices.as_slice() {
        [] => {
            return Err(AzurePriceError::NoPrice {
                unit: unit.to_string(),
                region: region.to_string(),
                items: items.len(),
            })
        }
        [p] => *p,
        many => return Err(AzurePriceError::Disagree(many.len())),
    };
    let (count, per) = unit_of(unit);
    let want = match field {
        "per_hour_usd" => "Hour",
        "per_request_usd" => "Request",
        _ => "Second",
    };
    let per_one = p / count;
    match (per, want) {
        (a, b) if a == b => Ok(per_one),
        ("Hour", "Second") => Ok(per_one / 3600.0),
        ("Second", "Hour") => Ok(per_one * 3600.0),
        _ => Err(AzurePriceError::Unit {
            unit: unit.to_string(),
            per: want,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(unit: &str, tier: f64, usd: f64) -> Item {
        serde_json::from_value(json!({
            "currencyCode": "USD", "tierMinimumUnits": tier, "retailPrice": usd,
            "unitPrice": usd, "armRegionName": "eastus", "location": "US East",
            "meterName": "Execution Time", "productName": "Functions",
            "skuName": "Standard", "serviceName": "Functions", "serviceFamily": "Compute",
            "unitOfMeasure": unit, "type": "Consumption", "isPrimaryMeterRegion": true
        }))
        .unwrap()
    }

    #[test]
    fn free_grant_is_skipped_and_units_convert() {
        let items = vec![
            item("1 GB Second", 0.0, 0.0),
            item("1 GB Second", 400_000.0, 0.000016),
        ];
        assert_eq!(
            price(&items, "1 GB Second", "eastus", "per_gb_s_usd"),
            Ok(0.000016)
        );
        let execs = vec![item("10", 0.0, 0.0), item("10", 100_000.0, 0.000002)];
        let p = price(&execs, "10", "eastus", "per_request_usd").unwrap();
        assert!((p - 2e-7).abs() < 1e-18, "{p}");
        let vm = vec![item("1 Hour", 0.0, 0.192)];
        assert_eq!(price(&vm, "1 Hour", "eastus", "per_hour_usd"), Ok(0.192));
        assert!(price(&vm, "1 Hour", "eastus", "per_request_usd").is_err());
        let e = price(&vm, "1 GB Second", "eastus", "per_gb_s_usd").unwrap_err();
        assert!(e.to_string().contains("no pay-as-you-go price"), "{e}");
        assert!(price(&vm, "1 Hour", "westeurope", "per_hour_usd").is_err());
    }

    fn vm(product: &str, sku: &str, usd: f64) -> Item {
        serde_json::from_value(json!({
            "currencyCode": "USD", "tierMinimumUnits": 0.0, "retailPrice": usd,
            "unitPrice": usd, "armRegionName": "westeurope", "location": "EU West",
            "meterName": sku, "productName": product, "skuName": sku,
            "serviceName": "Virtual Machines", "serviceFamily": "Compute",
            "armSkuName": "Standard_D4s_v5", "unitOfMeasure": "1 Hour",
            "type": "Consumption", "isPrimaryMeterRegion": true
        }))
        .unwrap()
    }

    #[test]
    fn virtual_machines_take_the_linux_pay_as_you_go_meter() {
        let items = vec![
            vm("Virtual Machines Dsv5 Series Windows", "D4s v5", 0.414),
            vm("Virtual Machines Dsv5 Series", "D4s v5 Spot", 0.046),
            vm("Virtual Machines Dsv5 Series", "D4s v5 Low Priority", 0.046),
            vm("Virtual Machines Dsv5 Series", "D4s v5", 0.230),
        ];
        assert_eq!(
            price(&items, "1 Hour", "westeurope", "per_hour_usd"),
            Ok(0.230)
        );
        // Container Apps meters: per second, per GiB-second, per million requests.
        let mut cpu = item("1 Second", 0.0, 0.000024);
        cpu.arm_region_name = "japaneast".into();
        assert_eq!(
            price(&[cpu], "1 Second", "japaneast", "per_vcpu_s_usd"),
            Ok(0.000024)
        );
        let mut reqs = item("1M", 0.0, 0.4);
        reqs.arm_region_name = "japaneast".into();
        let p = price(&[reqs], "1M", "japaneast", "per_request_usd").unwrap();
        assert!((p - 4e-7).abs() < 1e-18, "{p}");
    }

    #[test]
    fn errors_read_the_api_body() {
        let s = http_error(
            "Azure Retail Prices API",
            400,
            r#"{"Error":{"Code":"InvalidFilter","Message":"Invalid OData filter."}}"#,
        );
        assert!(
            s.contains("HTTP 400: InvalidFilter Invalid OData filter."),
            "{s}"
        );
        assert!(http_error("x", 429, "Too Many Requests").contains("rate limited"));
    }
}
