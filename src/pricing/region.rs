//! Regions: which offers are priced where, and how far the client is.
//!
//! An offer as written in a snapshot is priced in its default region; the
//! same offer priced in another region is a separate offer whose id is the
//! default one's with `@REGION` appended (`aws-lambda-arm64@eu-west-1`).
//! Without `--region` the commands use the default-region offers, so
//! existing ids and results are unchanged; `--region R` swaps each offer for
//! its variant in R and leaves out the offers not priced there.

use super::offer::Offer;
use crate::error::bad_input;

/// Separates an offer id from the region of a regional variant.
pub const SEP: char = '@';

/// The id of the offer in its default region (`x@eu-west-1` -> `x`).
pub fn base_id(id: &str) -> &str {
    id.split(SEP).next().unwrap_or(id)
}

/// Whether the offer is another region's variant of a default-region offer.
pub fn is_variant(o: &Offer) -> bool {
    o.id.contains(SEP)
}

/// The default-region offers, in snapshot order.
pub fn defaults(offers: &[Offer]) -> Vec<Offer> {
    offers.iter().filter(|o| !is_variant(o)).cloned().collect()
}

/// Each default-region offer's variant priced in `region` (the offer itself
/// when that is its default region), in snapshot order; offers not priced in
/// `region` are left out. No offer at all is bad input naming the regions
/// the snapshot prices.
pub fn in_region(offers: &[Offer], region: &str) -> anyhow::Result<Vec<Offer>> {
    let out: Vec<Offer> = offers
        .iter()
        .filter(|o| o.region == region)
        .cloned()
        .collect();
    if out.is_empty() {
        return Err(bad_input(format!(
            "--region {region}: no offer is priced there; the snapshot prices {}",
            regions(offers).join(", ")
        )));
    }
    Ok(out)
}

/// The regions the offers are priced in, sorted.
pub fn regions(offers: &[Offer]) -> Vec<String> {
    let mut r: Vec<String> = offers.iter().map(|o| o.region.clone()).collect();
    r.sort();
    r.dedup();
    r
}

/// A part of the world, for round trips between regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Continent {
    /// North and South America.
    Americas,
    /// Europe, the Middle East and Africa.
    Emea,
    /// Asia and Oceania.
    AsiaPacific,
}

/// The continent of a region name of AWS, Google Cloud or Azure.
pub fn continent(region: &str) -> Option<Continent> {
    let r = region.to_ascii_lowercase();
    const AMERICAS: &[&str] = &[
        "us-",
        "ca-",
        "sa-",
        "northamerica-",
        "southamerica-",
        "eastus",
        "westus",
        "centralus",
        "northcentralus",
        "southcentralus",
        "westcentralus",
        "canada",
        "brazil",
        "mexico",
    ];
    const EMEA: &[&str] = &[
        "eu-",
        "europe-",
        "me-",
        "af-",
        "il-",
        "africa-",
        "westeurope",
        "northeurope",
        "uk",
        "france",
        "germany",
        "sweden",
        "switzerland",
        "norway",
        "poland",
        "italy",
        "spain",
        "uae",
        "qatar",
        "southafrica",
    ];
    const APAC: &[&str] = &[
        "ap-",
        "asia-",
        "australia",
        "japan",
        "korea",
        "eastasia",
        "southeastasia",
        "centralindia",
        "southindia",
        "westindia",
        "newzealand",
    ];
    let has = |ps: &[&str]| ps.iter().any(|p| r.starts_with(p));
    if has(AMERICAS) {
        Some(Continent::Americas)
    } else if has(EMEA) {
        Some(Continent::Emea)
    } else if has(APAC) {
        Some(Continent::AsiaPacific)
    } else {
        None
    }
}

/// Network round trip between a client in `client` and an offer in
/// `region`, seconds, given the offer's same-region round trip.
///
/// Assumption (no provider publishes inter-region round trips): light in
/// fibre covers about 200 km per ms, so a round trip takes at least 1 ms per
/// 100 km of great-circle distance, and routes run longer than the great
/// circle. Another region of the same continent adds 30 ms; Americas-EMEA
/// (N. Virginia-Ireland, about 5,500 km) is taken as 80 ms, Americas-Asia
/// Pacific (N. Virginia-Tokyo, about 10,900 km) 160 ms, EMEA-Asia Pacific
/// (Ireland-Tokyo, about 9,600 km, routed round it) 220 ms. An unknown
/// region is bad input.
pub fn rtt_s(region: &str, client: &str, same_region_s: f64) -> anyhow::Result<f64> {
    if region.eq_ignore_ascii_case(client) {
        return Ok(same_region_s);
    }
    let known = |r: &str| {
        continent(r).ok_or_else(|| {
            bad_input(format!(
                "--client-region {client}: region {r} is not a known AWS, Google Cloud or Azure region name"
            ))
        })
    };
    let (a, b) = (known(region)?, known(client)?);
    let extra_ms = match (a.min(b), a.max(b)) {
        (x, y) if x == y => 30.0,
        (Continent::Americas, Continent::Emea) => 80.0,
        (Continent::Americas, Continent::AsiaPacific) => 160.0,
        _ => 220.0,
    };
    Ok(same_region_s + extra_ms / 1e3)
}

/// Sets every offer's round trip for a client in `client`, and records the
/// assumption behind it.
pub fn apply_client_region(offers: &mut [Offer], client: &str) -> anyhow::Result<()> {
    for o in offers.iter_mut() {
        let rtt = rtt_s(&o.region, client, o.behaviour.network_rtt_s)?;
        if rtt != o.behaviour.network_rtt_s {
            o.behaviour.network_rtt_s = rtt;
            o.sources.insert(
                "behaviour.network_rtt_s".into(),
                super::offer::Source {
                    source: format!(
                        "assumption: same-region round trip plus an inter-region term for a client in {client} (see pricing::region::rtt_s)"
                    ),
                    date: "2026-12-02".into(),
                    assumption: true,
                },
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::builtin;

    #[test]
    fn ids_and_continents() {
        assert_eq!(base_id("aws-lambda-arm64@eu-west-1"), "aws-lambda-arm64");
        assert_eq!(base_id("aws-lambda-arm64"), "aws-lambda-arm64");
        assert_eq!(continent("eu-west-1"), Some(Continent::Emea));
        assert_eq!(continent("europe-west1"), Some(Continent::Emea));
        assert_eq!(continent("westeurope"), Some(Continent::Emea));
        assert_eq!(continent("asia-northeast1"), Some(Continent::AsiaPacific));
        assert_eq!(continent("japaneast"), Some(Continent::AsiaPacific));
        assert_eq!(continent("eastus"), Some(Continent::Americas));
        assert_eq!(continent("us-central1"), Some(Continent::Americas));
        assert_eq!(continent("mars-1"), None);
    }

    #[test]
    fn round_trip_grows_with_distance() {
        let same = rtt_s("us-east-1", "us-east-1", 0.02).unwrap();
        let near = rtt_s("us-east-1", "us-west-2", 0.02).unwrap();
        let eu = rtt_s("us-east-1", "eu-west-1", 0.02).unwrap();
        let ap = rtt_s("us-east-1", "ap-northeast-1", 0.02).unwrap();
        let eu_ap = rtt_s("europe-west1", "ap-northeast-1", 0.02).unwrap();
        assert_eq!(same, 0.02);
        assert!(same < near && near < eu && eu < ap && ap < eu_ap);
        // Symmetric.
        assert_eq!(eu, rtt_s("eu-west-1", "us-east-1", 0.02).unwrap());
        let e = rtt_s("us-east-1", "mars-1", 0.02).unwrap_err();
        assert_eq!(crate::error::exit_code(&e), 2);
        assert!(e.to_string().contains("--client-region mars-1"), "{e}");
    }

    #[test]
    fn region_selection_keeps_default_ids() {
        let s = builtin("current").unwrap();
        let d = defaults(&s.offers);
        assert!(d.iter().all(|o| !o.id.contains(SEP)));
        assert!(d.iter().any(|o| o.id == "aws-lambda-arm64"));
        let all: Vec<Offer> = s.all().cloned().collect();
        let eu = in_region(&all, "eu-west-1").unwrap();
        assert!(eu.iter().all(|o| o.region == "eu-west-1"));
        assert!(eu.iter().any(|o| o.id == "aws-lambda-arm64@eu-west-1"));
        let e = in_region(&all, "nowhere-1").unwrap_err();
        assert_eq!(crate::error::exit_code(&e), 2);
        assert!(e.to_string().contains("us-east-1"), "{e}");
    }
}
