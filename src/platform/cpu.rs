//! The CPU table: each CPU family the offers run on and the reference
//! probe's expected time there (`pricing/cpus.toml`, built into the binary).
//!
//! An offer names its family in `spec.cpu_family`. Two names are not in the
//! table: `as-profiled` (the offer runs on a CPU like the profiling machine's:
//! the study's calibration and `advisor serve` on this machine) and `unknown`
//! (the default: the table's median with the widest range, and a warning).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The family of an offer whose CPU is the profiling machine's own.
pub const AS_PROFILED: &str = "as-profiled";

/// The family of an offer whose CPU is not known.
pub const UNKNOWN: &str = "unknown";

const CPUS_TOML: &str = include_str!("../../pricing/cpus.toml");

/// A time relative to the reference machine, with its range.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Relative {
    /// Best estimate (1.0 = as fast as the reference, 2.0 = twice as long).
    pub value: f64,
    /// Fastest the sources allow.
    pub low: f64,
    /// Slowest the sources allow.
    pub high: f64,
}

/// One CPU family.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Family {
    /// Its id, as `spec.cpu_family` names it.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The conv probe's time relative to the reference machine.
    pub conv: Relative,
    /// The matmul probe's time relative to the reference machine.
    pub matmul: Relative,
    /// Keys of the sources the figures are bounded by.
    pub src: Vec<String>,
}

/// The machine the relative times are relative to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Reference {
    /// Its family id.
    pub family: String,
    /// What it is.
    pub name: String,
    /// The conv probe's time there, ms.
    pub conv_ms: f64,
    /// The matmul probe's time there, ms.
    pub matmul_ms: f64,
    /// How those were measured.
    pub source: String,
    /// When.
    pub date: String,
}

/// Where a figure comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CpuSource {
    /// A URL with what it says.
    pub source: String,
    /// Its date.
    pub date: String,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CpuTable {
    /// The reference machine.
    pub reference: Reference,
    /// The sources by key.
    pub sources: BTreeMap<String, CpuSource>,
    /// The families.
    #[serde(rename = "family")]
    pub families: Vec<Family>,
}

/// The probe's expected time on a family, ms, with its range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeTimes {
    /// The conv probe, ms.
    pub conv: Relative,
    /// The matmul probe, ms.
    pub matmul: Relative,
}

/// The built-in table (checked by the tests, so reading it cannot fail).
pub fn table() -> &'static CpuTable {
    static TABLE: OnceLock<CpuTable> = OnceLock::new();
    TABLE.get_or_init(|| parse(CPUS_TOML).unwrap_or_else(|e| panic!("pricing/cpus.toml: {e}")))
}

/// Reads a CPU table.
pub fn parse(text: &str) -> Result<CpuTable, toml::de::Error> {
    toml::from_str(text)
}

impl CpuTable {
    /// The family with this id, if the table has it.
    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    /// True for the ids an offer may name: the table's, `as-profiled` and `unknown`.
    pub fn knows(&self, id: &str) -> bool {
        id == AS_PROFILED || id == UNKNOWN || self.family(id).is_some()
    }

    /// What `unknown` stands for: the median family's times, with the
    /// fastest low and the slowest high of the whole table.
    pub fn unknown(&self) -> Family {
        let pick = |f: fn(&Family) -> Relative| {
            let mut v: Vec<f64> = self.families.iter().map(|x| f(x).value).collect();
            v.sort_by(f64::total_cmp);
            Relative {
                value: v.get(v.len() / 2).copied().unwrap_or(1.0),
                low: self
                    .families
                    .iter()
                    .map(|x| f(x).low)
                    .fold(f64::MAX, f64::min),
                high: self.families.iter().map(|x| f(x).high).fold(0.0, f64::max),
            }
        };
        Family {
            id: UNKNOWN.into(),
            name: "unknown CPU (the table's median, its widest range)".into(),
            conv: pick(|f| f.conv),
            matmul: pick(|f| f.matmul),
            src: vec![],
        }
    }

    /// The probe's expected times on `family`, ms.
    pub fn probe_times(&self, family: &Family) -> ProbeTimes {
        let ms = |r: Relative, base: f64| Relative {
            value: r.value * base,
            low: r.low * base,
            high: r.high * base,
        };
        ProbeTimes {
            conv: ms(family.conv, self.reference.conv_ms),
            matmul: ms(family.matmul, self.reference.matmul_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_reads_and_is_consistent() {
        let t = table();
        assert!(t.reference.conv_ms > 0.0 && t.reference.matmul_ms > 0.0);
        assert!(t.family(&t.reference.family).is_some());
        for f in &t.families {
            for r in [f.conv, f.matmul] {
                assert!(r.low <= r.value && r.value <= r.high, "{}", f.id);
                assert!(r.low > 0.0, "{}", f.id);
            }
            assert!(!f.src.is_empty(), "{} has no source", f.id);
            for s in &f.src {
                assert!(t.sources.contains_key(s), "{}: no source {s}", f.id);
            }
        }
        for (key, s) in &t.sources {
            // A document, or a measurement that names its command.
            assert!(
                s.source.starts_with("http") || s.source.starts_with("measured: `"),
                "{key}"
            );
            assert!(s.date.len() >= 4, "{key}");
        }
    }

    #[test]
    fn unknown_spans_the_whole_table() {
        let t = table();
        let u = t.unknown();
        for f in &t.families {
            assert!(u.conv.low <= f.conv.low && u.conv.high >= f.conv.high);
            assert!(u.matmul.low <= f.matmul.low && u.matmul.high >= f.matmul.high);
        }
        assert!(t.knows(UNKNOWN) && t.knows(AS_PROFILED) && t.knows("aws-graviton2"));
        assert!(!t.knows("aws-graviton9"));
    }

    #[test]
    fn probe_times_scale_the_reference() {
        let t = table();
        let g2 = t.family("aws-graviton2").unwrap();
        let p = t.probe_times(g2);
        assert!((p.conv.value - g2.conv.value * t.reference.conv_ms).abs() < 1e-9);
        assert!((p.matmul.high - g2.matmul.high * t.reference.matmul_ms).abs() < 1e-9);
    }
}
