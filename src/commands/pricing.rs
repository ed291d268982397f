//! `advisor pricing`: list a snapshot's offers, or refresh prices from a provider's API.

use super::Ctx;
use crate::error::bad_input;
use crate::pricing::refresh::{self, Provider, RefreshOptions};
use crate::pricing::summary::{price_text, summary, OfferRow};
use crate::pricing::{find, Offer, Snapshot};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// `advisor pricing ...`
#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// List the offers with their prices and sources.
    Show(ShowArgs),
    /// Read current prices from a provider's price API and write a new dated snapshot.
    ///
    /// Behaviour parameters, and prices the API did not give, are kept from
    /// the base snapshot (`current`). The new file is
    /// `OUT_DIR/PROVIDER-YYYY-MM-DD.toml`; an existing file is never
    /// overwritten without --force. If the API cannot be reached or answers
    /// with an error, nothing is written and the exit code is 1.
    Refresh(RefreshArgs),
}

/// Arguments of `advisor pricing show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Snapshot to list: built in (`current`, `study-2020`) or NAME.toml in the pricing folder.
    #[arg(long, default_value = "current", value_name = "NAME")]
    pub snapshot: String,

    /// A snapshot file to list, or the folder to look for NAME.toml in (default: pricing/).
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub pricing: Option<PathBuf>,

    /// Only the offers priced in this region (default: every region).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

/// A provider whose price API `pricing refresh` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// AWS Price List API (GetProducts), with the standard credential chain.
    Aws,
    /// Google Cloud Billing Catalog API, with an API key.
    Gcp,
    /// Azure Retail Prices API (no key).
    Azure,
}

/// Arguments of `advisor pricing refresh`.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Which provider's prices to read.
    #[arg(long, value_enum)]
    pub provider: ProviderArg,

    /// Base URL of the price API (default: the provider's own).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Price only this region's offers (e.g. eu-west-1, europe-west1); a
    /// region the base snapshot does not price is built from the default
    /// region's offers, keeping those whose every price the API gave.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// AWS only: region of the Price List API endpoint (us-east-1, eu-central-1 or ap-south-1).
    #[arg(long, value_name = "REGION")]
    pub api_region: Option<String>,

    /// Folder the new snapshot is written to.
    #[arg(long, default_value = "pricing", value_name = "DIR")]
    pub out_dir: PathBuf,

    /// Google only: API key for the Billing Catalog API (default: $GOOGLE_API_KEY).
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,

    /// Give up on an API call after this many seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub timeout_s: f64,

    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,

    /// Snapshot whose offers are refreshed and whose behaviour parameters are kept.
    #[arg(long, default_value = "current", value_name = "NAME")]
    pub base: String,

    /// A base snapshot file, or the folder to look for it in.
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub pricing: Option<PathBuf>,

    /// Date of the new snapshot, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

/// Runs `advisor pricing ...`.
pub fn run(ctx: &Ctx, cmd: PricingCommand) -> anyhow::Result<()> {
    match cmd {
        PricingCommand::Show(a) => show(ctx, a),
        PricingCommand::Refresh(a) => refresh_cmd(ctx, a),
    }
}

/// The JSON document of `pricing show --json`.
#[derive(Serialize)]
struct ShowJson<'a> {
    snapshot: SnapshotInfo<'a>,
    offers: Vec<OfferRow<'a>>,
}

#[derive(Serialize)]
struct SnapshotInfo<'a> {
    name: &'a str,
    date: &'a str,
    description: &'a str,
    origin: &'a str,
    offer_count: usize,
}

fn show(ctx: &Ctx, a: ShowArgs) -> anyhow::Result<()> {
    let mut s = find(&a.snapshot, a.pricing.as_deref())?;
    if let Some(r) = &a.region {
        let all: Vec<Offer> = s.all().cloned().collect();
        s.set_offers(crate::pricing::region::in_region(&all, r)?);
    }
    if ctx.global.json {
        let doc = ShowJson {
            snapshot: SnapshotInfo {
                name: &s.name,
                date: &s.date,
                description: &s.description,
                origin: &s.origin,
                offer_count: s.all().count(),
            },
            offers: s
                .all()
                .map(|o| OfferRow {
                    offer: o,
                    prices: summary(o),
                })
                .collect(),
        };
        return ctx.print_json(&doc);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(table(&s).as_bytes())?;
    Ok(())
}

fn spec_text(o: &Offer) -> (String, String, String) {
    let vcpu = crate::pricing::summary::sig(o.spec.vcpu, 3);
    let mem = if o.spec.memory_mb >= 1024.0 && o.spec.memory_mb % 1024.0 == 0.0 {
        format!("{} GiB", o.spec.memory_mb / 1024.0)
    } else {
        format!("{} MB", o.spec.memory_mb)
    };
    let gpu = match &o.spec.gpu {
        Some(g) => format!("{}x {}", g.count, g.model.trim_start_matches("NVIDIA ")),
        None => "-".to_string(),
    };
    (vcpu, mem, gpu)
}

/// The readable listing: one row per offer, then where the figures come from.
fn table(s: &Snapshot) -> String {
    let header = ["ID", "KIND", "VCPU", "MEMORY", "GPU", "PRICE", "PRICE DATE"];
    let mut rows: Vec<[String; 7]> = Vec::new();
    let mut options: Vec<Vec<String>> = Vec::new();
    let mut any_assumed = false;
    for o in s.all() {
        let p = summary(o);
        any_assumed |= p.purchase_options.iter().any(|r| r.assumption);
        options.push(p.purchase_options.iter().map(|r| r.text()).collect());
        let (vcpu, mem, gpu) = spec_text(o);
        let mut date = p.source_date.clone();
        if p.price_assumption {
            date.push_str(" *");
            any_assumed = true;
        }
        rows.push([
            o.id.clone(),
            format!("{:?}", o.kind).to_lowercase(),
            vcpu,
            mem,
            gpu,
            price_text(o),
            date,
        ]);
    }
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[&str]| -> String {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        l.trim_end().to_string() + "\n"
    };
    let mut t = format!(
        "Snapshot {} ({}): {}\n{} offers, from {}\n\n",
        s.name,
        s.date,
        s.description,
        rows.len(),
        s.origin
    );
    t.push_str(&line(&header));
    for (r, opts) in rows.iter().zip(&options) {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        t.push_str(&line(&cells));
        for o in opts {
            t.push_str(&format!("    {o}\n"));
        }
    }
    if any_assumed {
        t.push_str("\n* a price is an assumption (see the snapshot file for the reasoning)\n");
    }
    if options.iter().any(|o| !o.is_empty()) {
        t.push_str(
            "\n+KEY: a purchase option besides on demand (spot, 1- or 3-year commitments), the option id's suffix\n",
        );
    }
    t.push_str("\nEvery figure's source: advisor pricing show --json (offers[].sources)\n");
    t
}

fn refresh_options(a: &RefreshArgs) -> anyhow::Result<RefreshOptions> {
    if !(a.timeout_s.is_finite() && a.timeout_s > 0.0) {
        return Err(bad_input(format!(
            "--timeout-s {}: expected a number of seconds greater than 0",
            a.timeout_s
        )));
    }
    let provider = match a.provider {
        ProviderArg::Aws => Provider::Aws,
        ProviderArg::Gcp => Provider::Gcp,
        ProviderArg::Azure => Provider::Azure,
    };
    let api_key = a
        .api_key
        .clone()
        .or_else(|| std::env::var("GOOGLE_API_KEY").ok());
    Ok(RefreshOptions {
        provider,
        endpoint_url: a.endpoint_url.clone(),
        api_region: a
            .api_region
            .clone()
            .unwrap_or_else(|| "us-east-1".to_string()),
        price_region: a.region.clone(),
        api_key,
        timeout: Duration::from_secs_f64(a.timeout_s),
        out_dir: a.out_dir.clone(),
        force: a.force,
        date: a
            .date
            .clone()
            .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string()),
    })
}

fn refresh_cmd(ctx: &Ctx, a: RefreshArgs) -> anyhow::Result<()> {
    let opts = refresh_options(&a)?;
    if a.api_region.is_some() && opts.provider == Provider::Gcp {
        ctx.warn("--api-region applies to the AWS Price List API only; ignored");
    }
    let base = find(&a.base, a.pricing.as_deref())?;
    let report = refresh::run(&base, &opts)?;
    if ctx.global.json {
        return ctx.print_json(&report);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(report.text().as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::builtin;

    #[test]
    fn table_lists_every_offer_with_aligned_columns() {
        let s = builtin("study-2020").unwrap();
        let t = table(&s);
        for o in &s.offers {
            assert!(t.contains(&o.id), "{}", o.id);
        }
        let header = t.lines().find(|l| l.starts_with("ID")).unwrap();
        let price_col = header.find("PRICE").unwrap();
        let lambda = t
            .lines()
            .find(|l| l.starts_with("aws-lambda-ort-2048"))
            .unwrap();
        assert_eq!(&lambda[price_col..price_col + 5], "$0.2/");
        assert!(lambda.contains("1.16"), "{lambda}");
        assert!(lambda.contains("2 GiB"), "{lambda}");
        let gpu = t
            .lines()
            .find(|l| l.starts_with("aws-ec2-g4dn.2xlarge"))
            .unwrap();
        assert!(gpu.contains("1x T4"), "{gpu}");
        assert!(t.contains("* a price is an assumption"));
    }
}
