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
    /// Reservations: `1 Year` or `3 Years`; their price is for the whole term.
    #[serde(default)]
    pub reservation_term: String,
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
    /// No Spot meter or no reservation of the option's term.
    #[error("no {what} price in unit \"{unit}\" in {region} among {items} items")]
    NoOption {
        /// `Spot` or e.g. `1 Year reservation`.
        what: String,
        /// The unit asked for.
        unit: String,
        /// The offer's region.
        region: String,
        /// Items the filter matched.
        items: usize,
    },
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
        // Spot meters are pay-as-you-go items; reservations have their own type.
        let reserved = job.purchase.and_then(|p| p.term_months);
        let kind = if reserved.is_some() {
            "Reservation"
        } else {
            "Consumption"
        };
        let full = format!(
            "{filter} and armRegionName eq '{}' and priceType eq '{kind}'",
            job.offer.region
        );
        if !cache.contains_key(&full) {
            let items = list(&http, &endpoint, &full, opts).await?;
            cache.insert(full.clone(), items);
        }
        let items = &cache[&full];
        let region = &job.offer.region;
        let price = match (job.purchase, reserved) {
            (None, _) => price(items, unit, region, job.field),
            (Some(_), Some(months)) => reservation_price(items, unit, region, months),
            (Some(_), None) => spot_price(items, unit, region),
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

/// Checks that an item's price is a non-negative USD amount.
fn usd(i: &Item) -> Result<f64, AzurePriceError> {
    if !(i.retail_price.is_finite() && i.retail_price >= 0.0)
        || (!i.currency_code.is_empty() && i.currency_code != "USD")
    {
        return Err(AzurePriceError::NotAPrice(format!(
            "{} {}",
            i.retail_price, i.currency_code
        )));
    }
    Ok(i.retail_price)
}

/// The one price the items agree on, or why there is none.
fn agree(items: &[&Item], none: impl FnOnce() -> AzurePriceError) -> Result<f64, AzurePriceError> {
    let mut prices: Vec<f64> = Vec::new();
    for i in items {
        let p = usd(i)?;
        if !prices.contains(&p) {
            prices.push(p);
        }
    }
    match prices.as_slice() {
        [] => Err(none()),
        [p] => Ok(*p),
        many => Err(AzurePriceError::Disagree(many.len())),
    }
}

/// Whether the item is a Linux meter in the region (Windows meters carry a licence).
fn linux_in(i: &Item, region: &str) -> bool {
    !i.product_name.to_ascii_lowercase().ends_with("windows")
        && (i.arm_region_name.is_empty() || i.arm_region_name == region)
}

/// The hourly price of the Spot meter (`... Spot`) of a virtual machine.
pub fn spot_price(items: &[Item], unit: &str, region: &str) -> Result<f64, AzurePriceError> {
    let spot: Vec<&Item> = items
        .iter()
        .filter(|i| i.kind == "Consumption" && i.unit_of_measure == unit && linux_in(i, region))
        .filter(|i| i.sku_name.to_ascii_lowercase().ends_with(" spot"))
        .collect();
    let p = agree(&spot, || AzurePriceError::NoOption {
        what: "Spot".into(),
        unit: unit.to_string(),
        region: region.to_string(),
        items: items.len(),
    })?;
    hourly(p, unit)
}

/// The effective hourly price of a reservation of `months`: the API gives
/// the price of the whole term (its unit of measure still `1 Hour`), so it
/// is spread over the term's hours (8760 a year).
pub fn reservation_price(
    items: &[Item],
    unit: &str,
    region: &str,
    months: u32,
) -> Result<f64, AzurePriceError> {
    let years = f64::from(months) / 12.0;
    let term = match months {
        12 => "1 Year".to_string(),
        m => format!("{} Years", m / 12),
    };
    let mine: Vec<&Item> = items
        .iter()
        .filter(|i| i.kind == "Reservation" && i.unit_of_measure == unit && linux_in(i, region))
        .filter(|i| i.reservation_term == term)
        .collect();
    let total = agree(&mine, || AzurePriceError::NoOption {
        what: format!("{term} reservation"),
        unit: unit.to_string(),
        region: region.to_string(),
        items: items.len(),
    })?;
    Ok(total / (years * 8760.0))
}

/// A per-hour price from a meter priced per `unit` hours.
fn hourly(p: f64, unit: &str) -> Result<f64, AzurePriceError> {
    match unit_of(unit) {
        (count, "Hour") => Ok(p / count),
        _ => Err(AzurePriceError::Unit {
            unit: unit.to_string(),
            per: "Hour",
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

    /// A reservation item as the API lists it: the term's total price, in `1 Hour`.
    fn reservation(term: &str, usd: f64) -> Item {
        serde_json::from_value(json!({
            "currencyCode": "USD", "tierMinimumUnits": 0.0, "reservationTerm": term,
            "retailPrice": usd, "unitPrice": usd, "armRegionName": "eastus",
            "location": "US East", "meterName": "D4s v5",
            "productName": "Virtual Machines Dsv5 Series", "skuName": "D4s v5",
            "serviceName": "Virtual Machines", "serviceFamily": "Compute",
            "armSkuName": "Standard_D4s_v5", "unitOfMeasure": "1 Hour",
            "type": "Reservation", "isPrimaryMeterRegion": true
        }))
        .unwrap()
    }

    #[test]
    fn spot_and_reservations_come_from_their_own_items() {
        let mut items = vec![
            vm("Virtual Machines Dsv5 Series Windows", "D4s v5 Spot", 0.09),
            vm("Virtual Machines Dsv5 Series", "D4s v5 Low Priority", 0.046),
            vm("Virtual Machines Dsv5 Series", "D4s v5 Spot", 0.046),
            vm("Virtual Machines Dsv5 Series", "D4s v5", 0.230),
        ];
        assert_eq!(spot_price(&items, "1 Hour", "westeurope"), Ok(0.046));
        let e = spot_price(&items[3..], "1 Hour", "westeurope").unwrap_err();
        assert!(e.to_string().contains("no Spot price"), "{e}");
        items.push(vm("Virtual Machines Dsv5 Series", "D4s v5 Spot", 0.05));
        assert_eq!(
            spot_price(&items, "1 Hour", "westeurope"),
            Err(AzurePriceError::Disagree(2))
        );
        let rs = vec![
            reservation("1 Year", 1051.2),
            reservation("3 Years", 2049.84),
        ];
        let one = reservation_price(&rs, "1 Hour", "eastus", 12).unwrap();
        assert!((one - 0.12).abs() < 1e-12, "{one}");
        let three = reservation_price(&rs, "1 Hour", "eastus", 36).unwrap();
        assert!((three - 0.078).abs() < 1e-12, "{three}");
        let e = reservation_price(&rs, "1 Hour", "eastus", 60).unwrap_err();
        assert!(
            e.to_string().contains("no 5 Years reservation price"),
            "{e}"
        );
        assert!(reservation_price(&rs, "1 Hour", "japaneast", 12).is_err());
        // A reservation is never taken for the pay-as-you-go price.
        assert!(price(&rs, "1 Hour", "eastus", "per_hour_usd").is_err());
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
