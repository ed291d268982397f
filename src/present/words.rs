//! Targets, figures and comparisons in words, shared by the verdict, the
//! report and the screens.

use super::units::{figure, label, pct, secs, usd};
use crate::advise::{BudgetPer, Constraints, Ranked};

/// Figures as `name value` pairs joined by ` · `.
pub fn figures<'a>(items: impl IntoIterator<Item = (&'a String, &'a f64)>) -> String {
    items
        .into_iter()
        .map(|(k, v)| format!("{} {}", label(k), figure(k, *v)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The targets in one line: `p95 ≤ 250.0 ms · success ≥ 99.9% · budget ≤ $50.000 per month`.
pub fn constraints(c: &Constraints) -> String {
    let mut parts = Vec::new();
    if let Some(s) = c.slo_p95_s {
        parts.push(format!("p95 ≤ {}", secs(s)));
    }
    if let Some(s) = c.slo_avg_s {
        parts.push(format!("mean ≤ {}", secs(s)));
    }
    parts.push(format!("success ≥ {}", pct(c.min_success_ratio)));
    if let Some(b) = c.budget_usd {
        let per = match c.budget_per {
            BudgetPer::Month => "per month",
            BudgetPer::Trace => "for the trace",
        };
        parts.push(format!("budget ≤ {} {per}", usd(b)));
    }
    parts.join(" · ")
}

/// What the chosen option achieves against the targets: "meets p95 ≤ 100.0
/// ms · success ≥ 99.9% with p95 91.5 ms and 100.0% of requests
/// succeeding" (its other figures are in the reasons).
pub fn achieved(b: &Ranked, k: &Constraints) -> String {
    format!(
        "{} {} with p95 {} and {} of requests succeeding",
        if b.meets_slo { "meets" } else { "misses" },
        constraints(k),
        secs(b.p95_latency_s),
        pct(b.success_ratio)
    )
}

/// A note when the targets hold no latency target, so nobody reads a slow
/// choice as a fast one.
pub fn no_latency_target(k: &Constraints) -> Option<&'static str> {
    (k.slo_p95_s.is_none() && k.slo_avg_s.is_none())
        .then_some("no latency target given (set one with --slo-p95-ms)")
}

/// The targets with, when there is no latency target, a note saying so.
pub fn targets(k: &Constraints) -> String {
    let mut s = constraints(k);
    if let (Some(_), Some(why)) = (k.slo_p95_s, &k.slo_p95_default) {
        s.push_str(&format!(
            " (p95 target: {why}; set another with --slo-p95-ms)"
        ));
    }
    if let Some(note) = no_latency_target(k) {
        s.push_str(" · ");
        s.push_str(note);
    }
    s
}

/// Greedy word wrap to `width` columns; words longer than a line are cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            lines.push(word.drain(..width).collect());
        }
        let wl = word.len();
        if len > 0 && len + 1 + wl > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.extend(word);
        len += wl;
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// ", +$12.300 per month against the best" for a runner-up; empty without a figure.
pub fn against_best(extra_per_month_usd: Option<f64>) -> String {
    extra_per_month_usd
        .map(|x| {
            format!(
                ", {}{} per month against the best",
                if x >= 0.0 { "+" } else { "-" },
                usd(x.abs())
            )
        })
        .unwrap_or_default()
}

/// "meets the targets" or "misses the targets".
pub fn meets(yes: bool) -> &'static str {
    if yes {
        "meets the targets"
    } else {
        "misses the targets"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_read_as_one_line() {
        let c = Constraints {
            slo_p95_s: Some(0.25),
            budget_usd: Some(50.0),
            ..Constraints::default()
        };
        assert_eq!(
            constraints(&c),
            "p95 ≤ 250.0 ms · success ≥ 99.9% · budget ≤ $50.000 per month"
        );
    }

    #[test]
    fn wrap_fills_lines_and_cuts_long_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), vec![""]);
    }
}
