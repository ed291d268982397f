//! `advisor pricing refresh`: read current prices from a provider's price
//! API and write a new dated snapshot.
//!
//! The new snapshot holds the base snapshot's offers of that provider with
//! every price the API gave replaced (its source: the API, dated today);
//! behaviour parameters and prices the API did not give are kept. Nothing is
//! written unless every API call succeeded and at least one price was found:
//! an unreachable or failing API is an error (exit code 1) that says what
//! failed and that nothing was written. An existing file is never replaced
//! without `--force` (exit code 2).

pub mod aws;
pub mod azure;
pub mod gcp;
pub mod purchase;

use super::offer::{Billing, Cloud, Offer, Purchase, Source};
use super::query::{figure_path, PriceQuery};
use super::snapshot::Snapshot;
use super::summary::sig;
use super::write::to_toml;
use crate::error::bad_input;
use anyhow::Context;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Which provider's API to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// AWS Price List API.
    Aws,
    /// Google Cloud Billing Catalog API.
    Gcp,
    /// Azure Retail Prices API (no key).
    Azure,
}

impl Provider {
    /// The file-name prefix and label, `aws` or `gcp`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Gcp => "gcp",
            Provider::Azure => "azure",
        }
    }

    fn cloud(self) -> Cloud {
        match self {
            Provider::Aws => Cloud::Aws,
            Provider::Gcp => Cloud::Gcp,
            Provider::Azure => Cloud::Azure,
        }
    }
}

/// How to run a refresh.
#[derive(Debug, Clone)]
pub struct RefreshOptions {
    /// Provider whose API is read.
    pub provider: Provider,
    /// Base URL of the API; `None` for the provider's own.
    pub endpoint_url: Option<String>,
    /// AWS: the Price List API's region.
    pub api_region: String,
    /// Price only this region's offers (built from the default region's
    /// when the base snapshot has none there); `None` for every offer.
    pub price_region: Option<String>,
    /// Google: the API key.
    pub api_key: Option<String>,
    /// Bound on each API call.
    pub timeout: Duration,
    /// Folder the snapshot is written to.
    pub out_dir: PathBuf,
    /// Replace an existing file.
    pub force: bool,
    /// Date of the new snapshot, YYYY-MM-DD.
    pub date: String,
}

impl RefreshOptions {
    /// The file the snapshot goes to: `OUT_DIR/NAME.toml`.
    pub fn out_file(&self) -> PathBuf {
        self.out_dir.join(format!("{}.toml", self.snapshot_name()))
    }

    /// The new snapshot's name: `PROVIDER-DATE`, or `PROVIDER-REGION-DATE` with a region.
    pub fn snapshot_name(&self) -> String {
        match &self.price_region {
            None => format!("{}-{}", self.provider.name(), self.date),
            Some(r) => format!("{}-{r}-{}", self.provider.name(), self.date),
        }
    }

    /// Checks the options that do not need the network; errors are bad input.
    pub fn check(&self) -> anyhow::Result<()> {
        if chrono::NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").is_err() {
            return Err(bad_input(format!(
                "--date {}: expected YYYY-MM-DD",
                self.date
            )));
        }
        if let Some(u) = &self.endpoint_url {
            let ok = reqwest::Url::parse(u)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false);
            if !ok {
                return Err(bad_input(format!(
                    "--endpoint-url {u}: expected an http:// or https:// URL"
                )));
            }
        }
        if self.provider == Provider::Gcp && self.api_key.as_deref().unwrap_or("").is_empty() {
            return Err(bad_input(
                "--provider gcp needs an API key for the Cloud Billing Catalog API: --api-key KEY or GOOGLE_API_KEY",
            ));
        }
        Ok(())
    }
}

/// One price to look up: which offer, which field, how.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    /// The offer.
    pub offer: &'a Offer,
    /// The price field of `[offer.api]`, e.g. `per_hour_usd`.
    pub field: &'a str,
    /// How to find it.
    pub query: &'a PriceQuery,
    /// The purchase option asked for instead of the on-demand price (the
    /// finding's field is then the option's, `purchase.KEY.per_hour_usd`).
    pub purchase: Option<&'a Purchase>,
}

/// Why one price was not found (the refresh goes on without it).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LookupError {
    /// The AWS Price List gave no single price.
    #[error(transparent)]
    Aws(#[from] aws::AwsPriceError),
    /// The Billing Catalog gave no single price.
    #[error(transparent)]
    Gcp(#[from] gcp::GcpPriceError),
    /// The Retail Prices API gave no single price.
    #[error(transparent)]
    Azure(#[from] azure::AzurePriceError),
    /// The offer's query is for another provider.
    #[error("not an {0} query")]
    WrongProvider(&'static str),
    /// A service name the refresh does not know.
    #[error("unknown service {0}")]
    UnknownService(String),
    /// A region whose usage-type prefix the refresh does not know.
    #[error("no usage-type prefix known for region {0}")]
    UnknownRegion(String),
}

/// What the API said about one price.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Offer id.
    pub offer: String,
    /// The price field of `[offer.api]`.
    pub field: String,
    /// The price in the field's canonical unit, or why none was found.
    pub price: Result<f64, LookupError>,
}

/// One changed price.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Offer id.
    pub offer: String,
    /// Figure path, e.g. `billing.per_hour_usd`.
    pub field: String,
    /// Price before.
    pub old_usd: f64,
    /// Price now.
    pub new_usd: f64,
}

/// A price the API did not give; the base snapshot's value is kept.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// Offer id.
    pub offer: String,
    /// Figure path.
    pub field: String,
    /// Why it was not found.
    pub reason: String,
}

/// What a refresh did.
#[derive(Debug, Clone, Serialize)]
pub struct RefreshReport {
    /// Name of the new snapshot, e.g. `aws-2026-11-29`.
    pub snapshot: String,
    /// The file written.
    pub file: String,
    /// `aws` or `gcp`.
    pub provider: String,
    /// The snapshot it was based on.
    pub base: String,
    /// Source recorded for the prices found.
    pub source: String,
    /// Offers in the new snapshot.
    pub offers: usize,
    /// Prices looked up.
    pub queries: usize,
    /// Prices found.
    pub found: usize,
    /// Prices found that differ from the base snapshot.
    pub changes: Vec<Change>,
    /// Prices found equal to the base snapshot's.
    pub unchanged: usize,
    /// Prices not found (kept from the base snapshot).
    pub not_found: Vec<Missing>,
}

impl RefreshReport {
    /// The human summary: what changed, old -> new, and what was not found.
    pub fn text(&self) -> String {
        let mut t = format!(
            "{}: {} of {} prices read from {}; {} changed, {} unchanged, {} not found (kept from {})\n",
            self.snapshot,
            self.found,
            self.queries,
            self.source,
            self.changes.len(),
            self.unchanged,
            self.not_found.len(),
            self.base
        );
        let w = self
            .changes
            .iter()
            .map(|c| c.offer.len())
            .chain(self.not_found.iter().map(|m| m.offer.len()))
            .max()
            .unwrap_or(0);
        for c in &self.changes {
            t.push_str(&format!(
                "  {:<w$}  {}  {} -> {}\n",
                c.offer,
                c.field,
                sig(c.old_usd, 8),
                sig(c.new_usd, 8)
            ));
        }
        for m in &self.not_found {
            t.push_str(&format!(
                "  {:<w$}  {}  not found: {}\n",
                m.offer, m.field, m.reason
            ));
        }
        t.push_str(&format!("wrote {}\n", self.file));
        t
    }
}

/// Reads the provider's prices for `base`'s offers and writes the new snapshot.
pub fn run(base: &Snapshot, opts: &RefreshOptions) -> anyhow::Result<RefreshReport> {
    opts.check()?;
    let out = opts.out_file();
    if out.exists() && !opts.force {
        return Err(bad_input(format!(
            "{} already exists; refusing to overwrite it (use --force)",
            out.display()
        )));
    }
    let cloud = opts.provider.cloud();
    let derived = derive_region(base, opts);
    let offers: Vec<&Offer> = match &opts.price_region {
        None => base.all().filter(|o| o.cloud == cloud).collect(),
        Some(_) if !derived.is_empty() => derived.iter().collect(),
        Some(r) => base
            .all()
            .filter(|o| o.cloud == cloud && o.region == *r)
            .collect(),
    };
    if offers.is_empty() {
        return Err(bad_input(format!(
            "snapshot {} has no {} offers to refresh",
            base.name,
            opts.provider.name()
        )));
    }
    let jobs = jobs(base, &offers);
    if jobs.is_empty() {
        return Err(bad_input(format!(
            "snapshot {} has no [offer.api] queries for {}: nothing to look up",
            base.name,
            opts.provider.name()
        )));
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let (findings, source) = rt
        .block_on(async {
            match opts.provider {
                Provider::Aws => aws::fetch(&jobs, opts).await,
                Provider::Gcp => gcp::fetch(&jobs, opts).await,
                Provider::Azure => azure::fetch(&jobs, opts).await,
            }
        })
        .map_err(|e| anyhow::anyhow!("{}; nothing was written", crate::error::one_line(&e)))?;

    let found = findings.iter().filter(|f| f.price.is_ok()).count();
    if found == 0 {
        let why = findings
            .first()
            .and_then(|f| f.price.as_ref().err().map(ToString::to_string))
            .unwrap_or_default();
        anyhow::bail!(
            "{source} gave no price for any of the {} queries (first: {why}); nothing was written",
            findings.len()
        );
    }

    let name = opts.snapshot_name();
    let (mut snapshot, changes, unchanged, not_found) =
        apply(base, &offers, &findings, &name, &source, &opts.date);
    if !derived.is_empty() {
        keep_fully_priced(&mut snapshot, &findings);
        if snapshot.all().next().is_none() {
            anyhow::bail!(
                "{source} did not give every price of any offer in {}; nothing was written",
                opts.price_region.as_deref().unwrap_or_default()
            );
        }
    }
    write_new(&snapshot, &out, opts, &base.name, &source)?;
    Ok(RefreshReport {
        snapshot: name,
        file: out.display().to_string(),
        provider: opts.provider.name().to_string(),
        base: base.name.clone(),
        source,
        offers: snapshot.all().count(),
        queries: findings.len(),
        found,
        changes,
        unchanged,
        not_found,
    })
}

/// The default-region offers of the provider, priced in `--region`, when
/// the base snapshot prices no offer of the provider there; else none.
fn derive_region(base: &Snapshot, opts: &RefreshOptions) -> Vec<Offer> {
    let Some(r) = &opts.price_region else {
        return Vec::new();
    };
    let cloud = opts.provider.cloud();
    if base.all().any(|o| o.cloud == cloud && o.region == *r) {
        return Vec::new();
    }
    base.offers
        .iter()
        .filter(|o| o.cloud == cloud)
        .map(|o| {
            let mut n = o.clone();
            n.id = format!("{}{}{r}", o.id, super::region::SEP);
            n.region = r.clone();
            n
        })
        .collect()
}

/// Drops the offers built for a new region that lack a price: their other
/// figures would be the default region's.
fn keep_fully_priced(s: &mut Snapshot, findings: &[Finding]) {
    let ok = |id: &str| {
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.offer == id && !purchase::is_option(f))
            .collect();
        !mine.is_empty() && mine.iter().all(|f| f.price.is_ok())
    };
    let all: Vec<Offer> = s
        .all()
        .filter(|o| ok(&o.id))
        .map(|o| {
            let mut o = o.clone();
            purchase::keep_found(&mut o, findings);
            o
        })
        .collect();
    s.queries.retain(|id, _| ok(id));
    s.set_offers(all);
}

/// The `[offer.api]` queries of an offer; a region's variant shares its default offer's.
fn queries_of<'a>(base: &'a Snapshot, id: &str) -> Option<&'a super::query::OfferQueries> {
    base.queries
        .get(id)
        .or_else(|| base.queries.get(super::region::base_id(id)))
}

/// The price lookups of these offers that the offers can take.
fn jobs<'a>(base: &'a Snapshot, offers: &[&'a Offer]) -> Vec<Job<'a>> {
    let mut out = Vec::new();
    for o in offers {
        let Some(qs) = queries_of(base, &o.id) else {
            continue;
        };
        for (field, query) in qs {
            let mut probe = o.billing.clone();
            if price_mut(&mut probe, field).is_some() {
                out.push(Job {
                    offer: o,
                    field,
                    query,
                    purchase: None,
                });
            }
        }
        out.extend(purchase::jobs(o, qs));
    }
    out
}

/// The price `field` of a billing, where the model has it.
fn price_mut<'b>(b: &'b mut Billing, field: &str) -> Option<&'b mut f64> {
    match (b, field) {
        (
            Billing::Invocation {
                per_request_usd, ..
            },
            "per_request_usd",
        )
        | (
            Billing::ActiveInstance {
                per_request_usd, ..
            },
            "per_request_usd",
        ) => Some(per_request_usd),
        (Billing::Invocation { per_gb_s_usd, .. }, "per_gb_s_usd") => Some(per_gb_s_usd),
        (
            Billing::Invocation {
                provisioned: Some(p),
                ..
            },
            "provisioned_per_gb_s_usd",
        ) => Some(&mut p.per_gb_s_usd),
        (
            Billing::Invocation {
                provisioned: Some(p),
                ..
            },
            "provisioned_duration_per_gb_s_usd",
        ) => Some(&mut p.duration_per_gb_s_usd),
        (Billing::ActiveInstance { per_vcpu_s_usd, .. }, "per_vcpu_s_usd") => Some(per_vcpu_s_usd),
        (Billing::ActiveInstance { per_gib_s_usd, .. }, "per_gib_s_usd") => Some(per_gib_s_usd),
        (Billing::Hourly { per_hour_usd, .. }, "per_hour_usd") => Some(per_hour_usd),
        _ => None,
    }
}

type Applied = (Snapshot, Vec<Change>, usize, Vec<Missing>);

/// The new snapshot: the offers with the found prices and their new source.
fn apply(
    base: &Snapshot,
    offers: &[&Offer],
    findings: &[Finding],
    name: &str,
    source: &str,
    date: &str,
) -> Applied {
    let by_key: BTreeMap<(&str, &str), &Finding> = findings
        .iter()
        .map(|f| ((f.offer.as_str(), f.field.as_str()), f))
        .collect();
    let mut changes = Vec::new();
    let mut unchanged = 0;
    let mut missing = Vec::new();
    let mut new_offers = Vec::new();
    let mut queries = BTreeMap::new();
    for o in offers {
        let mut n = (*o).clone();
        n.snapshot = name.to_string();
        if let Some(q) = queries_of(base, &o.id) {
            queries.insert(o.id.clone(), q.clone());
            for field in q.keys() {
                let Some(f) = by_key.get(&(o.id.as_str(), field.as_str())) else {
                    continue;
                };
                let path = figure_path(field).unwrap_or(field.as_str()).to_string();
                match &f.price {
                    Ok(p) => {
                        let Some(slot) = price_mut(&mut n.billing, field) else {
                            continue;
                        };
                        let old = *slot;
                        *slot = *p;
                        if (old - p).abs() > 1e-12 * old.abs().max(p.abs()) {
                            changes.push(Change {
                                offer: o.id.clone(),
                                field: path.clone(),
                                old_usd: old,
                                new_usd: *p,
                            });
                        } else {
                            unchanged += 1;
                        }
                        n.sources.insert(
                            path,
                            Source {
                                source: source.to_string(),
                                date: date.to_string(),
                                assumption: false,
                            },
                        );
                    }
                    Err(reason) => missing.push(Missing {
                        offer: o.id.clone(),
                        field: path,
                        reason: reason.to_string(),
                    }),
                }
            }
            let options = purchase::apply(&mut n, findings, source, date);
            changes.extend(options.changes);
            unchanged += options.unchanged;
            missing.extend(options.missing);
        }
        new_offers.push(n);
    }
    let mut snapshot = Snapshot {
        name: name.to_string(),
        date: date.to_string(),
        description: format!(
            "{} prices read from {source} on {date}; behaviour parameters and prices it did not give are from snapshot {}.",
            base_label(offers),
            base.name
        ),
        offers: Vec::new(),
        regional: Vec::new(),
        queries,
        origin: String::new(),
    };
    snapshot.set_offers(new_offers);
    (snapshot, changes, unchanged, missing)
}

fn base_label(offers: &[&Offer]) -> &'static str {
    match offers.first().map(|o| o.cloud) {
        Some(Cloud::Gcp) => "Google Cloud",
        Some(Cloud::Azure) => "Azure",
        _ => "AWS",
    }
}

/// Writes the snapshot through a temporary file and a rename, so a failure
/// leaves no half-written snapshot and an existing one is replaced only with --force.
fn write_new(
    s: &Snapshot,
    out: &Path,
    opts: &RefreshOptions,
    base: &str,
    source: &str,
) -> anyhow::Result<()> {
    let header = vec![
        format!(
            "Written by `advisor pricing refresh --provider {}` on {}.",
            opts.provider.name(),
            opts.date
        ),
        format!("Prices found carry their source: {source}."),
        format!("Everything else is copied from snapshot `{base}`, with its sources."),
    ];
    let text = to_toml(s, &header)?;
    std::fs::create_dir_all(&opts.out_dir)
        .with_context(|| format!("creating {}", opts.out_dir.display()))?;
    // Without --force a file that appeared while prices were read is kept.
    crate::fsio::write_new(out, text.as_bytes(), opts.force)
}

/// One line for a failed HTTP request to a price API, without the URL (it
/// may carry an API key).
pub(crate) fn describe(what: &str, e: reqwest::Error, opts: &RefreshOptions) -> String {
    let timed_out = e.is_timeout();
    let connect = e.is_connect();
    let e = e.without_url();
    if timed_out {
        format!(
            "{what} did not answer within {} s (--timeout-s)",
            opts.timeout.as_secs_f64()
        )
    } else if connect {
        format!("{what} could not be reached: {}", one_line(&e))
    } else {
        format!("{what} failed: {}", one_line(&e))
    }
}

/// The one-line form of an error chain, without repeats (for messages built here).
pub(crate) fn one_line(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string().replace('\n', " ");
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::builtin;

    fn opts(dir: &Path) -> RefreshOptions {
        RefreshOptions {
            provider: Provider::Aws,
            endpoint_url: None,
            api_region: "us-east-1".into(),
            price_region: None,
            api_key: None,
            timeout: Duration::from_secs(1),
            out_dir: dir.to_path_buf(),
            force: false,
            date: "2026-11-29".into(),
        }
    }

    #[test]
    fn apply_updates_found_prices_and_keeps_the_rest() {
        let base = builtin("current").unwrap();
        let offers: Vec<&Offer> = base
            .offers
            .iter()
            .filter(|o| o.cloud == Cloud::Aws)
            .collect();
        let findings = vec![
            Finding {
                offer: "aws-ec2-m7i.xlarge".into(),
                field: "per_hour_usd".into(),
                price: Ok(0.25),
            },
            Finding {
                offer: "aws-ec2-c7i.xlarge".into(),
                field: "per_hour_usd".into(),
                price: Ok(0.1785),
            },
            Finding {
                offer: "aws-ec2-g5.xlarge".into(),
                field: "per_hour_usd".into(),
                price: Err(LookupError::UnknownService("x".into())),
            },
        ];
        let (s, changes, unchanged, missing) = apply(
            &base,
            &offers,
            &findings,
            "aws-2026-11-29",
            "the API",
            "2026-11-29",
        );
        assert_eq!(s.offers.len(), offers.len());
        assert!(s.offers.iter().all(|o| o.snapshot == "aws-2026-11-29"));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].offer, "aws-ec2-m7i.xlarge");
        assert_eq!(changes[0].field, "billing.per_hour_usd");
        assert_eq!((changes[0].old_usd, changes[0].new_usd), (0.2016, 0.25));
        assert_eq!(unchanged, 1);
        assert_eq!(missing.len(), 1);
        let m7i = s.offer("aws-ec2-m7i.xlarge").unwrap();
        assert_eq!(m7i.billing.hourly_usd(), Some(0.25));
        assert_eq!(m7i.sources["billing.per_hour_usd"].source, "the API");
        assert_eq!(m7i.sources["billing.per_hour_usd"].date, "2026-11-29");
        // Behaviour and unfound prices are the base's.
        let old = base.offer("aws-ec2-m7i.xlarge").unwrap();
        assert_eq!(m7i.behaviour, old.behaviour);
        assert_eq!(
            s.offer("aws-ec2-g5.xlarge").unwrap().billing,
            base.offer("aws-ec2-g5.xlarge").unwrap().billing
        );
    }

    #[test]
    fn options_are_checked_before_any_network_call() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = opts(dir.path());
        o.date = "29-11-2026".into();
        assert!(o.check().unwrap_err().to_string().contains("--date"));
        let mut o = opts(dir.path());
        o.endpoint_url = Some("ftp://x".into());
        assert!(o
            .check()
            .unwrap_err()
            .to_string()
            .contains("--endpoint-url"));
        let mut o = opts(dir.path());
        o.provider = Provider::Gcp;
        let e = o.check().unwrap_err();
        assert!(e.to_string().contains("GOOGLE_API_KEY"));
        assert_eq!(crate::error::exit_code(&e), 2);
    }

    #[test]
    fn existing_file_is_refused_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let o = opts(dir.path());
        std::fs::write(o.out_file(), "keep me").unwrap();
        let e = run(&builtin("current").unwrap(), &o).unwrap_err();
        assert_eq!(crate::error::exit_code(&e), 2);
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read_to_string(o.out_file()).unwrap(), "keep me");
    }

    #[test]
    fn jobs_skip_fields_the_offer_does_not_have() {
        let base = builtin("current").unwrap();
        let offers: Vec<&Offer> = base.offers.iter().collect();
        let js = jobs(&base, &offers);
        assert!(js
            .iter()
            .any(|j| j.offer.id == "aws-lambda-x86" && j.field == "provisioned_per_gb_s_usd"));
        assert!(js.iter().all(|j| {
            let mut b = j.offer.billing.clone();
            price_mut(&mut b, j.field).is_some()
        }));
    }
}
