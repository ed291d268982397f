//! Figures and targets in words, shared by the report and the screens.
//!
//! Reasons and suggestions carry their figures keyed with the unit in the
//! name (`p99_latency_s`, `idle_ratio`, `cost_per_month_usd`); the unit
//! suffix decides how a figure is written.

use crate::advise::{BudgetPer, Constraints};
use crate::text::{pct, secs, usd};

/// A figure written by the unit its key ends with.
pub fn figure(key: &str, v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    if key.ends_with("_usd") {
        usd(v)
    } else if key.ends_with("_ratio") {
        pct(v)
    } else if key.ends_with("_ms") {
        secs(v / 1e3)
    } else if key.ends_with("_s") {
        secs(v)
    } else if key.ends_with("_mb") {
        format!("{v:.0} MB")
    } else if key.ends_with("_bytes") {
        format!("{:.1} MB", v / 1e6)
    } else if key.ends_with("_rps") {
        format!("{v:.1} req/s")
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// Dollars for an axis tick: as few digits as the value needs (`$80`,
/// `$2.5`, `$0.01`), unlike [`usd`], which keeps amounts comparable in tables.
pub fn money(v: f64) -> String {
    if v == 0.0 {
        return "$0".to_string();
    }
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 1.0 {
        2
    } else {
        4
    };
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("${s}")
}

/// A figure's key without its unit, in words: `p99_latency_s` -> `p99 latency`.
pub fn label(key: &str) -> String {
    let mut k = key;
    for unit in ["_usd", "_ratio", "_ms", "_s", "_mb", "_bytes", "_rps"] {
        if let Some(stripped) = k.strip_suffix(unit) {
            k = stripped;
            break;
        }
    }
    k.replace('_', " ")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_follow_their_unit() {
        assert_eq!(figure("cost_per_month_usd", 12.5), "$12.500");
        assert_eq!(figure("idle_ratio", 0.8312), "83.1%");
        assert_eq!(figure("p99_latency_s", 0.0421), "42.1 ms");
        assert_eq!(figure("session_create_ms", 102.2), "102.2 ms");
        assert_eq!(figure("memory_mb", 2048.0), "2048 MB");
        assert_eq!(figure("instances", 3.0), "3");
        assert_eq!(label("p99_latency_s"), "p99 latency");
        assert_eq!(money(80.0), "$80");
        assert_eq!(money(2.5), "$2.5");
        assert_eq!(money(0.01), "$0.01");
        assert_eq!(money(10000.0), "$10000");
        assert_eq!(money(0.0), "$0");
        assert_eq!(label("idle_ratio"), "idle");
    }

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
