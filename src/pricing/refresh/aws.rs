//! AWS prices from the Price List API (`GetProducts`, AWS JSON 1.1) with
//! `aws-sdk-pricing` and the standard credential chain.
//!
//! Each `PriceList` entry is a product document (a JSON string) with
//! `product.attributes` and `terms.OnDemand.{offerTermCode}.priceDimensions.
//! {rateCode}.pricePerUnit.USD`; the price taken is the on-demand dimension
//! in the query's unit whose range starts at 0 (the first tier).

use super::{one_line, Finding, Job};
use crate::pricing::query::PriceQuery;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_pricing::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_pricing::types::{Filter, FilterType};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Most pages read for one query; a loop of page tokens stops here.
const MAX_PAGES: usize = 1000;

/// Looks up every AWS job; returns the findings and the source label.
pub async fn fetch(
    jobs: &[Job<'_>],
    opts: &super::RefreshOptions,
) -> anyhow::Result<(Vec<Finding>, String)> {
    let client = client(opts).await;
    let where_ = opts
        .endpoint_url
        .clone()
        .unwrap_or_else(|| format!("region {}", opts.api_region));
    let source = format!("AWS Price List API (GetProducts, {where_})");
    let mut cache: BTreeMap<(String, BTreeMap<String, String>), Vec<Value>> = BTreeMap::new();
    let mut out = Vec::new();
    for job in jobs {
        let PriceQuery::Aws {
            service,
            filters,
            unit,
        } = job.query
        else {
            out.push(Finding {
                offer: job.offer.id.clone(),
                field: job.field.to_string(),
                price: Err(super::LookupError::WrongProvider("AWS")),
            });
            continue;
        };
        let filters = match in_region(filters, &job.offer.region) {
            Ok(f) => f,
            Err(e) => {
                out.push(Finding {
                    offer: job.offer.id.clone(),
                    field: job.field.to_string(),
                    price: Err(e),
                });
                continue;
            }
        };
        let key = (service.clone(), filters.clone());
        if !cache.contains_key(&key) {
            let docs = products(&client, service, &filters, opts).await?;
            cache.insert(key.clone(), docs);
        }
        out.push(Finding {
            offer: job.offer.id.clone(),
            field: job.field.to_string(),
            price: on_demand_price(&cache[&key], unit).map_err(Into::into),
        });
    }
    Ok((out, source))
}

/// The Price List's usage-type prefix of a region (`USE1-Host:ml.m5.xlarge`,
/// `EU-Request` for Europe (Ireland)).
pub const USAGE_PREFIXES: &[(&str, &str)] = &[
    ("us-east-1", "USE1"),
    ("us-east-2", "USE2"),
    ("us-west-1", "USW1"),
    ("us-west-2", "USW2"),
    ("ca-central-1", "CAN1"),
    ("sa-east-1", "SAE1"),
    ("eu-west-1", "EU"),
    ("eu-west-2", "EUW2"),
    ("eu-west-3", "EUW3"),
    ("eu-central-1", "EUC1"),
    ("eu-north-1", "EUN1"),
    ("ap-northeast-1", "APN1"),
    ("ap-northeast-2", "APN2"),
    ("ap-southeast-1", "APS1"),
    ("ap-southeast-2", "APS2"),
    ("ap-south-1", "APS3"),
];

/// The query's filters for an offer in `region`: `regionCode` is the
/// region, and a `usagetype` gets the region's prefix.
pub fn in_region(
    filters: &BTreeMap<String, String>,
    region: &str,
) -> Result<BTreeMap<String, String>, super::LookupError> {
    let mut f = filters.clone();
    if let Some(v) = f.get_mut("regionCode") {
        *v = region.to_string();
    }
    if let Some(v) = f.get_mut("usagetype") {
        let Some((_, prefix)) = USAGE_PREFIXES.iter().find(|(r, _)| *r == region) else {
            return Err(super::LookupError::UnknownRegion(region.to_string()));
        };
        if let Some((_, rest)) = v.split_once('-') {
            *v = format!("{prefix}-{rest}");
        }
    }
    Ok(f)
}

async fn client(opts: &super::RefreshOptions) -> aws_sdk_pricing::Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(opts.timeout)
        .operation_attempt_timeout(opts.timeout)
        .operation_timeout(opts.timeout)
        .build();
    // Throttling is retried a little, quickly; a persistent failure is reported.
    let retry = RetryConfig::standard()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(200));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(opts.api_region.clone()))
        .timeout_config(timeouts)
        .retry_config(retry);
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url.clone());
    }
    aws_sdk_pricing::Client::new(&loader.load().await)
}

/// Every product document matching the filters, all pages.
async fn products(
    client: &aws_sdk_pricing::Client,
    service: &str,
    filters: &BTreeMap<String, String>,
    opts: &super::RefreshOptions,
) -> anyhow::Result<Vec<Value>> {
    let mut docs = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut req = client
            .get_products()
            .service_code(service)
            .format_version("aws_v1")
            .max_results(100);
        for (k, v) in filters {
            req = req.filters(
                Filter::builder()
                    .r#type(FilterType::TermMatch)
                    .field(k)
                    .value(v)
                    .build()?,
            );
        }
        if let Some(t) = &token {
            req = req.next_token(t);
        }
        let page = req
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(describe(&e, service, opts)))?;
        for item in page.price_list() {
            let doc: Value = serde_json::from_str(item).map_err(|e| {
                anyhow::anyhow!(
                    "AWS Price List API sent a malformed product document for {service}: {e}"
                )
            })?;
            docs.push(doc);
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => {
                if token.as_deref() == Some(t) {
                    anyhow::bail!("AWS Price List API repeated the page token {t} for {service}");
                }
                token = Some(t.to_string());
            }
            _ => return Ok(docs),
        }
    }
    anyhow::bail!("AWS Price List API returned more than {MAX_PAGES} pages for {service}")
}

/// One line saying what failed and why.
fn describe<E, R>(e: &SdkError<E, R>, service: &str, opts: &super::RefreshOptions) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let what = format!("AWS Price List API GetProducts ({service})");
    let endpoint = opts
        .endpoint_url
        .clone()
        .unwrap_or_else(|| format!("the {} endpoint", opts.api_region));
    match e {
        SdkError::TimeoutError(_) => format!(
            "{what} did not answer within {} s (--timeout-s)",
            opts.timeout.as_secs_f64()
        ),
        SdkError::DispatchFailure(_) if one_line(e).contains("no credentials found") => format!(
            "{what} could not be signed: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where an instance role is available)"
        ),
        SdkError::DispatchFailure(d) => {
            let kind = if d.is_timeout() {
                format!(
                    "did not answer within {} s (--timeout-s)",
                    opts.timeout.as_secs_f64()
                )
            } else {
                format!("could not be reached at {endpoint}")
            };
            format!("{what} {kind}: {}", one_line(e))
        }
        SdkError::ServiceError(se) if se.err().code().is_none() => format!(
            "{what} sent a response that is not a GetProducts answer: {}",
            one_line(e)
        ),
        SdkError::ServiceError(se) => {
            let code = se.err().code().unwrap_or("error");
            let msg = se.err().message().unwrap_or("");
            let hint = match code {
                "ThrottlingException" => " (throttled: try again later)",
                "AccessDeniedException" | "UnrecognizedClientException" => {
                    " (check the AWS credentials and their pricing:GetProducts permission)"
                }
                _ => "",
            };
            format!("{what} failed: {code}: {msg}{hint}")
        }
        SdkError::ResponseError(_) => format!(
            "{what} sent a response that is not a GetProducts answer: {}",
            one_line(e)
        ),
        _ => format!(
            "{what} could not be sent (are AWS credentials configured?): {}",
            one_line(e)
        ),
    }
}

/// Why a product list gave no single on-demand price.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AwsPriceError {
    /// No dimension in the unit starts at 0.
    #[error("no on-demand price in unit {unit} among {products} matching products")]
    NoPrice {
        /// The unit asked for.
        unit: String,
        /// Products that matched the filters.
        products: usize,
    },
    /// The matching products disagree.
    #[error("{} matching products have different prices ({}): add a filter to [offer.api]", .0.len(), join(.0))]
    Disagree(Vec<f64>),
    /// `pricePerUnit.USD` is not a non-negative number.
    #[error("price \"{0}\" is not a number")]
    NotANumber(String),
}

fn join(ps: &[f64]) -> String {
    ps.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The on-demand price in `unit` whose range starts at 0, agreed by every
/// matching product; otherwise why there is none.
pub fn on_demand_price(docs: &[Value], unit: &str) -> Result<f64, AwsPriceError> {
    let mut prices: Vec<f64> = Vec::new();
    for doc in docs {
        let Some(terms) = doc.pointer("/terms/OnDemand").and_then(Value::as_object) else {
            continue;
        };
        for term in terms.values() {
            let Some(dims) = term.get("priceDimensions").and_then(Value::as_object) else {
                continue;
            };
            for d in dims.values() {
                if d.get("unit").and_then(Value::as_str) != Some(unit) {
                    continue;
                }
                let begin = d.get("beginRange").and_then(Value::as_str).unwrap_or("0");
                if begin.parse::<f64>().ok() != Some(0.0) {
                    continue;
                }
                let Some(usd) = d.pointer("/pricePerUnit/USD").and_then(Value::as_str) else {
                    continue;
                };
                match usd.parse::<f64>() {
                    Ok(p) if p.is_finite() && p >= 0.0 => {
                        if !prices.contains(&p) {
                            prices.push(p);
                        }
                    }
                    _ => return Err(AwsPriceError::NotANumber(usd.to_string())),
                }
            }
        }
    }
    match prices.as_slice() {
        [] => Err(AwsPriceError::NoPrice {
            unit: unit.to_string(),
            products: docs.len(),
        }),
        [p] => Ok(*p),
        _ => Err(AwsPriceError::Disagree(prices)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn product(sku: &str, unit: &str, dims: &[(&str, &str)]) -> Value {
        let mut pd = serde_json::Map::new();
        for (i, (begin, usd)) in dims.iter().enumerate() {
            pd.insert(
                format!("{sku}.JRTCKXETXF.{i}"),
                json!({"unit": unit, "beginRange": begin, "endRange": "Inf",
                       "pricePerUnit": {"USD": usd}, "description": "x"}),
            );
        }
        json!({
            "product": {"sku": sku, "attributes": {"instanceType": "m7i.xlarge"}},
            "terms": {"OnDemand": {format!("{sku}.JRTCKXETXF"): {"priceDimensions": pd}}}
        })
    }

    #[test]
    fn first_tier_in_the_unit_is_taken() {
        let docs = vec![product(
            "A",
            "Lambda-GB-Second",
            &[("0", "0.0000166667"), ("6000000000", "0.000015")],
        )];
        assert_eq!(on_demand_price(&docs, "Lambda-GB-Second"), Ok(0.0000166667));
        assert!(on_demand_price(&docs, "Hrs")
            .unwrap_err()
            .to_string()
            .contains("no on-demand price in unit Hrs"));
    }

    #[test]
    fn products_must_agree() {
        let same = vec![
            product("A", "Hrs", &[("0", "0.2016")]),
            product("B", "Hrs", &[("0", "0.2016")]),
        ];
        assert_eq!(on_demand_price(&same, "Hrs"), Ok(0.2016));
        let differ = vec![
            product("A", "Hrs", &[("0", "0.2016")]),
            product("B", "Hrs", &[("0", "0.3")]),
        ];
        assert_eq!(
            on_demand_price(&differ, "Hrs"),
            Err(AwsPriceError::Disagree(vec![0.2016, 0.3]))
        );
        assert!(on_demand_price(&differ, "Hrs")
            .unwrap_err()
            .to_string()
            .contains("different prices"));
        let bad = vec![product("A", "Hrs", &[("0", "cheap")])];
        assert_eq!(
            on_demand_price(&bad, "Hrs"),
            Err(AwsPriceError::NotANumber("cheap".into()))
        );
        assert!(on_demand_price(&[], "Hrs").is_err());
    }
}
