//! How `advisor pricing refresh` finds an offer's prices in a provider's API.
//!
//! An offer's `[offer.api]` table maps a price field to a query: for AWS a
//! Price List `GetProducts` filter set, for Google a sum of Billing Catalog
//! SKUs (a GCE machine type is priced as vCPUs x the core SKU plus GiB x the
//! RAM SKU, plus its GPUs).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The price fields a query may fill, and the offer figure each one is.
pub const PRICE_FIELDS: &[(&str, &str)] = &[
    ("per_request_usd", "billing.per_request_usd"),
    ("per_gb_s_usd", "billing.per_gb_s_usd"),
    ("per_vcpu_s_usd", "billing.per_vcpu_s_usd"),
    ("per_gib_s_usd", "billing.per_gib_s_usd"),
    ("per_hour_usd", "billing.per_hour_usd"),
    (
        "provisioned_per_gb_s_usd",
        "billing.provisioned.per_gb_s_usd",
    ),
    (
        "provisioned_duration_per_gb_s_usd",
        "billing.provisioned.duration_per_gb_s_usd",
    ),
];

/// The offer figure path a price field of `[offer.api]` fills.
pub fn figure_path(field: &str) -> Option<&'static str> {
    PRICE_FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, p)| *p)
}

/// One way to find one price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PriceQuery {
    /// AWS Price List: the first product matching every filter (TERM_MATCH),
    /// its on-demand price dimension starting at 0 in `unit`.
    Aws {
        /// Service code, e.g. `AmazonEC2`.
        service: String,
        /// Attribute name -> value, each a TERM_MATCH filter.
        filters: BTreeMap<String, String>,
        /// The price dimension's unit as the API writes it, e.g. `Hrs`,
        /// `Lambda-GB-Second`, `Requests`.
        unit: String,
    },
    /// Azure Retail Prices: the pay-as-you-go meter the OData filter selects
    /// in the offer's region, in `unit` (its `unitOfMeasure`).
    Azure {
        /// OData `$filter`, e.g. `serviceName eq 'Functions' and meterName eq 'Execution Time'`;
        /// the region is added by the refresh.
        filter: String,
        /// The meter's `unitOfMeasure`, e.g. `1 Hour`, `1 GB Second`, `10`.
        unit: String,
    },
    /// Google Cloud Billing Catalog: a sum of SKU prices times quantities.
    Gcp {
        /// Service name: `compute`, `run` or `vertex` (see `refresh::gcp`).
        service: String,
        /// The parts; each SKU matched by exact description in the offer's region.
        skus: Vec<SkuPart>,
    },
}

/// One SKU of a Google price and how many of its units one offer unit uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkuPart {
    /// The SKU's description, e.g. "N2 Instance Core running in Americas".
    pub description: String,
    /// Units of the SKU per unit of the price (vCPUs, GiB, GPUs; 1 for a rate).
    pub quantity: f64,
}

/// Price field -> query, for one offer.
pub type OfferQueries = BTreeMap<String, PriceQuery>;
