//! Ranges on the leading options' modelled figures from the sources' spread
//! of CPU speed: each option is re-simulated with its CPU family at the
//! fastest and the slowest the sources allow (a few runs, not a re-sweep).

use serde::{Deserialize, Serialize};

use super::Ranked;

/// One option's figures at the ends of its CPU family's speed range.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OptionRange {
    /// The option's id (as in `ranked`).
    pub id: String,
    /// CPU speed against the best estimate, slowest and fastest the sources allow.
    pub cpu_speed: [f64; 2],
    /// Modelled p95 latency, seconds, lowest and highest.
    pub p95_s: [f64; 2],
    /// Modelled mean latency, seconds, lowest and highest.
    pub mean_s: [f64; 2],
    /// Modelled success ratio, lowest and highest.
    pub success: [f64; 2],
    /// Modelled cost per month, USD, lowest and highest.
    pub cost_month_usd: [f64; 2],
    /// Whether it still meets the targets with the slowest CPU.
    pub meets_slo_slowest: bool,
}

/// Speed multipliers (slowest, fastest) for a CPU time scale whose best
/// estimate is `factor` and whose sources span `low..high` (times: smaller
/// is faster). A fixed-speed family gives (1, 1).
pub fn speeds(factor: f64, low: f64, high: f64) -> (f64, f64) {
    if factor <= 0.0 || low <= 0.0 || high <= 0.0 {
        return (1.0, 1.0);
    }
    (factor / high, factor / low)
}

fn span(a: f64, b: f64, c: f64) -> [f64; 2] {
    [a.min(b).min(c), a.max(b).max(c)]
}

/// The range of an option from its runs at the best estimate, the slowest
/// and the fastest CPU.
pub fn of(mid: &Ranked, slow: &Ranked, fast: &Ranked, speed: (f64, f64)) -> OptionRange {
    let s = |f: fn(&Ranked) -> f64| span(f(mid), f(slow), f(fast));
    OptionRange {
        id: mid.id.clone(),
        cpu_speed: [speed.0, speed.1],
        p95_s: s(|r| r.p95_latency_s),
        mean_s: s(|r| r.avg_latency_s),
        success: s(|r| r.success_ratio),
        cost_month_usd: s(|r| r.cost_per_month_usd),
        meets_slo_slowest: slow.meets_slo,
    }
}

/// One sentence when the ranking can change within the ranges: the best
/// misses the targets with the slowest CPU, or a runner-up could be cheaper;
/// `name` spells an option's id out for a person.
pub fn verdict(
    best: &OptionRange,
    others: &[OptionRange],
    name: impl Fn(&str) -> String,
) -> Option<String> {
    if !best.meets_slo_slowest {
        return Some(format!(
            "With the slowest CPU in the sources the best misses the targets (p95 up to {:.1} ms).",
            best.p95_s[1] * 1e3
        ));
    }
    let cheaper = others
        .iter()
        .filter(|o| o.cost_month_usd[0] < best.cost_month_usd[1])
        .min_by(|a, b| a.cost_month_usd[0].total_cmp(&b.cost_month_usd[0]))?;
    Some(format!(
        "Within the CPU sources' spread, {} could be cheaper than the best by up to ${:.2}/month.",
        name(&cheaper.id),
        best.cost_month_usd[1] - cheaper.cost_month_usd[0]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_speed_family_has_no_spread_and_a_wider_one_more() {
        assert_eq!(speeds(2.0, 2.0, 2.0), (1.0, 1.0));
        let narrow = speeds(1.0, 0.9, 1.1);
        let wide = speeds(1.0, 0.7, 1.5);
        assert!(wide.0 < narrow.0 && wide.1 > narrow.1);
        assert!(narrow.0 < 1.0 && narrow.1 > 1.0);
    }

    fn range(id: &str, cost: [f64; 2], meets: bool) -> OptionRange {
        OptionRange {
            id: id.into(),
            cpu_speed: [0.9, 1.1],
            p95_s: [0.05, 0.12],
            mean_s: [0.04, 0.06],
            success: [1.0, 1.0],
            cost_month_usd: cost,
            meets_slo_slowest: meets,
        }
    }

    #[test]
    fn the_verdict_names_the_option_that_could_be_cheaper_in_words() {
        let best = range("a@512mb", [70.0, 90.0], true);
        let others = [range("b@256mb", [80.0, 85.0], true)];
        let v = verdict(&best, &others, |id| format!("name of {id}")).unwrap();
        assert!(v.contains("name of b@256mb could be cheaper"), "{v}");
        assert!(v.contains("$10.00/month"), "{v}");
        let far = [range("b@256mb", [95.0, 99.0], true)];
        assert_eq!(verdict(&best, &far, str::to_string), None);
        let slow = range("a@512mb", [70.0, 90.0], false);
        let v = verdict(&slow, &far, str::to_string).unwrap();
        assert!(v.contains("up to 120.0 ms"), "{v}");
    }

    #[test]
    fn span_orders_the_three_runs() {
        assert_eq!(span(2.0, 3.0, 1.0), [1.0, 3.0]);
        assert_eq!(span(2.0, 2.0, 2.0), [2.0, 2.0]);
    }
}
