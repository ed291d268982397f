//! The report as Markdown.
//!
//! Every string that comes from the user (model and file names, offer names
//! from a price file) passes through [`md`], which escapes both Markdown
//! and the raw HTML that Markdown renderers pass through.

use super::words::{constraints, figure, figures};
use super::{cost_at, Report};
use crate::advise::{Advice, Method};
use crate::profile::Profile;
use crate::text::{pct, secs, usd};
use std::fmt::Write;

/// Most rows of the comparison table (the CSV has them all).
pub const MAX_ROWS: usize = 40;

/// Escapes text for Markdown: HTML specials as entities, Markdown
/// punctuation with a backslash, line breaks as spaces.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text for inside a code span: HTML specials as entities (a renderer
/// shows them literally there, harmlessly), backticks replaced so the span
/// cannot be closed early; no backslashes, which a code span would show.
pub fn code(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// A Markdown table.
fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let rule: Vec<&str> = head
        .iter()
        .map(|h| if h.starts_with(' ') { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for r in rows {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
    out.push('\n');
}

/// The whole report.
pub fn render(r: &Report) -> String {
    let a = &r.advice;
    let m = &r.report;
    let p = &m.measured;
    let mut s = String::new();
    let _ = writeln!(s, "# Where to serve {}\n", md(&p.name));
    let _ = writeln!(
        s,
        "Written {} by {}. Every figure about an offer is **modelled** by the simulator \
         from the measured profile, the workload and the offer's prices; figures marked \
         **measured** were timed on the profiling machine.\n",
        md(&m.generated_at),
        md(&m.generated_by)
    );
    decision(&mut s, a);
    measured(&mut s, p);
    workload(&mut s, r);
    comparison(&mut s, a);
    runners_up(&mut s, a);
    batching(&mut s, a);
    memory(&mut s, a);
    break_even(&mut s, a);
    sensitivity(&mut s, a);
    runtime(&mut s, a);
    cold_start(&mut s, r);
    provenance(&mut s, r);
    s
}

fn decision(s: &mut String, a: &Advice) {
    s.push_str("## Decision\n\n");
    match &a.best {
        Some(b) => {
            let _ = writeln!(
                s,
                "**Serve on {}** (`{}`): {} per month, {} per million requests, mean latency {}, \
                 p95 {}, success {} (modelled).\n",
                md(&b.name),
                code(&b.id),
                usd(b.cost_per_month_usd),
                usd(b.cost_per_million_usd),
                secs(b.avg_latency_s),
                secs(b.p95_latency_s),
                pct(b.success_ratio)
            );
        }
        None => s.push_str("**No option meets the targets.**\n\n"),
    }
    let _ = writeln!(s, "- Targets: {}", md(&constraints(&a.constraints)));
    let _ = writeln!(s, "- Month: {}", md(&a.month.statement));
    let _ = writeln!(
        s,
        "- Prices: snapshot `{}`; profile `{}`\n",
        code(&a.snapshot),
        code(&a.profile)
    );
    if !a.reasons.is_empty() {
        s.push_str("### Why\n\n");
        for r in &a.reasons {
            let _ = write!(s, "- {}", md(&r.text));
            if !r.figures.is_empty() {
                let _ = write!(s, " ({})", md(&figures(&r.figures)));
            }
            s.push('\n');
        }
        s.push('\n');
    }
}

fn measured(s: &mut String, p: &Profile) {
    s.push_str("## What was measured\n\n");
    let m = &p.model;
    let mut rows = vec![
        vec![
            "Model".to_string(),
            format!(
                "{}: {:.1} MB, {:.2} M parameters, opset {}{}",
                md(&m.file),
                m.size_bytes as f64 / (1024.0 * 1024.0),
                m.params as f64 / 1e6,
                m.opset,
                m.flops_per_item
                    .map(|f| format!(", {:.2} GFLOPs per item (estimated)", f / 1e9))
                    .unwrap_or_default()
            ),
        ],
        vec!["Inputs".to_string(), md(&m.inputs.join("; "))],
        vec![
            "Machine".to_string(),
            format!(
                "{}, {} cores{}",
                md(&p.machine.cpu_model),
                p.machine.cores,
                p.machine
                    .gpu
                    .as_ref()
                    .map(|g| format!(", {}", md(g)))
                    .unwrap_or_default()
            ),
        ],
        vec![
            "Runtime".to_string(),
            format!(
                "ONNX Runtime {} ({:.1} MB library), {}",
                md(&p.runtime.ort_version),
                p.runtime.library_mb,
                md(&p.runtime.providers.join(", "))
            ),
        ],
        vec![
            "Measured".to_string(),
            format!("{}, {}", md(&p.measured_at), md(&p.source)),
        ],
    ];
    rows.push(vec![
        "Peak memory".to_string(),
        format!(
            "{:.0} MB (profiler); {:.0} MB per serving process",
            p.peak_rss_mb, p.cold_start.process_rss_mb
        ),
    ]);
    table(s, &["What", "Measured"], &rows);
    let c = &p.cold_start;
    let _ = writeln!(
        s,
        "Cold start on the profiling machine (measured: median of {} fresh processes, \
         {} threads, batch {}):\n",
        c.trials, c.threads, c.batch
    );
    table(
        s,
        &["Phase", " ms"],
        &[
            vec![
                "read the model file".into(),
                format!("{:.1}", c.model_read_ms),
            ],
            vec![
                "load the runtime".into(),
                format!("{:.1}", c.runtime_load_ms),
            ],
            vec![
                "create the session".into(),
                format!("{:.1}", c.session_create_ms),
            ],
            vec![
                "first inference".into(),
                format!("{:.1}", c.first_inference_ms),
            ],
        ],
    );
    s.push_str("Warm latency per run of a batch (measured):\n\n");
    let rows: Vec<Vec<String>> = p
        .latency
        .iter()
        .map(|l| {
            vec![
                md(&l.device),
                l.threads.to_string(),
                l.batch.to_string(),
                format!("{:.2}", l.p50_ms),
                format!("{:.2}", l.p95_ms),
                format!("{:.2}", l.p99_ms),
                format!("{:.0}", l.items_per_s),
                l.samples.to_string(),
            ]
        })
        .collect();
    table(
        s,
        &[
            "device", " threads", " batch", " p50 ms", " p95 ms", " p99 ms", " items/s", " runs",
        ],
        &rows,
    );
}

fn workload(s: &mut String, r: &Report) {
    let w = &r.advice.workload;
    let t = &r.report.trace_stats;
    s.push_str("## The workload\n\n");
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into());
    table(
        s,
        &[
            "Trace",
            " requests",
            " duration",
            " mean",
            " peak (1 s)",
            " burstiness",
            " gap p50",
            " gap p99",
        ],
        &[vec![
            md(&w.trace),
            w.requests.to_string(),
            secs(w.duration_s),
            format!("{:.1}/s", w.mean_rps),
            format!("{:.0}/s at {:.0} s", t.peak_rps, t.peak_at_s),
            opt(w.burstiness),
            format!("{:.1} ms", t.interarrival_p50_ms),
            format!("{:.1} ms", t.interarrival_p99_ms),
        ]],
    );
}

fn comparison(s: &mut String, a: &Advice) {
    s.push_str("## Comparison (modelled)\n\n");
    let rows: Vec<Vec<String>> = a
        .ranked
        .iter()
        .take(MAX_ROWS)
        .map(|r| {
            vec![
                r.rank.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
                format!("`{}`", code(&r.id)),
                r.group.label().to_string(),
                usd(r.cost_per_month_usd),
                usd(r.cost_per_million_usd),
                secs(r.avg_latency_s),
                secs(r.p95_latency_s),
                secs(r.p99_latency_s),
                pct(r.success_ratio),
                r.cold_starts.to_string(),
                r.instances_created.to_string(),
                if r.meets_slo { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    table(
        s,
        &[
            " rank",
            "option",
            "kind",
            " per month",
            " per million",
            " mean",
            " p95",
            " p99",
            " success",
            " cold starts",
            " instances",
            "meets targets",
        ],
        &rows,
    );
    if a.ranked.len() > MAX_ROWS {
        let _ = writeln!(
            s,
            "{} more options in the CSV report (`--format csv`).\n",
            a.ranked.len() - MAX_ROWS
        );
    }
}

fn runners_up(s: &mut String, a: &Advice) {
    if a.runners_up.is_empty() {
        return;
    }
    s.push_str("## Runners-up by kind\n\n");
    for r in &a.runners_up {
        let extra = r
            .extra_per_month_usd
            .map(|x| {
                format!(
                    ", {}{} per month against the best",
                    if x >= 0.0 { "+" } else { "-" },
                    usd(x.abs())
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "- **{}**: `{}`, {} per month{extra}, p95 {}, {}",
            r.group.label(),
            code(&r.id),
            usd(r.cost_per_month_usd),
            secs(r.p95_latency_s),
            if r.meets_slo {
                "meets the targets"
            } else {
                "misses the targets"
            }
        );
        for why in &r.reasons {
            let _ = writeln!(s, "  - {}", md(&why.text));
        }
    }
    s.push('\n');
}

fn batching(s: &mut String, a: &Advice) {
    if a.batching.is_empty() {
        return;
    }
    s.push_str("## Batching (modelled)\n\n");
    for b in &a.batching {
        let _ = writeln!(
            s,
            "`{}` ({}): {}\n",
            code(&b.id),
            md(&b.role.replace('_', " ")),
            md(&b.verdict.text)
        );
        let rows: Vec<Vec<String>> =
            b.points
                .iter()
                .map(|p| {
                    let chosen = b.cheapest_meeting.as_ref().is_some_and(|c| {
                        c.batch_size == p.batch_size && c.max_wait_s == p.max_wait_s
                    });
                    vec![
                        format!("{}{}", p.batch_size, if chosen { " (chosen)" } else { "" }),
                        secs(p.max_wait_s),
                        usd(p.cost_per_month_usd),
                        secs(p.avg_latency_s),
                        secs(p.p95_latency_s),
                        pct(p.success_ratio),
                        if p.meets_slo { "yes" } else { "no" }.to_string(),
                    ]
                })
                .collect();
        table(
            s,
            &[
                " batch",
                " wait",
                " per month",
                " mean",
                " p95",
                " success",
                "meets targets",
            ],
            &rows,
        );
    }
}

fn memory(s: &mut String, a: &Advice) {
    if a.memory.is_empty() {
        return;
    }
    s.push_str("## Memory size (modelled)\n\n");
    for m in &a.memory {
        let f = &m.footprint;
        let _ = writeln!(
            s,
            "`{}` (default {:.0} MB): the model needs at least {:.0} MB (serving process {:.0} MB \
             measured + model {:.0} MB + runtime {:.0} MB, +{:.0}%).{}\n",
            code(&m.offer),
            m.default_mb,
            f.min_memory_mb,
            f.process_rss_mb,
            f.model_mb,
            f.runtime_mb,
            f.margin_ratio * 100.0,
            m.verdict
                .as_ref()
                .map(|v| format!(" {}", md(&v.text)))
                .unwrap_or_default()
        );
        let o = |v: Option<f64>, f: fn(f64) -> String| v.map(f).unwrap_or_else(|| "-".into());
        let rows: Vec<Vec<String>> = m
            .points
            .iter()
            .map(|p| {
                let mut tags = Vec::new();
                if m.cheapest_mb == Some(p.memory_mb) {
                    tags.push("cheapest");
                }
                if m.balanced_mb == Some(p.memory_mb) {
                    tags.push("balanced");
                }
                if m.fastest_mb == Some(p.memory_mb) {
                    tags.push("fastest");
                }
                let tag = if tags.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", tags.join(", "))
                };
                vec![
                    format!("{:.0}{tag}", p.memory_mb),
                    format!("{:.2}", p.vcpu),
                    if p.fits { "yes" } else { "no" }.to_string(),
                    o(p.cold_start_s, secs),
                    o(p.cost_per_month_usd, usd),
                    o(p.p95_latency_s, secs),
                    o(p.success_ratio, pct),
                ]
            })
            .collect();
        table(
            s,
            &[
                " MB",
                " vCPU",
                "fits",
                " cold start",
                " per month",
                " p95",
                " success",
            ],
            &rows,
        );
    }
}

fn break_even(s: &mut String, a: &Advice) {
    if a.break_even.is_empty() {
        return;
    }
    s.push_str("## Break-even (modelled)\n\n");
    let _ = writeln!(
        s,
        "Monthly cost at a steady request rate; this workload averages {}.\n",
        figure("mean_rps", a.month.mean_rps)
    );
    let rates = [0.1, 1.0, 10.0, 100.0, 1000.0];
    let mut head = vec!["option".to_string(), "method".to_string()];
    head.extend(rates.iter().map(|r| format!(" {r} req/s")));
    let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = a
        .break_even
        .iter()
        .map(|c| {
            let mut row = vec![
                md(&c.label),
                match c.method {
                    Method::Analytic => "analytic".to_string(),
                    Method::Simulated => "simulated".to_string(),
                },
            ];
            row.extend(
                rates
                    .iter()
                    .map(|r| cost_at(c, *r).map(usd).unwrap_or_else(|| "-".into())),
            );
            row
        })
        .collect();
    table(s, &head_refs, &rows);
    for c in &a.crossovers {
        let _ = writeln!(s, "- {}", md(&c.text));
    }
    if !a.crossovers.is_empty() {
        s.push('\n');
    }
}

fn sensitivity(s: &mut String, a: &Advice) {
    let sens = &a.sensitivity;
    if sens.cases.is_empty() {
        return;
    }
    s.push_str("## Sensitivity (modelled)\n\n");
    if let Some(v) = &sens.verdict {
        let _ = writeln!(s, "{}\n", md(&v.text));
    }
    let rows: Vec<Vec<String>> = sens
        .cases
        .iter()
        .map(|c| {
            vec![
                md(&c.description),
                c.best
                    .as_deref()
                    .map(|b| format!("`{}`", code(b)))
                    .unwrap_or_else(|| "none meets the targets".into()),
                c.best_cost_per_month_usd
                    .map(usd)
                    .unwrap_or_else(|| "-".into()),
                c.best_p95_latency_s.map(secs).unwrap_or_else(|| "-".into()),
                if c.changed { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    table(s, &["case", "best", " per month", " p95", "changed"], &rows);
}

fn runtime(s: &mut String, a: &Advice) {
    if a.runtime.is_empty() {
        return;
    }
    s.push_str("## Runtime and deployment\n\n");
    for r in &a.runtime {
        let mark = if r.advised { "**Do:**" } else { "Checked:" };
        let _ = write!(s, "- {mark} {}", md(&r.text));
        if !r.figures.is_empty() {
            let _ = write!(s, " ({})", md(&figures(&r.figures)));
        }
        s.push('\n');
    }
    s.push('\n');
}

fn cold_start(s: &mut String, r: &Report) {
    let Some(c) = &r.report.cold_start else {
        return;
    };
    let _ = writeln!(
        s,
        "## Cold start on `{}` ({:.0} MB)\n",
        code(&c.id),
        c.memory_mb
    );
    let p = &c.phases;
    let rows = vec![
        vec![
            "container initialisation".into(),
            secs(p.container_init_s),
            "modelled from the offer (platform and package size)".into(),
        ],
        vec![
            "library import".into(),
            secs(p.import_s),
            "modelled from the offer's runtime".into(),
        ],
        vec![
            "model download".into(),
            secs(p.download_s),
            "modelled: model size / storage bandwidth".into(),
        ],
        vec![
            "model load".into(),
            secs(p.model_load_s),
            "measured (session creation), scaled to the offer's CPU".into(),
        ],
        vec![
            "first inference".into(),
            secs(p.first_inference_s),
            "measured, scaled to the offer's CPU".into(),
        ],
        vec!["**total**".into(), secs(p.total_s()), String::new()],
    ];
    table(
        s,
        &["step (the study's five)", " time", "how it was obtained"],
        &rows,
    );
}

fn provenance(s: &mut String, r: &Report) {
    let p = &r.report.measured;
    s.push_str("## Measured and modelled\n\n");
    let _ = writeln!(
        s,
        "- **Measured** by advisor on {} ({} cores) with ONNX Runtime {}, {}: the model's \
         size, warm latency per batch and threads, the cold-start phases on that machine, \
         memory.",
        md(&p.machine.cpu_model),
        p.machine.cores,
        md(&p.runtime.ort_version),
        md(&p.measured_at)
    );
    s.push_str(
        "- **Modelled** by the simulator: every cost, latency, success ratio, cold start and \
         instance count of an offer, from the measured profile, the workload and the offer's \
         prices and behaviour.\n",
    );
    if let Some(o) = &r.report.best_outcome {
        for n in &o.notes {
            let _ = writeln!(s, "- {}", md(n));
        }
    }
    for n in &r.advice.notes {
        let _ = writeln!(s, "- {}", md(n));
    }
    s.push('\n');
    for o in &r.report.sources {
        let _ = writeln!(s, "Sources of `{}` ({}):\n", code(&o.offer), md(&o.name));
        let rows: Vec<Vec<String>> = o
            .figures
            .iter()
            .map(|f| {
                vec![
                    format!("`{}`", code(&f.figure)),
                    md(&f.source),
                    md(&f.date),
                    if f.assumption { "assumption" } else { "" }.to_string(),
                ]
            })
            .collect();
        table(s, &["figure", "source", "date", ""], &rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_html_specials_are_escaped() {
        assert_eq!(
            md("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(md("a|b *c* [d](e)"), "a\\|b \\*c\\* \\[d\\](e)");
        assert_eq!(md("x\ny"), "x y");
        assert_eq!(code("a_b`<i>"), "a_b'&lt;i&gt;");
    }
}
