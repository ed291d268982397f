//! The readable verdict printed by `advisor recommend` without `--json`:
//! the best, why, its numbers, the runners-up and the main suggestions.

use super::Advice;
use crate::present::{achieved, named, pct, secs, targets, usd, Table};
use std::fmt::Write;

/// Options listed in the short table.
pub const TOP: usize = 8;

/// The whole verdict as text.
pub fn verdict(a: &Advice) -> String {
    let mut s = String::new();
    heading(&mut s, a);
    best(&mut s, a);
    runners_up(&mut s, a);
    cheapest(&mut s, a);
    pareto(&mut s, a);
    settings(&mut s, a);
    suggestions(&mut s, a);
    let _ = writeln!(s, "\nHow a month is counted: {}.", a.month.statement);
    s
}

fn heading(s: &mut String, a: &Advice) {
    let w = &a.workload;
    let _ = writeln!(
        s,
        "Where to serve `{}` for {} ({} requests over {}, mean {:.1} req/s, peak {:.0} req/s), prices: {} (all figures modelled)",
        a.profile,
        w.trace,
        w.requests,
        secs(w.duration_s),
        w.mean_rps,
        w.peak_rps,
        a.snapshot
    );
    let _ = writeln!(s, "Targets: {}", targets(&a.constraints));
    if a.month.free_tier {
        let _ = writeln!(
            s,
            "Free tiers: on (--free-tier): each function's monthly free allowance comes off its month"
        );
    }
    let _ = writeln!(s);
}

/// The best option and its numbers, then the reasons, which explain the
/// choice or, with no best, why nothing qualified.
fn best(s: &mut String, a: &Advice) {
    match &a.best {
        Some(b) => {
            let _ = writeln!(s, "Best: {}", crate::present::variant::headline(b));
            let _ = writeln!(
                s,
                "  {} per month ({} per million requests, {} for this trace)",
                usd(b.cost_per_month_usd),
                usd(b.cost_per_million_usd),
                usd(b.cost_per_trace_usd)
            );
            let _ = writeln!(s, "  {}", achieved(b, &a.constraints));
            if let Some(r) = crate::present::range::best(a) {
                let _ = writeln!(s, "  {r}");
            }
            if let Some(v) = crate::present::range::ranking(a) {
                let _ = writeln!(s, "  {v}");
            }
            let _ = writeln!(
                s,
                "  option {} ({}), as --offer takes it",
                b.id,
                b.group.label()
            );
            let _ = writeln!(s, "Why:");
        }
        None => {
            let _ = writeln!(s, "No option meets the targets.");
        }
    }
    for r in &a.reasons {
        let _ = writeln!(s, "  - {}", r.text);
    }
}

fn runners_up(s: &mut String, a: &Advice) {
    if a.runners_up.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nRunners-up, best of each kind:");
    for r in &a.runners_up {
        let why = r
            .reasons
            .iter()
            .map(|x| x.text.as_str())
            .take(2)
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            s,
            "  {:<10} {}  {} per month, p95 {}{}\n             {why}",
            r.group.label(),
            named(a, &r.id),
            usd(r.cost_per_month_usd),
            secs(r.p95_latency_s),
            if r.meets_slo {
                ""
            } else {
                " (misses the targets)"
            }
        );
    }
}

fn cheapest(s: &mut String, a: &Advice) {
    let _ = writeln!(
        s,
        "\nCheapest options (of {} ranked, by the id --offer takes; all of them with --json):",
        a.ranked.len()
    );
    let mut t = Table::new(&[
        ">#",
        "option",
        "kind",
        ">per month",
        ">per 1M req",
        ">per trace",
        ">p95",
        ">success",
        "meets",
    ]);
    for r in a.ranked.iter().take(TOP) {
        t.row(vec![
            r.rank.map(|n| n.to_string()).unwrap_or_else(|| "-".into()),
            r.id.clone(),
            r.group.label().to_string(),
            usd(r.cost_per_month_usd),
            usd(r.cost_per_million_usd),
            usd(r.cost_per_trace_usd),
            secs(r.p95_latency_s),
            pct(r.success_ratio),
            if r.meets_slo { "yes" } else { "no" }.to_string(),
        ]);
    }
    s.push_str(&t.render());
}

fn pareto(s: &mut String, a: &Advice) {
    if a.pareto.is_empty() {
        return;
    }
    let front: Vec<String> = a
        .pareto
        .iter()
        .map(|p| {
            format!(
                "{} ({}, {})",
                named(a, &p.id),
                usd(p.cost_per_month_usd),
                secs(p.p95_latency_s)
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "Cost against p95, the options no other beats on both: {}",
        front.join(" -> ")
    );
}

/// Sweeps and crossovers, leaving out what the reasons already said.
fn settings(s: &mut String, a: &Advice) {
    let said = |t: &str| a.reasons.iter().any(|r| r.text == t);
    let settings: Vec<&str> = a
        .batching
        .iter()
        .map(|b| b.verdict.text.as_str())
        .chain(
            a.memory
                .iter()
                .filter_map(|m| m.verdict.as_ref().map(|v| v.text.as_str())),
        )
        .filter(|t| !said(t))
        .chain(a.crossovers.iter().take(4).map(|c| c.text.as_str()))
        .collect();
    if !settings.is_empty() {
        let _ = writeln!(s, "\nSettings and break-even:");
        for t in settings {
            let _ = writeln!(s, "  - {t}");
        }
    }
}

fn suggestions(s: &mut String, a: &Advice) {
    let advised: Vec<_> = a.runtime.iter().filter(|x| x.advised).collect();
    if !advised.is_empty() {
        let _ = writeln!(s, "\nSuggestions:");
        for x in advised {
            let _ = writeln!(s, "  - {}", x.text);
        }
    }
}
