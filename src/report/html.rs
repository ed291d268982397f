//! The report as one self-contained HTML file: inline CSS, inline SVG
//! charts, no scripts and nothing fetched from elsewhere.
//!
//! Every string from the user (model and file names, offer names from a
//! price file) is escaped with [`esc`] before it is written.

use super::svg::{esc, Axis, Draw, Guide, Mark, Plot, Series};
use super::tables::{self, Cell, Table};
use super::words::{against_best, constraints, figure, figures, money};
use super::{cost_at, Report};
use crate::advise::{Advice, Method};
use crate::text::{pct, secs, usd};
use std::fmt::Write;

/// Most curves in the break-even chart.
const MAX_CURVES: usize = 8;

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.lead{color:#555}.verdict{font-size:1.2em;background:#eef6ee;border-left:4px solid #2ca02c;padding:.6em 1em}
.none{background:#fbeeee;border-left-color:#d62728}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}th,td{padding:.25em .6em;border-bottom:1px solid #e5e5e5;text-align:left}
th{background:#f6f6f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.best td{background:#fff8dc;font-weight:600}
.miss{color:#b00}.ok{color:#070}.tag{font-size:.8em;padding:0 .4em;border-radius:3px;background:#eee;color:#555}
.modelled{background:#e8f0fb;color:#1f4f8f}.measured{background:#eaf6ea;color:#1d6b1d}
code{background:#f3f3f3;padding:0 .2em;border-radius:3px}
svg.chart{display:block;max-width:100%;height:auto;margin:.6em 0 1.2em;font-family:system-ui,sans-serif}
svg .title{font-size:14px;font-weight:600}svg .tick{font-size:11px;fill:#555}svg .axis{font-size:12px;fill:#333}
svg .legend{font-size:11px;fill:#333}svg .note{font-size:11px;fill:#555}svg .grid{stroke:#eee}
svg .frame{fill:none;stroke:#999}svg .guide{stroke:#555;stroke-dasharray:3 3}svg .series{stroke-width:1.8}
svg .mark circle{fill:none;stroke:#000;stroke-width:2}svg .mark text{font-size:12px;font-weight:600}
.bar{display:flex;height:28px;margin:.4em 0}.bar div{height:100%}
";

/// A table; every cell escaped for its kind, number columns right-aligned.
fn table(out: &mut String, t: &Table) {
    out.push_str("<table><thead><tr>");
    for (i, h) in t.head.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", num_class(t, i), esc(h.trim()));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        out.push_str(if r.best {
            "<tr class=\"best\">"
        } else {
            "<tr>"
        });
        for (i, c) in r.cells.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", num_class(t, i), cell(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

fn num_class(t: &Table, i: usize) -> &'static str {
    if t.numeric(i) {
        " class=\"n\""
    } else {
        ""
    }
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => esc(s),
        Cell::Code(s) => format!("<code>{}</code>", esc(s)),
        Cell::Yes(true) => "<span class=\"ok\">yes</span>".to_string(),
        Cell::Yes(false) => "<span class=\"miss\">no</span>".to_string(),
        Cell::Source(s) if s.starts_with("https://") || s.starts_with("http://") => {
            format!("<a href=\"{0}\">{0}</a>", esc(s))
        }
        Cell::Source(s) => esc(s),
    }
}

/// The whole page.
pub fn render(r: &Report) -> String {
    let a = &r.advice;
    let p = &r.report.measured;
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>Where to serve {}</title><style>{STYLE}</style></head><body>\n",
        esc(&p.name)
    );
    let _ = writeln!(s, "<h1>Where to serve {}</h1>", esc(&p.name));
    let _ = writeln!(
        s,
        "<p class=\"lead\">Written {} by {}. Figures about offers are \
         <span class=\"tag modelled\">modelled</span> by the simulator from the measured profile, \
         the workload and the offers' prices; <span class=\"tag measured\">measured</span> ones \
         were timed on the profiling machine.</p>",
        esc(&r.report.generated_at),
        esc(&r.report.generated_by)
    );
    decision(&mut s, a);
    over_time(&mut s, r);
    comparison(&mut s, a);
    runners_up(&mut s, a);
    batching(&mut s, a);
    memory(&mut s, a);
    break_even(&mut s, a);
    sensitivity(&mut s, a);
    runtime(&mut s, a);
    cold_start(&mut s, r);
    measured(&mut s, r);
    provenance(&mut s, r);
    s.push_str("</body></html>\n");
    s
}

fn decision(s: &mut String, a: &Advice) {
    s.push_str("<h2>Decision</h2>\n");
    match &a.best {
        Some(b) => {
            let _ = writeln!(
                s,
                "<p class=\"verdict\"><strong>Serve on {}</strong> (<code>{}</code>): {} per month, \
                 {} per million requests, mean latency {}, p95 {}, success {} \
                 <span class=\"tag modelled\">modelled</span></p>",
                esc(&b.name),
                esc(&b.id),
                usd(b.cost_per_month_usd),
                usd(b.cost_per_million_usd),
                secs(b.avg_latency_s),
                secs(b.p95_latency_s),
                pct(b.success_ratio)
            );
        }
        None => s.push_str(
            "<p class=\"verdict none\"><strong>No option meets the targets.</strong></p>\n",
        ),
    }
    let _ = writeln!(
        s,
        "<ul><li>Targets: {}</li><li>Month: {}</li><li>Prices: snapshot <code>{}</code>; profile <code>{}</code></li></ul>",
        esc(&constraints(&a.constraints)),
        esc(&a.month.statement),
        esc(&a.snapshot),
        esc(&a.profile)
    );
    if !a.reasons.is_empty() {
        s.push_str("<h3>Why</h3><ul>");
        for r in &a.reasons {
            let _ = write!(s, "<li>{}", esc(&r.text));
            if !r.figures.is_empty() {
                let _ = write!(s, " <small>({})</small>", esc(&figures(&r.figures)));
            }
            s.push_str("</li>");
        }
        s.push_str("</ul>\n");
    }
}

fn over_time(s: &mut String, r: &Report) {
    let Some(o) = &r.report.best_outcome else {
        return;
    };
    let _ = writeln!(
        s,
        "<h2>The best option over the run <span class=\"tag modelled\">modelled</span></h2>\
         <p>{} on the workload, as the study's Figure 6 plots it: latency and success \
         ratio by the time requests were sent, and the instances alive.</p>",
        esc(&o.offer)
    );
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
        format!("Mean latency over time: {}", o.offer),
        Axis::linear("time sent (s)", |v| format!("{v:.0}")),
        Axis::linear("latency", secs),
    );
    lat.series.push(Series::line("mean latency", latency, 0));
    if let Some(slo) = r.advice.constraints.slo_p95_s {
        lat.hguides.push(Guide {
            at: slo,
            label: format!("p95 target {}", secs(slo)),
        });
    }
    s.push_str(&lat.svg());
    let mut ok = Plot::new(
        format!("Success ratio over time: {}", o.offer),
        Axis::linear("time sent (s)", |v| format!("{v:.0}")),
        Axis::linear("success ratio", pct),
    );
    ok.series.push(Series::line("success ratio", success, 2));
    ok.hguides.push(Guide {
        at: r.advice.constraints.min_success_ratio,
        label: format!("minimum {}", pct(r.advice.constraints.min_success_ratio)),
    });
    s.push_str(&ok.svg());
    let mut n = Plot::new(
        format!("Instances alive over time: {}", o.offer),
        Axis::linear("time (s)", |v| format!("{v:.0}")),
        Axis::linear("instances", |v| format!("{v:.0}")),
    );
    n.series.push(Series::line("instances", inst, 3));
    s.push_str(&n.svg());
    s.push('\n');
}

fn comparison(s: &mut String, a: &Advice) {
    s.push_str("<h2>Comparison <span class=\"tag modelled\">modelled</span></h2>\n");
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
            label: format!("best: {}", b.id),
        });
    }
    if let Some(slo) = a.constraints.slo_p95_s {
        plot.vguides.push(Guide {
            at: slo,
            label: "p95 target".into(),
        });
    }
    s.push_str(&plot.svg());
    table(s, &tables::comparison(a));
    let more = tables::comparison_left_out(a);
    if more > 0 {
        let _ = writeln!(s, "<p>{more} more options in the CSV report.</p>");
    }
}

fn runners_up(s: &mut String, a: &Advice) {
    if a.runners_up.is_empty() {
        return;
    }
    s.push_str("<h2>Runners-up by kind</h2><ul>");
    for r in &a.runners_up {
        let extra = against_best(r.extra_per_month_usd);
        let _ = write!(
            s,
            "<li><strong>{}</strong>: <code>{}</code>, {} per month{extra}, p95 {}, {}",
            esc(r.group.label()),
            esc(&r.id),
            usd(r.cost_per_month_usd),
            secs(r.p95_latency_s),
            if r.meets_slo {
                "meets the targets"
            } else {
                "misses the targets"
            }
        );
        if !r.reasons.is_empty() {
            s.push_str("<ul>");
            for why in &r.reasons {
                let _ = write!(s, "<li>{}</li>", esc(&why.text));
            }
            s.push_str("</ul>");
        }
        s.push_str("</li>");
    }
    s.push_str("</ul>\n");
}

fn batching(s: &mut String, a: &Advice) {
    if a.batching.is_empty() {
        return;
    }
    s.push_str("<h2>Batching <span class=\"tag modelled\">modelled</span></h2>\n");
    for b in &a.batching {
        let _ = writeln!(
            s,
            "<p><code>{}</code> ({}): {}</p>",
            esc(&b.id),
            esc(&b.role.replace('_', " ")),
            esc(&b.verdict.text)
        );
        let mut waits: Vec<f64> = b.points.iter().map(|p| p.max_wait_s).collect();
        waits.sort_by(f64::total_cmp);
        waits.dedup();
        for (title, label, value, fmt) in [
            (
                "Cost per month by batch size",
                "cost per month",
                (|p: &crate::advise::BatchPoint| p.cost_per_month_usd) as fn(&_) -> f64,
                money as fn(f64) -> String,
            ),
            (
                "Mean latency by batch size",
                "mean latency",
                |p: &crate::advise::BatchPoint| p.avg_latency_s,
                secs,
            ),
        ] {
            let mut plot = Plot::new(
                format!("{title}: {}", b.id),
                Axis::log("batch size", |v| format!("{v:.0}")),
                Axis::linear(label, fmt),
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
            s.push_str(&plot.svg());
        }
        table(s, &tables::batching(b));
    }
}

/// A batching line's name: its longest wait.
fn wait_label(w: f64) -> String {
    if w == 0.0 {
        "no wait".to_string()
    } else {
        format!("wait up to {}", secs(w))
    }
}

fn memory(s: &mut String, a: &Advice) {
    if a.memory.is_empty() {
        return;
    }
    s.push_str("<h2>Memory size <span class=\"tag modelled\">modelled</span></h2>\n");
    for m in &a.memory {
        let f = &m.footprint;
        let _ = writeln!(
            s,
            "<p><code>{}</code> (default {:.0} MB): the model needs at least {:.0} MB (serving \
             process {:.0} MB <span class=\"tag measured\">measured</span> + model {:.0} MB + \
             runtime {:.0} MB, +{:.0}%). {}</p>",
            esc(&m.offer),
            m.default_mb,
            f.min_memory_mb,
            f.process_rss_mb,
            f.model_mb,
            f.runtime_mb,
            f.margin_ratio * 100.0,
            m.verdict.as_ref().map(|v| esc(&v.text)).unwrap_or_default()
        );
        for (title, label, cost) in [
            ("Cost per month by memory size", "cost per month", true),
            ("p95 latency by memory size", "p95 latency", false),
        ] {
            let value = |p: &crate::advise::MemoryPoint| {
                if cost {
                    p.cost_per_month_usd
                } else {
                    p.p95_latency_s
                }
            };
            let mut plot = Plot::new(
                format!("{title}: {}", m.offer),
                Axis::linear("memory (MB)", |v| format!("{v:.0}")),
                Axis::linear(label, if cost { money } else { secs }),
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
                at: f.min_memory_mb,
                label: "footprint".into(),
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
            s.push_str(&plot.svg());
        }
        table(s, &tables::memory(m));
    }
}

fn break_even(s: &mut String, a: &Advice) {
    if a.break_even.is_empty() {
        return;
    }
    s.push_str("<h2>Break-even <span class=\"tag modelled\">modelled</span></h2>\n");
    let _ = writeln!(
        s,
        "<p>Monthly cost against a steady request rate; this workload averages {}.</p>",
        esc(&figure("mean_rps", a.month.mean_rps))
    );
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
    s.push_str(&plot.svg());
    if !a.crossovers.is_empty() {
        s.push_str("<ul>");
        for c in &a.crossovers {
            let _ = write!(s, "<li>{}</li>", esc(&c.text));
        }
        s.push_str("</ul>\n");
    }
    table(s, &tables::break_even(a));
}

fn sensitivity(s: &mut String, a: &Advice) {
    let sens = &a.sensitivity;
    if sens.cases.is_empty() {
        return;
    }
    s.push_str("<h2>Sensitivity <span class=\"tag modelled\">modelled</span></h2>\n");
    if let Some(v) = &sens.verdict {
        let _ = writeln!(s, "<p>{}</p>", esc(&v.text));
    }
    table(s, &tables::sensitivity(a));
}

fn runtime(s: &mut String, a: &Advice) {
    if a.runtime.is_empty() {
        return;
    }
    s.push_str("<h2>Runtime and deployment</h2><ul>");
    for r in &a.runtime {
        let mark = if r.advised {
            "<strong>Do:</strong> "
        } else {
            "Checked: "
        };
        let _ = write!(s, "<li>{mark}{}", esc(&r.text));
        if !r.figures.is_empty() {
            let _ = write!(s, " <small>({})</small>", esc(&figures(&r.figures)));
        }
        s.push_str("</li>");
    }
    s.push_str("</ul>\n");
}

fn cold_start(s: &mut String, r: &Report) {
    let Some(c) = &r.report.cold_start else {
        return;
    };
    let _ = writeln!(
        s,
        "<h2>Cold start on <code>{}</code> ({:.0} MB): {}</h2>",
        esc(&c.id),
        c.memory_mb,
        secs(c.phases.total_s())
    );
    const COLORS: [&str; 5] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728"];
    let steps = tables::cold_start_steps(c);
    let total = c.phases.total_s().max(1e-9);
    s.push_str("<div class=\"bar\">");
    for (st, color) in steps.iter().zip(COLORS) {
        let _ = write!(
            s,
            "<div style=\"width:{:.2}%;background:{color}\" title=\"{} {}\"></div>",
            st.s / total * 100.0,
            esc(st.name),
            secs(st.s)
        );
    }
    s.push_str("</div>\n<p>");
    for (st, color) in steps.iter().zip(COLORS) {
        let _ = write!(
            s,
            "<span style=\"color:{color}\">&#9632;</span> {} &nbsp; ",
            esc(st.name)
        );
    }
    s.push_str("</p>\n");
    table(s, &tables::cold_start(c));
}

fn measured(s: &mut String, r: &Report) {
    let p = &r.report.measured;
    s.push_str("<h2>What was measured <span class=\"tag measured\">measured</span></h2>\n");
    table(s, &tables::facts(p));
    let c = &p.cold_start;
    let _ = writeln!(
        s,
        "<p>Cold start on the profiling machine: median of {} fresh processes, {} threads, batch {}.</p>",
        c.trials, c.threads, c.batch
    );
    table(s, &tables::local_cold_start(p));
    table(s, &tables::latency(p));
    s.push_str("<h2>The workload</h2>\n");
    table(s, &tables::workload(r));
}

fn provenance(s: &mut String, r: &Report) {
    let p = &r.report.measured;
    s.push_str("<h2>Measured and modelled</h2><ul>");
    let _ = write!(
        s,
        "<li><span class=\"tag measured\">measured</span> by advisor on {} ({} cores) with ONNX \
         Runtime {}, {}: the model's size, warm latency per batch and threads, the cold-start \
         phases on that machine, memory.</li>",
        esc(&p.machine.cpu_model),
        p.machine.cores,
        esc(&p.runtime.ort_version),
        esc(&p.measured_at)
    );
    s.push_str(
        "<li><span class=\"tag modelled\">modelled</span> by the simulator: every cost, latency, \
         success ratio, cold start and instance count of an offer, from the measured profile, \
         the workload and the offer's prices and behaviour.</li>",
    );
    if let Some(o) = &r.report.best_outcome {
        for n in &o.notes {
            let _ = write!(s, "<li>{}</li>", esc(n));
        }
    }
    for n in &r.advice.notes {
        let _ = write!(s, "<li>{}</li>", esc(n));
    }
    s.push_str("</ul>\n");
    for o in &r.report.sources {
        let _ = writeln!(
            s,
            "<h3>Sources of <code>{}</code> ({})</h3>",
            esc(&o.offer),
            esc(&o.name)
        );
        table(s, &tables::sources(o));
    }
}
