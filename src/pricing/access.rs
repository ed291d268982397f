//! What a user pays to reach the model besides the platform's own bill: an
//! HTTP API gateway in front of a function, and the data sent back to the
//! internet. Neither is charged unless asked for (`--gateway`,
//! `--egress-gb-per-1k`); when asked, each offer charges the price its
//! snapshot gives ([`super::Access`]), and an offer without that price
//! charges nothing and is named in the statement.

use super::offer::Offer;
use crate::error::bad_input;

/// How clients reach a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Gateway {
    /// AWS API Gateway HTTP API in front of the function: a fee per request.
    HttpApi,
    /// The function's own URL (Lambda function URLs): nothing more.
    FunctionUrl,
}

/// The line items the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LineItems {
    /// The gateway, when asked.
    pub gateway: Option<Gateway>,
    /// GB sent back per 1,000 answers, when asked.
    pub egress_gb_per_1k: Option<f64>,
}

impl LineItems {
    /// Checks the flags' values; a negative or non-finite amount is bad input.
    pub fn new(gateway: Option<Gateway>, egress_gb_per_1k: Option<f64>) -> anyhow::Result<Self> {
        if let Some(x) = egress_gb_per_1k {
            if !(x.is_finite() && x >= 0.0) {
                return Err(bad_input(format!(
                    "--egress-gb-per-1k {x}: expected GB per 1,000 answers >= 0, e.g. 0.5"
                )));
            }
        }
        Ok(LineItems {
            gateway,
            egress_gb_per_1k,
        })
    }

    /// Whether anything was asked for.
    pub fn any(&self) -> bool {
        self.gateway.is_some() || self.egress_gb_per_1k.is_some()
    }
}

/// Sets each offer's charges per request and per answer from its prices,
/// and says what was added: one sentence, empty when nothing was asked.
pub fn apply(offers: &mut [Offer], items: &LineItems) -> String {
    if !items.any() {
        return String::new();
    }
    let mut gated = 0;
    let mut unpriced_egress = Vec::new();
    for o in offers.iter_mut() {
        // Only functions have a gateway price: servers and endpoints have
        // their own address.
        if items.gateway == Some(Gateway::HttpApi) {
            if let Some(p) = o.access.gateway_per_request_usd {
                o.access.charge_per_request_usd = p;
                gated += 1;
            }
        }
        if let Some(gb) = items.egress_gb_per_1k {
            match o.access.egress_per_gb_usd {
                Some(p) => o.access.charge_per_answer_usd = p * gb / 1e3,
                None => unpriced_egress.push(o.id.clone()),
            }
        }
    }
    let said = statement(items, gated, &unpriced_egress);
    for o in offers.iter_mut() {
        o.access.statement = said.clone();
    }
    said
}

fn statement(items: &LineItems, gated: usize, no_egress: &[String]) -> String {
    let mut parts = Vec::new();
    match items.gateway {
        Some(Gateway::HttpApi) => parts.push(format!(
            "API Gateway HTTP API in front of the {gated} AWS Lambda offer(s), at the snapshot's price per call (a client batch is one call)"
        )),
        Some(Gateway::FunctionUrl) => parts.push(
            "function URLs, which cost nothing beyond the function's own requests"
                .to_string(),
        ),
        None => {}
    }
    if let Some(gb) = items.egress_gb_per_1k {
        parts.push(format!(
            "data transfer out, {gb} GB per 1,000 answers at each offer's price per GB (monthly free allowances not counted)"
        ));
    }
    if !no_egress.is_empty() {
        parts.push(format!(
            "no data transfer price for {} (not charged)",
            no_egress.join(", ")
        ));
    }
    format!("line items in the cost: {}", parts.join("; "))
}

/// USD the line items add to a run with `calls` received (a client batch
/// is one call) and `answered` requests answered.
pub fn charge_usd(o: &Offer, calls: u64, answered: u64) -> f64 {
    o.access.charge_per_request_usd * calls as f64
        + o.access.charge_per_answer_usd * answered as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::builtin;

    #[test]
    fn charges_follow_the_snapshot_prices() {
        let s = builtin("current").unwrap();
        let mut offers = s.offers.clone();
        let items = LineItems::new(Some(Gateway::HttpApi), Some(0.5)).unwrap();
        let said = apply(&mut offers, &items);
        assert!(said.contains("API Gateway HTTP API"), "{said}");
        let lambda = offers.iter().find(|o| o.id == "aws-lambda-arm64").unwrap();
        assert!((lambda.access.charge_per_request_usd - 1e-6).abs() < 1e-12);
        assert!((lambda.access.charge_per_answer_usd - 0.09 * 0.5 / 1e3).abs() < 1e-12);
        let ec2 = offers
            .iter()
            .find(|o| o.id == "aws-ec2-c7g.xlarge")
            .unwrap();
        assert_eq!(
            ec2.access.charge_per_request_usd, 0.0,
            "no gateway for servers"
        );
        assert!(ec2.access.charge_per_answer_usd > 0.0);
        assert!((charge_usd(lambda, 1000, 900) - (1000.0 * 1e-6 + 900.0 * 4.5e-5)).abs() < 1e-9);
    }

    #[test]
    fn nothing_asked_nothing_charged() {
        let s = builtin("current").unwrap();
        let mut offers = s.offers.clone();
        assert_eq!(apply(&mut offers, &LineItems::default()), "");
        assert!(offers.iter().all(|o| charge_usd(o, 1000, 1000) == 0.0));
        let url = LineItems::new(Some(Gateway::FunctionUrl), None).unwrap();
        assert!(apply(&mut offers, &url).contains("function URLs"));
        assert!(offers.iter().all(|o| charge_usd(o, 1000, 1000) == 0.0));
        let e = LineItems::new(None, Some(-1.0)).unwrap_err();
        assert_eq!(crate::error::exit_code(&e), 2);
    }
}
