//! The report's charts, built from the advice for formats that draw them.

use super::cost_at;
use super::svg::{Axis, Draw, Guide, Mark, Plot, Series};
use crate::advise::{
    Advice, BatchPoint, BatchSweep, Constraints, MemoryPoint, MemorySweep, Method,
};
use crate::outcome::Outcome;
use crate::present::{mb, money, pct, secs, wait};

/// Most curves in the break-even chart.
const MAX_CURVES: usize = 8;

/// The best option over the run, as the study's Figure 6 plots it: mean
/// latency, success ratio and instances alive by time.
pub fn over_time(o: &Outcome, name: &str, k: &Constraints) -> Vec<Plot> {
    let bucket = o.series.bucket_s;
    let mid = |i: usize| (i as f64 + 0.5) * bucket;
    let latency: Vec<(f64, f64)> = o
        .series
        .buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| b.completions > 0)
        .map(|(i, b)| (mid(i), b.mean_latency_s()))
        .collect();
    let success: Vec<(f64, f64)> = o
        .series
        .buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| b.completions + b.failures > 0)
        .map(|(i, b)| (mid(i), b.success_ratio()))
        .collect();
    let inst: Vec<(f64, f64)> = o
        .series
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| (mid(i), b.instances as f64))
        .collect();
    let mut lat = Plot::new(
        format!("Mean latency over time: {name}"),
        Axis::linear("time sent (s)", |v| format!("{v:.0}")),
        Axis::linear("latency", secs),
    );
    match clip_spikes(&latency, k.slo_p95_s) {
        Some(c) => {
            lat.series.push(Series::line(
                format!(
                    "mean latency per {} (above {} drawn at the top)",
                    secs(bucket),
                    secs(c.cap)
                ),
                c.points,
                0,
            ));
            lat.marks.push(Mark {
                x: c.peak_at,
                y: c.cap,
                label: format!("cold-start peak {} (off the scale)", secs(c.peak)),
            });
        }
        None => lat.series.push(Series::line(
            format!("mean latency per {}", secs(bucket)),
            latency,
            0,
        )),
    }
    if let Some(slo) = k.slo_p95_s {
        lat.hguides.push(Guide {
            at: slo,
            label: format!("p95 target {}", secs(slo)),
        });
    }
    let mut ok = Plot::new(
        format!("Success ratio over time: {name}"),
        Axis::linear("time sent (s)", |v| format!("{v:.0}")),
        Axis::linear("success ratio", pct),
    );
    ok.series.push(Series::line("success ratio", success, 2));
    ok.hguides.push(Guide {
        at: k.min_success_ratio,
        label: format!("minimum {}", pct(k.min_success_ratio)),
    });
    let mut n = Plot::new(
        format!("Instances alive over time: {name}"),
        Axis::linear("time (s)", |v| format!("{v:.0}")),
        Axis::count("instances"),
    );
    n.series.push(Series::line("instances", inst, 3));
    vec![lat, ok, n]
}

/// A latency series with its spikes clipped.
struct Clipped {
    /// The points, none above `cap`.
    points: Vec<(f64, f64)>,
    /// Where the scale ends, s.
    cap: f64,
    /// The highest point, s, and when.
    peak: f64,
    peak_at: f64,
}

/// Clips cold-start spikes so the steady state sets the scale: the cap is
/// the larger of four times the median, 1.25 times the 95th percentile of
/// the points and 1.25 times the target; `None` when nothing is above it.
fn clip_spikes(points: &[(f64, f64)], slo: Option<f64>) -> Option<Clipped> {
    let mut ys: Vec<f64> = points
        .iter()
        .map(|p| p.1)
        .filter(|y| y.is_finite())
        .collect();
    ys.sort_by(f64::total_cmp);
    let median = *ys.get(ys.len() / 2)?;
    let p95 = ys[((ys.len() - 1) as f64 * 0.95).round() as usize];
    let cap = (median * 4.0)
        .max(p95 * 1.25)
        .max(slo.unwrap_or(0.0) * 1.25);
    let &(peak_at, peak) = points.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    (peak > cap * 1.05).then(|| Clipped {
        points: points.iter().map(|&(x, y)| (x, y.min(cap))).collect(),
        cap,
        peak,
        peak_at,
    })
}

/// Every option's cost against its p95, the Pareto front joined.
pub fn comparison(a: &Advice) -> Plot {
    let mut plot = Plot::new(
        "Cost per month against p95 latency (the Pareto front joined)",
        Axis::log("p95 latency", secs),
        Axis::log("cost per month", money),
    );
    let pick = |meets: bool| -> Vec<(f64, f64)> {
        a.ranked
            .iter()
            .filter(|r| r.meets_slo == meets)
            .map(|r| (r.p95_latency_s, r.cost_per_month_usd))
            .collect()
    };
    plot.series.push(Series {
        name: "meets the targets".into(),
        points: pick(true),
        draw: Draw::Points,
        color: 2,
        dashed: false,
    });
    plot.series.push(Series {
        name: "misses them".into(),
        points: pick(false),
        draw: Draw::Points,
        color: 1,
        dashed: false,
    });
    let mut front: Vec<(f64, f64)> = a
        .pareto
        .iter()
        .map(|p| (p.p95_latency_s, p.cost_per_month_usd))
        .collect();
    front.sort_by(|x, y| x.0.total_cmp(&y.0));
    plot.series.push(Series {
        name: "Pareto front".into(),
        points: front,
        draw: Draw::LinePoints,
        color: 0,
        dashed: true,
    });
    if let Some(b) = &a.best {
        plot.marks.push(Mark {
            x: b.p95_latency_s,
            y: b.cost_per_month_usd,
            label: "recommended".to_string(),
        });
    }
    if let Some(slo) = a.constraints.slo_p95_s {
        plot.vguides.push(Guide {
            at: slo,
            label: "p95 target".into(),
        });
    }
    plot
}

/// One option's batching sweep: cost and mean latency by batch size, a
/// line per longest wait.
pub fn batching(b: &BatchSweep, name: &str) -> Vec<Plot> {
    let mut waits: Vec<f64> = b.points.iter().map(|p| p.max_wait_s).collect();
    waits.sort_by(f64::total_cmp);
    waits.dedup();
    let mut out = Vec::new();
    for (title, y, value) in [
        (
            "Cost per month by batch size",
            Axis::fitted("cost per month", money),
            (|p: &BatchPoint| p.cost_per_month_usd) as fn(&_) -> f64,
        ),
        (
            "Mean latency by batch size",
            Axis::linear("mean latency", secs),
            |p: &BatchPoint| p.avg_latency_s,
        ),
    ] {
        let mut plot = Plot::new(
            format!("{title}: {name}"),
            Axis::log("batch size", |v| format!("{v:.0}")).ticks_at_data(),
            y,
        );
        for (i, w) in waits.iter().enumerate() {
            // Every line starts from no batching, where nobody waits.
            let pts: Vec<(f64, f64)> = std::iter::once(&b.baseline)
                .chain(b.points.iter().filter(|p| p.max_wait_s == *w))
                .map(|p| (p.batch_size as f64, value(p)))
                .collect();
            plot.series.push(Series {
                name: wait_label(*w),
                points: pts,
                draw: Draw::LinePoints,
                color: i,
                dashed: false,
            });
        }
        if let Some(c) = &b.cheapest_meeting {
            plot.marks.push(Mark {
                x: c.batch_size as f64,
                y: value(c),
                label: format!("chosen: batch {}", c.batch_size),
            });
        }
        out.push(plot);
    }
    out
}

/// A batching line's name: its longest wait.
fn wait_label(w: f64) -> String {
    if w == 0.0 {
        "no wait".to_string()
    } else {
        format!("wait up to {}", wait(w))
    }
}

/// One offer's memory sweep: cost and p95 by memory size.
pub fn memory(m: &MemorySweep, name: &str) -> Vec<Plot> {
    let mut out = Vec::new();
    for (title, label, cost) in [
        ("Cost per month by memory size", "cost per month", true),
        ("p95 latency by memory size", "p95 latency", false),
    ] {
        let value = |p: &MemoryPoint| {
            if cost {
                p.cost_per_month_usd
            } else {
                p.p95_latency_s
            }
        };
        let mut plot = Plot::new(
            format!("{title}: {name}"),
            Axis::linear("memory (MB)", |v| format!("{v:.0}")),
            if cost {
                Axis::fitted(label, money)
            } else {
                Axis::linear(label, secs)
            },
        );
        plot.series.push(Series {
            name: label.to_string(),
            points: m
                .points
                .iter()
                .filter_map(|p| value(p).map(|v| (p.memory_mb, v)))
                .collect(),
            draw: Draw::LinePoints,
            color: 0,
            dashed: false,
        });
        plot.vguides.push(Guide {
            at: m.footprint.min_memory_mb,
            label: format!("needs {}", mb(m.footprint.min_memory_mb)),
        });
        if let Some(c) = m.cheapest_mb {
            if let Some(v) = m.points.iter().find(|p| p.memory_mb == c).and_then(value) {
                plot.marks.push(Mark {
                    x: c,
                    y: v,
                    label: format!("cheapest {c:.0} MB"),
                });
            }
        }
        out.push(plot);
    }
    out
}

/// Each option's monthly cost at a steady rate, crossovers marked.
pub fn break_even(a: &Advice) -> Plot {
    let mut plot = Plot::new(
        "Cost per month at a steady request rate",
        Axis::log("requests per second", |v| {
            if v >= 1.0 {
                format!("{v:.0}")
            } else {
                format!("{v}")
            }
        }),
        Axis::log("cost per month", money),
    );
    for (i, c) in a.break_even.iter().take(MAX_CURVES).enumerate() {
        plot.series.push(Series {
            name: c.label.clone(),
            points: c
                .points
                .iter()
                .map(|p| (p.rate_rps, p.cost_per_month_usd))
                .collect(),
            draw: Draw::Line,
            color: i,
            dashed: c.method == Method::Simulated,
        });
    }
    plot.vguides.push(Guide {
        at: a.month.mean_rps,
        label: "this workload".into(),
    });
    for x in &a.crossovers {
        if let Some(c) = a.break_even.iter().find(|c| c.id == x.cheaper_below) {
            if let Some(y) = cost_at(c, x.rate_rps) {
                // Unlabelled: crossovers bunch up; the list below names them.
                plot.marks.push(Mark {
                    x: x.rate_rps,
                    y,
                    label: String::new(),
                });
            }
        }
    }
    plot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cold_start_spike_is_clipped_and_marked_not_the_scale() {
        // A steady 30 ms with one 4.6 s cold-start bucket.
        let mut pts: Vec<(f64, f64)> = (0..250).map(|i| (i as f64 + 0.5, 0.030)).collect();
        pts[1].1 = 4.6;
        let c = clip_spikes(&pts, Some(0.1)).expect("the spike is clipped");
        assert!((c.cap - 0.125).abs() < 1e-12, "{}", c.cap);
        assert_eq!((c.peak, c.peak_at), (4.6, 1.5));
        assert!(c.points.iter().all(|p| p.1 <= c.cap));
        // Nothing to clip on a steady series.
        assert!(clip_spikes(&pts[2..], Some(0.1)).is_none());
        assert!(clip_spikes(&[], None).is_none());
    }

    #[test]
    fn batching_lines_name_their_wait_in_the_setting_unit() {
        assert_eq!(wait_label(0.0), "no wait");
        assert_eq!(wait_label(0.01), "wait up to 10 ms");
        assert_eq!(wait_label(1.0), "wait up to 1 s");
    }
}
