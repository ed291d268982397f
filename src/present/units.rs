//! Numbers with their units: durations, money, ratios, memory and rates,
//! written the same way on every screen and in every report.

/// Seconds as a short human figure: `850 us`, `12.3 ms`, `1.25 s`, `3.1 min`.
pub fn secs(s: f64) -> String {
    if !s.is_finite() {
        return "-".to_string();
    }
    if s < 1e-3 {
        format!("{:.0} us", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else if s < 120.0 {
        format!("{s:.2} s")
    } else {
        format!("{:.1} min", s / 60.0)
    }
}

/// A duration as a setting reads: as few digits as it needs (`10 ms`,
/// `1 s`, `2.5 s`), unlike [`secs`], which keeps measured figures comparable.
pub fn wait(s: f64) -> String {
    if !s.is_finite() {
        return "-".to_string();
    }
    let (v, unit) = if s < 1.0 { (s * 1e3, "ms") } else { (s, "s") };
    format!("{} {unit}", trim(format!("{v:.1}")))
}

/// Dollars with enough digits to tell small amounts apart.
pub fn usd(x: f64) -> String {
    if x == 0.0 {
        "$0".to_string()
    } else if x.abs() < 0.01 {
        format!("${x:.5}")
    } else if x.abs() < 100.0 {
        format!("${x:.3}")
    } else {
        format!("${x:.0}")
    }
}

/// A modelled figure with its range: `$48.67 ($44.10-$55.20)` or
/// `47.6 ms (41.0 ms-58.0 ms)`, with `f` writing each number; a zero-width
/// range is left out.
pub fn ranged(v: f64, range: [f64; 2], f: fn(f64) -> String) -> String {
    if (range[1] - range[0]).abs() <= 1e-12 * v.abs().max(1.0) {
        return f(v);
    }
    format!("{} ({}-{})", f(v), f(range[0]), f(range[1]))
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
    format!("${}", trim(format!("{v:.digits$}")))
}

/// A ratio as a percentage with one decimal.
pub fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

/// A percentage precise enough to tell 99.9% from 100% (for targets).
pub fn pct_fine(r: f64) -> String {
    format!("{}%", trim(format!("{:.3}", r * 100.0)))
}

/// A memory size in MB, whole.
pub fn mb(v: f64) -> String {
    format!("{v:.0} MB")
}

/// A decimal figure without trailing zeros: `2.50` -> `2.5`, `3.0` -> `3`.
fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Units a figure's key can end with, longest match first where they overlap.
const UNITS: [&str; 7] = ["_usd", "_ratio", "_ms", "_s", "_mb", "_bytes", "_rps"];

/// A figure written by the unit its key ends with (`p99_latency_s`,
/// `idle_ratio`, `cost_per_month_usd`).
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
        mb(v)
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

/// A figure's key without its unit, in words: `p99_latency_s` -> `p99 latency`.
pub fn label(key: &str) -> String {
    let k = UNITS
        .iter()
        .find_map(|u| key.strip_suffix(u))
        .unwrap_or(key);
    k.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_money_and_ratios() {
        assert_eq!(secs(0.0123), "12.3 ms");
        assert_eq!(secs(2.5), "2.50 s");
        assert_eq!(secs(0.0005), "500 us");
        assert_eq!(wait(0.01), "10 ms");
        assert_eq!(wait(1.0), "1 s");
        assert_eq!(wait(2.5), "2.5 s");
        assert_eq!(usd(0.009), "$0.00900");
        assert_eq!(pct(0.9995), "100.0%");
        assert_eq!(pct_fine(0.999), "99.9%");
        assert_eq!(pct_fine(1.0), "100%");
        assert_eq!(money(80.0), "$80");
        assert_eq!(money(2.5), "$2.5");
        assert_eq!(money(0.01), "$0.01");
        assert_eq!(money(10000.0), "$10000");
        assert_eq!(money(0.0), "$0");
    }

    #[test]
    fn figures_follow_their_unit() {
        assert_eq!(figure("cost_per_month_usd", 12.5), "$12.500");
        assert_eq!(figure("idle_ratio", 0.8312), "83.1%");
        assert_eq!(figure("p99_latency_s", 0.0421), "42.1 ms");
        assert_eq!(figure("session_create_ms", 102.2), "102.2 ms");
        assert_eq!(figure("memory_mb", 2048.0), "2048 MB");
        assert_eq!(figure("instances", 3.0), "3");
        assert_eq!(label("p99_latency_s"), "p99 latency");
        assert_eq!(label("idle_ratio"), "idle");
    }

    #[test]
    fn ranged_shows_a_range_only_when_it_has_width() {
        assert_eq!(ranged(48.67, [44.1, 55.2], money), "$48.67 ($44.1-$55.2)");
        assert_eq!(ranged(0.0476, [0.0476, 0.0476], secs), "47.6 ms");
    }
}
