//! The report as Markdown.
//!
//! Every string that comes from the user (model and file names, offer names
//! from a price file) passes through [`md`], which escapes both Markdown
//! and the raw HTML that Markdown renderers pass through.

use super::tables::{self, Cell, Table};
use super::words::{against_best, constraints, figure, figures};
use super::Report;
use crate::advise::Advice;
use crate::profile::Profile;
use crate::text::{pct, secs, usd};
use std::fmt::Write;

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

/// A Markdown table; every cell escaped for its kind.
fn table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "| {} |", t.head.join(" | "));
    let rule: Vec<&str> = (0..t.head.len())
        .map(|i| if t.numeric(i) { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for r in &t.rows {
        let cells: Vec<String> = r.cells.iter().map(cell).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) | Cell::Source(s) => md(s),
        Cell::Code(s) => format!("`{}`", code(s)),
        Cell::Yes(b) => tables::yes_no(*b).to_string(),
    }
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
    table(s, &tables::facts(p));
    let c = &p.cold_start;
    let _ = writeln!(
        s,
        "Cold start on the profiling machine (measured: median of {} fresh processes, \
         {} threads, batch {}):\n",
        c.trials, c.threads, c.batch
    );
    table(s, &tables::local_cold_start(p));
    s.push_str("Warm latency per run of a batch (measured):\n\n");
    table(s, &tables::latency(p));
}

fn workload(s: &mut String, r: &Report) {
    s.push_str("## The workload\n\n");
    table(s, &tables::workload(r));
}

fn comparison(s: &mut String, a: &Advice) {
    s.push_str("## Comparison (modelled)\n\n");
    table(s, &tables::comparison(a));
    let more = tables::comparison_left_out(a);
    if more > 0 {
        let _ = writeln!(
            s,
            "{more} more options in the CSV report (`--format csv`).\n"
        );
    }
}

fn runners_up(s: &mut String, a: &Advice) {
    if a.runners_up.is_empty() {
        return;
    }
    s.push_str("## Runners-up by kind\n\n");
    for r in &a.runners_up {
        let extra = against_best(r.extra_per_month_usd);
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
        table(s, &tables::batching(b));
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
        table(s, &tables::memory(m));
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
    table(s, &tables::break_even(a));
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
    table(s, &tables::sensitivity(a));
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
    table(s, &tables::cold_start(c));
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
        table(s, &tables::sources(o));
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
