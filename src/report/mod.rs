//! The decision report: Markdown, HTML (one self-contained file with SVG
//! charts), JSON and CSV.
//!
//! A [`Report`] is the [`Advice`] plus what the reader needs to trust it:
//! what was measured (the profile), the workload's statistics, the best
//! option re-simulated with its time series (for the latency-over-time
//! chart), its cold start phase by phase, and the source of every price
//! and platform figure of the offers named. [`assemble`] builds it;
//! [`render`] writes it in a [`Format`]; [`write`] saves it without
//! overwriting anything unless told to.

mod charts;
mod csv_table;
pub mod document;
mod html;
mod markdown;
mod sections;
pub mod svg;
mod tables;

/// Figures and targets in words, under their former name.
pub use crate::present as words;

use crate::advise::{Advice, BreakEvenCurve, Ranked};
use crate::outcome::{Bucket, Outcome, Series};
use crate::platform::cold_start::ColdStartPhases;
use crate::pricing::Offer;
use crate::profile::Profile;
use crate::sim::{self, Scenario};
use crate::workload::{stats, Trace, TraceStats};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// Most buckets kept of the best option's time series (the charts need no more).
pub const MAX_SERIES_BUCKETS: usize = 400;

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Markdown.
    Md,
    /// One HTML file with inline CSS and SVG charts.
    Html,
    /// The advice as JSON, with the report's additions under `report`.
    Json,
    /// The comparison table.
    Csv,
}

/// The decision and what supports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The advice; in JSON its fields are at the top level, so the file
    /// reads back as an [`Advice`].
    #[serde(flatten)]
    pub advice: Advice,
    /// What the report adds.
    pub report: Meta,
}

/// What the report adds to the advice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// When the report was written (RFC 3339).
    pub generated_at: String,
    /// The program that wrote it.
    pub generated_by: String,
    /// The profile: every figure in it was measured.
    pub measured: Profile,
    /// The workload's statistics.
    pub trace_stats: TraceStats,
    /// The best option re-simulated with its time series (modelled).
    pub best_outcome: Option<Outcome>,
    /// The cold start of the serverless option shown, phase by phase.
    pub cold_start: Option<ColdStartView>,
    /// Where the figures of the offers named in the report come from.
    pub sources: Vec<OfferSources>,
}

/// A cold start phase by phase, on one serverless option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColdStartView {
    /// The option (a `ranked[].id`).
    pub id: String,
    /// The offer.
    pub offer: String,
    /// Its memory size, MB.
    pub memory_mb: f64,
    /// The phases, s (container init, import and download modelled from the
    /// offer; model load and first inference measured and scaled to it).
    pub phases: ColdStartPhases,
}

/// The sources of one offer's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferSources {
    /// The offer id.
    pub offer: String,
    /// Its human name.
    pub name: String,
    /// Figure path, source, date, and whether it is an assumption.
    pub figures: Vec<FigureSource>,
}

/// Where one figure comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureSource {
    /// The figure, e.g. `billing.per_gb_s_usd`.
    pub figure: String,
    /// A URL, or "the study".
    pub source: String,
    /// When it was read or published.
    pub date: String,
    /// True when the figure is an assumption.
    pub assumption: bool,
}

/// What [`assemble`] needs.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// The measured model.
    pub profile: &'a Arc<Profile>,
    /// The workload.
    pub trace: &'a Trace,
    /// The offers the advice chose from.
    pub offers: &'a [Offer],
    /// The advice.
    pub advice: Advice,
    /// When the report is written (RFC 3339).
    pub generated_at: String,
    /// Seed of the best option's re-simulation.
    pub seed: u64,
}

/// Builds the report: re-simulates the best option for its time series and
/// gathers the measured figures and the sources.
pub fn assemble(i: Inputs<'_>) -> anyhow::Result<Report> {
    let find = |id: &str| i.offers.iter().find(|o| o.id == id);
    let best_outcome = match i.advice.best.as_ref() {
        Some(b) => {
            let offer = find(&b.offer).with_context(|| {
                format!(
                    "the best option's offer {} is not among the offers",
                    b.offer
                )
            })?;
            let sc = scenario(offer, i.profile, b, i.seed);
            let mut o = sim::simulate_times(&sc, &i.trace.times)?;
            o.series = coarsen(&o.series, MAX_SERIES_BUCKETS);
            Some(o)
        }
        None => None,
    };
    let cold_start = cold_start_option(&i.advice).and_then(|r| {
        let offer = find(&r.offer)?;
        let memory_mb = r.variant.memory_mb.unwrap_or(offer.spec.memory_mb);
        let vcpu = match offer.spec.mb_per_vcpu {
            Some(per) if per > 0.0 => memory_mb / per,
            _ => offer.spec.vcpu,
        };
        Some(ColdStartView {
            id: r.id.clone(),
            offer: r.offer.clone(),
            memory_mb,
            phases: ColdStartPhases::new(i.profile, offer, vcpu)
                .with_snapstart(offer, r.variant.snapstart),
        })
    });
    let mut named: Vec<&str> = i
        .advice
        .best
        .iter()
        .map(|b| b.offer.as_str())
        .chain(i.advice.runners_up.iter().map(|r| r.offer.as_str()))
        .collect();
    named.dedup();
    let mut sources = Vec::new();
    for id in named {
        if sources.iter().any(|s: &OfferSources| s.offer == id) {
            continue;
        }
        if let Some(o) = find(id) {
            sources.push(OfferSources {
                offer: o.id.clone(),
                name: o.name.clone(),
                figures: o
                    .sources
                    .iter()
                    .map(|(figure, s)| FigureSource {
                        figure: figure.clone(),
                        source: s.source.clone(),
                        date: s.date.clone(),
                        assumption: s.assumption,
                    })
                    .collect(),
            });
        }
    }
    Ok(Report {
        report: Meta {
            generated_at: i.generated_at,
            generated_by: format!("advisor {}", env!("CARGO_PKG_VERSION")),
            measured: (**i.profile).clone(),
            trace_stats: stats(i.trace.times.iter().copied(), 1.0),
            best_outcome,
            cold_start,
            sources,
        },
        advice: i.advice,
    })
}

/// The scenario of a ranked option: its offer with its settings.
pub fn scenario(offer: &Offer, profile: &Arc<Profile>, r: &Ranked, seed: u64) -> Scenario {
    let mut sc = Scenario::new(offer.clone(), profile.clone());
    sc.settings = r.variant.clone();
    sc.seed = seed;
    sc
}

/// The serverless option whose cold start the report shows: the best when
/// serverless, else the first serverless option ranked.
pub fn cold_start_option(a: &Advice) -> Option<&Ranked> {
    a.best
        .iter()
        .chain(a.ranked.iter())
        .find(|r| r.kind == "serverless")
}

/// A series merged to at most `max` buckets (sums added, instances the most).
pub fn coarsen(s: &Series, max: usize) -> Series {
    let n = s.buckets.len();
    let k = n.div_ceil(max.max(1)).max(1);
    if k == 1 {
        return s.clone();
    }
    let buckets = s
        .buckets
        .chunks(k)
        .map(|c| Bucket {
            arrivals: c.iter().map(|b| b.arrivals).sum(),
            completions: c.iter().map(|b| b.completions).sum(),
            failures: c.iter().map(|b| b.failures).sum(),
            latency_sum_s: c.iter().map(|b| b.latency_sum_s).sum(),
            instances: c.iter().map(|b| b.instances).max().unwrap_or(0),
            started: c.iter().map(|b| b.started).sum(),
        })
        .collect();
    Series {
        bucket_s: s.bucket_s * k as f64,
        buckets,
    }
}

/// A curve's monthly cost at `rate`, interpolated in log-log space between
/// its points; `None` outside them.
pub fn cost_at(curve: &BreakEvenCurve, rate: f64) -> Option<f64> {
    let log = |v: f64| (v > 0.0 && v.is_finite()).then(|| v.log10());
    let pts: Vec<(f64, f64)> = curve
        .points
        .iter()
        .filter_map(|p| Some((log(p.rate_rps)?, log(p.cost_per_month_usd)?)))
        .collect();
    let x = log(rate)?;
    let w = pts.windows(2).find(|w| w[0].0 <= x && x <= w[1].0)?;
    let t = if w[1].0 > w[0].0 {
        (x - w[0].0) / (w[1].0 - w[0].0)
    } else {
        0.0
    };
    Some(10f64.powf(w[0].1 + t * (w[1].1 - w[0].1)))
}

/// The report as text in a format.
pub fn render(r: &Report, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Md => markdown::render(r),
        Format::Html => html::render(r),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(r)?;
            s.push('\n');
            s
        }
        Format::Csv => csv_table::render(&r.advice)?,
    })
}

/// Writes `text` to `path`; an existing file is bad input unless `force`.
pub fn write(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    crate::fsio::write_new(path, text.as_bytes(), force)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coarsening_keeps_totals() {
        let b = |a: u64, i: u64| Bucket {
            arrivals: a,
            completions: a,
            failures: 0,
            latency_sum_s: a as f64 * 0.1,
            instances: i,
            started: 1,
        };
        let s = Series {
            bucket_s: 0.5,
            buckets: (0..10).map(|i| b(i, i % 3)).collect(),
        };
        let c = coarsen(&s, 4);
        assert_eq!(c.buckets.len(), 4);
        assert_eq!(c.bucket_s, 1.5);
        assert_eq!(c.buckets.iter().map(|b| b.arrivals).sum::<u64>(), 45);
        assert_eq!(c.buckets.iter().map(|b| b.started).sum::<u64>(), 10);
        assert_eq!(c.buckets[0].instances, 2);
        assert_eq!(coarsen(&s, 100), s);
    }

    #[test]
    fn writing_refuses_an_existing_file_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.md");
        write(&p, "one", false).unwrap();
        let err = write(&p, "two", false).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
        write(&p, "three", true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "three");
    }
}
