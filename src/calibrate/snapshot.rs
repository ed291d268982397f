//! The calibrated snapshot: the fitted offer, its fitted figures sourced to
//! the replay, written as a price file `simulate`/`recommend --pricing` read.

use super::Fit;
use crate::pricing::{Offer, Snapshot, Source};
use std::collections::BTreeMap;
use std::path::Path;

/// The figure paths a fit replaces, as the price file names them.
pub const FITTED: [&str; 3] = [
    "spec.cpu_speed",
    "behaviour.network_rtt_s",
    "behaviour.cold_start.platform_init_s",
];

/// A snapshot named `name` holding `offer` with the fitted figures, each
/// sourced "measured by replay, DATE, N requests".
pub fn calibrated(name: &str, offer: &Offer, fit: &Fit, date: &str, replay: &str) -> Snapshot {
    let mut o = offer.clone();
    o.spec.cpu_speed = fit.cpu_speed;
    o.behaviour.network_rtt_s = fit.network_rtt_s;
    if let Some(init) = fit.platform_init_s {
        o.behaviour.cold_start.platform_init_s = init;
    }
    o.name = format!("{} (calibrated)", offer.name);
    let source = Source {
        source: format!(
            "measured by replay, {date}, {} requests ({replay})",
            fit.requests
        ),
        date: date.to_string(),
        assumption: false,
    };
    for path in FITTED {
        if path != FITTED[2] || fit.platform_init_s.is_some() {
            o.sources.insert(path.to_string(), source.clone());
        }
    }
    if fit.cpu_speed_from == "server timing" {
        let mut s = source.clone();
        s.source
            .push_str(": the answers' x-inference-ms over the profile's service time");
        o.sources.insert(FITTED[0].to_string(), s);
    }
    o.snapshot = name.to_string();
    Snapshot {
        name: name.to_string(),
        date: date.to_string(),
        description: format!(
            "{} fitted to a live replay ({replay}) by `advisor calibrate`",
            offer.id
        ),
        offers: vec![o],
        regional: Vec::new(),
        queries: BTreeMap::new(),
        origin: String::new(),
    }
}

/// The snapshot's name for a file: its stem.
pub fn name_for(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "calibrated".to_string())
}

/// The price file text, with a header saying what was fitted and how well.
pub fn to_toml(s: &Snapshot, fit: &Fit) -> anyhow::Result<String> {
    let r = &fit.residuals;
    let header = vec![
        "Written by `advisor calibrate`: one offer fitted to a live replay.".to_string(),
        format!(
            "Fitted: cpu_speed {:.3}x ({}), network_rtt {:.2} ms{}.",
            fit.cpu_speed,
            fit.cpu_speed_from,
            fit.network_rtt_s * 1e3,
            fit.platform_init_s
                .map(|i| format!(", platform init {i:.3} s"))
                .unwrap_or_default()
        ),
        format!(
            "Residuals (modelled against measured): mean {:+.1}%, p95 {:+.1}%, success {:+.2} points, series rms {:.1}%.",
            r.avg_latency_rel * 1e2,
            r.p95_latency_rel * 1e2,
            r.success_ratio_diff * 1e2,
            r.series_rms_rel * 1e2
        ),
    ];
    crate::pricing::write::to_toml(s, &header)
}
